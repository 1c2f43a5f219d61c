"""The auditor's linear programs (``scoring.programs``) and the evidence an audit hands to
the next (``audit.Evidence``): answers checked against SciPy's ``linprog`` (HiGHS built
afresh each time), the rows that bind, and nothing printed."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from scipy.optimize import linprog
from scipy.sparse import csr_array

from survey.scoring.audit import Evidence, _Atom, _Attacker, audit, protect
from survey.scoring.programs import LinearProgram


def test_every_objective_has_the_optimum_a_cold_solver_finds() -> None:
    """One model asked forty questions in a row (each starting from the last basis) gives
    what a solver built afresh for each gives: the same optimum, or none where unbounded."""
    rng = np.random.default_rng(7)
    equal = (rng.random((12, 30)) < 0.2).astype(float)
    truth = rng.integers(0, 6, 30).astype(float)
    at_most = (rng.random((5, 30)) < 0.3).astype(float)
    upper = np.where(rng.random(30) < 0.5, truth + 3, np.inf)
    program = LinearProgram(
        30,
        equal=csr_array(equal),
        equal_to=equal @ truth,
        at_most=csr_array(at_most),
        bound=at_most @ truth + 2,
        upper=upper,
    )
    for _ in range(40):
        objective = rng.uniform(-2, 2, 30) * (rng.random(30) < 0.3)
        cold = linprog(
            objective,
            A_eq=equal,
            b_eq=equal @ truth,
            A_ub=at_most,
            b_ub=at_most @ truth + 2,
            bounds=list(zip(np.zeros(30), upper, strict=True)),
            method="highs",
        )
        warm = program.minimise(objective)
        if cold.status == 3:
            assert warm is None
            continue
        assert warm is not None
        assert warm.value == pytest.approx(cold.fun, abs=1e-6)
        assert program.holds(warm.x)
        assert objective @ warm.x == pytest.approx(cold.fun, abs=1e-6)


def test_the_rows_that_bind_are_named_by_kind() -> None:
    """Largest x0 + x1 with x0 + x1 + x2 = 5 (row 0) and x0 + x1 ≤ 3 (row 0 of the
    inequalities): the inequality binds, the equality does not."""
    program = LinearProgram(
        3,
        equal=csr_array(np.array([[1.0, 1.0, 1.0]])),
        equal_to=np.array([5.0]),
        at_most=csr_array(np.array([[1.0, 1.0, 0.0]])),
        bound=np.array([3.0]),
    )
    solved = program.minimise(np.array([-1.0, -1.0, 0.0]))
    assert solved is not None
    assert solved.value == pytest.approx(-3.0)
    assert list(solved.equal) == [] and list(solved.at_most) == [0]
    assert program.holds(np.array([1.0, 2.0, 2.0]))
    assert not program.holds(np.array([2.0, 2.0, 1.0]))  # x0 + x1 = 4 > 3
    assert not program.holds(np.array([-1.0, 2.0, 4.0]))  # below its lower bound


def test_nothing_is_printed() -> None:
    """HiGHS prints a banner on stdout at its first call unless told not to first: in
    ``survey scores`` that would corrupt the output (a fresh process: it prints once)."""
    code = (
        "import numpy as np\n"
        "from survey.scoring.programs import LinearProgram\n"
        "print(LinearProgram(2).minimise(np.array([1.0, 1.0])).value)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout == "0.0\n"


def _atom(cells: str, figures: tuple[int, ...], count: int) -> _Atom:
    return _Atom(frozenset(cells), figures, count, np.inf)


def test_a_table_kept_is_summed_into_the_atoms_of_the_next_audit() -> None:
    """Cells a and b told apart by a figure, then merged once it is hidden: the table kept
    for them is one table over the merged atom; one that breaks a figure is not used."""
    evidence = Evidence()
    before = [_atom("a", (0, 1), 2), _atom("b", (0,), 3), _atom("c", (0, 2), 4)]
    attacker = _Attacker(before, evidence=evidence)
    attacker.tables.append(np.array([1.0, 4.0, 4.0]))
    attacker.keep()
    after = [_atom("ab", (0,), 5), _atom("c", (0, 2), 4)]
    seeded = _Attacker(after, evidence=evidence).tables
    assert [list(t) for t in seeded] == [[5.0, 4.0]]
    changed = [_atom("ab", (0,), 5), _atom("c", (0, 2), 3)]  # c's figure now says 3
    assert len(_Attacker(changed, evidence=evidence).tables) == 0


def test_protect_decides_as_audits_from_scratch_do() -> None:
    """A crossed table (3 × 3 cells, margins): what ``protect`` hides, carrying tables from
    each audit to the next, leaves nothing for a fresh audit to find."""
    counts = {
        (r, c): n
        for r, row in enumerate([[1, 6, 7], [5, 2, 9], [8, 7, 1]])
        for c, n in enumerate(row)
    }
    rows = [[(r, c) for c in range(3)] for r in range(3)]
    columns = [[(r, c) for r in range(3)] for c in range(3)]
    cells = [[cell] for cell in counts]
    proposed = [*cells, *rows, *columns]
    hidden = protect(counts, [], proposed, 3)
    shown = [f for j, f in enumerate(proposed) if j not in hidden]
    assert audit(counts, shown, 3) is None
    assert {j for j in hidden if j < 9} >= {0, 4, 8}  # the three small cells


def test_narrowed_bounds_and_rows_leave_the_program_as_it_was() -> None:
    """Exploring narrows a program (each count within one of the truth); the narrowed
    optimum is a point of the program, and the next question is asked of the whole one."""
    program = LinearProgram(
        2,
        equal=csr_array(np.array([[1.0, 1.0]])),
        equal_to=np.array([6.0]),
        upper=np.array([6.0, 6.0]),
    )
    narrowed = program.minimise(np.array([1.0, 0.0]), lower=np.array([2.0, -np.inf]))
    assert narrowed is not None and narrowed.x[0] == pytest.approx(2.0)
    assert program.holds(narrowed.x)
    whole = program.minimise(np.array([1.0, 0.0]))
    assert whole is not None and whole.x[0] == pytest.approx(0.0)
    held = program.with_rows(csr_array(np.array([[-1.0, 0.0]])), np.array([-4.0]))  # x0 ≥ 4
    low = held.minimise(np.array([1.0, 0.0]))
    assert low is not None and low.x[0] == pytest.approx(4.0) and program.holds(low.x)
    again = program.minimise(np.array([1.0, 0.0]))
    assert again is not None and again.x[0] == pytest.approx(0.0)

"""The attacker's linear programs, kept warm in HiGHS.

An audit asks one linear system the same question many times over, each time about
another group: the smallest and the largest count consistent with everything released.
Only the objective changes between them. Through SciPy's ``linprog`` every question built
the model again and solved it from nothing, and for the small systems an audit meets
(tens of atoms) that setup was most of the cost: a report by unit of a 40-unit employee
survey, its tables reading the numbers invited, asked 10 000 of them at about 2 ms each.
Here the model is built once per attacker and each question only changes the objective,
so HiGHS starts from the last optimal basis (a few pivots away): about 0.4 ms each.
``highspy`` is the HiGHS project's own binding (the solver SciPy bundles).
"""

from __future__ import annotations

from dataclasses import dataclass

import highspy
import numpy as np
from scipy.sparse import csr_array, vstack

_EPS = 1e-6


class _Quiet(highspy.Highs):
    """A HiGHS instance that prints nothing: ``Highs()`` calls ``enableCallbacks``, a
    HiGHS method, before anyone can switch its output off, and the first such call prints
    a banner on stdout (which would corrupt ``survey scores`` output). Switching it off
    there, first, keeps it quiet from the start."""

    def enableCallbacks(self) -> None:
        self.setOptionValue("output_flag", False)
        super().enableCallbacks()  # type: ignore[no-untyped-call]  # highspy's own


@dataclass(frozen=True)
class Solution:
    """A program's optimum, a point that attains it, and the rows that bind it (nonzero
    duals: where the attack rests, which is where a suppressor hides the next figure)."""

    value: float
    x: np.ndarray
    equal: np.ndarray  # indices of binding equality rows
    at_most: np.ndarray  # indices of binding inequality rows


class LinearProgram:
    """Minimise ``c·x`` subject to ``equal @ x = equal_to``, ``at_most @ x ≤ bound`` and
    ``lower ≤ x ≤ upper``, for many ``c`` over the same constraints."""

    def __init__(
        self,
        n: int,
        *,
        equal: csr_array | None = None,
        equal_to: np.ndarray | None = None,
        at_most: csr_array | None = None,
        bound: np.ndarray | None = None,
        lower: np.ndarray | float = 0.0,
        upper: np.ndarray | float = np.inf,
    ) -> None:
        blocks = [(equal, equal_to, equal_to), (at_most, None, bound)]
        rows = [(m, low, high) for m, low, high in blocks if m is not None and m.shape[0]]
        self.n = n
        self.n_equal = equal.shape[0] if equal is not None else 0
        self.matrix = csr_array(vstack([m for m, _, _ in rows], format="csr") if rows else (0, n))
        lows, highs = [np.zeros(0)], [np.zeros(0)]
        for m, low, high in rows:
            lows.append(np.full(m.shape[0], -np.inf) if low is None else low)
            highs.append(np.zeros(0) if high is None else high)
        self.row_lower = np.hstack(lows).astype(float)
        self.row_upper = np.hstack(highs).astype(float)
        self.lower = np.broadcast_to(np.asarray(lower, dtype=float), (n,))
        self.upper = np.broadcast_to(np.asarray(upper, dtype=float), (n,))
        self.columns = np.arange(n, dtype=np.int32)
        self._highs: highspy.Highs | None = None

    @property
    def highs(self) -> highspy.Highs:
        """The model in HiGHS, passed on the first question: most attackers of a national
        report find every table they need without a program (``holds`` reads the matrix
        alone), and passing the model was a twentieth of their audit."""
        if self._highs is None:
            self._highs = _Quiet()  # type: ignore[no-untyped-call]  # highspy's __init__
            matrix = self.matrix
            status = self._highs.passModel(  # the arrays' overload: not element by element
                self.n,
                matrix.shape[0],
                matrix.nnz,
                int(highspy.MatrixFormat.kRowwise),
                int(highspy.ObjSense.kMinimize),
                0.0,
                np.zeros(self.n),
                _finite(self.lower),
                _finite(self.upper),
                _finite(self.row_lower),
                _finite(self.row_upper),
                matrix.indptr.astype(np.int32),
                matrix.indices.astype(np.int32),
                matrix.data.astype(float),
                np.zeros(self.n, dtype=np.int32),  # every column continuous
            )
            if status != highspy.HighsStatus.kOk:
                raise RuntimeError(f"HiGHS did not take the program: {status}")
        return self._highs

    def with_rows(self, at_most: csr_array, bound: np.ndarray) -> LinearProgram:
        """This program with more inequality rows: a narrower one, whose points are this
        one's too (its binding rows are numbered as the constraints it was made of)."""
        rows = csr_array(vstack([self.matrix[self.n_equal :], at_most], format="csr"))
        return self._with_inequalities(rows, np.hstack([self.row_upper[self.n_equal :], bound]))

    def keeping(self, kept: np.ndarray) -> LinearProgram:
        """This program with only the inequality rows ``kept`` marks (a mask): a wider
        one, whose points include every point of this one."""
        rows = self.matrix[self.n_equal :]
        return self._with_inequalities(rows[kept], self.row_upper[self.n_equal :][kept])

    def _with_inequalities(self, at_most: csr_array, bound: np.ndarray) -> LinearProgram:
        """This program's equalities and bounds on x, with these inequality rows."""
        return LinearProgram(
            self.n,
            equal=self.matrix[: self.n_equal],
            equal_to=self.row_upper[: self.n_equal],
            at_most=at_most,
            bound=bound,
            lower=self.lower,
            upper=self.upper,
        )

    def holds(self, x: np.ndarray) -> bool:
        """Whether ``x`` meets every constraint (within rounding): a point found for
        another program is evidence for this one only if it does."""
        values = self.matrix @ x
        return bool(
            np.all(values >= self.row_lower - _EPS)
            and np.all(values <= self.row_upper + _EPS)
            and np.all(x >= self.lower - _EPS)
            and np.all(x <= self.upper + _EPS)
        )

    def minimise(
        self,
        objective: np.ndarray,
        *,
        lower: np.ndarray | None = None,
        upper: np.ndarray | None = None,
    ) -> Solution | None:
        """The optimum for this objective, or None where there is none (unbounded). With
        ``lower`` or ``upper``, over the points within those bounds too (narrower than the
        program's own: its optimum is then a point of the program all the same)."""
        self.highs.changeColsCost(self.n, self.columns, np.asarray(objective, dtype=float))
        narrowed = lower is not None or upper is not None
        if narrowed:
            self._bounds(
                self.lower if lower is None else np.maximum(self.lower, lower),
                self.upper if upper is None else np.minimum(self.upper, upper),
            )
        try:
            return self._run()
        finally:
            if narrowed:
                self._bounds(self.lower, self.upper)

    def _bounds(self, lower: np.ndarray, upper: np.ndarray) -> None:
        self.highs.changeColsBounds(self.n, self.columns, _finite(lower), _finite(upper))

    def _run(self) -> Solution | None:
        self.highs.run()
        status = self.highs.getModelStatus()
        if status in (
            highspy.HighsModelStatus.kUnbounded,
            highspy.HighsModelStatus.kUnboundedOrInfeasible,
        ):
            return None
        if status != highspy.HighsModelStatus.kOptimal:
            message = self.highs.modelStatusToString(status)
            raise RuntimeError(f"the released figures are inconsistent: {message}")
        solution = self.highs.getSolution()
        duals = np.abs(np.asarray(solution.row_dual)) > _EPS
        binding = np.flatnonzero(duals)
        return Solution(
            float(self.highs.getInfo().objective_function_value),
            np.asarray(solution.col_value),
            binding[binding < self.n_equal],
            binding[binding >= self.n_equal] - self.n_equal,
        )


def _finite(values: np.ndarray) -> np.ndarray:
    """HiGHS's infinity for NumPy's (it reads any value above 1e20 as infinite, but says
    so in so many words only for its own)."""
    clipped: np.ndarray = np.clip(values, -highspy.kHighsInf, highspy.kHighsInf)
    return clipped.astype(float)

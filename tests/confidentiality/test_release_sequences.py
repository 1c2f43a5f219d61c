"""Whole sequences of releases through the operations layer, judged from what they printed.

A hypothesis property draws two rounds of the 2009 questionnaire in a real SQLite file
(mayors and rådmenn in two municipalities, a few each), the breakdowns each round
declares, and a sequence of steps: reports of either round (the whole round's or one
municipality's, by any breakdown, round 2's sometimes compared with round 1), round pages
(the whole round's or one municipality's), `survey scores` by any breakdown, and new
answers arriving between them, so the gate chooses each round's snapshots as it does in
use. Or the rounds are invited (everyone who answers, and none or one more per role and
municipality who never does, so some groups answer in full), and every report and page
shows response rates beside its tables. Every release is made and recorded by the operations the web and the CLI call
(``operations.results.make_report``, ``round_page``, ``scores``); a breakdown a round has
not declared must be refused.

The judge is the independent enumeration of ``tests/scoring/oracle.py``, over each round's
respondents by (role, unit, the first snapshot that counted them). It reads what each
release holds as printed: the cover's number of answers, every shown q5 row's count
(everyone answers q5) and the reason stated for a hidden row (a bound on its count, read
as the words say); every shown answered count of a response rate, with its number
invited as a bound (no more can have answered), and a report's reasons for hidden rates;
and, behind a change against round 1, round 1's count for that group,
which is not printed but given back with the earlier mean; and each mean the summary
shows, as its group's count (printed beside it nowhere, but in the response rates or the
report by role, and a mean with its count is a sum). It then checks that all of it
together, per round, pins no group under the minimum within one respondent.
Figures of other questions count subsets of these people (those who did not answer
"vet ikke") and are left out; leaving figures out only makes the judge weaker, never
wrong.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable

from hypothesis import example, given, settings
from hypothesis import strategies as st

from survey.accounts import Account
from survey.errors import InvalidInput
from survey.operations.results import declare_breakdowns, make_report, round_page, scores
from survey.report.content import Report
from survey.report.dimensions import DIMENSION_NAMES
from survey.scoring.suppression import ALL, COMPLEMENT, SMALL
from survey.storage import open_database
from survey.storage.snapshots import members_of
from tests.confidentiality.conftest import add_answers, round_of_answers
from tests.scoring.oracle import Limit, leaks, reason

K = 3
ROLES = ("ordforer", "radmann")
UNITS = ("Kommune A", "Kommune B")
CELLS = [(role, unit) for role in ROLES for unit in UNITS]
BREAKDOWNS = [("role",), ("unit",), ("role", "unit")]
ANALYST = Account(98, "analytiker@ks.no", "analyst", ())
ADMIN = Account(99, "admin@ks.no", "admin", ())

counts = st.fixed_dictionaries({cell: st.sampled_from([0, 1, 2, 3, 4, 6]) for cell in CELLS})
breakdowns = st.sampled_from([(), *BREAKDOWNS])
units = st.sampled_from([None, *UNITS])
reports = st.one_of(  # (step, round, by, unit, compared with round 1)
    st.tuples(st.just("report"), st.sampled_from([1, 2]), breakdowns, units, st.just(False)),
    st.tuples(st.just("report"), st.just(2), breakdowns, units, st.just(True)),
)
pages = st.tuples(st.just("page"), st.sampled_from([1, 2]), units)  # (step, round, unit)
tables = st.tuples(st.just("scores"), st.sampled_from([1, 2]), breakdowns)  # `survey scores`
arrivals = st.tuples(
    st.just("arrive"),
    st.sampled_from([1, 2]),
    st.fixed_dictionaries({cell: st.sampled_from([0, 0, 1, 2, 3]) for cell in CELLS}),
)
declared = st.one_of(  # mostly every breakdown, so that most reports are made
    st.none(),  # none declared: the default, which for these rounds is every breakdown
    st.just(BREAKDOWNS),
    st.lists(st.sampled_from(BREAKDOWNS), min_size=1, max_size=3, unique=True),
)


class Judged:
    """One round as the judge sees it: who was counted by each snapshot a report used,
    and every figure its reports printed, as the respondents they count."""

    def __init__(self, db, round_id: int) -> None:
        self.db, self.round_id = db, round_id
        self.used: list[int] = []  # the snapshots reports used, in order
        self.snapshots: list[set[int]] = []  # and the responses each counted
        self.figures: list[tuple[int, dict[str, str], float]] = []  # (snapshot, group, n)
        self.means: list[tuple[int, dict[str, str]]] = []  # a mean's group, its n unprinted
        self.limits: list[tuple[int, dict[str, str], float, float]] = []
        self.invited: list[tuple[int, dict[str, str], float]] = []  # numbers invited shown

    def snapshot(self) -> int:
        """The position, among those used, of the snapshot the round's latest release
        (a report just made) was of, as its ledger names it."""
        (taken,) = self.db.execute(
            "SELECT snapshot_id FROM releases WHERE round_id = ? ORDER BY id DESC LIMIT 1",
            [self.round_id],
        ).fetchone()
        if taken not in self.used:
            members = set(members_of(self.db, taken))
            assert not self.snapshots or self.snapshots[-1] <= members, "nobody withdrew"
            self.used.append(taken)
            self.snapshots.append(members)
        return self.used.index(taken)

    def judged(self) -> list:
        """Every group under the minimum the figures pin (the judge's findings)."""
        cell_of = {
            response: (role, unit)
            for response, role, unit in self.db.execute(
                "SELECT id, role, unit FROM responses WHERE round_id = ?", [self.round_id]
            )
        }
        entered = {  # those no report counted are left out: nothing printed holds them
            r: min(p for p, m in enumerate(self.snapshots) if r in m)
            for r in cell_of
            if any(r in m for m in self.snapshots)
        }
        cells = [(*cell, p) for cell in CELLS for p in range(len(self.snapshots))]
        people = Counter((*cell_of[r], p) for r, p in entered.items())
        counts = {cell: people.get(cell, 0) for cell in cells}

        def members(at: int, group: dict[str, str]) -> list[Hashable]:
            return [
                (role, unit, p)
                for role, unit, p in cells
                if p <= at and all({"role": role, "unit": unit}[d] == v for d, v in group.items())
            ]

        figures = [members(at, group) for at, group, _ in self.figures]
        for (_, _, n), cells_of in zip(self.figures, figures, strict=True):
            assert sum(counts[c] for c in cells_of) == n, "the judge counts as the report"
        figures += [members(at, group) for at, group in self.means]  # n known elsewhere
        limits: list[Limit] = [(members(at, g), low, high) for at, g, low, high in self.limits]
        if not self.invited:
            return leaks(counts, figures, K, limits=limits)
        headcounts: list[Limit] = [(members(at, g), 0, n) for at, g, n in self.invited]
        invited = dict.fromkeys(cells, 0) | {
            (role, unit, 0): n
            for role, unit, n in self.db.execute(
                "SELECT role, unit, COUNT(*) FROM invitations WHERE round_id = ? "
                "GROUP BY role, unit",
                [self.round_id],
            )
        }
        # one more than were invited is no possibility to rule out; and, the policy
        # (docs/confidentiality.md), a group where everyone invited answered is judged
        # without the numbers invited: pinned by them, it is participation. So is such a
        # group with others where nobody answered (at least its count answered: the same)
        found = leaks(counts, figures, K, upper=invited, limits=[*limits, *headcounts])
        plain = {f[0] for f in leaks(counts, figures, K, limits=limits)} if found else set()
        return [
            f for f in found if f[0] in plain or sum(invited[c] for c in f[0] if counts[c]) != f[1]
        ]


def read_rates(tables: list, within: dict[str, str], now: Judged) -> None:
    """What a round page printed of its response rates: answered per group (a count) and
    invited (a bound); a hidden rate says "skjult", no reason."""
    at = now.snapshot()
    for name, rows in tables:
        for row in rows:
            group = within | ({name: str(row[name])} if row[name] != ALL else {})
            now.invited.append((at, group, row["invited"]))
            if not row["suppressed"]:
                now.figures.append((at, group, row["answered"]))


def read_scores(table, by: tuple[str, ...], now: Judged) -> None:
    """What `survey scores` printed of q5's counts (it gives no reasons)."""
    at = now.snapshot()
    for _, row in table[(table["item"] == "q5") & ~table["suppressed"]].iterrows():
        group = {d: str(row[d]) for d in by if row[d] != ALL}
        now.figures.append((at, group, float(row["n"])))


def read(report: Report, by: tuple[str, ...], unit: str | None, now: Judged, then: Judged | None):
    """What ``report`` printed of q5's counts, into the rounds' judges."""
    within = {"unit": unit} if unit else {}
    at = now.snapshot()
    if report.total_rate is None and report.respondents_shown:
        now.figures.append((at, within, float(report.respondents)))
    for shown_as, rows in report.rates:
        name = {shown: name for name, shown in DIMENSION_NAMES.items()}.get(shown_as, shown_as)
        for rate in rows:
            shown = zip([name], rate.group.key, strict=False)  # ("", ()): the total alone
            group = within | {n: str(value) for n, value in shown if value != ALL}
            now.invited.append((at, group, rate.invited))  # answered of those invited
            if rate.answered is not None:
                now.figures.append((at, group, rate.answered))
            elif rate.hidden in (SMALL, COMPLEMENT):
                _, low, high = reason((), rate.hidden == SMALL, K)
                now.limits.append((at, group, low, high))
    for row in (row for row in report.summary if row.id == "q5"):  # the summary's means
        for shown, mean in zip(report.summary_groups, row.cells, strict=True):
            if mean is not None:  # read as its group's count: the rates or another report
                key = zip(report.summary_by, shown.key, strict=False)  # print that count
                now.means.append((at, within | {d: str(v) for d, v in key if v != ALL}))
    for page in report.pages:
        for question in page.questions:
            for item in question.items:
                if item.id != "q5":
                    continue
                for row in item.rows:
                    group = within | {
                        d: str(v) for d, v in zip(by, row.group.key, strict=False) if v != ALL
                    }
                    if row.n is not None:
                        now.figures.append((at, group, row.n))
                    elif row.hidden in (SMALL, COMPLEMENT):  # a reason, as the words say
                        _, low, high = reason((), row.hidden == SMALL, K)
                        now.limits.append((at, group, low, high))
                    if row.change is not None:  # not printed, but the change gives it back
                        assert then is not None and row.change_n
                        then.figures.append((then.snapshot(), group, row.change_n))


RATES_LEAK = {  # in this order: the answers drawn follow it
    ("ordforer", "Kommune A"): 1,
    ("radmann", "Kommune A"): 1,
    ("ordforer", "Kommune B"): 2,
    ("radmann", "Kommune B"): 3,
}
"""Round 2 of the rates-beside-tables leak: k = 3, one more invited in every cell."""

ONE_SILENT = dict.fromkeys(CELLS, 1)
"""One more invited in every cell, who never answers."""


@settings(max_examples=150, deadline=None)
@example(  # a table beside its numbers invited: Kommune A's 5 of 5, so B's 2 of 3 ≥ 7 - 5
    first=dict.fromkeys(CELLS, 0),
    second={
        ("ordforer", "Kommune A"): 5,
        ("radmann", "Kommune A"): 0,
        ("ordforer", "Kommune B"): 2,
        ("radmann", "Kommune B"): 0,
    },
    declared_1=BREAKDOWNS,
    declared_2=BREAKDOWNS,
    steps=[("report", 2, ("unit",), None, False)],
    invited={**dict.fromkeys(CELLS, 0), ("ordforer", "Kommune B"): 1},
)
@example(  # everyone in Kommune B's rådmenn answered (2 of 2), so the total's other 1 did
    first=dict.fromkeys(CELLS, 0),
    second={
        ("ordforer", "Kommune A"): 0,
        ("radmann", "Kommune A"): 1,
        ("ordforer", "Kommune B"): 0,
        ("radmann", "Kommune B"): 2,
    },
    declared_1=None,
    declared_2=None,
    steps=[("report", 2, (), None, True)],
    invited={**dict.fromkeys(CELLS, 1), ("radmann", "Kommune B"): 0},
)
@example(  # rates beside tables: Kommune A's two answered at least 7 - 5 = 2
    first=dict.fromkeys(CELLS, 0),
    second=RATES_LEAK,
    declared_1=BREAKDOWNS,
    declared_2=BREAKDOWNS,
    steps=[("report", 2, (), "Kommune B", True), ("report", 2, ("role",), None, True)],
    invited=ONE_SILENT,
)
@example(  # the same two reports the other way round: each audit must read the other's
    first=dict.fromkeys(CELLS, 0),
    second=RATES_LEAK,
    declared_1=BREAKDOWNS,
    declared_2=BREAKDOWNS,
    steps=[("report", 2, ("role",), None, True), ("report", 2, (), "Kommune B", True)],
    invited=ONE_SILENT,
)
@example(  # a round page's response rates, then `survey scores`, which shows no rates
    first={
        ("ordforer", "Kommune A"): 3,
        ("ordforer", "Kommune B"): 0,
        ("radmann", "Kommune A"): 1,
        ("radmann", "Kommune B"): 3,
    },
    second=dict.fromkeys(CELLS, 0),
    declared_1=None,
    declared_2=None,
    steps=[("page", 1, None), ("scores", 1, ("role",))],
    invited=ONE_SILENT,
)
@given(
    first=counts,
    second=counts,
    declared_1=declared,
    declared_2=declared,
    steps=st.lists(st.one_of(reports, reports, arrivals, pages, tables), min_size=2, max_size=5),
    invited=st.one_of(
        st.none(), st.fixed_dictionaries({cell: st.sampled_from([1, 0]) for cell in CELLS})
    ),
)
def test_no_sequence_of_releases_gives_a_small_group_away(
    tmp_path_factory, first, second, declared_1, declared_2, steps, invited
):
    """With ``invited``, everyone who answers was invited, with as many more per role and
    unit as it says (0 or 1) who never answer, so reports show response rates too
    (answered and invited per group); then nobody arrives later, and each invited count
    is read as a bound on the answers of its group."""
    db_path = str(tmp_path_factory.mktemp("releases") / "survey.sqlite3")
    ids = [round_of_answers(db_path, {}, K, seed=s)[0] for s in (1, 2)]
    for round_id, answers, seed in ((ids[0], first, 1), (ids[1], second, 2)):
        q5 = {c: [0] * n for c, n in answers.items()}
        add_answers(db_path, round_id, q5, seed, invited=invited)
    if invited is not None:
        steps = [step for step in steps if step[0] != "arrive"]
    db = open_database(db_path)
    for round_id, breakdowns in zip(ids, (declared_1, declared_2), strict=True):
        if breakdowns is not None:
            declare_breakdowns(db, ADMIN, round_id, breakdowns)
    offered = [declared_1 or BREAKDOWNS, declared_2 or BREAKDOWNS]
    judges = [Judged(db, round_id) for round_id in ids]
    for position, step in enumerate(steps):
        if step[0] == "arrive":
            _, which, answers = step
            batch = {c: [0] * n for c, n in answers.items()}
            add_answers(db_path, ids[which - 1], batch, seed=10 + position)
            continue
        if step[0] == "page":
            _, which, unit = step
            page = round_page(db, ANALYST, ids[which - 1], unit)
            read_rates(page.rates, {"unit": unit} if unit else {}, judges[which - 1])
            continue
        if step[0] == "scores":
            _, which, by = step
            names = tuple(n for n in ("role", "unit") if n in by)
            allowed = not names or names in offered[which - 1]
            try:
                table = scores(db, ANALYST, ids[which - 1], by)
            except InvalidInput:
                assert not allowed, f"round {which} refused scores by {by}"
                continue
            assert allowed, f"round {which} released scores by {by}, not declared"
            read_scores(table, by, judges[which - 1])
            continue
        _, which, by, unit, compared = step
        compare = ids[0] if which == 2 and compared else None
        asked = (*by, *(["unit"] if unit else []))
        names = tuple(n for n in ("role", "unit") if n in asked)
        rounds = {which, 1} if compare is not None else {which}  # a comparison releases both
        allowed = not names or all(names in offered[r - 1] for r in rounds)
        try:
            report = make_report(db, ANALYST, ids[which - 1], by, unit=unit, compare=compare)
        except InvalidInput:
            assert not allowed, f"round {which} refused {by} within {unit}"
            continue
        assert allowed, f"round {which} released {by} within {unit}, not declared"
        then = judges[0] if compare is not None else None
        read(report, by, unit, judges[which - 1], then)
    for which, judge in enumerate(judges, start=1):
        assert judge.judged() == [], f"round {which}"
    db.close()

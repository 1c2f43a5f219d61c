"""The disclosure auditor's cost: the 2009 national report with it and without it.

A national round of the 2009 evaluation (138 municipalities × 4 roles, in five cohorts;
"annet", the fifth role, is residual and enters no figure) is reported by each breakdown
a secretariat would declare. Each report is built twice in this run, with the auditor
(``scoring.audit`` behind every table) and with it switched off (line-by-line suppression
alone, the baseline), best of three; the difference is what the auditor adds. Also shown:
how many more cells it hides. Target (issue 14): the auditor adds at most 1 s to a report.

The harder case is printed too: 5,000 respondents scattered over 200 units × 4 roles
(about six per cell, so hundreds of small hidden cells per item) by role × unit.

Then the reports one after another as a secretariat reads them, each audited with the
groups every report before it released from the same snapshot (``scoring.linked``), and
a unit leader's report of one municipality after all of them: against the same report
audited alone, measured in the same run. This is how every report is made
(``operations.results.make_report`` always passes the round's ledger, empty or not), and
only here do the tables read the numbers invited as bounds (over cells split by every
invitation dimension), so its "added" column is what the auditor adds to a report as
made, the first one included; the first table measures the tables' own audit alone.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import replace
from pathlib import Path
from unittest import mock

from benchlib import (
    Figures,
    best_of,
    likert_questionnaire,
    main,
    population,
    respondent_list,
    say,
    table,
)

from survey.demo import national_2009_round
from survey.report.content import build_report
from survey.report.figures import report_figures
from survey.scoring import suppression
from survey.scoring.finest import released_before
from survey.scoring.likert import item_scores, likert_frame
from survey.scoring.linked import MEAN_ONLY
from survey.storage import open_database
from survey.storage.results import round_results

BREAKDOWNS = [["role"], ["pulje"], ["role", "pulje"], ["unit"], ["role", "unit"]]


def without_auditor():  # type: ignore[no-untyped-def]
    return mock.patch.object(suppression, "_audited", lambda *args: set())


def run(quick: bool) -> Figures:
    import survey.scoring.audit  # noqa: F401 - SciPy's import once, not in the first figure

    repeats = 1 if quick else 3
    with tempfile.TemporaryDirectory() as folder:
        db = open_database(Path(folder) / "national.sqlite3")
        round_ = national_2009_round(db, municipalities=40 if quick else 138, cohorts=5)
        results = round_results(db, round_.id)
        db.conn.close()
    rows = []
    figures: Figures = {}
    for by in BREAKDOWNS:
        audited_s, audited = best_of(repeats, lambda by=by: build_report(results, by))
        with without_auditor():
            lines_s, lines = best_of(repeats, lambda by=by: build_report(results, by))
        name = "×".join(by)
        added = audited_s - lines_s
        figures[name] = {
            "with_s": round(audited_s, 3),
            "without_s": round(lines_s, 3),
            "added_s": round(added, 3),
            "hidden_with": audited.suppressed_cells,
            "hidden_without": lines.suppressed_cells,
        }
        rows.append(
            [
                name,
                audited_s,
                lines_s,
                added,
                audited_s / lines_s,
                f"{lines.suppressed_cells} → {audited.suppressed_cells}",
            ]
        )
    say(f"2009 national round, {len(results.respondents):,} respondents, five cohorts")
    say(table(rows, ["breakdown", "with s", "without s", "added s", "ratio", "hidden cells"]))
    figures["max_added_s"] = round(max(f["added_s"] for f in figures.values()), 3)
    figures["linked"] = linked(results, repeats)
    figures["snapshots"] = across_snapshots(40 if quick else 138, 2 if quick else 6)

    if not quick:
        questionnaire = likert_questionnaire(20)
        people = respondent_list(population(5_000, 20))
        frame = likert_frame(questionnaire, people, ["role", "unit"])
        started = time.perf_counter()
        item_scores(questionnaire, frame, ["role", "unit"], 5)
        audited_s = time.perf_counter() - started
        with without_auditor():
            started = time.perf_counter()
            item_scores(questionnaire, frame, ["role", "unit"], 5)
            lines_s = time.perf_counter() - started
        say(
            f"5,000 respondents in 200 units × 4 roles by role × unit, 20 items: "
            f"{audited_s:.2f} s with the auditor, {lines_s:.2f} s without"
        )
        figures["scattered"] = {"with_s": round(audited_s, 3), "without_s": round(lines_s, 3)}
        figures["scattered_linked"] = scattered_linked(questionnaire, people)
    return figures


def linked(results, repeats: int) -> dict:  # type: ignore[no-untyped-def]
    """Each breakdown's report with everything released before it, then one unit's."""
    ledger: dict[str, list[dict[str, str]]] = {}
    rows = []
    found = {}
    unit = sorted({str(groups["unit"]) for groups, _ in results.respondents})[0]
    mine = replace(
        results, respondents=[r for r in results.respondents if r[0].get("unit") == unit]
    )
    steps = [(by, results, None) for by in BREAKDOWNS] + [(["role"], mine, {"unit": unit})]
    for by, of, within in steps:
        before = {m: list(groups) for m, groups in ledger.items()}

        def with_ledger(by=by, of=of, within=within, before=before):  # type: ignore[no-untyped-def]
            return build_report(
                of, by, within=within, released_before=before, respondents_all=results.respondents
            )

        linked_s, report = best_of(repeats, with_ledger)
        alone_s, alone = best_of(repeats, lambda by=by, of=of: build_report(of, by))
        figures = report_figures(report, by)
        counted = {(f.measure, f.group) for f in figures if f.statistic == "n"}
        for figure in figures:
            group = dict(((("unit", unit),) if within else ()) + figure.group)
            mean_only = figure.statistic == "mean" and (figure.measure, figure.group) not in counted
            measure = MEAN_ONLY + figure.measure if mean_only else figure.measure  # released_at
            if group not in ledger.setdefault(measure, []):
                ledger[measure].append(group)
        name = "×".join(by) + (f" in {unit}" if within else "")
        found[name] = {
            "linked_s": round(linked_s, 3),
            "alone_s": round(alone_s, 3),
            "added_s": round(linked_s - alone_s, 3),
        }
        rows.append(
            [
                name,
                linked_s,
                alone_s,
                linked_s - alone_s,
                f"{alone.suppressed_cells} → {report.suppressed_cells}",
            ]
        )
    say("The same reports one after another, each audited with those before it")
    say(table(rows, ["report", "linked s", "alone s", "added s", "hidden cells"]))
    found["max_added_s"] = round(max(f["added_s"] for f in found.values()), 3)
    return found


def scattered_linked(questionnaire, people) -> dict:  # type: ignore[no-untyped-def]
    """The hard case read by unit and then by role × unit, the second audited with the
    first (as one ledger), against the second alone."""
    frame = likert_frame(questionnaire, people, ["role", "unit"])
    released = released_before(questionnaire, {}, ["role", "unit"], people)
    item_scores(questionnaire, frame, ["unit"], 5, released)
    started = time.perf_counter()
    linked_table = item_scores(questionnaire, frame, ["role", "unit"], 5, released)
    linked_s = time.perf_counter() - started
    started = time.perf_counter()
    alone = item_scores(questionnaire, frame, ["role", "unit"], 5)
    alone_s = time.perf_counter() - started
    say(
        f"The same by role × unit after the report by unit: {linked_s:.2f} s audited with it, "
        f"{alone_s:.2f} s alone; hidden cells {int(alone['suppressed'].sum())} → "
        f"{int(linked_table['suppressed'].sum())}"
    )
    return {"linked_s": round(linked_s, 3), "alone_s": round(alone_s, 3)}


def across_snapshots(municipalities: int, steps: int) -> dict:  # type: ignore[no-untyped-def]
    """Reports by role, unit, role × unit and cohort from each snapshot, twelve answers
    changed between them; then the same four reports from the last snapshot audited with
    what every earlier snapshot released (paths through them) and without it."""
    import random

    from survey.operations import results as operations
    from survey.questionnaire.answers import Answer
    from survey.storage.invitations import list_invitations
    from survey.storage.questionnaires import questionnaire_of_version
    from survey.storage.responses import load_answers, response_for_invitation, save_answers
    from survey.storage.users import add_user

    def answer(db, round_, invitation, rng) -> None:  # type: ignore[no-untyped-def]
        """A respondent changes q5 (or answers it first), sent in."""
        questionnaire = questionnaire_of_version(db, round_.questionnaire_version_id)
        i = invitation
        response = response_for_invitation(db, round_.id, i.id, i.role, i.unit, i.attributes)
        answers = load_answers(db, questionnaire, response.id) | {"q5": Answer(rng.randint(1, 6))}
        save_answers(db, questionnaire, response, answers, page=1, role=i.role, submitting=True)

    with tempfile.TemporaryDirectory() as folder:
        db = open_database(Path(folder) / "snapshots.sqlite3")
        round_ = national_2009_round(db, municipalities=municipalities, cohorts=5)
        admin = add_user(db, "admin@bench.example.no", "et langt og godt passord", "admin")
        invitations = list_invitations(db, round_.id)
        rng = random.Random(1)
        for _ in range(steps):
            for by in BREAKDOWNS[:2] + BREAKDOWNS[3:]:
                operations.make_report(db, admin, round_.id, by)
            for invitation in rng.sample(invitations, 12):
                answer(db, round_, invitation, rng)
        asked = [
            operations.report_request(db, admin, round_.id, by)
            for by in BREAKDOWNS[:2] + BREAKDOWNS[3:]
        ]
        snapshot = asked[0].results.snapshot_id
        db.conn.close()
    earlier = len(asked[0].history.snapshots) - 1 if asked[0].history else 0
    started = time.perf_counter()
    linked_reports = [request.build() for request in asked]
    linked_s = time.perf_counter() - started
    started = time.perf_counter()
    alone = [replace(request, history=None).build() for request in asked]
    alone_s = time.perf_counter() - started
    hidden = sum(r.suppressed_cells for r in linked_reports) - sum(
        r.suppressed_cells for r in alone
    )
    say(
        f"Four reports from snapshot {snapshot} ({earlier} earlier released figures): "
        f"{linked_s:.2f} s audited with them, {alone_s:.2f} s without; "
        f"{hidden} more hidden cells"
    )
    return {"linked_s": round(linked_s, 3), "alone_s": round(alone_s, 3), "more_hidden": hidden}


if __name__ == "__main__":
    main("audit", run)

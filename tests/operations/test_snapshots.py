"""Snapshots in the operations layer: every release reads the round's current snapshot,
which moves only as far as the gate admits; versions stay as they were taken; a snapshot
and a release never pass each other unaudited (docs/confidentiality.md, attack 4)."""

from __future__ import annotations

import random

import pandas as pd
import pytest

from survey.demo import answers_2009, national_2009_round
from survey.invitation_list import Person
from survey.operations import results as results_ops
from survey.operations.results import make_report, round_page, scores
from survey.operations.rounds import close_round
from survey.operations.snapshots import current_snapshot, held_back
from survey.questionnaire.answers import Answer
from survey.storage.invitations import add_invitations, list_invitations
from survey.storage.questionnaires import questionnaire_of_version
from survey.storage.releases import list_releases, record_release, released_figures
from survey.storage.responses import save_answers
from survey.storage.snapshots import (
    StaleSnapshot,
    latest_snapshot,
    live_members,
    members_of,
    snapshot_respondents,
    store_snapshot,
)
from tests.confidentiality.conftest import add_project_leaders
from tests.web.test_secretariat import _answer as answer
from tests.web.test_secretariat import _response_of


def _change(edges, round_, email: str, item: str, code: str) -> None:
    """What a respondent's page save does: answer ``item`` with ``code``, sent in."""
    answer(edges.db, round_.id, email, item, code)


def test_a_snapshot_reads_as_it_was_taken_after_its_responses_change(edges):
    round_ = national_2009_round(edges.db, municipalities=6)
    taken = current_snapshot(edges.db, round_.id)
    questionnaire = questionnaire_of_version(edges.db, round_.questionnaire_version_id)
    before, first, last = snapshot_respondents(edges.db, questionnaire, taken.id)
    mayor = next(i for i in list_invitations(edges.db, round_.id) if i.role == "ordforer")
    edges.db.execute(
        "UPDATE answers SET code = 'ja_eksternt' WHERE item = 'q10' AND response_id = "
        "(SELECT id FROM responses WHERE invitation_id = ?)",
        [mayor.id],
    )
    edges.db.execute(
        "UPDATE responses SET revision = revision + 1 WHERE invitation_id = ?", [mayor.id]
    )
    assert snapshot_respondents(edges.db, questionnaire, taken.id) == (before, first, last)
    assert members_of(edges.db, taken.id) != live_members(edges.db, round_.id)


def test_versions_are_copied_once_and_a_stale_choice_is_refused(edges):
    round_ = national_2009_round(edges.db, municipalities=4)
    db = edges.db
    first = current_snapshot(db, round_.id)
    versions = edges.count("response_versions")
    answers = edges.count("version_answers")
    assert versions == len(live_members(db, round_.id)) > 0 and answers > versions
    live = live_members(db, round_.id)
    with pytest.raises(StaleSnapshot):  # another snapshot came first
        store_snapshot(db, round_.id, live, final=False, after=None, ledger=None)
    response_id = next(iter(live))
    db.execute("UPDATE responses SET revision = revision + 1 WHERE id = ?", [response_id])
    chosen = live_members(db, round_.id)
    db.execute("UPDATE responses SET revision = revision + 1 WHERE id = ?", [response_id])
    with pytest.raises(StaleSnapshot):  # the response changed again after it was chosen
        store_snapshot(db, round_.id, chosen, final=False, after=first.id, ledger=None)
    # An older version a snapshot already took can always be chosen again (held back).
    assert store_snapshot(db, round_.id, live, final=False, after=first.id, ledger=None)
    first = latest_snapshot(db, round_.id)
    second = store_snapshot(
        db, round_.id, live_members(db, round_.id), final=False, after=first.id, ledger=None
    )
    assert edges.count("response_versions") == versions + 1  # only the changed one
    assert edges.count("snapshots") == 3 and second.id != first.id
    with pytest.raises(StaleSnapshot):  # figures from a snapshot that is no longer the latest
        record_release(db, round_.id, "a", "report preview", [], None, 1, [], first.id)
    assert record_release(db, round_.id, "a", "report preview", [], None, 1, [], second.id)


def test_one_changed_answer_waits_and_closing_gives_the_final_snapshot(edges):
    round_ = national_2009_round(edges.db, municipalities=12)
    db = edges.db
    report = make_report(db, edges.admin, round_.id, ["role"])
    taken = latest_snapshot(db, round_.id)
    assert taken is not None and not report.final and report.as_of
    mayor = next(i.email for i in list_invitations(db, round_.id) if i.role == "ordforer")
    _change(edges, round_, mayor, "q10", "ja_eksternt")
    again = make_report(db, edges.admin, round_.id, ["role"])
    assert latest_snapshot(db, round_.id) == taken  # nothing admitted
    assert again.pages == report.pages and again.as_of == report.as_of
    assert held_back(db, round_.id, taken.id) == 1
    assert round_page(db, edges.admin, round_.id).held_back == 1

    close_round(db, edges.admin, round_.id, "test")
    final = make_report(db, edges.admin, round_.id, ["role"])
    closed = latest_snapshot(db, round_.id)
    assert closed is not None and closed.final and closed.id != taken.id and final.final
    assert members_of(db, closed.id) == members_of(db, taken.id)  # still held back
    assert final.pages == report.pages


def test_a_release_that_a_new_snapshot_overtook_is_made_again(edges, monkeypatch):
    """Between reading the snapshot and recording its figures, another request takes a
    newer one: the figures are made again from it, so the ledger never holds figures of a
    snapshot that the next one was not audited against."""
    round_ = national_2009_round(edges.db, municipalities=6)
    db = edges.db
    current_snapshot(db, round_.id)
    real = results_ops.report_figures
    calls = []

    def overtaken(report, by):
        calls.append(1)
        if len(calls) == 1:  # another request changes three answers and takes a snapshot
            for email in [i.email for i in list_invitations(db, round_.id)][:3]:
                _change(edges, round_, email, "q10", "ja_eksternt")
            current_snapshot(db, round_.id)
        return real(report, by)

    monkeypatch.setattr(results_ops, "report_figures", overtaken)
    make_report(db, edges.admin, round_.id, ["role"])
    assert len(calls) == 2
    (release,) = list_releases(db, round_.id)
    (snapshot_id,) = db.execute(
        "SELECT snapshot_id FROM releases WHERE id = ?", [release.id]
    ).fetchone()
    assert snapshot_id == latest_snapshot(db, round_.id).id


def test_saves_that_change_nothing_let_no_single_arrival_through(edges):
    """k - 1 project leaders save a page again unchanged and one more project leader sends
    in: with every save counted as a change, the group changed by k and the newcomer's
    answers were the difference between two `survey scores` (review of the first gate)."""
    round_ = national_2009_round(edges.db, municipalities=12, answer_rate=1.0)
    db, k = edges.db, round_.min_group_size
    before = scores(db, edges.admin, round_.id, ["role"])
    taken = latest_snapshot(db, round_.id)
    leaders = [i for i in list_invitations(db, round_.id) if i.role == "prosjektleder"]
    for invitation in leaders[: k - 1]:
        value = _response_of(db, round_.id, invitation.email)[2]["q10"].value
        answer(db, round_.id, invitation.email, "q10", value)  # saved again, unchanged
    add_project_leaders(str(edges.path), round_.id, [50.0], start=100)
    after = scores(db, edges.admin, round_.id, ["role"])
    newcomer = db.execute(
        "SELECT r.id FROM responses r JOIN invitations i ON i.id = r.invitation_id "
        "WHERE i.email = 'leder100@k100.kommune.no'"
    ).fetchone()[0]
    assert newcomer not in members_of(db, latest_snapshot(db, round_.id).id)
    assert newcomer not in members_of(db, taken.id)
    pd.testing.assert_frame_equal(after, before)


def test_response_rates_count_an_arrival_in_the_group_of_its_invitation(edges):
    """Someone invited as mayor answers as "annet" (the residual role, in no answer
    figure): the mayors' response rate still counts them, so their arrival alone is a
    change to it and waits (review of the first gate)."""
    round_ = national_2009_round(edges.db, municipalities=12)
    db = edges.db
    waiting = "ny.ordforer@kommune099.example.no"
    add_invitations(db, round_.id, [Person("Ny", waiting, "ordforer", "Kommune 099", {})])
    page = round_page(db, edges.admin, round_.id)
    answer(db, round_.id, waiting, "q1", "annet")
    again = round_page(db, edges.admin, round_.id)
    assert repr(again.rates) == repr(page.rates)  # (hidden counts are NaN)
    assert again.held_back == 1


def test_a_comparison_is_a_release_of_the_round_compared_with(edges):
    """A report compared with an earlier round shows each change, and the earlier round's
    mean is this round's minus the change: a release of the earlier round's figures, from
    its snapshot, which its next snapshot is audited against (review of the first gate)."""
    earlier = national_2009_round(edges.db, municipalities=12)
    later = national_2009_round(edges.db, name="Oppfølging", seed=2010, shift=0.3)
    report = make_report(edges.db, edges.admin, later.id, ["role"], compare=earlier.id)
    assert report.compared_with
    (release,) = list_releases(edges.db, earlier.id)
    (snapshot_id,) = edges.db.execute(
        "SELECT snapshot_id FROM releases WHERE id = ?", [release.id]
    ).fetchone()
    assert snapshot_id == latest_snapshot(edges.db, earlier.id).id
    means = {
        (measure, group): value
        for measure, group, statistic, value in released_figures(edges.db, release.id)
        if statistic == "mean"
    }
    assert len(means) > 20
    make_report(edges.db, edges.admin, earlier.id, ["role"])  # the earlier round's own
    own = list_releases(edges.db, earlier.id)[0]
    shown = {
        (measure, group): value
        for measure, group, statistic, value in released_figures(edges.db, own.id)
        if statistic == "mean"
    }
    common = means.keys() & shown.keys()
    assert len(common) > 20
    assert all(abs(means[key] - shown[key]) < 1e-9 for key in common)


def _q4_numbers(report) -> dict[str, tuple]:
    """q4's number table ("frikjøpt __ %"): group -> (n, mean)."""
    for page in report.pages:
        for question in page.questions:
            if question.id == "q4":
                return {row.group.label: (row.n, row.mean) for row in question.numbers}
    raise AssertionError("the report has no q4")


def test_a_changed_share_is_not_hidden_among_changed_choices(edges):
    """k - 1 project leaders switch q4 between two choices without a share (no change to
    its number figures) and one changes her share: counted as changes of one "q4", the
    group changed by k and her share was n × the change of the mean (second review)."""
    round_ = national_2009_round(edges.db, municipalities=30, answer_rate=1.0)
    db, k = edges.db, round_.min_group_size
    before = make_report(db, edges.admin, round_.id, ["role"])
    leaders = [i.email for i in list_invitations(db, round_.id) if i.role == "prosjektleder"]
    q4 = {email: _response_of(db, round_.id, email)[2]["q4"] for email in leaders}
    shared = next(e for e in leaders if q4[e].value == "frikjopt")
    others = [e for e in leaders if q4[e].value in ("ikke_frikjopt", "annet")][: k - 1]
    assert len(others) == k - 1

    def save(email: str, value: Answer) -> None:
        questionnaire, response, answers = _response_of(db, round_.id, email)
        pages = len(questionnaire.pages)
        answers = answers | {"q4": value}
        save_answers(
            db, questionnaire, response, answers, page=pages, role=response.role, submitting=True
        )

    for email in others:
        save(email, Answer("annet" if q4[email].value == "ikke_frikjopt" else "ikke_frikjopt"))
    share = q4[shared].details["frikjopt"]
    save(shared, Answer("frikjopt", {"frikjopt": 0.0 if share else 100.0}))
    after = make_report(db, edges.admin, round_.id, ["role"])
    assert _q4_numbers(after) == _q4_numbers(before)


def test_an_attribute_called_day_is_audited_like_any_other(edges):
    """An invitation list with a column "day" (a declared breakdown like pulje): the gate
    kept the answers' submission day under the same name, so releases by the attribute
    matched nothing and one changed answer passed (second review)."""
    round_ = national_2009_round(edges.db, municipalities=30, answer_rate=1.0)
    db, k = edges.db, round_.min_group_size
    for table in ("invitations", "responses"):
        db.execute(f"UPDATE {table} SET attributes = replace(attributes, '\"pulje\"', '\"day\"')")
    before = scores(db, edges.admin, round_.id, "day").set_index(["day", "item"])
    people = list_invitations(db, round_.id)
    first = [i for i in people if i.attributes["day"] == "1"][:1]
    second = [i for i in people if i.attributes["day"] == "2"][: k - 1]
    for invitation in first + second:
        value = _response_of(db, round_.id, invitation.email)[2]["q5"].value
        answer(db, round_.id, invitation.email, "q5", 1 if value != 1 else 6)
    after = scores(db, edges.admin, round_.id, "day").set_index(["day", "item"])
    pd.testing.assert_series_equal(after.loc[("1", "q5")], before.loc[("1", "q5")])


def test_an_arrival_without_a_number_is_no_change_to_the_numbers(edges):
    """Three project leaders arrive in Kommune B, one with "frikjøpt 100 %", two "ikke
    frikjøpt" (no number). Counted as three changes to q4's numbers, they let the one
    number through, and B's n and mean before and after gave it (found by review)."""
    from survey.questionnaire import load_file
    from survey.records import ImportedResponse
    from survey.storage.questionnaires import publish
    from survey.storage.responses import import_responses
    from survey.storage.rounds import create_round
    from tests.conftest import QUESTIONNAIRES

    loaded = load_file(QUESTIONNAIRES / "kvalitetskommune-2009.yaml")
    q = loaded.questionnaire
    publish(edges.db, loaded)
    round_id = create_round(edges.db, q.id, "Runde", min_group_size=3).id
    rng, rows = random.Random(1), iter(range(1, 100))

    def person(role: str, unit: str, q4: Answer | None = None) -> ImportedResponse:
        answers = answers_2009(q, role, rng) | ({"q4": q4} if q4 else {})
        row = next(rows)
        return ImportedResponse(row, answers, role, unit, source=f"t:{row}")

    def share(value: float) -> Answer:
        return Answer("frikjopt", {"frikjopt": value})

    first = [
        person("prosjektleder", u, share(20)) for u in ("Kommune A", "Kommune B") for _ in "abc"
    ]
    first += [person("ordforer", u) for u in ("Kommune A", "Kommune B") for _ in "abc"]
    import_responses(edges.db, q, round_id, first)

    def q4_of_b() -> tuple:
        report = make_report(edges.db, edges.admin, round_id, ["unit"])
        return next(
            (row.n, row.mean)
            for page in report.pages
            for question in page.questions
            if question.id == "q4"
            for row in question.numbers
            if row.group.label == "Kommune B"
        )

    before = q4_of_b()
    arriving = [share(100), Answer("ikke_frikjopt"), Answer("ikke_frikjopt")]
    import_responses(
        edges.db, q, round_id, [person("prosjektleder", "Kommune B", a) for a in arriving]
    )
    assert q4_of_b() == before  # the one number waits (the other two enter elsewhere)

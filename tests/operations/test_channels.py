"""One person, one response, whichever channel (issue 17): each response records how it
came in; a paper form for someone who answered on the web (or web answers after their
paper form) is held for the secretariat to choose, never overwritten; reminders skip those
whose paper form has arrived; answers by channel are suppressed like every count."""

from __future__ import annotations

import json
import re

from flask import request

from survey.invitation_list import Person
from survey.operations.responses import import_responses
from survey.operations.results import round_page
from survey.questionnaire.answers import Answer
from survey.storage import channels
from survey.storage import responses as store
from survey.storage.invitations import add_invitations, list_invitations
from survey.storage.mailings import recipients
from survey.storage.questionnaires import questionnaire_of_version
from survey.storage.rounds import create_round, get_round
from tests.web.conftest import csrf
from tests.web.test_answering import answer_all, post

HEADER = "email,q1,q5,q6,q7,q8,q9a,q9b,q10,q11a,q11b,q12,q13\n"


def form(email: str, q5: int) -> str:
    return f"{email},ordforer,{q5},4,4,4,4,ja,nei,nei,nei,4,4\n"


def invited(edges, people: int = 4, min_group_size: int = 5) -> tuple[int, list]:
    round_ = create_round(
        edges.db, "kvalitetskommune-2009", "Begge kanaler", min_group_size=min_group_size
    )
    add_invitations(
        edges.db,
        round_.id,
        [Person(f"P{i}", f"p{i}@ex.no", "ordforer", "Levanger", {}) for i in range(people)],
    )
    return round_.id, list_invitations(edges.db, round_.id)


def channel_of(edges, email: str) -> tuple[str, int]:
    """The response's channel and its q5 (the answer that counts)."""
    return edges.db.execute(
        "SELECT r.channel, a.number FROM responses r JOIN invitations i ON i.id = "
        "r.invitation_id LEFT JOIN answers a ON a.response_id = r.id AND a.item = 'q5' "
        "WHERE i.email = ?",
        [email],
    ).fetchone()


def q5_checked(client, token: str) -> list[str]:
    html = client.get(f"/s/{token}/side/3").get_data(as_text=True)
    return re.findall(r'<input[^>]*name="q5"[^>]*value="(\d)"[^>]*checked', html)


def choose(edges, client, round_id: int, keep: str) -> str:
    """The secretariat's choice on the round page, asked first, then confirmed."""
    page = client.get(f"/sekretariat/runder/{round_id}").get_data(as_text=True)
    assert "Svart både på nett og på papir (1)" in page
    (action,) = set(re.findall(r'action="(/sekretariat/runder/\d+/valg/\d+)"', page))
    token = csrf(page)
    asked = client.post(action, data={"csrf_token": token, "keep": keep})
    assert asked.status_code == 200
    html = asked.get_data(as_text=True)
    assert "tas vare på, men teller ikke og vises ikke for personen" in html
    done = client.post(action, data={"csrf_token": csrf(html), "keep": keep, "bekreft": "ja"})
    assert done.status_code == 302
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Valget er lagret." in page and "Svart både på nett og på papir" not in page
    again = client.post(action, data={"csrf_token": csrf(page), "keep": keep, "bekreft": "ja"})
    assert again.status_code == 404  # decided already: nothing changes
    return page


def test_each_route_records_its_channel(edges, tmp_path):
    round_id, (web, imported, typed, _) = invited(edges)
    answer_all(edges.app.test_client(), web.token, "ordforer")
    path = tmp_path / "svar.csv"
    path.write_text(HEADER + form(imported.email, 3))
    assert edges.cli("import-responses", str(round_id), str(path))[0] == 0
    import_responses(
        edges.db, edges.admin, round_id, (HEADER + form(typed.email, 2)).encode(), channel="paper"
    )
    assert [channel_of(edges, p.email) for p in (web, imported, typed)] == [
        ("web", 5),
        ("import", 3),
        ("paper", 2),
    ]


def test_a_paper_form_after_web_answers_is_held_and_can_be_chosen(edges, tmp_path):
    """On a9417a5 the import overwrote Kari's web answers without a word."""
    round_id, (kari, *_) = invited(edges)
    respondent = edges.app.test_client()
    answer_all(respondent, kari.token, "ordforer")  # q5 = 5 on the web
    path = tmp_path / "svar.csv"
    path.write_text(HEADER + form(kari.email, 2))
    status, output = edges.cli("import-responses", str(round_id), str(path))
    assert status == 0
    assert "1 of them answered on the web too: held until the secretariat chooses" in output
    assert channel_of(edges, kari.email) == ("web", 5)  # nothing overwritten
    assert q5_checked(respondent, kari.token) == ["5"]

    page = choose(edges, edges.web(), round_id, "held")  # the paper form counts
    assert channel_of(edges, kari.email) == ("import", 2)
    kept = edges.db.execute("SELECT channel, chosen, answers FROM held_responses").fetchall()
    assert [(c, chosen) for c, chosen, _ in kept] == [("web", "held")]
    assert '["q5", "", 5.0, null]' in kept[0][2]  # her web answers are kept, not lost
    assert "Svar lagt til side" not in page
    assert q5_checked(respondent, kari.token) == []  # she never sees the paper answers
    assert "response chosen" in [a for _, a, _ in edges.audit()]


def test_web_answers_after_the_paper_form_are_held_and_can_be_chosen(edges, tmp_path):
    round_id, (kari, *_) = invited(edges)
    import_responses(edges.db, edges.admin, round_id, (HEADER + form(kari.email, 2)).encode())
    respondent = edges.app.test_client()
    start = respondent.get(f"/s/{kari.token}").get_data(as_text=True)
    assert "Vi har fått svarskjemaet ditt på papir" in start
    assert q5_checked(respondent, kari.token) == []  # the paper answers are not shown
    answer_all(respondent, kari.token, "ordforer")  # q5 = 5, sent in
    assert channel_of(edges, kari.email) == ("import", 2)  # the paper form still counts
    assert q5_checked(respondent, kari.token) == ["5"]  # her own answers, as she left them
    assert kari.id not in [p.id for p in recipients(edges.db, round_id, "invitation")]

    choose(edges, edges.web(), round_id, "held")  # the web answers count
    assert channel_of(edges, kari.email) == ("web", 5)
    kept = edges.db.execute("SELECT channel, chosen FROM held_responses").fetchall()
    assert kept == [("import", "held")]  # the paper answers are kept beside it
    assert q5_checked(respondent, kari.token) == ["5"]


def paper_form_arriving_after_the_read(edges, monkeypatch, round_id: int, email: str) -> None:
    """Store ``email``'s paper form (q5 = 2) once, right after the web app has read which
    response a page of theirs is saved into and before it saves: the two requests
    interleaved deterministically, as a secretariat typing in forms could do at any time."""
    read = store.response_for_invitation
    arrived = []

    def read_then_paper_arrives(*args, **kwargs):
        response = read(*args, **kwargs)
        if request.method == "POST" and not arrived:
            arrived.append(
                import_responses(
                    edges.db,
                    edges.admin,
                    round_id,
                    (HEADER + form(email, 2)).encode(),
                    channel="paper",
                )
            )
        return response

    monkeypatch.setattr(store, "response_for_invitation", read_then_paper_arrives)


def test_a_paper_form_stored_between_a_pages_read_and_its_save_holds_the_web_answers(
    edges, monkeypatch
):
    """On 612656d the first page, read while Kari had no response, was saved into the paper
    form stored meanwhile: her web answer replaced the paper answers, q5 and all."""
    round_id, (kari, *_) = invited(edges)
    respondent = edges.app.test_client()
    paper_form_arriving_after_the_read(edges, monkeypatch, round_id, kari.email)
    post(respondent, f"/s/{kari.token}/side/1", {"q1": "ordforer", "action": "next"})
    assert channel_of(edges, kari.email) == ("paper", 2)  # the paper form, untouched
    answer_all(respondent, kari.token, "ordforer")  # q5 = 5, sent in
    assert channel_of(edges, kari.email) == ("paper", 2)
    assert q5_checked(respondent, kari.token) == ["5"]  # her own web answers, held
    held = edges.db.execute("SELECT channel, submitted, chosen FROM held_responses").fetchall()
    assert held == [("web", 1, None)]
    choose(edges, edges.web(), round_id, "held")  # a conflict like any other
    assert channel_of(edges, kari.email) == ("web", 5)


def test_a_choice_made_between_a_pages_read_and_its_save_holds_the_web_answers(edges):
    """The secretariat chose Kari's paper form while her web page was open: the page read
    her web response, and its save comes after the choice."""
    round_id, (kari, *_) = invited(edges)
    respondent = edges.app.test_client()
    post(respondent, f"/s/{kari.token}/side/1", {"q1": "ordforer", "action": "next"})
    import_responses(edges.db, edges.admin, round_id, (HEADER + form(kari.email, 2)).encode())
    (invitation_id, role, unit) = edges.db.execute(
        "SELECT id, role, unit FROM invitations WHERE email = ?", [kari.email]
    ).fetchone()
    stale = store.response_for_invitation(edges.db, round_id, invitation_id, role, unit, {})
    assert stale.stored and not stale.held  # her web response, as the page read it
    (conflict,) = channels.open_conflicts(edges.db, round_id)
    channels.choose(edges.db, round_id, conflict.id, "held", "admin@sekretariatet.no")
    questionnaire = questionnaire_of_version(
        edges.db, get_round(edges.db, round_id).questionnaire_version_id
    )
    store.save_answers(
        edges.db,
        questionnaire,
        stale,
        {"q1": Answer("ordforer"), "q5": Answer(6)},
        page=3,
        role="ordforer",
    )
    assert channel_of(edges, kari.email) == ("import", 2)  # the choice stands
    held = edges.db.execute(
        "SELECT channel, chosen, answers FROM held_responses ORDER BY id"
    ).fetchall()
    assert [(c, chosen) for c, chosen, _ in held] == [("web", "held"), ("web", None)]
    assert ["q5", "", 6, None] in json.loads(held[1][2])  # the page's answers, held again


def test_the_counted_response_can_be_kept(edges, tmp_path):
    round_id, (kari, *_) = invited(edges)
    answer_all(edges.app.test_client(), kari.token, "ordforer")
    import_responses(edges.db, edges.admin, round_id, (HEADER + form(kari.email, 2)).encode())
    choose(edges, edges.web(), round_id, "counted")
    assert channel_of(edges, kari.email) == ("web", 5)
    assert edges.db.execute("SELECT channel, chosen FROM held_responses").fetchall() == [
        ("import", "counted")
    ]


def test_reminders_skip_those_whose_paper_form_has_arrived(edges):
    round_id, people = invited(edges)
    edges.db.executemany(
        "INSERT INTO mailings (invitation_id, kind, sent_at) VALUES (?, 'invitation', "
        "'2009-11-02T08:00:00+00:00')",
        [(p.id,) for p in people],
    )
    started, arrived, answered, waiting = people
    post(edges.app.test_client(), f"/s/{started.token}/side/1", {"q1": "ordforer"})
    post(edges.app.test_client(), f"/s/{arrived.token}/side/1", {"q1": "ordforer"})
    forms = HEADER + form(arrived.email, 2) + form(answered.email, 3)
    import_responses(edges.db, edges.admin, round_id, forms.encode())
    reminded = [p.email for p in recipients(edges.db, round_id, "reminder")]
    assert reminded == [started.email, waiting.email]


def paper_round(edges, web: int, paper: int) -> int:
    round_id, people = invited(edges, people=web + paper + 4)
    for person in people[:web]:
        answer_all(edges.app.test_client(), person.token, "ordforer")
    forms = "".join(form(p.email, 3) for p in people[web : web + paper])
    import_responses(edges.db, edges.admin, round_id, (HEADER + forms).encode(), channel="paper")
    return round_id


def test_answers_by_channel_are_suppressed_for_small_groups(edges):
    round_id = paper_round(edges, web=6, paper=3)
    shown = {row["channel"]: row for row in round_page(edges.db, edges.admin, round_id).channels}
    assert shown["paper"]["suppressed"] and shown["paper"]["answered"] != shown["paper"]["answered"]
    # the web count would give the paper one away as the total less it: hidden too
    assert shown["web"]["suppressed"]
    assert not shown["*"]["suppressed"] and shown["*"]["answered"] == 9
    html = edges.web().get(f"/sekretariat/runder/{round_id}").get_data(as_text=True)
    table = html[html.index("<caption>Svar etter kanal</caption>") :]
    table = table[: table.index("</table>")]
    assert table.count("skjult") == 2 and ">9</td>" in table and "69&nbsp;%" in table
    released = edges.db.execute(
        "SELECT grp FROM released_figures WHERE grp LIKE '%channel%'"
    ).fetchall()
    assert released == []


def test_answers_by_channel_are_shown_for_groups_at_the_minimum(edges):
    round_id = paper_round(edges, web=6, paper=5)
    shown = {row["channel"]: row for row in round_page(edges.db, edges.admin, round_id).channels}
    assert (shown["web"]["answered"], shown["paper"]["answered"]) == (6, 5)
    assert round(shown["paper"]["share"], 3) == round(5 / 15, 3)
    assert not any(row["suppressed"] for row in shown.values())


def test_a_round_answered_only_on_the_web_shows_no_channel_table(edges):
    round_id, people = invited(edges, people=6)
    for person in people[:5]:
        answer_all(edges.app.test_client(), person.token, "ordforer")
    assert round_page(edges.db, edges.admin, round_id).channels == []
    html = edges.web().get(f"/sekretariat/runder/{round_id}").get_data(as_text=True)
    assert "Svar etter kanal" not in html

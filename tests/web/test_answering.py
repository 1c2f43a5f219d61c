"""Answering the 2009 questionnaire through the Flask test client, against a real SQLite file."""

from __future__ import annotations

import re

from survey.storage.mailings import invitation_statuses
from survey.storage.questionnaires import questionnaire_of_version
from survey.storage.responses import submitted_responses
from survey.storage.results import round_results
from survey.storage.rounds import get_round
from tests.web.conftest import csrf


def checked(html: str, input_id: str) -> bool:
    tag = re.search(rf'<input[^>]*\bid="{re.escape(input_id)}"[^>]*>', html)
    assert tag, f"no input {input_id}"
    return bool(re.search(r"\schecked\b", tag.group(0)))


LIKERT_P3 = {"q5": "5", "q6": "4", "q7": "3", "q8": "6", "q9a": "6", "q9b": "vet_ikke"}
P4 = {"q10": "ja_begge", "q11a": "nei", "q11b": "ja", "q12": "5", "q13": "5"}


def post(client, url, data):
    page = client.get(url)
    assert page.status_code == 200, page.get_data(as_text=True)[:300]
    return client.post(url, data={"csrf_token": csrf(page.get_data(as_text=True)), **data})


def answer_all(client, token, role_answer, leader_pages=None):
    base = f"/s/{token}"
    r = post(client, f"{base}/side/1", {"q1": role_answer, "action": "next"})
    if leader_pages:
        assert r.headers["Location"].endswith("/side/2")
        r = post(client, f"{base}/side/2", {**leader_pages, "action": "next"})
    assert r.headers["Location"].endswith("/side/3"), r.headers.get("Location")
    r = post(client, f"{base}/side/3", {**LIKERT_P3, "action": "next"})
    r = post(client, f"{base}/side/4", {**P4, "action": "next"})
    r = post(client, f"{base}/side/5", {"q14": "Godt samarbeid <b>takk</b>", "action": "next"})
    assert r.headers["Location"].endswith("/ferdig")
    return r


def stored(setup, email):
    return setup.rows(
        "SELECT a.item, a.code, a.number, a.text FROM answers a JOIN responses r "
        "ON r.id = a.response_id JOIN invitations i ON i.id = r.invitation_id "
        "WHERE i.email = ? ORDER BY a.item, a.code",
        email,
    )


def test_mayor_answers_everything_and_skips_project_leader_pages(setup):
    client = setup.app.test_client()
    token = setup.tokens["kari@levanger.kommune.no"]
    first = client.get(f"/s/{token}/side/1").get_data(as_text=True)
    assert checked(first, "q1")  # the invitation's role pre-fills the role question
    assert not checked(first, "q1-prosjektleder")
    answer_all(client, token, "ordforer")
    done = client.get(f"/s/{token}/ferdig").get_data(as_text=True)
    assert "Du er nå ferdig med spørreskjemaet! Takk for hjelpen!" in done
    assert stored(setup, "kari@levanger.kommune.no") == [
        ("q1", "ordforer", None, None),
        ("q10", "ja_begge", None, None),
        ("q11a", "nei", None, None),
        ("q11b", "ja", None, None),
        ("q12", "", 5.0, None),
        ("q13", "", 5.0, None),
        ("q14", "", None, "Godt samarbeid <b>takk</b>"),
        ("q5", "", 5.0, None),
        ("q6", "", 4.0, None),
        ("q7", "", 3.0, None),
        ("q8", "", 6.0, None),
        ("q9a", "", 6.0, None),
        ("q9b", "vet_ikke", None, None),
    ]
    assert setup.rows("SELECT role, unit, submitted FROM responses") == [
        ("ordforer", "Levanger", 1)
    ]


def test_project_leader_sees_and_answers_q2_to_q4(setup):
    client = setup.app.test_client()
    token = setup.tokens["ola@verdal.kommune.no"]
    answer_all(
        client,
        token,
        "prosjektleder",
        {
            "q2": "ja",
            "q2__ja": "Ny ordfører",
            "q3": ["skifte", "okt_frikjop"],
            "q4": "frikjopt",
            "q4__frikjopt": "50",
        },
    )
    rows = [r for r in stored(setup, "ola@verdal.kommune.no") if r[0] in ("q2", "q3", "q4")]
    assert rows == [
        ("q2", "ja", None, "Ny ordfører"),
        ("q3", "okt_frikjop", None, None),
        ("q3", "skifte", None, None),
        ("q4", "frikjopt", 50.0, None),
    ]


def test_mayor_cannot_reach_or_store_project_leader_questions(setup):
    client = setup.app.test_client()
    token = setup.tokens["kari@levanger.kommune.no"]
    post(client, f"/s/{token}/side/1", {"q1": "ordforer", "action": "next"})
    skipped = client.get(f"/s/{token}/side/2")
    assert skipped.status_code == 302 and skipped.headers["Location"].endswith("/side/3")
    # A forged post with a project-leader answer on page 3 stores nothing of it.
    post(client, f"/s/{token}/side/3", {**LIKERT_P3, "q2": "ja", "action": "next"})
    assert not [r for r in stored(setup, "kari@levanger.kommune.no") if r[0] == "q2"]


def test_validation_error_keeps_every_answer_and_links_to_fields(setup):
    client = setup.app.test_client()
    token = setup.tokens["ola@verdal.kommune.no"]
    post(client, f"/s/{token}/side/1", {"q1": "prosjektleder", "action": "next"})
    r = post(
        client,
        f"/s/{token}/side/2",
        {
            "q2": "ja",
            "q2__ja": "",
            "q3": ["skifte", "ingen_endringer"],
            "q4": "frikjopt",
            "q4__frikjopt": "120",
            "action": "next",
        },
    )
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    named = '<a href="#{}"><span class="question-name">{}</span> {}</a>'
    assert (
        named.format(
            "q2__ja",
            "Har det vært endringer/utskiftninger i styringsgruppa i programperioden?",
            "Skriv hva du mener med «Ja – spesifiser».",
        )
        in html
    )
    assert (
        named.format(
            "q3",
            "Har det vært endringer i prosjektlederstillingen i programperioden?",
            "«Ingen endringer» kan ikke kombineres med andre svar.",
        )
        in html
    )
    assert (
        named.format(
            "q4__frikjopt", "Grad av frikjøp av prosjektleder:", "Skriv et tall fra 0 til 100."
        )
        in html
    )
    assert checked(html, "q3") and checked(html, "q3-ingen_endringer")
    assert 'name="q4__frikjopt" value="120"' in html
    assert stored(setup, "ola@verdal.kommune.no") == [("q1", "prosjektleder", None, None)]


def test_changing_the_role_clears_answers_that_became_hidden(setup):
    client = setup.app.test_client()
    token = setup.tokens["ola@verdal.kommune.no"]
    post(client, f"/s/{token}/side/1", {"q1": "prosjektleder", "action": "next"})
    post(
        client,
        f"/s/{token}/side/2",
        {"q2": "nei", "q3": "ingen_endringer", "q4": "ikke_frikjopt", "action": "next"},
    )
    assert len(stored(setup, "ola@verdal.kommune.no")) == 4
    post(client, f"/s/{token}/side/1", {"q1": "tillitsvalgt", "action": "next"})
    assert stored(setup, "ola@verdal.kommune.no") == [("q1", "tillitsvalgt", None, None)]


def test_resume_where_they_left(setup):
    client = setup.app.test_client()
    token = setup.tokens["kari@levanger.kommune.no"]
    post(client, f"/s/{token}/side/1", {"q1": "ordforer", "action": "next"})
    post(client, f"/s/{token}/side/3", {**LIKERT_P3, "action": "next"})
    fresh = setup.app.test_client()  # a new browser, same link
    start = fresh.get(f"/s/{token}").get_data(as_text=True)
    assert f'href="/s/{token}/side/4">Fortsett der du slapp' in start
    page3 = fresh.get(f"/s/{token}/side/3").get_data(as_text=True)
    assert checked(page3, "q5-5") and not checked(page3, "q5-4")


def test_back_saves_without_complaining(setup):
    client = setup.app.test_client()
    token = setup.tokens["kari@levanger.kommune.no"]
    post(client, f"/s/{token}/side/1", {"q1": "ordforer", "action": "next"})
    r = post(client, f"/s/{token}/side/3", {"q5": "2", "action": "back"})
    assert r.status_code == 302 and r.headers["Location"].endswith("/side/1")
    assert ("q5", "", 2.0, None) in stored(setup, "kari@levanger.kommune.no")


def test_back_on_a_submitted_response_keeps_what_a_refused_change_would_blank(setup):
    client = setup.app.test_client()
    email = "kari@levanger.kommune.no"
    answer_all(client, setup.tokens[email], "ordforer")
    before = stored(setup, email)
    changed = {**LIKERT_P3, "q6": "2", "q8": "9", "action": "back"}  # q8 off the scale
    del changed["q5"]  # a required answer left out
    r = post(client, f"/s/{setup.tokens[email]}/side/3", changed)
    assert r.status_code == 302 and r.headers["Location"].endswith("/side/1")
    after = stored(setup, email)
    assert ("q5", "", 5.0, None) in after and ("q8", "", 6.0, None) in after  # kept
    assert ("q6", "", 2.0, None) in after  # the valid change is stored
    assert len(after) == len(before)
    assert setup.rows("SELECT submitted FROM responses") == [(1,)]


def counted(setup, email: str) -> tuple[str, int]:
    """The one response as the secretariat's pages and the results see it: the invitation's
    status, and how many responses the results and exports read."""
    db = setup.db()
    try:
        ((invitation_id,),) = setup.rows("SELECT id FROM invitations WHERE email = ?", email)
        status = invitation_statuses(db, setup.round_id)[invitation_id]
        version = get_round(db, setup.round_id).questionnaire_version_id
        exported = submitted_responses(db, questionnaire_of_version(db, version), setup.round_id)
        results = round_results(db, setup.round_id)
        assert len(results.respondents) == len(exported)
        assert sum(i[1] for i in results.invitations) == len(exported)  # answered
        return status, len(exported)
    finally:
        db.close()


def test_a_change_that_reveals_required_questions_reopens_a_submitted_response(setup):
    """The mayor, already submitted, says she is the project leader after all: pages 2's
    required questions now apply, so the response is unfinished until sent in again, and
    counts again once it is (an export of it must import again)."""
    client = setup.app.test_client()
    email = "kari@levanger.kommune.no"
    base = f"/s/{setup.tokens[email]}"
    answer_all(client, setup.tokens[email], "ordforer")
    submitted = "SELECT submitted, submitted_on IS NOT NULL FROM responses"
    first_sent = setup.rows("SELECT submitted_on FROM responses")

    r = post(client, f"{base}/side/1", {"q1": "prosjektleder", "action": "next"})
    assert r.headers["Location"].endswith("/side/2")
    assert setup.rows(submitted) == [(0, 1)]  # reopened, the first date kept
    assert ("q1", "prosjektleder", None, None) in stored(setup, email)  # nothing typed lost
    notice = "Svaret ditt må sendes inn på nytt"
    assert notice in client.get(f"{base}/side/2").get_data(as_text=True)
    assert "slik at flere spørsmål måtte" in client.get(base).get_data(as_text=True)
    assert client.get(f"{base}/ferdig").headers["Location"].endswith(base)
    assert counted(setup, email) == ("in progress", 0)  # not in rates, results or exports

    leader = {"q2": "nei", "q3": "ingen_endringer", "q4": "ikke_frikjopt", "action": "next"}
    assert post(client, f"{base}/side/2", leader).headers["Location"].endswith("/side/3")
    assert notice in client.get(f"{base}/side/3").get_data(as_text=True)
    for number in (3, 4):
        post(client, f"{base}/side/{number}", {"action": "next"})  # kept answers, resent
    r = post(client, f"{base}/side/5", {"q14": "", "action": "next"})
    assert r.headers["Location"].endswith("/ferdig")
    assert setup.rows(submitted) == [(1, 1)]
    assert counted(setup, email) == ("answered", 1)
    assert setup.rows("SELECT submitted_on FROM responses") == first_sent
    assert notice not in client.get(f"{base}/side/5").get_data(as_text=True)


def test_a_change_that_keeps_it_complete_leaves_a_response_submitted(setup):
    client = setup.app.test_client()
    email = "kari@levanger.kommune.no"
    answer_all(client, setup.tokens[email], "ordforer")
    r = post(client, f"/s/{setup.tokens[email]}/side/3", {**LIKERT_P3, "q6": "1", "action": "next"})
    assert r.headers["Location"].endswith("/side/4")
    assert ("q6", "", 1.0, None) in stored(setup, email)
    assert setup.rows("SELECT submitted FROM responses") == [(1,)]


def test_double_submit_stores_one_response(setup):
    client = setup.app.test_client()
    token = setup.tokens["kari@levanger.kommune.no"]
    answer_all(client, token, "ordforer")
    again = post(client, f"/s/{token}/side/5", {"q14": "", "action": "next"})
    assert again.headers["Location"].endswith("/ferdig")
    assert setup.rows("SELECT count(*), sum(submitted) FROM responses") == [(1, 1)]


def test_expired_csrf_token_keeps_the_answers(setup):
    client = setup.app.test_client()
    token = setup.tokens["kari@levanger.kommune.no"]
    post(client, f"/s/{token}/side/1", {"q1": "ordforer", "action": "next"})
    r = client.post(
        f"/s/{token}/side/3", data={**LIKERT_P3, "csrf_token": "stale", "action": "next"}
    )
    html = r.get_data(as_text=True)
    assert r.status_code == 400
    assert "Svarene du skrev står fortsatt her" in html
    assert checked(html, "q5-5") and checked(html, "q9b-vet_ikke")
    assert not [row for row in stored(setup, "kari@levanger.kommune.no") if row[0] == "q5"]


def test_unknown_token_and_closed_round_look_the_same(setup):
    from survey.storage.rounds import close_round

    client = setup.app.test_client()
    unknown = client.get("/s/not-a-real-token")
    db = setup.db()
    close_round(db, setup.round_id)
    db.close()
    closed = client.get(f"/s/{setup.tokens['kari@levanger.kommune.no']}")
    assert unknown.status_code == closed.status_code == 404
    assert unknown.get_data() == closed.get_data()
    assert b"Lenken virker ikke" in closed.get_data()


def test_respondent_pages_send_no_referrer(setup):
    r = setup.app.test_client().get(f"/s/{setup.tokens['kari@levanger.kommune.no']}")
    assert r.headers["Referrer-Policy"] == "no-referrer"
    assert r.headers["Cache-Control"] == "no-store"

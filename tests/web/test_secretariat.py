"""The secretariat's workspace through the test client: sign-in, who may open what, and
reports whose figures are the round's."""

from __future__ import annotations

import io
import os
import re
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from survey import create_app
from survey.demo import national_2009_round
from survey.invitation_list import Person
from survey.questionnaire.answers import Answer
from survey.storage import open_database
from survey.storage.invitations import add_invitations, list_invitations
from survey.storage.measures import add_measure
from survey.storage.questionnaires import questionnaire_of_version
from survey.storage.responses import load_answers, response_for_invitation, save_answers
from survey.storage.results import round_results
from survey.storage.rounds import get_round
from survey.storage.users import add_user, audit_entries
from tests.web.conftest import csrf, opened, query, write

PASSWORD = "et langt og godt passord"
ACCOUNTS = {
    "admin@sekretariatet.no": ("admin", ()),
    "analytiker@sekretariatet.no": ("analyst", ()),
    "leder@verdal.kommune.no": ("unit-leader", ("Kommune 002",)),
    "leder@to.kommune.no": ("unit-leader", ("Kommune 010", "Kommune 003")),
}


@pytest.fixture
def workspace(tmp_path, database):
    path = database
    db = open_database(path)
    round_ = national_2009_round(db, municipalities=12, answer_rate=1.0)
    for email, (role, units) in ACCOUNTS.items():
        add_user(db, email, PASSWORD, role, units)
    db.close()
    app = create_app({"DATABASE": str(path), "SECRET_KEY": "test", "TESTING": True})
    app.instance_path = str(tmp_path / "instance")
    return app, path, round_.id


def signed_in(app, email: str):
    client = app.test_client()
    page = client.get("/logg-inn")
    answer = client.post(
        "/logg-inn",
        data={
            "csrf_token": csrf(page.get_data(as_text=True)),
            "email": email,
            "password": PASSWORD,
        },
    )
    assert answer.status_code == 302, answer.get_data(as_text=True)
    return client


KINDS = {"secretariat.export": "csv"}  # other routes with <kind> take mail kinds


def build(rule, round_id: int) -> str:
    """A URL for the rule with plausible values for its arguments."""
    values = {
        "round_id": round_id,
        "name": "report.css",
        "version_id": 1,
        "measure_id": 1,
        "account_id": 1,
        "kind": KINDS.get(rule.endpoint, "invitation"),
    }
    return rule.build({k: values[k] for k in rule.arguments}, append_unknown=False)[1]


def secretariat_urls(app, round_id: int) -> list[tuple[str, str]]:
    """(method, url) of every secretariat route, found from the URL map."""
    urls = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith(("secretariat.", "manage.", "accounts.")):
            continue
        url = build(rule, round_id)
        urls.append(("POST" if "POST" in rule.methods else "GET", url))
    return urls


def test_every_secretariat_route_needs_sign_in(workspace):
    app, _, round_id = workspace
    urls = secretariat_urls(app, round_id)
    assert len(urls) >= 8
    client = app.test_client()
    for method, url in urls:
        response = client.open(url, method=method)
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/logg-inn?neste="), url


def test_the_page_to_come_back_to_after_sign_in_is_bounded(workspace):
    """Found by the fuzzing pass: the whole request went into the redirect's Location header,
    quoted, so a long query (20,000 characters) gave a 60 KB header, which proxies refuse
    and http.client would not even read. A long query is dropped; the page is kept."""
    app, _, round_id = workspace
    client = app.test_client()
    short = client.get(f"/sekretariat/runder/{round_id}/rapport?etter=unit")
    assert short.headers["Location"].endswith("/rapport?etter%3Dunit")
    long = client.get(f"/sekretariat/runder/{round_id}/rapport?etter=" + "å" * 20_000)
    assert long.status_code == 302
    assert len(long.headers["Location"]) < 4000
    assert long.headers["Location"] == f"/logg-inn?neste=/sekretariat/runder/{round_id}/rapport"


def test_lower_roles_get_403_on_every_route_above_them(workspace):
    app, path, round_id = workspace
    admin_only = {"secretariat.close", "secretariat.reopen", "secretariat.audit_log"}
    admin_only |= {"secretariat.export"}
    admin_only |= {e for e in app.view_functions if e.startswith(("manage.", "accounts."))}
    assert len(admin_only) >= 7
    for email in ("analytiker@sekretariatet.no", "leder@verdal.kommune.no"):
        client = signed_in(app, email)
        for rule in app.url_map.iter_rules():
            if rule.endpoint in admin_only:
                url = build(rule, round_id)
                method = "POST" if "POST" in rule.methods else "GET"
                assert client.open(url, method=method).status_code == 403, (email, url)
    with opened(path) as db:
        assert get_round(db, round_id).closed_at is None  # nothing changed


def test_a_unit_leader_cannot_read_another_unit_by_editing_the_url(workspace):
    app, _, round_id = workspace
    client = signed_in(app, "leder@verdal.kommune.no")
    own = client.get(f"/sekretariat/runder/{round_id}")
    assert own.status_code == 200 and "Kommune 002" in own.get_data(as_text=True)
    for url in (
        f"/sekretariat/runder/{round_id}?enhet=Kommune+001",
        f"/sekretariat/runder/{round_id}/rapport?enhet=Kommune+001",
        f"/sekretariat/runder/{round_id}/rapport.pdf?enhet=Kommune+001",
    ):
        assert client.get(url).status_code == 403, url


def test_a_leader_of_several_units_picks_one_and_sees_only_it(workspace):
    app, _, round_id = workspace
    client = signed_in(app, "leder@to.kommune.no")
    page = client.get(f"/sekretariat/runder/{round_id}").get_data(as_text=True)
    links = re.findall(r'href="([^"]*enhet=[^"]*)"', page)
    assert links == [
        f"/sekretariat/runder/{round_id}?enhet=Kommune+003",
        f"/sekretariat/runder/{round_id}?enhet=Kommune+010",
    ]
    chosen = client.get(links[1])
    assert chosen.status_code == 200
    assert "<h1>Evaluering 2009 (generert): Kommune 010</h1>" in chosen.get_data(as_text=True)
    assert client.get(f"/sekretariat/runder/{round_id}?enhet=Kommune+002").status_code == 403


def test_the_report_preview_works_under_the_content_security_policy(workspace):
    app, _, round_id = workspace
    client = signed_in(app, "analytiker@sekretariatet.no")
    preview = client.get(f"/sekretariat/runder/{round_id}/rapport")
    html = preview.get_data(as_text=True)
    assert "style-src 'self'" in preview.headers["Content-Security-Policy"]
    assert "<style" not in html and " style=" not in html  # the policy would block them
    sheets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)
    names = [sheet.rsplit("/", 1)[1].split("?")[0] for sheet in sheets]
    assert names == ["report.css", "charts.css", "report_preview.css"]  # the screen frame last
    for sheet in sheets:
        with client.get(sheet) as served:
            assert served.status_code == 200 and served.mimetype == "text/css"
    assert '<span class="w' in html  # the bars are there, sized by those sheets


def test_sign_in_failures_say_nothing_about_which_part_was_wrong(workspace):
    app, _, _ = workspace
    client = app.test_client()
    token = csrf(client.get("/logg-inn").get_data(as_text=True))
    for email in ("admin@sekretariatet.no", "ingen@sekretariatet.no"):
        answer = client.post(
            "/logg-inn", data={"csrf_token": token, "email": email, "password": "feil passord!!"}
        )
        assert answer.status_code == 401
        assert "Feil e-postadresse eller passord." in answer.get_data(as_text=True)
    no_csrf = client.post(
        "/logg-inn", data={"email": "admin@sekretariatet.no", "password": PASSWORD}
    )
    assert no_csrf.status_code == 200 and "session" not in no_csrf.headers.get("Set-Cookie", "")


def test_the_session_cookie_is_httponly_and_samesite_and_next_stays_on_site(workspace):
    app, _, _ = workspace
    client = app.test_client()
    token = csrf(client.get("/logg-inn").get_data(as_text=True))
    answer = client.post(
        "/logg-inn?neste=//evil.example.org/x",
        data={"csrf_token": token, "email": "admin@sekretariatet.no", "password": PASSWORD},
    )
    assert answer.headers["Location"] == "/sekretariat/"
    cookie = answer.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_an_admin_closes_and_reopens_a_round_and_it_is_audited(workspace):
    app, path, round_id = workspace
    client = signed_in(app, "admin@sekretariatet.no")
    page = client.get(f"/sekretariat/runder/{round_id}").get_data(as_text=True)
    assert client.post(f"/sekretariat/runder/{round_id}/lukk").status_code == 400  # no CSRF
    closed = client.post(
        f"/sekretariat/runder/{round_id}/lukk", data={"csrf_token": csrf(page), "bekreft": "ja"}
    )
    assert closed.status_code == 302
    db = open_database(path)
    assert get_round(db, round_id).closed_at is not None
    page = client.get(f"/sekretariat/runder/{round_id}").get_data(as_text=True)
    client.post(
        f"/sekretariat/runder/{round_id}/gjenapne", data={"csrf_token": csrf(page), "bekreft": "ja"}
    )
    assert get_round(db, round_id).closed_at is None
    actions = [(actor, action) for _, actor, action, _ in audit_entries(db)]
    assert ("admin@sekretariatet.no", "round closed") in actions
    assert ("admin@sekretariatet.no", "round reopened") in actions
    db.close()


def ready_report(client, url: str):
    """Reload as the browser does until the background rendering is done (bounded by time,
    generously: CI's machine may be busy with other work)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        response = client.get(url)
        if response.status_code != 202:
            assert response.status_code == 200, response.get_data(as_text=True)
            return response
        time.sleep(0.25)
    raise AssertionError("the report was not ready within 120 s")


def test_the_downloaded_report_holds_the_rounds_figures(workspace, tmp_path):
    app, path, round_id = workspace
    client = signed_in(app, "analytiker@sekretariatet.no")
    first = client.get(f"/sekretariat/runder/{round_id}/rapport.pdf")
    assert first.status_code == 202 and "Rapporten lages" in first.get_data(as_text=True)
    pdf = ready_report(client, f"/sekretariat/runder/{round_id}/rapport.pdf")
    assert pdf.data.startswith(b"%PDF")
    (tmp_path / "r.pdf").write_bytes(pdf.data)
    text = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "r.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    with opened(path) as db:
        results = round_results(db, round_id)
    q5 = [a["q5"].value for _, a in results.respondents]
    mean = f"{statistics.fmean(q5):.1f}".replace(".", ",")
    assert re.search(rf"^\s*Alle\s+{len(q5)}\s+{mean}\s", text, re.M)
    again = client.get(f"/sekretariat/runder/{round_id}/rapport.pdf")
    assert again.data == pdf.data  # served from the cache until answers change
    with opened(path) as db:
        entries = audit_entries(db)
    assert entries[0][1:3] == ("analytiker@sekretariatet.no", "report downloaded")


def test_a_unit_leader_records_measures_for_their_own_unit_only(workspace):
    app, path, round_id = workspace
    client = signed_in(app, "leder@verdal.kommune.no")
    page = client.get(f"/sekretariat/runder/{round_id}").get_data(as_text=True)
    assert "Indekser for Kommune 002" in page
    measure = {
        "csrf_token": csrf(page),
        "index": "vurdering_av_programmet",
        "what": "Felles samling om <b>nettverket</b>",
        "who": "Enhetsleder",
        "due": "2027-03-01",
    }
    own = client.post(f"/sekretariat/runder/{round_id}/tiltak?enhet=Kommune+002", data=measure)
    assert own.status_code == 302
    other = client.post(f"/sekretariat/runder/{round_id}/tiltak?enhet=Kommune+001", data=measure)
    assert other.status_code == 403
    analyst = signed_in(app, "analytiker@sekretariatet.no")
    page = analyst.get(f"/sekretariat/runder/{round_id}?enhet=Kommune+002").get_data(as_text=True)
    assert "Felles samling om &lt;b&gt;nettverket&lt;/b&gt;" in page  # escaped, and visible
    measure["csrf_token"] = csrf(page)
    refused = analyst.post(f"/sekretariat/runder/{round_id}/tiltak?enhet=Kommune+002", data=measure)
    assert refused.status_code == 403
    db = open_database(path)
    assert db.execute("SELECT unit, index_id, who, status FROM measures").fetchall() == [
        ("Kommune 002", "vurdering_av_programmet", "Enhetsleder", "planlagt")
    ]
    (measure_id,) = db.execute("SELECT id FROM measures").fetchone()
    by_analyst = analyst.post(
        f"/sekretariat/tiltak/{measure_id}/status",
        data={"csrf_token": measure["csrf_token"], "status": "gjennomført"},
    )
    assert by_analyst.status_code == 403
    page = client.get(f"/sekretariat/runder/{round_id}").get_data(as_text=True)
    client.post(
        f"/sekretariat/tiltak/{measure_id}/status",
        data={"csrf_token": csrf(page), "status": "gjennomført"},
    )
    assert db.execute("SELECT status FROM measures").fetchone() == ("gjennomført",)
    db.close()


def test_the_next_rounds_report_shows_the_measures_beside_the_index(workspace, tmp_path):
    _, path, first_id = workspace
    db = open_database(path)
    add_measure(
        db,
        first_id,
        "Kommune 002",
        "vurdering_av_programmet",
        "Nettverkssamling",
        "Rådmannen",
        date(2027, 3, 1),
        "leder@verdal.kommune.no",
    )
    later = national_2009_round(db, name="2010", municipalities=12, seed=5, shift=0.4)
    db.close()
    pdf = tmp_path / "r.pdf"
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "from survey.cli import main; main()",
            "report",
            str(later.id),
            "--compare",
            str(first_id),
            "-o",
            str(pdf),
        ],
        env={**os.environ, "SURVEY_DATABASE": str(path)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert re.search(r"Kommune 002\s+Vurdering av programmet\s+Nettverkssamling\s+Rådmannen", text)


def test_an_admin_exports_the_responses_as_csv_and_excel(workspace):
    app, path, round_id = workspace
    client = signed_in(app, "admin@sekretariatet.no")
    csv_file = client.get(f"/sekretariat/runder/{round_id}/svar.csv")
    assert csv_file.status_code == 200 and csv_file.data.startswith(b"\xef\xbb\xbf")
    lines = csv_file.data.decode("utf-8-sig").splitlines()
    [(answered,)] = query(path, "SELECT count(*) FROM responses WHERE submitted = 1")
    assert len(lines) == answered + 1 and lines[0].startswith("email,")
    book = load_workbook(io.BytesIO(client.get(f"/sekretariat/runder/{round_id}/svar.xlsx").data))
    assert book.sheetnames[-1] == "Kodebok" and book.worksheets[0].max_row == answered + 1


def _response_of(db, round_id: int, email: str):
    """The questionnaire, and the response of the person invited as ``email`` with its answers."""
    round_ = get_round(db, round_id)
    questionnaire = questionnaire_of_version(db, round_.questionnaire_version_id)
    (invitation,) = [i for i in list_invitations(db, round_id) if i.email == email]
    response = response_for_invitation(
        db, round_id, invitation.id, invitation.role, invitation.unit, invitation.attributes
    )
    return questionnaire, response, load_answers(db, questionnaire, response.id)


def _answer(db, round_id: int, email: str, item: str, code: str) -> None:
    """What a respondent's page save does: answer ``item`` with ``code`` (q1 is the role)."""
    questionnaire, response, answers = _response_of(db, round_id, email)
    role = code if item == "q1" else response.role
    answers = answers | {item: Answer(code)}
    save_answers(db, questionnaire, response, answers, page=1, role=role, submitting=True)


def test_the_cached_pdf_changes_with_everything_it_is_made_from_and_old_files_go(
    workspace, tmp_path
):
    app, path, round_id = workspace
    client = signed_in(app, "analytiker@sekretariatet.no")
    url = f"/sekretariat/runder/{round_id}/rapport.pdf"
    cache = Path(app.instance_path) / "reports"

    def report() -> tuple[str, list[str]]:
        pdf = ready_report(client, url)
        (tmp_path / "r.pdf").write_bytes(pdf.data)
        text = subprocess.run(
            ["pdftotext", "-layout", str(tmp_path / "r.pdf"), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        return " ".join(text.split()), sorted(p.name for p in cache.iterdir())

    def shown(text: str, pattern: str) -> tuple[str, ...]:
        found = re.search(pattern, text)
        assert found, pattern
        return found.groups()

    answered_q1 = r"Svarte (\d+) (\d+) (\d+) (\d+) (\d+) Kun prosjektleder"
    external = r"Ja – eksternt \d+ % \((\d+)\)"
    invited = r"Inviterte (\d+)"
    text, files = report()
    assert shown(text, answered_q1) == ("48", "12", "12", "12", "12")
    db = open_database(path)
    k = get_round(db, round_id).min_group_size  # fewer changes wait for more (snapshots)
    try:
        # k chief executives say they are the mayor: 12 + k mayors, 12 - k chief executives.
        chiefs = [i.email for i in list_invitations(db, round_id) if i.role == "radmann"]
        for email in chiefs[:k]:
            _answer(db, round_id, email, "q1", "ordforer")
        text_2, files_2 = report()
        assert shown(text_2, answered_q1) == ("48", str(12 + k), str(12 - k), "12", "12")
        # k union representatives change a choice (the count, sums and lengths stay).
        unions = [
            i.email
            for i in list_invitations(db, round_id)
            if i.role == "tillitsvalgt"
            and _response_of(db, round_id, i.email)[2]["q10"].value != "ja_eksternt"
        ]
        assert len(unions) >= k
        for email in unions[:k]:
            _answer(db, round_id, email, "q10", "ja_eksternt")
        text_3, files_3 = report()
        assert int(shown(text_3, external)[0]) == int(shown(text_2, external)[0]) + k
        # Someone more is invited: no answer changes at all.
        add_invitations(db, round_id, [Person("Ny", "ny@k.no", "ordforer", "Kommune 001", {})])
        text_4, files_4 = report()
        assert shown(text_4, invited) == ("49",) and shown(text_3, invited) == ("48",)
    finally:
        db.close()
    # One cached file at a time: each new one replaced the one before.
    names = [files, files_2, files_3, files_4]
    assert all(len(found) == 1 and found[0].endswith(".pdf") for found in names), names
    assert len({found[0] for found in names}) == 4


def test_the_page_that_waits_for_a_report_never_reloads_itself(workspace):
    """WCAG 2.2.1: the page says it is being made in a live region, its script asks a
    status address, and without scripts a button asks again for the same report (the same
    breakdown and unit); no meta refresh throws a screen reader back to the top."""
    app, _path, round_id = workspace
    client = signed_in(app, "analytiker@sekretariatet.no")
    url = f"/sekretariat/runder/{round_id}/rapport.pdf?etter=role"
    pending = client.get(url)
    html = pending.get_data(as_text=True)
    assert pending.status_code == 202
    assert "http-equiv" not in html and 'href=""' not in html
    assert re.search(r'role="status" aria-live="polite"', html)
    check = re.search(r'<form method="get" action="([^"]+)" data-check>(.*?)</form>', html, re.S)
    assert check and check.group(1) == f"/sekretariat/runder/{round_id}/rapport.pdf"
    assert '<input type="hidden" name="etter" value="role">' in check.group(2)
    assert "Sjekk om rapporten er klar" in check.group(2)
    status_url = re.search(r'data-status="([^"]+)"', html).group(1)
    states = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        answer = client.get(status_url)
        assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
        states.append(answer.get_json()["state"])
        if states[-1] != "running":
            break
        time.sleep(0.25)
    assert states[-1] == "ready", states
    assert ready_report(client, url).data.startswith(b"%PDF")
    # the status address answers only for a report file of that round, and only signed in
    other = status_url.replace(f"/runder/{round_id}/", f"/runder/{round_id + 1}/")
    assert client.get(other).status_code == 404
    assert client.get(status_url.rsplit("/", 1)[0] + "/..%2F..%2Fconfig").status_code == 404
    anonymous = app.test_client().get(status_url)
    assert anonymous.status_code in (302, 303) and "logg-inn" in anonymous.location


def test_answers_per_day_are_drawn_with_the_same_suppression_as_the_table(workspace):
    """Issue 16, defect 8: a chart of answers over time, with the round's suppression: a
    bar per shown day of its count, a hidden day without a height, and no running total
    (which would give a hidden day away as the difference of two totals)."""
    app, path, round_id = workspace
    write(  # answers over a week (2 to 6 November, by id), one day (the 9th) with only two
        path,
        "UPDATE responses SET submitted_on = CASE WHEN id IN (3, 7) "
        "THEN '2026-11-09' ELSE '2026-11-0' || (2 + id % 5) END",
    )
    page = signed_in(app, "admin@sekretariatet.no").get(f"/sekretariat/runder/{round_id}")
    html = page.get_data(as_text=True)
    table = html[html.index('aria-label="Svar per dag"') :]
    table = table[: table.index("</table>")]
    rows = re.findall(r'<th scope="row">([^<]+)</th><td class="num">([^<]+)</td>', table)
    chart = re.search(r'<svg class="day-chart".*?</svg>', html, re.S).group(0)
    bars = re.findall(
        r'<rect class="day" [^>]*height="([\d.]+)"><title>([^:]+): (\d+)</title>', chart
    )
    hidden = re.findall(r'<rect class="hidden-day" [^>]*><title>([^:]+): skjult</title>', chart)
    assert len(rows) == 6 and len(bars) + len(hidden) == len(rows)
    assert ("9. november 2026", "skjult") in rows and len(bars) >= 3
    assert {(day, n) for _, day, n in bars} == {(d, n) for d, n in rows if n != "skjult"}
    assert set(hidden) == {d for d, n in rows if n == "skjult"}
    top = max(int(n) for _, _, n in bars)
    for height, _day, n in bars:
        assert abs(float(height) - 100 * int(n) / top) < 1e-6


def test_the_report_preview_has_a_way_back_and_a_screen_layout(workspace):
    """Issue 16, defect 8: the HTML preview had no margins and no way back."""
    app, _path, round_id = workspace
    client = signed_in(app, "analytiker@sekretariatet.no")
    html = client.get(f"/sekretariat/runder/{round_id}/rapport?etter=unit").get_data(as_text=True)
    bar = re.search(r'<nav class="preview-bar"[^>]*>.*?</nav>', html, re.S).group(0)
    assert f'href="/sekretariat/runder/{round_id}">Tilbake til runden' in bar
    assert f'href="/sekretariat/runder/{round_id}/rapport.pdf?etter=unit">Last ned som PDF' in bar
    sheet = re.search(r'<link rel="stylesheet" href="(/static/report_preview\.css[^"]*)">', html)
    assert sheet and client.get(sheet.group(1)).status_code == 200
    assert html.index("report_preview.css") > html.index("report.css")  # it overrides on screen

"""Running a round in the browser's forms: the linter's and the invitation list's problems
are shown, nothing half-done is stored, and good input lands where the CLI would put it."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import Workbook

from survey import create_app
from survey.storage import open_database
from survey.storage.users import add_user
from tests.conftest import QUESTIONNAIRES
from tests.web.conftest import csrf, write
from tests.workbooks.test_workbooks import dimension_bomb, zip_bomb

PASSWORD = "et langt og godt passord"
BROKEN = b"""id: test
version: 1
title: Test
pages:
  - id: p1
    questions:
      - id: q1
        type: likert
        text: Hei
        scale: finnes_ikke
"""
PEOPLE = "name;email;role;unit;pulje\nKari;kari@a.no;ordforer;Levanger;1\nOla;ola@a.no;radmann;Verdal;2\n"


@pytest.fixture
def admin(database):
    path = database
    db = open_database(path)
    add_user(db, "admin@sekretariatet.no", PASSWORD, "admin")
    db.close()
    # the test client's requests come in on http://localhost: the links lead here
    app = create_app(
        {
            "DATABASE": str(path),
            "SECRET_KEY": "test",
            "TESTING": True,
            "BASE_URL": "http://localhost",
        }
    )
    client = app.test_client()
    token = csrf(client.get("/logg-inn").get_data(as_text=True))
    client.post(
        "/logg-inn",
        data={"csrf_token": token, "email": "admin@sekretariatet.no", "password": PASSWORD},
    )
    client.db_path = path
    return client


def rows(client, sql: str) -> list[tuple]:
    db = open_database(client.db_path)
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


def upload(client, url: str, name: str, data: bytes):
    token = csrf(client.get(url).get_data(as_text=True))
    return client.post(
        url,
        data={"csrf_token": token, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_a_broken_questionnaire_shows_its_problems_by_line_and_is_not_published(admin):
    answer = upload(admin, "/sekretariat/sporreskjema", "test.yaml", BROKEN)
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422 and "ikke publisert" in html
    assert 'id="linje-10" class="has-error"' in html and "finnes_ikke" in html
    assert rows(admin, "SELECT count(*) FROM questionnaire_versions") == [(0,)]


def test_a_problem_past_the_last_line_has_a_row_to_point_at(admin):
    """A file that ends inside a list: the problem is after the last line; the summary's
    link still leads to a row (issue 16, defect 6)."""
    text = BROKEN + b"      - id: q2\n        type: likert\n        text: [uavsluttet\n"
    html = upload(admin, "/sekretariat/sporreskjema", "test.yaml", text).get_data(as_text=True)
    targets = set(re.findall(r'<a href="#(linje-\d+)">', html))
    rows_shown = set(re.findall(r'<tr id="(linje-\d+)"', html))
    assert targets and targets <= rows_shown, targets - rows_shown
    last = max(int(t.removeprefix("linje-")) for t in targets)
    assert last > len(text.decode().splitlines())


def test_a_good_questionnaire_is_published_and_previewed_per_role(admin):
    data = (QUESTIONNAIRES / "kvalitetskommune-2009.yaml").read_bytes()
    answer = upload(admin, "/sekretariat/sporreskjema", "kvalitetskommune-2009.yaml", data)
    assert answer.status_code == 302
    preview = admin.get(answer.headers["Location"]).get_data(as_text=True)
    # q2 is for project leaders only: "nei" for the four other roles, "ja" for them
    q2_row = preview.split('<th scope="row">q2 ', 1)[1].split("</tr>", 1)[0]
    assert q2_row.count("<td>ja</td>") == 1 and q2_row.count("<td>nei</td>") == 4
    mayor = admin.get(answer.headers["Location"] + "?rolle=ordforer").get_data(as_text=True)
    assert "<strong>q5</strong>" in mayor and "<strong>q2</strong>" not in mayor
    assert rows(
        admin, "SELECT actor, action FROM audit_log WHERE action LIKE 'questionnaire%'"
    ) == [("admin@sekretariatet.no", "questionnaire published")]


def new_round(admin) -> int:
    data = (QUESTIONNAIRES / "kvalitetskommune-2009.yaml").read_bytes()
    upload(admin, "/sekretariat/sporreskjema", "k.yaml", data)
    token = csrf(admin.get("/sekretariat/runder/ny").get_data(as_text=True))
    answer = admin.post(
        "/sekretariat/runder/ny",
        data={
            "csrf_token": token,
            "questionnaire": "kvalitetskommune-2009",
            "name": "Evaluering 2009",
            "min_group_size": "5",
        },
    )
    assert answer.status_code == 302, answer.get_data(as_text=True)
    return rows(admin, "SELECT max(id) FROM rounds")[0][0]


def test_an_invitation_list_with_one_bad_row_invites_nobody(admin):
    round_id = new_round(admin)
    bad = PEOPLE + "Per;per@a.no;keiser;Verdal;2\n"
    answer = upload(admin, f"/sekretariat/runder/{round_id}/invitasjoner", "p.csv", bad.encode())
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422 and "Ingen ble invitert" in html and "rad 4" in html
    assert rows(admin, "SELECT count(*) FROM invitations") == [(0,)]


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_an_invitation_list_as_csv_or_excel_invites_everyone(admin, kind):
    round_id = new_round(admin)
    if kind == "xlsx":
        book = Workbook()
        for line in PEOPLE.splitlines():
            book.active.append(line.split(";"))
        buffer = io.BytesIO()
        book.save(buffer)
        data = buffer.getvalue()
    else:
        data = PEOPLE.encode("cp1252")
    url = f"/sekretariat/runder/{round_id}/invitasjoner"
    assert upload(admin, url, f"p.{kind}", data).status_code == 302
    stored = rows(admin, "SELECT email, role, unit, attributes FROM invitations ORDER BY id")
    assert stored == [
        ("kari@a.no", "ordforer", "Levanger", '{"pulje": "1"}'),
        ("ola@a.no", "radmann", "Verdal", '{"pulje": "2"}'),
    ]


def test_a_zip_bomb_is_refused_with_its_reason_and_a_dimension_bomb_read_as_its_cells(admin):
    round_id = new_round(admin)
    url = f"/sekretariat/runder/{round_id}/invitasjoner"
    refused = upload(admin, url, "liste.xlsx", zip_bomb())
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "Ingen ble invitert" in html
    assert "would unpack to 256 MB; the limit is 128 MB" in html
    assert rows(admin, "SELECT count(*) FROM invitations") == [(0,)]
    assert upload(admin, url, "liste.xlsx", dimension_bomb()).status_code == 302
    assert rows(admin, "SELECT email FROM invitations") == [("k@a.no",)]


def test_a_batch_the_page_does_not_wait_for_is_sent_by_a_worker_and_its_progress_shown(
    admin, tmp_path, monkeypatch
):
    """Mail leaves the web request: the send page queues the batch as a job and waits a
    few seconds (MAIL_WAIT) for it; past that, the invitations page says it is being sent
    and how far it is, and a worker (here none runs until the test starts one) sends it."""
    from survey.web import manage
    from survey.workers import local
    from survey.workers.loop import Worker

    config = admin.application.config
    config["MAIL_OUTBOX"] = str(tmp_path / "outbox")
    config["WORKERS"] = 0  # no worker in the web process: `survey worker` machines do it
    monkeypatch.setattr(manage, "MAIL_WAIT", 0.0)
    round_id = new_round(admin)
    url = f"/sekretariat/runder/{round_id}/invitasjoner"
    upload(admin, url, "p.csv", PEOPLE.encode())
    page = admin.get(url).get_data(as_text=True)
    sent = admin.post(
        f"/sekretariat/runder/{round_id}/send/invitation",
        data={"csrf_token": csrf(page), "bekreft": "ja"},
    )
    location = sent.headers["Location"]
    assert sent.status_code == 302 and re.search(r"\?utsending=\d+$", location), location
    waiting = admin.get(location).get_data(as_text=True)
    assert "E-postene sendes nå" in waiting and not (tmp_path / "outbox").exists()
    assert rows(admin, "SELECT kind, state FROM jobs") == [("mail-batch", "queued")]

    worker = Worker(
        local.setup_of(config, admin.application.instance_path),
        local.options_of(config, fresh_process=False),
    )
    assert worker.run(drain=True) == 1
    done = admin.get(location).get_data(as_text=True)
    assert "Sendt: 2." in done and "E-postene sendes nå" not in done
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 2
    assert rows(admin, "SELECT action, detail FROM audit_log WHERE action LIKE '%sent'") == [
        ("invitations sent", f"round {round_id}: 2 sent, 0 failed")
    ]
    other = admin.get(f"{url}?utsending=999999").get_data(as_text=True)  # no such job: no notice
    assert "E-postene sendes nå" not in other and "Sendt:" not in other


def test_invitations_and_reminders_go_to_the_outbox_and_reminders_skip_who_answered(
    admin, tmp_path
):
    from email import message_from_bytes, policy

    admin.application.config["MAIL_OUTBOX"] = str(tmp_path / "outbox")
    round_id = new_round(admin)
    url = f"/sekretariat/runder/{round_id}/invitasjoner"
    upload(admin, url, "p.csv", PEOPLE.encode())
    page = admin.get(url).get_data(as_text=True)
    assert "Send invitasjoner (2)" in page
    assert admin.post(f"/sekretariat/runder/{round_id}/send/invitation").status_code == 400
    asked = admin.post(
        f"/sekretariat/runder/{round_id}/send/invitation", data={"csrf_token": csrf(page)}
    )
    question = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "2 personer får invitasjonen" in question
    assert "Lenkene går til http://localhost, og den adressen fører hit." in question
    assert not (tmp_path / "outbox").exists()  # nothing sent before the answer
    sent = admin.post(
        f"/sekretariat/runder/{round_id}/send/invitation",
        data={"csrf_token": csrf(page), "bekreft": "ja"},
    )
    assert sent.status_code == 302 and "sendt=2/0" in sent.headers["Location"]
    mails = sorted((tmp_path / "outbox").glob("*.eml"))
    messages = [message_from_bytes(m.read_bytes(), policy=policy.default) for m in mails]
    tokens = dict(rows(admin, "SELECT email, token FROM invitations"))
    for message in messages:
        body = message.get_body().get_content()
        assert f"/s/{tokens[message['To'].addresses[0].addr_spec]}" in body
    write(  # Kari answers
        admin.db_path,
        "INSERT INTO responses (round_id, invitation_id, submitted, started_on) "
        "SELECT round_id, id, 1, '2026-11-23' FROM invitations WHERE email = 'kari@a.no'",
    )
    page = admin.get(url).get_data(as_text=True)
    assert "Send påminnelse til dem som ikke har svart (1)" in page and ">svart<" in page
    admin.post(
        f"/sekretariat/runder/{round_id}/send/reminder",
        data={"csrf_token": csrf(page), "bekreft": "ja"},
    )
    reminders = sorted(set((tmp_path / "outbox").glob("*.eml")) - set(mails))
    assert len(reminders) == 1
    reminder = message_from_bytes(reminders[0].read_bytes(), policy=policy.default)
    assert reminder["To"].addresses[0].addr_spec == "ola@a.no"
    page = admin.get(url).get_data(as_text=True)
    returned = admin.post(
        f"/sekretariat/runder/{round_id}/retur",
        data={"csrf_token": csrf(page), "email": "OLA@a.no"},
    )
    assert returned.status_code == 302
    page = admin.get(url).get_data(as_text=True)
    assert ">kom i retur<" in page and "(0)</button>" in page  # no one left to remind


def test_a_round_has_its_own_mail_text_but_never_one_without_the_link(admin, tmp_path):
    round_id = new_round(admin)
    url = f"/sekretariat/runder/{round_id}/epost/invitation"
    page = admin.get(url).get_data(as_text=True)
    assert "{{ link }}" in page  # the default text, ready to edit
    refused = admin.post(
        url, data={"csrf_token": csrf(page), "subject": "Hei", "body": "Ingen lenke her"}
    )
    assert refused.status_code == 422 and "link" in refused.get_data(as_text=True)
    body = "Hei {{ name }}, svar her: {{ link }}"
    saved = admin.post(url, data={"csrf_token": csrf(page), "subject": "Spørsmål", "body": body})
    assert saved.status_code == 302
    assert rows(admin, "SELECT kind, subject, body FROM mail_templates") == [
        ("invitation", "Spørsmål", body)
    ]


@pytest.mark.parametrize(
    ("case", "line", "column", "message"),
    [
        (
            "three_million_points",
            5,
            15,
            "skalaen 's' har 3\u00a0000\u00a0000 punkter, flere enn de 20 som er tillatt",
        ),
        (
            "five_thousand_digits",
            7,
            46,
            "et tall med 5000 sifre er lengre enn de 15 som er tillatt",
        ),
        (
            "nested_1000_deep",
            10,
            81,
            "show_if for spørsmålet 'q2': vilkåret har parenteser og 'not' inni hverandre i "
            "mer enn 32 nivåer",
        ),
    ],
)
def test_the_linter_lets_through_what_breaks_the_app_upload(admin, case, line, column, message):
    """Issue 15, item 7, through the form: published (the scale) or 500 (ValueError,
    RecursionError) before; now 422 with the linter's message at its line, nothing stored."""
    from markupsafe import escape

    from tests.questionnaire import test_linter_limits as hostile

    data = getattr(hostile, case.upper()).encode()
    answer = upload(admin, "/sekretariat/sporreskjema", "fiendtlig.yaml", data)
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422 and "ikke publisert" in html
    assert f"Linje {line}, kolonne {column}</a>: feil: {escape(message)}</li>" in html
    assert f'id="linje-{line}" class="has-error"' in html
    assert rows(admin, "SELECT count(*) FROM questionnaire_versions") == [(0,)]


# --- bokmål on the secretariat's pages (issue 16, defect 5) ---------------------------------


def test_the_linters_problems_are_shown_in_bokmal(admin):
    html = upload(admin, "/sekretariat/sporreskjema", "test.yaml", BROKEN).get_data(as_text=True)
    assert (
        "Linje 10, kolonne 16</a>: feil: ukjent skala &#39;finnes_ikke&#39; i spørsmålet "
        "&#39;q1&#39;</li>"
    ) in html
    assert "definer den under &#39;scales:&#39;; skalaer som er definert: (ingen er definert)" in (
        html
    )
    for english in ("unknown scale", "error:", "define it under", "defined scales", "none defined"):
        assert english not in html


def test_a_warning_is_called_advarsel(admin):
    text = BROKEN.replace(b"scale: finnes_ikke", b"scale: s") + (
        b"      - {id: q2, type: single_choice, text: B, choices: "
        b"[{code: x, label: X, exclusive: true}, {code: y, label: Y}]}\n"
        b"      - {id: q3, type: text}\n"
        b"scales:\n  s: {points: 6}\n"
    )
    html = upload(admin, "/sekretariat/sporreskjema", "test.yaml", text).get_data(as_text=True)
    assert "advarsel: &#39;exclusive&#39; har ingen virkning" in html
    assert "feil: spørsmålet &#39;q3&#39; mangler den obligatoriske nøkkelen &#39;text&#39;" in html
    assert "warning:" not in html and "has no effect" not in html


def test_invitation_list_problems_are_shown_in_bokmal(admin):
    round_id = new_round(admin)
    bad = "Navn;E-post;Rolle;Enhet\nKari;kari@a.no;keiser;Levanger\n;ola@a;ordforer;Verdal\n"
    answer = upload(admin, f"/sekretariat/runder/{round_id}/invitasjoner", "p.csv", bad.encode())
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert "<li>rad 2, kolonne rolle: ukjent rolle &#39;keiser&#39; (gyldige roller:" in html
    assert "<li>rad 3, kolonne navn: er tom</li>" in html
    assert (
        "<li>rad 3, kolonne e-post: &#39;ola@a&#39; kan ikke brukes: domenet &#39;a&#39; mangler punktum</li>"
        in html
    )
    for english in ("row 2", "unknown role", "valid roles", "is empty", "invalid email"):
        assert english not in html


def test_a_list_with_norwegian_headers_invites_everyone(admin):
    round_id = new_round(admin)
    people = (
        "Navn;E-post;Rolle;Enhet;Pulje\n"
        "Kari;kari@a.no;ordforer;Levanger;1\n"
        "Ola;ola@a.no;radmann;Verdal;2\n"
    )
    url = f"/sekretariat/runder/{round_id}/invitasjoner"
    assert upload(admin, url, "liste.csv", people.encode("cp1252")).status_code == 302
    assert rows(admin, "SELECT name, email, role, unit, attributes FROM invitations") == [
        ("Kari", "kari@a.no", "ordforer", "Levanger", '{"pulje": "1"}'),
        ("Ola", "ola@a.no", "radmann", "Verdal", '{"pulje": "2"}'),
    ]


@pytest.mark.parametrize(
    ("body", "norwegian", "english"),
    [
        (
            "Ingen lenke her",
            "Teksten til invitasjonen kan ikke brukes: teksten inneholder ikke alltid den "
            "personlige lenken",
            "does not always contain",
        ),
        (
            "Hei {{ navn }}: {{ link }}",
            "linje 1 i teksten: &#39;navn&#39; er ikke en variabel",
            "is not a variable",
        ),
    ],
)
def test_mail_text_problems_are_shown_in_bokmal(admin, body, norwegian, english):
    round_id = new_round(admin)
    url = f"/sekretariat/runder/{round_id}/epost/invitation"
    page = admin.get(url).get_data(as_text=True)
    refused = admin.post(url, data={"csrf_token": csrf(page), "subject": "Hei", "body": body})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and norwegian in html
    assert english not in html and "cannot be used" not in html


def test_wtforms_own_messages_are_in_bokmal(admin):
    new_round(admin)
    token = csrf(admin.get("/sekretariat/runder/ny").get_data(as_text=True))
    answer = admin.post(
        "/sekretariat/runder/ny",
        data={
            "csrf_token": token,
            "questionnaire": "finnes-ikke",
            "name": "Runde",
            "min_group_size": "5",
            "closes_on": "i morgen",
        },
    )
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert "Ikke et gyldig valg" in html and "Skriv datoen som år-måned-dag" in html
    assert "Not a valid choice" not in html and "Not a valid date" not in html


def test_a_round_from_a_preview_is_of_that_questionnaire(admin):
    """Issue 16, defect 8: "Opprett en runde" on a questionnaire's preview chooses it."""
    for name in ("kvalitetskommune-2009", "medarbeiderundersokelse"):
        data = (QUESTIONNAIRES / f"{name}.yaml").read_bytes()
        preview = upload(admin, "/sekretariat/sporreskjema", f"{name}.yaml", data)
    page = admin.get(preview.headers["Location"]).get_data(as_text=True)
    link = re.search(r'href="([^"]*runder/ny[^"]*)">Opprett en runde', page).group(1)
    form = admin.get(link.replace("&amp;", "&")).get_data(as_text=True)
    assert re.search(r'<option selected value="medarbeiderundersokelse">', form), form

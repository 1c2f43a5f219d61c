"""A round's settings in the browser, and state changes that ask first (issue 16, defects 1
and 2): a mistyped closing date neither kills a round nor goes unnoticed, and no batch of
mail leaves with links that lead nowhere."""

from __future__ import annotations

import socket
from datetime import date, datetime, timedelta

from survey import create_app
from survey.dates import norwegian_date
from survey.storage import open_database
from survey.storage.rounds import get_round
from tests.conftest import server_thread
from tests.web.conftest import csrf, write
from tests.web.test_manage import PEOPLE, admin, new_round, rows, upload  # noqa: F401

TODAY = date.today()


def settings_of(admin, round_id: int) -> tuple[str, str]:  # noqa: F811
    url = f"/sekretariat/runder/{round_id}/innstillinger"
    return url, admin.get(url).get_data(as_text=True)


def change(admin, round_id: int, **fields):  # noqa: F811
    url, page = settings_of(admin, round_id)
    values = {"name": "Evaluering 2009", "closes_on": "", "min_group_size": "5"} | fields
    return admin.post(url, data={"csrf_token": csrf(page), **values})


def the_round(admin, round_id: int):  # noqa: F811
    db = open_database(admin.db_path)
    try:
        return get_round(db, round_id)
    finally:
        db.close()


def test_a_closing_date_in_the_past_is_refused_with_the_form_kept(admin):  # noqa: F811
    new_round(admin)
    page = admin.get("/sekretariat/runder/ny").get_data(as_text=True)
    typo = TODAY - timedelta(days=365)  # 2025 for 2026, say
    answer = admin.post(
        "/sekretariat/runder/ny",
        data={
            "csrf_token": csrf(page),
            "questionnaire": "kvalitetskommune-2009",
            "name": "Runde med skrivefeil",
            "min_group_size": "5",
            "closes_on": typo.isoformat(),
        },
    )
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert f"Siste svardag kan ikke være før i dag ({norwegian_date(TODAY)})" in html
    assert f"Du skrev {norwegian_date(typo)}." in html
    assert 'value="Runde med skrivefeil"' in html
    assert rows(admin, "SELECT count(*) FROM rounds WHERE name = 'Runde med skrivefeil'") == [(0,)]
    garbled = admin.post(
        "/sekretariat/runder/ny",
        data={"csrf_token": csrf(page), "name": "X", "closes_on": "31.12.20266"},
    )
    assert "Skriv datoen som år-måned-dag" in garbled.get_data(as_text=True)
    assert "Not a valid date" not in garbled.get_data(as_text=True)


def test_a_round_closed_by_its_date_opens_again_with_a_new_date(admin):  # noqa: F811
    round_id = new_round(admin)
    write(  # as rounds made before this check were
        admin.db_path,
        "UPDATE rounds SET closes_on = ? WHERE id = ?",
        (TODAY - timedelta(days=3)).isoformat(),
        round_id,
    )
    page = admin.get(f"/sekretariat/runder/{round_id}").get_data(as_text=True)
    assert "lukket" in page and "Sett en ny siste svardag" in page
    assert "Åpne runden igjen" not in page  # a button that would leave it closed
    reopened = admin.post(
        f"/sekretariat/runder/{round_id}/gjenapne",
        data={"csrf_token": csrf(page), "bekreft": "ja"},
    )
    assert reopened.status_code == 409 and "Siste svardag" in reopened.get_data(as_text=True)
    assert "er passert" in reopened.get_data(as_text=True)

    later = TODAY + timedelta(days=14)
    assert change(admin, round_id, closes_on=later.isoformat()).status_code == 302
    assert the_round(admin, round_id).is_open()
    page = admin.get(f"/sekretariat/runder/{round_id}?lagret=1").get_data(as_text=True)
    assert "Innstillingene er lagret." in page and f"siste svardag {norwegian_date(later)}" in page
    entry = rows(admin, "SELECT detail FROM audit_log WHERE action = 'round settings changed'")
    assert entry == [
        (
            f"round {round_id}: closes on {(TODAY - timedelta(days=3)).isoformat()!r}"
            f" -> {later.isoformat()!r}",
        )
    ]


def test_the_minimum_group_size_is_lowered_only_before_anything_is_released(admin):  # noqa: F811
    round_id = new_round(admin)
    assert change(admin, round_id, min_group_size="3").status_code == 302
    assert the_round(admin, round_id).min_group_size == 3
    admin.get(f"/sekretariat/runder/{round_id}")  # the round page releases its figures
    assert change(admin, round_id, min_group_size="7").status_code == 302
    refused = change(admin, round_id, min_group_size="4")
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "kan bare økes (nå 7)" in html
    assert the_round(admin, round_id).min_group_size == 7
    out_of_range = change(admin, round_id, min_group_size="101", name="Nytt navn")
    assert "fra 3 til 100" in out_of_range.get_data(as_text=True)
    assert the_round(admin, round_id).name == "Evaluering 2009"  # nothing of a refused form


def test_closing_asks_first_and_keeps_the_reason(admin):  # noqa: F811
    round_id = new_round(admin)
    page = admin.get(f"/sekretariat/runder/{round_id}").get_data(as_text=True)
    asked = admin.post(f"/sekretariat/runder/{round_id}/lukk", data={"csrf_token": csrf(page)})
    question = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "Ja, lukk runden" in question
    assert the_round(admin, round_id).is_open()
    admin.post(
        f"/sekretariat/runder/{round_id}/lukk",
        data={"csrf_token": csrf(question), "bekreft": "ja", "begrunnelse": "Feil skjema"},
    )
    assert not the_round(admin, round_id).is_open()
    assert rows(admin, "SELECT detail FROM audit_log WHERE action = 'round closed'") == [
        (f"round {round_id}: Feil skjema",)
    ]


def test_mail_to_a_closed_round_is_refused_in_bokmal(admin):  # noqa: F811
    round_id = new_round(admin)
    url = f"/sekretariat/runder/{round_id}/invitasjoner"
    upload(admin, url, "p.csv", PEOPLE.encode())
    page = admin.get(f"/sekretariat/runder/{round_id}").get_data(as_text=True)
    admin.post(
        f"/sekretariat/runder/{round_id}/lukk", data={"csrf_token": csrf(page), "bekreft": "ja"}
    )
    refused = admin.post(
        f"/sekretariat/runder/{round_id}/send/invitation",
        data={"csrf_token": csrf(page), "bekreft": "ja"},
    )
    html = refused.get_data(as_text=True)
    assert refused.status_code == 409 and "Runden er lukket, så ingen kan svare." in html
    assert "reopen" not in html and "closed" not in html


def a_closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_no_mail_leaves_with_links_that_lead_nowhere(admin, tmp_path):  # noqa: F811
    """Served on another address than BASE_URL: the page says where the links would lead,
    and nothing is sent, confirmed or not (defect 1)."""
    app = admin.application
    app.config["MAIL_OUTBOX"] = str(tmp_path / "outbox")
    round_id = new_round(admin)
    url = f"/sekretariat/runder/{round_id}/invitasjoner"
    upload(admin, url, "p.csv", PEOPLE.encode())
    nowhere = f"http://127.0.0.1:{a_closed_port()}"
    app.config["BASE_URL"] = nowhere
    page = admin.get(url).get_data(as_text=True)
    for confirmed in ({}, {"bekreft": "ja"}):
        refused = admin.post(
            f"/sekretariat/runder/{round_id}/send/invitation",
            data={"csrf_token": csrf(page), **confirmed},
        )
        html = refused.get_data(as_text=True)
        assert refused.status_code == 409
        assert f"Lenkene ville gått til {nowhere}" in html and "http://localhost" in html
        assert "Ja, send" not in html
    assert not (tmp_path / "outbox").exists()
    assert rows(admin, "SELECT count(*) FROM mailings") == [(0,)]


def test_an_address_that_reaches_this_app_is_accepted_though_used_elsewhere(admin, tmp_path):  # noqa: F811
    """The secretariat works on one address (here the test client's http://localhost),
    the public one is another; a request to the public one is answered by this very
    installation, so the links will work."""
    app = admin.application
    app.config["MAIL_OUTBOX"] = str(tmp_path / "outbox")
    round_id = new_round(admin)
    url = f"/sekretariat/runder/{round_id}/invitasjoner"
    upload(admin, url, "p.csv", PEOPLE.encode())
    with server_thread(app) as public:
        app.config["BASE_URL"] = public
        page = admin.get(url).get_data(as_text=True)
        asked = admin.post(
            f"/sekretariat/runder/{round_id}/send/invitation", data={"csrf_token": csrf(page)}
        )
        assert f"Lenkene går til {public}, og den adressen fører hit." in asked.get_data(
            as_text=True
        )
        sent = admin.post(
            f"/sekretariat/runder/{round_id}/send/invitation",
            data={"csrf_token": csrf(page), "bekreft": "ja"},
        )
    assert sent.status_code == 302 and "sendt=2/0" in sent.headers["Location"]
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 2


def test_an_address_that_reaches_another_installation_is_refused(admin, tmp_path):  # noqa: F811
    app = admin.application
    app.config["MAIL_OUTBOX"] = str(tmp_path / "outbox")
    round_id = new_round(admin)
    url = f"/sekretariat/runder/{round_id}/invitasjoner"
    upload(admin, url, "p.csv", PEOPLE.encode())
    other = create_app(
        {"DATABASE": str(tmp_path / "other.sqlite3"), "SECRET_KEY": "another installation"}
    )
    with server_thread(other) as elsewhere:
        app.config["BASE_URL"] = elsewhere
        page = admin.get(url).get_data(as_text=True)
        refused = admin.post(
            f"/sekretariat/runder/{round_id}/send/invitation",
            data={"csrf_token": csrf(page), "bekreft": "ja"},
        )
    assert refused.status_code == 409 and f"Lenkene ville gått til {elsewhere}" in refused.get_data(
        as_text=True
    )
    assert not (tmp_path / "outbox").exists()


def test_a_reminder_reaches_nobody_twice_within_its_pause(admin, tmp_path):  # noqa: F811
    """Issue 16, defect 8: the page says when reminders were last sent, and pressing the
    button again (or a colleague doing it the same morning) reaches nobody twice."""
    app = admin.application
    app.config["MAIL_OUTBOX"] = str(tmp_path / "outbox")
    round_id = new_round(admin)
    url = f"/sekretariat/runder/{round_id}/invitasjoner"
    upload(admin, url, "p.csv", PEOPLE.encode())
    page = admin.get(url).get_data(as_text=True)
    assert "Påminnelser: ikke sendt ennå." in page
    send = {"csrf_token": csrf(page), "bekreft": "ja"}
    admin.post(f"/sekretariat/runder/{round_id}/send/invitation", data=send)
    admin.post(f"/sekretariat/runder/{round_id}/send/reminder", data=send)
    page = admin.get(url).get_data(as_text=True)
    assert "Påminnelser: sist sendt " in page and ", til 2." in page
    assert "Send påminnelse til dem som ikke har svart (0)" in page
    again = admin.post(f"/sekretariat/runder/{round_id}/send/reminder", data=send)
    assert "sendt=0/0" in again.headers["Location"]
    sent = "SELECT count(*) FROM mailings WHERE kind = 'reminder' AND error IS NULL"
    assert rows(admin, sent) == [(2,)]  # two people, once each
    for mailing, sent_at in rows(admin, "SELECT id, sent_at FROM mailings"):  # a day later
        earlier = datetime.fromisoformat(sent_at) - timedelta(hours=21)
        sent_at = earlier.isoformat(timespec="seconds")
        write(admin.db_path, "UPDATE mailings SET sent_at = ? WHERE id = ?", sent_at, mailing)
    page = admin.get(url).get_data(as_text=True)
    assert "Send påminnelse til dem som ikke har svart (2)" in page

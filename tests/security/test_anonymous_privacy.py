"""An anonymous round keeps no trace of who answered: no IP address, no browser, no time.

tests/web/test_anonymous.py checks the columns of the responses table by name; this test
looks at every value in every table after whole questionnaires have been submitted."""

from __future__ import annotations

import re

from survey import create_app
from survey.questionnaire import load_file
from survey.storage import open_database
from survey.storage.questionnaires import publish
from survey.storage.rounds import create_round
from tests.conftest import QUESTIONNAIRES
from tests.security.conftest import post_page

ADDRESS = "203.0.113.77"
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) Sporbar/9.8.7"
TIME_OF_DAY = re.compile(r"\d{1,2}:\d{2}|\d{4}-\d{2}-\d{2}[T ]\d")  # 14:03, ISO date-time

TOPICS = ("respekt", "informasjon", "tidspunkt", "tid", "kontinuitet", "faglig", "medvirkning")
RELATIVES = ("kontaktperson", "tar_kontakt", "tatt_med", "respekt")
PAGES = [
    {
        "hvem_svarer": "parorende",
        "alder": "ar_90_eller_eldre",
        "varighet": "over_3_ar",
        "tjenester": ["hjemmesykepleie", "trygghetsalarm"],
    },
    {f"f_{k}": "6" for k in (*TOPICS, "trygghet")},
    {f"l_{k}": "vet_ikke" if k == "tid" else "4" for k in (*TOPICS, "trygghet")},
    {"l_trygghetsalarm": "5"},
    {"l_helhet": "5"},
    {"utfylling": "sammen", **{f"p_{k}": "6" for k in RELATIVES}},
    {"kommentar": "Takk til nattevakten"},
]


def test_no_address_browser_or_time_of_day_is_stored(tmp_path):
    path = str(tmp_path / "anon.sqlite3")
    db = open_database(path)
    publish(db, load_file(QUESTIONNAIRES / "brukerundersokelse-hjemmetjeneste.yaml"))
    round_ = create_round(db, "brukerundersokelse-hjemmetjeneste", "Hjemme", anonymous=True)
    db.close()
    app = create_app({"DATABASE": path, "SECRET_KEY": "t", "TESTING": True})
    secrets = []
    for _ in range(2):
        client = app.test_client()
        client.environ_base.update(REMOTE_ADDR=ADDRESS, HTTP_USER_AGENT=USER_AGENT)
        base = f"/a/{round_.open_token}"
        url = f"{base}/side/1"
        for data in PAGES:
            r = post_page(client, url, {**data, "action": "next"})
            assert r.status_code == 302, r.get_data(as_text=True)[:800]
            url = r.headers["Location"]
        assert url.endswith("/ferdig")
        secrets.append(client.get_cookie("survey_anonymous", path=base).value)

    db = open_database(path, migrate=False)
    assert db.execute("SELECT count(*), sum(submitted) FROM responses").fetchone() == (2, 2)
    assert db.execute("SELECT count(*) FROM answers").fetchone()[0] == 2 * 29
    columns_seen = 0
    for table in db.table_names():
        names = [c.name for c in db[table].columns]
        for row in db.execute(f"SELECT * FROM [{table}]").fetchall():
            for name, value in zip(names, row, strict=True):
                columns_seen += 1
                text = str(value)
                for secret in (ADDRESS, "203.0.113", USER_AGENT, "Sporbar", *secrets):
                    assert secret not in text, (table, name)
                if table in ("responses", "answers"):
                    assert not TIME_OF_DAY.search(text), (table, name, text)
                    assert not (isinstance(value, int | float) and value > 10**8), (table, name)
    assert columns_seen > 100
    assert db.execute("SELECT DISTINCT started_on = submitted_on FROM responses").fetchall() == [
        (1,)
    ]
    db.close()

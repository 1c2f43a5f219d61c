"""Attack 3 of the confidentiality issue, answers per day: the round page listed the
responses submitted each day and hid the days under the minimum, while the same page shows
the round's total. With one day hidden, that day = the total − the shown days: the one
person who answered on a quiet day, counted exactly (and with the report before and after,
their answers). The days are a breakdown with a margin and are now suppressed like one.

Against the real app: a real HTTP server on 127.0.0.1 and an analyst's round page."""

from __future__ import annotations

import re
import sqlite3
from datetime import date, timedelta

import pytest

from survey import create_app
from survey.questionnaire import load_file
from survey.storage import open_database
from survey.storage.questionnaires import publish
from survey.storage.rounds import create_round
from survey.storage.users import add_user
from tests.confidentiality.conftest import (
    ANALYST,
    PASSWORD,
    add_project_leaders,
    signed_in_analyst,
)
from tests.conftest import QUESTIONNAIRES, server_thread

K = 3
PER_DAY = [5, 4, 1]  # the third day's single response is the one to protect


@pytest.fixture
def served(tmp_path):
    db_path = str(tmp_path / "survey.sqlite3")
    db = open_database(db_path)
    publish(db, load_file(QUESTIONNAIRES / "kvalitetskommune-2009.yaml"))
    round_ = create_round(db, "kvalitetskommune-2009", "Evaluering 2009", min_group_size=K)
    add_user(db, ANALYST, PASSWORD, "analyst", ())
    db.close()
    add_project_leaders(db_path, round_.id, [50.0] * sum(PER_DAY), start=0)
    days = [date.today() - timedelta(days=len(PER_DAY) - i) for i in range(len(PER_DAY))]
    with sqlite3.connect(db_path) as db:  # spread the submissions over three days
        ids = [row[0] for row in db.execute("SELECT id FROM responses ORDER BY id")]
        for day, n in zip(days, PER_DAY, strict=True):
            taken, ids = ids[:n], ids[n:]
            db.executemany(
                "UPDATE responses SET submitted_on = ? WHERE id = ?",
                [(day.isoformat(), i) for i in taken],
            )
    db.close()
    app = create_app({"DATABASE": db_path, "SECRET_KEY": "test"})
    with server_thread(app) as base:
        yield base, round_.id


def section(html: str, heading: str) -> str:
    start = re.search(rf"<h2[^>]*>{heading}</h2>", html)
    assert start, heading
    return html[start.start() :].split("</table>")[0]


def test_no_day_can_be_worked_out_from_the_total(served):
    base, round_id = served
    page = signed_in_analyst(base).open(f"{base}/sekretariat/runder/{round_id}").read().decode()
    # the margin: the round's total, shown with its response rate
    total = re.search(
        r'<th scope="row">Alle</th>\s*<td class="num">(\d+)</td>\s*<td class="num">(\d+)</td>',
        section(page, "Svarprosent"),
    )
    assert total is not None and int(total.group(2)) == sum(PER_DAY)
    days = re.findall(
        r'<th scope="row">([^<]+)</th><td class="num">([^<]+)</td>', section(page, "Svar per dag")
    )
    assert len(days) == len(PER_DAY)
    shown = [int(n) for _, n in days if n.isdigit()]
    hidden = [i for i, (_, n) in enumerate(days) if not n.isdigit()]
    # what the hidden days hold together, as anyone can work out, is at least the minimum
    assert len(hidden) >= 2 and sum(PER_DAY) - sum(shown) >= K
    assert shown == [PER_DAY[0]]  # the busiest day is still shown

"""/helse, the health endpoint load balancers ask: 200 when this process can serve ("ok", or
"degraded" when only the workers are silent), 503 with the failing check named otherwise;
cheap, quiet, never braked, no cookie, nothing leaked."""

from __future__ import annotations

import json
import re
import time
from datetime import UTC, datetime, timedelta

from survey import create_app
from survey.storage.jobs import worker_beat, worker_started, worker_stopped
from survey.storage.migrations import STEPS
from survey.web.health import EXTENSION, Outcome

HEALTHY = {
    "status": "ok",
    "checks": [
        {"name": "database", "ok": True, "detail": "reachable"},
        {"name": "migrations", "ok": True, "detail": "current"},
        {
            "name": "workers",
            "ok": True,
            "detail": "jobs are run in the web processes",
        },
    ],
}


def health(app):
    response = app.test_client().get("/helse")
    return response, json.loads(response.get_data(as_text=True))


def check(body: dict, name: str) -> dict:
    return next(c for c in body["checks"] if c["name"] == name)


def test_a_healthy_process_answers_200_with_every_check_and_no_cookie(setup):
    response, body = health(setup.app)

    assert response.status_code == 200
    assert response.content_type == "application/json"
    assert body == HEALTHY
    assert "Set-Cookie" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"
    assert setup.app.test_client().head("/helse").status_code == 200


def test_migrations_behind_or_ahead_of_this_release_fail_the_check(setup):
    latest = STEPS[-1][0]
    db = setup.db()
    db.execute("DELETE FROM _migrations WHERE name = ?", [latest])
    db.close()

    response, body = health(setup.app)

    assert response.status_code == 503 and body["status"] == "failing"
    assert check(body, "database")["ok"] is True
    assert check(body, "migrations") == {
        "name": "migrations",
        "ok": False,
        "detail": "behind this release: run 'survey init-db'",
    }

    db = setup.db()
    db.execute(
        "INSERT INTO _migrations VALUES (?, '2031-01-01'), ('9999_future', '2031-01-01')", [latest]
    )
    db.close()
    response, body = health(setup.app)
    assert response.status_code == 503
    assert check(body, "migrations")["detail"] == "ahead of this release: upgrade this machine"


def test_an_unreachable_database_is_503_without_its_path_or_error(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the database's folder should be")
    path = blocker / "secret-name" / "survey.sqlite3"
    app = create_app({"DATABASE": str(path), "SECRET_KEY": "test", "TESTING": True})

    started = time.monotonic()
    response, body = health(app)

    assert time.monotonic() - started < 2
    assert response.status_code == 503
    assert check(body, "database") == {"name": "database", "ok": False, "detail": "unreachable"}
    assert check(body, "migrations")["ok"] is False
    text = response.get_data(as_text=True)
    assert "secret-name" not in text and "not-a-folder" not in text and "Error" not in text


def test_the_answer_holds_no_figure_and_no_secret(setup):
    text = setup.app.test_client().get("/helse").get_data(as_text=True)
    assert not re.search(r"\d", text)  # no counts, versions, ids or times
    assert setup.db_path not in text and "test" not in text  # the database file, SECRET_KEY


def test_the_link_guessing_brake_never_stops_the_health_check(setup):
    """A load balancer (or proxy) shares one address with many clients: when a guesser
    behind it has braked that address, the health check must still get through."""
    client = setup.app.test_client()
    limit = setup.app.config["TOKEN_FAILURE_LIMIT"]
    for n in range(limit):
        assert client.get(f"/s/gjetning{n}").status_code == 404
    assert client.get("/s/enda-en").status_code == 429

    response = client.get("/helse")

    assert response.status_code == 200


def test_a_check_added_to_the_list_takes_part(setup):
    """The slot the report workers' heartbeat will use: any check appended to the list is run
    with the others, and a failing one makes the whole answer 503."""
    setup.app.extensions[EXTENSION].append(("heartbeat", lambda probe: Outcome(False, "silent")))

    response, body = health(setup.app)

    assert response.status_code == 503
    assert body["checks"][-1] == {"name": "heartbeat", "ok": False, "detail": "silent"}
    assert [c["name"] for c in body["checks"]] == ["database", "migrations", "workers", "heartbeat"]


def test_with_jobs_left_to_workers_a_silent_queue_degrades_but_keeps_serving(setup):
    """WORKERS = 0: reports and mail wait for `survey worker`; none alive within a lease
    fails the check and says "degraded" (monitoring sees it), but the answer stays 200:
    every web machine shares the queue, and a 503 would take them all out of the balancer,
    stopping respondents for the sake of reports."""
    setup.app.config["WORKERS"] = 0
    lease = timedelta(seconds=setup.app.config["JOB_LEASE"])
    response, body = health(setup.app)
    assert response.status_code == 200 and body["status"] == "degraded"
    assert (
        check(body, "workers")["ok"] is False
        and "survey worker" in check(body, "workers")["detail"]
    )

    db = setup.db()
    worker_started(db, "w1", "host", 1, now=datetime.now(UTC) - 3 * lease)
    assert health(setup.app)[1]["status"] == "degraded"  # started long ago and silent since
    worker_beat(db, "w1")
    response, body = health(setup.app)
    assert response.status_code == 200 and body["status"] == "ok"
    assert check(body, "workers")["ok"] is True
    worker_stopped(db, "w1")  # said it stopped: nobody runs the queue
    db.close()
    assert health(setup.app)[1]["status"] == "degraded"

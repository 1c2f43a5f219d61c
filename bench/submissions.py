"""Submissions: the real app under gunicorn (2 sync workers) taking final-page POSTs.

Set-up (untimed): a SQLite file with the 2009 questionnaire published, a round and many
invitations, every respondent's pages 1–4 already answered (as if they had clicked through
them), so the timed POST is exactly the respondent's last click: read the visit, check the
page in the light of all earlier answers, rewrite the answers, mark the response submitted.

Per respondent the load generator first GETs the final page (timed as "page GETs": it
renders the full page and hands out the session cookie and CSRF token), then POSTs it. After
the run the database is counted: every 302 to /ferdig must be one submitted response with
all its answer rows, and nothing else may have changed.

In the same run and under the same gunicorn settings: a one-page 40-item Likert form on our
app (the form the peer comparison uses), the validation-only ceiling app (bench/ceiling_app.py)
on the same 40 fields, a bare Flask POST of the same 40 fields (the guide's workload at its
lightest, to compare this machine with the guide's) and a trivial WSGI app as the ceiling of
gunicorn plus load generator.
"""

from __future__ import annotations

import json
import re
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchlib import (
    BENCH,
    QUESTIONNAIRES,
    ROLES,
    SECRET_KEY,
    Figures,
    Load,
    Reply,
    Server,
    cookie_header,
    form_body,
    gunicorn,
    likert_yaml,
    main,
    postgres_cluster,
    request_bytes,
    run_load,
    say,
    table,
)

from survey.invitation_list import Person
from survey.questionnaire import load_file, load_text
from survey.questionnaire.answers import Answer, check_answers
from survey.storage import open_database
from survey.storage.invitations import add_invitations
from survey.storage.questionnaires import publish
from survey.storage.responses import encode
from survey.storage.rounds import create_round

CSRF = re.compile(rb'name="csrf_token" type="hidden" value="([^"]+)"')
CONNECTIONS = 8
GUIDE_BARE_RATE = 2_900  # issue 6: "a Flask form POST that only validates 40 fields"
ROLES_2009 = ("ordforer", "radmann", "tillitsvalgt", "prosjektleder")
Q14 = "Godt samarbeid mellom politikere, administrasjon og tillitsvalgte – takk for programmet!"


@dataclass(frozen=True)
class Respondent:
    token: str
    path: str  # the page that is fetched and then posted
    fields: tuple[tuple[str, str], ...]  # the form fields posted, without the CSRF token
    rows_added: int  # answer rows the POST adds to the database


def earlier_answers(role: str, n: int) -> dict[str, Answer]:
    """Valid answers to pages 1–4 of the 2009 questionnaire for ``role``, varied by ``n``."""
    point = 1 + n % 6
    answers = {"q1": Answer(role)}
    if role == "prosjektleder":
        answers["q2"] = Answer("ja", {"ja": "Ny rådmann i styringsgruppa"})
        answers["q3"] = Answer(frozenset({"skifte", "okt_frikjop"}))
        answers["q4"] = Answer("frikjopt", {"frikjopt": 50.0})
    for offset, item in enumerate(("q5", "q6", "q7", "q8", "q9a", "q12", "q13")):
        answers[item] = Answer(1 + (point + offset) % 6)
    answers["q9b"] = Answer(("ja", "nei", "vet_ikke")[n % 3])
    answers["q10"] = Answer(("ja_internt", "ja_eksternt", "ja_begge", "nei")[n % 4])
    answers["q11a"] = Answer(("ja", "nei", "vet_ikke")[(n + 1) % 3])
    answers["q11b"] = Answer(("ja", "nei", "vet_ikke")[(n + 2) % 3])
    return answers


def prepare_2009(
    db_path: Path | str, invited: int, municipalities: int = 430
) -> tuple[list[Respondent], int]:
    """A national round: ``invited`` people in 4 roles across the municipalities, each with
    pages 1–4 answered and standing on page 5. Returns the respondents and the round id."""
    db = open_database(db_path)
    result = load_file(QUESTIONNAIRES / "kvalitetskommune-2009.yaml")
    questionnaire = result.questionnaire
    assert questionnaire is not None
    publish(db, result)
    round_ = create_round(db, "kvalitetskommune-2009", "Benchmark 2009")
    people = [
        Person(
            f"Person {n}",
            f"person{n}@kommune{n % municipalities}.no",
            ROLES_2009[(n // municipalities) % 4],
            f"Kommune {n % municipalities}",
            {"pulje": str(1 + n % 3)},
        )
        for n in range(invited)
    ]
    invitations = add_invitations(db, round_.id, people)
    today = datetime.now(UTC).date().isoformat()
    respondents = []
    with db.writing():
        for n, inv in enumerate(invitations):
            answers = earlier_answers(inv.role, n)
            if n < 50:  # the set-up itself must be something the product accepts
                assert not check_answers(questionnaire, inv.role, answers), inv.role
            (response_id,) = db.execute(
                "INSERT INTO responses (round_id, invitation_id, role, unit, attributes, page, "
                "started_on) VALUES (?, ?, ?, ?, ?, 5, ?) RETURNING id",
                [round_.id, inv.id, inv.role, inv.unit, json.dumps(inv.attributes), today],
            ).fetchone()
            rows = [
                (response_id, *row)
                for item, answer in answers.items()
                for row in encode(questionnaire, item, answer)
            ]
            db.executemany(
                "INSERT INTO answers (response_id, item, code, number, text) "
                "VALUES (?, ?, ?, ?, ?)",
                rows,
            )
            fields = (("q14", Q14), ("action", "next"))
            respondents.append(Respondent(inv.token, f"/s/{inv.token}/side/5", fields, 1))
    db.close()
    return respondents, round_.id


def prepare_likert(db_path: Path, invited: int, items: int = 40) -> list[Respondent]:
    """A round of the one-page 40-item form; nothing answered yet."""
    db = open_database(db_path)
    result = load_text(likert_yaml(items), f"likert{items}.yaml")
    publish(db, result)
    round_ = create_round(db, f"likert{items}", f"Benchmark {items} påstander")
    people = [
        Person(f"P {n}", f"p{n}@enhet{n % 200}.no", ROLES[n % 4], f"Enhet {n % 200}", {})
        for n in range(invited)
    ]
    invitations = add_invitations(db, round_.id, people)
    db.close()
    return [
        Respondent(
            inv.token,
            f"/s/{inv.token}/side/1",
            (*likert_fields(items, n), ("action", "next")),
            items,
        )
        for n, inv in enumerate(invitations)
    ]


def likert_fields(items: int, n: int) -> tuple[tuple[str, str], ...]:
    """The 40 radio values of one respondent (every 13th answer "vet ikke")."""
    return tuple(
        (f"s{i:02d}", "vet_ikke" if (n + i) % 13 == 0 else str(1 + (n * 7 + i) % 6))
        for i in range(1, items + 1)
    )


def fetch_forms(
    server: Server, paths: list[str], duration: float
) -> tuple[Load, list[tuple[int, dict[str, str], str]]]:
    """GET each page; returns the load and (index, cookies, csrf token) of those that worked."""
    port = server.port
    load = run_load(
        port,
        [request_bytes("GET", path, port) for path in paths],
        connections=CONNECTIONS,
        duration=duration,
        capture=CSRF,
        server=server,
    )
    ready = [
        (i, reply.cookies, reply.captured)
        for i, reply in enumerate(load.replies)
        if reply is not None and reply.status == 200 and reply.captured and reply.cookies
    ]
    return load, ready  # type: ignore[return-value]


def post_forms(
    server: Server,
    paths: list[str],
    fields: list[tuple[tuple[str, str], ...]],
    ready: list[tuple[int, dict[str, str], str]],
    duration: float,
) -> tuple[Load, list[int]]:
    """POST each fetched form with its session cookie and token; returns the load and the
    indexes (into ``paths``) that were sent, in order."""
    port = server.port
    order = [i for i, _, _ in ready]
    requests = [
        request_bytes(
            "POST",
            paths[i],
            port,
            body=form_body([("csrf_token", token), *fields[i]]),
            headers={"Cookie": cookie_header(cookies)},
        )
        for i, cookies, token in ready
    ]
    load = run_load(port, requests, connections=CONNECTIONS, duration=duration, server=server)
    return load, order


def submitted(reply: Reply) -> bool:
    return reply.status == 302 and (reply.location or "").endswith("/ferdig")


def page_ok(reply: Reply) -> bool:
    return reply.status == 200


def warm_up(port: int, paths: list[str]) -> None:
    """Untimed: both workers import, migrate-check, cache the questionnaire and compile
    the templates of the ``paths`` they are sent."""
    run_load(port, [request_bytes("GET", p, port) for p in paths], connections=CONNECTIONS)


def count_rows(db_path: Path | str, round_id: int) -> tuple[int, int]:
    db = open_database(db_path, migrate=False)
    try:
        responses = db.execute(
            "SELECT count(*) FROM responses WHERE round_id = ? AND submitted = 1", [round_id]
        ).fetchone()[0]
        answers = db.execute(
            "SELECT count(*) FROM answers a JOIN responses r ON r.id = a.response_id "
            "WHERE r.round_id = ?",
            [round_id],
        ).fetchone()[0]
    finally:
        db.close()
    return responses, answers


def product_run(
    label: str,
    workdir: Path,
    db_path: Path | str,
    respondents: list[Respondent],
    round_id: int,
    baseline_rows: int,
    duration: float,
) -> Figures:
    """GET then POST every respondent's final page against the real app; count afterwards."""
    warm, measured = respondents[:40], respondents[40:]
    paths = [r.path for r in measured]
    env = {"SURVEY_DATABASE": str(db_path), "SURVEY_SECRET_KEY": SECRET_KEY}
    with gunicorn(label, "survey:create_app()", workdir=workdir, env=env) as server:
        # Start pages and final pages: every worker also compiles the page templates
        # before the clock starts (~50 ms each, which a short run would spread over GETs).
        warm_up(server.port, [r.path.split("/side/")[0] for r in warm] + [r.path for r in warm])
        gets, ready = fetch_forms(server, paths, duration)
        posts, order = post_forms(server, paths, [r.fields for r in measured], ready, duration)
    sent = [i for i, reply in zip(order, posts.replies, strict=True) if reply is not None]
    ok = [i for i, reply in zip(order, posts.replies, strict=True) if reply and submitted(reply)]
    responses, answers = count_rows(db_path, round_id)
    expected_answers = baseline_rows + sum(measured[i].rows_added for i in ok)
    figures = {
        "get": gets.summary(page_ok),
        "post": posts.summary(submitted),
        "posted": len(sent),
        "submitted_302": len(ok),
        "rows_responses_submitted": responses,
        "rows_answers": answers,
        "rows_answers_expected": expected_answers,
    }
    # Anything but 0 means a response or answer was lost (> 0) or stored twice (< 0).
    figures["lost"] = (len(ok) - responses) + (expected_answers - answers)
    return figures


def ceiling_run(workdir: Path, items: int, duration: float, count: int) -> Figures:
    """The validation-only app on the same 40 fields, same gunicorn settings."""
    env = {"SURVEY_SECRET_KEY": SECRET_KEY}
    with gunicorn(
        "ceiling",
        f"ceiling_app:create_app({items})",
        workdir=BENCH,
        logdir=workdir,
        env=env,
        ready_path="/form",
    ) as server:
        warm_up(server.port, ["/form"] * 40)
        gets, ready = fetch_forms(server, ["/form"] * count, duration)
        fields = [(*likert_fields(items, n), ("action", "next")) for n in range(count)]
        posts, _ = post_forms(server, ["/form"] * count, fields, ready, duration)
    return {"get": gets.summary(page_ok), "post": posts.summary(redirected)}


def redirected(reply: Reply) -> bool:
    return reply.status == 302


def bare_run(workdir: Path, items: int, duration: float, count: int) -> Figures:
    """Flask reading and checking the same 40 fields, nothing else (``ceiling_app.bare``)."""
    with gunicorn(
        "bare", f"ceiling_app:bare({items})", workdir=BENCH, logdir=workdir, ready_path="/"
    ) as server:
        body = form_body([*likert_fields(items, 0), ("action", "next")])
        request = request_bytes("POST", "/form", server.port, body=body)
        run_load(server.port, [request] * 200, connections=CONNECTIONS)  # warm-up
        load = run_load(
            server.port,
            [request] * count,
            connections=CONNECTIONS,
            duration=duration,
            server=server,
        )
    return {"post": load.summary(redirected)}


def trivial_run(workdir: Path, duration: float, count: int) -> Figures:
    with gunicorn("trivial", "ceiling_app:trivial", workdir=BENCH, logdir=workdir) as server:
        load = run_load(
            server.port,
            [request_bytes("GET", "/", server.port)] * count,
            connections=CONNECTIONS,
            duration=duration,
            server=server,
        )
    return {"get": load.summary(page_ok)}


def run(quick: bool) -> Figures:
    invited = 3_000 if quick else 40_000
    duration = 1.2 if quick else 7.0
    figures: Figures = {"connections": CONNECTIONS, "workers": 2, "invited": invited}
    with tempfile.TemporaryDirectory(prefix="bench-submissions-") as tmp:
        workdir = Path(tmp)
        db_2009 = workdir / "survey-2009.sqlite3"
        respondents, round_id = prepare_2009(db_2009, invited)
        baseline = count_rows(db_2009, round_id)[1]
        say(f"set-up: {invited:,} invitations, pages 1–4 answered ({baseline:,} answer rows)")
        figures["final_2009"] = product_run(
            "survey-2009", workdir, db_2009, respondents, round_id, baseline, duration
        )
        report("2009, final page", figures["final_2009"])

        # The same on PostgreSQL, a throwaway cluster on this machine (tests/pg.py).
        with postgres_cluster(workdir) as cluster:
            url = cluster.fresh_database()
            respondents, round_id = prepare_2009(url, invited)
            baseline = count_rows(url, round_id)[1]
            figures["final_2009_pg"] = product_run(
                "survey-2009-pg", workdir, url, respondents, round_id, baseline, duration
            )
        report("2009, final page, PostgreSQL", figures["final_2009_pg"])
        figures["final_2009_pg"]["rate_vs_sqlite"] = round(
            figures["final_2009_pg"]["post"]["rate"] / figures["final_2009"]["post"]["rate"], 3
        )

        if not quick:  # the app's start-up alone is ~5 s on a busy machine
            db_40 = workdir / "survey-likert40.sqlite3"
            likert = prepare_likert(db_40, invited // 2)
            figures["likert40"] = product_run(
                "survey-likert40", workdir, db_40, likert, 1, 0, duration * 0.7
            )
            report("40-item one-page form", figures["likert40"])

        figures["ceiling"] = ceiling_run(workdir, 40, duration * 0.7, invited // 2)
        figures["bare"] = bare_run(workdir, 40, duration * 0.4, invited)
        figures["trivial"] = trivial_run(workdir, duration * 0.4, invited)
    ceiling = figures["ceiling"]["post"]
    for key in ("final_2009", "likert40"):
        if key not in figures:
            continue
        post = figures[key]["post"]
        figures[key]["ratio_to_ceiling"] = round(post["rate"] / ceiling["rate"], 3)
        # The same ratio from server CPU per request, which other load hardly moves.
        figures[key]["cpu_ratio_to_ceiling"] = round(
            ceiling["server_cpu_ms_per_request"] / post["server_cpu_ms_per_request"], 3
        )
    # The guide's figures were seen on another machine: its own lightest workload, run
    # here, says how the two compare (the absolute targets are not scaled by it).
    figures["machine_vs_guide"] = round(figures["bare"]["post"]["rate"] / GUIDE_BARE_RATE, 3)
    summary(figures)
    return figures


def report(label: str, f: Figures) -> None:
    say(
        f"{label}: posted {f['posted']:,}, 302 to /ferdig {f['submitted_302']:,}; "
        f"database: {f['rows_responses_submitted']:,} submitted responses, "
        f"{f['rows_answers']:,} answer rows (expected {f['rows_answers_expected']:,}); "
        f"lost {f['lost']}"
    )


def summary(figures: Figures) -> None:
    rows: list[list[Any]] = []

    def add(label: str, s: Figures, target: str) -> None:
        rows.append(
            [
                label,
                s["requests"],
                s["rate"],
                s["p50_ms"],
                s["p99_ms"],
                s["errors"],
                s["server_cpu_ms_per_request"],
                round(2000 / s["server_cpu_ms_per_request"]),
                s["loader_cpu_us_per_request"],
                target,
            ]
        )

    add("2009 final page GET", figures["final_2009"]["get"], ">= 1,000/s")
    add("2009 final page POST", figures["final_2009"]["post"], ">= 1,000/s, p99 < 25 ms")
    add("2009 final page GET, PostgreSQL", figures["final_2009_pg"]["get"], "")
    add(
        "2009 final page POST, PostgreSQL",
        figures["final_2009_pg"]["post"],
        ">= 70% of SQLite's, p99 < 50 ms",
    )
    if "likert40" in figures:
        add("40-item form GET", figures["likert40"]["get"], "")
        add("40-item form POST", figures["likert40"]["post"], "")
    add("ceiling GET (no db)", figures["ceiling"]["get"], "")
    add("ceiling POST (validate only)", figures["ceiling"]["post"], "")
    add("bare Flask POST (40 fields only)", figures["bare"]["post"], "guide ~2,900/s")
    add("trivial WSGI (gunicorn+loader)", figures["trivial"]["get"], "")
    say("")
    say(
        table(
            rows,
            [
                "",
                "requests",
                "req/s",
                "p50 ms",
                "p99 ms",
                "errors",
                "server CPU ms/req",
                "2 cores ÷ CPU/s",
                "loader µs/req",
                "target",
            ],
        )
    )
    for key, label in (("final_2009", "2009 final page"), ("likert40", "same 40-item form")):
        if key in figures:
            say(
                f"ours ÷ validation-only ceiling, {label}: "
                f"{figures[key]['ratio_to_ceiling']:.0%} (target >= 50%); by server CPU per "
                f"request: {figures[key]['cpu_ratio_to_ceiling']:.0%}"
            )
    pg = figures["final_2009_pg"]
    say(
        f"PostgreSQL ÷ SQLite, 2009 final-page POSTs in the same run: {pg['rate_vs_sqlite']:.0%} "
        f"(target >= 70%), p99 {pg['post']['p99_ms']} ms (target < 50 ms), lost or "
        f"duplicated: {pg['lost']} (SQLite: {figures['final_2009']['lost']})"
    )
    say(
        f"this machine ÷ the guide's: {figures['machine_vs_guide']:.0%} (a bare Flask POST of "
        f"40 fields, {figures['bare']['post']['rate']:,.0f}/s here against the guide's "
        f"~{GUIDE_BARE_RATE:,}/s)"
    )
    say(
        "('2 cores ÷ CPU' = 2,000 ms ÷ server CPU ms per request: the rate two idle cores "
        "could reach if the server had them to itself, load generator excluded)"
    )


if __name__ == "__main__":
    main("submissions", run)

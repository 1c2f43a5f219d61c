"""The ``survey`` command: a Flask CLI group, so ``flask --app survey ...`` works as well.

Commands are thin: each calls the operation the web app calls (``survey.operations``), as
``accounts.operator()``, and translates ``survey.errors`` into a message and exit status 1
at this edge, once (``operator_command``).
"""

from __future__ import annotations

import csv
import json
import os
import secrets
import signal
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from functools import wraps
from pathlib import Path
from typing import Any, BinaryIO

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from survey.accounts import ROLES, operator
from survey.addresses import check_base_url
from survey.csvfile import MAX_BYTES as MAX_FILE_BYTES
from survey.demo import national_2009_round
from survey.errors import InvalidInput, SurveyError
from survey.mail import mailer_from_config
from survey.operations.access_codes import MAX_CODES, create_codes
from survey.operations.accounts import (
    add_account,
    change_password,
    change_role,
    disable_account,
    enable_account,
    list_accounts,
)
from survey.operations.backup import back_up
from survey.operations.invitations import invite, personal_links
from survey.operations.mail import send_mail
from survey.operations.migrate_store import migrate_store
from survey.operations.paper_forms import (
    personal_forms,
    questionnaire_form,
    round_form,
    set_return_address,
    version_form,
)
from survey.operations.questionnaires import publish_questionnaire
from survey.operations.report_packs import order_report_pack, pack_progress, pack_zip
from survey.operations.responses import export_responses, import_responses
from survey.operations.results import (
    declare_breakdowns,
    declared_breakdowns,
    make_report,
    scores,
)
from survey.operations.rounds import MIN_GROUP_SIZE_RANGE, close_round, create_round, reopen_round
from survey.questionnaire import load_file
from survey.questionnaire.outline import outline
from survey.questionnaire.schema import json_schema
from survey.records import MAX_ID
from survey.resources import DEMO_PEOPLE, DEMO_QUESTIONNAIRE
from survey.server import serve
from survey.settings import SETTINGS, SettingError, shown
from survey.storage import open_database
from survey.storage.invitations import list_invitations
from survey.storage.migrations import migrate
from survey.storage.questionnaires import latest_version, questionnaire_of_version
from survey.storage.return_codes import return_address
from survey.storage.rounds import DEFAULT_MIN_GROUP_SIZE, get_round, list_rounds
from survey.storage.store import Store
from survey.storage.users import has_account

ID = click.IntRange(1, MAX_ID)  # a round's number; a larger one could not even be looked up


@click.command("validate", help="Check questionnaire files and print every problem found.")
@click.argument("paths", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
def validate_command(paths: tuple[str, ...], strict: bool) -> None:
    errors = warnings = 0
    for path in paths:
        result = load_file(path)
        for problem in result.problems:
            click.echo(str(problem))
        errors += len(result.errors)
        warnings += len(result.warnings)
        if result.ok:
            q = result.questionnaire
            assert q is not None
            click.echo(
                f"{path}: ok ({q.id} version {q.version}: {len(q.questions)} questions, "
                f"{len(q.items)} likert items, {len(q.indexes)} indexes)",
                err=True,
            )
    click.echo(f"{len(paths)} file(s) checked: {errors} error(s), {warnings} warning(s)", err=True)
    if errors or (strict and warnings):
        sys.exit(1)


@click.command("schema", help="Print the JSON Schema of the questionnaire format.")
def schema_command() -> None:
    click.echo(json.dumps(json_schema(), indent=2, ensure_ascii=False))


@click.command("show", help="Print a questionnaire's outline: pages, questions, who sees what.")
@click.argument("path", type=click.Path(dir_okay=False))
def show_command(path: str) -> None:
    result = load_file(path)
    if result.questionnaire is None:
        for problem in result.errors:
            click.echo(str(problem), err=True)
        raise click.ClickException(f"{path} has errors; run 'survey validate {path}'")
    click.echo(outline(result.questionnaire))


def operator_command(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Run inside the app context and turn every SurveyError into a clean CLI error (a
    file's problems are printed row by row by ``_all_or_nothing`` first)."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except SurveyError as exc:
            raise click.ClickException(exc.message) from exc

    return with_appcontext(wrapper)


def _db(*, migrate: bool = True) -> Store:
    """The command's own connection, opened on first use and closed when the command ends
    (the web's per-thread connections are for serving requests, not for commands)."""
    context = click.get_current_context()
    db = context.meta.get("survey.db")
    if db is None:
        db = open_database(current_app.config["DATABASE"], migrate=migrate)
        context.meta["survey.db"] = db
        context.call_on_close(db.close)
    return db


def _read(path: str) -> bytes:
    """A file given on the command line, bounded like an upload before it is read."""
    size = Path(path).stat().st_size
    if size > MAX_FILE_BYTES:
        raise InvalidInput(f"{path} is {size:,} bytes; the limit is {MAX_FILE_BYTES:,}")
    return Path(path).read_bytes()


@contextmanager
def _all_or_nothing(path: str, consequence: str) -> Iterator[None]:
    """Print every problem of a file (rows of a table, lines of a questionnaire), then fail
    saying what was (not) stored."""
    try:
        yield
    except InvalidInput as exc:
        if not exc.problems:
            raise
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        raise click.ClickException(
            f"{path}: {len(exc.problems)} problem(s); {consequence}"
        ) from exc


@click.command("init-db", help="Create or upgrade the database (safe to run again).")
@operator_command
def init_db_command() -> None:
    applied = migrate(_db(migrate=False))
    where = current_app.config["DATABASE"]
    click.echo(f"{where}: " + (f"applied {', '.join(applied)}" if applied else "up to date"))


@click.command("load", help="Publish a questionnaire file as an immutable version.")
@click.argument("path", type=click.Path(dir_okay=False))
@operator_command
def load_command(path: str) -> None:
    with _all_or_nothing(path, "nothing was published"):
        version = publish_questionnaire(_db(), operator(), load_file(path))
    state = "published" if version.created else "already published"
    click.echo(
        f"{version.questionnaire_id} version {version.version} {state} "
        f"(sha256 {version.sha256[:12]})"
    )


@click.group("round", help="Create, list, close and reopen rounds.")
def round_group() -> None:
    pass


@round_group.command("create", help="Open a round of a published questionnaire; prints its id.")
@click.argument("questionnaire")
@click.option("--name", required=True, help="e.g. 'Evaluering november 2009'.")
@click.option(
    "--anonymous",
    is_flag=True,
    help="Nobody invited by name: people answer with one-time codes ('survey codes').",
)
@click.option(
    "--open-link",
    is_flag=True,
    help="With --anonymous: one link for everyone instead of codes (anyone can answer "
    "any number of times, so made-up answers can expose a small group).",
)
@click.option(
    "--min-group-size",
    default=DEFAULT_MIN_GROUP_SIZE,
    show_default=True,
    type=int,
    help=f"Groups smaller than this are never reported ({MIN_GROUP_SIZE_RANGE[0]}–"
    f"{MIN_GROUP_SIZE_RANGE[1]}).",
)
@click.option("--closes", type=click.DateTime(formats=["%Y-%m-%d"]), help="Last day, YYYY-MM-DD.")
@operator_command
def round_create_command(
    questionnaire: str,
    name: str,
    anonymous: bool,
    open_link: bool,
    min_group_size: int,
    closes: Any,
) -> None:
    closes_on: date | None = closes.date() if closes else None
    round_ = create_round(
        _db(),
        operator(),
        questionnaire,
        name,
        anonymous=anonymous,
        open_link=open_link,
        min_group_size=min_group_size,
        closes_on=closes_on,
    )
    click.echo(round_.id)


@round_group.command("list", help="List rounds.")
@operator_command
def round_list_command() -> None:
    for r in list_rounds(_db()):
        state = "open" if r.is_open() else "closed"
        kind = "anonymous" if r.anonymous else "invited"
        click.echo(f"{r.id}\t{r.name}\t{kind}\t{state}\tmin group {r.min_group_size}")


@round_group.command("close", help="Close a round now: no more answers are taken.")
@click.argument("round_id", metavar="ROUND", type=ID)
@click.option("--reason", default="", help="Why, for the audit log.")
@operator_command
def round_close_command(round_id: int, reason: str) -> None:
    round_ = close_round(_db(), operator(), round_id, reason)
    click.echo(f"round {round_.id} ({round_.name}) is closed")


@round_group.command("reopen", help="Open a closed round again (its closing date still holds).")
@click.argument("round_id", metavar="ROUND", type=ID)
@click.option("--reason", default="", help="Why, for the audit log.")
@operator_command
def round_reopen_command(round_id: int, reason: str) -> None:
    round_ = reopen_round(_db(), operator(), round_id, reason)
    state = "open" if round_.is_open() else f"still closed: its last day was {round_.closes_on}"
    click.echo(f"round {round_.id} ({round_.name}) is {state}")


@round_group.command(
    "breakdowns",
    help="Show the breakdowns a round's figures may be released by; with --allow, declare them "
    "(replacing the earlier ones). Until declared: every dimension alone, and role,unit.",
)
@click.argument("round_id", metavar="ROUND", type=ID)
@click.option(
    "--allow",
    "allowed",
    multiple=True,
    metavar="BREAKDOWN",
    help="e.g. role, unit, pulje or role,pulje (at most 3 dimensions); repeat for each.",
)
@click.option("--overall-only", is_flag=True, help="Declare no breakdown: overall figures only.")
@operator_command
def round_breakdowns_command(round_id: int, allowed: tuple[str, ...], overall_only: bool) -> None:
    if allowed and overall_only:
        raise click.UsageError("--allow and --overall-only exclude each other")
    db = _db()
    if allowed or overall_only:
        declare_breakdowns(db, operator(), round_id, list(allowed))
    for breakdown in declared_breakdowns(db, round_id):
        click.echo(",".join(breakdown))


@click.command(
    "invite", help="Invite the people in a CSV or .xlsx list (name,email,role,unit,...)."
)
@click.argument("round_id", metavar="ROUND", type=ID)
@click.argument("path", type=click.Path(dir_okay=False, exists=True))
@operator_command
def invite_command(round_id: int, path: str) -> None:
    with _all_or_nothing(path, "nobody was invited"):
        people = invite(_db(), operator(), round_id, _read(path))
    click.echo(f"invited {len(people)} people to round {round_id}")


@click.command("links", help="Print each invited person's personal link as CSV.")
@click.argument("round_id", metavar="ROUND", type=ID)
@operator_command
def links_command(round_id: int) -> None:
    links = personal_links(_db(), operator(), round_id, current_app.config["BASE_URL"])
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(["name", "email", "role", "unit", "url"])
    for link in links:
        writer.writerow([link.name, link.email, link.role, link.unit, link.url])


@click.command(
    "codes",
    help="Make one-time codes for an anonymous round and print them, one a line: they are "
    "shown this once (only their digests are kept). Each code answers once, at BASE_URL/kode.",
)
@click.argument("round_id", metavar="ROUND", type=ID)
@click.option(
    "--count", required=True, type=click.IntRange(1, MAX_CODES), help="How many codes to make."
)
@operator_command
def codes_command(round_id: int, count: int) -> None:
    for code in create_codes(_db(), operator(), round_id, count):
        click.echo(code)


@click.command("send", help="E-mail invitations (to everyone not yet invited) or reminders.")
@click.argument("round_id", metavar="ROUND", type=ID)
@click.argument("kind", type=click.Choice(["invitation", "reminder"]))
@operator_command
def send_command(round_id: int, kind: str) -> None:
    mailer = mailer_from_config(current_app.config, instance_path=current_app.instance_path)
    result = send_mail(_db(), operator(), round_id, kind, current_app.config["BASE_URL"], mailer)
    for address, error in result.errors:
        click.echo(f"{address}: {error}", err=True)
    click.echo(f"round {round_id}: {result.sent} {kind}s sent, {result.failed} failed")
    if result.failed:
        sys.exit(1)


DEMO_ADMIN = "demo@sekretariatet.example.no"


def _served_at(host: str, port: int) -> str:
    """The address links are built on when the app is served at ``host:port``: BASE_URL
    if it was configured, else the address being served (so a demo on another port still
    mails links that work). Printed, with where it came from."""
    settings = current_app.extensions["survey_settings"]
    if settings["BASE_URL"].source == "default":
        shown = "localhost" if host in ("0.0.0.0", "::") else host
        current_app.config["BASE_URL"] = f"http://{shown}:{port}"
        click.echo(f"Links lead to {current_app.config['BASE_URL']} (the address served).")
    else:
        click.echo(f"Links lead to {current_app.config['BASE_URL']} (BASE_URL).")
    return check_base_url(current_app.config["BASE_URL"])


def _serve(host: str, port: int) -> None:
    """Serve as ``survey serve`` does: gunicorn with the WEB_* settings, links built on the
    address served unless BASE_URL is configured (``_served_at`` decided it)."""
    _close_db()  # the processes open their own; none may inherit this one across a fork
    serve(current_app.instance_path, host, port, follow=current_app.config["BASE_URL"])


def _close_db() -> None:
    db = click.get_current_context().meta.pop("survey.db", None)
    if db is not None:
        db.close()


@click.command(
    "serve",
    help="Serve the app for real: gunicorn with WEB_WORKERS processes of WEB_THREADS threads, "
    "an access log without personal links, health at /helse. SIGHUP reloads the settings "
    "without dropping a request; SIGTERM finishes the requests under way, then stops.",
)
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0: all)."
)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@with_appcontext
def serve_command(host: str, port: int) -> None:
    _served_at(host, port)
    _serve(host, port)


@click.command(
    "run",
    help="Serve the app with Flask's development server on HOST:PORT: one process, for "
    "development and debugging; 'survey serve' is the server for real use.",
)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@with_appcontext
def run_command(host: str, port: int) -> None:
    """Werkzeug's threaded server in this process: a debugger's breakpoint stops the one
    request, and nothing forks (the send page's check of BASE_URL asks this server while it
    answers the secretariat, hence threaded)."""
    from werkzeug.serving import run_simple

    _served_at(host, port)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    run_simple(host, port, app, threaded=True, use_reloader=False, use_debugger=False)


@click.command("demo", help="Prepare a demo round of the 2009 questionnaire and print links.")
@click.option(
    "--national",
    is_flag=True,
    help="Instead: two generated, answered national rounds (2009 and a later one) to report on.",
)
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    help="Then serve the app on this port (at --host) as 'survey serve' does, with links "
    "that lead there.",
)
@click.option("--host", default="127.0.0.1", show_default=True)
@operator_command
def demo_command(national: bool, port: int | None, host: str) -> None:
    db = _db()
    if national:
        first = national_2009_round(db)
        later = national_2009_round(db, name="Oppfølging 2010 (generert)", seed=2010, shift=0.3)
        click.echo(f"round {first.id}: {first.name}; round {later.id}: {later.name}")
        click.echo(f"try: survey report {later.id} --compare {first.id} -o rapport.pdf")
        return
    publish_questionnaire(db, operator(), load_file(DEMO_QUESTIONNAIRE))
    existing = [r for r in list_rounds(db) if r.name == "Demo 2009" and r.is_open()]
    round_ = (
        existing[0]
        if existing
        else create_round(db, operator(), "kvalitetskommune-2009", "Demo 2009")
    )
    if not list_invitations(db, round_.id):
        invite(db, operator(), round_.id, DEMO_PEOPLE.read_bytes())
    base = _served_at(host, port) if port else current_app.config["BASE_URL"]
    click.echo(f"Demo round {round_.id} ({round_.name}); personal links:")
    for link in personal_links(db, operator(), round_.id, base)[:4]:
        click.echo(f"  {link.role:<14} {link.url}")
    if not has_account(db, DEMO_ADMIN):
        password = secrets.token_urlsafe(12)  # printed once; never a default password
        add_account(db, operator(), DEMO_ADMIN, password, "admin")
        click.echo(
            f"Secretariat: {check_base_url(base)}/sekretariat/ as {DEMO_ADMIN}, password {password}"
        )
    if port:
        _serve(host, port)


@click.command("import-responses", help="Import responses (paper forms) from a CSV file.")
@click.argument("round_id", metavar="ROUND", type=ID)
@click.argument("path", type=click.Path(dir_okay=False, exists=True))
@click.option(
    "--strict",
    is_flag=True,
    help="Refuse blank required answers and answers the form said to skip, as the web "
    "form does (default: count them; answers to skipped questions are kept aside).",
)
@operator_command
def import_command(round_id: int, path: str, strict: bool) -> None:
    with _all_or_nothing(path, "nothing was imported"):
        summary = import_responses(_db(), operator(), round_id, _read(path), strict=strict)
    click.echo(f"imported {summary.count} responses into round {round_id}")
    for line in summary.lines():
        click.echo(line)
    if summary.held:
        click.echo(
            f"{summary.held} of them answered on the web too: held until the secretariat "
            "chooses on the round's page"
        )


@click.command("export", help="Export submitted responses as CSV or an Excel workbook.")
@click.argument("round_id", metavar="ROUND", type=ID)
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="csv", show_default=True
)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="File (default: stdout).")
@operator_command
def export_command(round_id: int, fmt: str, output: str | None) -> None:
    if output is None:
        if fmt == "xlsx":
            raise click.UsageError("an Excel workbook needs a file: add -o FILE.xlsx")
        export_responses(_db(), operator(), round_id, fmt, sys.stdout.buffer, excel=False)
        sys.stdout.buffer.flush()
        return
    with _replacing(output) as file:
        count = export_responses(_db(), operator(), round_id, fmt, file)
    click.echo(f"wrote {count} responses to {output}", err=True)


@contextmanager
def _replacing(path: str) -> Iterator[BinaryIO]:
    """A file written next to ``path`` that takes its place only when writing succeeded,
    so a refused or failed command never leaves an earlier good file empty or half done."""
    target = Path(path)
    partial = target.with_name(f".{target.name}.partial")
    try:
        with open(partial, "wb") as file:
            yield file
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


@click.command("scores", help="Print item and index scores per group, with suppression.")
@click.argument("round_id", metavar="ROUND", type=ID)
@click.option("--by", default="", help="role, unit or an attribute; several joined by ','.")
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True
)
@operator_command
def scores_command(round_id: int, by: str, fmt: str) -> None:
    table = scores(_db(), operator(), round_id, by)
    if fmt == "json":
        click.echo(table.to_json(orient="records", force_ascii=False, indent=1))
    else:
        click.echo(table.to_csv(index=False, float_format="%.4f"), nl=False)


@click.command("report", help="Write a round's result report as PDF (or HTML for *.html).")
@click.argument("round_id", metavar="ROUND", type=ID)
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False))
@click.option("--by", default="role", show_default=True, help="Breakdown, as for scores.")
@click.option("--compare", "earlier_id", type=ID, metavar="ROUND", help="An earlier round.")
@operator_command
def report_command(round_id: int, output: str, by: str, earlier_id: int | None) -> None:
    # imported here: WeasyPrint takes a while to load and only this command needs it
    from survey.report.render import render_html, render_pdf

    report = make_report(_db(), operator(), round_id, by, compare=earlier_id, channel="report file")
    html = render_html(report)
    if output.endswith((".html", ".htm")):
        Path(output).write_text(html, encoding="utf-8")
    else:
        Path(output).write_bytes(render_pdf(html))
    click.echo(f"wrote the report of round {round_id} ({report.round_name}) to {output}", err=True)


@click.command(
    "report-pack",
    help="Order the round's report pack (the overall report and one per unit), wait until "
    "every report is made, and write them as one zip.",
)
@click.argument("round_id", metavar="ROUND", type=ID)
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False))
@click.option(
    "--jobs",
    type=click.IntRange(0, 64),
    help="Reports this command renders at once, each in a fresh process; 0 waits for "
    "`survey worker` processes.  [default: the WORKERS setting]",
)
@click.option(
    "--timeout",
    default=3600.0,
    show_default=True,
    type=click.FloatRange(1),
    help="Seconds to wait for the reports.",
)
@operator_command
def report_pack_command(round_id: int, output: str, jobs: int | None, timeout: float) -> None:
    from survey.workers import local
    from survey.workers.loop import Worker

    config, instance = current_app.config, current_app.instance_path
    cache = local.report_cache(config, instance)
    attempts = int(config["JOB_ATTEMPTS"])
    ordered = order_report_pack(_db(), operator(), round_id, max_attempts=attempts)
    ordered_now = pack_progress(_db(), operator(), round_id, cache, ordered.pack.id)
    count = len(ordered_now.reports) if ordered_now else 0
    click.echo(f"report pack {ordered.pack.id} of round {round_id}: {count} reports", err=True)
    concurrency = int(config["WORKERS"]) if jobs is None else jobs
    if concurrency > 0:
        options = local.options_of(config, concurrency=concurrency)
        Worker(local.setup_of(config, instance), options).run(drain=True)
    deadline = time.monotonic() + timeout
    while True:
        progress = pack_progress(_db(), operator(), round_id, cache, ordered.pack.id)
        assert progress is not None
        if progress.count("failed"):
            raise click.ClickException(
                f"{progress.count('failed')} report(s) of the pack failed; see the round's "
                "report pack page, or order it again"
            )
        if progress.done:
            break
        if time.monotonic() > deadline:
            raise click.ClickException(
                f"the reports were not made within {timeout:g} s: is `survey worker` running "
                f"against {config['DATABASE']}?"
            )
        time.sleep(0.5)
    zipped = pack_zip(_db(), operator(), round_id, cache, max_attempts=attempts)
    with _replacing(output) as file:
        for chunk in zipped.chunks:
            file.write(chunk)
    again = f"; {len(zipped.missing)} to be made again (see LES-MEG.txt)" if zipped.missing else ""
    click.echo(f"wrote {len(zipped.written)} reports to {output}{again}", err=True)


@click.command(
    "paper-form",
    help="Write a questionnaire as a printable paper form (PDF). QUESTIONNAIRE is a file or "
    "a published questionnaire's id; with --round, one personal form per invitation (address "
    "for a window envelope, return code, QR code of the web link), or the round's blank form "
    "if it has no invitations or --blank is given.",
)
@click.argument("questionnaire", required=False)
@click.option("--round", "round_id", type=ID, metavar="ROUND", help="The round to print for.")
@click.option("--blank", is_flag=True, help="With --round: one blank form, not one per person.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False))
@operator_command
def paper_form_command(
    questionnaire: str | None, round_id: int | None, blank: bool, output: str
) -> None:
    if questionnaire is None and round_id is None:
        raise click.UsageError("give a QUESTIONNAIRE (file or id), --round ROUND, or both")
    if blank and round_id is None:
        raise click.UsageError("--blank goes with --round (a questionnaire alone is blank)")
    if round_id is None:
        assert questionnaire is not None
        if Path(questionnaire).is_file():
            result = load_file(questionnaire)
            if result.questionnaire is None:
                for problem in result.errors:
                    click.echo(str(problem), err=True)
                raise click.ClickException(f"{questionnaire} has errors; nothing was written")
            pdf, what = questionnaire_form(result.questionnaire), "a blank form"
        else:
            version = latest_version(_db(), questionnaire)
            pdf, what = version_form(_db(), operator(), version.id), "a blank form"
    else:
        db = _db()
        round_ = get_round(db, round_id)
        own = questionnaire_of_version(db, round_.questionnaire_version_id).id
        named = questionnaire
        if questionnaire is not None and Path(questionnaire).is_file():
            given = load_file(questionnaire).questionnaire
            named = given.id if given is not None else questionnaire
        if named is not None and named != own:
            raise click.UsageError(f"round {round_id} is a round of {own}, not of {named}")
        invited = bool(list_invitations(db, round_id)) and not round_.anonymous
        if invited and not blank:
            pdf = personal_forms(db, operator(), round_id, current_app.config["BASE_URL"])
            what = f"{len(list_invitations(db, round_id))} personal forms"
        else:
            pdf, what = round_form(db, operator(), round_id), "a blank form"
    with _replacing(output) as file:
        file.write(pdf)
    click.echo(f"wrote {what} to {output}", err=True)


@round_group.command(
    "return-address",
    help="Set the address the round's paper forms are returned to (lines separated by '\\n' "
    "or ';'); an empty ADDRESS removes it. Without ADDRESS: print it.",
)
@click.argument("round_id", metavar="ROUND", type=ID)
@click.argument("address", required=False)
@operator_command
def round_return_address_command(round_id: int, address: str | None) -> None:
    if address is not None:
        lines = address.replace("\\n", "\n").replace(";", "\n")
        set_return_address(_db(), operator(), round_id, lines)
    click.echo(return_address(_db(), round_id) or "(none)")


@click.command("backup", help="Copy the database to FILE while the survey keeps running.")
@click.argument("path", metavar="FILE", type=click.Path())
@operator_command
def backup_command(path: str) -> None:
    copy = back_up(_db(), path)
    click.echo(
        f"backed up {current_app.config['DATABASE']} to {copy.path}: {copy.responses} responses "
        f"({copy.submitted} submitted), {copy.answers} answers, integrity ok"
    )


@click.command(
    "migrate-store",
    help="Copy a whole installation from FROM to TO (each a SQLite file or a postgresql:// "
    "URL), then check every table's rows and every round's export; TO must be empty.",
)
@click.argument("source", metavar="FROM")
@click.argument("target", metavar="TO")
@click.option("--quiet", is_flag=True, help="Print only the summary, not each table.")
def migrate_store_command(source: str, target: str, quiet: bool) -> None:
    say = None if quiet else (lambda line: click.echo(line, err=True))
    try:
        done = migrate_store(source, target, progress=say)
    except SurveyError as exc:
        raise click.ClickException(exc.message) from exc
    for line in done.mismatches:
        click.echo(f"mismatch: {line}", err=True)
    click.echo(
        f"{'copied' if done.ok else 'NOT copied'} {done.source} to {done.target}: "
        f"{len(done.tables)} tables, {done.rows:,} rows, the exports of {done.rounds} round(s) "
        f"compared, {done.seconds:.1f} s"
    )
    if not done.ok:
        raise click.ClickException(
            f"{len(done.mismatches)} difference(s) found; the copy was rolled back, TO is empty"
        )


@click.command("worker", help="Run queued jobs (report PDFs), each in a fresh process.")
@click.option(
    "--concurrency",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Jobs run at once (one process each); about one per core.",
)
@click.option("--once", is_flag=True, help="Stop when nothing is left to run now.")
@click.option("--max-jobs", type=click.IntRange(1), help="Stop after claiming this many jobs.")
@click.option(
    "--grace",
    default=30.0,
    show_default=True,
    type=click.FloatRange(0),
    help="Seconds a SIGTERM leaves running jobs to finish before they are handed back.",
)
@click.option(
    "--check",
    is_flag=True,
    help="Instead: queue a test job and wait until some worker has run it (exit 1 if none).",
)
@operator_command
def worker_command(
    concurrency: int, once: bool, max_jobs: int | None, grace: float, check: bool
) -> None:
    """Each job runs in a process of its own, so a render's memory and collector pause
    end with it; the first SIGTERM (or Ctrl-C) stops claiming and lets running jobs
    finish within --grace, a second hands them back to the queue at once."""
    from survey.workers import local
    from survey.workers.loop import Worker

    config, instance = current_app.config, current_app.instance_path
    if check:
        _check_workers(config, float(config["JOB_LEASE"]))
        return
    options = local.options_of(config, concurrency=concurrency, grace=grace)
    worker = Worker(local.setup_of(config, instance), options, say=click.echo)
    stops = 0

    def stop(_signal: int, _frame: Any) -> None:
        nonlocal stops
        stops += 1
        click.echo(f"worker {worker.id}: stopping" + (" now" if stops > 1 else ""), err=True)
        worker.stop(now=stops > 1)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    click.echo(f"worker {worker.id} on {config['DATABASE']}", err=True)
    ran = worker.run(drain=once, max_jobs=max_jobs)
    click.echo(f"worker {worker.id}: ran {ran} job(s)", err=True)


def _check_workers(config: Any, lease: float) -> None:
    """Queue a test job and wait (two leases and 5 s) until a worker has run it: an idle
    worker looks for jobs at least once a second, and a busy one within its lease."""
    from survey.storage.jobs import enqueue, get_job

    job = enqueue(_db(), "selftest", f"selftest:{secrets.token_hex(8)}", {}, max_attempts=1)
    waited, limit = 0.0, 2 * lease + 5
    while waited < limit:
        found = get_job(_db(), job.id)
        if found is not None and found.state in ("done", "failed"):
            if found.state == "failed":
                raise click.ClickException(f"the test job failed: {found.error}")
            click.echo(f"job {job.id} was run by worker {found.claimed_by} ({found.result})")
            return
        time.sleep(0.2)
        waited += 0.2
    raise click.ClickException(
        f"no worker ran the test job within {limit:g} s: is `survey worker` running "
        f"against {config['DATABASE']}?"
    )


@click.group("user", help="Secretariat accounts.")
def user_group() -> None:
    pass


@user_group.command("add", help="Add an account; the password is asked for (or SURVEY_PASSWORD).")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice(ROLES), help="What the account may do.")
@click.option("--unit", "units", multiple=True, help="A unit leader's unit (repeatable).")
@click.password_option(envvar="SURVEY_PASSWORD", help="At least 12 characters.")
@operator_command
def user_add_command(email: str, role: str, units: tuple[str, ...], password: str) -> None:
    account = add_account(_db(), operator(), email, password, role, units)
    where = f" for {', '.join(account.units)}" if account.units else ""
    click.echo(f"added {account.email} as {account.role}{where}")


@user_group.command("disable", help="Disable an account: no more sign-ins, its sessions end.")
@click.argument("email")
@operator_command
def user_disable_command(email: str) -> None:
    account = disable_account(_db(), operator(), email)
    click.echo(f"disabled {account.email}; every session of it has ended")


@user_group.command("enable", help="Let a disabled account sign in again.")
@click.argument("email")
@operator_command
def user_enable_command(email: str) -> None:
    account = enable_account(_db(), operator(), email)
    click.echo(f"enabled {account.email} ({account.role})")


@user_group.command("role", help="Give an account another role (and a unit leader's units).")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice(ROLES), help="What the account may do.")
@click.option("--unit", "units", multiple=True, help="A unit leader's unit (repeatable).")
@operator_command
def user_role_command(email: str, role: str, units: tuple[str, ...]) -> None:
    account = change_role(_db(), operator(), email, role, units)
    where = f" for {', '.join(account.units)}" if account.units else ""
    click.echo(f"{account.email} is now {account.role}{where}")


@user_group.command("list", help="Every account: role, units, enabled or not, last sign-in.")
@operator_command
def user_list_command() -> None:
    for entry in list_accounts(_db(), operator()):
        account = entry.account
        state = "enabled" if entry.active else f"disabled {entry.disabled_at}"
        last = f"last signed in {entry.last_sign_in}" if entry.last_sign_in else "never signed in"
        units = f" ({', '.join(account.units)})" if account.units else ""
        click.echo(f"{account.email}\t{account.role}{units}\t{state}\t{last}")


@user_group.command(
    "password", help="Set a new password (asked for, or SURVEY_PASSWORD); sessions end."
)
@click.argument("email")
@click.password_option(envvar="SURVEY_PASSWORD", help="At least 12 characters.")
@operator_command
def user_password_command(email: str, password: str) -> None:
    account = change_password(_db(), operator(), email, password)
    click.echo(f"changed the password of {account.email}; every session of it has ended")


@click.command("config", help="Print the effective settings and where each came from.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    help="One line per setting, or JSON for scripts.",
)
@with_appcontext
def config_command(fmt: str) -> None:
    """Secrets are masked in both formats: the output is meant to be pasted into a ticket."""
    resolved = current_app.extensions["survey_settings"]
    rows = [
        {
            "name": s.name,
            "env": s.env,
            "value": shown(s, current_app.config.get(s.name)),
            "source": resolved[s.name].source,
        }
        for s in SETTINGS
    ]
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    width = max(len(row["name"]) for row in rows)
    value_width = max(len(row["value"]) for row in rows)
    for row in rows:
        click.echo(f"{row['name']:<{width}}  {row['value']:<{value_width}}  {row['source']}")


COMMANDS = (
    run_command,  # in place of Flask's: links follow the address served
    serve_command,
    validate_command,
    schema_command,
    show_command,
    init_db_command,
    load_command,
    round_group,
    invite_command,
    links_command,
    codes_command,
    send_command,
    demo_command,
    import_command,
    export_command,
    backup_command,
    migrate_store_command,
    worker_command,
    scores_command,
    report_command,
    report_pack_command,
    paper_form_command,
    user_group,
    config_command,
)


def _create_app() -> Any:
    from survey.web import create_app

    try:
        return create_app()
    except SettingError as error:  # a wrong setting is the operator's to fix: no traceback
        raise click.ClickException(str(error)) from None


main = FlaskGroup(
    name="survey",
    create_app=_create_app,
    add_version_option=False,
    add_default_commands=True,
    help="Questionnaire engine for municipal quality work.",
)
for _command in COMMANDS:
    main.add_command(_command)

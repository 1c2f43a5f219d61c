"""Schema changes as an ordered list of named steps, each applied once.

Every step runs in its own transaction together with the row that records it, so a crash
half-way leaves the database at the previous step, never in between. Steps are never
edited once released; a change is a new step."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from survey.storage.store import Store, postgres_ddl

Step = Callable[[Store], None]
STEPS: list[tuple[str, Step]] = []


def step(name: str) -> Callable[[Step], Step]:
    def register(fn: Step) -> Step:
        STEPS.append((name, fn))
        return fn

    return register


@step("0001_initial")
def _initial(db: Store) -> None:
    _script(
        db,
        """
        CREATE TABLE questionnaire_versions (
            id INTEGER PRIMARY KEY,
            questionnaire_id TEXT NOT NULL,
            version TEXT NOT NULL,
            sha256 TEXT NOT NULL UNIQUE,
            source TEXT NOT NULL,
            file_name TEXT NOT NULL,
            published_at TEXT NOT NULL
        );
        CREATE TABLE rounds (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            questionnaire_version_id INTEGER NOT NULL REFERENCES questionnaire_versions(id),
            anonymous INTEGER NOT NULL DEFAULT 0 CHECK (anonymous IN (0, 1)),
            min_group_size INTEGER NOT NULL DEFAULT 5 CHECK (min_group_size >= 1),
            closes_on TEXT,
            closed_at TEXT,
            open_token TEXT UNIQUE,
            allow_changes INTEGER NOT NULL DEFAULT 1 CHECK (allow_changes IN (0, 1)),
            created_at TEXT NOT NULL
        );
        CREATE TABLE invitations (
            id INTEGER PRIMARY KEY,
            round_id INTEGER NOT NULL REFERENCES rounds(id),
            token TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL,
            email TEXT NOT NULL,
            role TEXT NOT NULL,
            unit TEXT NOT NULL,
            attributes TEXT NOT NULL DEFAULT '{}',
            created_at TEXT NOT NULL,
            UNIQUE (round_id, email)
        );
        CREATE TABLE responses (
            id INTEGER PRIMARY KEY,
            round_id INTEGER NOT NULL REFERENCES rounds(id),
            invitation_id INTEGER UNIQUE REFERENCES invitations(id),
            session_key TEXT UNIQUE,
            role TEXT,
            unit TEXT,
            attributes TEXT NOT NULL DEFAULT '{}',
            page INTEGER NOT NULL DEFAULT 0,
            submitted INTEGER NOT NULL DEFAULT 0 CHECK (submitted IN (0, 1)),
            started_on TEXT NOT NULL,
            submitted_on TEXT
        );
        CREATE INDEX responses_round ON responses(round_id);
        -- Long format: one row per answered item; a multiple choice has one row per code.
        -- No secondary index on item: scoring reads whole rounds, and such an index costs
        -- most of the insert speed (see the performance issue).
        CREATE TABLE answers (
            response_id INTEGER NOT NULL REFERENCES responses(id) ON DELETE CASCADE,
            item TEXT NOT NULL,
            code TEXT NOT NULL DEFAULT '',
            number REAL,
            text TEXT,
            PRIMARY KEY (response_id, item, code)
        ) WITHOUT ROWID;
        """,
    )


@step("0002_accounts")
def _accounts(db: Store) -> None:
    _script(
        db,
        """
        CREATE TABLE users (
            id INTEGER PRIMARY KEY,
            email TEXT NOT NULL UNIQUE,
            password_hash TEXT NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('admin', 'analyst', 'unit-leader')),
            units TEXT NOT NULL DEFAULT '[]',
            failed_sign_ins INTEGER NOT NULL DEFAULT 0,
            locked_until TEXT,
            created_at TEXT NOT NULL
        );
        -- Who did what and when; never updated or deleted by the application.
        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            detail TEXT NOT NULL DEFAULT ''
        );
        """,
    )


@step("0003_mailings")
def _mailings(db: Store) -> None:
    """What was sent to whom: invitations and reminders, and bounces reported back."""
    _script(
        db,
        """
        CREATE TABLE mailings (
            id INTEGER PRIMARY KEY,
            invitation_id INTEGER NOT NULL REFERENCES invitations(id),
            kind TEXT NOT NULL CHECK (kind IN ('invitation', 'reminder')),
            sent_at TEXT,
            error TEXT,
            bounced INTEGER NOT NULL DEFAULT 0 CHECK (bounced IN (0, 1))
        );
        CREATE INDEX mailings_invitation ON mailings(invitation_id);
        CREATE TABLE mail_templates (
            round_id INTEGER NOT NULL REFERENCES rounds(id),
            kind TEXT NOT NULL CHECK (kind IN ('invitation', 'reminder')),
            subject TEXT NOT NULL,
            body TEXT NOT NULL,
            PRIMARY KEY (round_id, kind)
        );
        """,
    )


@step("0004_measures")
def _measures(db: Store) -> None:
    """Follow-up (oppfølging): what a unit will do about an index below its target."""
    _script(
        db,
        """
        CREATE TABLE measures (
            id INTEGER PRIMARY KEY,
            round_id INTEGER NOT NULL REFERENCES rounds(id),
            unit TEXT NOT NULL,
            index_id TEXT NOT NULL,
            what TEXT NOT NULL,
            who TEXT NOT NULL,
            due TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'planlagt'
                CHECK (status IN ('planlagt', 'i gang', 'gjennomført', 'avbrutt')),
            created_by TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE INDEX measures_round ON measures(round_id, unit);
        """,
    )


@step("0005_mail_batches")
def _mail_batches(db: Store) -> None:
    """The mail batch being sent for a round, if any: one at a time, so two people pressing
    "Send" together cannot mail anyone twice."""
    _script(
        db,
        """
        CREATE TABLE mail_batches (
            round_id INTEGER PRIMARY KEY REFERENCES rounds(id),
            claim TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('invitation', 'reminder')),
            started_at TEXT NOT NULL,
            touched_at TEXT NOT NULL
        );
        """,
    )


@step("0006_sessions")
def _sessions(db: Store) -> None:
    """Secretariat sign-ins held on the server, so that signing out, a password change or
    disabling an account can end them: the cookie carries only a random id, stored here
    hashed. Disabled accounts are kept (the audit log names them) but can do nothing."""
    _script(
        db,
        """
        ALTER TABLE users ADD COLUMN disabled_at TEXT;
        CREATE TABLE sessions (
            id_hash TEXT PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(id),
            created_at TEXT NOT NULL,
            last_seen TEXT NOT NULL
        );
        CREATE INDEX sessions_user ON sessions(user_id);
        """,
    )


@step("0007_declared_breakdowns")
def _declared_breakdowns(db: Store) -> None:
    """The breakdowns a round's figures may be released by, as the secretariat declared
    them: a JSON list of lists of dimension names; NULL until declared (the default set of
    ``operations.results.declared_breakdowns`` applies)."""
    _script(db, "ALTER TABLE rounds ADD COLUMN breakdowns TEXT")


@step("0008_access_codes")
def _access_codes(db: Store) -> None:
    """One-time codes of anonymous rounds: only a digest of each code is kept. A code's
    response is the one whose session key is ``code:<id>``, so answering needs no
    column here and "used" is whether that response is submitted."""
    _script(
        db,
        """
        CREATE TABLE access_codes (
            id INTEGER PRIMARY KEY,
            round_id INTEGER NOT NULL REFERENCES rounds(id),
            digest TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL
        );
        CREATE INDEX access_codes_round ON access_codes(round_id)
        """,
    )


@step("0009_releases")
def _releases(db: Store) -> None:
    """The release ledger: every time figures of a round leave the system for someone who
    may not read raw responses, what was shown (measure, group, statistic, value), to whom,
    by which channel and when. Append-only: a release cannot be taken back."""
    _script(
        db,
        """
        CREATE TABLE releases (
            id INTEGER PRIMARY KEY,
            round_id INTEGER NOT NULL REFERENCES rounds(id),
            released_at TEXT NOT NULL,
            account TEXT NOT NULL,
            channel TEXT NOT NULL,
            breakdown TEXT NOT NULL,
            unit TEXT,
            responses INTEGER NOT NULL
        );
        CREATE INDEX releases_round ON releases(round_id);
        CREATE TABLE released_figures (
            release_id INTEGER NOT NULL REFERENCES releases(id),
            measure TEXT NOT NULL,
            grp TEXT NOT NULL,
            statistic TEXT NOT NULL,
            value REAL NOT NULL
        );
        CREATE INDEX released_figures_release ON released_figures(release_id)
        """,
    )


@step("0010_snapshots")
def _snapshots(db: Store) -> None:
    """Snapshots: the frozen states of a round that figures are released from.

    A response's ``revision`` grows with every change to it, so a (response, revision)
    pair names one version of it. A snapshot is a list of such pairs; each version that
    enters a snapshot is copied once (``response_versions`` with its group values, and
    ``version_answers``), so the figures of a snapshot can be read again after the
    response changed, and a snapshot costs a row per response. Releases name the snapshot
    their figures came from."""
    _script(
        db,
        """
        ALTER TABLE responses ADD COLUMN revision INTEGER NOT NULL DEFAULT 1;
        CREATE TABLE snapshots (
            id INTEGER PRIMARY KEY,
            round_id INTEGER NOT NULL REFERENCES rounds(id),
            taken_at TEXT NOT NULL,
            final INTEGER NOT NULL DEFAULT 0 CHECK (final IN (0, 1))
        );
        CREATE INDEX snapshots_round ON snapshots(round_id);
        CREATE TABLE response_versions (
            response_id INTEGER NOT NULL REFERENCES responses(id) ON DELETE CASCADE,
            revision INTEGER NOT NULL,
            round_id INTEGER NOT NULL REFERENCES rounds(id),
            invitation_id INTEGER,
            role TEXT,
            unit TEXT,
            attributes TEXT NOT NULL DEFAULT '{}',
            started_on TEXT NOT NULL,
            submitted_on TEXT,
            PRIMARY KEY (response_id, revision)
        ) WITHOUT ROWID;
        CREATE INDEX response_versions_round ON response_versions(round_id);
        CREATE TABLE version_answers (
            response_id INTEGER NOT NULL,
            revision INTEGER NOT NULL,
            item TEXT NOT NULL,
            code TEXT NOT NULL DEFAULT '',
            number REAL,
            text TEXT,
            PRIMARY KEY (response_id, revision, item, code),
            FOREIGN KEY (response_id, revision)
                REFERENCES response_versions(response_id, revision) ON DELETE CASCADE
        ) WITHOUT ROWID;
        CREATE TABLE snapshot_members (
            snapshot_id INTEGER NOT NULL REFERENCES snapshots(id),
            response_id INTEGER NOT NULL,
            revision INTEGER NOT NULL,
            PRIMARY KEY (snapshot_id, response_id),
            FOREIGN KEY (response_id, revision) REFERENCES response_versions(response_id, revision)
        ) WITHOUT ROWID;
        ALTER TABLE releases ADD COLUMN snapshot_id INTEGER REFERENCES snapshots(id)
        """,
    )


@step("0011_questionnaire_drafts")
def _questionnaire_drafts(db: Store) -> None:
    """Questionnaires being written in the browser: the YAML text as last saved, so a
    reload or an ended session loses nothing. A draft is never a published version: it
    becomes one through the same publishing as an uploaded file (``published_version_id``
    then names the latest version it became)."""
    _script(
        db,
        """
        CREATE TABLE questionnaire_drafts (
            id INTEGER PRIMARY KEY,
            questionnaire_id TEXT NOT NULL,
            source TEXT NOT NULL,
            copied_from TEXT NOT NULL,
            created_by TEXT NOT NULL,
            created_at TEXT NOT NULL,
            saved_at TEXT NOT NULL,
            published_version_id INTEGER REFERENCES questionnaire_versions(id)
        )
        """,
    )


@step("0012_response_channel")
def _response_channel(db: Store) -> None:
    """Which way each response came in (``web``, ``paper`` typed in by the secretariat,
    ``import`` from a file), so one person's paper form and web answers are never mixed up.

    Existing responses: ``import`` for those an import made (an anonymous import's key
    starts with ``import:``; an invited one was stored at page 0, which a web save never
    writes: its pages count from 1), ``web`` for the rest. A snapshot's version keeps its
    channel too, so figures by channel come from the snapshot like every other figure.

    ``set_aside``: answers on a returned form to questions the form said to skip, as the
    (item, code, number, text) rows ``answers`` would hold, in JSON. They sit beside the
    response, not in ``answers``, because everything that scores, snapshots, exports or
    shows a respondent their answers reads ``answers``: a flag there would have to be
    filtered by every one of those readers, and one forgotten filter would score them.

    ``held_responses``: one person's answers by another channel while the secretariat
    chooses (``operations.channels``). The response in ``responses`` is the one that
    counts; the held one waits beside it, and after the choice the one not chosen stays
    here (``chosen``), so neither a web respondent's nor a paper form's answers are lost."""
    _script(
        db,
        """
        ALTER TABLE responses ADD COLUMN channel TEXT NOT NULL DEFAULT 'web'
            CHECK (channel IN ('web', 'paper', 'import'));
        ALTER TABLE responses ADD COLUMN set_aside TEXT NOT NULL DEFAULT '[]';
        UPDATE responses SET channel = 'import'
            WHERE session_key LIKE 'import:%' OR (invitation_id IS NOT NULL AND page = 0
            AND submitted = 1);
        ALTER TABLE response_versions ADD COLUMN channel TEXT NOT NULL DEFAULT 'web';
        UPDATE response_versions SET channel = coalesce(
            (SELECT r.channel FROM responses r WHERE r.id = response_versions.response_id),
            'web');
        CREATE TABLE held_responses (
            id INTEGER PRIMARY KEY,
            round_id INTEGER NOT NULL REFERENCES rounds(id),
            invitation_id INTEGER NOT NULL REFERENCES invitations(id),
            channel TEXT NOT NULL CHECK (channel IN ('web', 'paper', 'import')),
            role TEXT,
            unit TEXT,
            attributes TEXT NOT NULL DEFAULT '{}',
            answers TEXT NOT NULL DEFAULT '[]',
            set_aside TEXT NOT NULL DEFAULT '[]',
            page INTEGER NOT NULL DEFAULT 0,
            submitted INTEGER NOT NULL DEFAULT 0 CHECK (submitted IN (0, 1)),
            arrived_on TEXT NOT NULL,
            chosen TEXT CHECK (chosen IN ('held', 'counted')),
            chosen_by TEXT,
            chosen_at TEXT
        );
        CREATE INDEX held_responses_round ON held_responses(round_id, invitation_id)
        """,
    )


@step("0013_return_codes")
def _return_codes(db: Store) -> None:
    """Personal paper forms: each invitation's round-local number, printed with a check
    digit as the form's return code (``survey/return_codes.py``) and typed in when the form
    comes back; a number, once given, is never given to anyone else. And the address a
    round's paper forms are returned to, printed on every form of the round."""
    _script(
        db,
        """
        CREATE TABLE return_codes (
            round_id INTEGER NOT NULL REFERENCES rounds(id),
            number INTEGER NOT NULL,
            invitation_id INTEGER NOT NULL UNIQUE REFERENCES invitations(id),
            PRIMARY KEY (round_id, number)
        ) WITHOUT ROWID;
        CREATE TABLE return_addresses (
            round_id INTEGER PRIMARY KEY REFERENCES rounds(id),
            address TEXT NOT NULL
        )
        """,
    )


@step("0015_jobs")
def _jobs(db: Store) -> None:
    """The durable queue of work that leaves the web process (reports, later mail): one
    row per job, claimed by one worker at a time under a lease that its heartbeats extend,
    so a job whose worker died is taken up again (``storage/jobs.py``). ``job_key`` makes
    asking twice for the same thing one job. ``workers`` holds each worker's last sign of
    life, for the health check. Times are ``db.stamp`` text, so text order is time order."""
    _script(
        db,
        """
        CREATE TABLE jobs (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,
            job_key TEXT NOT NULL UNIQUE,
            payload TEXT NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed')),
            attempts INTEGER NOT NULL DEFAULT 0,
            max_attempts INTEGER NOT NULL,
            run_after TEXT NOT NULL,
            claimed_by TEXT,
            lease_until TEXT,
            heartbeat_at TEXT,
            progress_done INTEGER NOT NULL DEFAULT 0,
            progress_total INTEGER NOT NULL DEFAULT 0,
            progress_text TEXT NOT NULL DEFAULT '',
            result TEXT,
            error TEXT,
            created_at TEXT NOT NULL,
            started_at TEXT,
            finished_at TEXT
        );
        CREATE INDEX jobs_ready ON jobs(state, run_after);
        CREATE TABLE workers (
            id TEXT PRIMARY KEY,
            host TEXT NOT NULL,
            pid INTEGER NOT NULL,
            started_at TEXT NOT NULL,
            heartbeat_at TEXT NOT NULL,
            stopped_at TEXT
        )
        """,
    )


@step("0016_figure_positions")
def _figure_positions(db: Store) -> None:
    """The order a release's figures were recorded in, which SQLite kept as the rowid and
    PostgreSQL keeps nowhere: text sets are read back in it."""
    _script(db, "ALTER TABLE released_figures ADD COLUMN position INTEGER NOT NULL DEFAULT 0")
    if db.sql.name == "sqlite":
        db.execute("UPDATE released_figures SET position = rowid")


@step("0017_double_entry")
def _double_entry(db: Store) -> None:
    """Double entry of returned paper forms: a round in ``double_entry_rounds`` has each
    form typed in twice, by two accounts, before it becomes a response.

    ``paper_keyings`` holds a keying that is not a response yet: the first of a form, or
    both when the second differed, until the two agree or the differences are resolved;
    then the response is stored by the import's store and the keyings are deleted. They sit
    apart from ``responses`` and ``held_responses`` for the same reason as ``set_aside``
    (0012): everything that scores, snapshots, exports, counts rates or reminds reads
    those, and a keying that is still to be checked must reach none of them. ``typed`` is
    what was typed, by field name, in JSON: the data-entry page's own fields, so a keying
    is compared and shown as it was keyed."""
    _script(
        db,
        """
        CREATE TABLE double_entry_rounds (
            round_id INTEGER PRIMARY KEY REFERENCES rounds(id),
            turned_on_by TEXT NOT NULL,
            turned_on_at TEXT NOT NULL
        );
        CREATE TABLE paper_keyings (
            id INTEGER PRIMARY KEY,
            round_id INTEGER NOT NULL REFERENCES rounds(id),
            invitation_id INTEGER NOT NULL REFERENCES invitations(id),
            typed TEXT NOT NULL,
            keyed_by TEXT NOT NULL,
            keyed_at TEXT NOT NULL
        );
        CREATE INDEX paper_keyings_invitation ON paper_keyings(invitation_id)
        """,
    )


@step("0018_report_packs")
def _report_packs(db: Store) -> None:
    """Report packs: one report per unit of a round plus the overall one, ordered at once
    (``operations/report_packs.py``). A pack names its reports (``report_pack_entries``:
    the unit, NULL for the overall report, and the breakdown) and the job making each, so
    its progress is read from the jobs' rows alone. ``job_key`` follows the report when it
    has to be made again (figures moved on), without a foreign key: done jobs are purged."""
    _script(
        db,
        """
        CREATE TABLE report_packs (
            id INTEGER PRIMARY KEY,
            round_id INTEGER NOT NULL REFERENCES rounds(id),
            ordered_by TEXT NOT NULL,
            ordered_at TEXT NOT NULL
        );
        CREATE INDEX report_packs_round ON report_packs(round_id);
        CREATE TABLE report_pack_entries (
            pack_id INTEGER NOT NULL REFERENCES report_packs(id),
            position INTEGER NOT NULL,
            unit TEXT,
            breakdown TEXT NOT NULL,
            job_key TEXT NOT NULL,
            PRIMARY KEY (pack_id, position)
        )
        """,
    )


def _script(db: Store, sql: str) -> None:
    """Run statements one by one: sqlite3's executescript would commit the open
    transaction first and so break the step's atomicity. Written in SQLite's DDL, read
    by PostgreSQL through ``store.postgres_ddl``."""
    for statement in sql.split(";\n"):
        if statement.strip():
            db.execute(statement if db.sql.name == "sqlite" else postgres_ddl(statement))


def migrate(db: Store) -> list[str]:
    """Apply pending steps; returns the names applied (empty when up to date)."""
    if not db.table_exists("_migrations"):  # checked first: an up-to-date database is only read
        db.execute(
            "CREATE TABLE IF NOT EXISTS _migrations "
            "(name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
        )
    done = {row[0] for row in db.execute("SELECT name FROM _migrations").fetchall()}
    applied = []
    for name, fn in STEPS:
        if name in done:
            continue
        with db.writing():
            if db.execute("SELECT 1 FROM _migrations WHERE name = ?", [name]).fetchone():
                continue  # another process got there first
            fn(db)
            db.execute(
                "INSERT INTO _migrations (name, applied_at) VALUES (?, ?)",
                [name, datetime.now(UTC).isoformat(timespec="seconds")],
            )
        applied.append(name)
    return applied


@dataclass(frozen=True)
class SchemaState:
    """How the database's schema compares with this code's steps: ``pending`` steps not yet
    applied (run ``survey init-db``), ``unknown`` steps applied by a newer release."""

    pending: tuple[str, ...]
    unknown: tuple[str, ...]

    @property
    def current(self) -> bool:
        return not self.pending and not self.unknown


def schema_state(db: Store) -> SchemaState:
    """Read-only, one small table: what the health check asks on every probe."""
    if not db.table_exists("_migrations"):
        applied: set[str] = set()
    else:
        applied = {row[0] for row in db.execute("SELECT name FROM _migrations").fetchall()}
    known = [name for name, _ in STEPS]
    return SchemaState(
        pending=tuple(name for name in known if name not in applied),
        unknown=tuple(sorted(applied - set(known))),
    )

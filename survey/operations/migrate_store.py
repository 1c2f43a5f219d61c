"""Moving a whole installation to another store: SQLite to PostgreSQL, or back.

The copy is one transaction on the target, checked before it commits: every table's row
count and digest must equal the source's (``storage.store_copy``), and every round's
export must be the same bytes from both, which also proves that what the product reads
back (answers decoded, people joined) is unchanged, not only the rows. Anything that
fails or differs rolls the target back to empty, so the command can simply be run again.

The source is read inside one read transaction, so the copy is of one state even if
someone is still answering; stop the web processes and workers first all the same, or
what they write after that state stays behind (docs/deployment.md). Neither end's audit
log gains an entry: the copy must equal the source, and the audit log is one of the
tables compared. Like ``survey backup``, this is the operator's act on the files, not an
account's act in the survey.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from survey.errors import Conflict, SurveyError
from survey.responses_csv import export_csv
from survey.storage import store_copy
from survey.storage.migrations import migrate
from survey.storage.questionnaires import questionnaire_of_version
from survey.storage.responses import submitted_responses
from survey.storage.rounds import get_round, list_rounds
from survey.storage.store import Store


@dataclass(frozen=True)
class Migration:
    """What was copied (rows per table, in the order copied), how long it took, and every
    difference the check found (none: the copy was committed; any: it was rolled back)."""

    source: str
    target: str
    tables: list[store_copy.Copied]
    rounds: int
    seconds: float
    mismatches: list[str] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(table.rows for table in self.tables)

    @property
    def ok(self) -> bool:
        return not self.mismatches


class _Differs(Exception):
    """Raised inside the target's transaction to roll it back."""


def migrate_store(
    source_location: str,
    target_location: str,
    *,
    progress: Callable[[str], None] | None = None,
) -> Migration:
    """Copy the survey database at ``source_location`` (current schema) into the one at
    ``target_location`` (migrated here to the current schema, and empty), then check it."""
    say = progress or (lambda _line: None)
    started = time.perf_counter()
    source = store_copy.open_source(source_location)
    try:
        target = store_copy.open_target(target_location)
    except BaseException:
        source.close()
        raise
    try:
        if source.location == target.location:
            raise Conflict("FROM and TO are the same database; give another TO")
        with source.reading():
            tables = store_copy.survey_tables(source)
            _refuse_rows(target, [t.name for t in tables])
            migrate(target)
            _same_tables(tables, store_copy.survey_tables(target))
            copied: list[store_copy.Copied] = []
            mismatches: list[str] = []
            try:
                with target.writing():
                    _refuse_rows(target, [t.name for t in tables])  # nobody got there since
                    for table in tables:
                        copied.append(store_copy.copy_table(source, target, table))
                        say(f"copied {table.name}: {copied[-1].rows:,} rows")
                    store_copy.reset_identities(target)
                    mismatches = _compare(source, target, tables, copied, say)
                    if mismatches:
                        raise _Differs
            except _Differs:
                pass
            rounds = len(list_rounds(source))
    finally:
        source.close()
        target.close()
    return Migration(
        store_copy.shown(source_location),
        store_copy.shown(target_location),
        copied,
        rounds,
        round(time.perf_counter() - started, 2),
        mismatches,
    )


def _refuse_rows(target: Store, names: list[str]) -> None:
    found = store_copy.first_with_rows(target, names)
    if found is not None:
        raise Conflict(
            f"TO already holds data (table {found} has rows); migrate-store copies into an "
            "empty database only, and nothing was written"
        )


def _same_tables(source: list[store_copy.Table], target: list[store_copy.Table]) -> None:
    """Both at the current schema, so the same tables and columns; anything else (a table
    made by hand in one of them) is refused rather than half copied."""
    theirs = {t.name: t.columns for t in target}
    differ = [t.name for t in source if theirs.get(t.name) != t.columns]
    differ += sorted(set(theirs) - {t.name for t in source})
    if differ:
        raise Conflict(
            f"FROM and TO differ in the tables {', '.join(differ)} although both are at "
            "the current schema; nothing was written"
        )


def _compare(
    source: Store,
    target: Store,
    tables: list[store_copy.Table],
    copied: list[store_copy.Copied],
    say: Callable[[str], None],
) -> list[str]:
    """Every difference between what was read and what the target now holds."""
    mismatches = []
    for table, read in zip(tables, copied, strict=True):
        held = store_copy.table_digest(target, table)
        if held.rows != read.rows:
            mismatches.append(f"table {table.name}: {read.rows} rows in FROM, {held.rows} in TO")
        elif held.digest != read.digest:
            mismatches.append(f"table {table.name}: the rows differ (same count, {read.rows})")
    say(f"compared {len(tables)} tables")
    for round_ in list_rounds(source):
        try:
            same = export_of(source, round_.id) == export_of(target, round_.id)
        except SurveyError as exc:
            same = False
            mismatches.append(f"round {round_.id}: no export from TO ({exc.message})")
        else:
            if not same:
                mismatches.append(f"round {round_.id}: the exports differ")
    say("compared every round's export")
    return mismatches


def export_of(db: Store, round_id: int) -> bytes:
    """The round's CSV export as ``survey export -o FILE`` writes it (without its audit
    entry: reading for a check is no export)."""
    round_ = get_round(db, round_id)
    questionnaire = questionnaire_of_version(db, round_.questionnaire_version_id)
    rows = submitted_responses(db, questionnaire, round_id)
    return export_csv(questionnaire, rows, identity=not round_.anonymous, excel=True)

"""`survey backup`: a consistent, checked copy of the whole installation as one SQLite file,
whichever store it runs on.

SQLite: the online backup API (``storage.backup``). PostgreSQL: the installation is copied
into a new SQLite file through the same path ``survey migrate-store`` takes (one snapshot
of the source, every table's rows and every round's export compared before the copy is
kept), so a backup of either store is the same kind of file, restored the same way: as
the database of a one-machine installation, or into an empty PostgreSQL database with
``survey migrate-store BACKUP postgresql://…``. A managed PostgreSQL's own backups
(point-in-time recovery) remain the first line; this is the copy a secretariat can hold.
"""

from __future__ import annotations

from pathlib import Path

from survey.errors import Unavailable
from survey.operations.migrate_store import migrate_store
from survey.storage.backup import BackupSummary, backup_database, finished, partial_file
from survey.storage.store import SqliteStore, Store


def back_up(db: Store, target: str | Path) -> BackupSummary:
    if isinstance(db, SqliteStore):
        return backup_database(db, target)
    partial = partial_file(db, target)
    try:
        copied = migrate_store(db.location, str(partial))
        if not copied.ok:
            raise Unavailable(
                "the copy differed from the database, nothing written: "
                + "; ".join(copied.mismatches[:3])
            )
    except BaseException:
        for leftover in (partial, *partial.parent.glob(partial.name + "-*")):
            leftover.unlink(missing_ok=True)
        raise
    for leftover in partial.parent.glob(partial.name + "-*"):  # -wal, -shm
        leftover.unlink(missing_ok=True)
    return finished(partial, Path(target))

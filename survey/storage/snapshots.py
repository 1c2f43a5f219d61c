"""Snapshots of a round: which version of which response its released figures count.

Figures are released from snapshots, not from the live responses, so that the same report
read just before and just after one submission shows the same figures (docs/
confidentiality.md, attack 4). A snapshot is a set of (response, revision) pairs; the
versions in it are copied the first time a snapshot takes them (``response_versions``,
``version_answers``), with the group values the response had then, so a snapshot reads the
same however its responses change later. Which pairs a new snapshot takes is decided
outside (``operations.snapshots``); this module only stores and reads them."""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from survey.errors import Conflict
from survey.gc_pause import paused_gc
from survey.questionnaire.model import Questionnaire
from survey.records import ScoredRespondent
from survey.scoring.rates import Invited
from survey.storage.db import snapshot
from survey.storage.responses import decoded_by_response
from survey.storage.store import Store

Members = dict[int, int]
"""A snapshot's responses: response id -> the revision it counts."""

Groups = dict[str, str | None]


@dataclass(frozen=True)
class Snapshot:
    id: int
    round_id: int
    taken_at: str  # UTC, ISO 8601, seconds
    final: bool  # taken after the round closed


class StaleSnapshot(Conflict):
    """What a snapshot or a release was decided on changed before it was stored: a response
    changed, another snapshot was taken, or figures were released. Decided again, it holds.
    """

    title_nb = "Tallene ble oppdatert"
    default_nb = "Tallene ble oppdatert mens du ventet. Prøv igjen."


def _attributes(db: Store) -> str:
    """A response's group attributes: its invitation's, with what the respondent stated
    laid over them."""
    return db.sql.json_merge("coalesce(i.attributes, '{}')", "r.attributes")


def latest_snapshot_id(db: Store, round_id: int) -> int | None:
    row = db.execute("SELECT max(id) FROM snapshots WHERE round_id = ?", [round_id]).fetchone()
    return row[0]


def latest_snapshot(db: Store, round_id: int) -> Snapshot | None:
    row = db.execute(
        "SELECT id, round_id, taken_at, final FROM snapshots WHERE round_id = ? "
        "ORDER BY id DESC LIMIT 1",
        [round_id],
    ).fetchone()
    return Snapshot(row[0], row[1], row[2], bool(row[3])) if row else None


def get_snapshot(db: Store, snapshot_id: int) -> Snapshot:
    row = db.execute(
        "SELECT id, round_id, taken_at, final FROM snapshots WHERE id = ?", [snapshot_id]
    ).fetchone()
    return Snapshot(row[0], row[1], row[2], bool(row[3]))


def live_members(db: Store, round_id: int) -> Members:
    """The round's submitted responses now, each at its current revision."""
    return dict(
        db.execute(
            "SELECT id, revision FROM responses WHERE round_id = ? AND submitted = 1",
            [round_id],
        ).fetchall()
    )


def members_of(db: Store, snapshot_id: int) -> Members:
    return dict(
        db.execute(
            "SELECT response_id, revision FROM snapshot_members WHERE snapshot_id = ?",
            [snapshot_id],
        ).fetchall()
    )


def version_groups(db: Store, round_id: int) -> dict[tuple[int, int], tuple[Groups, str | None]]:
    """The group values of every version of the round's responses that a snapshot took or
    could take now (the submitted ones at their current revision), and the day each was
    first sent in: the groups released figures are counted over."""
    found: dict[tuple[int, int], tuple[Groups, str | None]] = {}
    parsed: dict[str, dict[str, str]] = {}
    rows = db.execute(
        "SELECT response_id, revision, role, unit, attributes, submitted_on "
        "FROM response_versions WHERE round_id = ? UNION ALL "
        "SELECT r.id, r.revision, r.role, coalesce(r.unit, i.unit), "
        f"{_attributes(db)}, r.submitted_on "
        "FROM responses r LEFT JOIN invitations i ON i.id = r.invitation_id "
        "WHERE r.round_id = ? AND r.submitted = 1",
        [round_id, round_id],
    )
    with paused_gc():
        for response_id, revision, role, unit, attributes, day in rows:
            if attributes not in parsed:
                parsed[attributes] = json.loads(attributes)
            groups: Groups = {"role": role, "unit": unit, **parsed[attributes]}
            found[(response_id, revision)] = (groups, day)
    return found


def invitation_groups(db: Store, round_id: int) -> dict[int, Groups]:
    """The group values of each invited response's invitation: what response rates count
    it in, whatever role or unit the respondent stated."""
    return {
        response_id: {"role": role, "unit": unit, **json.loads(attributes)}
        for response_id, role, unit, attributes in db.execute(
            "SELECT r.id, i.role, i.unit, i.attributes FROM responses r "
            "JOIN invitations i ON i.id = r.invitation_id WHERE r.round_id = ?",
            [round_id],
        )
    }


def version_answers(db: Store, response_id: int, revision: int) -> dict[str, tuple]:
    """One version's answers, item -> its rows: as a snapshot took it, or (a version no
    snapshot has taken yet) the live answers if that is still the response's revision."""
    stored = db.execute(
        "SELECT 1 FROM response_versions WHERE response_id = ? AND revision = ?",
        [response_id, revision],
    ).fetchone()
    if stored:
        rows = db.execute(
            "SELECT item, code, number, text FROM version_answers "
            "WHERE response_id = ? AND revision = ?",
            [response_id, revision],
        ).fetchall()
    else:
        rows = db.execute(
            "SELECT a.item, a.code, a.number, a.text FROM answers a "
            "JOIN responses r ON r.id = a.response_id WHERE r.id = ? AND r.revision = ?",
            [response_id, revision],
        ).fetchall()
    found: dict[str, list[tuple]] = {}
    for row in rows:
        found.setdefault(row[0], []).append(tuple(row))
    return {item: tuple(sorted(rows, key=repr)) for item, rows in found.items()}


def store_snapshot(
    db: Store,
    round_id: int,
    members: Mapping[int, int],
    *,
    final: bool,
    after: int | None,
    ledger: int | None,
) -> Snapshot:
    """Store a snapshot of ``members``, copying the versions no snapshot has taken yet from
    the live responses, in one transaction. Raises ``StaleSnapshot`` when what it was
    chosen against changed meanwhile: a version is no longer the live one, the latest
    snapshot is no longer ``after``, or the round's last release is no longer ``ledger``
    (figures released meanwhile were not audited against). The caller chooses again."""
    taken_at = datetime.now(UTC).isoformat(timespec="seconds")
    with db.writing():
        (last_release,) = db.execute(
            "SELECT max(id) FROM releases WHERE round_id = ?", [round_id]
        ).fetchone()
        if latest_snapshot_id(db, round_id) != after or last_release != ledger:
            raise StaleSnapshot("another snapshot or release came first")
        for table in ("wanted_versions", "fresh_versions"):
            db.execute(
                f"CREATE TEMP TABLE IF NOT EXISTS {table} "
                "(response_id INTEGER PRIMARY KEY, revision INTEGER NOT NULL)"
            )
            db.execute(f"DELETE FROM {table}")
        db.executemany("INSERT INTO wanted_versions VALUES (?, ?)", list(members.items()))
        fresh = db.execute(
            "INSERT INTO fresh_versions SELECT w.response_id, w.revision "
            "FROM wanted_versions w WHERE NOT EXISTS (SELECT 1 FROM response_versions v "
            "WHERE v.response_id = w.response_id AND v.revision = w.revision)"
        ).rowcount
        copied = db.execute(
            "INSERT INTO response_versions (response_id, revision, round_id, invitation_id, "
            "role, unit, attributes, started_on, submitted_on, channel) "
            "SELECT r.id, r.revision, r.round_id, r.invitation_id, r.role, "
            f"coalesce(r.unit, i.unit), {_attributes(db)}, "
            "r.started_on, r.submitted_on, r.channel FROM fresh_versions f "
            "JOIN responses r ON r.id = f.response_id AND r.revision = f.revision "
            "LEFT JOIN invitations i ON i.id = r.invitation_id "
            "WHERE r.round_id = ? AND r.submitted = 1",
            [round_id],
        ).rowcount
        if copied != fresh:
            raise StaleSnapshot(f"{fresh - copied} response(s) changed while choosing")
        db.execute(
            "INSERT INTO version_answers (response_id, revision, item, code, number, text) "
            "SELECT a.response_id, f.revision, a.item, a.code, a.number, a.text "
            "FROM fresh_versions f JOIN answers a ON a.response_id = f.response_id"
        )
        (snapshot_id,) = db.execute(
            "INSERT INTO snapshots (round_id, taken_at, final) VALUES (?, ?, ?) RETURNING id",
            [round_id, taken_at, int(final)],
        ).fetchone()
        db.execute(
            "INSERT INTO snapshot_members (snapshot_id, response_id, revision) "
            "SELECT ?, response_id, revision FROM wanted_versions",
            [snapshot_id],
        )
    return Snapshot(snapshot_id, round_id, taken_at, final)


def snapshot_respondents(
    db: Store, questionnaire: Questionnaire, snapshot_id: int
) -> tuple[list[ScoredRespondent], str | None, str | None]:
    """Each response of the snapshot as (group values, answers), in response order, with
    the first day one was started and the last day one was sent in (the answer period a
    report shows: not counting the residual roles, which enter no released figure, so one
    "annet" answering late does not move it)."""
    parsed: dict[str, dict[str, str]] = {}
    with snapshot(db):
        people = db.execute(
            "SELECT v.response_id, v.role, v.unit, v.attributes, v.started_on, "
            "v.submitted_on FROM snapshot_members m JOIN response_versions v "
            "ON v.response_id = m.response_id AND v.revision = m.revision "
            "WHERE m.snapshot_id = ? ORDER BY m.response_id",
            [snapshot_id],
        ).fetchall()
        answers = decoded_by_response(
            questionnaire,
            db.execute(
                "SELECT a.item, a.code, a.number, a.text, a.response_id FROM snapshot_members m "
                "JOIN version_answers a ON a.response_id = m.response_id "
                "AND a.revision = m.revision WHERE m.snapshot_id = ? ORDER BY m.response_id",
                [snapshot_id],
            ),
        )
    found: list[ScoredRespondent] = []
    with paused_gc():
        for response_id, role, unit, attributes, _, _ in people:
            if attributes not in parsed:
                parsed[attributes] = json.loads(attributes)
            groups: Groups = {"role": role, "unit": unit, **parsed[attributes]}
            found.append((groups, answers.get(response_id, {})))
    counted = [p for p in people if p[1] not in questionnaire.residual_roles]
    first = min((p[4] for p in counted), default=None)
    last = max((p[5] for p in counted if p[5]), default=None)
    return found, first, last


def version_respondents(
    db: Store,
    questionnaire: Questionnaire,
    round_id: int,
    versions: Collection[tuple[int, int]],
) -> dict[tuple[int, int], ScoredRespondent]:
    """The group values and answers of each of ``versions`` ((response, revision) pairs of
    the round's snapshots), the residual roles' left out: who earlier snapshots counted,
    for auditing a new release against what they released."""
    wanted = set(versions)
    residual = questionnaire.residual_roles
    with snapshot(db):
        people = db.execute(
            "SELECT response_id, revision, role, unit, attributes FROM response_versions "
            "WHERE round_id = ? ORDER BY response_id, revision",
            [round_id],
        ).fetchall()
        answers = decoded_by_response(
            questionnaire,
            (
                (item, code, number, text, (response, revision))
                for item, code, number, text, response, revision in db.execute(
                    "SELECT a.item, a.code, a.number, a.text, a.response_id, a.revision "
                    "FROM response_versions v JOIN version_answers a ON a.response_id = "
                    "v.response_id AND a.revision = v.revision WHERE v.round_id = ? "
                    "ORDER BY a.response_id, a.revision",
                    [round_id],
                )
                if (response, revision) in wanted
            ),
        )
    found: dict[tuple[int, int], ScoredRespondent] = {}
    for response, revision, role, unit, attributes in people:
        if (response, revision) in wanted and role not in residual:
            groups: Groups = {"role": role, "unit": unit, **json.loads(attributes)}
            found[(response, revision)] = (groups, answers.get((response, revision), {}))
    return found


def snapshot_invited(db: Store, round_id: int, snapshot_id: int) -> list[Invited]:
    """Each invitation's group values and whether the snapshot counts an answer from it."""
    return [
        ({"role": role, "unit": unit, **json.loads(attributes)}, bool(answered))
        for role, unit, attributes, answered in db.execute(
            "SELECT i.role, i.unit, i.attributes, EXISTS (SELECT 1 FROM snapshot_members m "
            "JOIN responses r ON r.id = m.response_id WHERE m.snapshot_id = ? "
            "AND r.invitation_id = i.id) FROM invitations i WHERE i.round_id = ? ORDER BY i.id",
            [snapshot_id, round_id],
        )
    ]


def snapshot_channels(db: Store, round_id: int, snapshot_id: int) -> list[Invited]:
    """The invitations the snapshot counts an answer from, each with its group values and
    ``channel``: the way its counted version came in (web, paper, import)."""
    return [
        ({"role": role, "unit": unit, **json.loads(attributes), "channel": channel}, True)
        for role, unit, attributes, channel in db.execute(
            "SELECT i.role, i.unit, i.attributes, v.channel FROM snapshot_members m "
            "JOIN response_versions v ON v.response_id = m.response_id "
            "AND v.revision = m.revision JOIN invitations i ON i.id = v.invitation_id "
            "WHERE m.snapshot_id = ? AND i.round_id = ? ORDER BY i.id",
            [snapshot_id, round_id],
        )
    ]


def snapshot_per_day(
    db: Store, snapshot_id: int, *, excluding_roles: Collection[str] = ()
) -> list[tuple[str, int]]:
    """(day, responses of the snapshot first sent in that day), in date order."""
    excluded = sorted(excluding_roles)
    marks = ",".join("?" * len(excluded))
    # "NOT IN ()" is SQLite's only: PostgreSQL wants at least one value in the list
    excluding = f"AND coalesce(v.role, '') NOT IN ({marks}) " if excluded else ""
    return db.execute(
        "SELECT v.submitted_on, count(*) FROM snapshot_members m JOIN response_versions v "
        "ON v.response_id = m.response_id AND v.revision = m.revision "
        f"WHERE m.snapshot_id = ? {excluding}"
        "GROUP BY v.submitted_on ORDER BY v.submitted_on",
        [snapshot_id, *excluded],
    ).fetchall()


def changed(before: Mapping[int, int], after: Mapping[int, int]) -> Iterable[int]:
    """The responses whose version differs between two snapshots (new, changed or gone)."""
    return (r for r in before.keys() | after.keys() if before.get(r) != after.get(r))

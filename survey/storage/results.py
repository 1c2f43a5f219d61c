"""Everything a result report needs of a round, read in one go.

Reports and `survey scores` take plain data (respondents with their group values, and
invitations with whether they were answered), never a database handle, so the same
scoring runs on a stored round, a generated one in a test, or an imported file."""

from __future__ import annotations

import json
from collections.abc import Sequence

import numpy as np

from survey.gc_pause import paused_gc
from survey.questionnaire.model import Questionnaire
from survey.records import RoundResults
from survey.scoring.breakdown import group_key
from survey.scoring.likert import LikertColumns, Respondent
from survey.scoring.rates import Invited
from survey.storage.db import snapshot
from survey.storage.questionnaires import questionnaire_of_version
from survey.storage.responses import (
    ANSWERS_OF,
    submitted_people_with,
    submitted_responses,
)
from survey.storage.rounds import get_round
from survey.storage.snapshots import Snapshot, snapshot_invited, snapshot_respondents
from survey.storage.store import Store


def round_results(db: Store, round_id: int) -> RoundResults:
    round_ = get_round(db, round_id)
    questionnaire = questionnaire_of_version(db, round_.questionnaire_version_id)
    respondents: list[Respondent] = [
        ({"role": role, "unit": unit, **attributes}, answers)
        for _, role, unit, attributes, answers in submitted_responses(db, questionnaire, round_id)
    ]
    first, last = db.execute(
        "SELECT min(started_on), max(submitted_on) FROM responses "
        "WHERE round_id = ? AND submitted = 1",
        [round_id],
    ).fetchone()
    return RoundResults(round_, questionnaire, respondents, invited(db, round_id), first, last)


def snapshot_results(db: Store, taken: Snapshot) -> RoundResults:
    """``round_results`` as the snapshot ``taken`` froze them: its responses' versions,
    and the invitations with whether the snapshot counts their answer."""
    round_ = get_round(db, taken.round_id)
    questionnaire = questionnaire_of_version(db, round_.questionnaire_version_id)
    respondents, first, last = snapshot_respondents(db, questionnaire, taken.id)
    invitations = snapshot_invited(db, round_.id, taken.id)
    return RoundResults(
        round_, questionnaire, respondents, invitations, first, last, taken.taken_at, taken.final
    )


def attribute_names(db: Store, round_id: int) -> set[str]:
    """Every attribute name the round's invitations or responses carry (pulje, ...)."""
    keys = db.sql.json_keys
    rows = db.execute(
        f"SELECT DISTINCT j.key FROM invitations i, {keys('i.attributes')} j "
        f"WHERE i.round_id = ? UNION SELECT DISTINCT j.key FROM responses r, "
        f"{keys('r.attributes')} j WHERE r.round_id = ?",
        [round_id, round_id],
    )
    return {row[0] for row in rows}


def invited(db: Store, round_id: int) -> list[Invited]:
    """Each invitation's group values and whether it was answered; no answers are read, so
    response-rate overviews stay cheap however large the round."""
    return [
        ({"role": role, "unit": unit, **json.loads(attributes)}, bool(submitted))
        for role, unit, attributes, submitted in db.execute(
            "SELECT i.role, i.unit, i.attributes, coalesce(r.submitted, 0) FROM invitations i "
            "LEFT JOIN responses r ON r.invitation_id = i.id WHERE i.round_id = ? "
            "ORDER BY i.id",
            [round_id],
        )
    ]


def likert_columns(
    db: Store,
    questionnaire: Questionnaire,
    round_id: int,
    by: Sequence[str],
    *,
    snapshot_id: int | None = None,
) -> LikertColumns:
    """A round's Likert answers straight from the database, for ``columns_frame``.

    Scoring needs only each answer's item and point, so this skips the typed ``Answer``
    objects ``round_results`` builds, and even a row per answer: one statement returns a row
    per response with its person's group values and its Likert answers, which SQLite packs
    into one string of fixed-width numbers (``_LikertPacking``; each number says its item,
    so their order within a response does not matter) and numpy takes apart: in well under
    half the time and memory of reading a row per answer (``_likert_rows``;
    docs/performance.md, finding 12).
    One statement also sees one state of the database, so people and answers agree
    without a read transaction. With ``snapshot_id``, the snapshot's versions (what
    ``survey scores`` releases)."""
    packing = _LikertPacking(questionnaire)
    answers = ANSWERS_OF[snapshot_id is not None]
    people = submitted_people_with(
        db,
        round_id,
        f"(SELECT {db.sql.concat(packing.answer)} FROM {answers})",
        packing.parameters(),
        snapshot_id=snapshot_id,
    )
    item, kind, counts = packing.unpack([packed or "" for _, packed in people])
    if not kind.all():  # a row responses.encode does not write for a Likert answer
        return _likert_rows(db, questionnaire, round_id, by, snapshot_id)
    return LikertColumns(
        keys=[group_key(person.groups(), by) for person, _ in people],
        respondent=np.repeat(np.arange(len(people), dtype=np.int64), counts),
        item=item,
        point=packing.point[kind],
        not_scored=packing.not_scored[kind],
    )


class _LikertPacking:
    """A Likert answer as SQLite packs it: ``first`` + the item's position × ``kinds`` + the
    answer's kind, written in ``width`` digits. Kind k >= 1 is the questionnaire's k-th
    scale point (``number``, no ``code``), then its not-scored codes (``code``, no
    ``number``); kind 0 is any other row, which ``responses.encode`` never writes for a
    Likert answer. Item ids and codes are parameters, compared by SQLite and never written
    into the packed text, so they may hold any character."""

    def __init__(self, questionnaire: Questionnaire) -> None:
        self.items = [item.id for item in questionnaire.items]
        points = sorted({point for item in questionnaire.items for point in item.scale.values})
        self.codes = sorted(
            {c.code for item in questionnaire.items for c in item.scale.not_scored} - {""}
        )
        self.kinds = 1 + len(points) + len(self.codes)
        self.width = 1 + len(str(len(self.items) * self.kinds))  # the first digit is never 0
        self.first = 10 ** (self.width - 1)
        self.point = np.array([np.nan, *points, *[np.nan] * len(self.codes)], dtype=float)
        self.not_scored = np.array([None, *[None] * len(points), *self.codes], dtype=object)
        point = [f"WHEN {p:d} THEN {k}" for k, p in enumerate(points, start=1)]
        code = [f"WHEN ? THEN {k}" for k in range(1 + len(points), self.kinds)]
        kind = (
            f"CASE WHEN a.number IS NULL THEN {_case('a.code', code)} "
            f"WHEN a.code = '' THEN {_case('a.number', point)} ELSE 0 END"
        )
        # Another question's answer is NULL, which group_concat leaves out.
        position = " ".join(
            f"WHEN ? THEN {self.first + n * self.kinds}" for n in range(len(self.items))
        )
        self.answer = f"(CASE a.item {position} END) + ({kind})" if self.items else "NULL"

    def parameters(self) -> list[object]:
        return [*self.items, *self.codes] if self.items else []

    def unpack(self, packed: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The item position and kind of every answer, and the answers of each response."""
        counts = np.fromiter(map(len, packed), dtype=np.int64, count=len(packed)) // self.width
        digits = np.frombuffer("".join(packed).encode("ascii"), dtype=np.uint8) - ord("0")
        numbers = digits.reshape(-1, self.width) @ 10 ** np.arange(self.width - 1, -1, -1)
        item, kind = np.divmod(numbers - self.first, self.kinds)
        return item.astype(np.int32), kind, counts


def _case(value: str, whens: list[str]) -> str:
    return f"(CASE {value} {' '.join(whens)} ELSE 0 END)" if whens else "0"


def _likert_rows(
    db: Store,
    questionnaire: Questionnaire,
    round_id: int,
    by: Sequence[str],
    snapshot_id: int | None,
) -> LikertColumns:
    """``likert_columns`` read a row per answer, for a round with a row it cannot pack."""
    position = {item.id: n for n, item in enumerate(questionnaire.items)}
    marks = ",".join("?" * len(position))
    with snapshot(db), paused_gc():  # a million row tuples, none of them cyclic
        people = [
            person
            for person, _ in submitted_people_with(db, round_id, "NULL", snapshot_id=snapshot_id)
        ]
        if snapshot_id is None:
            source = (
                "FROM responses r JOIN answers a ON a.response_id = r.id "
                "WHERE r.round_id = ? AND r.submitted = 1"
            )
        else:
            source = (
                "FROM snapshot_members r JOIN version_answers a ON a.response_id = "
                "r.response_id AND a.revision = r.revision WHERE r.snapshot_id = ?"
            )
        rows = db.execute(
            f"SELECT a.response_id, a.item, a.number, a.code {source} "
            f"AND a.item IN ({marks}) ORDER BY a.response_id",
            [round_id if snapshot_id is None else snapshot_id, *position],
        ).fetchall()
        response_id, item, number, code = zip(*rows, strict=True) if rows else ([],) * 4
        del rows
    ids = np.fromiter((p.response_id for p in people), dtype=np.int64, count=len(people))
    return LikertColumns(
        keys=[group_key(p.groups(), by) for p in people],
        respondent=np.searchsorted(ids, np.asarray(response_id, dtype=np.int64)),
        item=np.fromiter(map(position.__getitem__, item), dtype=np.int32, count=len(item)),
        point=np.asarray(number, dtype=float),
        not_scored=[c or None for c in code],
    )

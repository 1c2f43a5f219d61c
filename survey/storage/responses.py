"""Responses and their answers, stored in long format: one row per answered item.

A multiple-choice answer has one row per chosen code; the text or number attached to a
"specify" option lives on that option's row. Every page is saved in one transaction that
also removes answers which the respondent's latest answers have hidden, so the database
never holds an answer the rules would not accept.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from types import MappingProxyType

import sqlite_utils

from survey.questionnaire.answers import Answer
from survey.questionnaire.model import Questionnaire
from survey.questionnaire.visibility import prune_hidden


@dataclass(frozen=True)
class Response:
    id: int
    round_id: int
    invitation_id: int | None
    role: str | None
    unit: str | None
    attributes: dict[str, str]
    page: int
    submitted: bool


_COLUMNS = "id, round_id, invitation_id, role, unit, attributes, page, submitted"


def _response(row: tuple) -> Response:
    values = list(row)
    values[5] = json.loads(values[5])
    values[7] = bool(values[7])
    return Response(*values)


def _today() -> str:
    # Day precision only: an exact time could single out a respondent in a small group.
    return datetime.now(UTC).date().isoformat()


def response_for_invitation(
    db: sqlite_utils.Database,
    round_id: int,
    invitation_id: int,
    role: str,
    unit: str,
    attributes: Mapping[str, str],
) -> Response:
    """The invitation's response, created on first visit. INSERT OR IGNORE on the unique
    invitation_id makes two simultaneous first visits end up with one response."""
    with db.conn:
        db.execute(
            "INSERT OR IGNORE INTO responses (round_id, invitation_id, role, unit, attributes, "
            "started_on) VALUES (?, ?, ?, ?, ?, ?)",
            [round_id, invitation_id, role, unit, json.dumps(dict(attributes)), _today()],
        )
    row = db.execute(
        f"SELECT {_COLUMNS} FROM responses WHERE invitation_id = ?", [invitation_id]
    ).fetchone()
    return _response(row)


def response_for_session(db: sqlite_utils.Database, round_id: int, session_key: str) -> Response:
    """An anonymous respondent's response, keyed only by a hash of their browser cookie."""
    with db.conn:
        db.execute(
            "INSERT OR IGNORE INTO responses (round_id, session_key, started_on) VALUES (?, ?, ?)",
            [round_id, session_key, _today()],
        )
    row = db.execute(
        f"SELECT {_COLUMNS} FROM responses WHERE session_key = ?", [session_key]
    ).fetchone()
    return _response(row)


def load_answers(
    db: sqlite_utils.Database, questionnaire: Questionnaire, response_id: int
) -> dict[str, Answer]:
    rows = db.execute(
        "SELECT item, code, number, text FROM answers WHERE response_id = ?", [response_id]
    ).fetchall()
    return decode(questionnaire, rows)


def encode(questionnaire: Questionnaire, item: str, answer: Answer) -> list[tuple]:
    """(item, code, number, text) rows for one answer, by the type of its question."""
    question = questionnaire.question_for(item)
    value = answer.value
    if question.type == "multiple_choice":
        assert isinstance(value, frozenset)
        return [(item, code, *_detail(answer.details.get(code))) for code in sorted(value)]
    if question.type == "single_choice" or (question.scale and isinstance(value, str)):
        assert isinstance(value, str)
        return [(item, value, *_detail(answer.details.get(value)))]
    if isinstance(value, str):
        return [(item, "", None, value)]
    return [(item, "", value, None)]


def decode(questionnaire: Questionnaire, rows: list[tuple]) -> dict[str, Answer]:
    """Typed answers from the (item, code, number, text) rows of one response."""
    grouped: dict[str, list[tuple]] = {}
    for row in rows:
        grouped.setdefault(row[0], []).append(row)
    answers: dict[str, Answer] = {}
    for item, item_rows in grouped.items():
        question = questionnaire.question_for(item)
        details = MappingProxyType(
            {
                code: (number if number is not None else text)
                for _, code, number, text in item_rows
                if code and (number is not None or text is not None)
            }
        )
        _, code, number, text = item_rows[0]
        if question.type == "multiple_choice":
            answers[item] = Answer(frozenset(r[1] for r in item_rows), details)
        elif code:
            answers[item] = Answer(code, details)
        elif text is not None:
            answers[item] = Answer(text)
        else:
            answers[item] = Answer(int(number) if float(number).is_integer() else number)
    return answers


def _detail(detail: object) -> tuple[float | None, str | None]:
    if detail is None:
        return (None, None)
    if isinstance(detail, int | float):
        return (float(detail), None)
    return (None, str(detail))


def save_answers(
    db: sqlite_utils.Database,
    questionnaire: Questionnaire,
    response: Response,
    answers: Mapping[str, Answer],
    *,
    page: int,
    role: str | None,
) -> dict[str, Answer]:
    """Replace the response's answers by ``answers`` minus what is hidden; one transaction.

    Returns what was stored. Hidden answers are dropped here, in the storage layer's one
    write path, so no caller can store an answer the respondent should not have seen."""
    values = {k: a.value for k, a in answers.items()}
    kept = {k: answers[k] for k in prune_hidden(questionnaire, role, values)}
    rows = [
        (response.id, *row)
        for item, answer in kept.items()
        for row in encode(questionnaire, item, answer)
    ]
    with db.conn:
        db.execute("BEGIN IMMEDIATE")
        db.execute("DELETE FROM answers WHERE response_id = ?", [response.id])
        db.conn.executemany(
            "INSERT INTO answers (response_id, item, code, number, text) VALUES (?, ?, ?, ?, ?)",
            rows,
        )
        db.execute(
            "UPDATE responses SET page = ?, role = ? WHERE id = ?", [page, role, response.id]
        )
    return kept


def submit(db: sqlite_utils.Database, response: Response) -> None:
    """Mark as submitted; repeating it (double click, retry) changes nothing."""
    with db.conn:
        db.execute(
            "UPDATE responses SET submitted = 1, submitted_on = coalesce(submitted_on, ?) "
            "WHERE id = ?",
            [_today(), response.id],
        )

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
from survey.transfer import ImportedResponse, Respondent


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
    invitation_id makes two simultaneous first visits end up with one response. Later
    visits only read, so they take no write lock and work on a read-only database."""
    select = f"SELECT {_COLUMNS} FROM responses WHERE invitation_id = ?"
    row = db.execute(select, [invitation_id]).fetchone()
    if row is None:
        with db.conn:
            db.execute(
                "INSERT OR IGNORE INTO responses (round_id, invitation_id, role, unit, "
                "attributes, started_on) VALUES (?, ?, ?, ?, ?, ?)",
                [round_id, invitation_id, role, unit, json.dumps(dict(attributes)), _today()],
            )
        row = db.execute(select, [invitation_id]).fetchone()
    return _response(row)


def response_for_session(db: sqlite_utils.Database, round_id: int, session_key: str) -> Response:
    """An anonymous respondent's response, keyed only by a hash of their browser cookie."""
    select = f"SELECT {_COLUMNS} FROM responses WHERE session_key = ?"
    row = db.execute(select, [session_key]).fetchone()
    if row is None:
        with db.conn:
            db.execute(
                "INSERT OR IGNORE INTO responses (round_id, session_key, started_on) "
                "VALUES (?, ?, ?)",
                [round_id, session_key, _today()],
            )
        row = db.execute(select, [session_key]).fetchone()
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


_NO_DETAILS: Mapping[str, float | str] = MappingProxyType({})


def decode(questionnaire: Questionnaire, rows: list[tuple]) -> dict[str, Answer]:
    """Typed answers from the (item, code, number, text) rows of one response."""
    grouped: dict[str, list[tuple]] = {}
    for row in rows:
        grouped.setdefault(row[0], []).append(row)
    answers: dict[str, Answer] = {}
    for item, item_rows in grouped.items():
        question = questionnaire.question_for(item)
        if len(item_rows) == 1 and question.type != "multiple_choice":
            # By far the common case (every Likert answer): one row, no "specify" detail.
            # Exports and scoring decode a million of these; skip the general path.
            _, code, number, text = item_rows[0]
            if not code:
                value = text if text is not None else number
                if isinstance(value, float) and value.is_integer():
                    value = int(value)
                answers[item] = Answer(value, _NO_DETAILS)
                continue
            if number is None and text is None:
                answers[item] = Answer(code, _NO_DETAILS)
                continue
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


def respondents_of(db: sqlite_utils.Database, round_id: int) -> dict[str, Respondent]:
    """An invited round's people, reachable by token and by (lower-case) e-mail."""
    found: dict[str, Respondent] = {}
    rows = db.execute(
        "SELECT id, token, email, role, unit FROM invitations WHERE round_id = ?", [round_id]
    )
    for invitation_id, token, email, role, unit in rows:
        found[token] = Respondent(token, invitation_id, role, unit)
        found[email.lower()] = Respondent(token, invitation_id, role, unit)
    return found


def import_responses(
    db: sqlite_utils.Database,
    questionnaire: Questionnaire,
    round_id: int,
    imported: list[ImportedResponse],
) -> int:
    """Store checked rows as submitted responses, all in one transaction.

    A row replaces the answers of the same respondent (invited rounds) or of an identical
    earlier row (anonymous rounds), so importing the same file twice adds nothing."""
    today = _today()
    with db.conn:
        db.execute("BEGIN IMMEDIATE")
        for response in imported:
            attributes = json.dumps(response.attributes, ensure_ascii=False)
            if response.respondent is not None:
                db.execute(
                    "INSERT OR IGNORE INTO responses (round_id, invitation_id, started_on) "
                    "VALUES (?, ?, ?)",
                    [round_id, response.respondent.invitation_id, today],
                )
                where, key = "invitation_id = ?", response.respondent.invitation_id
            else:
                key = f"import:{response.source}"
                db.execute(
                    "INSERT OR IGNORE INTO responses (round_id, session_key, started_on) "
                    "VALUES (?, ?, ?)",
                    [round_id, key, today],
                )
                where = "session_key = ?"
            (response_id,) = db.execute(f"SELECT id FROM responses WHERE {where}", [key]).fetchone()
            db.execute(
                "UPDATE responses SET role = ?, unit = ?, attributes = ?, submitted = 1, "
                "submitted_on = coalesce(submitted_on, ?) WHERE id = ?",
                [response.role, response.unit, attributes, today, response_id],
            )
            db.execute("DELETE FROM answers WHERE response_id = ?", [response_id])
            db.conn.executemany(
                "INSERT INTO answers (response_id, item, code, number, text) "
                "VALUES (?, ?, ?, ?, ?)",
                [
                    (response_id, *row)
                    for item, answer in response.answers.items()
                    for row in encode(questionnaire, item, answer)
                ],
            )
    return len(imported)


def submitted_responses(
    db: sqlite_utils.Database, questionnaire: Questionnaire, round_id: int
) -> list[tuple[str | None, str | None, str | None, dict[str, str], dict[str, Answer]]]:
    """(token, role, unit, attributes, answers) of every submitted response, in order."""
    responses = db.execute(
        "SELECT r.id, i.token, r.role, coalesce(r.unit, i.unit), r.attributes, i.attributes "
        "FROM responses r LEFT JOIN invitations i ON i.id = r.invitation_id "
        "WHERE r.round_id = ? AND r.submitted = 1 ORDER BY r.id",
        [round_id],
    ).fetchall()
    rows: dict[int, list[tuple]] = {}
    for response_id, item, code, number, text in db.execute(
        "SELECT a.response_id, a.item, a.code, a.number, a.text FROM answers a "
        "JOIN responses r ON r.id = a.response_id WHERE r.round_id = ? AND r.submitted = 1",
        [round_id],
    ):
        rows.setdefault(response_id, []).append((item, code, number, text))
    return [
        (
            token,
            role,
            unit,
            json.loads(invited or "{}") | json.loads(own),
            decode(questionnaire, rows.get(response_id, [])),
        )
        for response_id, token, role, unit, own, invited in responses
    ]

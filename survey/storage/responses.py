"""Responses and their answers, stored in long format: one row per answered item.

A multiple-choice answer has one row per chosen code; the text or number attached to a
"specify" option lives on that option's row. Every page is saved in one transaction that
also removes answers which the respondent's latest answers have hidden, so the database
never holds an answer the rules would not accept.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import groupby
from operator import itemgetter
from types import MappingProxyType
from typing import Any, NamedTuple

from survey.gc_pause import paused_gc
from survey.questionnaire.answers import Answer, check_answers
from survey.questionnaire.model import Questionnaire
from survey.questionnaire.visibility import prune_hidden
from survey.records import ImportedResponse, Respondent
from survey.storage.db import snapshot
from survey.storage.store import Store


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
    reopened: bool  # sent in once, then changed so that it must be sent in again
    # Before its first saved page: id NOT_STORED, and (anonymous) the key ``save_answers``
    # creates it under (see ``response_for_invitation``, ``response_for_session``).
    session_key: str | None = None
    # Answers on the web by someone whose paper form already counts: kept in
    # ``held_responses`` until the secretariat chooses, never mixed with the paper answers
    # (``id`` is then the held row's; see ``response_for_invitation``).
    held: bool = False

    @property
    def stored(self) -> bool:
        return self.id != NOT_STORED


NOT_STORED = 0  # SQLite gives row ids from 1


_COLUMNS = (
    "id, round_id, invitation_id, role, unit, attributes, page, submitted, "
    "submitted = 0 AND submitted_on IS NOT NULL"
)


def _response(row: tuple) -> Response:
    values = list(row)
    values[5] = json.loads(values[5])
    values[7] = bool(values[7])
    values[8] = bool(values[8])
    return Response(*values)


def _today() -> str:
    # Day precision only: an exact time could single out a respondent in a small group.
    return datetime.now(UTC).date().isoformat()


def response_for_invitation(
    db: Store,
    round_id: int,
    invitation_id: int,
    role: str,
    unit: str,
    attributes: Mapping[str, str],
) -> Response:
    """The invitation's response. Until its first saved page it is not stored (``stored``
    is false) and this only reads, as for anonymous respondents: a visit that is refused
    (a missing CSRF token, say) or only looks writes nothing, and a first visit works on a
    read-only database. ``save_answers`` creates it with the page.

    When the response that counts came in on paper or from a file, the person answers on
    the web beside it (``held``): they never see the paper answers, and the secretariat
    chooses between the two once they send theirs in (``operations.channels``)."""
    row = db.execute(
        f"SELECT {_COLUMNS}, channel FROM responses WHERE invitation_id = ?", [invitation_id]
    ).fetchone()
    if row is None:
        return Response(
            NOT_STORED, round_id, invitation_id, role, unit, dict(attributes), 0, False, False
        )
    if not _web_held(row[-1]):
        return _response(row[:-1])
    held = db.execute(
        f"SELECT id, role, page, submitted FROM held_responses WHERE {_OPEN_WEB}",
        [invitation_id],
    ).fetchone()
    if held is None:
        return Response(
            NOT_STORED,
            round_id,
            invitation_id,
            role,
            unit,
            dict(attributes),
            0,
            False,
            False,
            held=True,
        )
    held_id, held_role, page, submitted = held
    return Response(
        held_id,
        round_id,
        invitation_id,
        held_role or role,
        unit,
        dict(attributes),
        page,
        bool(submitted),
        False,
        held=True,
    )


_OPEN_WEB = "invitation_id = ? AND channel = 'web' AND chosen IS NULL"
"""The held web response of an invitation that the secretariat has not chosen on yet."""


def _web_held(counted: str | None) -> bool:
    """Whether web answers go beside the response that counts (``held_responses``) rather
    than into it, given that response's channel (None: there is none yet). The one rule,
    read by ``response_for_invitation`` for what a page shows and again by ``save_answers``
    inside its write transaction, where it decides."""
    return counted is not None and counted != "web"


def response_for_session(db: Store, round_id: int, session_key: str) -> Response:
    """An anonymous respondent's response, keyed only by a hash of their browser cookie.

    Until they save a page it is not stored (``stored`` is false) and this only reads: an
    open link is public, and a visit that wrote a row (and took the write lock) let anyone
    fill the table by opening it 2,000 times. ``save_answers`` creates it with the page."""
    row = db.execute(
        f"SELECT {_COLUMNS} FROM responses WHERE session_key = ?", [session_key]
    ).fetchone()
    if row is None:
        return Response(NOT_STORED, round_id, None, None, None, {}, 0, False, False, session_key)
    return _response(row)


def answers_of(db: Store, questionnaire: Questionnaire, response: Response) -> dict[str, Answer]:
    """What a respondent's own form holds: their response's answers, or their held ones."""
    if not response.stored:
        return {}
    if response.held:
        (text,) = db.execute(
            "SELECT answers FROM held_responses WHERE id = ?", [response.id]
        ).fetchone()
        return decode(questionnaire, [tuple(row) for row in json.loads(text)])
    return load_answers(db, questionnaire, response.id)


def load_answers(db: Store, questionnaire: Questionnaire, response_id: int) -> dict[str, Answer]:
    rows = db.execute(
        "SELECT item, code, number, text FROM answers WHERE response_id = ?", [response_id]
    ).fetchall()
    return decode(questionnaire, rows)


def encode(questionnaire: Questionnaire, item: str, answer: Answer) -> list[tuple]:
    """(item, code, number, text) rows for one answer: one per option it chooses, with that
    option's detail; otherwise one with its number or its text."""
    value = answer.value
    if isinstance(value, int | float):  # a scale point or a number: never a choice
        return [(item, "", value, None)]
    codes = questionnaire.question_for(item).chosen(value)
    if codes or isinstance(value, frozenset):
        return [(item, code, *_detail(answer.details.get(code))) for code in sorted(codes)]
    return [(item, "", None, value)]


_NO_DETAILS: Mapping[str, float | str] = MappingProxyType({})


def decode(
    questionnaire: Questionnaire,
    rows: Iterable[tuple],
    *,
    shared: dict[tuple, Answer] | None = None,
) -> dict[str, Answer]:
    """Typed answers from the (item, code, number, text) rows of one response; a row may
    carry more fields after these.

    ``shared`` lets many responses share one object per distinct answer that depends on
    its row alone (a scale point) or on its row and item (a code: a multiple choice makes
    it a set): answers are immutable, and building a million of them is most of what an
    export costs."""
    grouped: dict[str, list[tuple]] = {}
    for row in rows:
        grouped.setdefault(row[0], []).append(row)
    answers: dict[str, Answer] = {}
    for item, item_rows in grouped.items():
        first = item_rows[0]
        if not first[1]:  # no code: a scale point, a number or a text, whatever the question
            key: tuple[object, ...] = first[1:4]
            answer = shared.get(key) if shared is not None else None
            if answer is None:
                answer = _plain(first[2], first[3])
                if shared is not None and first[3] is None:
                    shared[key] = answer  # (free text is rarely repeated)
            answers[item] = answer
            continue
        _, code, number, text, *_ = first
        question = questionnaire.question_for(item)
        if len(item_rows) == 1 and number is None and text is None:
            # By far the common case of a code ("vet ikke", an option): no "specify" detail.
            key = (item, code)
            answer = shared.get(key) if shared is not None else None
            if answer is None:
                answer = question.answer_choosing([code], _NO_DETAILS)
                if shared is not None:
                    shared[key] = answer
            answers[item] = answer
            continue
        details = MappingProxyType(
            {
                code: (number if number is not None else text)
                for _, code, number, text, *_ in item_rows
                if code and (number is not None or text is not None)
            }
        )
        answers[item] = question.answer_choosing([r[1] for r in item_rows], details)
    return answers


def _plain(number: float | None, text: str | None) -> Answer:
    """The answer of a row without a code: its text, else its number (5, not 5.0)."""
    value = text if text is not None else number
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return Answer(value, _NO_DETAILS)


def _detail(detail: object) -> tuple[float | None, str | None]:
    if detail is None:
        return (None, None)
    if isinstance(detail, int | float):
        return (float(detail), None)
    return (None, str(detail))


def save_answers(
    db: Store,
    questionnaire: Questionnaire,
    response: Response,
    answers: Mapping[str, Answer],
    *,
    page: int,
    role: str | None,
    submitting: bool = False,
) -> dict[str, Answer]:
    """Replace the response's answers by ``answers`` minus what is hidden; one transaction,
    which with ``submitting`` also marks the response submitted, so the last page can never
    be stored without the submission or the reverse, and which first stores the response
    itself if it is not stored yet.

    Returns what was stored. Hidden answers are dropped here, in the storage layer's one
    write path, so no caller can store an answer the respondent should not have seen. A
    response already sent in keeps every rule here too (an export of it must import
    again): a change that leaves it breaking one, such as a required question it has no
    answer to that the change revealed, reopens it until it is sent in again. It keeps the
    date it was first sent in, which is how it shows as reopened. Whether it was sent in
    is read inside the transaction, so a submission from another tab meanwhile counts.

    Where an invitation's answers go is decided inside the transaction too, not by what
    ``response`` says (read before it, when the page was opened): a paper form stored
    since (an import, a form typed in), or the secretariat choosing one, makes these web
    answers held beside it for the secretariat to choose (``operations.channels``), never
    mixed into it; a web response that counts since takes them."""
    values = {k: a.value for k, a in answers.items()}
    kept = {k: answers[k] for k in prune_hidden(questionnaire, role, values)}
    rows = [row for item, answer in kept.items() for row in encode(questionnaire, item, answer)]
    with db.writing():
        stored = _stored(db, response)
        if response.invitation_id is not None and _web_held(stored.channel if stored else None):
            _save_held(db, questionnaire, response, kept, rows, page, role, submitting)
            return kept
        if stored is None:
            _create(db, response)
            stored = _stored(db, response)
            assert stored is not None, "the response was just stored"
        items = _changed_items(stored.rows, rows)
        changed = bool(items) or stored.role != role
        if submitting:  # repeating it (double click, retry) changes nothing
            submitted = True
        else:  # a change that leaves a sent-in response breaking a rule reopens it
            submitted = stored.submitted and not check_answers(questionnaire, role, kept)
        with db.batch():
            if items:  # only the answers that changed: a page's save touches its page
                marks = ", ".join("?" for _ in items)
                db.execute(
                    f"DELETE FROM answers WHERE response_id = ? AND item IN ({marks})",
                    [stored.id, *sorted(items)],
                )
                new = [(stored.id, *row) for row in rows if row[0] in items]
                if new:  # (none when the change only took answers away)
                    db.executemany(
                        "INSERT INTO answers (response_id, item, code, number, text) "
                        "VALUES (?, ?, ?, ?, ?)",
                        new,
                    )
            db.execute(
                "UPDATE responses SET page = ?, role = ?, revision = revision + ?, "
                "submitted = ?, submitted_on = CASE WHEN ? = 1 "
                "THEN coalesce(submitted_on, ?) ELSE submitted_on END WHERE id = ?",
                [page, role, int(changed), int(submitted), int(submitting), _today(), stored.id],
            )
    return kept


def _changed_items(stored: list[tuple], rows: list[tuple]) -> set[str]:
    """The items whose (item, code, number, text) rows differ between what is stored and
    ``rows``, including items only one of them has."""
    before: dict[str, Counter[tuple]] = {}
    after: dict[str, Counter[tuple]] = {}
    for found, grouped in ((stored, before), (rows, after)):
        for row in found:
            grouped.setdefault(row[0], Counter())[tuple(row)] += 1
    return {item for item in before.keys() | after.keys() if before.get(item) != after.get(item)}


@dataclass(frozen=True)
class _Stored:
    """A response as its page's save finds it inside the write transaction."""

    id: int
    channel: str
    role: str | None
    submitted: bool
    rows: list[tuple]  # its answers, as ``encode`` writes them


def _stored(db: Store, response: Response) -> _Stored | None:
    """The stored response a save writes to, with its answers, in one query (a round trip
    saved is what a page's save costs on PostgreSQL): an invitation's by the invitation
    (stored since the page was opened, maybe on paper), an anonymous one's by its id."""
    key: str
    value: int | str | None
    if response.invitation_id is not None:
        key, value = "invitation_id", response.invitation_id
    elif response.stored:
        key, value = "id", response.id
    else:
        key, value = "session_key", response.session_key
    found = db.execute(
        "SELECT r.id, r.channel, r.role, r.submitted, a.item, a.code, a.number, a.text "
        "FROM responses r LEFT JOIN answers a ON a.response_id = r.id "
        f"WHERE r.{key} = ?",
        [value],
    ).fetchall()
    if not found:
        return None
    id_, channel, role, submitted = found[0][:4]
    rows = [tuple(row[4:]) for row in found if row[4] is not None]
    return _Stored(int(id_), str(channel), role, bool(submitted), rows)


def _save_held(
    db: Store,
    questionnaire: Questionnaire,
    response: Response,
    kept: Mapping[str, Answer],
    rows: list[tuple],
    page: int,
    role: str | None,
    submitting: bool,
) -> None:
    """``save_answers`` for web answers beside a paper form, inside its transaction: the
    same rules, stored in the held row, which is created with the first saved page."""
    text = json.dumps(rows, ensure_ascii=False)
    found = db.execute(
        f"SELECT id, submitted FROM held_responses WHERE {_OPEN_WEB}",
        [response.invitation_id],
    ).fetchone()
    if found is None:
        db.execute(
            "INSERT INTO held_responses (round_id, invitation_id, channel, role, unit, "
            "attributes, arrived_on) VALUES (?, ?, 'web', ?, ?, '{}', ?)",
            [response.round_id, response.invitation_id, role, response.unit, _today()],
        )
        found = db.execute(
            f"SELECT id, submitted FROM held_responses WHERE {_OPEN_WEB}",
            [response.invitation_id],
        ).fetchone()
    held_id, submitted = found
    if submitting:
        submitted = 1
    elif submitted and check_answers(questionnaire, role, kept):
        submitted = 0  # as a sent-in response that a change leaves incomplete
    db.execute(
        "UPDATE held_responses SET answers = ?, role = ?, page = ?, submitted = ?, "
        "arrived_on = CASE WHEN ? = 1 THEN ? ELSE arrived_on END WHERE id = ?",
        [text, role, page, submitted, int(submitting), _today(), held_id],
    )


def _create(db: Store, response: Response) -> None:
    """Store a response, inside the transaction of its first saved page. ON CONFLICT DO NOTHING
    on the unique key (the invitation, or an anonymous respondent's cookie): two tabs
    saving their first page at once end up with one response."""
    if response.invitation_id is not None:
        db.execute(
            "INSERT INTO responses (round_id, invitation_id, role, unit, "
            "attributes, started_on) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            [
                response.round_id,
                response.invitation_id,
                response.role,
                response.unit,
                json.dumps(response.attributes),
                _today(),
            ],
        )
    else:
        assert response.session_key is not None, "a response is an invitation's or a cookie's"
        db.execute(
            "INSERT INTO responses (round_id, session_key, started_on) VALUES (?, ?, ?) "
            "ON CONFLICT DO NOTHING",
            [response.round_id, response.session_key, _today()],
        )


def respondents_of(db: Store, round_id: int) -> dict[str, Respondent]:
    """An invited round's people, by (lower-case) e-mail: how an imported file names them."""
    found: dict[str, Respondent] = {}
    rows = db.execute(
        "SELECT id, email, role, unit FROM invitations WHERE round_id = ?", [round_id]
    )
    with paused_gc():
        for invitation_id, email, role, unit in rows:
            found[email.lower()] = Respondent(email.lower(), invitation_id, role, unit)
    return found


_UPSERT = (
    "INSERT INTO responses (round_id, {key}, role, unit, attributes, submitted, started_on, "
    "submitted_on, channel, set_aside) VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?, ?) "
    "ON CONFLICT ({key}) DO UPDATE SET "
    "role = excluded.role, unit = excluded.unit, attributes = excluded.attributes, "
    "revision = responses.revision + 1, submitted = 1, channel = excluded.channel, "
    "set_aside = excluded.set_aside, "
    "submitted_on = coalesce(responses.submitted_on, excluded.submitted_on) RETURNING id"
)
CHANNELS = ("web", "paper", "import")


class Stored(NamedTuple):
    """What an import did: responses stored (counted), and forms held beside a web response
    of the same person for the secretariat to choose between."""

    stored: int
    held: int


_UPSERT_INVITED = _UPSERT.format(key="invitation_id")
_UPSERT_ANONYMOUS = _UPSERT.format(key="session_key")
_IMPORT_CACHE_KIB = 128 * 1024  # a national round's answers are ~40 MiB of pages


def import_responses(
    db: Store,
    questionnaire: Questionnaire,
    round_id: int,
    imported: list[ImportedResponse],
    *,
    channel: str = "import",
) -> Stored:
    """Store checked rows as submitted responses of ``channel`` (``import``, ``paper`` for
    forms typed in; ``web`` only for generated rounds, whose made-up people answer on the
    web), all in one transaction.

    A row replaces the answers of the same respondent (invited rounds) or of an identical
    earlier row (anonymous rounds), so importing the same file twice adds nothing. A row
    for someone who has answered on the web is held beside their web response instead
    (``held_responses``), for the secretariat to choose: their web answers are never
    overwritten. Answers the form said to skip go to ``set_aside``."""
    assert channel in CHANNELS, channel
    today = _today()
    held = 0
    answers: dict[int, list[tuple]] = {}  # by response; a later row for it replaces one before
    encoded: dict[tuple, list[tuple]] = {}  # (item, type, value) -> rows, for detail-less answers
    with _import_cache(db), db.writing():
        on_web = {
            invitation_id
            for (invitation_id,) in db.execute(
                "SELECT invitation_id FROM responses WHERE round_id = ? "
                "AND invitation_id IS NOT NULL AND channel = 'web'",
                [round_id],
            )
        }
        for response in imported:
            key: int | str
            attributes = (
                json.dumps(response.attributes, ensure_ascii=False) if response.attributes else "{}"
            )
            aside = _aside(questionnaire, response.set_aside)
            if response.respondent is not None:
                upsert, key = _UPSERT_INVITED, response.respondent.invitation_id
                if key in on_web and channel != "web":
                    _hold(db, questionnaire, round_id, response, channel, attributes, aside)
                    held += 1
                    continue
            else:
                upsert, key = _UPSERT_ANONYMOUS, f"import:{response.source}"
            (response_id,) = db.execute(
                upsert,
                [
                    round_id,
                    key,
                    response.role,
                    response.unit,
                    attributes,
                    today,
                    today,
                    channel,
                    aside,
                ],
            ).fetchone()
            answers.pop(response_id, None)
            answers[response_id] = _encoded(questionnaire, response.answers, encoded)
        db.executemany("DELETE FROM answers WHERE response_id = ?", [(rid,) for rid in answers])
        db.executemany(
            "INSERT INTO answers (response_id, item, code, number, text) VALUES (?, ?, ?, ?, ?)",
            ((rid, *row) for rid, rows in answers.items() for row in rows),
        )
    return Stored(len(imported) - held, held)


@contextmanager
def _import_cache(db: Store) -> Iterator[None]:
    """The transaction's pages stay in memory instead of spilling to the log half-way
    (most of the time of a large SQLite import; docs/performance.md); the connection's size
    comes back. PostgreSQL's server sizes its own buffers."""
    if db.sql.name != "sqlite":
        yield
        return
    (cache_size,) = db.execute("PRAGMA cache_size").fetchone()
    db.execute(f"PRAGMA cache_size = -{_IMPORT_CACHE_KIB}")
    try:
        yield
    finally:
        db.execute(f"PRAGMA cache_size = {int(cache_size)}")


def _aside(questionnaire: Questionnaire, answers: Mapping[str, Answer]) -> str:
    """Answers kept aside, as the JSON of their (item, code, number, text) rows."""
    if not answers:
        return "[]"
    rows = [row for item, answer in answers.items() for row in encode(questionnaire, item, answer)]
    return json.dumps(rows, ensure_ascii=False)


def _hold(
    db: Store,
    questionnaire: Questionnaire,
    round_id: int,
    response: ImportedResponse,
    channel: str,
    attributes: str,
    aside: str,
) -> None:
    """Keep a returned form beside the web response of the same person (inside the
    import's transaction): the open held form of that channel is replaced, as a second
    import of the same file replaces a response."""
    assert response.respondent is not None
    invitation_id = response.respondent.invitation_id
    rows = json.dumps(
        [
            row
            for item, answer in response.answers.items()
            for row in encode(questionnaire, item, answer)
        ],
        ensure_ascii=False,
    )
    db.execute(
        "DELETE FROM held_responses WHERE invitation_id = ? AND channel = ? AND chosen IS NULL",
        [invitation_id, channel],
    )
    db.execute(
        "INSERT INTO held_responses (round_id, invitation_id, channel, role, unit, attributes, "
        "answers, set_aside, submitted, arrived_on) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?)",
        [
            round_id,
            invitation_id,
            channel,
            response.role,
            response.unit,
            attributes,
            rows,
            aside,
            _today(),
        ],
    )


def _encoded(
    questionnaire: Questionnaire, answers: Mapping[str, Answer], encoded: dict[tuple, list[tuple]]
) -> list[tuple]:
    """``encode`` of every answer of one response; an answer without details depends on its
    item and value only, so those rows are worked out once per distinct (item, value)."""
    rows: list[tuple] = []
    for item, answer in answers.items():
        if answer.details:
            rows += encode(questionnaire, item, answer)
            continue
        key = (item, type(answer.value), answer.value)  # 1 and 1.0 are equal keys
        if key not in encoded:
            encoded[key] = encode(questionnaire, item, answer)
        rows += encoded[key]
    return rows


@dataclass(frozen=True)
class SubmittedPerson:
    """Who gave a submitted response, as every table of a round breaks it down: the role
    and unit they stated (else the invitation's) and the invitation's attributes overlaid
    with their own."""

    response_id: int
    email: str | None  # the invitation's; None in an anonymous round (never the token)
    role: str | None
    unit: str | None
    attributes: dict[str, str]

    def groups(self) -> dict[str, str | None]:
        """The group values scoring reads: role, unit and every attribute."""
        return {"role": self.role, "unit": self.unit, **self.attributes}


def submitted_people(db: Store, round_id: int) -> list[SubmittedPerson]:
    """Every submitted response's person, in response order. Call it inside ``snapshot``
    with the read of their answers, so both see the same responses."""
    return [person for person, _ in submitted_people_with(db, round_id, "NULL")]


def submitted_people_with(
    db: Store,
    round_id: int,
    column: str,
    parameters: Sequence[object] = (),
    *,
    snapshot_id: int | None = None,
) -> list[tuple[SubmittedPerson, Any]]:
    """``submitted_people``, each with one more value the same statement reads: ``column``,
    an SQL expression over the response ``r`` (with ``parameters``), such as its answers
    packed into one text, so people and answers are one read of one state. ``column`` is
    pasted into the statement: the caller's own SQL, never anything from outside; values
    go in ``parameters``. With ``snapshot_id``, the snapshot's people instead (no e-mail),
    and ``r`` is their version in ``response_versions`` (see ``ANSWERS_OF``)."""
    parsed: dict[str, dict[str, str]] = {}  # attributes: mostly the same few texts

    def attributes(text: str) -> dict[str, str]:
        if text not in parsed:
            parsed[text] = json.loads(text)
        return parsed[text]

    with paused_gc():  # a national round's 50,000 people, none of them cyclic
        return [
            (
                SubmittedPerson(
                    response_id, email, role, unit, attributes(invited or "{}") | attributes(own)
                ),
                value,
            )
            for response_id, email, role, unit, own, invited, value in db.execute(
                _PEOPLE_OF_SNAPSHOT.format(column=column)
                if snapshot_id is not None
                else _PEOPLE.format(column=column),
                [*parameters, round_id if snapshot_id is None else snapshot_id],
            )
        ]


_PEOPLE = (
    "SELECT r.id, i.email, r.role, coalesce(r.unit, i.unit), r.attributes, i.attributes, "
    "{column} FROM responses r LEFT JOIN invitations i ON i.id = r.invitation_id "
    "WHERE r.round_id = ? AND r.submitted = 1 ORDER BY r.id"
)
_PEOPLE_OF_SNAPSHOT = (  # a version's unit and attributes already have the invitation's
    "SELECT r.response_id, NULL, r.role, r.unit, r.attributes, NULL, {column} "
    "FROM snapshot_members m JOIN response_versions r ON r.response_id = m.response_id "
    "AND r.revision = m.revision WHERE m.snapshot_id = ? ORDER BY m.response_id"
)
ANSWERS_OF = {
    False: "answers a WHERE a.response_id = r.id",
    True: "version_answers a WHERE a.response_id = r.response_id AND a.revision = r.revision",
}
"""The answers of the response ``r`` in ``submitted_people_with``'s statement, live (False)
or of a snapshot's version (True)."""


def decoded_by_response(
    questionnaire: Questionnaire, rows: Iterable[tuple]
) -> dict[Hashable, dict[str, Answer]]:
    """Typed answers per response from (item, code, number, text, response id) rows in
    response order (or per version, with (response, revision) as the last field): one
    response's rows at a time, so a million row tuples never pile up, and answers that
    are equal are one shared object."""
    answers: dict[Hashable, dict[str, Answer]] = {}
    shared: dict[tuple, Answer] = {}
    with paused_gc():
        for response_id, response_rows in groupby(rows, itemgetter(4)):
            answers[response_id] = decode(questionnaire, response_rows, shared=shared)
    return answers


def submitted_responses(
    db: Store, questionnaire: Questionnaire, round_id: int
) -> list[tuple[str | None, str | None, str | None, dict[str, str], dict[str, Answer]]]:
    """(email, role, unit, attributes, answers) of every submitted response, in order: the
    e-mail identifies an invited respondent to the admin who invited them, while the token,
    which opens their answers, never leaves in a file."""
    with snapshot(db):
        people = submitted_people(db, round_id)
        # the order costs no sort: it is the index's
        answers = decoded_by_response(
            questionnaire,
            db.execute(
                "SELECT a.item, a.code, a.number, a.text, a.response_id FROM answers a "
                "JOIN responses r ON r.id = a.response_id "
                "WHERE r.round_id = ? AND r.submitted = 1 ORDER BY r.id",
                [round_id],
            ),
        )
    return [(p.email, p.role, p.unit, p.attributes, answers.get(p.response_id, {})) for p in people]

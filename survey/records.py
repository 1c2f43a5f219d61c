"""The things a survey keeps, as plain frozen data: what storage returns and the rest reads.

Storage turns rows into these and back; reports, mail, exports and operations take them
without knowing where they came from, so a report can be made from a generated round in a
test as well as from the database, and no module outside storage needs storage to read
them. Nothing here knows SQL, Flask or files.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from survey.questionnaire.answers import Answer
from survey.questionnaire.model import Questionnaire
from survey.scoring.likert import Respondent as ScoredRespondent
from survey.scoring.rates import Invited

MAX_ID = 2**63 - 1
"""The largest id there can be: ids are stored as 64-bit signed integers (SQLite's INTEGER,
PostgreSQL's bigint). A larger number names nothing, and the database drivers raise
OverflowError on it instead of finding nothing, so the edges (URLs, CLI arguments) refuse it."""


@dataclass(frozen=True)
class Round:
    """One run of a questionnaire version, with its confidentiality threshold."""

    id: int
    name: str
    questionnaire_version_id: int
    anonymous: bool
    min_group_size: int
    closes_on: str | None
    closed_at: str | None
    open_token: str | None
    allow_changes: bool
    created_at: str

    @property
    def uses_codes(self) -> bool:
        """An anonymous round without an open link: people answer with one-time codes."""
        return self.anonymous and self.open_token is None

    def is_open(self, today: date | None = None) -> bool:
        if self.closed_at is not None:
            return False
        today = today or datetime.now(UTC).date()
        return self.closes_on is None or today <= date.fromisoformat(self.closes_on)


@dataclass(frozen=True)
class Person:
    """Someone on an invitation list, checked and not yet invited."""

    name: str
    email: str  # stripped and lower-cased, the form duplicates are compared in
    role: str  # one of the questionnaire's role codes, whatever case the file used
    unit: str
    attributes: Mapping[str, str]  # every extra column by lower-cased name, in column order


@dataclass(frozen=True)
class Invitation:
    """An invited person: one person, one token, one round."""

    id: int
    round_id: int
    token: str
    name: str
    email: str
    role: str
    unit: str
    attributes: dict[str, str]


@dataclass(frozen=True)
class Respondent:
    """Who an imported row belongs to, as the round knows them (from the invitation)."""

    key: str  # the invitation's (lower-case) e-mail
    invitation_id: int
    role: str
    unit: str


@dataclass(frozen=True)
class ImportedResponse:
    """One checked row of a responses file, ready to store."""

    row: int
    answers: dict[str, Answer]
    role: str | None
    unit: str | None
    attributes: dict[str, str] = field(default_factory=dict)
    respondent: Respondent | None = None
    source: str = ""  # "<sha256 of the file>:<row>": the same row of the same file on re-import
    # answers to questions the form said to skip: stored aside, never scored or exported
    set_aside: dict[str, Answer] = field(default_factory=dict)
    unanswered: tuple[str, ...] = ()  # answer ids the form asked and the row left blank


@dataclass(frozen=True)
class Keying:
    """One typing-in of a returned paper form under double entry: not a response until a
    second keying agrees with it or the differences are resolved (``paper_keyings``)."""

    id: int
    round_id: int
    invitation_id: int
    typed: Mapping[str, str]  # what was typed, by the data-entry page's field names
    keyed_by: str  # the account's e-mail
    keyed_at: str


@dataclass(frozen=True)
class Measure:
    """A unit's follow-up (tiltak) of an index, recorded against the round that prompted it."""

    id: int
    round_id: int
    unit: str
    index_id: str
    what: str
    who: str
    due: str
    status: str


@dataclass(frozen=True)
class RoundResults:
    """Everything a result report needs of a round, as plain data."""

    round: Round
    questionnaire: Questionnaire
    respondents: list[ScoredRespondent]
    invitations: list[Invited]  # empty for an anonymous round: no one is invited by name
    first_answer: str | None  # dates (day precision), as stored
    last_answer: str | None
    as_of: str | None = None  # when the snapshot read was taken (UTC, ISO); None: live
    final: bool = False  # the snapshot was taken after the round closed
    snapshot_id: int | None = None

"""The secretariat's invitation list: a CSV file in, validated people or every problem out.

The list comes from Excel (Norwegian Excel saves ';'-separated Windows-1252 or UTF-8 with a
BOM) or is typed by hand, so the reader is forgiving about form and strict about content:
it finds the encoding and separator itself, but a person row that is not clearly right is a
problem. All problems are collected and reported together, with the row number Excel shows,
so the secretariat can fix the whole file in one go; the caller stores nothing unless the
list is clean. Each problem is in English for the CLI and in bokmål for the secretariat's
pages (``RowProblem.nb``). Headers may be English (name;email;role;unit) or Norwegian
(Navn;E-post;Rolle;Enhet), in any case.

Pure: no Flask or SQLite, so the CLI, the web app and the tests share it.
"""

from __future__ import annotations

import csv
import difflib
from collections.abc import Collection, Sequence
from types import MappingProxyType

from survey.addresses import email_problem, email_problem_nb
from survey.csvfile import (
    COLUMNS_NB,
    MAX_BYTES,
    MAX_ROWS,
    WHOLE_FILE,
    CsvProblems,
    Record,
    RowProblem,
    column_letter,
    decode,
    read_records,
    separator_of,
    whole_file,
)
from survey.records import Person

InvitationListError = CsvProblems  # the name callers of this module know it by
__all__ = [
    "MAX_ATTRIBUTES",
    "MAX_BYTES",
    "MAX_ROWS",
    "REQUIRED",
    "WHOLE_FILE",
    "InvitationListError",
    "Person",
    "RowProblem",
    "read_invitation_list",
]

REQUIRED = ("name", "email", "role", "unit")
ALIASES = {
    "navn": "name",
    "e-post": "email",
    "epost": "email",
    "e-postadresse": "email",
    "epostadresse": "email",
    "rolle": "role",
    "enhet": "unit",
}
"""Norwegian headers of the required columns (lower-cased); other columns keep their name."""
# Every extra column becomes an attribute of each person, and the round's page shows a
# response-rate table per attribute: 3,000 columns made every load of it take 32 s.
MAX_ATTRIBUTES = 50


def read_invitation_list(
    data: bytes, roles: Collection[str], *, existing_emails: Collection[str] = ()
) -> list[Person]:
    """The people in the file, or InvitationListError with every problem in it.

    ``roles`` are the questionnaire's role codes; ``existing_emails`` those already invited
    in this round, so a second list cannot invite anyone twice."""
    if len(data) > MAX_BYTES:
        raise whole_file(
            f"the file is larger than the limit of {MAX_BYTES // 2**20} MB",
            f"filen er større enn grensen på {MAX_BYTES // 2**20} MB",
        )
    text = decode(data)
    separator = separator_of(text)
    records, unreadable = read_records(text, separator)
    if len(records) > MAX_ROWS + 1:
        raise whole_file(
            f"the file has more than {MAX_ROWS:,} people; the limit is {MAX_ROWS:,} per list",
            f"filen har flere enn {_tall(MAX_ROWS)} personer; grensen er {_tall(MAX_ROWS)} "
            "per liste",
        )
    checker = _Checker(roles, existing_emails, separator)
    people = checker.check(records)
    if unreadable is not None:
        limit = csv.field_size_limit()
        message = f"unreadable: a cell is over {limit:,} characters long; is a '\"' never closed?"
        message_nb = (
            f"kan ikke leses: en celle er over {_tall(limit)} tegn lang; mangler det en "
            "avsluttende '\"'?"
        )
        checker.add(unreadable, -1, "", message, message_nb)
    if checker.problems:
        raise InvitationListError(checker.sorted_problems())
    return people


_NO_PEOPLE_NB = "filen har ingen personer i seg"


def _tall(number: int) -> str:
    return f"{number:,}".replace(",", "\u00a0")


class _Checker:
    """Collects problems across the header and every row, with a position to sort them by."""

    def __init__(self, roles: Collection[str], existing_emails: Collection[str], separator: str):
        self.separator = "a tab" if separator == "\t" else f"'{separator}'"
        self.separator_nb = "et tabulatortegn" if separator == "\t" else f"'{separator}'"
        ordered = roles if isinstance(roles, Sequence) else sorted(roles)
        self.roles = list(dict.fromkeys(ordered))
        self.codes = set(self.roles)
        self.role_by_lower: dict[str, str] = {}
        for code in self.roles:
            self.role_by_lower.setdefault(code.lower(), code)
        self.existing = {email.strip().lower() for email in existing_emails}
        self.first_row_of: dict[str, int] = {}
        self._found: list[tuple[int, int, int, RowProblem]] = []

    @property
    def problems(self) -> bool:
        return bool(self._found)

    def add(self, row: int, column_index: int, column: str, message: str, nb: str) -> None:
        problem = RowProblem(row, column, message, nb)
        self._found.append((row, column_index, len(self._found), problem))

    def sorted_problems(self) -> list[RowProblem]:
        return [problem for *_, problem in sorted(self._found, key=lambda f: f[:3])]

    def check(self, records: list[Record]) -> list[Person]:
        if not records:
            self.add(WHOLE_FILE, -1, "", "the file has no people in it", _NO_PEOPLE_NB)
            return []
        header, *rows = records
        if len(header.cells) > len(REQUIRED) + MAX_ATTRIBUTES:
            # One problem, and no rows checked: each would carry thousands of attributes.
            count = len(header.cells)
            self.add(
                header.row,
                -1,
                "",
                f"{count:,} columns, but a list may have at most {MAX_ATTRIBUTES} besides "
                f"{', '.join(REQUIRED[:-1])} and {REQUIRED[-1]} (each is kept as an attribute "
                "of every person)",
                f"{_tall(count)} kolonner, men en liste kan ha høyst {MAX_ATTRIBUTES} i tillegg "
                "til navn, e-post, rolle og enhet (hver av dem lagres som en egenskap ved hver "
                "person)",
            )
            return []
        columns = self._check_header(header)
        if not rows:
            self.add(WHOLE_FILE, -1, "", "the file has no people in it", _NO_PEOPLE_NB)
        people = [self._check_row(record, header, columns) for record in rows]
        return [person for person in people if person is not None]

    def _check_header(self, header: Record) -> dict[str, int]:
        """Column name -> first index; reports duplicate, empty and missing names."""
        written = [cell.lower() for cell in header.cells]
        names = [ALIASES.get(name, name) for name in written]
        columns: dict[str, int] = {}
        for index, name in enumerate(names):
            letter = column_letter(index)
            if not name:
                message_nb = f"kolonne {letter} har ikke noe navn"
                self.add(header.row, index, "", f"column {letter} has no name", message_nb)
            elif name in columns:
                first = column_letter(columns[name])
                message = f"duplicate column '{name}' (columns {first} and {letter})"
                message_nb = f"kolonnen står to ganger (kolonne {first} og {letter})"
                self.add(header.row, index, name, message, message_nb)
            else:
                columns[name] = index
        found = ", ".join(name for name in written if name)
        for offset, required in enumerate(REQUIRED):
            if required in columns:
                continue
            guess = difflib.get_close_matches(required, list(columns), n=1)
            guess_nb = difflib.get_close_matches(COLUMNS_NB[required], written, n=1)
            suggestion = f"; did you mean '{guess[0]}'?" if guess else ""
            forslag = f"; mente du '{guess_nb[0]}'?" if guess_nb else ""
            message = f"missing required column '{required}'{suggestion} (found: {found or 'none'})"
            message_nb = (
                f"mangler den obligatoriske kolonnen '{COLUMNS_NB[required]}' (eller "
                f"'{required}'){forslag} (fant: {found or 'ingen'})"
            )
            self.add(header.row, len(names) + offset, required, message, message_nb)
        return columns

    def _check_row(self, record: Record, header: Record, columns: dict[str, int]) -> Person | None:
        """A person, or None after reporting why not. A row whose cell count differs from
        the header's is reported as a whole: its cells cannot be trusted to be in place."""
        width = len(header.cells)
        if len(record.cells) != width:
            count = len(record.cells)
            message = f"{count} cell{'s' * (count != 1)}, but the header has {width} columns"
            message_nb = f"{count} celle{'r' * (count != 1)}, men overskriftsraden har {width}"
            message_nb += " kolonner"
            if record.lines > 1:
                message += f"; the row runs over {record.lines} lines: is a '\"' never closed?"
                message_nb += (
                    f"; raden går over {record.lines} linjer: mangler det en avsluttende '\"'?"
                )
            elif len(record.cells) > width:
                message += f"; a value containing {self.separator} must be in double quotes"
                message_nb += f"; en verdi som inneholder {self.separator_nb}, må stå i doble "
                message_nb += "anførselstegn"
            self.add(record.row, -1, "", message, message_nb)
            return None
        values = {name: record.cells[index] for name, index in columns.items()}
        before = len(self._found)
        for name in ("name", "unit"):
            if name in columns and not values[name]:
                self.add(record.row, columns[name], name, f"{name} is empty", "er tom")
        email = self._check_email(record.row, columns, values.get("email"))
        role = self._check_role(record.row, columns, values.get("role"))
        complete = all(name in columns for name in REQUIRED)  # else the header is reported
        if len(self._found) > before or not complete or email is None or role is None:
            return None
        extras = {
            name: record.cells[index] for name, index in columns.items() if name not in REQUIRED
        }
        return Person(values["name"], email, role, values["unit"], MappingProxyType(extras))

    def _check_email(self, row: int, columns: dict[str, int], raw: str | None) -> str | None:
        if raw is None:
            return None
        index = columns["email"]
        if not raw:
            self.add(row, index, "email", "email is empty", "er tom")
            return None
        email = raw.lower()
        problem = email_problem(email)
        if problem is not None:
            message_nb = f"'{raw}' kan ikke brukes: {email_problem_nb(email)}"
            self.add(row, index, "email", f"invalid email '{raw}': {problem}", message_nb)
            return None
        first = self.first_row_of.setdefault(email, row)
        if first != row:
            message = f"duplicate email '{email}' (first on row {first})"
            message_nb = f"'{email}' står to ganger i listen (først på rad {first})"
            self.add(row, index, "email", message, message_nb)
            return None
        if email in self.existing:
            message = f"'{email}' is already invited in this round"
            message_nb = f"'{email}' er allerede invitert i denne runden"
            self.add(row, index, "email", message, message_nb)
            return None
        return email

    def _check_role(self, row: int, columns: dict[str, int], raw: str | None) -> str | None:
        if raw is None:
            return None
        index = columns["role"]
        valid = ", ".join(self.roles) or "none"
        gyldige = ", ".join(self.roles) or "ingen"
        if not raw:
            message_nb = f"er tom (gyldige roller: {gyldige})"
            self.add(row, index, "role", f"role is empty (valid roles: {valid})", message_nb)
            return None
        code = raw if raw in self.codes else self.role_by_lower.get(raw.lower())
        if code is not None:
            return code
        guess = difflib.get_close_matches(raw.lower(), list(self.role_by_lower), n=1)
        suggestion = f"; did you mean '{self.role_by_lower[guess[0]]}'?" if guess else ""
        forslag = f"; mente du '{self.role_by_lower[guess[0]]}'?" if guess else ""
        message = f"unknown role '{raw}'{suggestion} (valid roles: {valid})"
        message_nb = f"ukjent rolle '{raw}'{forslag} (gyldige roller: {gyldige})"
        self.add(row, index, "role", message, message_nb)
        return None

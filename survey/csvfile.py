"""Reading CSV files that come out of Excel, for any table the secretariat hands us.

Norwegian Excel saves ';'-separated Windows-1252 or UTF-8 with a BOM; people also type
files by hand. This module finds the encoding and separator and yields records with the
row numbers Excel shows, so every reader (invitation lists, paper-form answers) reports
problems in the same terms. Pure: no Flask or SQLite.
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass, field

from survey.errors import InvalidInput

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 100_000

# Whole-file problems (too large, not text, no people) have no row of their own.
WHOLE_FILE = 0

COLUMNS_NB = {"name": "navn", "email": "e-post", "role": "rolle", "unit": "enhet"}
"""What the secretariat's pages call the columns every list has (others keep their name)."""

_WORKBOOK_SIGNATURES = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")  # .xlsx (zip), .xls (OLE)
_SEPARATORS = (";", "\t", ",")  # on a tie the earlier one wins: ';' is what Excel here writes


@dataclass(frozen=True)
class RowProblem:
    """One problem, in English for the CLI (``str()``) and in bokmål for the secretariat's
    pages (``nb``); a reader that has no bokmål text yet leaves ``message_nb`` empty."""

    row: int  # as Excel shows it: header row 1, first person row 2; 0 for the whole file
    column: str  # lower-cased column name; '' for the whole row or file
    message: str
    message_nb: str = field(default="", compare=False)
    # the bare reason, without row, column or value: what a page that shows one typed form
    # puts beside its field (``responses_csv.read_form``); '' when the reader gives none
    reason: str = field(default="", compare=False)

    def __str__(self) -> str:
        if self.row == WHOLE_FILE:
            return self.message
        if not self.column:
            return f"row {self.row}: {self.message}"
        return f"row {self.row}, column {self.column}: {self.message}"

    @property
    def nb(self) -> str:
        """The problem as the secretariat's page shows it: "rad 3, kolonne e-post: ..."."""
        message = self.message_nb or self.message
        if self.row == WHOLE_FILE:
            return message
        if not self.column:
            return f"rad {self.row}: {message}"
        return f"rad {self.row}, kolonne {COLUMNS_NB.get(self.column, self.column)}: {message}"


class CsvProblems(InvalidInput):
    """Raised with every problem in the file; nothing from it may be stored."""

    problems: list[RowProblem]

    def __init__(self, problems: list[RowProblem]):
        super().__init__("\n".join(str(p) for p in problems) or "invalid file", problems)


def whole_file(message: str, nb: str) -> CsvProblems:
    return CsvProblems([RowProblem(WHOLE_FILE, "", message, nb)])


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM (Excel's "Unicode text"), or Windows-1252.

    Windows-1252 is tried last: Norwegian Excel on Windows writes it for plain "CSV", and a
    file that is not valid UTF-8 is almost certainly that; it is a superset of Latin-1 for
    æøå, so old Latin-1 exports come through too."""
    if data.startswith(_WORKBOOK_SIGNATURES):
        raise whole_file(
            "this is an Excel workbook, not a CSV file; in Excel choose "
            "File > Save As > 'CSV UTF-8 (comma delimited)' and use that file",
            "dette er en Excel-arbeidsbok av gammel type, ikke en CSV-fil; velg i Excel "
            "Fil > Lagre som > «CSV UTF-8 (kommadelt)» eller «Excel-arbeidsbok (.xlsx)», og "
            "bruk den filen",
        )
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates: tuple[str, ...] = ("utf-16",)
    else:
        candidates = ("utf-8-sig", "cp1252")
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text
    raise whole_file(
        "the file is not readable text; save it from Excel as 'CSV UTF-8 (comma delimited)'",
        "filen er ikke lesbar tekst; lagre den fra Excel som «CSV UTF-8 (kommadelt)»",
    )


def separator_of(text: str) -> str:
    """The separator the header line uses most; csv.Sniffer guesses wrong on short files."""
    header = next((line for line in text.splitlines() if line.strip()), "")
    return max(_SEPARATORS, key=lambda sep: (header.count(sep), -_SEPARATORS.index(sep)))


@dataclass(frozen=True)
class Record:
    row: int
    cells: list[str]  # stripped
    lines: int  # more than 1 when a quoted cell holds line breaks (or a '"' is never closed)


def read_records(text: str, separator: str) -> tuple[list[Record], int | None]:
    """Non-empty records with their Excel row numbers, stopping one past the row limit.

    Blank lines (and lines of only separators) are skipped but still counted, as Excel shows
    them as empty rows. Also returns the row the csv module gave up on, if it did."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    records: list[Record] = []
    row = 0
    while len(records) <= MAX_ROWS + 1:
        row += 1
        line_before = reader.line_num
        try:
            raw = next(reader)
        except StopIteration:
            break
        except csv.Error:
            return records, row
        cells = [cell.strip() for cell in raw]
        if any(cells):
            records.append(Record(row, cells, reader.line_num - line_before))
    return records, None


def column_letter(index: int) -> str:
    """Excel's name for the zero-based column ``index``: A ... Z, AA ..."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters

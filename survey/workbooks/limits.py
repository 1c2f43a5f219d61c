"""How much of a workbook we are willing to read, and the one error every limit raises.

An .xlsx file is a zip archive of XML parts, and both layers can lie: a part can declare an
uncompressed size a thousand times its packed one (a zip bomb), and a sheet can declare a
dimension of A1:XFD1048576 with nothing in it (openpyxl then produced 17 billion empty
cells). So every limit here is checked against what is declared *before* anything is
unpacked, and again against what is actually read, as it is read: nothing is trusted and
nothing grows without a bound. The limits are generous for any list a secretariat keeps
(tests/workbooks/ reads one of 100,000 people) and together keep converting any file
under a stated amount of memory (docs/security.md).
"""

from __future__ import annotations

from survey.csvfile import MAX_BYTES, MAX_ROWS, CsvProblems, RowProblem

# The archive, checked from its central directory before any part is unpacked.
MAX_ENTRIES = 1_000  # Excel writes a dozen or two; images and sheets add one each
MAX_DIRECTORY_BYTES = 256 * 1024  # the central directory, which zipfile reads whole
MAX_PART_BYTES = 128 * 1024 * 1024  # one part, unpacked: 100,000 rows of 10 columns fit
MAX_TOTAL_BYTES = 256 * 1024 * 1024  # all parts together, unpacked
MAX_RATIO = 100  # unpacked / packed, for parts over RATIO_FROM; XML packs 5-20 times
RATIO_FROM = 1024 * 1024

# The XML, checked while it streams through the parser.
MAX_TOKEN_BYTES = 1024 * 1024  # a tag or attribute the parser must hold whole
MAX_ELEMENTS = 8_000_000  # in all parts read; each costs about a microsecond to parse
MAX_SHARED_STRINGS = 2_000_000  # distinct texts: every person's name, e-mail and more
MAX_SHARED_TEXT = MAX_BYTES  # their characters: more than a list's CSV could hold
MAX_CELL_FORMATS = 64_000  # Excel's own limit

# The sheet, cell by cell. Values beyond these are refused, never skipped: a list that is
# read only in part would invite only some of its people.
MAX_SHEET_ROWS = MAX_ROWS + 1  # the header and MAX_ROWS rows below it
MAX_CELLS = 2_000_000  # rows times the widest row: 100,000 people with 20 columns
MAX_CELL_CHARS = 32_767  # Excel's own limit
MAX_CSV_CHARS = MAX_BYTES  # the CSV the sheet becomes, as the CSV readers limit it
EXCEL_COLUMNS = 16_384  # A to XFD: a reference beyond is no Excel's
EXCEL_ROWS = 1_048_576


class WorkbookProblem(CsvProblems):
    """A workbook that is refused; nothing from it is used."""


def refused(message: str, row: int = 0) -> WorkbookProblem:
    """The one problem with the file (on ``row`` as Excel numbers it, 0 for the whole).

    The secretariat's page says in bokmål that the workbook was refused and what to do;
    the technical reason, which only an operator can act on, is quoted as it is."""
    nb = (
        "Excel-filen kan ikke brukes. Lagre listen på nytt fra Excel (gjerne som «CSV UTF-8 "
        f"(kommadelt)») og prøv igjen. Teknisk årsak, for den som drifter systemet: {message}"
    )
    return WorkbookProblem([RowProblem(row, "", message, nb)])

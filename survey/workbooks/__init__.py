"""Tables handed to us as Excel workbooks, read as the CSV the table readers take.

Invitation lists come out of Excel; asking the secretariat to "save as CSV UTF-8" first was
one more step to get wrong, and the web took .xlsx while the CLI refused it. A workbook is
recognised by what it is (an .xlsx file is a zip archive), not by its file name, and its
first sheet becomes ';'-separated CSV row by row, so problems carry the row numbers Excel
shows.

An uploaded workbook is hostile until proven otherwise: a 1.5 KB file declaring the
dimension A1:XFD1048576 grew the server by gigabytes through openpyxl, and a 2 MB zip bomb
took minutes of CPU. So the archive is checked before anything is unpacked (archive.py),
only the parts a sheet needs are read, each streamed with bounds (book.py, sheet.py), and
every limit (limits.py) is a WorkbookProblem, an InvalidInput with the CSV readers'
message form. Pure: no Flask or SQLite.
"""

from __future__ import annotations

from survey.workbooks.archive import Budget, open_archive
from survey.workbooks.book import read_book
from survey.workbooks.limits import WorkbookProblem
from survey.workbooks.sheet import sheet_as_csv

XLSX_SIGNATURE = b"PK\x03\x04"  # every .xlsx file is a zip archive

__all__ = ["XLSX_SIGNATURE", "WorkbookProblem", "as_csv"]


def as_csv(data: bytes) -> bytes:
    """``data`` itself, or, for an .xlsx workbook, its first sheet as CSV."""
    if not data.startswith(XLSX_SIGNATURE):
        return data
    budget = Budget()
    with open_archive(data) as archive:
        return sheet_as_csv(archive, budget, read_book(archive, budget))

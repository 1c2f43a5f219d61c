"""Tables handed to us as Excel workbooks, read as the CSV the table readers take.

Invitation lists come out of Excel; asking the secretariat to "save as CSV UTF-8" first was
one more step to get wrong, and the web took .xlsx while the CLI refused it. A workbook is
recognised by what it is (an .xlsx file is a zip archive), not by its file name, and its
first sheet becomes ';'-separated CSV row by row, so problems carry the row numbers Excel
shows. Pure: no Flask or SQLite.
"""

from __future__ import annotations

import csv
import io

from survey.csvfile import whole_file

XLSX_SIGNATURE = b"PK\x03\x04"  # every .xlsx file is a zip archive


def as_csv(data: bytes) -> bytes:
    """``data`` itself, or, for an .xlsx workbook, its first sheet as CSV."""
    if not data.startswith(XLSX_SIGNATURE):
        return data
    from openpyxl import load_workbook  # only when a workbook comes: it loads slowly

    try:
        sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
    except Exception as error:  # openpyxl raises many kinds for a file that is not xlsx
        raise whole_file(f"the file could not be read as an Excel workbook ({error})") from error
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    for row in sheet.iter_rows(values_only=True):
        writer.writerow(["" if cell is None else str(cell) for cell in row])
    return out.getvalue().encode("utf-8")

"""The first sheet, cell by cell, into the ';'-separated CSV the table readers take.

Only cells that hold something count. The sheet's declared dimension is never read (a
workbook of 1.5 KB declaring A1:XFD1048576 made openpyxl produce 17 billion empty cells):
rows are as wide as their last value, and every row is padded to the widest at the end, as
Excel shows them. A missing row becomes an empty line, so the CSV's row numbers are the
ones Excel shows. Values read as openpyxl reads them (numbers, dates by their format,
booleans), so a list gives the same CSV as before.
"""

from __future__ import annotations

import zipfile
from array import array
from datetime import datetime

from survey.csvfile import column_letter
from survey.workbooks.archive import Budget, Handler, damaged, local, parse
from survey.workbooks.book import DATE, DURATION, Book
from survey.workbooks.limits import (
    EXCEL_COLUMNS,
    EXCEL_ROWS,
    MAX_CELL_CHARS,
    MAX_CELLS,
    MAX_CSV_CHARS,
    MAX_ROWS,
    MAX_SHEET_ROWS,
    refused,
)

_NEEDS_QUOTES = frozenset(';"\r\n')


class SheetReader(Handler):
    """Collects the sheet's rows as CSV lines while expat streams it (one row at a time)."""

    def __init__(self, budget: Budget, book: Book) -> None:
        super().__init__(budget)
        self.book = book
        self.lines: list[str] = []
        self.numbers = array("l")  # each line's row number
        self.widths = array("l")  # each line's number of cells
        self.chars = 0  # of the CSV so far, without the padding
        self.widest = 0
        self.row = 0
        self.column = 0
        self.cells: dict[int, str] = {}
        self.kind = "n"
        self.style = 0
        self.pieces: list[str] = []
        self.length = 0
        self.collecting = False
        self.phonetic = 0

    # --- expat callbacks ---------------------------------------------------------------

    def start(self, tag: str, attributes: dict[str, str]) -> None:
        self.elements += 1
        if ":" in tag:
            tag = local(tag)
        if tag == "c":
            reference = attributes.get("r")
            self.column = _column(reference, self.row) if reference else self.column + 1
            self.kind = attributes.get("t", "n")
            style = attributes.get("s")
            self.style = int(style) if style and style.isdigit() and len(style) < 7 else 0
            self.pieces.clear()
            self.length = 0
        elif tag == "v" or (tag == "t" and self.kind == "inlineStr" and not self.phonetic):
            self.collecting = True
        elif tag == "row":
            number = attributes.get("r")
            row = _row(number) if number else self.row + 1
            if row <= self.row:
                raise damaged(f"row {row} comes after row {self.row}; save it again in Excel")
            self.row, self.column = row, 0
            self.cells = {}
        elif tag == "rPh":
            self.phonetic += 1

    def end(self, tag: str) -> None:
        if ":" in tag:
            tag = local(tag)
        if tag == "c":
            self._cell()
        elif tag in ("v", "t"):
            self.collecting = False
        elif tag == "row":
            self._row()
        elif tag == "rPh":
            self.phonetic -= 1

    def text(self, data: str) -> None:
        if self.collecting:
            self.length += len(data)
            if self.length > MAX_CELL_CHARS:
                raise refused(
                    f"cell {column_letter(self.column - 1)}{self.row} is over "
                    f"{MAX_CELL_CHARS:,} characters, Excel's own limit for a cell",
                    self.row,
                )
            self.pieces.append(data)

    # --- the cell and the row ----------------------------------------------------------

    def _cell(self) -> None:
        raw = "".join(self.pieces)
        if not raw:
            return  # an empty or only formatted cell: it neither counts nor widens its row
        value = self._value(raw)
        if not value:
            return
        if self.row > MAX_SHEET_ROWS:
            raise refused(
                f"the first sheet has a value on row {self.row:,}; at most "
                f"{MAX_ROWS:,} rows below the header are read (row {MAX_SHEET_ROWS:,})",
                self.row,
            )
        if self.column > EXCEL_COLUMNS:
            raise damaged(f"row {self.row} has a value past column XFD, Excel's last")
        self.cells[self.column] = value

    def _value(self, raw: str) -> str:
        """The cell's text as ``str()`` of what openpyxl's ``values_only`` gives."""
        kind = self.kind
        if kind in ("inlineStr", "str", "e"):
            return raw
        if kind == "s":
            if not raw.isdigit() or int(raw) >= len(self.book.strings):
                raise damaged(f"cell {column_letter(self.column - 1)}{self.row}: no text {raw}")
            return self.book.strings[int(raw)]
        if kind == "b":
            return str(raw.strip() not in ("0", ""))
        try:
            if kind == "d":
                from openpyxl.utils.datetime import from_ISO8601

                return str(from_ISO8601(raw))
            number = float(raw) if ("." in raw or "e" in raw or "E" in raw) else int(raw)
        except (ValueError, OverflowError):
            return raw
        formats = self.book.formats
        if self.style < len(formats) and formats[self.style] in (DATE, DURATION):
            return _date(number, self.book.epoch, formats[self.style] == DURATION)
        return str(number)

    def _row(self) -> None:
        if not self.cells:
            return
        width = max(self.cells)
        self.widest = max(self.widest, width)
        if (len(self.lines) + 1) * self.widest > MAX_CELLS:
            raise refused(
                f"the first sheet is a table of {len(self.lines) + 1:,} rows by "
                f"{self.widest:,} columns so far; at most {MAX_CELLS:,} cells are read",
                self.row,
            )
        line = ";".join(_quoted(self.cells.get(column, "")) for column in range(1, width + 1))
        previous = self.numbers[-1] if self.numbers else 0
        self.chars += len(line) + 1 + (self.row - previous - 1)  # and the empty lines between
        if self.chars > MAX_CSV_CHARS:
            raise _too_large()
        self.lines.append(line)
        self.numbers.append(self.row)
        self.widths.append(width)

    def csv(self) -> bytes:
        """The rows as CSV, each padded to the widest; empty lines where rows are missing."""
        width = self.widest
        padding = sum(width - w for w in self.widths)
        if self.chars + padding > MAX_CSV_CHARS:
            raise _too_large()
        lines, previous = self.lines, 0
        for index, (number, cells) in enumerate(zip(self.numbers, self.widths, strict=True)):
            lines[index] = "\n" * (number - previous - 1) + lines[index] + ";" * (width - cells)
            previous = number
        lines.append("")
        text = "\n".join(lines)
        lines.clear()
        return text.encode("utf-8", "surrogatepass")


def sheet_as_csv(archive: zipfile.ZipFile, budget: Budget, book: Book) -> bytes:
    reader = SheetReader(budget, book)
    parse(archive, book.sheet, reader)
    return reader.csv()


def _column(reference: str, row: int) -> int:
    """The 1-based column of a reference such as "AB12" (its letters, at most three)."""
    letters = reference.rstrip("0123456789")
    if not (0 < len(letters) <= 3 and letters.isascii() and letters.isupper()):
        raise damaged(f"a cell on row {row} has the reference {reference[:20]!r}")
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def _row(number: str) -> int:
    if not (number.isdigit() and len(number) <= 7 and 0 < int(number) <= EXCEL_ROWS):
        raise damaged(f"a row has the number {number[:20]!r}")
    return int(number)


def _date(number: float, epoch: datetime, duration: bool) -> str:
    from openpyxl.utils.datetime import from_excel

    try:
        return str(from_excel(number, epoch, timedelta=duration))
    except (OverflowError, ValueError):
        return "#VALUE!"  # what openpyxl makes of a date out of range


def _quoted(value: str) -> str:
    if _NEEDS_QUOTES.isdisjoint(value):
        return value
    return '"' + value.replace('"', '""') + '"'


def _too_large() -> Exception:
    return refused(f"the first sheet is larger than the limit of {MAX_CSV_CHARS // 2**20} MB")

"""What a workbook's sheet needs from the rest of it: which part is the first sheet, the
shared strings its cells point into, which cell formats are dates, and the date system.

Only these parts are read (openpyxl also reads themes, defined names, and every style);
each is streamed, and what is kept of it is bounded: the shared strings are held as one
UTF-8 buffer with an offset per string, not as a million string objects.
"""

from __future__ import annotations

import posixpath
import zipfile
from array import array
from dataclasses import dataclass, field
from datetime import datetime

from survey.workbooks.archive import Budget, Handler, damaged, local, parse
from survey.workbooks.limits import (
    MAX_CELL_CHARS,
    MAX_CELL_FORMATS,
    MAX_SHARED_STRINGS,
    MAX_SHARED_TEXT,
    refused,
)

PLAIN, DATE, DURATION = 0, 1, 2  # what a number in a cell format is
_MAX_FORMAT_CODE = 255  # Excel's own limit


class SharedStrings:
    """The workbook's table of texts, looked up by index, in bounded, compact memory."""

    def __init__(self) -> None:
        self._text = bytearray()
        self._ends = array("Q")

    def __len__(self) -> int:
        return len(self._ends)

    def __getitem__(self, index: int) -> str:
        start = self._ends[index - 1] if index > 0 else 0
        return self._text[start : self._ends[index]].decode("utf-8")

    def append(self, text: str) -> None:
        if len(self._ends) >= MAX_SHARED_STRINGS:
            raise refused(
                f"the workbook has more than {MAX_SHARED_STRINGS:,} shared texts; "
                "a list the size of the limit has fewer"
            )
        self._text += text.encode("utf-8", "surrogatepass")
        if len(self._text) > MAX_SHARED_TEXT:
            raise refused(
                f"the workbook's shared texts are over {MAX_SHARED_TEXT // 2**20} MB, "
                "more than a list within the size limit holds"
            )
        self._ends.append(len(self._text))


@dataclass
class Book:
    sheet: str  # the first worksheet's part
    strings: SharedStrings = field(default_factory=SharedStrings)
    formats: bytes = b""  # PLAIN, DATE or DURATION for each cell format (style) index
    epoch: datetime = datetime(1899, 12, 30)  # Excel for Windows; 1904 on old Macs


def read_book(archive: zipfile.ZipFile, budget: Budget) -> Book:
    names = set(archive.namelist())
    package = _relations(archive, budget, "", names)
    main = package.get("officeDocument", [("", "xl/workbook.xml")])[0][1]
    if main not in names:
        raise damaged("it has no workbook part")
    parts = _relations(archive, budget, main, names)
    sheets = _Sheets(budget)
    parse(archive, main, sheets)
    worksheets = dict(parts.get("worksheet", []))  # (a sheet may be a chart instead)
    first = next((worksheets[id_] for id_ in sheets.ids if id_ in worksheets), None)
    if first is None:
        raise refused("the workbook has no worksheet")
    book = Book(first)
    if sheets.date1904:
        book.epoch = datetime(1904, 1, 1)
    if "sharedStrings" in parts:
        parse(archive, parts["sharedStrings"][0][1], _Strings(budget, book.strings))
    if "styles" in parts:
        book.formats = _read_formats(archive, budget, parts["styles"][0][1])
    return book


class _Relations(Handler):
    """Relationship type (the last word of its URI) -> [(id, target part), ...]; external
    targets and targets that are not in the archive are left out."""

    def __init__(self, budget: Budget, folder: str, names: set[str]) -> None:
        super().__init__(budget)
        self.folder, self.names = folder, names
        self.found: dict[str, list[tuple[str, str]]] = {}

    def start(self, tag: str, attributes: dict[str, str]) -> None:
        self.elements += 1
        if local(tag) != "Relationship" or attributes.get("TargetMode") == "External":
            return
        kind = attributes.get("Type", "").rpartition("/")[2]
        target = attributes.get("Target", "")
        target = target[1:] if target.startswith("/") else posixpath.join(self.folder, target)
        target = posixpath.normpath(target)
        if target in self.names and len(self.found.get(kind, ())) < 10_000:
            self.found.setdefault(kind, []).append((attributes.get("Id", ""), target))


def _relations(
    archive: zipfile.ZipFile, budget: Budget, part: str, names: set[str]
) -> dict[str, list[tuple[str, str]]]:
    """The relationships of ``part`` ("" for the package's own)."""
    folder, base = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", f"{base}.rels")
    if rels not in names:
        return {}
    handler = _Relations(budget, folder, names)
    parse(archive, rels, handler)
    return handler.found


class _Sheets(Handler):
    """The relationship ids of the workbook's sheets in tab order, and the date system."""

    def __init__(self, budget: Budget) -> None:
        super().__init__(budget)
        self.ids: list[str] = []
        self.date1904 = False

    def start(self, tag: str, attributes: dict[str, str]) -> None:
        self.elements += 1
        tag = local(tag)
        if tag == "sheet" and len(self.ids) < 10_000:
            ids = [value for key, value in attributes.items() if local(key) == "id"]
            self.ids.append(ids[0] if ids else "")
        elif tag == "workbookPr":
            self.date1904 = attributes.get("date1904", "").lower() in ("1", "true")


class _Strings(Handler):
    """Each <si>'s text as openpyxl reads it: its <t>, and the <t> of its runs (<r>), but not
    the phonetic guides (<rPh>)."""

    def __init__(self, budget: Budget, strings: SharedStrings) -> None:
        super().__init__(budget)
        self.strings = strings
        self.pieces: list[str] = []
        self.length = 0
        self.phonetic = 0
        self.collecting = False

    def start(self, tag: str, attributes: dict[str, str]) -> None:
        self.elements += 1
        tag = local(tag)
        if tag == "rPh":
            self.phonetic += 1
        elif tag == "t" and not self.phonetic:
            self.collecting = True

    def end(self, tag: str) -> None:
        tag = local(tag)
        if tag == "rPh":
            self.phonetic -= 1
        elif tag == "t":
            self.collecting = False
        elif tag == "si":
            self.strings.append("".join(self.pieces).replace("x005F_", ""))
            self.pieces.clear()
            self.length = 0

    def text(self, data: str) -> None:
        if self.collecting:
            self.length += len(data)
            if self.length > MAX_CELL_CHARS:
                raise refused(
                    f"a shared text of the workbook is over {MAX_CELL_CHARS:,} characters, "
                    "Excel's own limit for a cell"
                )
            self.pieces.append(data)


class _Formats(Handler):
    """The custom number formats, and the number format of each cell format (cellXfs)."""

    def __init__(self, budget: Budget) -> None:
        super().__init__(budget)
        self.custom: dict[int, str] = {}
        self.used: list[int] = []
        self.in_cell_formats = False

    def start(self, tag: str, attributes: dict[str, str]) -> None:
        self.elements += 1
        tag = local(tag)
        if tag == "numFmt":
            if len(self.custom) >= MAX_CELL_FORMATS:
                raise _too_many_formats()
            self.custom[_number(attributes.get("numFmtId"))] = attributes.get("formatCode", "")
        elif tag == "cellXfs":
            self.in_cell_formats = True
        elif tag == "xf" and self.in_cell_formats:
            if len(self.used) >= MAX_CELL_FORMATS:
                raise _too_many_formats()
            self.used.append(_number(attributes.get("numFmtId")))

    def end(self, tag: str) -> None:
        if local(tag) == "cellXfs":
            self.in_cell_formats = False


def _read_formats(archive: zipfile.ZipFile, budget: Budget, part: str) -> bytes:
    """PLAIN, DATE or DURATION for each cell format, decided as openpyxl decides it."""
    from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format

    handler = _Formats(budget)
    parse(archive, part, handler)
    kinds = bytearray()
    for number in handler.used:
        code = handler.custom.get(number, BUILTIN_FORMATS.get(number))
        if code is not None and len(code) > _MAX_FORMAT_CODE:
            kinds.append(PLAIN)  # longer than Excel allows: not read as anything
        elif is_timedelta_format(code):
            kinds.append(DURATION)
        elif is_date_format(code):
            kinds.append(DATE)
        else:
            kinds.append(PLAIN)
    return bytes(kinds)


def _number(text: str | None) -> int:
    if text is None or not text.isdigit() or len(text) > 9:
        return -1
    return int(text)


def _too_many_formats() -> Exception:
    return refused(
        f"the workbook has more than {MAX_CELL_FORMATS:,} cell formats, Excel's own limit"
    )

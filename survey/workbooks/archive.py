"""The zip archive of a workbook, checked before anything is unpacked, and its XML parts
streamed through a parser that holds at most a bounded piece of them at a time.

The checks read only what the archive declares (its central directory), so a zip bomb is
refused in microseconds; the standard library then never unpacks more of a part than it
declared, so the declared sizes bound what is read. The parser refuses any DTD (so there
are no entities to expand) and any single tag that would make it buffer more than
MAX_TOKEN_BYTES.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from dataclasses import dataclass
from xml.parsers import expat

from survey.workbooks.limits import (
    MAX_DIRECTORY_BYTES,
    MAX_ELEMENTS,
    MAX_ENTRIES,
    MAX_PART_BYTES,
    MAX_RATIO,
    MAX_TOKEN_BYTES,
    MAX_TOTAL_BYTES,
    RATIO_FROM,
    refused,
)

_END_OF_DIRECTORY = struct.Struct("<4s4H2LH")  # the zip format's last record, 22 bytes
_CHUNK = 64 * 1024
_MB = 1024 * 1024


def damaged(detail: object) -> Exception:
    return refused(f"the file could not be read as an Excel workbook ({detail})")


def open_archive(data: bytes) -> zipfile.ZipFile:
    """The archive, once its directory and every entry's declared size have passed."""
    _check_directory(data)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as error:
        raise damaged(error) from error
    entries = archive.infolist()
    if len(entries) > MAX_ENTRIES:  # the end record may understate what the directory holds
        raise _too_many(len(entries))
    total = 0
    for entry in entries:
        _check_entry(entry)
        total += entry.file_size
    if total > MAX_TOTAL_BYTES:
        raise refused(
            f"the workbook would unpack to {total / _MB:,.0f} MB; "
            f"the limit is {MAX_TOTAL_BYTES // _MB} MB"
        )
    return archive


def _check_directory(data: bytes) -> None:
    """The end record's entry count and directory size, before zipfile reads the directory
    (which it holds whole in memory, one object per entry)."""
    at = data.rfind(b"PK\x05\x06", max(0, len(data) - _END_OF_DIRECTORY.size - 0xFFFF))
    if at < 0 or len(data) - at < _END_OF_DIRECTORY.size:
        raise damaged("the zip archive has no end record; is the file complete?")
    _, _, _, _, entries, directory_size, _, _ = _END_OF_DIRECTORY.unpack_from(data, at)
    if entries == 0xFFFF or directory_size == 0xFFFFFFFF:
        raise damaged("a ZIP64 archive, which Excel does not write for a list")
    if entries > MAX_ENTRIES:
        raise _too_many(entries)
    if directory_size > MAX_DIRECTORY_BYTES:
        raise refused(
            f"the workbook's zip directory is {directory_size:,} bytes; "
            f"the limit is {MAX_DIRECTORY_BYTES:,}"
        )


def _too_many(entries: int) -> Exception:
    return refused(
        f"the workbook is a zip archive of {entries:,} parts; "
        f"Excel writes a few dozen and at most {MAX_ENTRIES:,} are accepted"
    )


def _check_entry(entry: zipfile.ZipInfo) -> None:
    name = entry.filename
    if entry.flag_bits & 0x1:
        raise refused(f"the workbook's part {name} is encrypted")
    if entry.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        # bzip2 and lzma are unpacked without a size bound per read by zipfile
        raise damaged(f"{name} uses compression method {entry.compress_type}, not Excel's")
    if entry.file_size > MAX_PART_BYTES:
        raise refused(
            f"the workbook's part {name} would unpack to {entry.file_size / _MB:,.0f} MB; "
            f"the limit is {MAX_PART_BYTES // _MB} MB"
        )
    if entry.file_size > RATIO_FROM and entry.file_size > MAX_RATIO * entry.compress_size:
        ratio = entry.file_size / max(1, entry.compress_size)
        raise refused(
            f"the workbook's part {name} would unpack to {ratio:,.0f} times its packed "
            f"size (a zip bomb); at most {MAX_RATIO} times is accepted"
        )


@dataclass
class Budget:
    """How many more XML elements one workbook may have parsed, in all its parts."""

    left: int = MAX_ELEMENTS


class Handler:
    """What ``parse`` calls: ``start(tag, attributes)``, ``end(tag)`` and ``text(characters)``,
    straight from expat (a tag may carry a prefix, as in ``x:row``: ``local`` drops it).
    ``start`` counts ``elements``, which ``parse`` holds to the workbook's ``budget``. The
    callbacks may raise WorkbookProblem to stop."""

    elements = 0

    def __init__(self, budget: Budget) -> None:
        self.budget = budget

    def start(self, tag: str, attributes: dict[str, str]) -> None:
        self.elements += 1

    def end(self, tag: str) -> None:
        return None

    def text(self, data: str) -> None:
        return None


def local(name: str) -> str:
    """A tag or attribute name without its prefix."""
    return name[name.index(":") + 1 :] if ":" in name else name


def parse(archive: zipfile.ZipFile, name: str, handler: Handler) -> None:
    """Stream the part ``name`` through ``handler``, refusing a DTD, a tag the parser would
    have to hold over MAX_TOKEN_BYTES, and more than MAX_ELEMENTS elements."""
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.buffer_text = True

    def no_dtd(*_: object) -> None:
        raise refused(f"the workbook's part {name} declares a DTD, which Excel never writes")

    parser.StartDoctypeDeclHandler = no_dtd
    parser.EntityDeclHandler = no_dtd
    parser.StartElementHandler = handler.start
    parser.EndElementHandler = handler.end
    parser.CharacterDataHandler = handler.text
    fed = 0
    try:
        with archive.open(name) as stream:
            while chunk := stream.read(_CHUNK):
                parser.Parse(chunk, False)
                fed += len(chunk)
                # Outside a callback the index is just past the last event: what lies
                # beyond it is one token the parser is still holding.
                if fed - parser.CurrentByteIndex > MAX_TOKEN_BYTES:
                    raise refused(
                        f"the workbook's part {name} has a tag over "
                        f"{MAX_TOKEN_BYTES // _MB} MB long"
                    )
                if handler.elements > handler.budget.left:
                    raise refused(
                        f"the workbook has over {MAX_ELEMENTS:,} XML elements (in {name}); "
                        "a list the size of the limits has fewer"
                    )
        parser.Parse(b"", True)
        handler.budget.left -= handler.elements
    except (expat.ExpatError, zipfile.BadZipFile, zlib.error, EOFError, KeyError) as error:
        raise damaged(f"{name}: {error}") from error

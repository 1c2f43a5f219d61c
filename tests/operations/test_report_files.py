"""The report cache: asking for a report deletes the files of its earlier versions and
leaves every other report (and a rendering under way) alone."""

from __future__ import annotations

import os
import time

from survey.operations.report_files import forget_superseded


def test_earlier_versions_of_a_report_are_deleted_and_other_reports_kept(tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    names = [
        "runde-1-aaaa-old.pdf",  # the same report, made from earlier data
        "runde-1-aaaa-older.error",  # ... whose rendering failed
        "runde-1-aaaa-rendering.part",  # ... still being rendered: left to finish
        "runde-1-bbbb-old.pdf",  # another breakdown or unit of the round
        "runde-2-aaaa-old.pdf",  # another round
        "0123456789abcdef0123456789abcdef.pdf",  # named as before reports had names
    ]
    now = time.time()  # the process's clock, which `make test-future` moves, not the disk's
    for name in names:
        (folder / name).write_bytes(b"%PDF")
        os.utime(folder / name, (now, now))
    target = folder / "runde-1-aaaa-new.pdf"
    deleted = forget_superseded(target)
    assert sorted(p.name for p in deleted) == [
        "0123456789abcdef0123456789abcdef.pdf",
        "runde-1-aaaa-old.pdf",
        "runde-1-aaaa-older.error",
    ]
    assert sorted(p.name for p in folder.iterdir()) == [
        "runde-1-aaaa-rendering.part",
        "runde-1-bbbb-old.pdf",
        "runde-2-aaaa-old.pdf",
    ]
    assert forget_superseded(tmp_path / "none" / "runde-1-a-b.pdf") == []

"""Background report rendering: one job per file, failures kept until retried."""

from __future__ import annotations

import os
import threading
import time

from survey.web import report_jobs


def wait_for(target, state: str, seconds: float = 30) -> None:
    """Bounded by time, not by a count of naps: on a loaded machine (CI beside other work)
    the pool's thread may take seconds to be scheduled at all."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if report_jobs.status(target) == state and not target.with_suffix(".part").exists():
            return
        time.sleep(0.02)
    raise AssertionError(f"{target} never became {state}")


def test_a_report_is_rendered_once_however_often_it_is_asked_for(tmp_path):
    target = tmp_path / "reports" / "a.pdf"
    gate, calls = threading.Event(), []

    def render() -> bytes:
        calls.append(1)
        gate.wait(5)
        return b"%PDF-1.7 ..."

    assert report_jobs.ensure(target, render) == "running"
    assert report_jobs.ensure(target, render) == "running"  # asked again while rendering
    gate.set()
    wait_for(target, "ready")
    assert report_jobs.ensure(target, render) == "ready" and target.read_bytes() == b"%PDF-1.7 ..."
    assert calls == [1]


def test_a_failure_is_kept_with_its_reason_until_retried(tmp_path):
    target = tmp_path / "b.pdf"

    def broken() -> bytes:
        raise RuntimeError("fonts missing")

    report_jobs.ensure(target, broken)
    wait_for(target, "failed")
    assert "fonts missing" in target.with_suffix(".error").read_text()
    assert report_jobs.ensure(target, lambda: b"%PDF") == "failed"  # not retried silently
    report_jobs.retry(target)
    assert report_jobs.ensure(target, lambda: b"%PDF") == "running"
    wait_for(target, "ready")
    assert not target.exists() or target.read_bytes() == b"%PDF"


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
    deleted = report_jobs.forget_superseded(target)
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
    assert report_jobs.forget_superseded(tmp_path / "none" / "runde-1-a-b.pdf") == []

"""Reports are rendered outside the web request, one at a time per process, into a cache.

A national report takes seconds and hundreds of megabytes; rendering it inside a request
would hold a worker that respondents need, and two secretariat members asking at once would
double the memory. So a request starts a background job (or finds one running) and gets a
"being made" page that asks whether it is done (a script, or a button without one, never a
page that reloads itself under a screen reader); the finished PDF is a file named by a
digest of everything it is made from (report.fingerprint), so it is served until anything in
it would change, by every worker process alike, and is deleted then. The file system is the
job table: ``.part`` while rendering, ``.pdf`` when done, ``.error`` with the reason when it
failed.
"""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

STALE_AFTER = 600  # seconds: a .part this old belongs to a process that died

_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="report")
_jobs: dict[Path, Future] = {}
_lock = threading.Lock()


def status(target: Path) -> str:
    """ "ready", "running" or "failed" (the reason is in ``target.with_suffix('.error')``)."""
    if target.exists():
        return "ready"
    if target.with_suffix(".error").exists():
        return "failed"
    return "running"


def ensure(target: Path, render: Callable[[], bytes]) -> str:
    """Start rendering ``target`` unless it exists or is being rendered; its status."""
    with _lock:
        current = status(target)
        job = _jobs.get(target)
        part = target.with_suffix(".part")
        elsewhere = part.exists() and time.time() - part.stat().st_mtime < STALE_AFTER
        if current == "running" and (job is None or job.done()) and not elsewhere:
            target.parent.mkdir(parents=True, exist_ok=True)
            part.touch()
            _jobs[target] = _executor.submit(_render, target, render)
        return current


def forget_superseded(target: Path) -> list[Path]:
    """Delete the files of earlier versions of ``target``: those named like it up to the
    last "-" (the same report) with another key after it, and those from before the cache's
    names had a report in them (a bare key). A rendering still under way is left to finish
    (its ``.part``, unless stale); what it writes is deleted the next time. Returns what was
    deleted."""
    report, _, key = target.stem.rpartition("-")
    deleted = []
    with _lock:
        for path in target.parent.glob("*") if target.parent.is_dir() else ():
            other, _, other_key = path.stem.rpartition("-")
            if not ((other == report and other_key != key) or (not other and path.is_file())):
                continue
            if path.suffix == ".part" and time.time() - path.stat().st_mtime < STALE_AFTER:
                continue
            path.unlink(missing_ok=True)
            deleted.append(path)
    return deleted


def retry(target: Path) -> None:
    """Forget a failure so the next ``ensure`` renders again."""
    target.with_suffix(".error").unlink(missing_ok=True)


def _render(target: Path, render: Callable[[], bytes]) -> None:
    part = target.with_suffix(".part")
    try:
        part.write_bytes(render())
        part.replace(target)
    except Exception:
        target.with_suffix(".error").write_text(traceback.format_exc(), encoding="utf-8")
        part.unlink(missing_ok=True)
    finally:
        with _lock:
            _jobs.pop(target, None)

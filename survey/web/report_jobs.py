"""Reports are rendered outside the web request, one at a time per process, into a cache.

A national report takes seconds and hundreds of megabytes; rendering it inside a request would
hold a worker that respondents need, and two secretariat members asking at once would
double the memory. So a request starts a background job (or finds one running) and gets
a "being made" page that reloads itself (no JavaScript: a meta refresh); the finished PDF
is a file named by the round's answer state, so it is served until an answer changes, by
every worker process alike. The file system is the job table: ``.part`` while rendering,
``.pdf`` when done, ``.error`` with the reason when it failed.
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

"""Steps that build a million small objects at once: imports, exports, scoring reads,
report renders."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_pauses = 0  # steps under way that asked for the pause
_resume = False  # whether the collector was on when the first of them began


@contextmanager
def paused_gc() -> Iterator[None]:
    """Python's cycle collector paused while a bulk step builds a million small objects.

    Every so often a collection walks all objects still alive, which in a national round's
    imports, exports and scoring reads was a large share of their time (docs/performance.md,
    "Figures behind the code"). The objects built there hold no reference cycles, so nothing
    is left for the collector to find. The pause is process-wide, so steps in several
    threads share it: the collector comes back when the last of them ends, and only if it
    was on when the first began."""
    global _pauses, _resume
    with _lock:
        if _pauses == 0:
            _resume = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _lock:
            _pauses -= 1
            if _pauses == 0 and _resume:
                gc.enable()

"""The cycle collector's pause is shared by overlapping bulk steps in several threads."""

from __future__ import annotations

import gc
import threading

from survey.gc_pause import paused_gc


def test_overlapping_pauses_end_with_the_last_one():
    assert gc.isenabled()
    inside, leave = threading.Event(), threading.Event()

    def other_step() -> None:
        with paused_gc():
            inside.set()
            assert leave.wait(10)

    worker = threading.Thread(target=other_step)
    with paused_gc():
        worker.start()
        assert inside.wait(10)
    assert not gc.isenabled()  # the other step is still under way
    leave.set()
    worker.join(10)
    assert gc.isenabled()


def test_a_pause_begun_with_the_collector_off_leaves_it_off():
    gc.disable()
    try:
        with paused_gc():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()

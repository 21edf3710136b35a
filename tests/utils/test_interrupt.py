"""The one Ctrl-C mechanism: a flag instead of an exception, shared by nested calls and threads."""

import os
import signal
import threading
import time

import pytest

from skphase.utils._interrupt import InterruptedWarning, current, interruptible, warn_interrupted

pytestmark = pytest.mark.skipif(threading.current_thread() is not threading.main_thread(),
                                reason="signals are delivered to the main thread")


def _press_ctrl_c(after=0.05):
    timer = threading.Timer(after, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    return timer


def _poll(stop, seconds=5.0):
    deadline = time.monotonic() + seconds
    while not stop.is_set() and time.monotonic() < deadline:
        time.sleep(0.005)


def test_ctrl_c_sets_the_flag_instead_of_raising():
    with interruptible() as stop:
        _press_ctrl_c()
        _poll(stop)
    assert stop.is_set()
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # restored


def test_second_press_raises_keyboard_interrupt():
    with pytest.raises(KeyboardInterrupt):
        with interruptible() as stop:
            _press_ctrl_c()
            _poll(stop)
            _press_ctrl_c()
            time.sleep(5)  # interrupted by the second press
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_nested_calls_and_worker_threads_share_the_outer_flag():
    seen = []
    with interruptible() as outer:
        with interruptible() as inner:
            assert inner is outer

        def worker():
            with interruptible() as mine:
                seen.append(mine is outer)
                _poll(mine)
                seen.append(mine.is_set())

        thread = threading.Thread(target=worker)
        thread.start()
        _press_ctrl_c()
        thread.join(10)
    assert seen == [True, True]
    assert current() is None


def test_keyboard_interrupt_raised_inside_sets_the_flag_and_propagates():
    with pytest.raises(KeyboardInterrupt):
        with interruptible() as stop:
            raise KeyboardInterrupt
    assert stop.is_set()
    assert current() is None


def test_a_users_own_handler_is_left_alone():
    calls = []
    previous = signal.signal(signal.SIGINT, lambda *a: calls.append(1))
    try:
        with interruptible():
            assert signal.getsignal(signal.SIGINT) is not signal.default_int_handler
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.05)
        assert calls == [1]
    finally:
        signal.signal(signal.SIGINT, previous)


def test_warning_names_what_was_cut_short():
    with pytest.warns(InterruptedWarning, match="sample 2 of 3"):
        warn_interrupted("sample 2 of 3")

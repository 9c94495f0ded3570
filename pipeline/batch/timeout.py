"""A per-document time budget (`--doc-timeout`): `with deadline(seconds): ...` raises
`DocTimeout` inside the block once the budget is spent.

In a process's main thread (the in-process engine, the worker processes of `-j N`) it uses
`signal.setitimer(ITIMER_REAL)` and a SIGALRM handler; the previous handler and any timer
that was already running are restored when the block ends. Signal handlers only run in the
main thread, so in other threads (Dask workers run tasks in a thread pool) a watchdog timer
raises the exception in the working thread instead (`PyThreadState_SetAsyncExc`). Both
interrupt Python code between bytecodes, and the `regex` module's matching loop, which
checks for signals; a single long call into other C code ends before the exception shows.

`DocTimeout` derives from BaseException so that a component's `except Exception` cannot
swallow it; the batch loop catches it and writes an `error` record of type `Timeout`.
"""

from __future__ import annotations

import ctypes
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

DEFAULT_DOC_TIMEOUT = 10.0


class DocTimeout(BaseException):
    """The document used up its time budget."""


_active: list[object] = []  # the token of the signal deadline now running (main thread only)


def _on_alarm(signum, frame) -> None:
    if _active:
        raise DocTimeout()


@contextmanager
def deadline(seconds: float | None) -> Iterator[None]:
    """Raise DocTimeout in this block after `seconds` (None or 0: no budget)."""
    if not seconds or seconds <= 0:
        yield
        return
    if threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer"):
        with _signal_deadline(seconds):
            yield
    else:
        with _thread_deadline(seconds):
            yield


@contextmanager
def _signal_deadline(seconds: float) -> Iterator[None]:
    token = object()
    previous_handler = signal.signal(signal.SIGALRM, _on_alarm)
    previous_delay, previous_interval = signal.setitimer(signal.ITIMER_REAL, seconds)
    started = time.monotonic()
    _active.append(token)
    try:
        yield
    finally:
        try:
            _active.remove(token)
            signal.setitimer(signal.ITIMER_REAL, 0)
        finally:
            # None: a handler installed from C, which Python cannot put back; the default is the nearest
            signal.signal(signal.SIGALRM, previous_handler if previous_handler is not None else signal.SIG_DFL)
            if previous_delay:  # someone else's timer was running: give it back what is left
                left = max(previous_delay - (time.monotonic() - started), 1e-6)
                signal.setitimer(signal.ITIMER_REAL, left, previous_interval)


def _set_async_exc(thread_id: int, exc: type[BaseException] | None) -> None:
    """Make `exc` pending in that thread; None (a NULL pointer) clears a pending one."""
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), ctypes.py_object(exc) if exc else None)


@contextmanager
def _thread_deadline(seconds: float) -> Iterator[None]:
    thread_id = threading.get_ident()
    lock = threading.Lock()
    state = {"running": True, "fired": False}

    def fire() -> None:
        with lock:
            if state["running"]:
                state["fired"] = True
                _set_async_exc(thread_id, DocTimeout)

    timer = threading.Timer(seconds, fire)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
        with lock:
            state["running"] = False
            fired = state["fired"]
        if fired:  # the exception may still be pending if the block ended at the same moment
            _set_async_exc(thread_id, None)

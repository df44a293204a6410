"""Worker processes that never outlive their parent.

A process pool's workers block reading a pipe whose write end their forked
siblings also hold, so when the parent is killed (SIGKILL, the OOM killer)
no end-of-file ever reaches them: they are re-parented to init and live on.
:func:`die_with_parent`, called first thing in a worker, ends the worker
when its parent dies:

* on Linux, ``prctl(PR_SET_PDEATHSIG, SIGKILL)`` (through ``ctypes``): the
  kernel kills the worker the moment the parent (precisely: the parent's
  thread that started it) exits;
* elsewhere, a daemon thread that checks ``os.getppid()`` every
  :data:`WATCH_INTERVAL` seconds and exits the worker when it changes.

Either way a parent that died before the call is noticed at once. Usage::

    ProcessPoolExecutor(..., initializer=die_with_parent)
    multiprocessing.Process(target=serve)   # and serve() calls die_with_parent() first
"""

from __future__ import annotations

import os
import signal
import sys
import threading

__all__ = ["WATCH_INTERVAL", "die_with_parent"]

WATCH_INTERVAL = 1.0
"""Seconds between parent checks of the watchdog thread (non-Linux)."""

_PR_SET_PDEATHSIG = 1


def _parent_pid() -> int:
    """The pid of the process that started this one (recorded before the fork)."""
    import multiprocessing

    parent = multiprocessing.parent_process()
    if parent is not None and parent.pid is not None:
        return int(parent.pid)
    return os.getppid()


def _set_pdeathsig() -> bool:
    """Ask Linux to SIGKILL this process when its parent exits; False if unavailable."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _watch(parent: int, interval: float) -> None:
    import time

    while os.getppid() == parent:
        time.sleep(interval)
    os._exit(1)


def die_with_parent(parent: int | None = None, *, watchdog: bool | None = None) -> None:
    """Make this (worker) process exit when its parent process dies.

    Args:
        parent: the parent's pid; default: the multiprocessing parent
            (recorded before the fork, so a parent that already died is
            still recognised), else ``os.getppid()``.
        watchdog: also start the polling thread; default: only where the
            Linux parent-death signal is unavailable.

    Call it first in the worker. It costs one system call (Linux) or one
    sleeping daemon thread. If the parent is already gone, exits now.
    """
    expected = _parent_pid() if parent is None else parent
    armed = _set_pdeathsig()
    if os.getppid() != expected:  # died before the signal was armed
        os._exit(1)
    if watchdog or (watchdog is None and not armed):
        threading.Thread(
            target=_watch, args=(expected, WATCH_INTERVAL), name="die-with-parent", daemon=True
        ).start()

"""Worker processes never outlive a killed parent (issue 15, item 14).

Before :func:`detector.workers.die_with_parent`, a SIGKILLed ``index add``
left its sketching workers alive, re-parented to init, for hours.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_index import synthetic_corpus, write_jsonl

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="reads /proc to find the worker processes"
)


def _children(pid: int) -> set[int]:
    out: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        out.update(int(x) for x in text)
    return out


def _alive(pid: int) -> bool:
    """Running (a zombie waiting for a reaper counts as gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _kill_and_watch(proc: subprocess.Popen[bytes], want: int, timeout: float = 120) -> set[int]:
    """Wait for ``want`` children of ``proc``, SIGKILL it, return the children alive 10 s later."""
    deadline = time.monotonic() + timeout
    kids: set[int] = set()
    while time.monotonic() < deadline and len(kids) < want:
        assert proc.poll() is None, "the parent ended before its workers started"
        kids = _children(proc.pid)
        time.sleep(0.05)
    assert len(kids) >= want, kids
    time.sleep(0.5)  # let the workers get to work
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    left = set(kids)
    end = time.monotonic() + 10
    while left and time.monotonic() < end:
        left = {k for k in left if _alive(k)}
        time.sleep(0.1)
    for k in left:  # never leave them behind, even when the test fails
        os.kill(k, signal.SIGKILL)
    return left


_POOL_SCRIPT = """
import concurrent.futures, multiprocessing, sys, time
import detector.workers as w

def start():
    if sys.argv[1] == "watchdog":  # the non-Linux path: no parent-death signal
        w._set_pdeathsig = lambda: False
        w.WATCH_INTERVAL = 0.2
    w.die_with_parent()

def work(x):
    time.sleep(3600)

pool = concurrent.futures.ProcessPoolExecutor(
    2, mp_context=multiprocessing.get_context("fork"), initializer=start
)
pool.map(work, range(4))
time.sleep(3600)
"""


@pytest.mark.parametrize("mode", ["pdeathsig", "watchdog"])
def test_pool_workers_die_with_their_parent(mode: str) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", _POOL_SCRIPT, mode],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        assert _kill_and_watch(proc, 2) == set()
    finally:
        if proc.poll() is None:
            proc.kill()


_ADD_SCRIPT = """
import sys
from detector.index import Index
with Index(sys.argv[1]) as ix:
    ix.add([sys.argv[2]], workers=2)
"""


def test_sigkill_of_index_add_leaves_no_worker(tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "c.jsonl", synthetic_corpus(3000, words=120))
    proc = subprocess.Popen(
        [sys.executable, "-c", _ADD_SCRIPT, str(tmp_path / "ix.db"), str(src)],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": os.environ.get("DETECTOR_TEST_TREE", str(ROOT))},
    )
    try:
        assert _kill_and_watch(proc, 2) == set()
    finally:
        if proc.poll() is None:
            proc.kill()


_REPORT_SCRIPT = """
import sys
from detector.report import build_report
build_report([sys.argv[1]], workers=2, framing=False)
"""


def test_sigkill_of_report_leaves_no_worker(tmp_path: Path) -> None:
    """The local engine's forked workers (``_Workers``) die with a killed ``report``."""
    src = write_jsonl(tmp_path / "c.jsonl", synthetic_corpus(3000, words=120))
    proc = subprocess.Popen(
        [sys.executable, "-c", _REPORT_SCRIPT, str(src)],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": os.environ.get("DETECTOR_TEST_TREE", str(ROOT))},
    )
    try:
        assert _kill_and_watch(proc, 2) == set()
    finally:
        if proc.poll() is None:
            proc.kill()

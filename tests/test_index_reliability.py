"""The index under a full disk, damaged pages, edited schema versions and concurrent writers.

Each test failed before the fix it covers (issue 15, items 5 and 15).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from test_index import check_consistent, synthetic_corpus, write_jsonl

from detector.index import Index, IndexDamagedError, IndexFileError, IndexFullError
from detector.index.check import check_index
from detector.schema import Document

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "corpora" / "sample" / "sample.jsonl"


def _run(*args: str, script: str | None = None) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-c", script, *args] if script else [sys.executable, "-m", "detector", *args]
    return subprocess.run(
        cmd,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=300,
    )


def _one_line_error(proc: subprocess.CompletedProcess[str], code: int, *needles: str) -> None:
    assert proc.returncode == code, (proc.returncode, proc.stderr)
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("detector: error: ")
    for needle in needles:
        assert needle in lines[0], lines[0]


# --------------------------------------------------------------------------- full disk


def test_full_database_is_one_error_and_stays_consistent(tmp_path: Path) -> None:
    db = tmp_path / "ix.db"
    docs = synthetic_corpus(200)
    with Index(db) as ix:
        ix.add(docs[:10], workers=1)
        pages = ix._db.execute("PRAGMA page_count").fetchone()[0]
        ix._db.execute(f"PRAGMA max_page_count={pages + 40}")  # room for about one batch
        with pytest.raises(IndexFullError, match="database or disk is full"):
            ix.add(docs, workers=1)
        ix._db.execute("PRAGMA max_page_count=1073741823")
        kept = len(ix)
        assert 10 <= kept < 200
        assert ix.integrity_check() == []
        again = ix.add(docs, workers=1)  # resumes
        assert again.unchanged == kept and again.added == 200 - kept
    check_consistent(db)


_FULL_SCRIPT = """
import sys
import detector.index.database as database
real = database.connect
def limited(path, timeout):
    db = real(path, timeout)
    pages = db.execute("PRAGMA page_count").fetchone()[0]
    db.execute(f"PRAGMA max_page_count={max(pages, 10) + 30}")
    return db
database.connect = limited
import detector.index.store as store
store.connect = limited
from detector.cli import main
main(sys.argv[1:])
"""


def test_cli_add_onto_a_full_disk_prints_the_cause(tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "c.jsonl", synthetic_corpus(300))
    proc = _run("index", "add", str(tmp_path / "ix.db"), str(src), script=_FULL_SCRIPT)
    _one_line_error(proc, 3, "database or disk is full")
    assert "cannot rollback" not in proc.stderr
    check_consistent(tmp_path / "ix.db")


def test_cli_add_onto_a_real_full_filesystem(tmp_path: Path) -> None:
    """A 600 KB tmpfs (needs root and mount; the page-limit tests above run everywhere)."""
    mnt = tmp_path / "small"
    mnt.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root")
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=600k", "tmpfs", str(mnt)]).returncode:
        pytest.skip("cannot mount a tmpfs here")
    try:
        proc = _run("index", "add", str(mnt / "ix.db"), str(SAMPLE))
        _one_line_error(proc, 3, "database or disk is full")
        with Index(mnt / "ix.db") as ix:
            assert ix.integrity_check() == []
    finally:
        subprocess.run(["umount", str(mnt)], check=False)


# --------------------------------------------------------------------------- damaged pages


def _damaged_copy(tmp_path: Path, table: str = "bucket_blocks") -> Path:
    """A copy of a small index whose ``table`` root page is overwritten with junk."""
    db = tmp_path / "ok.db"
    with Index(db) as ix:
        ix.add([SAMPLE], workers=1)
    con = sqlite3.connect(db)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    root, = con.execute("SELECT rootpage FROM sqlite_master WHERE name=?", (table,)).fetchone()
    size, = con.execute("PRAGMA page_size").fetchone()
    con.close()
    bad = tmp_path / "bad.db"
    shutil.copy(db, bad)
    with bad.open("r+b") as fh:
        fh.seek((root - 1) * size)
        fh.write(b"\x0d\xff\xff\xff" + b"\xa5" * 60)  # a leaf page header that lies
    return bad


def test_damaged_page_is_noticed_by_every_command(tmp_path: Path) -> None:
    bad = _damaged_copy(tmp_path)
    q = tmp_path / "q.txt"
    q.write_text(SAMPLE.read_text("utf-8").splitlines()[0][20:2000], "utf-8")
    for args in (
        ("index", "stats", str(bad)),
        ("index", "report", str(bad), "--no-framing", "--format", "json"),
        ("index", "add", str(bad), str(write_jsonl(tmp_path / "n.jsonl", synthetic_corpus(5)))),
        ("index", "query", str(bad), str(q)),
    ):
        _one_line_error(_run(*args), 2, "damaged", "index check")
    with Index(bad) as ix, pytest.raises(IndexDamagedError):
        ix.stats()


def test_index_check_exit_status(tmp_path: Path) -> None:
    bad = _damaged_copy(tmp_path)
    ok = _run("index", "check", str(tmp_path / "ok.db"))
    assert ok.returncode == 0 and ok.stdout == "" and ": ok (integrity_check" in ok.stderr
    damaged = _run("index", "check", str(bad))
    assert damaged.returncode == 1, damaged.stderr
    assert damaged.stdout.strip() and "Traceback" not in damaged.stderr
    assert "problems found" in damaged.stderr
    quick = _run("index", "check", "--quick", str(bad))
    assert quick.returncode == 1 and "quick_check" in quick.stderr
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 300)
    _one_line_error(_run("index", "check", str(junk)), 2, "not a usable SQLite database")
    assert check_index(str(tmp_path / "ok.db")).problems == ()


def test_index_check_finds_a_broken_invariant(tmp_path: Path) -> None:
    db = tmp_path / "ix.db"
    with Index(db) as ix:
        ix.add(synthetic_corpus(5), workers=1)
    con = sqlite3.connect(db)
    con.execute("DELETE FROM windows WHERE doc = 2")
    con.commit()
    con.close()
    result = _run("index", "check", str(db))
    assert result.returncode == 1
    assert "document seq 2 has no windows" in result.stdout


# --------------------------------------------------------------------------- schema version


@pytest.mark.parametrize("version", [0, 1, 2])
def test_hand_edited_schema_version_is_one_line(tmp_path: Path, version: int) -> None:
    db = tmp_path / "ix.db"
    with Index(db) as ix:
        ix.add(synthetic_corpus(3), workers=1)
    con = sqlite3.connect(db)
    con.execute(f"PRAGMA user_version={version}")
    con.close()
    with pytest.raises(IndexDamagedError, match="does not match the tables"):
        Index(db)
    _one_line_error(_run("index", "stats", str(db)), 2, "schema version", "does not match")
    add = _run("index", "add", str(db), str(SAMPLE))
    _one_line_error(add, 2, "does not match")
    assert "no such table" not in add.stderr


def test_other_sqlite_database_is_not_turned_into_an_index(tmp_path: Path) -> None:
    db = tmp_path / "mine.db"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE notes (x TEXT)")
    con.commit()
    con.close()
    with pytest.raises(IndexFileError, match="not a detector index"):
        Index(db)
    con = sqlite3.connect(db)
    assert [r[0] for r in con.execute("SELECT name FROM sqlite_master")] == ["notes"]
    con.close()


# --------------------------------------------------------------------------- concurrent writers


def test_same_documents_added_meanwhile_are_unchanged_not_replaced(tmp_path: Path) -> None:
    """Another writer stores the same corpus after this add took its snapshot."""
    db = tmp_path / "ix.db"
    docs = synthetic_corpus(150)
    Index(db).close()

    def stream():  # the other process finishes its add while this one reads input
        yield docs[0]
        with Index(db) as other:
            assert other.add(docs, workers=1).added == 150
        yield from docs[1:]

    with Index(db) as ix:
        stats = ix.add(stream(), workers=1)
    assert (stats.added, stats.replaced, stats.unchanged) == (0, 0, 150)
    check_consistent(db)


def test_hashes_compared_inside_the_write_transaction(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The other writer commits while this add is sketching its batch."""
    db = tmp_path / "ix.db"
    docs = synthetic_corpus(100)
    changed = Document(id=docs[5].id, text=docs[5].text + " and more words", outlet="o")
    original = Index._start_sketch
    done = []

    def racing(self, batch):  # type: ignore[no-untyped-def]
        sketches = original(self, batch)
        if not done:
            done.append(True)
            with Index(db) as other:
                other.add([*docs, changed], workers=1)
        return sketches

    monkeypatch.setattr(Index, "_start_sketch", racing)
    with Index(db) as ix:
        stats = ix.add(docs, workers=1)
        # d00005 now holds the other writer's newer text, which this add replaces
        assert ix.document(docs[5].id).text == docs[5].text
    assert stats.replaced == 1
    assert stats.added == 0 and stats.unchanged == 99
    check_consistent(db)


@pytest.mark.slow
def test_two_cli_adds_of_one_corpus_at_once(tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "c.jsonl", synthetic_corpus(1500, words=120))
    db = tmp_path / "ix.db"
    Index(db).close()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "detector", "index", "add", str(db), str(src)]
    procs = [
        subprocess.Popen(cmd, cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True) for _ in range(2)
    ]
    outs = [p.communicate(timeout=600)[1] for p in procs]
    assert all(p.returncode == 0 for p in procs), outs
    import re

    counts = [tuple(map(int, re.search(r"(\d+) added, (\d+) replaced, (\d+) unchanged", o).groups())) for o in outs]
    assert sum(c[0] for c in counts) == 1500, counts
    assert all(c[1] == 0 for c in counts), counts  # nothing identical is "replaced"
    assert all(c[0] + c[2] == 1500 for c in counts), counts
    check_consistent(db)


# --------------------------------------------------------------------------- progress


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses a pseudo-terminal")
def test_cli_add_shows_progress_on_a_terminal(tmp_path: Path) -> None:
    import pty

    src = write_jsonl(tmp_path / "c.jsonl", synthetic_corpus(400))
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "detector", "index", "add", str(tmp_path / "ix.db"), str(src)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "TERM": "xterm", "COLUMNS": "100"},
        stdout=subprocess.PIPE,
        stderr=slave,
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:  # the pty closed
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=120)
    os.close(master)
    err = b"".join(chunks).decode("utf-8", "replace")
    assert proc.returncode == 0, err
    import re

    plain_err = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", err)
    assert re.search(r"documents\s.*\b\d+/\?", plain_err), plain_err[:300]  # the progress bar
    assert "400 added" in err
    # with stderr not a terminal there is no bar, only the summary line
    plain = _run("index", "add", str(tmp_path / "ix2.db"), str(src))
    assert plain.stderr.strip().splitlines() == [
        f"400 added, 0 replaced, 0 unchanged, 0 bad records skipped; 400 documents in {tmp_path / 'ix2.db'}"
    ]

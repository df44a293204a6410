"""The index's on-disk bucket runs against a plain in-memory model."""

from __future__ import annotations

import sqlite3
from collections import defaultdict

import numpy as np
import pytest

import detector.bucketruns as br
from detector.bucketruns import SCHEMA, BucketRuns


@pytest.fixture()
def runs(monkeypatch: pytest.MonkeyPatch) -> BucketRuns:
    # small blocks and fanout so a small test crosses block, run and level edges
    monkeypatch.setattr(br, "BLOCK_ENTRIES", 7)
    db = sqlite3.connect(":memory:", isolation_level=None)
    for statement in SCHEMA.split(";"):
        if statement.strip():
            db.execute(statement)
    return BucketRuns(db)


def _model_lookup(model: dict[int, set[int]], keys: np.ndarray) -> set[tuple[int, int]]:
    return {(int(k), d) for k in set(keys.tolist()) for d in model.get(int(k), ())}


def test_append_compact_lookup_remove_match_a_dict(runs: BucketRuns) -> None:
    rng = np.random.default_rng(3)
    model: dict[int, set[int]] = defaultdict(set)
    pool = rng.integers(-(2**63), 2**63 - 1, size=60, dtype=np.int64)  # shared keys make buckets
    doc = 0
    seen_ids: set[int] = set()
    for batch in range(40):
        keys, docs = [], []
        for _ in range(int(rng.integers(1, 4))):
            k = np.unique(np.concatenate([rng.choice(pool, 5), rng.integers(-(2**63), 2**63 - 1, 5, dtype=np.int64)]))
            keys.append(k)
            docs.append(np.full(len(k), doc))
            for x in k.tolist():
                model[x].add(doc)
            doc += 1
        before = {r[0] for r in runs._db.execute("SELECT run FROM bucket_runs")}
        runs.append(np.concatenate(keys), np.concatenate(docs))
        merges = runs.compact(fanout=3)
        assert merges >= 0
        ever_seen = seen_ids | before
        new_ids = {r[0] for r in runs._db.execute("SELECT run FROM bucket_runs")} - before
        assert all(i > max(ever_seen, default=0) for i in new_ids)  # ids are never reused
        seen_ids |= before | new_ids
        if batch % 7 == 6:  # a replaced document loses its entries
            victim = int(rng.integers(0, doc))
            mine = np.array([k for k, ds in model.items() if victim in ds], dtype=np.int64)
            assert runs.remove(mine, victim) == len(mine)
            for k in mine.tolist():
                model[k].discard(victim)
        probe = np.concatenate([rng.choice(pool, 20), rng.integers(-(2**63), 2**63 - 1, 5, dtype=np.int64)])
        got_k, got_d = runs.lookup(probe)
        assert sorted(zip(got_k.tolist(), got_d.tolist(), strict=True)) == sorted(_model_lookup(model, probe))
        assert len(set(zip(got_k.tolist(), got_d.tolist(), strict=True))) == len(got_k)  # no repeats
    assert runs.entries() == sum(len(ds) for ds in model.values())
    assert list(runs.docs()) == sorted({d for ds in model.values() for d in ds})
    levels = [r[0] for r in runs._db.execute("SELECT level FROM bucket_runs")]
    assert max(levels) >= 2  # merges reached a second level
    assert all(levels.count(lv) < 3 for lv in set(levels))


def test_blocks_never_split_a_key(runs: BucketRuns) -> None:
    keys = np.array([5] * 20 + [1, 2, 3, 9, 9, 9], dtype=np.int64)
    docs = np.arange(len(keys))
    run = runs.append(keys, docs)
    firsts = [r[0] for r in runs._db.execute("SELECT first_key FROM bucket_blocks WHERE run=?", (run,))]
    assert len(firsts) == len(set(firsts))
    _, got_d = runs.lookup(np.array([5], dtype=np.int64))
    assert sorted(got_d.tolist()) == list(range(20))
    assert runs.append(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)) is None

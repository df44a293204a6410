"""Passage boundaries on real text: each side starts and ends on words the other side holds.

The aligner trims unmatched edges of each side on its own, so that a passage
whose sentences were reordered keeps its ends. Without a second look, one
side could keep a word whose only match had been trimmed from the other
(a Telegram repost started at "19 декабря**." -- the tail of the previous
sentence -- while its source started at "в вагоне").
"""

from __future__ import annotations

import gzip
import json

import pytest
from conftest import require_tool
from tg_slice import TG_NEWS

from detector.compare import compare
from detector.report import build_report
from detector.schema import Document
from detector.tokens import tokenize


def _posts() -> dict[str, Document]:
    require_tool(TG_NEWS.exists(), f"real corpus {TG_NEWS}")
    with gzip.open(TG_NEWS, "rt", encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    return {r["id"]: Document(id=r["id"], text=r["text"], outlet=r.get("outlet"), date=r.get("date")) for r in rows}


def _ends_match(a: str, b: str, passage) -> bool:
    fa = tokenize(a[passage.a.start : passage.a.end]).forms
    fb = tokenize(b[passage.b.start : passage.b.end]).forms
    return bool(fa and fb) and {fa[0], fa[-1]} <= set(fb) and {fb[0], fb[-1]} <= set(fa)


@pytest.mark.slow
def test_every_passage_between_real_reposts_starts_and_ends_on_shared_words() -> None:
    docs = _posts()
    a, b = docs["tg-1003313758-64719"], docs["tg-1747110091-18618"]
    (p,) = compare(a, b).passages
    assert _ends_match(a.text, b.text, p)
    assert b.text[p.b.start : p.b.end].startswith("В вагоне")
    # the same property over the report's clusters: each representative
    # against up to five of its members (814 passages; 14 failed before)
    report = build_report(list(docs.values()), framing=False)
    checked = 0
    for c in report.clusters:
        if c.kind != "reuse":
            continue
        rep = docs[c.members[0].doc]
        for m in c.members[1:6]:
            if m.doc == rep.id:
                continue
            for passage in compare(rep, docs[m.doc]).passages:
                assert _ends_match(rep.text, docs[m.doc].text, passage), (rep.id, m.doc, passage)
                checked += 1
    assert checked > 500

"""A 300-post slice of the real Russian Telegram corpus, for engine-equality tests.

Read from ``../shared/corpora/tg-news-ru.dev.jsonl.gz`` (never copied into
the repository; ``DETECTOR_CORPORA`` names another folder). The posts are
taken in (date, id) order from position 6,500: 14 channels in about two
weeks, with reposts, duplicate groups, channel footers and repeats (the
local report on it: 18 reuse and 4 boilerplate clusters, 10 duplicate
groups, 31 candidate pairs).
"""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPORA = Path(os.environ.get("DETECTOR_CORPORA", ROOT.parent / "shared" / "corpora"))
TG_NEWS = CORPORA / "tg-news-ru.dev.jsonl.gz"
START, SIZE = 6500, 300


def tg_news_slice(folder: Path) -> Path:
    """Write the slice as JSON Lines into ``folder``; skip the test if the corpus is
    absent (fail in CI, where it must be there)."""
    from conftest import require_tool

    require_tool(TG_NEWS.exists(), f"real corpus {TG_NEWS}")
    with gzip.open(TG_NEWS, "rt", encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    rows.sort(key=lambda r: (r["date"], r["id"]))
    out = folder / "tg-news-ru.slice.jsonl"
    out.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows[START : START + SIZE]),
        "utf-8",
    )
    return out


def report_json(report) -> dict:
    """The report's JSON form without the stage timings (which always differ)."""
    from detector.render.tabular import report_to_dict

    data = report_to_dict(report)
    data.pop("stages", None)
    return data

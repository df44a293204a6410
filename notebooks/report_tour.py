# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # A tour of `detector report` through the Python API
#
# This notebook loads the bundled sample corpus (`corpora/sample/`: the seed
# articles plus reprints, quotes, spun versions and Telegram reposts made by
# `corpora/make_sample.py`), builds the corpus report, and looks at it the
# way an analyst would: which texts travel between outlets, who published
# first, what is boilerplate, and how one reuse looks word by word.
#
# It uses only the library (`detector.load`, `detector.report`,
# `detector.compare`) and matplotlib; the same report is what
# `detector report corpora/sample` prints. Figures need no display: in
# Jupyter they are drawn by the inline backend (Agg), and a headless script
# run falls back to Agg.

# %%
from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import matplotlib.pyplot as plt

from detector.load import LoadStats, iter_documents
from detector.params import DEFAULT_PARAMS
from detector.report import build_report


def find_root(start: Path) -> Path:
    """The repository root: the first parent holding ``corpora/sample``."""
    for path in (start, *start.parents):
        if (path / "corpora" / "sample").is_dir():
            return path
    raise FileNotFoundError("corpora/sample not found above " + str(start))


ROOT = find_root(Path.cwd())
SAMPLE = ROOT / "corpora" / "sample"

# %% [markdown]
# ## Load the corpus
#
# `iter_documents` streams `Document` objects from folders, JSON Lines, CSV
# (optionally gzipped); bad records raise an `InputError` naming the file and
# line, or are skipped and counted with `skip_bad=True`.

# %%
stats = LoadStats()
documents = list(iter_documents([str(SAMPLE)], stats=stats))
outlets = Counter(d.outlet for d in documents)
print(f"{len(documents)} documents from {len(outlets)} outlets; skipped {stats.skipped}")
for outlet, n in outlets.most_common(8):
    print(f"  {outlet or '(no outlet)'}: {n}")

# %% [markdown]
# ## Build the report
#
# `build_report` runs every stage (passage-window MinHash candidates,
# alignment, clustering, boilerplate, shared phrasing). Framing is left out
# here to keep the tour quick; pass `framing=True` to flag framing sentences.
# Parameters come from `detector.params.Params`.

# %%
params = DEFAULT_PARAMS
report = build_report(documents, params, workers=1, framing=False)
reuse = [c for c in report.clusters if c.kind == "reuse"]
boilerplate = [c for c in report.clusters if c.kind == "boilerplate"]
print(
    f"{len(reuse)} reuse clusters, {len(boilerplate)} boilerplate texts, "
    f"{len(report.phrases)} shared phrases, {len(report.repeats)} in-document repeats; "
    f"{report.candidates} candidate pairs aligned"
)

# %% [markdown]
# ## The top clusters
#
# One cluster is one piece of text and every place it appears. `earliest`
# names the likely source where members carry dates.


# %%
def short(text: str, limit: int = 60) -> str:
    """One line of at most ``limit`` characters (document text is data, shown as is)."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


rows = [
    (
        c.id,
        c.kind,
        len({m.doc for m in c.members}),
        len(c.outlets),
        c.earliest or "unknown",
        short(c.members[0].text),
    )
    for c in report.clusters[:12]
]
header = ("id", "kind", "docs", "outlets", "earliest", "text")
widths = [max(len(str(r[k])) for r in [header, *rows]) for k in range(len(header))]
for r in [header, *rows]:
    print("  ".join(str(v).ljust(w) for v, w in zip(r, widths, strict=True)))

# %% [markdown]
# The same as a figure, for slides:

# %%
fig, ax = plt.subplots(figsize=(11, 0.45 * (len(rows) + 1)))
ax.axis("off")
table = ax.table(cellText=[[str(v) for v in r] for r in rows], colLabels=header, loc="center", cellLoc="left")
table.auto_set_font_size(False)
table.set_fontsize(8)
table.auto_set_column_width(list(range(len(header))))
ax.set_title("Top clusters of the sample corpus")
plt.show()

# %% [markdown]
# ## Reuse between outlets
#
# Each reuse cluster adds one to (source outlet, reusing outlet) for every
# other outlet among its members, the source being the outlet of the earliest
# member (both directions when no member is dated).

# %%
counts: Counter[tuple[str, str]] = Counter()
for c in reuse:
    if len(c.outlets) < 2:
        continue
    source = next((m.outlet for m in c.members if m.doc == c.earliest), None)
    if source is not None:
        counts.update((source, o) for o in c.outlets if o != source)
    else:
        counts.update((x, y) for x in c.outlets for y in c.outlets if x != y)
names = sorted({o for pair in counts for o in pair})
matrix = [[counts[(src, dst)] for dst in names] for src in names]

fig, ax = plt.subplots(figsize=(7, 6))
image = ax.imshow(matrix, cmap="Reds")
ax.set_xticks(range(len(names)), names, rotation=60, ha="right")
ax.set_yticks(range(len(names)), names)
ax.set_xlabel("reused by")
ax.set_ylabel("published first by")
for i, row in enumerate(matrix):
    for j, value in enumerate(row):
        if value:
            ax.text(j, i, str(value), ha="center", va="center", fontsize=8)
fig.colorbar(image, ax=ax, label="reuse clusters")
ax.set_title("Which outlets reuse whose text")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## Reuse over time
#
# A timeline of the dated members of the largest reuse clusters: each row is
# a cluster, each dot a document that carries the text, the ring marks the
# earliest one.


# %%
def parse_day(value: str | None) -> date | None:
    """The calendar day of an ISO date or datetime string, else None."""
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


largest = sorted(reuse, key=lambda c: -len({m.doc for m in c.members}))[:10]
fig, ax = plt.subplots(figsize=(10, 0.5 * len(largest) + 1.5))
for row, c in enumerate(largest):
    days = [(parse_day(m.date), m) for m in c.members]
    dated = [(d, m) for d, m in days if d is not None]
    ax.plot([d for d, _ in dated], [row] * len(dated), "o-", color="tab:blue", alpha=0.7)
    first = [d for d, m in dated if m.doc == c.earliest]
    if first:
        ax.plot(first[:1], [row], "o", markersize=12, markerfacecolor="none", color="tab:red")
ax.set_yticks(range(len(largest)), [f"#{c.id} {short(c.members[0].text, 30)}" for c in largest])
ax.invert_yaxis()
ax.set_xlabel("date")
ax.set_title("How the largest reuse clusters spread")
fig.autofmt_xdate()
fig.tight_layout()
plt.show()

# %% [markdown]
# ## Boilerplate and shared phrasing
#
# Boilerplate recurs within one outlet (footers, site chrome, Telegram
# "Forwarded from" lines); shared phrases are short formulae recurring across
# several outlets, counted once per cluster so a reprint does not inflate them.

# %%
for c in boilerplate[:5]:
    print(f"[{', '.join(c.outlets)}] x{len(c.members)}: {short(c.members[0].text, 90)}")
print()
for p in report.phrases[:10]:
    print(f"{p.documents:3d} docs {p.outlets:2d} outlets  {short(p.text, 70)}")

# %% [markdown]
# ## One reuse, word by word
#
# `detector.compare.compare` aligns two documents; the diff view is what
# `detector diff A B` shows in a terminal (here as plain text).

# %%
from detector.compare import compare  # noqa: E402
from detector.render.diffview import render_diff_to_string  # noqa: E402

by_id = {d.id: d for d in documents}
pair = next(c for c in reuse if len({m.doc for m in c.members}) >= 2)
first_doc = pair.earliest or pair.members[0].doc
second_doc = next(m.doc for m in pair.members if m.doc != first_doc)
result = compare(by_id[first_doc], by_id[second_doc], params)
print(f"{first_doc} vs {second_doc}: {len(result.passages)} passage(s)")
for p in result.passages:
    print(f"  {p.words} words, {p.kind}, score {p.score:.2f}")
print(render_diff_to_string(result, width=110, passage=1))

"""Benchmark ``detector report`` end to end on generated news-length documents.

Documents (~600 words) are generated from the real English and Russian prose
of ``benchmarks/data/texts.jsonl`` by a word-bigram chain (real vocabulary
and word order statistics, but no accidental shared passages), then reuse is
injected: 20% of documents quote a 60-150-word passage of an earlier
document (lightly edited), 5% reprint one whole, and each outlet appends its
own footer. The corpus goes through ``build_report`` (all stages, both
cores) and, as a baseline, through a plain per-shingle
``datasketch.MinHash.update`` loop (datasketch defaults: SHA-1) on the same
documents.

``--text topical`` is the shape of many articles on one story: each
document carries six sentences drawn from a pool of 80, lightly edited, so
every pool sentence recurs in about 7.5% of all documents (the quadratic
case of a pairwise search). ``--text tiny`` is a flood of short records
(3-15 consecutive words of the bundled texts, 100 outlets, no dates): the
per-document cost of every stage, as 1,000,000 tiny JSONL records exercise
it (issue 15). ``--corpus FILE`` runs a real JSON Lines corpus
instead (e.g. ``../shared/corpora/chronam-1916-04.jsonl.gz``), optionally
its first ``--limit`` documents. Every run prints the coherence of its
clusters (:mod:`detector.coherence`) and its largest cluster.

Usage: python benchmarks/report_bench.py --docs 2000 10000 [--workers 2]
[--baseline-docs 1000] [--framing] [--text zipf|markov|topical]
python benchmarks/report_bench.py --corpus ../shared/corpora/tg-news-ru.dev.jsonl.gz
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import resource
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from detector.schema import Document  # noqa: E402


def _chain() -> tuple[dict[str, list[str]], list[str]]:
    nxt: dict[str, list[str]] = defaultdict(list)
    starts: list[str] = []
    for line in (ROOT / "benchmarks" / "data" / "texts.jsonl").read_text("utf-8").splitlines():
        words = json.loads(line)["text"].split()
        starts.append(words[0])
        for a, b in itertools.pairwise(words):
            nxt[a].append(b)
    return nxt, starts


FORMULAE = [
    "the foreign ministry said in a statement",
    "according to the press service",
    "Foreign Minister Sergey Lavrov said",
    "within the framework of the Union State",
    "on the sidelines of the summit",
    "the two sides discussed bilateral cooperation",
    "the meeting took place in Minsk",
    "as reported earlier",
    "the Kremlin press secretary told reporters",
    "in the current international situation",
]


def _zipf_body(rng: random.Random, vocab: list[str], cum_weights: list[float], words: int) -> list[str]:
    """News-like word stream: Zipf-distributed words in sentences, a few stock formulae.

    Independent documents share frequent words and the stock formulae, as
    real news does, but not long word sequences (a word-bigram Markov chain
    over a small text would make every pair of documents look related).
    """
    body: list[str] = []
    while len(body) < words:
        if rng.random() < 0.08:
            body.extend(rng.choice(FORMULAE).split())
        length = rng.randint(8, 30)
        # cumulative weights computed once: the same draws as weights=, 40,000x cheaper per call
        sentence = rng.choices(vocab, cum_weights=cum_weights, k=length)
        sentence[0] = sentence[0].capitalize()
        sentence[-1] += "."
        body.extend(sentence)
    return body[:words]


def _vocabulary(rng: random.Random, size: int = 40000) -> tuple[list[str], list[float]]:
    real: list[str] = []
    seen: set[str] = set()
    for line in (ROOT / "benchmarks" / "data" / "texts.jsonl").read_text("utf-8").splitlines():
        for w in json.loads(line)["text"].lower().split():
            w = w.strip(".,;:!?()\"'«»“”")
            if w.isalpha() and w not in seen:
                seen.add(w)
                real.append(w)
    syllables = ["ka", "lo", "mi", "nu", "ter", "vas", "ri", "don", "sel", "pra", "ost", "len"]
    while len(real) < size:
        real.append("".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))))
    weights = [1.0 / (rank + 2) ** 1.07 for rank in range(len(real))]
    return real, weights


def generate(
    n: int, *, words: int = 600, seed: int = 7, outlets: int = 50, text: str = "zipf"
) -> list[Document]:
    """``n`` documents with injected reuse and per-outlet footers (deterministic).

    ``text="zipf"`` (default): news-like Zipfian word streams; ``"markov"``:
    a word-bigram chain over the bundled real text, a stress case where
    unrelated documents share many accidental word sequences.
    """
    rng = random.Random(seed)
    if text == "markov":
        nxt, starts = _chain()
        keys = list(nxt)
    else:
        vocab, weights = _vocabulary(rng)
        cum_weights = list(itertools.accumulate(weights))
    docs: list[Document] = []
    bodies: list[list[str]] = []
    pool: list[list[str]] = []
    if text == "tiny":
        return _tiny(n, rng)
    if text == "topical":
        pool = [_zipf_body(rng, vocab, cum_weights, rng.randint(15, 30)) for _ in range(80)]
    for i in range(n):
        if text == "topical":
            body = _zipf_body(rng, vocab, cum_weights, words - 6 * 22)
            for sentence in rng.sample(pool, 6):
                edited = [x for x in sentence if rng.random() > 0.05]
                cut = rng.randrange(0, len(body) + 1)
                body = body[:cut] + edited + body[cut:]
        elif text == "markov":
            w = rng.choice(starts)
            body = [w]
            for _ in range(words - 1):
                options = nxt.get(w)
                w = rng.choice(options) if options else rng.choice(keys)
                body.append(w)
        else:
            body = _zipf_body(rng, vocab, cum_weights, words)
        r = rng.random()
        if bodies and r < 0.05:
            body = list(rng.choice(bodies))
        elif bodies and r < 0.25:
            donor = rng.choice(bodies)
            length = rng.randint(60, 150)
            at = rng.randrange(0, max(1, len(donor) - length))
            quote = [x for x in donor[at : at + length] if rng.random() > 0.03]
            cut = rng.randrange(0, len(body))
            body = body[:cut] + quote + body[cut:]
        bodies.append(body)
        outlet = f"outlet{i % outlets:02d}"
        footer = f"Read more at {outlet}. Subscribe to our newsletter for daily updates."
        text = " ".join(body) + "\n\n" + footer
        day = 1 + (i * 365) // max(n, 1)
        date = f"2024-{1 + (day - 1) // 31 % 12:02d}-{1 + (day - 1) % 28:02d}"
        docs.append(Document(id=f"d{i:06d}", text=text, outlet=outlet, date=date))
    return docs


def _tiny(n: int, rng: random.Random) -> list[Document]:
    """``n`` records of 3-15 consecutive words of the bundled texts, outlets ``o0``..``o99``."""
    texts = [json.loads(line)["text"].split() for line in (ROOT / "benchmarks" / "data" / "texts.jsonl").read_text("utf-8").splitlines()]
    docs = []
    for i in range(n):
        words = rng.choice(texts)
        length = rng.randint(3, 15)
        at = rng.randrange(0, max(1, len(words) - length))
        docs.append(Document(id=f"t{i}", text=" ".join(words[at : at + length]), outlet=f"o{i % 100}"))
    return docs


def _read_corpus(path: str, limit: int | None) -> list[Document]:
    import gzip

    opener = gzip.open if path.endswith(".gz") else open
    docs: list[Document] = []
    with opener(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            docs.append(Document(id=r["id"], text=r["text"], outlet=r.get("outlet"), date=r.get("date")))
            if limit and len(docs) >= limit:
                break
    return docs


def baseline(docs: list[Document], shingle: int = 5) -> float:
    """Seconds for a per-shingle ``MinHash.update`` loop (datasketch defaults)."""
    from datasketch import MinHash

    t = time.perf_counter()
    for d in docs:
        m = MinHash(num_perm=128)
        words = d.text.lower().split()
        for k in range(max(len(words) - shingle + 1, 1)):
            m.update(" ".join(words[k : k + shingle]).encode("utf-8"))
    return time.perf_counter() - t


def _proc_bytes(path: str, field: str) -> int:
    """A ``kB`` figure of a /proc file, in bytes (0 where /proc is missing)."""
    try:
        with open(path, encoding="ascii") as fh:
            for line in fh:
                if line.startswith(field):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


class MemorySampler:
    """Peak memory of the run (all processes): the main process's resident set
    before it, plus the largest drop of ``MemAvailable`` (/proc/meminfo) during it.

    Resident-set figures count the pages forked workers share with the main
    process twice; the drop of ``MemAvailable`` below its value before the
    run does not. Sampled every 0.2 s in a thread (Linux only; 0 elsewhere).
    """

    def __init__(self) -> None:
        import threading

        self.before = self._own_rss()  # the interpreter and the loaded corpus
        self.base = self._available()
        self.lowest = self.base
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def _available() -> int:
        return _proc_bytes("/proc/meminfo", "MemAvailable:")

    @staticmethod
    def _own_rss() -> int:
        return _proc_bytes("/proc/self/status", "VmRSS:")

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            self.lowest = min(self.lowest, self._available())

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def peak_mb(self) -> float:
        """The main process before the run plus the most memory the run took on top."""
        return (self.before + self.base - self.lowest) / 1e6


def _cpu_seconds() -> tuple[float, float]:
    """User + system CPU seconds of this process and of its finished child processes."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, nargs="+", default=[2000])
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--baseline-docs", type=int, default=500)
    ap.add_argument("--framing", action="store_true")
    ap.add_argument("--text", choices=["zipf", "markov", "topical", "tiny"], default="zipf")
    ap.add_argument("--corpus", help="a real JSON Lines corpus instead of generated documents")
    ap.add_argument("--limit", type=int, default=None, help="with --corpus: its first N documents")
    args = ap.parse_args()
    from detector.coherence import report_coherence
    from detector.report import build_report

    runs = [None] if args.corpus else args.docs
    for n in runs:
        if args.corpus:
            docs = _read_corpus(args.corpus, args.limit)
            n = len(docs)
            args.text = Path(args.corpus).name
        else:
            docs = generate(n, text=args.text)
        mb = sum(len(d.text.encode("utf-8")) for d in docs) / 1e6
        with MemorySampler() as memory:
            cpu = _cpu_seconds()
            t = time.perf_counter()
            report = build_report(docs, workers=args.workers, framing=args.framing)
            elapsed = time.perf_counter() - t
            cpu = tuple(b - a for a, b in zip(cpu, _cpu_seconds(), strict=True))
        peak_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        peak_child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        reuse = sum(1 for c in report.clusters if c.kind == "reuse")
        print(f"== {n:,} documents ({args.text} text), {mb:.1f} MB")
        print(
            f"report: {elapsed:.2f} s, {n / elapsed:,.0f} documents/s, {mb / elapsed:.2f} MB/s; "
            f"{report.candidates:,} candidate pairs, {reuse:,} reuse clusters, "
            f"{len(report.clusters) - reuse:,} boilerplate, {len(report.phrases):,} phrases"
        )
        print(
            # a run shorter than the sampling interval is at least its own high-water mark
            f"peak memory: {max(memory.peak_mb, peak_self):,.0f} MB (main process with the corpus {memory.before / 1e6:,.0f} MB, "
            f"plus {memory.peak_mb - memory.before / 1e6:,.0f} MB the run took at most); "
            f"resident sets: main {peak_self:,.0f} MB, largest worker {peak_child:,.0f} MB "
            "(shared pages counted in each)"
        )
        print(
            f"cpu: main {cpu[0]:.1f} s, workers {cpu[1]:.1f} s "
            f"(on a shared machine wall time includes waiting; load average {os.getloadavg()[0]:.1f})"
        )
        print("stages (s): " + ", ".join(f"{k} {v:.2f}" for k, v in report.stages.items()))
        coherence = report_coherence(report)
        biggest = max((c for c in report.clusters if c.kind == "reuse"), key=lambda c: c.documents, default=None)
        print(
            f"coherence (reuse clusters of 3+ members): {coherence.share:.3f} of {coherence.members:,} members "
            f"in {coherence.clusters:,} clusters; duplicate groups {len(report.duplicates):,} "
            f"(largest {max((len(g.documents) for g in report.duplicates), default=0):,}); largest reuse cluster "
            + (f"{biggest.documents:,} documents: {biggest.members[0].text[:80]!r}" if biggest else "none")
        )
        if args.corpus:
            continue
        sample = docs[: min(args.baseline_docs, n)]
        secs = baseline(sample)
        print(
            f"baseline datasketch MinHash.update per shingle (SHA-1): {len(sample) / secs:,.0f} "
            f"documents/s on {len(sample):,} documents -> {n * secs / len(sample):.1f} s "
            f"projected for {n:,} (sketching only, one core)"
        )


if __name__ == "__main__":
    main()

"""Speed and memory of `detector compare`: the library call and the whole command.

Prints, for two ~1,000-word articles: wall time of the `detector compare`
command (Python start-up included) and of the library call; for two
~50,000-word documents: library time and peak memory (RSS high-water mark of
a fresh subprocess). Texts are real (the seed texts and bundled prose) with a
reused passage injected, so the aligner does real work.

    python benchmarks/compare_bench.py [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "benchmarks" / "data"


def _real_words() -> list[str]:
    words: list[str] = []
    for path in sorted((DATA / "seeds").glob("*.txt")):
        words += path.read_text(encoding="utf-8").split()
    texts = DATA / "texts.jsonl"
    if texts.exists():
        for line in texts.read_text(encoding="utf-8").splitlines():
            words += json.loads(line)["text"].split()
    return words


def make_pair(n_words: int, offset: int = 0) -> tuple[str, str]:
    """Two documents of ``n_words`` words sharing a passage of n_words/4 words."""
    words = _real_words()
    need = 3 * n_words
    while len(words) < need + offset:
        words = words + words
    a = words[offset : offset + n_words]
    host = words[offset + n_words : offset + 2 * n_words]
    shared = a[n_words // 3 : n_words // 3 + n_words // 4]
    b = host[: n_words // 2] + shared + host[n_words // 2 :]
    return " ".join(a), " ".join(b)


def time_library(a: str, b: str, repeat: int) -> list[float]:
    from detector.compare import compare

    compare(a, b)  # warm caches and imports
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        compare(a, b)
        times.append(time.perf_counter() - start)
    return times


def time_command(pa: Path, pb: Path, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "detector", "compare", str(pa), str(pb), "--format", "json"],
            check=True,
            capture_output=True,
        )
        times.append(time.perf_counter() - start)
    return times


def peak_memory_mb(pa: Path, pb: Path) -> tuple[float, float]:
    code = (
        "import resource, sys, time\n"
        "from detector.compare import compare\n"
        f"a = open({str(pa)!r}, encoding='utf-8').read(); b = open({str(pb)!r}, encoding='utf-8').read()\n"
        "t = time.perf_counter(); r = compare(a, b); t = time.perf_counter() - t\n"
        "print(t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    seconds, rss = out.stdout.split()
    return float(seconds), float(rss)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        pa, pb = Path(tmp) / "a.txt", Path(tmp) / "b.txt"
        a, b = make_pair(1000)
        pa.write_text(a, encoding="utf-8")
        pb.write_text(b, encoding="utf-8")
        lib = time_library(a, b, args.repeat)
        cmd = time_command(pa, pb, max(3, args.repeat // 2))
        print(f"two 1,000-word articles: library median {statistics.median(lib) * 1000:.1f} ms, "
              f"whole command median {statistics.median(cmd):.2f} s (Python start included)")
        a, b = make_pair(50000)
        pa.write_text(a, encoding="utf-8")
        pb.write_text(b, encoding="utf-8")
        seconds, rss = peak_memory_mb(pa, pb)
        print(f"two 50,000-word documents: library {seconds:.2f} s, peak RSS {rss:.0f} MB")


if __name__ == "__main__":
    main()

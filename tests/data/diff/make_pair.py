"""Make the diff-view example pair from the seed texts: ``python tests/data/diff/make_pair.py``.

``source.txt`` is the opening of seed 004 (a Belarusian magazine article),
unchanged. ``spun.txt`` imitates a content farm: two unrelated lines of seed
002 as a lead-in, then paragraphs 4-6 of the source "spun" with the synonym
table below (the kind of substitutions seen in seed 003), one sentence cut,
one phrase added, and another line of seed 002 as a tail. Deterministic.
"""

from __future__ import annotations

import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEEDS = HERE.parents[2].parent / "shared" / "seeds"
if not SEEDS.is_dir():
    SEEDS = HERE.parents[2] / "benchmarks" / "data" / "seeds"

SPIN = {
    "meeting": "assembly",
    "President": "Chief",
    "chatted": "talked",
    "relationship": "relation",
    "countries": "nations",
    "Views": "Opinions",
    "international": "worldwide",
    "substantive discussion": "substantive dialogue",
    "example": "instance",
    "vital element": "important component",
}
CUT = " He noted that such trusting relations are perhaps only seen elsewhere in the military, with others having some way to go to achieve similar success."
ADDED = ("Minsk hosted", "Minsk, as reported earlier, hosted")


def lines(name: str) -> list[str]:
    path = next(SEEDS.glob(f"{name}_*.txt"))
    return [line for line in path.read_text(encoding="utf-8").split("\n") if line.strip()]


def spin(text: str) -> str:
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, SPIN)) + r")\b")
    return pattern.sub(lambda m: SPIN[m.group()], text)


def main() -> None:
    source = lines("004")[:8]
    host = lines("002")
    body = "\n".join(source[3:6]).replace(CUT, "").replace(*ADDED)
    spun = [*host[1:3], spin(body), host[3]]
    (HERE / "source.txt").write_text("\n".join(source) + "\n", encoding="utf-8")
    (HERE / "spun.txt").write_text("\n".join(spun) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

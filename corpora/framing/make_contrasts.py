"""Write ``parts/contrast.jsonl``: contrast variants beside the authored frame sentences.

Deterministic (seeded); run from the project root, then rebuild ``labelled.jsonl``::

    python corpora/framing/make_contrasts.py
    python corpora/framing/build_labelled.py

For every authored sentence with a frame in ``parts/{en,ru}_authored*.jsonl``
one variant is written, of a kind drawn at random (seed 13):

* ``rebutted`` (the same sentence contests the claim), ``denied``,
  ``meta`` (the frame as an object of talk) and ``irony``: labelled with no
  frame (GUIDELINES.md 2.1-2.2);
* ``reported`` (reported speech or quotation without distance): the original
  labels (GUIDELINES.md 2.1: passing a claim on transmits it).

The templates here are *training* templates. The evaluation templates of
``benchmarks/framing_eval.py`` (``CONTRAST``) are different wordings, so the
benchmark does not test sentences the model was trained on. ``source`` is
``contrast:<kind>``.

Not used by the shipped model. Tried on 2026-12-02 (2,027 variants, the
same recipe as ``train_shipped.py`` otherwise), against the shipped model:
distancing worded outside the stance rules was flagged less (English 90% ->
62%, Russian 79% -> 20% of variants), the real held-out split scored 0.55
instead of 0.48, but the label thresholds fell to 0.10-0.37, held-out
tech/science/city posts got 7.0 flags per 1,000 instead of 5.5, the authored
held-out 0.787 instead of 0.802, and a real Go channel post was flagged
(``tests/test_framing_real.py``). Delete ``parts/contrast.jsonl`` after
trying it, or ``build_labelled.py`` merges it.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent

TEMPLATES: dict[str, dict[str, list[str]]] = {
    "en": {
        "rebutted": [
            "{s}, a line that independent analysts call misleading.",
            "Officials claimed that {lc}, but investigators found nothing to support it.",
            "{s} - a narrative researchers have shown to be false.",
            "The channel asserted that {lc}, an allegation the fact-checking team rejected.",
        ],
        "denied": [
            "Nobody seriously argues that {lc}.",
            "The record does not show that {lc}.",
            "It would be wrong to conclude that {lc}.",
        ],
        "meta": [
            "The broadcast repeated the well-worn theme that {lc}.",
            "A new study counts how often officials claim that {lc}.",
            "Propaganda outlets like to insist that {lc}.",
        ],
        "irony": [
            "Sure, {lc} - and the moon is made of cheese.",
            "Apparently {lc}, if you believe the evening news.",
        ],
        "reported": [
            "The spokeswoman stressed that {lc}.",
            "{s}, the foreign minister said.",
            "As the ambassador put it, {lc}.",
        ],
    },
    "ru": {
        "rebutted": [
            "{s}, — утверждают в ведомстве, однако независимые эксперты считают это манипуляцией.",
            "Госканалы снова твердят, что {lc}, хотя факты говорят об ином.",
            "{s} — этот тезис разобрали и опровергли журналисты-расследователи.",
        ],
        "denied": [
            "Неверно утверждать, что {lc}.",
            "Никаких данных о том, что {lc}, нет.",
            "Вовсе не факт, что {lc}.",
        ],
        "meta": [
            "Эксперты подсчитали, как часто официальные СМИ повторяют, что {lc}.",
            "Пропагандисты любят повторять, что {lc}.",
        ],
        "irony": [
            "Ну конечно, {lc}, — иронизируют пользователи.",
            "Разумеется, {lc}, а Земля плоская.",
        ],
        "reported": [
            "Официальный представитель МИД подчеркнула, что {lc}.",
            "«{s}», — заявил министр.",
            "По словам посла, {lc}.",
        ],
    },
}
KINDS = ("rebutted", "denied", "meta", "irony", "reported")


def _lc(s: str) -> str:
    return s[:1].lower() + s[1:] if s[:1].isupper() and not s[1:2].isupper() else s


def variants(records: list[dict], seed: int = 13) -> list[dict]:
    """One contrast variant per frame sentence (see the module docstring)."""
    rng = random.Random(seed)
    out = []
    for rec in records:
        if not rec["labels"] or rec.get("lang") not in TEMPLATES:
            continue
        kind = rng.choice(KINDS)
        tpl = rng.choice(TEMPLATES[rec["lang"]][kind])
        s = rec["text"].strip().rstrip(".!")
        out.append(
            {
                "text": tpl.format(s=s, lc=_lc(s)),
                "labels": list(rec["labels"]) if kind == "reported" else [],
                "lang": rec["lang"],
                "source": f"contrast:{kind}",
            }
        )
    return out


def main() -> None:
    records = []
    for path in sorted((HERE / "parts").glob("*_authored*.jsonl")):
        records.extend(json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    rows = variants(records)
    with open(HERE / "parts" / "contrast.jsonl", "w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"wrote parts/contrast.jsonl: {len(rows)} variants")


if __name__ == "__main__":
    main()

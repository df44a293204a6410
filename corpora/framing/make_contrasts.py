"""Write ``stance_train.jsonl``: contrast pairs that train the learned stance model.

Deterministic (seeded); run from the project root, then train the model::

    python corpora/framing/make_contrasts.py
    python corpora/framing/train_stance.py

Base sentences are the *training* sentences that carry a frame: the authored
parts (``parts/{en,ru}_authored*.jsonl``) and the real ones (seeds,
``real_train``, ``state_train``); no held-out file is read. Each base
sentence gives:

* itself, stance ``promoted``;
* one ``reported`` variant (reported speech or quotation without distance:
  GUIDELINES.md 2.1, passing a claim on transmits it), stance ``promoted``;
* two distanced variants, of two different kinds drawn at random (seed 13)
  from ``rebutted`` (the same sentence contests the claim), ``denied``,
  ``meta`` (the frame as an object of talk) and ``irony``; the last two have
  stance ``discussed``.

The templates are *training* templates. The evaluation templates of
``benchmarks/framing_eval.py`` (``CONTRAST``) are other wordings; its
``unseen_distanced_2`` set was written before these templates, and these
avoid its phrases ("official line", "scrutiny", "falls apart",
"documents"), so the benchmark does not test wording the model was trained on.

History: on 2026-12-02 a previous version of these contrasts was merged into
the *frame* classifier's training data. Unseen distancing was flagged less,
but the label thresholds fell, quiet channels got more flags and a Go post
was flagged, so it was not shipped. The contrasts now train a separate
stance model (:mod:`detector.stance_model`) that only decides the stance of
sentences the frame classifier has already flagged: it can turn a promoted
flag into a distanced one, never add a flag.
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
            "{s}, the ministry alleged, though it named no sources.",
            "Moscow again asserted that {lc}; Western governments called the statement absurd.",
            "The embassy's post claimed that {lc}, which is simply untrue.",
            "{s}: a falsehood that has circulated since 2014.",
            "Pro-government bloggers allege that {lc}, a version contradicted by the record.",
            "{s}, propagandists argue, ignoring what actually happened.",
            "State media keeps pushing the story that {lc}, though nobody has shown it to be true.",
            "He repeated that {lc} - a distortion that historians have exposed many times.",
        ],
        "denied": [
            "No credible study shows that {lc}.",
            "The record does not show that {lc}.",
            "It would be wrong to conclude that {lc}.",
            "There is simply no reason to think that {lc}.",
            "It is false to say that {lc}.",
            "In reality, it is not the case that {lc}.",
            "The claim that {lc} is a fabrication.",
            "Nothing indicates that {lc}.",
        ],
        "meta": [
            "The broadcast repeated the well-worn theme that {lc}.",
            "A new study counts how often officials claim that {lc}.",
            "Propaganda outlets like to insist that {lc}.",
            "The Kremlin's messaging machine has long promoted the idea that {lc}.",
            "Disinformation researchers catalogued posts saying that {lc}.",
            "The report examines how pro-Kremlin channels spread the message that {lc}.",
        ],
        "irony": [
            "Sure, {lc} - and the moon is made of cheese.",
            "Apparently {lc}, if you believe the evening news.",
            "Of course {lc}; what else would the Kremlin say?",
            "And naturally {lc} - pull the other one.",
        ],
        "reported": [
            "The spokeswoman stressed that {lc}.",
            "{s}, the foreign minister said.",
            "As the ambassador put it, {lc}.",
            "The president noted that {lc}.",
            "In his address, the minister said that {lc}.",
            "{s}, the agency quoted the diplomat as saying.",
            "The statement emphasised that {lc}.",
            "Speaking at the forum, he added that {lc}.",
            "The deputy minister told reporters that {lc}.",
        ],
    },
    "ru": {
        "rebutted": [
            "{s}, — утверждают в ведомстве, однако независимые эксперты считают это манипуляцией.",
            "Госканалы снова повторяют, что {lc}, хотя это расходится с фактами.",
            "{s} — этот тезис опровергли журналисты-расследователи.",
            "{s}, — заявили в МИД, не назвав ни одного источника.",
            "Провластные блогеры уверяют, что {lc}, но это ложь.",
            "Пропагандисты утверждают, что {lc}, игнорируя реальные события.",
            "{s}: эта выдумка кочует по госСМИ с 2014 года.",
            "Посольство опубликовало пост о том, что {lc}, что просто неправда.",
            "Он снова повторил, что {lc}, — искажение, которое историки не раз разоблачали.",
        ],
        "denied": [
            "Неверно утверждать, что {lc}.",
            "Никаких данных о том, что {lc}, нет.",
            "Вовсе не факт, что {lc}.",
            "Нет ни малейших причин считать, что {lc}.",
            "На самом деле неправда, что {lc}.",
            "Утверждение о том, что {lc}, — фальшивка.",
            "Ничто не указывает на то, что {lc}.",
        ],
        "meta": [
            "Эксперты подсчитали, как часто официальные СМИ повторяют, что {lc}.",
            "Пропагандисты любят повторять, что {lc}.",
            "Кремлёвская пропаганда давно продвигает идею о том, что {lc}.",
            "Исследователи дезинформации собрали посты, в которых говорится, что {lc}.",
            "В докладе разобрано, как прокремлёвские каналы распространяют мысль о том, что {lc}.",
        ],
        "irony": [
            "Ну конечно, {lc}, — иронизируют пользователи.",
            "Разумеется, {lc}, а Земля плоская.",
            "Ага, {lc}, — а что ещё скажет Кремль?",
            "Якобы {lc} — кто бы сомневался.",
        ],
        "reported": [
            "Официальный представитель МИД подчеркнула, что {lc}.",
            "«{s}», — заявил министр.",
            "По словам посла, {lc}.",
            "Президент отметил, что {lc}.",
            "В своём выступлении министр заявил, что {lc}.",
            "Как сообщили в ведомстве, {lc}.",
            "Дипломат добавил, что {lc}.",
            "В заявлении подчёркивается, что {lc}.",
        ],
    },
}
DISTANCED = ("rebutted", "denied", "meta", "irony")
STANCE_OF_KIND = {
    "original": "promoted",
    "reported": "promoted",
    "rebutted": "rebutted",
    "denied": "denied",
    "meta": "discussed",
    "irony": "discussed",
}
BASE_PARTS = ("*_authored*.jsonl", "*_seed.jsonl", "real_train.jsonl", "state_train.jsonl")


def _lc(s: str) -> str:
    return s[:1].lower() + s[1:] if s[:1].isupper() and not s[1:2].isupper() else s


def variants(records: list[dict], seed: int = 13) -> list[dict]:
    """The stance training rows of ``records`` (see the module docstring)."""
    rng = random.Random(seed)
    out = []
    for rec in records:
        lang = rec.get("lang")
        if not rec["labels"] or lang not in TEMPLATES:
            continue
        s = rec["text"].strip().rstrip(".!")
        kinds = ["original", "reported", *rng.sample(DISTANCED, 2)]
        for kind in kinds:
            text = rec["text"] if kind == "original" else rng.choice(TEMPLATES[lang][kind]).format(s=s, lc=_lc(s))
            out.append(
                {
                    "text": text,
                    "stance": STANCE_OF_KIND[kind],
                    "lang": lang,
                    "source": f"contrast:{kind}",
                }
            )
    return out


def main() -> None:
    records = []
    for pattern in BASE_PARTS:
        for path in sorted((HERE / "parts").glob(pattern)):
            records.extend(
                json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
            )
    rows = variants(records)
    with open(HERE / "stance_train.jsonl", "w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"wrote stance_train.jsonl: {len(rows)} rows from {len(rows) // 4} frame sentences")


if __name__ == "__main__":
    main()

"""Tests of the reuse benchmark: generator, PAN scorer, PAN layout, runner."""

from __future__ import annotations

import difflib
import itertools
import json
import math
import random
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import _evalgen as ev  # noqa: E402
import reuse_eval  # noqa: E402

POSITIVE = ("verbatim", "light_edit", "spun", "reordered", "telegram")


@pytest.fixture(scope="module")
def pairs() -> list[ev.Pair]:
    return ev.generate(4, seed=11)


def _key(pairs: list[ev.Pair]) -> list[tuple]:
    return [(p.id, p.src_id, p.susp_id, p.src_text, p.susp_text, p.cases) for p in pairs]


def _words(text: str) -> list[str]:
    return [text[s:e].lower() for s, e in ev.words(text)]


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


# ------------------------------------------------------------------ generator


def test_generator_is_deterministic(pairs: list[ev.Pair]) -> None:
    assert _key(ev.generate(4, seed=11)) == _key(pairs)
    assert _key(ev.generate(4, seed=12)) != _key(pairs)


def test_generator_is_deterministic_across_processes() -> None:
    code = (
        "import sys, hashlib; sys.path.insert(0, 'benchmarks'); import _evalgen as ev; "
        "ps = ev.generate(2, seed=5); "
        "print(hashlib.sha256(repr([(p.id, p.src_text, p.susp_text, p.cases) "
        "for p in ps]).encode()).hexdigest())"
    )
    outs = {
        subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONHASHSEED": seed, "PATH": "/usr/bin:/bin"},
        ).stdout
        for seed in ("1", "2")
    }
    assert len(outs) == 1


def test_pair_counts_and_languages(pairs: list[ev.Pair]) -> None:
    counts = Counter(p.obfuscation for p in pairs)
    for obf in POSITIVE:
        assert counts[obf] == 4
    seed_negs = [p for p in pairs if p.subset == "seeds"]
    assert len(seed_negs) == 20  # every ordered pair of the five seed texts
    assert all(not p.cases for p in pairs if p.obfuscation == "negative")
    assert {p.lang for p in pairs} == {"en", "ru"}


def test_source_spans_are_whole_passages_of_50_to_250_words(pairs: list[ev.Pair]) -> None:
    for p in pairs:
        for c in p.cases:
            text = p.src_text[c.src[0] : c.src[1]]
            assert 50 <= len(ev.words(text)) <= 250
            assert text == text.strip()
        spans = sorted(c.src for c in p.cases)
        assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))  # no overlap


def test_suspicious_spans_slice_the_injected_passages(pairs: list[ev.Pair]) -> None:
    docs = {d.id: d for d in ev.load_texts()}
    for p in pairs:
        if not p.cases:
            continue
        host = docs[p.susp_id].text
        for c in p.cases:
            src = p.src_text[c.src[0] : c.src[1]]
            got = p.susp_text[c.susp[0] : c.susp[1]]
            if p.obfuscation == "verbatim":
                assert got == src
            elif p.obfuscation == "reordered":
                assert Counter(_words(got)) == Counter(_words(src))
                assert got != src
            elif p.obfuscation == "telegram":
                assert _words(got.replace("**", "")) == _words(src)
            elif p.obfuscation == "spun":
                assert 0.15 <= c.info["rate"] <= 0.36
                assert got != src
            else:
                assert got != src
            assert got == got.strip() or p.obfuscation == "light_edit"
        # Cutting the recorded spans out again leaves exactly the host text.
        if p.obfuscation != "telegram":
            rest, pos = [], 0
            for s, e in sorted(c.susp for c in p.cases):
                rest.append(p.susp_text[pos:s])
                pos = e
            rest.append(p.susp_text[pos:])
            assert _squash(" ".join(rest)) == _squash(host)


def test_hosts_are_unrelated(pairs: list[ev.Pair]) -> None:
    docs = {d.id: d for d in ev.load_texts()}
    for p in pairs:
        if p.cases:
            assert docs[p.src_id].group != docs[p.susp_id].group
            assert docs[p.src_id].lang == docs[p.susp_id].lang == p.lang


def test_spinner_makes_multiword_substitutions() -> None:
    rng = random.Random(1)
    text = "The vision of Eastern Europe was set out at the meeting; see the table below."
    spun, info = ev.spin(text, "en", rng, rate=1.0)
    for phrase in ("imaginative and prescient", "Jap Europe", "desk under"):
        assert phrase in spun
    assert re.search(r"\b(assembly|gathering)\b", spun)
    assert spun.startswith("The ")  # capitalisation kept
    assert info["rate"] > 0.4
    ru, info_ru = ev.spin(
        "Министр иностранных дел заявил, что встреча была важной для сотрудничества.",
        "ru",
        random.Random(2),
        rate=1.0,
    )
    assert ru.startswith("Глава внешнеполитического ведомства")
    assert info_ru["rate"] > 0.4


def test_light_edit_changes_a_few_words() -> None:
    text = " ".join(f"word{i}, and “quoted” text number {i}." for i in range(20))
    edited, _ = ev.light_edit(text, "en", random.Random(3))
    assert edited != text
    sm = difflib.SequenceMatcher(a=_words(text), b=_words(edited), autojunk=False)
    assert sm.ratio() > 0.85


def test_telegram_post_span() -> None:
    body = "First sentence here. Second one follows. Third closes it."
    post, s, e = ev.telegram_post(body, "en", random.Random(4))
    assert post.startswith(("Forwarded from", "Переслано от"))
    assert _words(post[s:e].replace("**", "")) == _words(body)
    assert "#" in post[e:]


# --------------------------------------------------------------------- scorer


def _case(src: tuple[int, int], susp: tuple[int, int]) -> ev.Case:
    return ev.Case(src=src, susp=susp, obfuscation="test")


def _det(src: tuple[int, int], susp: tuple[int, int]) -> ev.Detection:
    return ev.Detection(src=src, susp=susp)


def test_pan_perfect_detection() -> None:
    s = ev.pan_scores([([_case((0, 100), (0, 100))], [_det((0, 100), (0, 100))])])
    assert (s.precision, s.recall, s.granularity, s.plagdet) == (1.0, 1.0, 1.0, 1.0)


def test_pan_split_detection_hand_computed() -> None:
    s = ev.pan_scores(
        [([_case((0, 100), (0, 100))], [_det((0, 50), (0, 50)), _det((50, 100), (50, 100))])]
    )
    assert s.precision == 1.0 and s.recall == 1.0 and s.granularity == 2.0
    assert s.plagdet == pytest.approx(1 / math.log2(3))  # 0.6309


def test_pan_partial_and_overlong_detections_hand_computed() -> None:
    half = ev.pan_scores([([_case((0, 100), (0, 100))], [_det((0, 50), (0, 50))])])
    assert half.recall == pytest.approx(0.5) and half.precision == 1.0
    assert half.plagdet == pytest.approx(2 / 3)
    # 300 detected characters, 200 of them the case's: precision 2/3, recall 1.
    long = ev.pan_scores([([_case((0, 100), (0, 100))], [_det((0, 100), (0, 200))])])
    assert long.precision == pytest.approx(2 / 3) and long.recall == 1.0
    assert long.plagdet == pytest.approx(0.8)


def test_pan_macro_averaging_over_cases_and_detections() -> None:
    # Pair 1: one case of 200+200 chars found fully; pair 2: a case of 50+50
    # chars missed and a false detection of 100+100 chars.
    s = ev.pan_scores(
        [
            ([_case((0, 200), (0, 200))], [_det((0, 200), (0, 200))]),
            ([_case((0, 50), (0, 50))], [_det((500, 600), (500, 600))]),
        ]
    )
    assert s.recall == pytest.approx(0.5)  # (1 + 0) / 2 cases, not 400/500 chars
    assert s.precision == pytest.approx(0.5)  # (1 + 0) / 2 detections
    assert s.granularity == 1.0 and s.detected_cases == 1
    assert s.plagdet == pytest.approx(0.5)


def test_pan_detection_must_overlap_both_sides() -> None:
    # Right place in the suspicious text, wrong place in the source: no hit.
    s = ev.pan_scores([([_case((0, 100), (0, 100))], [_det((300, 400), (0, 100))])])
    assert s.recall == 0.0 and s.precision == 0.0 and s.plagdet == 0.0


def test_pan_empty_sets_follow_pan_script() -> None:
    assert ev.pan_scores([([], [])]).plagdet == 1.0
    assert ev.pan_scores([([_case((0, 10), (0, 10))], [])]).plagdet == 0.0
    assert ev.pan_scores([([], [_det((0, 10), (0, 10))])]).plagdet == 0.0


# ----------------------------------------------------------------- PAN layout


def test_pan_layout_round_trip(tmp_path: Path, pairs: list[ev.Pair]) -> None:
    crlf = ev.Pair(
        "x",
        "verbatim",
        "en",
        "s",
        "t",
        "a\r\nsource text\r\n",
        "b\r\nsource text",
        (ev.Case((3, 14), (3, 14), "verbatim"),),
    )
    chosen = [*[p for p in pairs if p.obfuscation in ("negative", "spun")][:5], crlf]
    ev.write_pan(chosen, tmp_path)
    assert (tmp_path / "pairs").read_text().count("\n") == len(chosen)
    xml = next((tmp_path / "02-spun").glob("*.xml")).read_text()
    assert 'name="plagiarism"' in xml and "this_offset=" in xml and "source_length=" in xml
    back = ev.read_pan(tmp_path)
    assert len(back) == len(chosen)
    by_text = {(p.src_text, p.susp_text): p for p in back}
    for p in chosen:
        q = by_text[(p.src_text, p.susp_text)]
        assert q.obfuscation == p.obfuscation
        assert [(c.src, c.susp) for c in q.cases] == [(c.src, c.susp) for c in p.cases]
    r = by_text[(crlf.src_text, crlf.susp_text)]
    assert r.susp_text[r.cases[0].susp[0] : r.cases[0].susp[1]] == "source text"


def test_read_pan_without_pairs_file_fails(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        ev.read_pan(tmp_path)


# --------------------------------------------------------------------- runner


def _result(dets: list[tuple[tuple[int, int], tuple[int, int]]]) -> SimpleNamespace:
    passages = tuple(
        SimpleNamespace(
            a=SimpleNamespace(start=a[0], end=a[1]),
            b=SimpleNamespace(start=b[0], end=b[1]),
            words=(a[1] - a[0]) // 6,
        )
        for a, b in dets
    )
    return SimpleNamespace(passages=passages)


def _difflib_compare(a: str, b: str) -> SimpleNamespace:
    """Throwaway stand-in detector: word-level difflib matches of 8+ words."""
    wa, wb = ev.words(a), ev.words(b)
    ta = [a[s:e].lower() for s, e in wa]
    tb = [b[s:e].lower() for s, e in wb]
    sm = difflib.SequenceMatcher(a=ta, b=tb, autojunk=False)
    dets = [
        ((wa[m.a][0], wa[m.a + m.size - 1][1]), (wb[m.b][0], wb[m.b + m.size - 1][1]))
        for m in sm.get_matching_blocks()
        if m.size >= 8
    ]
    return _result(dets)


def test_evaluate_with_oracle_and_splitting_stand_ins(pairs: list[ev.Pair]) -> None:
    truth = {(p.src_text, p.susp_text): p.cases for p in pairs}

    def oracle(a: str, b: str) -> SimpleNamespace:
        return _result([(c.src, c.susp) for c in truth[(a, b)]])

    def splitter(a: str, b: str) -> SimpleNamespace:
        out = []
        for c in truth[(a, b)]:
            ms, md = (c.src[0] + c.src[1]) // 2, (c.susp[0] + c.susp[1]) // 2
            out += [((c.src[0], ms), (c.susp[0], md)), ((ms, c.src[1]), (md, c.susp[1]))]
        return _result(out)

    good = reuse_eval.evaluate(pairs, oracle)
    for obf in POSITIVE:
        assert good["obfuscations"][obf]["plagdet"] == 1.0
    assert good["negative"]["detections"] == 0
    split = reuse_eval.evaluate(pairs, splitter)
    assert split["overall"]["granularity"] == 2.0
    assert split["overall"]["plagdet"] == pytest.approx(1 / math.log2(3))
    text = reuse_eval.render(split)
    assert "plagdet" in text and "negative" in text


def test_evaluate_difflib_stand_in_finds_verbatim_not_seed_negatives() -> None:
    ps = ev.generate(3, seed=3, obfuscations=("verbatim", "negative"))
    rep = reuse_eval.evaluate(ps, _difflib_compare)
    assert rep["obfuscations"]["verbatim"]["plagdet"] > 0.9
    assert rep["negative_seeds"]["detections_25_plus_words"] == 0


# SHA-256 of the seed texts as collected (../shared/seeds), so the check
# holds on a machine without shared/ beside the repository too.
SEED_SHA256 = {
    "000_aed676f35e158f01.txt": "6d57aec8352caa92f12e36106e6228da73520874d04d284f98b300de82d354d5",
    "001_260e159f90c48a13.txt": "a1c420947b61362bcef54fec392531d3354863b514686c9f683fbd65e0da206c",
    "002_df50dd13ef8d3d9a.txt": "99bab6c90950d7fa520ff70aab1aab9a24a23675ba8cfd51ed15dd46c6bbab2b",
    "003_77c117c2591ab588.txt": "e424582567fdd32a3fffbb84bd868c59946a522fb03de16d113508dccb40cd52",
    "004_25d9c6ebddf93f77.txt": "9e0022e91feee06b4a218bd45b6d27b7c97d5ea0e6809bf559cd5301478a34d0",
}


def test_bundled_seed_copies_are_unedited() -> None:
    import hashlib

    copies = sorted((ROOT / "benchmarks" / "data" / "seeds").glob("*.txt"))
    assert [c.name for c in copies] == sorted(SEED_SHA256)
    shared = ROOT.parent / "shared" / "seeds"
    for copy in copies:
        assert hashlib.sha256(copy.read_bytes()).hexdigest() == SEED_SHA256[copy.name]
        if shared.is_dir():
            assert copy.read_bytes() == (shared / copy.name).read_bytes()


# -------------------------------------------------------------- sample corpus


@pytest.fixture(scope="module")
def sample() -> tuple[list[dict], dict]:
    sys.path.insert(0, str(ROOT / "corpora"))
    import make_sample

    files = make_sample.serialise()
    records = [json.loads(line) for line in files["sample/sample.jsonl"].splitlines()]
    return records, json.loads(files["sample.truth.json"]), files


def test_sample_is_reproducible_byte_for_byte(sample) -> None:
    *_, files = sample
    for name, content in files.items():
        assert (ROOT / "corpora" / name).read_bytes() == content.encode("utf-8")


def test_sample_records_and_seeds(sample) -> None:
    records, _, _ = sample
    ids = [r["id"] for r in records]
    assert len(ids) == len(set(ids))
    assert 35 <= len(records) <= 65
    for r in records:
        assert {"id", "text", "outlet", "date", "url", "lang"} <= r.keys()
        assert r["date"].startswith("2024-")
    seeds = ROOT / "benchmarks" / "data" / "seeds"
    by_id = {r["id"]: r for r in records}
    for path in sorted(seeds.glob("*.txt")):
        assert by_id[path.stem]["text"] == path.read_text(encoding="utf-8")
    assert sum(r["lang"] == "ru" for r in records) >= 5
    assert all(r.get("authored") for r in records if r["lang"] == "ru")


def test_sample_truth_spans_and_dates(sample) -> None:
    records, truth, _ = sample
    by_id = {r["id"]: r for r in records}
    kinds = Counter()
    for d in truth["documents"]:
        text = by_id[d["id"]]["text"]
        for t in d["takes"]:
            kinds[t["obfuscation"]] += 1
            s, e = t["span"]
            assert text[s:e] == t["text"]
            src = by_id[t["source"]]
            ss, se = t["source_span"]
            assert 20 <= len(ev.words(src["text"][ss:se]))
            for a, b in t.get("source_alt_spans", []):
                assert src["text"][a:b] == src["text"][ss:se]
            if t["obfuscation"] == "verbatim":
                assert src["text"][ss:se] == text[s:e]
            else:
                assert src["text"][ss:se] != text[s:e]
            assert src["date"] < d["date"]  # the original is the earliest
        for b in d["boilerplate"]:
            assert text[b["span"][0] : b["span"][1]] == b["text"]
    assert set(kinds) == {"verbatim", "light_edit", "spun", "telegram"}
    # Each outlet's chrome recurs in several of its documents.
    chrome = Counter((d["outlet"], b["text"]) for d in truth["documents"] for b in d["boilerplate"])
    assert chrome and all(n >= 2 for n in chrome.values())

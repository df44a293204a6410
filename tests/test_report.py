"""Tests of the corpus report: candidates, clusters, boilerplate, phrases, outputs, CLI."""

from __future__ import annotations

import itertools
import json
import os
import random
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from detector.candidates import (
    align_pair,
    band_keys,
    band_shape,
    candidate_pairs,
    sketch_document,
)
from detector.params import DEFAULT_PARAMS
from detector.schema import Document

ROOT = Path(__file__).resolve().parents[1]
TEXTS = ROOT / "benchmarks" / "data" / "texts.jsonl"
FAST = DEFAULT_PARAMS.with_(sentence_seeds=False)


def _real_texts() -> list[str]:
    return [json.loads(line)["text"] for line in TEXTS.read_text("utf-8").splitlines() if line]


def _edit(words: list[str], rng: random.Random) -> list[str]:
    """Light edits: drop or duplicate about one word in fifteen."""
    out = []
    for w in words:
        r = rng.random()
        if r < 0.04:
            continue
        out.append(w)
        if r > 0.97:
            out.append(w)
    return out


def generated_corpus(n_base: int = 16, n_derived: int = 14, seed: int = 3) -> list[Document]:
    """Unrelated 250-word base texts and derived texts quoting 45-120 words of a base."""
    rng = random.Random(seed)
    words = [t.split() for t in _real_texts()]
    docs: list[Document] = []
    bases: list[list[str]] = []
    for i in range(n_base):
        src = words[i % len(words)]
        off = 260 * (i // len(words))
        body = src[off : off + 250]
        bases.append(body)
        docs.append(Document(id=f"base{i}", text=" ".join(body), outlet=f"o{i % 4}"))
    for j in range(n_derived):
        host = words[(n_base + j) % len(words)][300:560]
        donor = bases[rng.randrange(n_base)]
        length = rng.randint(45, 120)
        at = rng.randrange(0, len(donor) - length)
        quote = _edit(donor[at : at + length], rng)
        cut = rng.randrange(20, len(host) - 20)
        text = " ".join(host[:cut] + quote + host[cut:])
        docs.append(Document(id=f"derived{j}", text=text, outlet=f"o{(j + 1) % 4}"))
    return docs


def test_band_shape_matches_datasketch() -> None:
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=0.2, num_perm=DEFAULT_PARAMS.num_perm)
    assert band_shape(0.2, DEFAULT_PARAMS.num_perm) == (lsh.b, lsh.r)
    # the default shape is one datasketch accepts for these signatures
    shape = (DEFAULT_PARAMS.lsh_bands, DEFAULT_PARAMS.lsh_rows)
    lsh = MinHashLSH(num_perm=DEFAULT_PARAMS.num_perm, params=shape)
    assert (lsh.b, lsh.r) == shape


def test_candidate_pairs_min_shared() -> None:
    # 0-1 share two keys, 1-2 one key
    keys = [
        (0, np.array([1, 2, 9], dtype=np.uint64)),
        (1, np.array([1, 2, 3], dtype=np.uint64)),
        (2, np.array([3, 4], dtype=np.uint64)),
    ]
    assert candidate_pairs(keys, min_shared=1) == {(0, 1), (1, 2)}
    assert candidate_pairs(keys, min_shared=2) == {(0, 1)}
    assert candidate_pairs(keys, min_shared=3) == set()
    crowd = [(i, np.array([7, 8], dtype=np.uint64)) for i in range(5)]
    assert candidate_pairs(crowd, min_shared=2) == {(0, i) for i in range(1, 5)}
    # documents out of index order give the same pairs
    assert candidate_pairs(keys[::-1], min_shared=2) == {(0, 1)}


def test_sketch_and_band_keys_are_stable_and_shaped() -> None:
    doc = Document(id="x", text=" ".join(_real_texts()[0].split()[:400]))
    sk = sketch_document(doc, DEFAULT_PARAMS)
    assert sk.signatures.dtype == np.uint32
    assert sk.signatures.shape == (len(sk.starts), DEFAULT_PARAMS.num_perm)
    keys = band_keys(sk.signatures, DEFAULT_PARAMS)
    bands = DEFAULT_PARAMS.lsh_bands
    assert keys.shape == (len(sk.starts), bands) and keys.dtype == np.uint64
    again = band_keys(sketch_document(doc, DEFAULT_PARAMS).signatures, DEFAULT_PARAMS)
    assert np.array_equal(keys, again)
    # windows whose signatures agree on a band share its key, and only there
    other = sk.signatures.copy()
    other[:, 0] ^= 1
    changed = band_keys(other, DEFAULT_PARAMS)
    assert not np.array_equal(changed[:, 0], keys[:, 0])
    assert np.array_equal(changed[:, 1:], keys[:, 1:])


def _star_pairs_reference(keys, min_shared: int = 1) -> set[tuple[int, int]]:
    """The slow, obviously correct star rule: per key, its lowest document
    paired with each other document holding it; pairs counted over keys."""
    holders: dict[int, set[int]] = {}
    for doc, arr in keys:
        for k in np.asarray(arr).ravel().tolist():
            holders.setdefault(k, set()).add(doc)
    counts: dict[tuple[int, int], int] = {}
    for docs in holders.values():
        hub = min(docs)
        for d in docs - {hub}:
            counts[(hub, d)] = counts.get((hub, d), 0) + 1
    return {p for p, c in counts.items() if c >= min_shared}


def test_candidate_pairs_are_stars_around_the_lowest_document() -> None:
    keys = [
        (0, np.array([[1, 2]], dtype=np.uint64)),
        (1, np.array([[1, 3]], dtype=np.uint64)),
        (2, np.array([[4, 3], [4, 3]], dtype=np.uint64)),
        (3, np.array([[9]], dtype=np.uint64)),
    ]
    assert candidate_pairs(keys) == {(0, 1), (1, 2)}
    crowd = [(i, np.array([7, 100 + i], dtype=np.uint64)) for i in range(6)]
    assert candidate_pairs(crowd) == {(0, i) for i in range(1, 6)}
    # a text in 1,000 documents costs 999 pairs, not 499,500
    mass = [(i, np.array([5, 6, 7], dtype=np.uint64)) for i in range(1000)]
    assert candidate_pairs(mass, min_shared=2) == {(0, i) for i in range(1, 1000)}
    assert candidate_pairs([]) == set()


def test_candidate_pairs_match_the_reference_star_rule() -> None:
    rng = np.random.default_rng(7)
    for trial in range(20):
        keys = [
            (int(i), rng.integers(0, 30, size=int(rng.integers(0, 10))).astype(np.uint64))
            for i in rng.permutation(40)
        ]
        for need in (1, 2, 3):
            assert candidate_pairs(keys, min_shared=need) == _star_pairs_reference(keys, need), trial


def test_lsh_recall_against_exhaustive_alignment() -> None:
    # the slow, obviously complete reference: align every pair; passages of
    # 40+ words (the generator quotes 45-120; the real texts also share a
    # few shorter formulaic sentences, e.g. Debian release notes)
    reference = FAST.with_(min_words=40)
    hits = total = candidates = pairs = 0
    for seed in range(3, 8):
        docs = generated_corpus(seed=seed)
        truth = {
            (i, j)
            for i, j in itertools.combinations(range(len(docs)), 2)
            # what window LSH over word 3-grams is built to find: long
            # passages that keep most of their 3-grams (the aligner also
            # reports 10-word borrowings and loose paraphrase, which the
            # candidate search is not meant to catch; the paraphrase
            # benchmark measures those)
            if any(p.words >= 40 and p.score >= 0.7 for p in align_pair(docs[i], docs[j], reference))
        }
        keys = [
            (i, band_keys(sketch_document(d, FAST).signatures, FAST)) for i, d in enumerate(docs)
        ]
        found = candidate_pairs(keys, min_shared=FAST.lsh_min_bands)
        # stars: a pair sharing text is aligned directly, or both sides are
        # aligned against the same earlier hub (the cluster joins them there)
        spokes: dict[int, set[int]] = {}
        for a, b in found:
            spokes.setdefault(b, set()).add(a)
        hits += sum(
            1
            for i, j in truth
            if (i, j) in found or spokes.get(i, set()) & spokes.get(j, set())
        )
        total += len(truth)
        candidates += len(found)
        pairs += len(docs) * (len(docs) - 1) // 2
    assert total >= 50  # the generator made reuse to find
    assert hits / total >= 0.95, (hits, total)
    # candidates narrow the search: far fewer than all pairs
    assert candidates < 0.25 * pairs


# ---------------------------------------------------------------- report


def _paragraphs(n: int, words: int = 70, skip: int = 0) -> list[str]:
    """Distinct real-text paragraphs of ``words`` words (no shared text between them)."""
    texts = [t.split() for t in _real_texts()]
    clean = [0, 2, 4, 6, 8, 11, 13, 15, 16, 17, 18, 20, 22, 23, 24, 25]  # no reuse among these
    out = []
    for k in range(skip, skip + n):
        src = texts[clean[k % len(clean)]]
        off = words * (k // len(clean))
        out.append(" ".join(src[off : off + words]))
    return out


FOOTER = "Subscribe to the Daily Example for unlimited access. Republication permitted with a link."


@pytest.fixture(scope="module")
def corpus() -> list[Document]:
    p = _paragraphs(12)
    docs = [
        Document("src", f"{p[0]}\n\n{p[1]}\n\n{p[2]}", outlet="wire", date="2024-03-01"),
        Document("reprint", f"{p[0]}\n\n{p[3]}\n\n{FOOTER}", outlet="daily", date="2024-03-02"),
        Document("quote", f"{p[4]}\n\n{p[1]}\n\n{p[5]}", outlet="weekly", date="2024-03-05"),
        # chaining: a shares p6 with b, b shares p7 with c
        Document("a", f"{p[6]}\n\n{p[8]}", outlet="x"),
        Document("b", f"{p[6]}\n\n{p[7]}", outlet="y", date="2024-04-01"),
        Document("c", f"{p[9]}\n\n{p[7]}", outlet="z", date="2024-04-02"),
        Document("d1", f"{p[10]}\n\n{FOOTER}", outlet="daily", date="2024-03-03"),
        Document("d2", f"{p[11]}\n\n{FOOTER}", outlet="daily", date="2024-03-04"),
    ]
    return docs


@pytest.fixture(scope="module")
def report(corpus: list[Document]):
    from detector.report import build_report

    return build_report(corpus, framing=False, workers=1)


def _clusters_with(report, doc_ids: set[str], kind: str = "reuse"):
    return [c for c in report.clusters if c.kind == kind and doc_ids <= {m.doc for m in c.members}]


def test_reuse_found_across_outlets_with_exact_spans(report, corpus) -> None:
    texts = {d.id: d.text for d in corpus}
    p0 = texts["src"].split("\n\n")[0]
    [cluster] = _clusters_with(report, {"src", "reprint"})
    for m in cluster.members:
        assert texts[m.doc][m.start : m.end] == m.text
        assert abs(len(m.text) - len(p0)) < 10 and m.text.split()[:5] == p0.split()[:5]
    assert cluster.earliest == "src" and set(cluster.outlets) == {"wire", "daily"}
    [quoted] = _clusters_with(report, {"src", "quote"})
    assert quoted.earliest == "src"
    assert texts["quote"].index(texts["src"].split("\n\n")[1]) in range(
        quoted.members[-1].start - 5, quoted.members[-1].start + 5
    ) or any(m.doc == "quote" for m in quoted.members)


def test_chaining_does_not_merge_unrelated_texts(report) -> None:
    ab = _clusters_with(report, {"a", "b"})
    bc = _clusters_with(report, {"b", "c"})
    assert len(ab) == 1 and len(bc) == 1 and ab[0].id != bc[0].id
    assert "c" not in {m.doc for m in ab[0].members}
    assert "a" not in {m.doc for m in bc[0].members}
    assert ab[0].earliest == "b"  # a has no date: the dated member is the earliest known


def test_footer_is_boilerplate(report, corpus) -> None:
    [footer] = [c for c in report.clusters if c.kind == "boilerplate"]
    assert {m.doc for m in footer.members} == {"reprint", "d1", "d2"}
    # spans run from the first word start to the last word end
    assert all(m.text == FOOTER.rstrip(".") for m in footer.members)
    assert footer.outlets == ("daily",)


def test_earliest_unknown_without_dates() -> None:
    from detector.render.tabular import report_to_dict
    from detector.report import build_report

    p = _paragraphs(3, skip=3)
    docs = [Document("u", f"{p[0]}\n\n{p[1]}", outlet="o1"), Document("v", f"{p[2]}\n\n{p[0]}", outlet="o2")]
    rep = build_report(docs, framing=False, workers=1)
    [c] = rep.clusters
    assert c.earliest is None and report_to_dict(rep)["clusters"][0]["earliest"] == "unknown"


def test_no_reuse_between_seed_texts(seeds) -> None:
    from detector.report import build_report

    docs = [Document(k, v, outlet=f"outlet{i}") for i, (k, v) in enumerate(sorted(seeds.items()))]
    rep = build_report(docs, framing=False, workers=1)
    assert [c for c in rep.clusters if len({m.doc for m in c.members}) > 1] == []
    # repeats inside one document are reported (001 repeats every post body)
    assert any(r.doc.startswith("001") for r in rep.repeats)


def test_phrases_across_outlets() -> None:
    from detector.report import build_report

    p = _paragraphs(8, skip=1)
    formula = "the programme of coordinated foreign policy actions"
    docs = [
        Document(f"p{i}", f"{p[i]} Officials discussed {formula} on Tuesday. {p[i + 4]}", outlet=f"o{i % 3}")
        for i in range(4)
    ]
    rep = build_report(docs, framing=False, workers=1)
    texts = [ph.text for ph in rep.phrases]
    assert any("coordinated foreign policy actions" in t for t in texts), texts
    ph = next(ph for ph in rep.phrases if "coordinated foreign" in ph.text)
    assert ph.documents == 4 and ph.outlets == 3
    assert 3 <= ph.words <= 12


def test_parallel_engine_matches_in_process(corpus) -> None:
    from detector.render.tabular import render_json
    from detector.report import build_report

    many = [Document(f"{d.id}-{k}", d.text, outlet=d.outlet, date=d.date) for k in range(9) for d in corpus]
    one = build_report(many, framing=False, workers=1)
    two = build_report(many, framing=False, workers=2)
    assert render_json(one) == render_json(two)


def test_every_format_parses(report) -> None:
    import csv
    import io

    from detector.render.html import render_report_html
    from detector.render.markdown import render_report_markdown
    from detector.render.tabular import render_csv, render_json, render_jsonl
    from detector.render.terminal import make_console, render_report

    data = json.loads(render_json(report))
    assert data["schema"] == "detector.report/1"
    assert {"documents", "clusters", "phrases", "framing", "skipped"} <= data.keys()
    schema = json.loads((ROOT / "detector" / "schemas" / "report-1.schema.json").read_text())
    import jsonschema

    jsonschema.validate(data, schema)
    lines = [json.loads(x) for x in render_jsonl(report).splitlines()]
    assert len(lines) == len(report.clusters)
    rows = list(csv.DictReader(io.StringIO(render_csv(report))))
    assert len(rows) == sum(len(c.members) for c in report.clusters)
    assert render_report_markdown(report).startswith("# Corpus report")
    html = render_report_html(report)
    # one <mark> per member passage (after its context span), plus the legend's
    assert html.count('</span><mark>') == sum(len(c.members) for c in report.clusters)
    assert html.count("<mark>") == html.count('</span><mark>') + 1
    buf = io.StringIO()
    make_console(color="never", file=buf, width=120).print(render_report(report))
    assert "Top reuse clusters" in buf.getvalue()


def test_hostile_text_is_escaped_everywhere() -> None:
    from detector.render.html import render_report_html
    from detector.report import build_report

    p = _paragraphs(2, skip=5)
    evil = '</script><script>document.title="pwned"</script><img src=x onerror="alert(1)">\x1b[31m'
    docs = [
        Document("e1", f"{evil} {p[0]} {evil}", outlet="o1<b>", date="2024-01-01"),
        Document("e2", f"{p[1]} {evil} {p[0]} {evil}", outlet="o2"),
    ]
    rep = build_report(docs, framing=False, workers=1)
    html = render_report_html(rep)
    assert "<script>document.title" not in html and "<img" not in html
    assert html.count("</script>") == 2  # only the page's own two script elements
    assert "o1<b>" not in html


def test_cli_report_end_to_end(tmp_path, corpus) -> None:
    from click.testing import CliRunner

    from detector.cli import cli

    path = tmp_path / "c.jsonl"
    rows = [{"id": d.id, "text": d.text, "outlet": d.outlet, "date": d.date} for d in corpus]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows) + "{bad json\n" + '{"id": "x"}\n')
    runner = CliRunner()
    bad = runner.invoke(cli, ["report", str(path), "--no-framing", "--workers", "1"])
    assert bad.exit_code != 0
    res = runner.invoke(
        cli, ["report", str(path), "--skip-bad", "--no-framing", "--workers", "1", "--format", "json"]
    )
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["skipped"] == 2 and len(data["documents"]) == len(corpus)
    assert "2 bad records skipped" in res.stderr
    for fmt in ("text", "jsonl", "csv", "markdown", "html"):
        out = tmp_path / f"r.{fmt}"
        res = runner.invoke(
            cli, ["report", str(path), "--skip-bad", "--no-framing", "--format", fmt, "-o", str(out)]
        )
        assert res.exit_code == 0, res.output
        assert out.stat().st_size > 0


def test_main_maps_bad_input_to_exit_2(tmp_path) -> None:
    from detector.cli import main

    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": "x"}\n')
    with pytest.raises(SystemExit) as exc:
        main(["report", str(path), "--no-framing"])
    assert exc.value.code == 2


# ---------------------------------------------------------------- shingle mask


def test_shingle_mask_rules() -> None:
    from detector.candidates import shingle_mask

    u32 = np.uint32
    chrome, shared, formula, lone = u32(7), u32(8), u32(9), u32(10)
    outlets = ["a", "a", "a", "b", "c", None, None, None]
    sets = {d: [] for d in range(8)}
    for d in (0, 1, 2):  # three documents of outlet a: chrome
        sets[d].append(chrome)
    for d in (2, 3, 4):  # three documents of three outlets: travelling text
        sets[d].append(shared)
    for d in (5, 6, 7):  # documents without an outlet never make chrome
        sets[d].append(lone)
    for d in (0, 3, 4, 5, 6, 7):  # in many documents, once per outlet
        sets[d].append(formula)
    records = [(d, np.unique(np.asarray(v, dtype=np.uint32))) for d, v in sets.items()]
    assert shingle_mask(records, outlets, min_docs=5).tolist() == [7, 9]
    # "in more than max(min_docs, share * n)" documents: 6 is not more than 6
    assert shingle_mask(records, outlets, min_docs=6).tolist() == [7]
    assert shingle_mask(records, outlets, min_docs=5, doc_share=0.9).tolist() == [7]
    assert shingle_mask(records, outlets, min_docs=6, outlet_docs=4).tolist() == []
    assert shingle_mask([], outlets).tolist() == []


def test_masked_window_signatures() -> None:
    from detector.candidates import min_window_shingles, shingle_set, sketch_shingles
    from detector.fingerprint import minhash_signature, shingle_hashes
    from detector.tokens import tokenize

    tokens = tokenize(" ".join(_real_texts()[1].split()[:300]))
    hashes = shingle_hashes(tokens.ids, DEFAULT_PARAMS.lsh_shingle_size)
    plain = sketch_shingles("x", len(tokens), hashes, DEFAULT_PARAMS)
    assert np.array_equal(plain.signatures, sketch_document(Document("x", tokens.text), DEFAULT_PARAMS).signatures)
    # a mask that hits nothing of this document changes nothing
    unrelated = np.array([1, 2, 3], dtype=np.uint32)
    same = sketch_shingles("x", len(tokens), hashes, DEFAULT_PARAMS, mask=unrelated)
    assert np.array_equal(same.starts, plain.starts) and np.array_equal(same.signatures, plain.signatures)
    # masking the first 70 shingles: windows are signed over what is left, and
    # windows left with too few shingles are dropped
    h32 = shingle_set(hashes)
    mask = np.unique((hashes[:70] & np.uint64(0xFFFFFFFF)).astype(np.uint32))
    masked = sketch_shingles("x", len(tokens), hashes, DEFAULT_PARAMS, mask=mask)
    assert len(h32) > len(mask) and 0 < len(masked.starts) < len(plain.starts)
    w = DEFAULT_PARAMS.window_words
    for start, sig in zip(masked.starts.tolist(), masked.signatures, strict=True):
        window = hashes[start : start + w]
        left = window[~np.isin((window & np.uint64(0xFFFFFFFF)).astype(np.uint32), mask)]
        assert len(left) >= min_window_shingles(DEFAULT_PARAMS)
        assert np.array_equal(sig, minhash_signature(left, DEFAULT_PARAMS))


def _chrome_corpus() -> list[Document]:
    """Eight documents of one outlet with a long shared footer, and one cross-outlet quote."""
    p = _paragraphs(11, skip=2)
    chrome = (
        "Related stories from the Daily Example newsroom, our editors' picks and the most read "
        "articles of the week are collected on the front page. Follow the Daily Example on every "
        "social network, sign up for the morning briefing and the weekend long read, and support "
        "independent journalism with a monthly subscription."
    )
    docs = [Document(f"daily{i}", f"{p[i]}\n\n{chrome}", outlet="daily") for i in range(8)]
    docs.append(Document("wire", f"{p[8]}\n\n{p[9]}", outlet="wire"))
    docs.append(Document("weekly", f"{p[10]}\n\n{p[9]}", outlet="weekly"))
    docs.append(Document("daily-quote", f"{p[8]}\n\n{chrome}", outlet="daily"))
    return docs


def test_same_outlet_footers_make_no_candidates_but_reuse_is_found() -> None:
    from detector.candidates import shingle_mask
    from detector.report import analyse_document, build_report, with_band_keys

    docs = _chrome_corpus()
    index = {d.id: i for i, d in enumerate(docs)}
    deferred = [analyse_document(i, d, DEFAULT_PARAMS, defer_keys=True) for i, d in enumerate(docs)]
    mask = shingle_mask(((f.index, f.shingle_set) for f in deferred), [d.outlet for d in docs])
    facts = [with_band_keys(f, DEFAULT_PARAMS, mask) for f in deferred]
    # the two passes give what one pass with the same mask gives
    direct = analyse_document(3, docs[3], DEFAULT_PARAMS, mask=mask)
    assert np.array_equal(direct.keys, facts[3].keys)
    masked = candidate_pairs((f.index, f.keys) for f in facts)
    unmasked = candidate_pairs(
        (i, analyse_document(i, d, DEFAULT_PARAMS).keys) for i, d in enumerate(docs)
    )
    daily = {index[f"daily{i}"] for i in range(8)}
    footer_pairs = {p for p in unmasked if set(p) <= daily}
    assert footer_pairs  # without the mask the footer alone makes candidates
    assert not {p for p in masked if set(p) <= daily}
    travelling = {
        tuple(sorted((index["wire"], index["weekly"]))),
        tuple(sorted((index["wire"], index["daily-quote"]))),
    }
    assert travelling <= masked
    rep = build_report(docs, framing=False, workers=1)
    reuse = [{m.doc for m in c.members} for c in rep.clusters if c.kind == "reuse"]
    assert {"wire", "weekly"} in reuse and {"wire", "daily-quote"} in reuse
    [footer] = [c for c in rep.clusters if c.kind == "boilerplate"]
    assert {m.doc for m in footer.members} == {f"daily{i}" for i in range(8)} | {"daily-quote"}
    assert rep.candidates < len(unmasked)


def test_report_parquet_output(tmp_path) -> None:
    from pathlib import Path

    import pyarrow.parquet as pq
    from click.testing import CliRunner

    from detector.cli import cli

    sample = Path(__file__).resolve().parent.parent / "corpora" / "sample"
    out = tmp_path / "report.parquet"
    runner = CliRunner()
    result = runner.invoke(
        cli, ["report", str(sample), "--format", "parquet", "-o", str(out), "--no-framing"]
    )
    assert result.exit_code == 0, result.output
    table = pq.read_table(out)
    assert table.num_rows > 0
    assert {"cluster", "kind", "doc", "start", "end"} <= set(table.column_names)
    texts = {}
    import json

    for line in open(sample / "sample.jsonl", encoding="utf-8"):
        record = json.loads(line)
        texts[record["id"]] = record["text"]
    rows = table.to_pylist()
    if "text" in table.column_names:
        for row in rows[:20]:
            assert texts[row["doc"]][row["start"] : row["end"]] == row["text"]


def test_sharded_sorted_runs_give_the_same_pairs(monkeypatch) -> None:
    import detector.candidates as cand

    rng = np.random.default_rng(1)
    mix = np.uint64(0x9E3779B97F4A7C15)  # spread small ints over the key space
    keys = [
        (i, rng.integers(0, 40, size=int(rng.integers(0, 12))).astype(np.uint64) * mix)
        for i in range(60)
    ]
    for need in (1, 2, 3):
        ref = candidate_pairs(keys, min_shared=need)
        # chunks of 4 documents dealt to two workers, as the local engine does
        runs = [
            cand.bucket_entries([k for k in keys if (k[0] // 4) % 2 == w]) for w in range(2)
        ]
        assert cand.pairs_from_entries(runs, min_shared=need) == ref
        monkeypatch.setattr(cand, "_KEYS_PER_PARTITION", 8)  # many key-range partitions
        assert cand.pairs_from_entries(runs, min_shared=need) == ref
        assert candidate_pairs(keys, min_shared=need) == ref
        monkeypatch.setattr(cand, "_KEYS_PER_PARTITION", 1 << 24)
    assert ref  # the corpus links something


def _fails_on_three(x: int) -> int:
    if x == 3:
        raise ValueError("three")
    return x * x


def test_local_workers_order_shards_and_errors() -> None:
    from detector.engines.local import _Workers

    pool = _Workers(2)
    try:
        assert list(pool.sharded(_fails_on_three, [0, 1, 2])) == [0, 1, 4]
        assert list(pool.any(_fails_on_three, [5, 4, 2, 1])) == [25, 16, 4, 1]
        pids = pool.each(_pid, None)
        assert len(set(pids)) == 2 and os.getpid() not in pids
        # task c goes to worker c % 2, every time
        assert list(pool.sharded(_pid, range(6)))[::2] == [pids[0]] * 3
        with pytest.raises(ValueError, match="three"):
            list(pool.any(_fails_on_three, [1, 3, 2]))
    finally:
        pool.terminate()


def _pid(_: object) -> int:
    return os.getpid()


def test_sample_corpus_report_finds_every_truth_relation() -> None:
    """Every passage the sample generator copied is in a reuse cluster with its source."""
    from detector.report import build_report

    root = Path(__file__).resolve().parents[1] / "corpora"
    truth = json.loads((root / "sample.truth.json").read_text("utf-8"))
    report = build_report([str(root / "sample")], framing=False, workers=1)
    members: dict[str, list[tuple[int, int, int]]] = {}
    for c in report.clusters:
        if c.kind == "reuse":
            for m in c.members:
                members.setdefault(m.doc, []).append((c.id, m.start, m.end))

    def clusters_over(doc: str, span: list[int]) -> set[int]:
        s, e = span
        # the member covers at least half of the copied span
        return {cid for cid, ms, me in members.get(doc, ()) if min(me, e) - max(ms, s) >= 0.5 * (e - s)}

    takes = [(d["id"], t) for d in truth["documents"] for t in d["takes"]]
    assert len(takes) >= 20
    missed = [
        (doc, t["source"], t["obfuscation"])
        for doc, t in takes
        if not clusters_over(doc, t["span"]) & clusters_over(t["source"], t["source_span"])
    ]
    assert missed == []
    # earliest is the source wherever the generator dated it so
    for doc, t in takes:
        shared = clusters_over(doc, t["span"]) & clusters_over(t["source"], t["source_span"])
        earliest = {c.earliest for c in report.clusters if c.id in shared}
        assert doc not in earliest


def _dies(_: object) -> None:
    os._exit(9)  # a worker killed mid-task (the OOM killer, kill -9)


def test_dead_worker_is_an_engine_error() -> None:
    from detector.engines.local import _Workers
    from detector.errors import EngineError

    pool = _Workers(2)
    try:
        with pytest.raises(EngineError, match="worker process died"):
            list(pool.any(_dies, [1, 2]))
    finally:
        pool.terminate()

_PHRASE_WORDS = st.sampled_from(["Lavrov", "union", "State", "Минск", "союзное", "ё", "mоscow", "x1", "the", "и"])


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(_PHRASE_WORDS, st.text(max_size=3)), min_size=0, max_size=40),
)
def test_phrase_spans_are_token_runs_of_the_original(parts: list[tuple[str, str]]) -> None:
    from detector.boilerplate import find_phrases, phrase_seq
    from detector.fingerprint import distinct_sorted
    from detector.tokens import tokenize

    # words glued with arbitrary Unicode separators (controls, marks, emoji...)
    text = "".join(w + (sep or " ") for w, sep in parts)
    tokens = tokenize(text)
    seq = phrase_seq(tokens)
    selected = distinct_sorted(seq.grams[seq.ok])  # every usable 3-gram of the text
    df = np.full(len(selected), 3, dtype=np.int64)
    starts, ends = set(tokens.starts.tolist()), set(tokens.ends.tolist())
    for _key, start, end, words in find_phrases(seq, selected, df):
        assert 0 <= start < end <= len(text)
        assert start in starts and end in ends
        inside = int(((tokens.starts >= start) & (tokens.ends <= end)).sum())
        assert inside == words >= 3

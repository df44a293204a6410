"""Properties the corpus report must keep on reprint-heavy corpora.

Built from real text (the seed articles, real Telegram posts and 1916 wire
pages from ../shared/corpora), arranged the way real corpora are: mass
reprints, chains of partial quotes, an outlet that prints one story several
times, sister channels sharing a footer.
"""

from __future__ import annotations

import gzip
import itertools
import json

import pytest
from conftest import ROOT, require_tool
from tg_slice import CORPORA

from detector.coherence import report_coherence
from detector.report import build_report
from detector.schema import Document


def _paragraphs(text: str, min_words: int = 40) -> list[str]:
    return [p.strip() for p in text.split("\n") if len(p.split()) >= min_words]


def _real_posts(name: str, limit: int | None = None) -> list[dict]:
    path = CORPORA / name
    require_tool(path.exists(), f"real corpus {path}")
    out = []
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            out.append(json.loads(line))
            if limit and len(out) >= limit:
                break
    return out


def _reuse(report):
    return [c for c in report.clusters if c.kind == "reuse"]


def test_a_thousand_reprints_are_one_duplicate_group(seeds) -> None:
    story = "\n".join(_paragraphs(seeds["000_aed676f35e158f01"])[:4])
    docs = [
        Document(
            id=f"o{i:04d}/story",
            text=f"OUTLET {i} NEWS\n{story}\nSubscribe to outlet {i}",
            outlet=f"outlet-{i:04d}",
            date=f"2024-03-{1 + i // 100:02d}T{(i % 100) // 5:02d}:{(i % 5) * 10:02d}:00Z",
        )
        for i in range(1000)
    ]
    report = build_report(docs, framing=False)
    assert len(report.duplicates) == 1
    group = report.duplicates[0]
    assert len(group.documents) == 1000 and group.documents[0] == "o0000/story"
    assert group.earliest == "o0000/story"
    # aligned once each against the representative, not pairwise
    assert report.candidates < 50
    biggest = _reuse(report)[0]
    assert biggest.documents == 1000 and biggest.earliest == "o0000/story"
    texts = {d.id: d.text for d in docs}
    for m in biggest.members:
        assert texts[m.doc][m.start : m.end] == m.text
        assert story.split("\n")[0][:60] in m.text


def test_a_chain_of_partial_quotes_gives_one_cluster_per_text(seeds) -> None:
    # D_k quotes paragraph k and k+1 of different seed articles: D0-D1 share
    # p0, D1-D2 share p1, ... with both paragraphs in one overlapping window
    # distinct paragraphs (the seeds quote one another: a shared paragraph
    # would rightly be one text)
    paras = list(dict.fromkeys(p for t in seeds.values() for p in _paragraphs(t, 60)))[:6]
    assert len(paras) == 6
    docs = [
        Document(
            id=f"d{k}",
            text=(paras[k - 1] + "\n" if k else "") + (paras[k] if k < len(paras) else ""),
            outlet=f"o{k}",
            date=f"2024-01-{k + 1:02d}",
        )
        for k in range(len(paras) + 1)
    ]
    report = build_report(docs, framing=False)
    reuse = _reuse(report)
    assert len(reuse) == 6
    for c in reuse:
        numbers = sorted(int(m.doc[1:]) for m in c.members)
        assert numbers[-1] - numbers[0] == 1, numbers  # one text: two neighbours
    assert report_coherence(report, min_members=2).share == 1.0


def test_an_outlet_printing_a_story_three_times_keeps_its_reuse(seeds) -> None:
    paras = _paragraphs(seeds["004_25d9c6ebddf93f77"], 30)
    story = "\n".join(paras[:5])
    footer = "Minsk Ledger. Republication only with a link. Subscribe to our morning briefing."
    other = [p for t in (seeds["002_df50dd13ef8d3d9a"], seeds["003_77c117c2591ab588"]) for p in _paragraphs(t, 25)]
    docs = [
        Document(id="ledger/story", text=f"{story}\n{footer}", outlet="ledger", date="2024-05-01T08:00"),
        Document(id="ledger/story-amp", text=f"{story}\n{footer}", outlet="ledger", date="2024-05-01T08:05"),
        Document(
            id="ledger/story-updated",
            text=f"{story}\nThe meeting ended in the evening.\n{footer}",
            outlet="ledger",
            date="2024-05-01T12:00",
        ),
        *[
            Document(id=f"ledger/other{k}", text=f"{other[k]}\n{footer}", outlet="ledger", date=f"2024-05-0{k + 2}")
            for k in range(4)
        ],
        Document(id="wire/reprint", text=f"{story}\nWire staff", outlet="wire", date="2024-05-02"),
        Document(id="blog/quote", text=f"As the Ledger reported:\n{paras[1]}\n{paras[2]}", outlet="blog", date="2024-05-03"),
    ]
    report = build_report(docs, framing=False)
    reuse = _reuse(report)
    whole = next(c for c in reuse if any(m.doc == "wire/reprint" for m in c.members))
    assert {"ledger", "wire"} <= set(whole.outlets)
    assert whole.earliest == "ledger/story"
    assert any(m.doc == "blog/quote" for c in reuse for m in c.members)
    group = next(g for g in report.duplicates if "ledger/story" in g.documents)
    assert group.documents[0] == "ledger/story" and "ledger/story-amp" in group.documents
    boiler = [c for c in report.clusters if c.kind == "boilerplate"]
    assert any("Subscribe to our morning briefing" in m.text for c in boiler for m in c.members)
    for c in boiler:  # the story itself is never chrome
        assert not any(paras[1][:80] in m.text for m in c.members)


def test_seed_folder_chrome_is_found(seeds) -> None:
    from conftest import seed_paths

    report = build_report([str(p) for p in seed_paths()], framing=False)
    boiler = [c for c in report.clusters if c.kind == "boilerplate"]
    texts = {m.text for c in boiler for m in c.members}
    assert "The material is available only to POZIRK+" in texts
    assert "Заметили ошибку? Пожалуйста, выделите её и нажмите Ctrl+Enter" in texts
    poz = next(c for c in boiler if c.members[0].text == "The material is available only to POZIRK+")
    assert len(poz.members) >= 10
    for c in boiler:
        for m in c.members:
            assert seeds[m.doc][m.start : m.end] == m.text
    # "Mr." does not end a sentence, so "According to Mr" is no repeat
    assert not any(r.text.strip() == "According to Mr" for r in report.repeats)


@pytest.mark.slow
def test_real_telegram_report_is_coherent_and_footers_are_boilerplate() -> None:
    posts = _real_posts("tg-news-ru.dev.jsonl.gz")
    docs = [Document(id=p["id"], text=p["text"], outlet=p.get("outlet"), date=p.get("date")) for p in posts]
    report = build_report(docs, framing=False)
    coherence = report_coherence(report)
    assert coherence.share >= 0.95, coherence
    texts = {d.id: d.text for d in docs}
    for c in _reuse(report):
        assert c.documents <= len(docs)
        # the network's subscribe lines are chrome: no reuse cluster is mostly them
        rep = c.members[0].text
        assert not ("Подписаться" in rep and len(rep) < 120), (c.id, rep)
    boiler = [c for c in report.clusters if c.kind == "boilerplate"]
    networks = [c for c in boiler if len(c.outlets) >= 2 and any("Подписаться" in m.text for m in c.members)]
    assert networks, "the Москва/Топор networks share footers across channels"
    for c in report.clusters[:50]:
        for m in c.members[:5]:
            assert texts[m.doc][m.start : m.end] == m.text
    _check_phrases(report)


@pytest.mark.slow
def test_real_wire_pages_form_coherent_clusters() -> None:
    pages = _real_posts("chronam-1916-04.jsonl.gz", limit=300)
    docs = [Document(id=p["id"], text=p["text"], outlet=p.get("outlet"), date=p.get("date")) for p in pages]
    report = build_report(docs, framing=False)
    assert _reuse(report), "April 1916 front pages share wire stories"
    # OCR'd wire copy: each paper's scan and cut of an AP story shares only
    # 13-41% of its 3-grams even with the copy it was aligned to directly
    # (measured), so the 3-gram figure measures OCR noise here; shared
    # vocabulary still tells one story from a chain of different ones
    coherence = report_coherence(report, n=1)
    assert coherence.share >= 0.9, coherence
    # among same-day members the most central scan is the representative:
    # 0.43 with input order, 0.55-0.57 measured with it
    assert report_coherence(report, n=3).share >= 0.5
    assert max(c.documents for c in report.clusters) <= len(docs)
    by_id = {d.id: d for d in docs}
    for c in report.clusters:
        # one paper's two editions of a day differ by OCR: one text, never a template
        if c.kind == "boilerplate" and c.kinds and len(c.outlets) == 1:
            assert len({by_id[m.doc].date[:10] for m in c.members}) > 1, c
        # spans of one document in one cluster never overlap
        spans = sorted((m.doc, m.start, m.end) for m in c.members)
        for (d1, _, e1), (d2, s2, _) in itertools.pairwise(spans):
            assert d1 != d2 or s2 >= e1, (c.id, d1)


def test_coherence_flags_a_chain() -> None:
    from detector.coherence import cluster_coherence
    from detector.schema import Cluster, Member

    def member(doc: str, text: str) -> Member:
        return Member(doc, 0, len(text), None, None, len(text.split()), text)

    a = "alpha beta gamma delta epsilon zeta eta theta iota kappa"
    b = "iota kappa lambda mu nu xi omicron pi rho sigma"
    chain = Cluster(1, "reuse", (member("x", a), member("y", a + " " + b), member("z", b)), None, None, (), 2, 1.0)
    assert cluster_coherence(chain) == (2, 3)


def test_readable_phrases() -> None:
    from detector.boilerplate import readable_phrase

    assert readable_phrase("Возбуждено уголовное дело")
    assert readable_phrase("foreign minister Sergey Lavrov")
    for bad in (
        "Подписаться](https://t",  # link pieces
        "youtube.com/watch?v",
        "D0%B5%D0",  # percent-encoding
        "utm_source=tg",
        "сентября 2024 года",  # dates and figures
        "центре погоды «Фобос",  # unbalanced quote
        "Москве и Подмосковье",  # bare names
        "четырехдневная** рабочая **неделя",  # markup
    ):
        assert not readable_phrase(bad), bad


def _check_phrases(report) -> None:
    from detector.boilerplate import readable_phrase

    folded = [" ".join(p.text.casefold().split()) for p in report.phrases]
    for p, f in zip(report.phrases, folded, strict=True):
        assert readable_phrase(p.text), p.text
        assert p.independent <= p.documents
        assert p.outlets <= p.documents
        # maximal: no listed phrase is a word-run inside a longer listed one
        assert not any(f != g and f" {f} " in f" {g} " for g in folded), p.text


def test_sample_corpus_phrases_are_maximal_and_readable() -> None:
    report = build_report([str(ROOT / "corpora" / "sample")], framing=False)
    assert report.phrases
    _check_phrases(report)


@pytest.mark.slow
def test_report_cross_lingual_puts_a_translation_in_the_cluster_of_its_source() -> None:
    from detector.semantic import available

    require_tool(available(), "the semantic extra (sentence encoder)")
    rows = [json.loads(line) for line in (ROOT / "benchmarks" / "data" / "wmt24_enru_news.jsonl").open(encoding="utf-8")]
    posts = _real_posts("tg-news-ru.dev.jsonl.gz", limit=200)
    docs = [Document(id=p["id"], text=p["text"], outlet=p.get("outlet"), date=p.get("date")) for p in posts]
    for k, row in enumerate(rows[:3]):
        docs.append(Document(id=f"ru{k}", text="\n".join(row["ru"]), outlet="ru-agency", date=f"2024-11-0{k + 1}T08:00"))
        docs.append(Document(id=f"en{k}", text="\n".join(row["en"]), outlet="en-site", date=f"2024-11-0{k + 1}T12:00"))
    report = build_report(docs, framing=False, cross_lingual=True)
    texts = {d.id: d.text for d in docs}
    for k in range(3):
        cluster = next(c for c in report.clusters if {m.doc for m in c.members} >= {f"ru{k}", f"en{k}"})
        assert cluster.kind == "reuse" and cluster.earliest == f"ru{k}"
        assert cluster.kinds.get("translated")
        for m in cluster.members:
            assert texts[m.doc][m.start : m.end] == m.text
    # nothing else is called a translation of those articles
    for c in report.clusters:
        if c.kinds.get("translated"):
            assert {m.doc[2:] for m in c.members if m.doc[:2] in ("ru", "en")} <= {"0", "1", "2"}


def test_report_coherence_counts_members_at_any_gram_length() -> None:
    from detector.coherence import report_coherence
    from detector.schema import Cluster, Member, Report

    def member(doc: str, text: str) -> Member:
        return Member(doc, 0, len(text), None, None, len(text.split()), text)

    a = "alpha beta gamma delta epsilon zeta eta theta iota kappa"
    b = "iota kappa lambda mu nu xi omicron pi rho sigma"
    good = Cluster(1, "reuse", (member("x", a), member("y", a), member("w", a)), None, None, (), 2, 1.0)
    chain = Cluster(2, "reuse", (member("x", a), member("y", a + " " + b), member("z", b)), None, None, (), 2, 1.0)
    for n in (1, 2, 3):
        c = report_coherence(Report(documents=(), clusters=(good, chain)), n=n)
        assert (c.members, c.clusters) == (6, 2)
        assert c.share == 5 / 6


def test_framing_counts_only_promoted_flags() -> None:
    from detector.schema import DocInfo, FramingSpan
    from detector.stages import framing_counts

    docs = [DocInfo(id=f"d{i}", outlet=f"o{i}", date=None, url=None, lang="en", chars=100, words=20) for i in range(3)]
    flags = [
        FramingSpan("d0", 0, 50, "multipolarity", 0.9),
        FramingSpan("d1", 0, 50, "multipolarity", 0.9, stance="rebutted"),
        FramingSpan("d2", 0, 50, "multipolarity", 0.9, stance="denied"),
    ]
    counts, _ = framing_counts(flags, [], docs)
    assert [(c.label, c.flags, c.documents) for c in counts] == [("multipolarity", 1, 1)]


def _ocr_noise(text: str, every: int = 3) -> str:
    """Misread letters the way 1916 scans do (e->c, h->li, m->rn, l->1) in every ``every``-th word."""
    swaps = {"e": "c", "h": "li", "m": "rn", "l": "1", "o": "0", "a": "n"}
    words = text.split(" ")
    for k in range(0, len(words), every):
        w = words[k]
        for old, new in swaps.items():
            if old in w:
                words[k] = w.replace(old, new, 1)
                break
    return " ".join(words)


def test_two_editions_of_one_day_are_one_text_not_a_template(seeds) -> None:
    # one paper, two editions the same day: the story differs only by OCR misreads
    story = "\n".join(_paragraphs(seeds["000_aed676f35e158f01"])[:3])
    other = [p for t in (seeds["002_df50dd13ef8d3d9a"], seeds["003_77c117c2591ab588"]) for p in _paragraphs(t, 25)]
    docs = [
        Document(id="star/ed-1", text=f"{other[0]}\n{story}\n{other[1]}", outlet="star", date="1916-04-05"),
        Document(id="star/ed-2", text=f"{other[2]}\n{_ocr_noise(story, every=4)}\n{other[3]}", outlet="star", date="1916-04-05"),
    ]
    report = build_report(docs, framing=False)
    found = [c for c in report.clusters if {m.doc for m in c.members} == {"star/ed-1", "star/ed-2"}]
    assert found and all(c.kind == "reuse" for c in found)


def test_an_ocr_varied_masthead_is_chrome(seeds) -> None:
    masthead = (
        "NORWICH, CONN., {day}, APRIL {n}, 1916 {pages} PAGES PRICE TWO CENTS The Bulletin's Circulation in "
        "Norwich is Double That of Any Other Paper, and Its Total Circulation is the Largest in Connecticut "
        "in Proportion to the City's Population\nTHE BULLETIN is delivered by carrier in Norwich, Taftville, "
        "Greeneville and Preston at twelve cents a week; by mail at six dollars a year, payable in advance. "
        "Entered at the Postoffice at Norwich, Conn., as second-class matter"
    )
    days = ["SATURDAY", "MONDAY", "TUESDAY", "WEDNESDAY"]
    stories = [p for t in seeds.values() for p in _paragraphs(t, 40)]
    docs = []
    for k, day in enumerate(days):
        head = masthead.format(day=day, n=k + 1, pages=("SIXTEEN", "TEN", "TWELVE", "TEN")[k])
        head = _ocr_noise(head, every=11 + k)  # each scan misreads other words: no exact repeat
        body = "\n".join(stories[3 * k : 3 * k + 3])
        docs.append(Document(id=f"bulletin/{k}", text=f"{head}\n{body}", outlet="bulletin", date=f"1916-04-0{k + 1}"))
    report = build_report(docs, framing=False)
    with_mast = [c for c in report.clusters if any("Circulation" in m.text for m in c.members)]
    assert with_mast and all(c.kind == "boilerplate" for c in with_mast)
    # the stories below it are no one's chrome
    assert not any(c.kind == "boilerplate" and any(stories[0][:60] in m.text for m in c.members) for c in report.clusters)

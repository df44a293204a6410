"""Rebuild ``texts.jsonl`` from the Debian packages it was extracted from.

Run once by hand (it is not part of the benchmark): it needs the ``.deb``
files of ``debian-history`` and ``debian-faq-ru`` unpacked under ``--debs``
(``apt-get download PKG && dpkg-deb -x PKG.deb x_PKG``) and the ``bible``
program of Debian's ``bible-kjv`` package on PATH. See PROVENANCE.md.

Each output record is one document: ``id``, ``lang``, ``group`` (documents
of one group are never paired as source and host), ``source``, ``licence``,
``text``. Paragraphs are joined by blank lines; nothing else is rewritten.
"""

from __future__ import annotations

import argparse
import html.parser
import json
import re
import subprocess
from pathlib import Path

_BLOCK = {"p", "li", "h1", "h2", "h3", "h4", "div", "br", "dt", "dd", "pre", "tr", "table"}


class _Text(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "pre", "head"):
            self._skip += 1
        if tag in _BLOCK:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "pre", "head"):
            self._skip -= 1
        if tag in _BLOCK:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def _paragraphs(path: Path, lang: str) -> list[str]:
    p = _Text()
    p.feed(path.read_text(encoding="utf-8"))
    out = []
    for block in re.split(r"\n\s*\n", "".join(p.parts)):
        para = " ".join(block.split())
        words = para.split()
        if len(words) < 12:
            continue  # headings, navigation, captions
        letters = [c for c in para if c.isalpha()]
        cyr = sum("\u0400" <= c <= "\u04ff" for c in letters) / max(1, len(letters))
        # Russian pages keep some untranslated English paragraphs: drop them,
        # and drop English paragraphs that are mostly commands or addresses.
        if lang == "ru" and cyr < 0.6:
            continue
        if lang == "en" and cyr > 0.05:
            continue
        if sum(ch in "/$=<>{}|" for ch in para) > len(words) // 4:
            continue
        out.append(para)
    return out


def _chunk(paras: list[str], target_words: int) -> list[str]:
    docs, cur, n = [], [], 0
    for para in paras:
        cur.append(para)
        n += len(para.split())
        if n >= target_words:
            docs.append("\n\n".join(cur))
            cur, n = [], 0
    if n >= target_words // 3:
        docs.append("\n\n".join(cur))
    return docs


def _kjv_chapter(book: str, chapter: int) -> str:
    out = subprocess.run(
        ["bible", f"{book} {chapter}:1-{chapter}:200"], capture_output=True, text=True, check=True
    ).stdout
    verses = [re.sub(r"^\S+\d+:\d+\s+", "", line).strip() for line in out.splitlines()]
    return " ".join(v for v in verses if v)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--debs", type=Path, required=True)
    ap.add_argument("-o", "--output", type=Path, default=Path(__file__).with_name("texts.jsonl"))
    args = ap.parse_args()
    gpl = "GPL-2.0-or-later"
    records = []
    hist = args.debs / "x_dh/usr/share/doc/debian-history/docs"
    for lang in ("en", "ru"):
        paras: list[str] = []
        for name in ("intro", "detailed", "releases", "manifesto"):
            paras += _paragraphs(hist / f"{name}.{lang}.html", lang)
        for i, text in enumerate(_chunk(paras, 700)):
            records.append(
                {
                    "id": f"debian-history-{lang}-{i:02d}",
                    "lang": lang,
                    "group": "debian-history",
                    "source": f"Debian package debian-history 2.28, docs/*.{lang}.html",
                    "licence": gpl,
                    "text": text,
                }
            )
    faq = args.debs / "x_debian-faq-ru/usr/share/doc/debian/FAQ/ru"
    paras = []
    for page in sorted(faq.glob("*.ru.html")):
        paras += _paragraphs(page, "ru")
    for i, text in enumerate(_chunk(paras, 600)):
        records.append(
            {
                "id": f"debian-faq-ru-{i:02d}",
                "lang": "ru",
                "group": "debian-faq-ru",
                "source": "Debian package debian-faq-ru 11.1, FAQ/ru/*.ru.html",
                "licence": gpl,
                "text": text,
            }
        )
    books = [("Ruth", 4), ("Esther", 10), ("Jonah", 4), ("Acts", 12)]
    for book, chapters in books:
        for ch in range(1, chapters + 1, 2):
            text = "\n\n".join(_kjv_chapter(book, c) for c in range(ch, min(ch + 2, chapters + 1)))
            records.append(
                {
                    "id": f"kjv-{book.lower()}-{ch:02d}",
                    "lang": "en",
                    "group": "kjv",
                    "source": f"King James Version, {book} {ch}-{min(ch + 1, chapters)}, via Debian "
                    "package bible-kjv-text 4.38",
                    "licence": "public domain",
                    "text": text,
                }
            )
    with args.output.open("w", encoding="utf-8", newline="\n") as fh:
        for rec in records:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()

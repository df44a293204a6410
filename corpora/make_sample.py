"""Build the bundled sample corpus ``corpora/sample/`` (deterministic).

    python corpora/make_sample.py            # rewrites corpora/sample/ byte for byte

Writes ``corpora/sample/sample.jsonl`` (one document a line: ``id``, ``text``,
``outlet``, ``date``, ``url``, ``lang``, and ``authored: true`` for text this
script's author wrote) and ``corpora/sample.truth.json`` (which document took
what from where, with character spans, and each outlet's boilerplate spans).

The corpus is the five seed texts (third-party, unedited; read from the
byte-identical copies in ``benchmarks/data/seeds``) plus documents derived
from them by invented outlets: reprints framed by each outlet's own recurring
header and footer, paragraphs quoted inside otherwise unrelated articles,
light-edited and synonym-spun versions (the spinner of
``benchmarks/_evalgen.py``), Telegram reposts, two authored Russian articles
with their own reprints, reposts and spun copies, and unrelated documents.
Every derived document is dated after its source, so the original is always
the earliest member of its cluster. URLs use the reserved ``.example`` domain.
"""

from __future__ import annotations

import json
import random
import sys
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import _evalgen as ev  # noqa: E402  (private module of the benchmark: spinner, editor, sentences)

OUT = Path(__file__).resolve().parent / "sample"
SEED_DIR = ROOT / "benchmarks" / "data" / "seeds"

SEEDS = {
    "000_aed676f35e158f01": ("seo-aggregator", "2024-10-10"),
    "001_260e159f90c48a13": ("telegram-mfa-forwards", "2024-07-03"),
    "002_df50dd13ef8d3d9a": ("pozirk", "2024-12-15"),
    "003_77c117c2591ab588": ("content-farm", "2024-11-02"),
    "004_25d9c6ebddf93f77": ("belarus-magazine", "2024-06-20"),
}


@dataclass(frozen=True)
class Outlet:
    """An invented outlet and the chrome it puts around every article."""

    name: str
    lang: str
    header: str = ""
    footer: str = ""


OUTLETS = {
    o.name: o
    for o in (
        Outlet("seo-aggregator", "en"),
        Outlet("telegram-mfa-forwards", "en"),
        Outlet("pozirk", "en"),
        Outlet("content-farm", "en"),
        Outlet("belarus-magazine", "en"),
        Outlet(
            "minsk-daily-wire",
            "en",
            header="MINSK DAILY WIRE · Politics · Union State\nSubscribe to our morning briefing",
            footer="© 2024 Minsk Daily Wire. Republication is permitted only with an active "
            "hyperlink to the source.\nFollow Minsk Daily Wire on Telegram and VK for breaking news.",
        ),
        Outlet(
            "eurasia-review-today",
            "en",
            header="Eurasia Review Today | Analysis",
            footer="This article is for subscribers only. Subscribe from $4.99 a month to continue "
            "reading and get unlimited access to Eurasia Review Today.",
        ),
        Outlet(
            "tg-union-state",
            "en",
            footer="Please open Telegram to view this post\nVIEW IN TELEGRAM",
        ),
        Outlet(
            "newsfeed-hub",
            "en",
            header="Latest News » World » Europe",
            footer="Source link\nTags: Belarus, Russia, Union State, world news\n"
            "Share this:\nClick to share on Facebook (Opens in new window)\n"
            "Click to share on X (Opens in new window)",
        ),
        Outlet(
            "baltic-observer",
            "en",
            footer="The Baltic Observer is an independent newsroom. Support our journalism: "
            "become a member today.",
        ),
        Outlet(
            "tech-history-blog",
            "en",
            footer="Licensed under the GNU GPL, version 2 or later. Comments are closed.",
        ),
        Outlet("minsk-novosti", "ru", footer="Подписывайтесь на «Минские новости» в Telegram"),
        Outlet(
            "soyuz-vestnik",
            "ru",
            header="СОЮЗНЫЙ ВЕСТНИК | Политика",
            footer="Заметили ошибку? Выделите её и нажмите Ctrl+Enter\n"
            "© «Союзный вестник». При перепечатке ссылка на источник обязательна.",
        ),
        Outlet(
            "tg-novosti-soyuza",
            "ru",
            footer="Подписаться на канал | Открыть в Telegram",
        ),
        Outlet(
            "novosti-segodnya",
            "ru",
            header="Новости сегодня — главное за день",
            footer="Источник\nПоделиться: ВКонтакте · Одноклассники · Telegram",
        ),
    )
}


@dataclass
class Builder:
    """Assembles one document and records its spans (characters) as it grows."""

    id: str
    outlet: str
    date: str
    lang: str = "en"
    authored: bool = False
    kind: str = "derived"
    parts: list[str] = field(default_factory=list)
    takes: list[dict[str, Any]] = field(default_factory=list)
    boilerplate: list[dict[str, Any]] = field(default_factory=list)

    @property
    def pos(self) -> int:
        return sum(len(p) for p in self.parts)

    def add(self, text: str) -> Builder:
        self.parts.append(text)
        return self

    def chrome(self, text: str) -> Builder:
        start = self.pos
        self.parts.append(text)
        self.boilerplate.append({"span": [start, self.pos], "text": text})
        return self

    def take(
        self,
        source: str,
        src_span: tuple[int, int],
        text: str,
        obfuscation: str,
        inner: tuple[int, int] | None = None,
    ) -> Builder:
        """Append ``text`` taken from ``source[src_span]``; ``inner`` narrows the
        recorded span to the reused part of ``text`` (e.g. without a lead emoji)."""
        start = self.pos
        s, e = inner if inner else (0, len(text))
        self.parts.append(text)
        self.takes.append(
            {
                "source": source,
                "source_span": list(src_span),
                "span": [start + s, start + e],
                "obfuscation": obfuscation,
            }
        )
        return self

    @property
    def text(self) -> str:
        return "".join(self.parts)


def _rng(doc_id: str) -> random.Random:
    return random.Random(zlib.crc32(doc_id.encode()))


def _read_seed(seed_id: str) -> str:
    with (SEED_DIR / f"{seed_id}.txt").open(encoding="utf-8", newline="") as fh:
        return fh.read()


SEED_TEXT = {sid: _read_seed(sid) for sid in SEEDS}


def span(seed_id: str, first: str, last: str | None = None) -> tuple[int, int]:
    """Character span of the seed's line holding ``first`` through the line
    holding ``last`` (first occurrences), without the final newline."""
    text = SEED_TEXT[seed_id]
    i = text.index(first)
    start = text.rfind("\n", 0, i) + 1
    j = text.index(last, i) if last else i
    end = text.find("\n", j)
    return start, len(text) if end < 0 else end


def seed_slice(seed_id: str, sp: tuple[int, int]) -> str:
    return SEED_TEXT[seed_id][sp[0] : sp[1]]


def framed(b: Builder, body: Callable[[Builder], object]) -> Builder:
    """Outlet header, then ``body(b)``, then outlet footer."""
    o = OUTLETS[b.outlet]
    if o.header:
        b.chrome(o.header).add("\n\n")
    body(b)
    if o.footer:
        b.add("\n\n").chrome(o.footer)
    return b


def tg_style(text: str, rng: random.Random) -> tuple[str, int, int]:
    """Telegram restyling: emoji lead, one sentence a line, emoji between
    sentences. Returns the styled text and the span of the reused words."""
    sents = [text[s:e] for s, e in ev.sentences(text)]
    lead = rng.choice(("🇷🇺🇧🇾 ", "⚡️ ", "❗️ ", "📌 "))
    body = sents[0]
    for sent in sents[1:]:
        body += (
            ("\n\n" if rng.random() < 0.4 else "\n")
            + (f"{rng.choice(('👉', '💬', '🤝', '🌍'))} " if rng.random() < 0.3 else "")
            + sent
        )
    return lead + body, len(lead), len(lead) + len(body)


# ------------------------------------------------------------ authored texts

RU1 = (
    "Лавров и Рыженков обсудили в Москве подготовку совместной коллегии\n\n"
    "Министр иностранных дел России Сергей Лавров провёл в Москве переговоры с министром "
    "иностранных дел Беларуси Максимом Рыженковым. Стороны обсудили подготовку к совместному "
    "заседанию коллегий двух министерств, которое запланировано на конец года, а также ход "
    "выполнения программы согласованных действий в области внешней политики на 2024–2026 годы.\n\n"
    "По словам Лаврова, Москва и Минск последовательно координируют свои позиции в ООН, ОБСЕ, "
    "СНГ и ОДКБ. «Наши страны выступают с общих позиций по ключевым вопросам международной "
    "повестки и будут и дальше поддерживать друг друга на всех площадках», — заявил министр.\n\n"
    "Рыженков отметил, что белорусская сторона рассчитывает на активное участие российских "
    "партнёров в мероприятиях председательства Беларуси в Евразийском экономическом союзе. "
    "Министры также затронули вопросы сотрудничества в рамках Шанхайской организации "
    "сотрудничества и взаимодействия с партнёрами по БРИКС.\n\n"
    "По итогам встречи стороны подписали план консультаций между министерствами на 2025 год."
)

RU2 = (
    "В Минске прошёл форум регионов Беларуси и России\n\n"
    "В Минске завершился очередной Форум регионов Беларуси и России. В этом году его участники "
    "обсуждали промышленную кооперацию, импортозамещение и развитие транспортной "
    "инфраструктуры. По данным организаторов, на полях форума подписано более восьмидесяти "
    "соглашений на общую сумму свыше полумиллиарда долларов.\n\n"
    "Выступая на пленарном заседании, спикер верхней палаты белорусского парламента "
    "подчеркнула, что межрегиональные связи остаются основой союзного строительства. По её "
    "словам, большинство российских регионов поддерживают прямые торговые отношения с "
    "белорусскими областями, а взаимный товарооборот в этом году продолжает расти.\n\n"
    "Особое внимание участники уделили совместным проектам в машиностроении, сельском "
    "хозяйстве и микроэлектронике. Губернаторы нескольких российских областей договорились о "
    "поставках белорусской техники и о создании совместных сборочных производств.\n\n"
    "Следующий форум регионов пройдёт в России летом будущего года."
)

UNRELATED = {
    "bo-riga-port": (
        "baltic-observer",
        "2024-08-14",
        "Riga port cargo volumes fall for a third year\n\n"
        "Cargo handled by the Freeport of Riga fell by nine percent in the first seven months of "
        "the year, the port authority said on Tuesday, as coal and grain transit from the east "
        "continued to dry up. Container traffic was the only segment to grow, helped by a new "
        "weekly feeder service to Rotterdam.\n\n"
        "Port officials said they expect the decline to slow next year once two new "
        "warehouses for timber and fertiliser open on Krievu sala. Logistics companies, "
        "however, warned that rail freight rates remain too high to win back customers who "
        "switched to Polish and Finnish ports.",
    ),
    "bo-basketball": (
        "baltic-observer",
        "2024-09-03",
        "Lithuania edges Latvia in a tense friendly in Kaunas\n\n"
        "Lithuania's national basketball team beat Latvia 81-78 on Sunday evening in front of "
        "almost fifteen thousand spectators at the Žalgiris Arena. The visitors led by eleven "
        "points at half-time before a string of three-pointers in the final quarter turned the "
        "game around.\n\n"
        "The coach said afterwards that he was pleased with the defence in the second half but "
        "that the team still had a lot of work to do before the qualifying window in November.",
    ),
    "bo-tallinn-startups": (
        "baltic-observer",
        "2024-11-27",
        "Tallinn start-up conference draws record crowd\n\n"
        "More than six thousand founders, investors and students gathered in Tallinn this week "
        "for the city's annual technology conference. Artificial intelligence tools for small "
        "businesses and defence technology dominated the programme, and several speakers urged "
        "European governments to simplify the rules for hiring engineers from abroad.\n\n"
        "Organisers said that a third of the visitors came from outside Estonia, most of them "
        "from Finland, Poland and Ukraine.",
    ),
    "mdw-brest-harvest": (
        "minsk-daily-wire",
        "2024-08-22",
        "Brest region farmers finish grain harvest ahead of schedule\n\n"
        "Farms in the Brest region have finished harvesting grain a week earlier than last "
        "year, the regional executive committee reported. The average yield reached 41 "
        "centners per hectare, and the region expects to deliver more than a million tonnes to "
        "state stocks. Dry weather in August allowed combine crews to work late into the night. "
        "Maize and sugar beet will be harvested from the middle of September.",
    ),
    "mdw-metro": (
        "minsk-daily-wire",
        "2024-09-30",
        "Third metro line to get two more stations next year\n\n"
        "Builders of the third line of the Minsk metro have started tunnelling towards two new "
        "stations in the south of the city, the capital's transport department said. The "
        "extension should open to passengers at the end of next year and will cut travel times "
        "from the new residential districts to the centre by a quarter of an hour. The city "
        "also plans to buy fifteen new trains for the line.",
    ),
    "ert-grain-corridor": (
        "eurasia-review-today",
        "2024-07-18",
        "Kazakhstan looks south as grain exports hit a record\n\n"
        "Kazakhstan exported a record volume of wheat in the last marketing year, with more "
        "than half of it shipped south to Uzbekistan, Afghanistan and Iran rather than through "
        "Black Sea ports. Traders say the trans-Caspian route remains expensive, and that the "
        "real bottleneck is the shortage of grain wagons on the railway to the Turkmen "
        "border. The agriculture ministry has promised to lease another two thousand wagons "
        "before the new harvest.",
    ),
    "tgus-hockey": (
        "tg-union-state",
        "2024-12-20",
        "🏒 Minsk hosts the international ice hockey tournament for youth teams this weekend.\n"
        "Eight teams from four countries will play at Minsk-Arena, entry is free for "
        "schoolchildren.\n#sport #Minsk",
    ),
    "mn-weather": (
        "minsk-novosti",
        "2024-10-04",
        "Синоптики обещают тёплые выходные\n\n"
        "В субботу и воскресенье в Минске ожидается до восемнадцати градусов тепла, осадков не "
        "прогнозируется. По словам синоптиков, такая погода сохранится до середины следующей "
        "недели, после чего в республику придёт холодный атмосферный фронт с дождями и "
        "порывистым ветром.",
    ),
    "sv-vitebsk-festival": (
        "soyuz-vestnik",
        "2024-07-12",
        "В Витебске открылся фестиваль искусств\n\n"
        "В Витебске начался ежегодный международный фестиваль искусств. В программе — концерты "
        "на Летнем амфитеатре, выставки художников из двенадцати стран и спектакли молодёжных "
        "театров. Организаторы рассчитывают, что за неделю фестиваль посетят более ста тысяч "
        "зрителей.",
    ),
    "tgns-hockey": (
        "tg-novosti-soyuza",
        "2024-10-19",
        "🏒 Минское «Динамо» обыграло в гостях «Сибирь» со счётом 4:2.\n"
        "Две шайбы забросил нападающий, вернувшийся после травмы.\n#спорт #хоккей",
    ),
}


def _unrelated(docs: list[Builder]) -> None:
    for doc_id, (outlet, date, text) in UNRELATED.items():
        b = Builder(doc_id, outlet, date, OUTLETS[outlet].lang, authored=True, kind="unrelated")
        framed(b, lambda b, t=text: b.add(t))
        docs.append(b)
    # Two real, unrelated documents (Debian history, GPL-2.0-or-later; see
    # benchmarks/data/PROVENANCE.md), so the sample is not all authored filler.
    texts = {d.id: d.text for d in ev.load_texts() if d.group == "debian-history"}
    for doc_id, src, date in (
        ("thb-debian-1", "debian-history-en-00", "2024-05-02"),
        ("thb-debian-2", "debian-history-en-03", "2024-08-09"),
    ):
        b = Builder(doc_id, "tech-history-blog", date, "en", kind="unrelated")
        framed(b, lambda b, t=texts[src]: b.add(t))
        docs.append(b)


# ----------------------------------------------------------- derived from seeds

S000, S001, S002, S003, S004 = SEEDS


def _reprint(b: Builder, seed: str, sp: tuple[int, int]) -> None:
    b.take(seed, sp, seed_slice(seed, sp), "verbatim")


def _derived(docs: list[Builder]) -> None:
    # --- 004, belarus-magazine, 2024-06-20
    b = Builder("mdw-004-reprint", "minsk-daily-wire", "2024-06-22")
    framed(b, lambda b: _reprint(b, S004, span(S004, "Complete mutual", "Mr. Lavrov is satisfied")))
    docs.append(b)

    b = Builder("tgus-004-repost", "tg-union-state", "2024-06-21")
    sp = span(S004, "According to Mr. Lavrov, the joint meeting")
    styled, s, e = tg_style(seed_slice(S004, sp), _rng(b.id))

    def body(b: Builder) -> None:
        b.add("Forwarded from Belarus Magazine\n")
        b.take(S004, sp, styled, "telegram", (s, e))
        b.add("\n\n#RussiaBelarus #UnionState #Lavrov")

    framed(b, body)
    docs.append(b)

    b = Builder("ert-004-quote", "eurasia-review-today", "2024-06-27", authored=True)
    sp = span(S004, "According to Mr. Lavrov, specific areas")

    def body(b: Builder) -> None:
        b.add(
            "Energy prices, not diplomacy, top the agenda in Astana\n\n"
            "When the heads of government of the Eurasian Economic Union meet in Astana next "
            "month, gas tariffs and the long-promised common electricity market are expected to "
            "dominate the talks. Kazakh and Armenian officials have complained for years that "
            "the union's largest member sets prices unilaterally.\n\n"
            "Diplomats in Minsk and Moscow describe the union in very different terms. A "
            "Belarusian magazine this month summed up the view from the two foreign ministries:\n\n"
        )
        b.take(S004, sp, seed_slice(S004, sp), "verbatim")
        b.add(
            "\n\nFor the smaller members, the question is simpler: whether the common market "
            "will finally deliver cheaper energy before the next winter."
        )

    framed(b, body)
    docs.append(b)

    b = Builder("nfh-004-spun", "newsfeed-hub", "2024-06-29")
    sp = span(S004, "The joint meeting of the Foreign", "Mr. Lukashenko often refers")
    spun, _ = ev.spin(seed_slice(S004, sp), "en", _rng(b.id), rate=0.3)
    framed(b, lambda b: b.take(S004, sp, spun, "spun"))
    docs.append(b)

    # --- 001, telegram-mfa-forwards, 2024-07-03
    b = Builder("tgus-001-repost", "tg-union-state", "2024-07-03T18:00")
    sp = span(S001, "#OnThisDay in 1944", "Moscow and Minsk jointly")

    def body(b: Builder) -> None:
        b.add("Forwarded from Russian MFA 🇷🇺\n🇧🇾 ")
        b.take(S001, sp, seed_slice(S001, sp), "verbatim")
        b.add("\n#IndependenceDay #RussiaBelarus")

    framed(b, body)
    docs.append(b)

    b = Builder("mdw-001-quote", "minsk-daily-wire", "2024-07-04", authored=True)
    sp = span(S001, "#OnThisDay in 1944")

    def body(b: Builder) -> None:
        b.add(
            "Thousands watch Independence Day parade on Pobediteley Avenue\n\n"
            "Thousands of people lined Pobediteley Avenue on Wednesday morning for the "
            "Independence Day parade, which this year marked eighty years since the city was "
            "freed. Military bands, veterans' associations and schoolchildren's choirs took part, "
            "and the celebrations continued with concerts in every district of the capital.\n\n"
            "Messages of congratulation came from abroad. The Russian foreign ministry wrote on "
            "its channel:\n\n"
        )
        b.take(S001, sp, seed_slice(S001, sp), "verbatim")
        b.add(
            "\n\nThe evening ended with fireworks over the Svisloch, and public transport ran "
            "until two in the morning."
        )

    framed(b, body)
    docs.append(b)

    b = Builder("ert-001-edited", "eurasia-review-today", "2024-07-08")
    sp = span(S001, "Today, Russian-Belarusian relations are those", "Moscow and Minsk jointly")
    edited, _ = ev.light_edit(seed_slice(S001, sp), "en", _rng(b.id))

    def body(b: Builder) -> None:
        b.add("Moscow restates alliance on Belarus's national day\n\n")
        b.take(S001, sp, edited, "light_edit")

    framed(b, body)
    docs.append(b)

    # --- 000, seo-aggregator, 2024-10-10
    b = Builder("ert-000-reprint", "eurasia-review-today", "2024-10-11")
    sp = span(S000, "Russia And Belarus Deepen", "“There are no unresolved issues")
    framed(b, lambda b: _reprint(b, S000, sp))
    docs.append(b)

    b = Builder("nfh-000-spun", "newsfeed-hub", "2024-10-13")
    sp = span(S000, "The central theme of the discussions", "“We note the steady implementation")
    spun, _ = ev.spin(seed_slice(S000, sp), "en", _rng(b.id), rate=0.25)
    framed(b, lambda b: b.take(S000, sp, spun, "spun"))
    docs.append(b)

    b = Builder("tgus-000-repost", "tg-union-state", "2024-10-11T09:30")
    sp = span(S000, "Lavrov noted the consistent progress", "“We note the steady implementation")
    styled, s, e = tg_style(seed_slice(S000, sp), _rng(b.id))

    def body(b: Builder) -> None:
        b.add("Forwarded from World Affairs Digest\n")
        b.take(S000, sp, styled, "telegram", (s, e))
        b.add("\n\n**Read in full** 👇\n#diplomacy #UnionState")

    framed(b, body)
    docs.append(b)

    b = Builder("bo-000-quote", "baltic-observer", "2024-10-16", authored=True)
    sp = span(S000, "The central theme of the discussions")

    def body(b: Builder) -> None:
        b.add(
            "BRICS summit in Kazan: what it means for the Baltic neighbourhood\n\n"
            "Leaders of the BRICS group gather in Kazan next week, and for the first time Minsk "
            "will attend as a partner country. In Vilnius and Riga the event is watched closely: "
            "officials fear that new payment systems built by the group will make it easier to "
            "get around export controls.\n\n"
            "Ahead of the summit, an aggregator site summarised the latest round of talks "
            "between the two foreign ministers as follows:\n\n"
        )
        b.take(S000, sp, seed_slice(S000, sp), "verbatim")
        b.add(
            "\n\nLithuanian diplomats say they will ask the European Commission to review how "
            "existing sanctions apply to partner countries of the group."
        )

    framed(b, body)
    docs.append(b)

    # --- 003, content-farm, 2024-11-02: content farms copy each other
    b = Builder("nfh-003-reprint", "newsfeed-hub", "2024-11-05")
    sp = span(S003, "Lukashenkos Imaginative", "as an instance the depth")
    framed(b, lambda b: _reprint(b, S003, sp))
    docs.append(b)

    # --- 002, pozirk, 2024-12-15
    b = Builder("mdw-002-edited", "minsk-daily-wire", "2024-12-16")
    sp = span(S002, "December 15, Pozirk.", "“These agreements will undoubtedly")
    edited, _ = ev.light_edit(seed_slice(S002, sp), "en", _rng(b.id))

    def body(b: Builder) -> None:
        b.add("Minsk and Moscow agree foreign-policy programme to 2026\n\n")
        b.take(S002, sp, edited, "light_edit")

    framed(b, body)
    docs.append(b)

    b = Builder("tgus-002-repost", "tg-union-state", "2024-12-16T08:15")
    sp = span(S002, "TASS quoted Lavrov as saying")
    styled, s, e = tg_style(seed_slice(S002, sp), _rng(b.id))

    def body(b: Builder) -> None:
        b.add("Forwarded from Pozirk\n")
        b.take(S002, sp, styled, "telegram", (s, e))
        b.add("\n\n#UnionState #Lavrov")

    framed(b, body)
    docs.append(b)

    b = Builder("bo-002-quote", "baltic-observer", "2024-12-18", authored=True)
    sp = span(S002, "In his opening speech, Lavrov said")

    def body(b: Builder) -> None:
        b.add(
            "Baltic ministers call for tighter border controls before the holidays\n\n"
            "Interior ministers of Estonia, Latvia and Lithuania agreed on Tuesday to share "
            "real-time data on crossings at their eastern borders and to add patrols before "
            "the Christmas season. The measures follow a rise in attempts to smuggle cigarettes "
            "with balloons and drones.\n\n"
            "The same week, the foreign ministries in Minsk and Moscow set out their priorities "
            "for the next three years. An independent Belarusian outlet reported:\n\n"
        )
        b.take(S002, sp, seed_slice(S002, sp), "verbatim")
        b.add(
            "\n\nBaltic officials said the programme changes nothing in their own planning, "
            "which already assumes the closest military coordination between the two allies."
        )

    framed(b, body)
    docs.append(b)

    b = Builder("nfh-002-spun", "newsfeed-hub", "2024-12-21")
    sp = span(S002, "Russia’s top diplomat said", "“These agreements will undoubtedly")
    spun, _ = ev.spin(seed_slice(S002, sp), "en", _rng(b.id), rate=0.33)
    framed(b, lambda b: b.take(S002, sp, spun, "spun"))
    docs.append(b)


def _russian(docs: list[Builder]) -> list[Builder]:
    """Two authored Russian originals and their reprints, reposts, spun copies."""
    originals = [
        Builder("mn-ru-talks", "minsk-novosti", "2024-09-12", "ru", authored=True, kind="original"),
        Builder("mn-ru-forum", "minsk-novosti", "2024-11-20", "ru", authored=True, kind="original"),
    ]
    framed(originals[0], lambda b: b.add(RU1))
    framed(originals[1], lambda b: b.add(RU2))
    docs += originals
    src = {
        b.id: (b.text, b.text.index(t), b.text.index(t) + len(t))
        for b, t in zip(originals, (RU1, RU2), strict=True)
    }

    def from_src(doc_id: str, first: str, last: str | None = None) -> tuple[int, int]:
        text, s, e = src[doc_id]
        i = text.index(first, s)
        start = text.rfind("\n", 0, i) + 1
        j = text.index(last, i) if last else i
        end = text.find("\n", j)
        return start, e if end < 0 else min(end, e)

    def piece(doc_id: str, sp: tuple[int, int]) -> str:
        return src[doc_id][0][sp[0] : sp[1]]

    b = Builder("sv-ru-talks-reprint", "soyuz-vestnik", "2024-09-13", "ru")
    sp = from_src("mn-ru-talks", "Лавров и Рыженков", "По итогам встречи")
    framed(b, lambda b: b.take("mn-ru-talks", sp, piece("mn-ru-talks", sp), "verbatim"))
    docs.append(b)

    b = Builder("tgns-ru-talks-repost", "tg-novosti-soyuza", "2024-09-12T20:40", "ru")
    sp = from_src("mn-ru-talks", "По словам Лаврова, Москва")
    styled, s, e = tg_style(piece("mn-ru-talks", sp), _rng(b.id))

    def body(b: Builder) -> None:
        b.add("Переслано от Минские новости\n")
        b.take("mn-ru-talks", sp, styled, "telegram", (s, e))
        b.add("\n\n#Лавров #Рыженков #СоюзноеГосударство")

    framed(b, body)
    docs.append(b)

    b = Builder("ns-ru-talks-spun", "novosti-segodnya", "2024-09-15", "ru")
    sp = from_src("mn-ru-talks", "Министр иностранных дел России", "Рыженков отметил")
    spun, _ = ev.spin(piece("mn-ru-talks", sp), "ru", _rng(b.id), rate=0.3)
    framed(b, lambda b: b.take("mn-ru-talks", sp, spun, "spun"))
    docs.append(b)

    b = Builder("sv-ru-forum-edited", "soyuz-vestnik", "2024-11-21", "ru")
    sp = from_src("mn-ru-forum", "В Минске завершился", "Особое внимание")
    edited, _ = ev.light_edit(piece("mn-ru-forum", sp), "ru", _rng(b.id))

    def body(b: Builder) -> None:
        b.add("Форум регионов: более восьмидесяти соглашений\n\n")
        b.take("mn-ru-forum", sp, edited, "light_edit")

    framed(b, body)
    docs.append(b)

    b = Builder("tgns-ru-forum-repost", "tg-novosti-soyuza", "2024-11-21T07:05", "ru")
    sp = from_src("mn-ru-forum", "Выступая на пленарном")
    styled, s, e = tg_style(piece("mn-ru-forum", sp), _rng(b.id))

    def body(b: Builder) -> None:
        b.add("Переслано от Минские новости\n")
        b.take("mn-ru-forum", sp, styled, "telegram", (s, e))
        b.add("\n\n#ФорумРегионов")

    framed(b, body)
    docs.append(b)

    b = Builder("ns-ru-forum-spun", "novosti-segodnya", "2024-11-24", "ru")
    sp = from_src("mn-ru-forum", "Особое внимание", "Следующий форум")
    spun, _ = ev.spin(piece("mn-ru-forum", sp), "ru", _rng(b.id), rate=0.3)
    framed(b, lambda b: b.take("mn-ru-forum", sp, spun, "spun"))
    docs.append(b)
    return originals


def build() -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """All documents (JSONL records, in order) and the truth file's content."""
    docs: list[Builder] = []
    for sid, (outlet, date) in SEEDS.items():
        b = Builder(sid, outlet, date, "en", kind="seed")
        b.add(SEED_TEXT[sid])
        docs.append(b)
    _derived(docs)
    _russian(docs)
    _unrelated(docs)

    dates = {b.id: b.date for b in docs}
    authored = {b.id for b in docs if b.authored}
    for b in docs:  # a copy of authored text is authored text too
        b.authored = b.authored or any(t["source"] in authored for t in b.takes)
    records, truth_docs = [], []
    for b in docs:
        for t in b.takes:  # the original is always the earliest
            assert dates[t["source"]] < b.date, (b.id, t["source"])
        rec: dict[str, Any] = {
            "id": b.id,
            "text": b.text,
            "outlet": b.outlet,
            "date": b.date,
            "url": f"https://{b.outlet}.example/{b.date[:4]}/{b.date[5:7]}/{b.id}",
            "lang": b.lang,
        }
        if b.authored:
            rec["authored"] = True
        records.append(rec)
        truth_docs.append(
            {
                "id": b.id,
                "kind": b.kind,
                "outlet": b.outlet,
                "date": b.date,
                "lang": b.lang,
                "takes": b.takes,
                "boilerplate": b.boilerplate,
            }
        )
        for t in b.takes:
            t["text"] = b.text[t["span"][0] : t["span"][1]]
            # Seed 001 repeats its posts: name every other place the passage occurs.
            src_text = next(x.text for x in docs if x.id == t["source"])
            piece = src_text[t["source_span"][0] : t["source_span"][1]]
            alt, i = [], src_text.find(piece)
            while i >= 0:
                if i != t["source_span"][0]:
                    alt.append([i, i + len(piece)])
                i = src_text.find(piece, i + 1)
            if alt:
                t["source_alt_spans"] = alt
    truth = {
        "schema": "detector.sample-truth/1",
        "note": "Spans are [start, end) character offsets into the documents' text. "
        "'takes' lists what a document took from an earlier one (source_span indexes the "
        "source's text); 'boilerplate' lists the outlet's own recurring header/footer.",
        "documents": truth_docs,
    }
    return records, truth


def serialise() -> dict[str, str]:
    """Path (relative to ``corpora/``) -> exact content of every generated file.

    The truth file sits beside the corpus folder, not in it, so that
    ``detector report corpora/sample`` reads only documents.
    """
    records, truth = build()
    jsonl = "".join(json.dumps(rec, ensure_ascii=False) + "\n" for rec in records)
    return {
        "sample/sample.jsonl": jsonl,
        "sample.truth.json": json.dumps(truth, ensure_ascii=False, indent=1) + "\n",
    }


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    files = serialise()
    for name, content in files.items():
        with (OUT.parent / name).open("w", encoding="utf-8", newline="\n") as fh:
            fh.write(content)
    count = files["sample/sample.jsonl"].count(chr(10))
    print(f"wrote {count} documents to {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()

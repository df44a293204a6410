"""Stance of a flagged frame: promoted by the sentence, or only discussed/rebutted.

A framing flag says a sentence *carries* a frame's wording; the stance says
whether the sentence *promotes* it (the speaker's own voice, or a reported
claim passed on without distance, see ``corpora/framing/GUIDELINES.md`` 2.1)
or keeps its distance:

* ``"rebutted"``: the same sentence contests the claim ("a claim analysts
  dismiss", "without offering evidence", "что не соответствует
  действительности");
* ``"denied"``: the frame's claim is negated or called premature ("talk of a
  multipolar world is premature", "there is no evidence of foreign
  involvement", "нет никаких доказательств");
* ``"discussed"``: the sentence names the frame as an object of talk or study
  ("the speech leaned on the language of multipolarity", "a familiar Kremlin
  talking point", "так называемая «русофобия»" in an independent voice).

Two layers decide, in order:

1. cue rules over the whole sentence, English and Russian, matched on the
   same normalised text as the featuriser (look-alike letters, soft hyphens
   and zero-width characters folded), so they cannot be evaded more easily
   than the classifier; O(sentence length), one compiled regex per stance;
2. where no rule fires, the learned :class:`detector.stance_model.StanceModel`
   shipped in ``detector/models/stance-v1.npz``, trained on contrast pairs,
   which catches distancing worded outside the rules' lists.

Both only ever run on sentences the frame classifier flagged.
"""

from __future__ import annotations

from functools import lru_cache

import regex

from detector.stance_model import STANCES

__all__ = ["STANCES", "rule_stance_of", "stance_of"]

_W = r"[\p{L}\p{N}'’-]*"  # rest of a word

_REBUTTED = [
    # English: contestation in the same sentence
    r"\b(?:a |the )?claims? (?:that )?(?:\w+ ){0,4}(?:dismiss|reject|den(?:y|ied)|debunk|disput|refut|call)" + _W,
    r"\b(?:dismiss|reject|debunk|refut|disput)(?:ed|es|e|ing)? (?:\w+ ){0,3}(?:as|the claim|this|that|it)\b",
    r"\bwithout (?:offering|providing|giving|presenting|citing) (?:any )?(?:evidence|proof)",
    r"\b(?:offered|provided|produced|presented|cited) no (?:evidence|proof)",
    r"\bno evidence (?:has been|was|is) (?:produced|provided|offered|found)",
    r"\b(?:baseless|unfounded|unsubstantiated|false|debunked|discredited|groundless) (?:claim|allegation|narrative|assertion)s?",
    r"\b(?:propaganda|disinformation) (?:claim|narrative|trope|line|talking point)s?",
    r"\btalking points?\b",
    r"\bwishful thinking\b",
    r"\b(?:fact-?check|debunk)" + _W,
    r"\bhas been (?:debunked|refuted|disproved|discredited)",
    r"\b(?:historians|analysts|experts|observers|critics|diplomats|researchers) (?:\w+ ){0,3}(?:reject|dismiss|dispute|say (?:this|that|it) is (?:false|untrue|baseless))" + _W,
    r"\bas a pretext\b",
    r"\bpretext for\b",
    # Russian
    r"\b(?:что|это) не (?:соответствует|имеет отношения к) (?:действительности|реальности)",
    r"\bне (?:приводя|предоставив|представив|предъявив) (?:никаких )?(?:доказательств|аргументов)",
    r"\b(?:доказательств|подтверждений) (?:этому |тому )?(?:так и )?не (?:привел|привела|привели|представил|представили|предоставил|предоставили|нашлось|найдено|было)" + _W,
    r"\b(?:опроверг|развенча|отверга|отверг|оспарива|назвал[аи]? (?:это |эти )?(?:ложью|фейком|пропагандой|выдумкой))" + _W,
    r"\b(?:пропагандистск|голословн|безосновательн|лживн|ложн)" + _W + r" (?:утвержд|заявлен|тезис|нарратив|обвинен|миф)" + _W,
    r"\bпредлог(?:ом)? для\b",
    r"\bмиф" + _W + r" о\b",
]

_DENIED = [
    r"\b(?:is|are|was|were) not (?:over|ending|finished|fading|collapsing|declining|dead)\b",
    r"\b(?:is|are|remains?) (?:premature|exaggerated|overblown|a myth|a fantasy|an illusion|nonsense)\b",
    r"\bthere (?:is|was|are|were) no (?:evidence|sign|proof|indication)s? (?:of|that)\b",
    r"\bnothing (?:to|in) (?:suggest|support|indicate)s?\b",
    r"\b(?:it is|it's|this is|that is) not true that\b",
    r"\bcontrary to (?:the )?(?:claims?|assertions?|narrative)\b",
    r"\b(?:no one|nobody) (?:is|was) (?:trying|seeking|plotting|threatening)\b",
    # Russian
    r"\bнет (?:никаких )?(?:доказательств|признаков|оснований)\b",
    r"\b(?:не|вовсе не|отнюдь не) (?:закончил|заканчива|заверш|уходит|ушл|рухнул)" + _W,
    r"\b(?:преждевременн|преувеличен)" + _W,
    r"\bне соответствует действительности\b",
    r"\b(?:никто не|ничто не) (?:угрожает|пытается|собирается)\b",
    r"\bэто (?:миф|выдумка|фантазия|неправда)\b",
]

_DISCUSSED = [
    # the frame as an object of talk: rhetoric, narrative, theme, term
    r"\b(?:leaned|relies|relied|leans|draws|drew|built) on (?:the )?(?:language|rhetoric|theme|trope|narrative|notion|idea)\b",
    r"\b(?:the |its |his |her |their |a |familiar |favourite |favorite |kremlin(?:'s)? |state )(?:rhetoric|narrative|trope|talking point|propaganda theme|messaging|buzzword|slogan)s?\b",
    r"\b(?:the )?(?:language|rhetoric|discourse|vocabulary|theme|term|notion|concept|word) of [\"“«']",
    r"\b(?:so-called|so called) [\"“«']",
    r"\b(?:devoted|dedicated) \w+ (?:\w+ )?(?:airtime|coverage|segments?) to\b",
    r"\b(?:study|studies|analysis|analyses|research|researchers|scholars|paper|report) (?:of|on|into|about) (?:the )?(?:kremlin|state|russian|official) (?:rhetoric|narratives?|propaganda|messaging)",
    r"\bhow (?:the )?(?:kremlin|state media|propaganda|officials) (?:uses?|frames?|framed|deploys?|spins?)\b",
    r"\b(?:mock|ridicul|satiri|irony|ironic|sarcas)" + _W,
    # Russian
    r"\b(?:риторик|нарратив|пропагандистск\w* (?:тезис|штамп|клише)|штамп|клише|лозунг)" + _W,
    r"\b(?:тем[аеуы]|термин|слов[оа]|понятие|концепци[юяи]) [\"“«]",
    r"\bтак называем\w* [\"“«]",
    r"\b(?:исследовани|анализ|доклад)\w* (?:о|об|про) (?:кремлевск|государственн|российск|официальн)\w* (?:пропаганд|риторик|нарратив)" + _W,
    r"\b(?:высме|ирони|сарказм|стеб|издева)" + _W,
]


@lru_cache(maxsize=1)
def _patterns() -> tuple[tuple[str, regex.Pattern[str]], ...]:
    def one(parts: list[str]) -> regex.Pattern[str]:
        return regex.compile("|".join(f"(?:{p})" for p in parts), regex.I | regex.V1)

    return (("rebutted", one(_REBUTTED)), ("denied", one(_DENIED)), ("discussed", one(_DISCUSSED)))


def _normalised(sentence: str) -> str:
    """``sentence`` with every word replaced by its folded form (gaps kept)."""
    from detector.tokens import tokenize

    toks = tokenize(sentence, stem=False)
    out: list[str] = []
    pos = 0
    for s, e, form in zip(toks.starts.tolist(), toks.ends.tolist(), toks.forms, strict=True):
        out.append(sentence[pos:s].replace("\u00ad", ""))
        out.append(form)
        pos = e
    out.append(sentence[pos:])
    return "".join(out)


def rule_stance_of(sentence: str) -> str:
    """Stance by the cue rules alone: one of :data:`STANCES`.

    ``sentence`` is matched after the shared token normalisation (each word
    replaced by its unstemmed form from :func:`detector.tokens.tokenize`), so
    look-alike letters and invisible characters do not hide a rebuttal. First
    match wins, in the order rebutted, denied, discussed; otherwise
    ``"promoted"``.
    """
    text = _normalised(sentence)
    for name, pattern in _patterns():
        if pattern.search(text):
            return name
    return "promoted"


@lru_cache(maxsize=65536)
def stance_of(sentence: str) -> str:
    """Stance of the frame(s) a sentence carries: one of :data:`STANCES`.

    The cue rules first (:func:`rule_stance_of`); where they find nothing,
    the shipped learned model (:func:`detector.persist.load_default_stance_model`,
    loaded once) decides. Raises :class:`~detector.errors.ModelError` when
    that model file is missing or damaged.
    """
    stance = rule_stance_of(sentence)
    if stance != "promoted":
        return stance
    from detector.persist import load_default_stance_model

    return load_default_stance_model().predict([sentence])[0]

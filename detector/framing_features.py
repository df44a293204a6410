"""Sentence features of the framing classifier: tokens, entity masking, TF-IDF.

Two TF-IDF blocks computed from the same word tokens:

* **word** unigrams and bigrams of normalised tokens: the forms of
  :func:`detector.tokens.tokenize` (NFKC, case folding, zero-width characters
  and soft hyphens dropped, Latin/Cyrillic look-alike letters folded,
  "ё" -> "е": one implementation for reuse and framing), then a Snowball stem
  (Russian for Cyrillic tokens, English for Latin);
* **char_wb** n-grams of each normalised token padded with spaces, which
  catch inflections and compounds the stemmer misses.

Names of countries, capitals, demonyms and politicians are replaced by one
placeholder form (:data:`ENTITY_FORM`) before either block is computed, so a
name alone ("Ukrainian", "Лукашенко") can never decide a label; the
organisations that are the frames' own vocabulary (NATO, EU, BRICS, "the
West") stay features. Both blocks are sublinear-tf, idf-weighted and
l2-normalised. Each distinct token is featurised once and cached.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import regex

from detector.lang import stemmer_for

if TYPE_CHECKING:
    import numpy as np
    from scipy import sparse

__all__ = ["ENTITY_FORM", "LABELS", "STOPWORDS"]

LABELS: tuple[str, ...] = (
    "multipolarity",
    "indivisible_security",
    "fraternal_unity",
    "double_standards",
    "illegitimate_sanctions",
    "colour_revolution",
    "historical_memory",
    "nazism_analogy",
    "russophobia",
)
"""The fixed framing labels, in the column order of every label matrix."""

ENTITY_FORM = "\u2042"
"""Placeholder form that replaces country, capital, demonym and person names."""

_CYRILLIC_RE = regex.compile(r"\p{Cyrillic}")


@lru_cache(maxsize=262144)
def _stem(folded: str) -> str:
    """Snowball stem of a folded token: Russian for Cyrillic, else English."""
    if not folded:
        return folded
    lang = "ru" if _CYRILLIC_RE.search(folded) else "en"
    stemmer = stemmer_for(lang)
    return stemmer.stemWord(folded) if stemmer is not None else folded


@lru_cache(maxsize=262144)
def _char_grams(folded: str, lo: int, hi: int) -> tuple[str, ...]:
    """char_wb n-grams of one token: ``lo..hi`` characters of " token ".

    A masked name (:data:`ENTITY_FORM`) has none: it carries no feature.
    """
    if folded == ENTITY_FORM:
        return ()
    padded = f" {folded} "
    n_chars = len(padded)
    grams: list[str] = []
    for n in range(lo, min(hi, n_chars) + 1):
        # slices of each length by map over two ranges: no Python frame per n-gram
        grams.extend(map(padded.__getitem__, map(slice, range(n_chars - n + 1), range(n, n_chars + 1))))
    return tuple(grams)



# Prefixes of folded (unstemmed) forms of names that must never decide a
# label by themselves (issue 13: "Ukrainian" alone added +4.4 to
# nazism_analogy). Organisations that are the frames' own vocabulary (NATO,
# EU, BRICS, "the West") stay features.
_ENTITY_PREFIXES: tuple[str, ...] = (
    # English: countries, demonyms, capitals, people
    "russia", "ukrain", "belarus", "byelorus", "poland", "polish", "pole", "lithuan",
    "latvia", "eston", "georgia", "moldov", "america", "usa", "britain", "british",
    "german", "france", "french", "china", "chinese", "israel", "iran", "kazakh",
    "kyiv", "kiev", "moscow", "minsk", "washington", "brussels", "warsaw", "vilnius",
    "riga", "tallinn", "london", "berlin", "paris", "beijing", "kremlin",
    "putin", "lavrov", "zakharova", "peskov", "lukashenk", "lukašenk", "łukašenk",
    "shoigu", "medvedev", "zelensk", "biden", "trump", "blinken", "macron", "scholz",
    "aleinik", "alejnik", "makei", "nebenzia", "ryzhenkov",
    # Russian
    "росси", "русск", "россиян", "украин", "белорус", "беларус", "польш", "польск",
    "поляк", "литв", "литовск", "латви", "латыш", "эстон", "грузи", "грузин", "молдав",
    "молдов", "америк", "сша", "британ", "англи", "германи", "немецк", "немц", "франц",
    "кита", "израил", "иран", "казах", "киев", "москв", "минск", "вашингтон",
    "брюссел", "варшав", "вильнюс", "рига", "таллин", "лондон", "берлин", "париж",
    "пекин", "кремл", "путин", "лавров", "захаров", "песков", "лукашенк", "шойгу",
    "медведев", "зеленск", "байден", "трамп", "блинкен", "макрон", "шольц", "алейник",
    "небензя",
)
_ENTITY_RE = regex.compile("(?:" + "|".join(map(regex.escape, _ENTITY_PREFIXES)) + ")")


@lru_cache(maxsize=262144)
def _mask(form: str) -> str:
    """``form`` itself, or :data:`ENTITY_FORM` when it is a listed name."""
    return ENTITY_FORM if _ENTITY_RE.match(form) else form


# Function words never shown as cues (folded forms; English and Russian).
STOPWORDS: frozenset[str] = frozenset(
    """a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each few
    for from further had has have having he her here hers herself him himself his how i if in
    into is it its itself just me more most my myself no nor not now of off on once only or
    other our ours ourselves out over own same she should so some such than that the their
    theirs them themselves then there these they this those through to too under until up
    very was we were what when where which while who whom why will with would you your yours
    yourself yourselves said says say would shall may might must one two new also even still
    и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по только
    ее её мне было вот от меня еще ещё нет о из ему теперь когда даже ну вдруг ли если уже или
    ни быть был него до вас нибудь опять уж вам ведь там потом себя ничего ей может они тут
    где есть надо ней для мы тебя их чем была сам чтоб без будто чего раз тоже себе под будет
    ж тогда кто этот того потому этого какой совсем ним здесь этом один почти мой тем чтобы
    нее сейчас были куда зачем всех никогда можно при наконец два об другой хоть после над
    больше тот через эти нас про всего них какая много разве три эту моя впрочем хорошо свою
    этой перед иногда лучше чуть том нельзя такой им более всегда конечно всю между это
    также заявил заявила сказал сказала отметил отметила никто ничто некто нечто кто-то
    что-то никого ничего никому ничему весь вся всё все свой своя своё свои
    there's it's that's what's he's she's they're we're you're i'm don't doesn't didn't
    isn't aren't wasn't weren't won't can't couldn't shouldn't wouldn't let's""".split()
)


def _tokens(text: str) -> list[tuple[int, int, str]]:
    """``(start, end, form)`` of each word token, offsets into ``text``.

    Tokens and forms come from :func:`detector.tokens.tokenize` (unstemmed):
    the same NFKC, case folding, zero-width/soft-hyphen removal, look-alike
    letter folding and "ё" -> "е" as the reuse tokeniser, so a word cannot
    be hidden from the classifier by an invisible character or a Latin
    look-alike letter. Names of countries and people become
    :data:`ENTITY_FORM`.
    """
    from detector.tokens import tokenize

    toks = tokenize(text, stem=False)
    return [
        (s, e, _mask(f))
        for s, e, f in zip(toks.starts.tolist(), toks.ends.tolist(), toks.forms, strict=True)
    ]


def _word_grams(stems: Sequence[str], ngram: tuple[int, int]) -> list[tuple[str, int, int]]:
    """Word n-grams ``(feature, tok_start, tok_end)`` over a stem sequence.

    No n-gram includes a masked name (:data:`ENTITY_FORM`): a name is no
    feature, and an n-gram never bridges over it.
    """
    lo, hi = ngram
    out = []
    for n in range(lo, hi + 1):
        for i in range(len(stems) - n + 1):
            gram = stems[i : i + n]
            if ENTITY_FORM not in gram:
                out.append((" ".join(gram), i, i + n))
    return out


@dataclass(frozen=True)
class _Parsed:
    """One sentence as featurised: tokens and its word n-gram hits."""

    tokens: list[tuple[int, int, str]]  # (start, end, folded) per token
    word_hits: list[tuple[int, int, int]]  # (tok_start, tok_end, column)


class _Featurizer:
    """Fitted word + char_wb TF-IDF with a per-token cache (internal).

    Not an estimator: the :class:`FramingClassifier` owns one as
    ``featurizer_`` and persists its arrays (vocabularies, idf).
    """

    def __init__(
        self,
        word_vocab: Sequence[str],
        word_idf: np.ndarray,
        char_vocab: Sequence[str],
        char_idf: np.ndarray,
        *,
        word_ngram: tuple[int, int],
        char_ngram: tuple[int, int],
        stem: bool,
    ) -> None:
        import numpy as np

        self.word_vocab = list(word_vocab)
        self.char_vocab = list(char_vocab)
        self.word_index = {f: i for i, f in enumerate(self.word_vocab)}
        self.char_index = {f: i for i, f in enumerate(self.char_vocab)}
        self.word_idf = np.asarray(word_idf, dtype=np.float64)
        self.char_idf = np.asarray(char_idf, dtype=np.float64)
        self.word_ngram = tuple(word_ngram)
        self.char_ngram = tuple(char_ngram)
        self.stem = stem
        self._char_cache: dict[str, np.ndarray] = {}
        # Fast path (transform_spans): one entry per distinct tokeniser form,
        # holding its unigram column (-1: none) and its char n-gram columns.
        self._entry: dict[str, int] = {}
        self._entry_uni: list[int] = []
        self._entry_chars: list[np.ndarray] = []
        self._bigrams: tuple[np.ndarray, np.ndarray] | None = None

    @property
    def n_word(self) -> int:
        return len(self.word_vocab)

    @property
    def n_features(self) -> int:
        return len(self.word_vocab) + len(self.char_vocab)

    def norm(self, folded: str) -> str:
        return _stem(folded) if self.stem else folded

    def char_ids(self, folded: str) -> np.ndarray:
        """Column ids (within the char block) of a token's char n-grams."""
        ids = self._char_cache.get(folded)
        if ids is None:
            import numpy as np

            lo, hi = self.char_ngram
            # one C-level lookup per n-gram (map over dict.get), not two in Python
            found = [i for i in map(self.char_index.get, _char_grams(folded, lo, hi)) if i is not None]
            ids = np.array(found, dtype=np.int64)
            if len(self._char_cache) < 500_000:
                self._char_cache[folded] = ids
        return ids

    def transform(
        self, texts: Sequence[str], record: list[_Parsed] | None = None
    ) -> sparse.csr_matrix:
        """TF-IDF matrix ``(len(texts), n_features)``; O(total tokens).

        When ``record`` is a list, one :class:`_Parsed` per text is appended
        to it (tokens and word-feature hits), so explanations need not
        tokenise again.
        """
        import numpy as np
        from scipy import sparse

        w_rows: list[int] = []
        w_cols: list[int] = []
        c_cols: list[np.ndarray] = []
        c_lens: list[int] = []  # char n-grams of each token
        c_tok_rows: list[int] = []  # sentence of each token
        windex = self.word_index
        for row, text in enumerate(texts):
            toks = _tokens(text)
            stems = [self.norm(t[2]) for t in toks]
            hits: list[tuple[int, int, int]] = []
            for feat, i, j in _word_grams(stems, self.word_ngram):
                col = windex.get(feat)
                if col is not None:
                    w_rows.append(row)
                    w_cols.append(col)
                    hits.append((i, j, col))
            if record is not None:
                record.append(_Parsed(toks, hits))
            for _s, _e, folded in toks:
                ids = self.char_ids(folded)
                c_cols.append(ids)
                c_lens.append(len(ids))
                c_tok_rows.append(row)
        n = len(texts)
        word = _tfidf_block(
            np.asarray(w_rows, dtype=np.int64),
            np.asarray(w_cols, dtype=np.int64),
            self.word_idf,
            n,
        )
        char = _tfidf_block(
            np.repeat(np.asarray(c_tok_rows, dtype=np.int64), c_lens),
            np.concatenate(c_cols) if c_cols else np.zeros(0, dtype=np.int64),
            self.char_idf,
            n,
        )
        return sparse.hstack([word, char], format="csr")

    # -- fast batched path ---------------------------------------------------
    def _add_entry(self, form: str) -> int:
        masked = _mask(form)
        self._entry_uni.append(
            -1 if masked == ENTITY_FORM else self.word_index.get(self.norm(masked), -1)
        )
        self._entry_chars.append(self.char_ids(masked))
        self._entry[form] = len(self._entry_uni) - 1
        return len(self._entry_uni) - 1

    def _entry_tables(self, used: np.ndarray) -> tuple[np.ndarray, sparse.csr_matrix]:
        """Unigram column of each ``used`` entry, and their entries x char-features count matrix.

        Built for the entries one batch uses, not for every entry seen so
        far: rebuilding the whole table at each batch made a worker's cost
        grow with the vocabulary it had met (68 rebuilds were a third of
        flagging 4,300 Telegram posts). O(char n-grams of the used entries).
        """
        import numpy as np
        from scipy import sparse

        parts = [self._entry_chars[i] for i in used.tolist()]
        lens = np.fromiter(map(len, parts), np.int64, len(parts))
        indptr = np.zeros(len(lens) + 1, dtype=np.int64)
        np.cumsum(lens, out=indptr[1:])
        indices = np.concatenate(parts) if parts else np.zeros(0, np.int64)
        chars = sparse.csr_matrix(
            (np.ones(len(indices)), indices, indptr),
            shape=(len(lens), len(self.char_vocab)),
        )
        chars.sum_duplicates()
        uni = np.fromiter(map(self._entry_uni.__getitem__, used.tolist()), np.int64, len(used))
        return uni, chars

    def _bigram_table(self) -> tuple[np.ndarray, np.ndarray]:
        """Sorted keys ``first * n_word + second`` of the bigram features, and their columns."""
        import numpy as np

        if self._bigrams is None:
            keys, cols = [], []
            for col, feat in enumerate(self.word_vocab):
                parts = feat.split(" ")
                if len(parts) == 2:
                    a, b = self.word_index.get(parts[0]), self.word_index.get(parts[1])
                    if a is not None and b is not None:
                        keys.append(a * self.n_word + b)
                        cols.append(col)
            k = np.asarray(keys, dtype=np.int64)
            order = np.argsort(k)
            self._bigrams = (k[order], np.asarray(cols, dtype=np.int64)[order])
        return self._bigrams

    def fast_path(self) -> bool:
        """Whether :meth:`transform_spans` applies (word n-grams of 1-2 tokens)."""
        return self.word_ngram[0] == 1 and self.word_ngram[1] <= 2

    def transform_spans(
        self,
        docs: Sequence[tuple[str, Sequence[Any]]],
        token_counts: list[np.ndarray] | None = None,
    ) -> sparse.csr_matrix:
        """TF-IDF rows of sentences given as spans of whole documents.

        ``docs`` holds ``(text, spans)``; each span (``.start``, ``.end``,
        sorted, not overlapping) is one row, in order. Each document is
        tokenised once (:func:`detector.tokens.tokenize`), tokens are
        assigned to sentences by offset, and features are gathered with
        numpy from a per-form table: the same matrix as :meth:`transform`
        of the sentence texts (a word cut by a sentence boundary aside).
        When ``token_counts`` is a list, the word tokens of each row are
        appended to it as one array. O(tokens), with one dict lookup per
        token in Python.
        """
        import numpy as np
        from scipy import sparse

        from detector.tokens import tokenize

        if len(self._entry) >= 1_000_000:  # bounded: start afresh, between batches only
            self._entry.clear()
            self._entry_uni.clear()
            self._entry_chars.clear()
        entry = self._entry
        add = self._add_entry
        row_parts: list[np.ndarray] = []
        ent_parts: list[np.ndarray] = []
        row = 0
        for text, spans in docs:
            if not spans:
                continue
            toks = tokenize(text, stem=False)
            n_sp = len(spans)
            if len(toks.forms):
                s_start = np.fromiter((sp.start for sp in spans), np.int64, n_sp)
                s_end = np.fromiter((sp.end for sp in spans), np.int64, n_sp)
                idx = np.searchsorted(s_start, toks.starts, side="right") - 1
                ok = (idx >= 0) & (toks.ends <= s_end[np.maximum(idx, 0)])
                for f in set(toks.forms).difference(entry):
                    add(f)
                ids = np.fromiter(map(entry.__getitem__, toks.forms), np.int64, len(toks.forms))
                row_parts.append(idx[ok] + row)
                ent_parts.append(ids[ok])
            row += n_sp
        n = row
        R = np.concatenate(row_parts) if row_parts else np.zeros(0, np.int64)
        if token_counts is not None:
            token_counts.append(np.bincount(R, minlength=n))
        E_all = np.concatenate(ent_parts) if ent_parts else np.zeros(0, np.int64)
        used, E = np.unique(E_all, return_inverse=True)  # entries of this batch, renumbered
        E = E.reshape(-1)
        uni, chars = self._entry_tables(used)
        U = uni[E]
        has = U >= 0
        w_rows = [R[has]]
        w_cols = [U[has]]
        if self.word_ngram[1] >= 2 and len(U) > 1:
            keys_t, cols_t = self._bigram_table()
            a, b = U[:-1], U[1:]
            pair = (R[1:] == R[:-1]) & (a >= 0) & (b >= 0)
            if pair.any() and len(keys_t):
                key = a[pair] * self.n_word + b[pair]
                pos = np.minimum(np.searchsorted(keys_t, key), len(keys_t) - 1)
                hit = keys_t[pos] == key
                w_rows.append(R[1:][pair][hit])
                w_cols.append(cols_t[pos[hit]])
        word = _tfidf_block(np.concatenate(w_rows), np.concatenate(w_cols), self.word_idf, n)
        # char counts per sentence = (sentence x entry counts) @ (entry x char counts)
        per_entry = sparse.csr_matrix(
            (np.ones(len(E)), (R, E)), shape=(n, chars.shape[0])
        )
        counts = (per_entry @ chars).tocsr()
        char = _tfidf_counts(counts, self.char_idf)
        return sparse.hstack([word, char], format="csr")


def _tfidf_counts(mat: sparse.csr_matrix, idf: np.ndarray) -> sparse.csr_matrix:
    """Sublinear-tf * idf, l2-normalised rows, from a count matrix (modified in place)."""
    import numpy as np
    from scipy import sparse

    mat.sum_duplicates()
    mat.data = (1.0 + np.log(mat.data)) * idf[mat.indices]
    norms = np.sqrt(np.bincount(
        np.repeat(np.arange(mat.shape[0]), np.diff(mat.indptr)), mat.data**2, mat.shape[0]
    ))
    norms[norms == 0] = 1.0
    mat.data /= np.repeat(norms, np.diff(mat.indptr))
    return sparse.csr_matrix(mat)


def _tfidf_block(rows: np.ndarray, cols: np.ndarray, idf: np.ndarray, n_rows: int):  # type: ignore[no-untyped-def]
    """Sublinear-tf * idf, l2-normalised rows, from (row, col) occurrences."""
    import numpy as np
    from scipy import sparse

    data = np.ones(len(rows), dtype=np.float64)
    mat = sparse.csr_matrix((data, (rows, cols)), shape=(n_rows, len(idf)))
    mat.sum_duplicates()
    mat.data = (1.0 + np.log(mat.data)) * idf[mat.indices]
    norms = np.sqrt(np.asarray(mat.multiply(mat).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sparse.csr_matrix(sparse.diags(1.0 / norms) @ mat)


def _fit_featurizer(
    texts: Sequence[str],
    *,
    word_ngram: tuple[int, int],
    char_ngram: tuple[int, int],
    min_df: int,
    stem: bool,
) -> _Featurizer:
    """Learn vocabularies (document frequency >= ``min_df``) and smooth idf."""
    from collections import Counter

    import numpy as np

    word_df: Counter[str] = Counter()
    char_df: Counter[str] = Counter()
    lo, hi = char_ngram
    for text in texts:
        toks = _tokens(text)
        stems = [_stem(t[2]) if stem else t[2] for t in toks]
        word_df.update({f for f, _i, _j in _word_grams(stems, word_ngram)})
        grams: set[str] = set()
        for _s, _e, folded in toks:
            grams.update(_char_grams(folded, lo, hi))
        char_df.update(grams)
    n = len(texts)

    def vocab(df: Counter[str]) -> tuple[list[str], np.ndarray]:
        kept = sorted(f for f, c in df.items() if c >= min_df)
        # Smooth idf as scikit-learn's TfidfVectorizer(smooth_idf=True).
        idf = np.array([math.log((1 + n) / (1 + df[f])) + 1.0 for f in kept], dtype=np.float64)
        return kept, idf

    wv, widf = vocab(word_df)
    cv, cidf = vocab(char_df)
    return _Featurizer(wv, widf, cv, cidf, word_ngram=word_ngram, char_ngram=char_ngram, stem=stem)

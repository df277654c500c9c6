"""Split words that a bad text export glued together ("troopsfrom" -> "troops from").

Some sites lose the space at every line wrap, so an article arrives with
hundreds of glued pairs.  Splitting is only safe where it is needed: a
document is treated as glued when many of its tokens split cleanly into
common words, and every other document passes through untouched, so real
names elsewhere ("Qaradaghi", "McDonald") are never broken.  Inside a glued
document a split must also be convincing: common pieces, or a case change
("MichaelKurilla"), never a name chopped into rare fragments ("Yas ari").
"""

from __future__ import annotations

import functools
import itertools
import re
from collections import Counter
from collections.abc import Container, Iterable

_TOKEN = re.compile(r"[A-Za-z]+")
# A piece of a split must be a common word: wordninja's cost is log(rank *
# log N), so 12.9 is about rank 35,000 of its Wikipedia list ...
_MAX_PIECE_COST = 12.9
# A long piece may be any word of the list, down to its rarest (cost 14.2, rank ~126,000: "deplete"
# in "whichdeplete"). A long word of the list also stays whole when that costs less than its pieces
# ("hardline", not "hard line").
_MAX_LONG_PIECE_COST = 14.3
_LONG_PIECE = 7
# ... and the pieces together must be common on average (rank ~12,000).
_MAX_MEAN_COST = 11.9
# A whole token rarer than this is not taken as a word: the list holds junk
# such as "ofthe" (rank ~90,000).
_MAX_WORD_COST = 13.0
# Fewer pieces win a tie: "continueinto" is "continue into", not "continue in to".
_PIECE_PENALTY = 2.0
# A capitalised token splits only after a common head word ("Regarding|the"), rank ~9,000.
_MAX_TITLE_HEAD_COST = 11.6
# The capitalised words that a sentence starts "<word> is" with; "Iraqis" is not one of them.
_GLUED_BEFORE_IS = frozenset(
    {"this", "that", "there", "here", "it", "what", "who", "which", "where", "he", "she", "one", "so"}
    | {"nothing", "everything", "something", "such"}
)
_MIN_GLUED_TOKENS = 5
_MIN_GLUED_SHARE = 0.015
# Two-letter pieces are mostly noise in the word list; these are real words.
_SHORT_WORDS = frozenset(
    [
        "a",
        "an",
        "as",
        "at",
        "be",
        "by",
        "do",
        "go",
        "he",
        "if",
        "in",
        "is",
        "it",
        "me",
        "my",
        "no",
        "of",
        "on",
        "or",
        "so",
        "to",
        "up",
        "us",
        "we",
    ]
)


@functools.cache
def _word_costs() -> dict[str, float]:
    """Cost of each word, -log of its Zipf probability, from wordninja's list."""
    import wordninja  # noqa: PLC0415  (a 1 MB word list: load it only when needed)

    return dict(wordninja.DEFAULT_LANGUAGE_MODEL._wordcost)


def _camel_parts(token: str) -> list[str]:
    """Split at case changes: "MichaelKurilla" -> Michael|Kurilla, "USCentral" -> US|Central,
    "ISISlost" -> ISIS|lost."""
    costs = _word_costs()
    cuts = [0]
    i = 1
    while i < len(token):
        prev, cur = token[i - 1], token[i]
        if prev.islower() and cur.isupper():
            cuts.append(i)
        elif prev.isupper() and cur.isupper():
            # A run of capitals: find where it ends and what follows it.
            end = i
            while end < len(token) and token[end].isupper():
                end += 1
            if end < len(token) and end - cuts[-1] >= 3:
                nxt = end
                while nxt < len(token) and token[nxt].islower():
                    nxt += 1
                lower_rest = token[end:nxt].lower()
                title_rest = token[end - 1 : nxt].lower()
                # "USCentral": the last capital starts a word; "ISISlost": it ends the acronym.
                if lower_rest in costs and (len(lower_rest) > 2 or lower_rest in _SHORT_WORDS):
                    cuts.append(end)
                elif title_rest in costs:
                    cuts.append(end - 1)
            i = end
            continue
        i += 1
    cuts.append(len(token))
    return [token[a:b] for a, b in itertools.pairwise(cuts) if b > a]


class KnownWords:
    """Lower-case words (3+ letters) of a corpus, minus those only one document uses, plus extras.

    Built once for the whole corpus, so that cleaning N articles stays linear in N:
    `KnownWords.of(docs).excluding(i)` is "the words of the other documents" for document i.
    """

    def __init__(self, frequency: Counter[str], own: frozenset[str] = frozenset(), extra=frozenset()) -> None:
        self._frequency = frequency
        self._own = own
        self._extra = extra

    @classmethod
    def of(cls, documents: list[set[str]]) -> KnownWords:
        frequency: Counter[str] = Counter()
        for words in documents:
            frequency.update({w.lower() for w in words if len(w) >= 3})
        return cls(frequency)

    def excluding(self, words: set[str]) -> KnownWords:
        """The words of every document but the one whose words these are."""
        return KnownWords(self._frequency, frozenset(w.lower() for w in words if len(w) >= 3))

    def with_extra(self, words: Iterable[str]) -> KnownWords:
        extra = frozenset(w.lower() for w in words if len(w) >= 3)
        return KnownWords(self._frequency, self._own, self._extra | extra)

    def __contains__(self, word: object) -> bool:
        if word in self._extra:
            return True
        count = self._frequency.get(word, 0)  # type: ignore[arg-type]
        return count - (word in self._own) > 0


class Degluer:
    """Split the glued tokens of one document."""

    def __init__(self, known_words: Iterable[str] | KnownWords = ()) -> None:
        self._costs = _word_costs()
        # Words the corpus uses standalone (names included) count as words.
        self._known: Container[str] = (
            known_words
            if isinstance(known_words, KnownWords)
            else {w.lower() for w in known_words if len(w) >= 3}
        )

    def _is_word(self, piece: str) -> bool:
        lower = piece.lower()
        if len(lower) <= 2:
            return lower in _SHORT_WORDS or piece.isupper() or piece.istitle()
        return self._costs.get(lower, 99.0) <= _MAX_WORD_COST or lower in self._known

    def _piece_cost(self, piece: str) -> float | None:
        lower = piece.lower()
        if len(lower) <= 2 and lower not in _SHORT_WORDS:
            return None
        cost = self._costs.get(lower)
        limit = _MAX_LONG_PIECE_COST if len(lower) >= _LONG_PIECE else _MAX_PIECE_COST
        if cost is not None and cost <= limit:
            return cost
        return 11.0 if lower in self._known else None

    def _split_lowercase_run(self, word: str) -> list[str] | None:
        """Best split of a word into two or three common words, or None."""
        n = len(word)
        best: list[tuple[float, list[str]] | None] = [None] * (n + 1)
        best[0] = (0.0, [])
        for end in range(1, n + 1):
            for start in range(max(0, end - 30), end):
                prev = best[start]
                if prev is None or len(prev[1]) >= 3:
                    continue
                piece = word[start:end]
                cost = self._piece_cost(piece)
                if cost is None:
                    continue
                total = prev[0] + cost + _PIECE_PENALTY
                current = best[end]
                if current is None or total < current[0]:
                    best[end] = (total, [*prev[1], piece])
        found = best[n]
        if found is None or len(found[1]) < 2:
            return None
        pieces = found[1]
        if (found[0] - _PIECE_PENALTY * len(pieces)) / len(pieces) > _MAX_MEAN_COST:
            return None
        # "Theincrease" splits; a name like "Romanowski" or "Thabit" must not.
        title_case = word[0].isupper() and word[1:].islower()
        if title_case and (len(pieces) != 2 or (self._piece_cost(pieces[0]) or 99) > _MAX_TITLE_HEAD_COST):
            return None
        # "Iraqis", "Kuwaitis", "Paris": a people or a name, far more often than a glued "Iraq is";
        # a capitalised word glued to "is" is a pronoun or the like ("Thisis", "Thereis").
        if title_case and pieces[-1] == "is" and pieces[0].lower() not in _GLUED_BEFORE_IS:
            return None
        return pieces

    def split_token(self, token: str) -> list[str] | None:
        """The pieces of a glued token, or None when it should stay whole."""
        if len(token) < 4 or token.isupper() or self._is_word(token):
            return None
        parts = _camel_parts(token)
        if len(parts) > 1 and not all(self._is_word(p) or p.isupper() or len(p) >= 4 for p in parts):
            parts = [token]
        pieces: list[str] = []
        for part in parts:
            if len(part) >= 4 and not part.isupper() and not self._is_word(part):
                pieces.extend(self._split_lowercase_run(part) or [part])
            else:
                pieces.append(part)
        return pieces if len(pieces) > 1 else None

    def glued_tokens(self, text: str) -> dict[str, list[str]]:
        """Every token of `text` that would be split, with its pieces."""
        out: dict[str, list[str]] = {}
        for match in _TOKEN.finditer(text):
            token = match.group()
            if token not in out:
                pieces = self.split_token(token)
                if pieces:
                    out[token] = pieces
        return out


def looks_glued(text: str, degluer: Degluer) -> bool:
    """True when enough of the document's tokens are glued pairs to repair it."""
    tokens = _TOKEN.findall(text)
    if not tokens:
        return False
    glued = sum(1 for t in tokens if degluer.split_token(t))
    return glued >= _MIN_GLUED_TOKENS and glued / len(tokens) >= _MIN_GLUED_SHARE


_PUNCT_GLUED = re.compile(r"(?<=[a-z0-9][a-z0-9])([,;:!?]|\.(?=[A-Z][a-z]))(?=[A-Za-z])")
# "January2024", "in2023": a year glued to the word before it.
_YEAR_GLUED = re.compile(r"(?<=[A-Za-z]{2})(?=(?:19|20)\d\d\b)")
_POSSESSIVE_GLUED = re.compile(r"(?<=[A-Za-z])(['’]s)(?=[A-Za-z]{3,})")


def _space_quotes(line: str) -> str:
    """A space before an opening quote glued to a word, and after a glued closing one."""
    chars: list[str] = []
    inside = False
    for i, ch in enumerate(line):
        if ch == '"':
            prev = line[i - 1] if i else " "
            nxt = line[i + 1] if i + 1 < len(line) else " "
            if not inside and (prev.isalnum() or prev == ","):
                chars.append(" ")
            chars.append(ch)
            if inside and nxt.isalpha():
                chars.append(" ")
            inside = not inside
        else:
            chars.append(ch)
    return "".join(chars)


def deglue(text: str, other_words: Iterable[str] | KnownWords = ()) -> str:
    """Return `text` with glued words split, or unchanged when it does not look glued.

    `other_words` are words seen in the corpus's other documents; with this
    document's own tokens that do not split, they count as real words, so
    "Sharifiadded" splits on the name "Sharifi" used elsewhere in the text.
    """
    other = other_words if isinstance(other_words, KnownWords) else KnownWords.of([set(other_words)])
    plain = Degluer(other)
    counts = Counter(_TOKEN.findall(text))
    # A glued pair rarely repeats to the letter; a name does ("Sharifi").
    own = {t for t, n in counts.items() if n >= 2 and plain.split_token(t) is None}
    degluer = Degluer(other.with_extra(own))
    if not looks_glued(text, degluer):
        return text
    text = _PUNCT_GLUED.sub(lambda m: m.group(1) + " ", text)
    text = _POSSESSIVE_GLUED.sub(lambda m: m.group(1) + " ", text)
    text = _YEAR_GLUED.sub(" ", text)
    text = "\n".join(_space_quotes(line) for line in text.split("\n"))

    def fix(match: re.Match[str]) -> str:
        pieces = degluer.split_token(match.group())
        return " ".join(pieces) if pieces else match.group()

    return _TOKEN.sub(fix, text)

"""The keyword view of text: lower-cased, stop words out, Snowball-stemmed.

BM25 and the answerer's lexical checks both use it, so a question term and a
passage term match the same way everywhere.
"""

from __future__ import annotations

import bisect
import functools
import re

# Lucene's English list plus question words and auxiliaries, which carry no
# topic: "How many attacks did CENTCOM count" keeps attack, centcom, count.
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "for",
        "if",
        "in",
        "into",
        "is",
        "it",
        "no",
        "not",
        "of",
        "on",
        "or",
        "such",
        "that",
        "the",
        "their",
        "then",
        "there",
        "these",
        "they",
        "this",
        "to",
        "was",
        "will",
        "with",
        "what",
        "when",
        "where",
        "who",
        "whom",
        "whose",
        "which",
        "why",
        "how",
        "many",
        "much",
        "did",
        "does",
        "do",
        "done",
        "has",
        "have",
        "had",
        "been",
        "being",
        "were",
        "i",
        "you",
        "he",
        "she",
        "we",
        "me",
        "my",
        "our",
        "your",
        "his",
        "her",
        "its",
        "them",
        "from",
        "about",
        "after",
        "before",
        "than",
        "so",
        "can",
        "could",
        "would",
        "should",
        "may",
        "might",
        "also",
        "any",
        "some",
        "all",
        "most",
        "more",
        "according",
        "said",
        "say",
        "says",
        "tell",
        "told",
        "there",
        "here",
        "those",
        "other",
        "only",
        "just",
        "very",
        "yet",
        "still",
    ]
)
_WORD = re.compile(r"(?u)\b\w\w+\b")


@functools.cache
def _stemmer():
    import Stemmer  # noqa: PLC0415

    return Stemmer.Stemmer("english")


_ORDINAL = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)\b")  # "the 26th of July" is day 26, as in "26 July"


def terms(text: str) -> list[str]:
    """Stemmed content terms of `text`, in order, repeats kept."""
    words = [w for w in _WORD.findall(_ORDINAL.sub(r"\1", text.lower())) if w not in STOPWORDS]
    return _stemmer().stemWords(words)


def stemmer():
    """The stemmer, for bm25s.tokenize."""
    return _stemmer()


# The shortest stem that a longer one may extend and still be of its word family ...
MIN_KIN_STEM = 6
# ... and the endings, as the stemmer leaves them, that make the longer one of the family:
# consul-ar, parliament-ari, terror-ist, environ-ment, sovereign-ti, threat-en, america-n.
# Not "counter-part", "depart-ur", "govern-or", "invest-ig", "regard-less", "commit-te", nor
# "i", which is a name's as often as a word's: al-Baghdadi is not Baghdad.
KIN_ENDINGS = frozenset(["ar", "ari", "al", "ic", "ist", "ism", "ment", "ri", "ti", "en", "er", "n"])


def kin_stems(stem: str, vocabulary: list[str]) -> frozenset[str]:
    """The stems of `vocabulary` (sorted) of the same word family as `stem` that the stemmer keeps
    apart: one is the other plus one of `KIN_ENDINGS`, and the shorter has at least `MIN_KIN_STEM`
    letters ("consular" ~ "consul" of consulate, "terror" of terrorism ~ "terrorist"). Shorter
    stems are too ambiguous: "popul" of population is not "popular"."""
    found = {stem[: -len(e)] for e in KIN_ENDINGS if stem.endswith(e) and len(stem) - len(e) >= MIN_KIN_STEM}
    if len(stem) >= MIN_KIN_STEM:
        found |= {stem + e for e in KIN_ENDINGS}
    return frozenset(s for s in found if _in_sorted(vocabulary, s))


# Words that ask or answer one question from either side, so that a position on it is stated in
# any of them: whether forces stay or go ("Should US forces remain?" is answered by "the national
# interest demands the presence of US forces"; "Does Washington want to withdraw?" by "Washington
# struggles for continued military presence"). Stems as `terms` leaves them.
STANCE_FAMILIES = (
    frozenset(
        [
            "withdraw",
            "withdrawn",
            "presenc",
            "departur",
            "depart",
            "leav",
            "expel",
            "expuls",
            "exit",
            "pullout",
            "drawdown",
            "remain",
            "stay",
            "evacu",
            "retreat",
        ]
    ),
)


def stance_kin(stem: str) -> frozenset[str]:
    """The other stems of `stem`'s family in `STANCE_FAMILIES` (empty when it is in none)."""
    return frozenset().union(*(f - {stem} for f in STANCE_FAMILIES if stem in f))


def _in_sorted(items: list[str], item: str) -> bool:
    at = bisect.bisect_left(items, item)
    return at < len(items) and items[at] == item

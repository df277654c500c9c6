"""The keyword view of text: lower-cased, stop words out, Snowball-stemmed.

BM25 and the answerer's lexical checks both use it, so a question term and a
passage term match the same way everywhere.
"""

from __future__ import annotations

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


def terms(text: str) -> list[str]:
    """Stemmed content terms of `text`, in order, repeats kept."""
    words = [w for w in _WORD.findall(text.lower()) if w not in STOPWORDS]
    return _stemmer().stemWords(words)


def stemmer():
    """The stemmer, for bm25s.tokenize."""
    return _stemmer()

"""Split an article into sentences and sentences into overlapping passages, keeping offsets.

Every span is a pair of character offsets into `article.text`, so
`article.text[start:end]` gives back the sentence or passage exactly.
"""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass

from qa.records import Article, Passage


@dataclass(frozen=True)
class Span:
    start: int
    end: int


@functools.cache
def _segmenter():
    import pysbd  # noqa: PLC0415  (a slow import; only needed when building)

    return pysbd.Segmenter(language="en", clean=False, char_span=False)


# pysbd keeps a quotation of several sentences as one; masking the double
# quotes (one character for one, so offsets hold) lets it split them.
_QUOTE_MASK = str.maketrans({'"': " ", "“": " ", "”": " "})


def split_sentences(text: str) -> list[Span]:
    """Sentence spans of `text`, found by pysbd within each line (a line never spans two)."""
    spans: list[Span] = []
    offset = 0
    for original in text.split("\n"):
        line = original.translate(_QUOTE_MASK)
        if line.strip():
            cursor = 0
            for piece in _segmenter().segment(line):
                piece = piece.strip()
                if not piece:
                    continue
                at = line.find(piece, cursor)
                if at < 0:  # pysbd altered the text: fall back to the rest of the line
                    at, piece = cursor, line[cursor:].strip()
                    at = line.find(piece, cursor)
                spans.append(Span(offset + at, offset + at + len(piece)))
                cursor = at + len(piece)
                if cursor >= len(line):
                    break
        offset += len(original) + 1
    return [_with_quotes(text, span) for span in spans]


def _with_quotes(text: str, span: Span) -> Span:
    """Take back a quote mark the masking left just outside the span."""
    start, end = span.start, span.end
    if start > 0 and text[start - 1] in '"“' and text[start:end].count('"') % 2 == 0:
        start -= 1
    if end < len(text) and text[end] in '"”' and text[start:end].count('"') % 2 == 1:
        end += 1
    return Span(start, end)


# '"... 92 ISIS operatives detained." CENTCOM said.': the quotation's own full stop ends a
# sentence there, and leaves its attribution a sentence of a few words, which says nothing alone.
_ATTRIBUTION_TAIL = re.compile(
    r"[A-Z][\w’'.-]*(?:\s+[\w’'.-]+){0,3}\s+"  # CENTCOM, The ministry, Gen. Michael Kurilla
    r"(?:(?:said|says|added|adds|stated|states|noted|notes|wrote|writes|explained|warned|stressed)"
    r"(?:\s+in\s+an?\s+(?:statement|interview|post))?|told\s+[\w’'.-]+)\."
)


def is_attribution_tail(sentence: str) -> bool:
    """Is `sentence` ("CENTCOM said.", "The ministry said in a statement.") only the attribution
    of the quotation before it?"""
    return bool(_ATTRIBUTION_TAIL.fullmatch(sentence.strip()))


def goes_on(sentence: str) -> bool:
    """Does `sentence`, as the splitter cut it, go on from the one before it: opening in lower case
    (a stray full stop of the source: "... controlled large areas. from Iraq and Syria.") or as the
    attribution of the quotation that one closes ("CENTCOM said.")?"""
    text = sentence.strip().lstrip("\"“‘'( ")
    return bool(text) and (text[0].islower() or is_attribution_tail(text))


def passage_id(doc_id: str, start: int, end: int, text: str) -> str:
    """A content hash: re-ingesting an unchanged article gives the same ids."""
    return hashlib.sha1(f"{doc_id}\x00{start}\x00{end}\x00{text}".encode()).hexdigest()[:16]


def group_sentences(
    sentences: list[Span], per_passage: int, overlap: int, max_chars: int
) -> list[tuple[int, int]]:
    """Windows over the sentence list as (first, last) indices, `overlap` sentences shared.

    A window closes early once it spans `max_chars` characters, so one long
    paragraph does not make a passage too long to embed well.
    """
    windows: list[tuple[int, int]] = []
    first = 0
    while first < len(sentences):
        last = first
        while (
            last + 1 < len(sentences)
            and last - first + 1 < per_passage
            and sentences[last + 1].end - sentences[first].start <= max_chars
        ):
            last += 1
        windows.append((first, last))
        if last == len(sentences) - 1:
            break
        first = max(first + 1, last + 1 - overlap)
    return windows


def make_passages(
    article: Article, sentences: list[Span], per_passage: int, overlap: int, max_chars: int
) -> list[tuple[Passage, tuple[int, int]]]:
    """The passages of an article, each with the (first, last) indices of its sentences."""
    out = []
    for first, last in group_sentences(sentences, per_passage, overlap, max_chars):
        start, end = sentences[first].start, sentences[last].end
        text = article.text[start:end]
        out.append(
            (
                Passage(
                    passage_id=passage_id(article.doc_id, start, end, text),
                    doc_id=article.doc_id,
                    title=article.title,
                    date=article.date,
                    outlet=article.outlet,
                    text=text,
                    start=start,
                    end=end,
                ),
                (first, last),
            )
        )
    return out

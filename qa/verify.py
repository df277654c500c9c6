"""Check every sentence of a generated answer against the passages it cites.

    checked = verify_answer(text, passages, index, judge)
    checked.kept       # [(sentence, [Citation, ...])]: sentences with at least one supporting citation
    checked.removed    # [Removal(sentence, reason)]: uncited, out-of-range or unsupported sentences
    checked.refused    # the model said the passages don't answer

A citation [n] must name one of the passages given to the model; it supports its
sentence when one sentence of that passage (or the passage as a whole) passes the
SupportJudge: the sentence's numbers are all there, most of its content words are
there, and the two say the same thing (embedding cosine); with QA_NLI_MODEL set, the
passage (or that sentence) must also entail it by the local NLI cross-encoder. The
citation's quote is that best sentence, with its exact offsets in the article.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from qa.index_store import CorpusIndex
from qa.injection import looks_like_instruction, neutralise
from qa.records import Citation, Passage
from qa.support import CitedSentence, SupportJudge, Verdict, cited_sentences

_REFUSAL = re.compile(
    r"(articles|passages|context|sources)\s+(don'?t|do not|does not|doesn'?t)\s+(answer|say|mention|contain)"
    r"|(cannot|can'?t|unable to)\s+(answer|find|determine)"
    r"|no (information|mention)\b",
    re.I,
)


@dataclass(frozen=True)
class Removal:
    sentence: str
    reason: str

    def to_dict(self) -> dict[str, str]:
        return {"sentence": self.sentence, "reason": self.reason}


@dataclass
class Checked:
    kept: list[tuple[str, list[Citation]]] = field(default_factory=list)
    removed: list[Removal] = field(default_factory=list)
    unverified: list[str] = field(default_factory=list)
    refused: bool = False


def is_refusal(sentence: str) -> bool:
    return bool(_REFUSAL.search(sentence))


def _candidates(passage: Passage, index: CorpusIndex) -> list[tuple[str, int, int]]:
    """(text, start, end) of each sentence of the passage, and of the passage itself."""
    out: list[tuple[str, int, int]] = []
    row = index.row_of.get(passage.passage_id)
    if row is not None:
        first, last = index.passage_sentences[row]
        for s in range(first, last + 1):
            ref = index.sentences[s]
            text = index.sentence_text(s)
            if not looks_like_instruction(text):  # an injected order is never support
                out.append((text, ref.start, ref.end))
    out.append((neutralise(passage.text), passage.start, passage.end))
    return out


def _support(
    sentence: str, passage: Passage, index: CorpusIndex, judge: SupportJudge
) -> tuple[Verdict, tuple[str, int, int]]:
    """The best verdict for the sentence among the passage's sentences and the passage itself."""
    candidates = _candidates(passage, index)
    verdict, i = judge.best(sentence, [text for text, _, _ in candidates])
    return verdict, candidates[i]


def check_sentence(
    sentence: CitedSentence, passages: list[Passage], index: CorpusIndex, judge: SupportJudge
) -> tuple[list[Citation], str]:
    """The citations that support the sentence, and why none does when the list is empty."""
    if not sentence.citations:
        return [], "no citation"
    citations: list[Citation] = []
    reasons: list[str] = []
    for n in dict.fromkeys(sentence.citations):
        if not 1 <= n <= len(passages):
            reasons.append(f"cites [{n}], but only {len(passages)} passages were given")
            continue
        passage = passages[n - 1]
        verdict, (quote, start, end) = _support(sentence.text, passage, index, judge)
        if not verdict.supported:
            reasons.append(f"[{n}]: {verdict.reason}")
            continue
        citations.append(Citation.of(n, passage, quote, start, end))
    return citations, "; ".join(reasons)


def verify_answer(
    text: str, passages: list[Passage], index: CorpusIndex, judge: SupportJudge, mark_unverified: bool = False
) -> Checked:
    checked = Checked()
    sentences = cited_sentences(text)
    for sentence in sentences:
        if not re.search(r"[^\W\d_]{2}", sentence.text):  # list numbering ("1.") or stray markup
            continue
        if is_refusal(sentence.text) and not sentence.citations:
            checked.refused = True
            continue
        citations, reason = check_sentence(sentence, passages, index, judge)
        if citations:
            checked.kept.append((sentence.text, citations))
        else:
            checked.removed.append(Removal(sentence.text, reason))
            if mark_unverified:
                checked.unverified.append(sentence.text)
    return checked


def with_markers(sentence: str, numbers: list[int]) -> str:
    """`sentence` with " [1][2]" before its final full stop (after a closing quote)."""
    markers = "".join(f"[{n}]" for n in dict.fromkeys(numbers))
    stripped = sentence.rstrip()
    if stripped and stripped[-1] in ".!?" and not stripped.endswith("..."):
        return f"{stripped[:-1]} {markers}{stripped[-1]}"
    return f"{stripped} {markers}"

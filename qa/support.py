"""Does a cited passage support an answer sentence? Used by the evaluation, and by any answerer
that must check its sentences against their citations.

    judge = SupportJudge(embedder)
    for sentence in cited_sentences(answer.text):           # text without markers, and its [n]s
        verdict = judge.judge(sentence.text, [quote_of[n] for n in sentence.citations])

A sentence is supported when the cited text holds most of its content words
(lexical containment) and says the same thing (embedding cosine); either alone
is too lenient. Thresholds are fields, so a user can make the judge stricter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from qa.embeddings import SentenceTransformerEmbeddings
from qa.passages import split_sentences
from qa.terms import terms

_MARKERS = re.compile(r"\s*\[(\d{1,3})\]")
_LEADING_MARKERS = re.compile(r"^(?:\s*\[\d{1,3}\])+[.!?]?")


@dataclass(frozen=True)
class CitedSentence:
    text: str  # the sentence without its [n] markers
    citations: list[int] = field(default_factory=list)


def cited_sentences(answer_text: str) -> list[CitedSentence]:
    """The answer's sentences, each with the citation numbers it carries."""
    out: list[CitedSentence] = []
    for span in split_sentences(answer_text):
        raw = answer_text[span.start : span.end]
        # '"He said it." [1]': markers that open a sentence close the one before.
        leading = _LEADING_MARKERS.match(raw)
        if leading and out:
            carried = [int(n) for n in _MARKERS.findall(leading[0])]
            out[-1] = CitedSentence(out[-1].text, out[-1].citations + carried)
            raw = raw[leading.end() :]
        numbers = [int(n) for n in _MARKERS.findall(raw)]
        text = _MARKERS.sub("", raw).strip()
        if text:
            out.append(CitedSentence(text, numbers))
    return out


@dataclass(frozen=True)
class Verdict:
    supported: bool
    cosine: float
    containment: float
    reason: str


@dataclass
class SupportJudge:
    embedder: SentenceTransformerEmbeddings
    min_cosine: float = 0.6
    min_containment: float = 0.6

    def judge(self, sentence: str, cited: list[str]) -> Verdict:
        if not cited:
            return Verdict(False, 0.0, 0.0, "no citation")
        evidence = " ".join(cited)
        words = set(terms(sentence))
        containment = len(words & set(terms(evidence))) / len(words) if words else 0.0
        # query_vector is cached: the same quotes and sentences come back again and again.
        cosine = float(self.embedder.query_vector(sentence) @ self.embedder.query_vector(evidence))
        supported = cosine >= self.min_cosine and containment >= self.min_containment
        if supported:
            reason = "supported"
        elif containment < self.min_containment:
            reason = f"only {containment:.0%} of its content words are in the cited text"
        else:
            reason = f"cited text says something else (cosine {cosine:.2f})"
        return Verdict(supported, cosine, containment, reason)

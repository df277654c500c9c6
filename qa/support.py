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
from qa.terms import STOPWORDS, terms

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


_NUMBER = re.compile(r"\d+(?:[,.]\d+)*")


def numbers_in(text: str) -> set[str]:
    """The numbers written in digits, thousands separators dropped ("2,500" and "2500" match)."""
    return {re.sub(r"[,.](?=\d{3}\b)", "", n) for n in _NUMBER.findall(text)}


_WORD = re.compile(r"[\w’'-]+")
_NAME = re.compile(r"(?<![\w’'-])[A-Z][\w’'-]*")


def _names(text: str) -> set[str]:
    """Capitalised words after the first of each sentence, lower-cased: names, places, months."""
    found: set[str] = set()
    for span in split_sentences(text):
        sentence = text[span.start : span.end].lstrip("\"'“‘(")
        first = _WORD.match(sentence)
        rest = sentence[first.end() :] if first else sentence
        found |= {n.lower().strip("’'-") for n in _NAME.findall(rest)}
    return {n for n in found if n and n not in STOPWORDS}


def _acronyms(text: str) -> set[str]:
    """Initials of runs of capitalised words ("United Nations" -> "un"), to accept "UN" for it."""
    out: set[str] = set()
    words = _WORD.findall(text)
    for i in range(len(words)):
        initials = ""
        for word in words[i : i + 5]:
            if not word[0].isupper():
                break
            initials += word[0].lower()
            if len(initials) >= 2:
                out.add(initials)
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
    min_cosine: float = 0.5
    min_containment: float = 0.6

    def judge(self, sentence: str, cited: list[str]) -> Verdict:
        if not cited:
            return Verdict(False, 0.0, 0.0, "no citation")
        evidence = " ".join(cited)
        missing_numbers = numbers_in(sentence) - numbers_in(evidence)
        if missing_numbers:
            shown = ", ".join(sorted(missing_numbers))
            return Verdict(False, 0.0, 0.0, f"the number(s) {shown} are not in the cited text")
        present = {w.strip("’'-") for w in _WORD.findall(evidence.lower())}
        missing_names = {n for n in _names(sentence) - present if n not in _acronyms(evidence)}
        if missing_names:
            shown = ", ".join(sorted(missing_names))
            return Verdict(False, 0.0, 0.0, f"the name(s) {shown} are not in the cited text")
        words = set(terms(sentence))
        containment = len(words & set(terms(evidence))) / len(words) if words else 0.0
        # The closest of the cited text and each of its sentences: a short claim drawn from one
        # sentence of a long passage should not be diluted by the rest. (query_vector is cached.)
        pieces = [evidence] + [evidence[sp.start : sp.end] for sp in split_sentences(evidence)]
        vector = self.embedder.query_vector(sentence)
        cosine = max(float(vector @ self.embedder.query_vector(piece)) for piece in dict.fromkeys(pieces))
        supported = cosine >= self.min_cosine and containment >= self.min_containment
        if supported:
            reason = "supported"
        elif containment < self.min_containment:
            reason = f"only {containment:.0%} of its content words are in the cited text"
        else:
            reason = f"cited text says something else (cosine {cosine:.2f})"
        return Verdict(supported, cosine, containment, reason)

    def best(self, sentence: str, texts: list[str]) -> tuple[Verdict, int]:
        """The strongest verdict for the sentence among `texts`, each alone, and its index
        (-1 when no text was given)."""
        if not texts:
            return self.judge(sentence, []), -1
        verdicts = [self.judge(sentence, [t]) for t in texts]
        i = max(
            range(len(verdicts)),
            key=lambda j: (verdicts[j].supported, verdicts[j].containment + verdicts[j].cosine),
        )
        return verdicts[i], i

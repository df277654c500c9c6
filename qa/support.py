"""Does a cited passage support an answer sentence? Used by the evaluation, and by any answerer
that must check its sentences against their citations.

    judge = SupportJudge(embedder)
    for sentence in cited_sentences(answer.text):           # text without markers, and its [n]s
        verdict = judge.judge(sentence.text, [quote_of[n] for n in sentence.citations])

A sentence is supported when the cited text holds its numbers and names, most of its
content words (lexical containment) and says the same thing (embedding cosine); either
alone is too lenient. Thresholds are fields, so a user can make the judge stricter.

With a local NLI cross-encoder (QA_NLI_MODEL, `SupportJudge.from_settings`), a sentence that
passes all that must also be entailed by the cited text: P(entailment) >= min_entailment for
the cited text as a whole or one of its sentences (the closest piece, as for the cosine). The
lexical and cosine checks stay, as cheap pre-filters: the cross-encoder runs only on sentences
that pass them, so it can only make the judge stricter. It catches what word overlap and
embeddings miss (a negation, swapped roles, a hedge turned into a fact) but does not accept a
paraphrase that shares too few words; that keeps every NLI verdict grounded in the cited
words, and costs one batched cross-encoder call per judged sentence instead of one per candidate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from qa.embeddings import SentenceTransformerEmbeddings
from qa.nli import CONTRADICTION, ENTAILMENT, EntailmentScorer, nli_scorer
from qa.passages import goes_on, split_sentences
from qa.terms import STOPWORDS, terms

if TYPE_CHECKING:
    from qa.settings import Settings

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
        if text and out and goes_on(text):
            # "... controlled large areas. from Iraq and Syria [1].", '... detained." CENTCOM said
            # [1].': a piece the source's full stop split off is part of the sentence before
            out[-1] = CitedSentence(f"{out[-1].text} {text}", out[-1].citations + numbers)
        elif text:
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
    # With an NLI model, for sentences that passed the lexical and cosine checks: the highest
    # P(entailment) and P(contradiction) over the cited text and its sentences.
    entailment: float | None = None
    contradiction: float | None = None

    @property
    def strength(self) -> tuple[bool, float, float]:
        """Ranks verdicts on one sentence: supported first, then entailment (when an NLI model
        judged it), then containment + cosine."""
        entailment = -1.0 if self.entailment is None else self.entailment
        return (self.supported, entailment, self.containment + self.cosine)


@dataclass
class SupportJudge:
    embedder: SentenceTransformerEmbeddings
    min_cosine: float = 0.5
    min_containment: float = 0.6
    nli: EntailmentScorer | None = None  # None: no NLI check
    min_entailment: float = 0.5
    embedding_name: str = ""  # how describe() names the embedding model ("" : its folder name)

    @classmethod
    def from_settings(cls, settings: Settings, embedder: SentenceTransformerEmbeddings) -> SupportJudge:
        """The judge the settings ask for: with the NLI model of settings.nli_model, when set."""
        return cls(
            embedder,
            nli=nli_scorer(settings.nli_model) if settings.nli_model else None,
            min_entailment=settings.nli_min_entailment,
            embedding_name=Path(settings.embedding_model).name,
        )

    def describe(self) -> str:
        """What judges support, for reports: "containment + cosine (all-MiniLM-L6-v2) + NLI (...)"."""
        text = f"containment + cosine ({self.embedding_name or Path(self.embedder.model_path).name})"
        if self.nli is not None:
            text += f" + NLI ({self.nli.name}, entailment >= {self.min_entailment:g})"
        return text

    def judge(self, sentence: str, cited: list[str]) -> Verdict:
        return self._judge_each(sentence, [cited])[0]

    def best(self, sentence: str, texts: list[str]) -> tuple[Verdict, int]:
        """The strongest verdict for the sentence among `texts`, each alone, and its index
        (-1 when no text was given)."""
        if not texts:
            return self.judge(sentence, []), -1
        verdicts = self._judge_each(sentence, [[t] for t in texts])
        i = max(range(len(verdicts)), key=lambda j: verdicts[j].strength)
        return verdicts[i], i

    def _judge_each(self, sentence: str, citeds: list[list[str]]) -> list[Verdict]:
        """A verdict per list of cited texts; the NLI model, if any, sees all that pass the
        lexical checks in one batch."""
        lexical = [self._lexical(sentence, cited) for cited in citeds]
        if self.nli is None:
            return [verdict for verdict, _ in lexical]
        pairs = [(piece, sentence) for verdict, pieces in lexical if verdict.supported for piece in pieces]
        scores = iter(self.nli.probabilities(pairs) if pairs else [])
        out = []
        for verdict, pieces in lexical:
            if verdict.supported:
                verdict = self._entailed(verdict, [next(scores) for _ in pieces])
            out.append(verdict)
        return out

    def _entailed(self, verdict: Verdict, scores: list[dict[str, float]]) -> Verdict:
        """The lexically supported verdict, judged again by the NLI model's scores of its pieces."""
        entailment = max(s[ENTAILMENT] for s in scores)
        contradiction = max(s[CONTRADICTION] for s in scores)
        if entailment >= self.min_entailment:
            return replace(verdict, entailment=entailment, contradiction=contradiction)
        # a piece whose most likely label is contradiction: the citation says otherwise
        contradicting = [s[CONTRADICTION] for s in scores if max(s, key=s.__getitem__) == CONTRADICTION]
        if contradicting:
            reason = f"the cited text contradicts it (p={max(contradicting):.2f})"
        else:
            reason = f"the cited text does not entail it (p={entailment:.2f} < {self.min_entailment:.2f})"
        return replace(
            verdict, supported=False, reason=reason, entailment=entailment, contradiction=contradiction
        )

    def _lexical(self, sentence: str, cited: list[str]) -> tuple[Verdict, list[str]]:
        """The verdict of the numbers, names, containment and cosine checks, and the pieces of the
        cited text (the whole, then each sentence) the cosine compared."""
        if not cited:
            return Verdict(False, 0.0, 0.0, "no citation"), []
        evidence = " ".join(cited)
        missing_numbers = numbers_in(sentence) - numbers_in(evidence)
        if missing_numbers:
            shown = ", ".join(sorted(missing_numbers))
            return Verdict(False, 0.0, 0.0, f"the number(s) {shown} are not in the cited text"), []
        present = {w.strip("’'-") for w in _WORD.findall(evidence.lower())}
        missing_names = {n for n in _names(sentence) - present if n not in _acronyms(evidence)}
        if missing_names:
            shown = ", ".join(sorted(missing_names))
            return Verdict(False, 0.0, 0.0, f"the name(s) {shown} are not in the cited text"), []
        words = set(terms(sentence))
        containment = len(words & set(terms(evidence))) / len(words) if words else 0.0
        # The closest of the cited text and each of its sentences: a short claim drawn from one
        # sentence of a long passage should not be diluted by the rest. (query_vector is cached.)
        pieces = [evidence] + [evidence[sp.start : sp.end] for sp in split_sentences(evidence)]
        pieces = list(dict.fromkeys(pieces))
        vector = self.embedder.query_vector(sentence)
        cosine = max(float(vector @ self.embedder.query_vector(piece)) for piece in pieces)
        supported = cosine >= self.min_cosine and containment >= self.min_containment
        if supported:
            reason = "supported"
        elif containment < self.min_containment:
            reason = f"only {containment:.0%} of its content words are in the cited text"
        else:
            reason = f"cited text says something else (cosine {cosine:.2f})"
        return Verdict(supported, cosine, containment, reason), pieces

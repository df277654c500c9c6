"""Per-question scores, their aggregates and bootstrap intervals. Definitions (also in the README):

Retrieval (over `retrieve(question, k=10)`, in rank order):
- a passage is relevant when it covers at least half of an evidence span's characters;
- hit@5: a relevant passage is among the first 5; MRR: mean of 1/rank of the first relevant one
  (0 when none in the top 10); recall@5: share of the question's evidence spans covered by the top 5;
- nDCG@10: sum over ranks i of rel_i / log2(i + 1), divided by the same sum for the ideal ranking
  (min(#evidence, 10) relevant passages first).
Answers (answerable questions; an abstention scores 0):
- key-fact accuracy: the answer contains every key fact (alternatives separated by "|");
- exact match and token F1 against the reference answer, SQuAD normalisation, markers removed;
- semantic similarity: cosine of answer and reference embeddings (the local model).
Citations (answerable questions answered):
- citation recall: share of answer sentences whose cited quotes together support them;
- citation precision: share of citations whose quote alone supports its sentence (ALCE);
  support = the SupportJudge (numbers and names, lexical containment and embedding cosine, and
  entailment by the NLI cross-encoder of QA_NLI_MODEL when set: the report names the judge);
- evidence precision (strict): share of citations whose quote is the article's text at its
  offsets and overlaps the annotated evidence or holds a key fact: was the *right* sentence cited?
Abstention: recall on unanswerable questions, precision of abstentions, over-refusal on answerable.
"""

from __future__ import annotations

import math
import re
import statistics
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from qa.eval.questions import Evidence, Question, contains_fact, normalise
from qa.newsaware import article_time, source_label
from qa.records import Answer, Article, Passage
from qa.support import SupportJudge, Verdict, cited_sentences

RELEVANT_COVERAGE = 0.5
K = 5
NDCG_K = 10


def covers(doc_id: str, start: int, end: int, evidence: Evidence) -> bool:
    """Does the span [start, end) of doc_id hold at least half of the evidence?"""
    if doc_id != evidence.doc_id:
        return False
    shared = min(end, evidence.end) - max(start, evidence.start)
    return shared >= RELEVANT_COVERAGE * (evidence.end - evidence.start)


Span = tuple[str, int, int]


def first_relevant_rank(spans: list[Span], question: Question) -> int | None:
    for rank, (doc_id, start, end) in enumerate(spans, start=1):
        if any(covers(doc_id, start, end, e) for e in question.evidence):
            return rank
    return None


def evidence_recall(spans: list[Span], question: Question) -> float:
    found = [any(covers(d, s, e, ev) for d, s, e in spans) for ev in question.evidence]
    return sum(found) / len(found) if found else 0.0


def ndcg(spans: list[Span], question: Question, k: int = NDCG_K) -> float:
    """Binary gains; each evidence span earns a gain once, at the first passage that covers it."""
    gains = []
    credited: set[int] = set()
    for d, s, e in spans[:k]:
        new = {i for i, ev in enumerate(question.evidence) if i not in credited and covers(d, s, e, ev)}
        credited |= new
        gains.append(1.0 if new else 0.0)
    dcg = sum(g / math.log2(i + 2) for i, g in enumerate(gains))
    ideal = sum(1 / math.log2(i + 2) for i in range(min(len(question.evidence), k)))
    return dcg / ideal if ideal else 0.0


# -- SQuAD-style answer scores ------------------------------------------------------------------
_ARTICLES = re.compile(r"\b(a|an|the)\b")
_MARKER = re.compile(r"\[\d{1,3}\]")


def squad_normalise(text: str) -> str:
    text = _MARKER.sub(" ", text.lower())
    text = re.sub(r"[^\w\s]", " ", text)
    return " ".join(_ARTICLES.sub(" ", text).split())


def exact_match(prediction: str, reference: str) -> float:
    return float(squad_normalise(prediction) == squad_normalise(reference))


def token_f1(prediction: str, reference: str) -> float:
    pred, ref = squad_normalise(prediction).split(), squad_normalise(reference).split()
    common = sum((Counter(pred) & Counter(ref)).values())
    if not pred or not ref or not common:
        return 0.0
    precision, recall = common / len(pred), common / len(ref)
    return 2 * precision * recall / (precision + recall)


@dataclass
class QuestionResult:
    id: str
    kind: str
    question: str
    answerable: bool
    reference: str
    retrieved: list[dict[str, Any]]
    first_relevant_rank: int | None
    recall_at_5: float
    ndcg_at_10: float
    all_evidence_retrieved: bool
    answer: str
    abstained: bool
    confidence: float
    key_facts_found: list[bool]
    exact_match: float
    f1: float
    semantic: float
    evidence_ok: list[bool]  # per citation: the right sentence (strict)
    citation_supports: list[bool]  # per citation: its quote supports its sentence
    sentence_supported: list[bool]  # per answer sentence: its citations support it
    latency_ms: float
    why: list[str] = field(default_factory=list)
    answerer: str = ""
    removed_sentences: int = 0
    attribution_ok: bool | None = None  # attribution questions: the answer names the speaker
    temporal_ok: bool | None = None  # temporal questions: the values (in date order when asked)
    disagreement_ok: bool | None = None  # disagreement questions: every position, cited to its article
    flagged_disagreement: bool = False  # the answer reported a disagreement
    llm_faithfulness: float | None = None  # with an LLM judge: share of statements the context supports
    llm_relevancy: float | None = None  # with an LLM judge: RAGAS answer relevancy

    @property
    def key_facts_ok(self) -> bool:
        return self.answerable and not self.abstained and all(self.key_facts_found)


def _best_verdict(judge: SupportJudge, sentence: str, texts: list[str]) -> Verdict:
    """Supported by one of the texts alone, or by all of them together."""
    verdict, _ = judge.best(sentence, texts)
    if len(texts) > 1 and not verdict.supported:
        together = judge.judge(sentence, texts)
        if together.strength > verdict.strength:
            return together
    return verdict


def score_question(
    question: Question,
    answer: Answer,
    retrieved: list[Passage],
    articles: dict[str, Article],
    judge: SupportJudge,
    similarity: Callable[[str, str], float],
) -> QuestionResult:
    spans = [(p.doc_id, p.start, p.end) for p in retrieved]
    answerable = question.answerable
    rank = first_relevant_rank(spans[:NDCG_K], question) if answerable else None
    answered = answerable and not answer.abstained
    why: list[str] = []

    found = [contains_fact(answer.text, f) for f in question.key_facts] if answered else []
    found = found or [False] * len(question.key_facts)
    evidence_ok: list[bool] = []
    supports: list[bool] = []
    sentence_ok: list[bool] = []
    if answered:
        for c in answer.citations:
            exact = articles[c.doc_id].text[c.start : c.end] == c.quote
            relevant = any(
                covers(c.doc_id, c.start, c.end, e)
                or (e.doc_id == c.doc_id and min(c.end, e.end) > max(c.start, e.start))
                for e in question.evidence
            ) or any(contains_fact(c.quote, fact) for fact in question.key_facts)
            evidence_ok.append(exact and relevant)
            if not exact:
                why.append(f"citation [{c.n}] quote does not match the article at {c.start}-{c.end}")
            elif not relevant:
                why.append(f"citation [{c.n}] ({c.doc_id} {c.start}-{c.end}) is not the annotated evidence")
        # What [n] stands for: the quotes cited under n (the passage itself when none).
        cited_texts: dict[int, list[str]] = {}
        for c in answer.citations:
            # the quote with what the answer may say about it: its speaker and its source
            article = articles.get(c.doc_id)
            when = article_time(article).label if article else c.date
            label = source_label(article) if article else None
            context = ", ".join(x for x in (c.speaker, c.outlet, c.title, label, when) if x)
            cited_texts.setdefault(c.n, []).append(f"{c.quote} ({context})" if context else c.quote)
        for n, passage in enumerate(answer.passages, start=1):
            cited_texts.setdefault(n, [passage.text])
        for sentence in cited_sentences(answer.text):
            texts = [t for n in sentence.citations for t in cited_texts.get(n, [])]
            verdict = _best_verdict(judge, sentence.text, texts)
            sentence_ok.append(verdict.supported)
            if not verdict.supported:
                why.append(
                    f"sentence not supported by its citations: {verdict.reason}: {sentence.text[:80]!r}"
                )
            for n in sentence.citations:
                supports.append(_best_verdict(judge, sentence.text, cited_texts.get(n, [])).supported)
                if n not in cited_texts:
                    why.append(f"marker [{n}] cites no passage")
    if answerable:
        if rank is None or rank > K:
            why.append(f"no relevant passage in the top {K}" + (f" (first at {rank})" if rank else ""))
        if answer.abstained:
            why.append(f"abstained on an answerable question (confidence {answer.confidence:.3f})")
        else:
            missing = [" | ".join(f) for f, ok in zip(question.key_facts, found, strict=True) if not ok]
            if missing:
                why.append("answer lacks key fact(s): " + "; ".join(missing))
    elif not answer.abstained:
        why.append(f"answered an unanswerable question (confidence {answer.confidence:.3f})")

    return QuestionResult(
        id=question.id,
        kind=question.kind,
        question=question.question,
        answerable=answerable,
        reference=question.answer,
        retrieved=[{"doc_id": d, "start": s, "end": e} for d, s, e in spans],
        first_relevant_rank=rank,
        recall_at_5=evidence_recall(spans[:K], question) if answerable else 0.0,
        ndcg_at_10=ndcg(spans, question) if answerable else 0.0,
        all_evidence_retrieved=answerable and evidence_recall(spans[:K], question) == 1.0,
        answer=answer.text,
        abstained=answer.abstained,
        confidence=answer.confidence,
        key_facts_found=found,
        exact_match=exact_match(answer.text, question.answer) if answered else 0.0,
        f1=token_f1(answer.text, question.answer) if answered else 0.0,
        semantic=similarity(_MARKER.sub("", answer.text), question.answer) if answered else 0.0,
        evidence_ok=evidence_ok,
        citation_supports=supports,
        sentence_supported=sentence_ok,
        latency_ms=answer.latency_ms,
        why=why,
        answerer=answer.answerer,
        removed_sentences=len(answer.removed),
        **_news_scores(question, answer, found, why),
    )


def _in_order(text: str, facts: list[list[str]]) -> bool:
    """Do the facts first appear in `text` in the listed order?"""
    padded = f" {normalise(text)} "
    positions = []
    for alternatives in facts:
        hits = [padded.find(f" {normalise(a)} ") for a in alternatives if normalise(a)]
        hits = [h for h in hits if h >= 0]
        if not hits:
            return False
        positions.append(min(hits))
    return positions == sorted(positions)


def _news_scores(question: Question, answer: Answer, found: list[bool], why: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {"flagged_disagreement": answer.disagreement is not None}
    answered = not answer.abstained
    if question.kind == "attribution":
        ok = answered and contains_fact(answer.text, question.speaker or [])
        out["attribution_ok"] = ok
        if answered and not ok:
            why.append(f"answer does not name the speaker ({' | '.join(question.speaker or [])})")
    if question.kind == "temporal":
        ok = answered and all(found) and (not question.in_order or _in_order(answer.text, question.key_facts))
        out["temporal_ok"] = ok
        if answered and all(found) and not ok:
            why.append("the values are not in date order")
    if question.kind == "disagreement":
        missing = []
        for position in question.positions or []:
            cited = " ".join(c.quote for c in answer.citations if c.doc_id == position.doc_id)
            if not (answered and contains_fact(cited, position.key_fact)):
                missing.append(f"{' | '.join(position.key_fact)} ({position.doc_id[:3]})")
        out["disagreement_ok"] = not missing
        if missing:
            why.append("positions missing or not cited to their article: " + "; ".join(missing))
    return out


# -- aggregates ---------------------------------------------------------------------------------
def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def aggregate(results: list[QuestionResult]) -> dict[str, Any]:
    """The metrics over a list of results (one kind, or all)."""
    answerable = [r for r in results if r.answerable]
    unanswerable = [r for r in results if not r.answerable]
    abstentions = [r for r in results if r.abstained]
    latencies = [r.latency_ms for r in results]
    return {
        "questions": len(results),
        "hit@5": _mean(
            [float(r.first_relevant_rank is not None and r.first_relevant_rank <= K) for r in answerable]
        ),
        "mrr": _mean([1 / r.first_relevant_rank if r.first_relevant_rank else 0.0 for r in answerable]),
        "recall@5": _mean([r.recall_at_5 for r in answerable]),
        "ndcg@10": _mean([r.ndcg_at_10 for r in answerable]),
        "key_fact_accuracy": _mean([float(r.key_facts_ok) for r in answerable]),
        "exact_match": _mean([r.exact_match for r in answerable]),
        "f1": _mean([r.f1 for r in answerable]),
        "semantic_similarity": _mean([r.semantic for r in answerable]),
        "citation_recall": _mean([float(ok) for r in answerable for ok in r.sentence_supported]),
        "citation_precision": _mean([float(ok) for r in answerable for ok in r.citation_supports]),
        "evidence_precision": _mean([float(ok) for r in answerable for ok in r.evidence_ok]),
        "abstention_recall": _mean([float(r.abstained) for r in unanswerable]),
        "abstention_precision": _mean([float(not r.answerable) for r in abstentions]),
        "over_refusal": _mean([float(r.abstained) for r in answerable]),
        "attribution_accuracy": _mean(
            [float(bool(r.attribution_ok)) for r in results if r.kind == "attribution"]
        ),
        "temporal_accuracy": _mean([float(bool(r.temporal_ok)) for r in results if r.kind == "temporal"]),
        "disagreement_recall": _mean(
            [float(bool(r.disagreement_ok)) for r in results if r.kind == "disagreement"]
        ),
        "disagreement_false_alarms": _mean(
            [float(r.flagged_disagreement) for r in results if r.kind in ("fact", "paraphrase")]
        ),
        "llm_faithfulness": _mean([r.llm_faithfulness for r in results if r.llm_faithfulness is not None]),
        "llm_answer_relevancy": _mean([r.llm_relevancy for r in results if r.llm_relevancy is not None]),
        "removed_sentences": sum(r.removed_sentences for r in results),
        "fallbacks": sum("fallback" in r.answerer for r in results),
        "latency_p50_ms": percentile(latencies, 50),
        "latency_p95_ms": percentile(latencies, 95),
    }


def bootstrap_intervals(
    results: list[QuestionResult], metrics: list[str], rounds: int = 1000, seed: int = 0
) -> dict[str, tuple[float, float] | None]:
    """95% percentile-bootstrap intervals: questions resampled with replacement, `rounds` times."""
    rng = np.random.default_rng(seed)
    samples: dict[str, list[float]] = {m: [] for m in metrics}
    n = len(results)
    for _ in range(rounds):
        picked = [results[i] for i in rng.integers(0, n, n)]
        values = aggregate(picked)
        for m in metrics:
            if values.get(m) is not None:
                samples[m].append(values[m])
    out: dict[str, tuple[float, float] | None] = {}
    for m, values in samples.items():
        out[m] = (float(np.percentile(values, 2.5)), float(np.percentile(values, 97.5))) if values else None
    return out

"""Per-question scores and their aggregates. Definitions (also in the README):

- a passage is relevant when it covers at least half of an evidence span's characters;
- hit@k: a relevant passage is among the first k; MRR: mean of 1/rank of the first relevant one;
- key-fact accuracy: share of answerable questions whose answer contains every key fact;
- citation precision: share of citations (on answerable questions) whose quote is the article's
  text at its offsets and overlaps the evidence or contains a key fact;
- abstention recall: share of unanswerable questions abstained on; over-refusal: share of
  answerable questions abstained on; abstention precision: share of abstentions that were right.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from typing import Any

from qa.eval.questions import Evidence, Question, contains_fact
from qa.records import Answer, Article

RELEVANT_COVERAGE = 0.5


def covers(doc_id: str, start: int, end: int, evidence: Evidence) -> bool:
    """Does the span [start, end) of doc_id hold at least half of the evidence?"""
    if doc_id != evidence.doc_id:
        return False
    shared = min(end, evidence.end) - max(start, evidence.start)
    return shared >= RELEVANT_COVERAGE * (evidence.end - evidence.start)


def first_relevant_rank(spans: list[tuple[str, int, int]], question: Question) -> int | None:
    for rank, (doc_id, start, end) in enumerate(spans, start=1):
        if any(covers(doc_id, start, end, e) for e in question.evidence):
            return rank
    return None


def all_evidence_found(spans: list[tuple[str, int, int]], question: Question) -> bool:
    return all(any(covers(d, s, e, ev) for d, s, e in spans) for ev in question.evidence)


@dataclass
class QuestionResult:
    id: str
    kind: str
    question: str
    answerable: bool
    retrieved: list[dict[str, Any]]
    first_relevant_rank: int | None
    all_evidence_retrieved: bool
    answer: str
    abstained: bool
    confidence: float
    key_facts_found: list[bool]
    citations_ok: list[bool]
    latency_ms: float
    why: list[str] = field(default_factory=list)

    @property
    def key_facts_ok(self) -> bool:
        return self.answerable and not self.abstained and all(self.key_facts_found)


def score_question(
    question: Question, answer: Answer, articles: dict[str, Article], k: int
) -> QuestionResult:
    # Retrieval order (best fused score first): the answer lists its cited passages first.
    in_order = sorted(answer.passages, key=lambda p: -(p.score or 0.0))
    spans = [(p.doc_id, p.start, p.end) for p in in_order[:k]]
    rank = first_relevant_rank(spans, question) if question.answerable else None
    found = (
        [False] * len(question.key_facts)
        if answer.abstained
        else [contains_fact(answer.text, fact) for fact in question.key_facts]
    )
    citations_ok: list[bool] = []
    why: list[str] = []
    if question.answerable and not answer.abstained:
        for c in answer.citations:
            exact = articles[c.doc_id].text[c.start : c.end] == c.quote
            relevant = any(
                covers(c.doc_id, c.start, c.end, e)
                or (e.doc_id == c.doc_id and min(c.end, e.end) > max(c.start, e.start))
                for e in question.evidence
            )
            relevant = relevant or any(contains_fact(c.quote, fact) for fact in question.key_facts)
            citations_ok.append(exact and relevant)
            if not exact:
                why.append(f"citation [{c.n}] quote does not match the article at {c.start}-{c.end}")
            elif not relevant:
                why.append(f"citation [{c.n}] ({c.doc_id} {c.start}-{c.end}) does not hold the evidence")
    if question.answerable:
        if rank is None:
            why.append(f"no relevant passage in the top {k}")
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
        answerable=question.answerable,
        retrieved=[{"doc_id": d, "start": s, "end": e} for d, s, e in spans],
        first_relevant_rank=rank,
        all_evidence_retrieved=all_evidence_found(spans, question) if question.answerable else False,
        answer=answer.text,
        abstained=answer.abstained,
        confidence=answer.confidence,
        key_facts_found=found,
        citations_ok=citations_ok,
        latency_ms=answer.latency_ms,
        why=why,
    )


def _share(values: list[bool]) -> float | None:
    return sum(values) / len(values) if values else None


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def aggregate(results: list[QuestionResult], k: int) -> dict[str, Any]:
    """The headline metrics over a list of results (one kind, or all)."""
    answerable = [r for r in results if r.answerable]
    unanswerable = [r for r in results if not r.answerable]
    abstentions = [r for r in results if r.abstained]
    citations = [ok for r in answerable for ok in r.citations_ok]
    latencies = [r.latency_ms for r in results]
    return {
        "questions": len(results),
        f"hit@{k}": _share([r.first_relevant_rank is not None for r in answerable]),
        "mrr": (
            sum(1 / r.first_relevant_rank if r.first_relevant_rank else 0.0 for r in answerable)
            / len(answerable)
        )
        if answerable
        else None,
        f"all_evidence@{k}": _share([r.all_evidence_retrieved for r in answerable]),
        "key_fact_accuracy": _share([r.key_facts_ok for r in answerable]),
        "citation_precision": _share(citations),
        "citations": len(citations),
        "abstention_recall": _share([r.abstained for r in unanswerable]),
        "abstention_precision": _share([not r.answerable for r in abstentions]),
        "over_refusal": _share([r.abstained for r in answerable]),
        "latency_p50_ms": percentile(latencies, 50),
        "latency_p95_ms": percentile(latencies, 95),
    }

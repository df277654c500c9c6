"""Run a question set through the assistant (and through other configurations), score it, report.

qa eval                                   # bundled question set, report in eval-report/
qa eval --questions my.jsonl --out my-report
qa eval --compare                         # also dense only, BM25 only, other passage sizes
qa eval --check eval-thresholds.json      # exit 1 when a headline metric is below its threshold
"""

from __future__ import annotations

import shutil
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from qa.assistant import Assistant
from qa.embeddings import SentenceTransformerEmbeddings
from qa.eval.baseline import TutorialBaseline
from qa.eval.llm_judge import LLMJudge
from qa.eval.metrics import (
    NDCG_K,
    QuestionResult,
    aggregate,
    bootstrap_intervals,
    evidence_recall,
    first_relevant_rank,
    ndcg,
    score_question,
)
from qa.eval.questions import KINDS, Question, bundled_questions, load_questions
from qa.support import SupportJudge

HEADLINE = [
    "hit@5",
    "mrr",
    "ndcg@10",
    "key_fact_accuracy",
    "citation_precision",
    "citation_recall",
    "evidence_precision",
    "abstention_recall",
    "over_refusal",
    "attribution_accuracy",
    "temporal_accuracy",
    "disagreement_recall",
    "disagreement_false_alarms",
]

# Configurations `--compare` runs beside the default: (name, settings overrides).
COMPARISONS: list[tuple[str, dict[str, Any]]] = [
    ("dense only", {"bm25_weight": 0.0, "sentence_weight": 0.0}),
    ("BM25 only", {"dense_weight": 0.0, "sentence_weight": 0.0}),
    ("dense + BM25 (no sentence ranking)", {"sentence_weight": 0.0}),
    ("RRF k = 60 (Cormack et al.)", {"rrf_k": 60}),
    ("passages of 3 sentences, overlap 1", {"passage_sentences": 3, "passage_overlap": 1}),
    ("passages of 6 sentences, overlap 2", {"passage_sentences": 6, "passage_overlap": 2}),
]


@dataclass
class ConfigRun:
    name: str
    settings: dict[str, Any]
    results: list[QuestionResult]
    overall: dict[str, Any]
    intervals: dict[str, tuple[float, float] | None]
    by_kind: dict[str, dict[str, Any]]
    seconds: float
    support_judge: str = ""  # what judged citation support (SupportJudge.describe)


def evaluate_assistant(
    name: str,
    assistant: Assistant,
    questions: list[Question],
    llm_judge: LLMJudge | None = None,
    scorer: SentenceTransformerEmbeddings | None = None,
) -> ConfigRun:
    """Every question through retrieve (top 10, for retrieval metrics) and ask (for the answer);
    with `llm_judge`, each answer is also judged for faithfulness and relevancy by that model.

    `scorer` embeds what the metrics compare (answers, references, cited texts); one scorer shared
    by the configurations of a comparison encodes each text once. Each question is asked with the
    assistant's cache of query vectors emptied, so every configuration's latency is that of a new
    question."""
    started = time.perf_counter()
    scorer = scorer or _scorer(assistant)
    judge = SupportJudge.from_settings(assistant.settings, scorer)

    def similarity(a: str, b: str) -> float:
        return float(scorer.query_vector(a) @ scorer.query_vector(b))

    assistant.ask(questions[0].question)  # warm-up: the model loads outside the timings
    results = []
    for q in questions:
        assistant.embedder.forget_queries()
        answer = assistant.ask(q.question)
        retrieved = assistant.retrieve(q.question, k=NDCG_K)
        result = score_question(q, answer, retrieved, assistant.index.articles, judge, similarity)
        if llm_judge is not None:
            judged = llm_judge.judge(
                q.question, answer.text, [p.text for p in answer.passages], answer.abstained
            )
            result.llm_faithfulness, result.llm_relevancy = judged.faithfulness, judged.relevancy
            result.why += [f"LLM judge ({llm_judge.name}) reply unreadable: {u}" for u in judged.unparsed]
        results.append(result)
    by_kind = {
        kind: aggregate([r for r in results if r.kind == kind])
        for kind in KINDS
        if any(r.kind == kind for r in results)
    }
    return ConfigRun(
        name=name,
        settings=assistant.settings.model_dump(mode="json"),
        results=results,
        overall=aggregate(results),
        intervals=bootstrap_intervals(results, HEADLINE),
        by_kind=by_kind,
        seconds=round(time.perf_counter() - started, 2),
        support_judge=judge.describe(),
    )


def baseline_scores(assistant: Assistant, questions: list[Question]) -> dict[str, Any]:
    """The LangChain tutorial pipeline's retrieval figures on the same questions."""
    started = time.perf_counter()
    baseline = TutorialBaseline(assistant.articles, assistant.embedder)
    answerable = [q for q in questions if q.answerable]
    latencies, ranks, recalls, ndcgs = [], [], [], []
    for q in answerable:
        t = time.perf_counter()
        spans = baseline.retrieve(q.question)
        latencies.append((time.perf_counter() - t) * 1000)
        ranks.append(first_relevant_rank(spans, q))
        recalls.append(evidence_recall(spans, q))
        ndcgs.append(ndcg(spans, q))
    return {
        "name": "LangChain tutorial (1,000-char splits, FAISS top 4)",
        "hit@5": sum(r is not None for r in ranks) / len(ranks),
        "mrr": sum(1 / r if r else 0.0 for r in ranks) / len(ranks),
        "recall@5": sum(recalls) / len(recalls),
        "ndcg@10": sum(ndcgs) / len(ndcgs),
        "retrieve_p50_ms": float(np.percentile(latencies, 50)),
        "seconds": round(time.perf_counter() - started, 2),
    }


def sweep_thresholds(results: list[QuestionResult]) -> list[dict[str, float]]:
    """Abstention recall and over-refusal had the threshold been t (confidence is threshold-free)."""
    answerable = [r.confidence for r in results if r.answerable]
    unanswerable = [r.confidence for r in results if not r.answerable]
    return [
        {
            "threshold": step / 100,
            "abstention_recall": sum(c < step / 100 for c in unanswerable) / max(1, len(unanswerable)),
            "over_refusal": sum(c < step / 100 for c in answerable) / max(1, len(answerable)),
        }
        for step in range(20, 81)
    ]


def run_evaluation(
    assistant: Assistant,
    questions_path: Path | None,
    with_baseline: bool = True,
    compare: bool = False,
    llm_judge: LLMJudge | None = None,
) -> dict[str, Any]:
    """Score the question set with the assistant's settings (and, with compare, the alternatives)."""
    path = Path(questions_path) if questions_path else bundled_questions()
    questions = load_questions(path, assistant.index.articles)
    scorer = _scorer(assistant)
    main = evaluate_assistant("default", assistant, questions, llm_judge, scorer)
    report: dict[str, Any] = {
        "questions_file": str(path),
        "question_counts": {k: sum(q.kind == k for q in questions) for k in KINDS},
        "settings": main.settings,
        "settings_hash": assistant.settings.fingerprint(),
        "support_judge": main.support_judge,
        "index_build_seconds": assistant.index.manifest.get("build_seconds"),
        "overall": main.overall,
        "intervals": main.intervals,
        "by_kind": main.by_kind,
        "threshold_sweep": sweep_thresholds(main.results),
        "results": [asdict(r) for r in main.results],
        "seconds": main.seconds,
        "comparisons": [],
        "judged_by": llm_judge.name if llm_judge else None,
    }
    if with_baseline:
        report["baseline"] = baseline_scores(assistant, questions)
    if compare:
        report["comparisons"] = [_summary(run) for run in _compare(assistant, questions, scorer)]
    return report


def _summary(run: ConfigRun) -> dict[str, Any]:
    return {"name": run.name, "overall": run.overall, "intervals": run.intervals, "seconds": run.seconds}


def _scorer(assistant: Assistant) -> SentenceTransformerEmbeddings:
    """The metrics' own embedder of the assistant's model, with a cache of its own."""
    return SentenceTransformerEmbeddings(assistant.embedder.model_path, assistant.embedder.batch_size)


def _compare(
    assistant: Assistant, questions: list[Question], scorer: SentenceTransformerEmbeddings | None = None
) -> list[ConfigRun]:
    """The alternative configurations; those that reshape the index build one in a temporary folder."""
    runs = []
    scratch = Path(tempfile.mkdtemp(prefix="qa-compare-"))
    try:
        for name, overrides in COMPARISONS:
            settings = assistant.settings.with_overrides(**overrides)
            if settings.index_shape() != assistant.settings.index_shape():
                settings = settings.with_overrides(index_dir=scratch / str(len(runs)))
            # the same model: its loaded weights serve all
            other = Assistant.from_settings(settings, embedder=assistant.embedder)
            runs.append(evaluate_assistant(name, other, questions, scorer=scorer))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return runs


def check_thresholds(report: dict[str, Any], thresholds: dict[str, Any]) -> list[str]:
    """The headline metrics below their recorded minimum (or above their maximum)."""
    failures = []
    for metric, bound in thresholds.get("min", {}).items():
        value = report["overall"].get(metric)
        if value is None or value < bound:
            failures.append(f"{metric} = {value if value is None else round(value, 3)} < {bound}")
    for metric, bound in thresholds.get("max", {}).items():
        value = report["overall"].get(metric)
        if value is None or value > bound:
            failures.append(f"{metric} = {value if value is None else round(value, 3)} > {bound}")
    return failures

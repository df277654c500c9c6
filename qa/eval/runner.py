"""Run the question set through the assistant (and the tutorial baseline) and write the report.

qa eval                       # bundled question set, report in eval-report/
qa eval --questions my.jsonl --out my-report
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from qa.assistant import Assistant
from qa.eval.baseline import TutorialBaseline
from qa.eval.metrics import QuestionResult, aggregate, first_relevant_rank, score_question
from qa.eval.questions import KINDS, Question, bundled_questions, load_questions

HEADLINE = [
    ("hit@5", "hit@5"),
    ("mrr", "MRR"),
    ("key_fact_accuracy", "key facts"),
    ("citation_precision", "citation prec."),
    ("abstention_recall", "abstain recall"),
    ("over_refusal", "over-refusal"),
    ("latency_p50_ms", "p50 ms"),
    ("latency_p95_ms", "p95 ms"),
]


def _fmt(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.3f}" if value < 10 else f"{value:.1f}"
    return str(value)


def baseline_scores(assistant: Assistant, questions: list[Question]) -> dict[str, Any]:
    started = time.perf_counter()
    baseline = TutorialBaseline(assistant.articles, assistant.embedder)
    answerable = [q for q in questions if q.answerable]
    ranks = [first_relevant_rank(baseline.retrieve(q.question), q) for q in answerable]
    return {
        "name": "LangChain tutorial (1,000-char splits, FAISS top 4)",
        "hit@5": sum(r is not None for r in ranks) / len(ranks),
        "mrr": sum(1 / r if r else 0.0 for r in ranks) / len(ranks),
        "seconds": round(time.perf_counter() - started, 2),
    }


def sweep_thresholds(results: list[QuestionResult]) -> list[dict[str, float]]:
    """Abstention recall and over-refusal had the threshold been t (confidence is threshold-free)."""
    answerable = [r.confidence for r in results if r.answerable]
    unanswerable = [r.confidence for r in results if not r.answerable]
    rows = []
    for step in range(20, 81):
        t = step / 100
        rows.append(
            {
                "threshold": t,
                "abstention_recall": sum(c < t for c in unanswerable) / max(1, len(unanswerable)),
                "over_refusal": sum(c < t for c in answerable) / max(1, len(answerable)),
            }
        )
    return rows


def run_evaluation(
    assistant: Assistant,
    questions_path: Path | None,
    out_dir: Path,
    with_baseline: bool = True,
    calibrate: bool = False,
    console: Console | None = None,
) -> dict[str, Any]:
    """Score every question; write report.json and report.md to out_dir; return the report."""
    # Logs and CI are not terminals: rich would squeeze the table to 80 columns there.
    console = console or Console(width=None if sys.stdout.isatty() else 160)
    path = Path(questions_path) if questions_path else bundled_questions()
    questions = load_questions(path, assistant.index.articles)
    k = 5
    assistant.ask(questions[0].question, k=k)  # warm-up: the model loads outside the timings
    results: list[QuestionResult] = []
    for q in questions:
        answer = assistant.ask(q.question, k=k)
        results.append(score_question(q, answer, assistant.index.articles, k))

    report: dict[str, Any] = {
        "questions_file": str(path),
        "settings": assistant.settings.model_dump(mode="json"),
        "settings_hash": assistant.settings.fingerprint(),
        "index_build_seconds": assistant.index.manifest.get("build_seconds"),
        "overall": aggregate(results, k),
        "by_kind": {
            kind: aggregate([r for r in results if r.kind == kind], k)
            for kind in KINDS
            if any(r.kind == kind for r in results)
        },
        "threshold_sweep": sweep_thresholds(results),
        "results": [asdict(r) for r in results],
    }
    if with_baseline:
        report["baseline"] = baseline_scores(assistant, questions)

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "report.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    (out_dir / "report.md").write_text(markdown_report(report))
    _print_summary(report, console, calibrate)
    console.print(f"\nReport: {out_dir / 'report.md'} and {out_dir / 'report.json'}")
    return report


def summary_rows(report: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    rows = [("all", report["overall"])]
    rows += list(report["by_kind"].items())
    return rows


def markdown_table(report: dict[str, Any]) -> str:
    head = "| questions | n | " + " | ".join(label for _, label in HEADLINE) + " |"
    sep = "|" + "---|" * (len(HEADLINE) + 2)
    lines = [head, sep]
    for name, metrics in summary_rows(report):
        cells = " | ".join(_fmt(metrics.get(key)) for key, _ in HEADLINE)
        lines.append(f"| {name} | {metrics['questions']} | {cells} |")
    if "baseline" in report:
        b = report["baseline"]
        cells = " | ".join(_fmt(b.get(key)) if key in ("hit@5", "mrr") else "–" for key, _ in HEADLINE)
        answerable = sum(1 for r in report["results"] if r["answerable"])
        lines.append(f"| {b['name']} | {answerable} | {cells} |")
    return "\n".join(lines)


def markdown_report(report: dict[str, Any]) -> str:
    failures = [r for r in report["results"] if r["why"]]
    parts = [
        "# Evaluation report",
        "",
        f"Question set: `{report['questions_file']}` · settings hash `{report['settings_hash']}` · "
        f"index build {report['index_build_seconds']} s",
        "",
        markdown_table(report),
        "",
        f"## Questions with a problem ({len(failures)})",
        "",
    ]
    for r in failures:
        parts.append(f"### {r['id']} ({r['kind']}): {r['question']}")
        parts.append("")
        parts.append(f"- answer: {r['answer']}")
        parts.append(f"- confidence {r['confidence']:.3f}, first relevant rank {r['first_relevant_rank']}")
        parts.append("- retrieved: " + ", ".join(f"{x['doc_id'][:3]}@{x['start']}" for x in r["retrieved"]))
        for reason in r["why"]:
            parts.append(f"- **{reason}**")
        parts.append("")
    return "\n".join(parts)


def _print_summary(report: dict[str, Any], console: Console, calibrate: bool) -> None:
    table = Table(title="Evaluation")
    table.add_column("questions")
    table.add_column("n", justify="right")
    for _, label in HEADLINE:
        table.add_column(label, justify="right")
    for name, metrics in summary_rows(report):
        table.add_row(name, str(metrics["questions"]), *(_fmt(metrics.get(key)) for key, _ in HEADLINE))
    if "baseline" in report:
        b = report["baseline"]
        table.add_row("tutorial baseline", "", _fmt(b["hit@5"]), _fmt(b["mrr"]), *["–"] * (len(HEADLINE) - 2))
    console.print(table)
    if calibrate:
        sweep = Table(title="Abstention threshold sweep")
        for col in ("threshold", "abstention recall", "over-refusal"):
            sweep.add_column(col, justify="right")
        for row in report["threshold_sweep"]:
            sweep.add_row(
                f"{row['threshold']:.2f}", f"{row['abstention_recall']:.3f}", f"{row['over_refusal']:.3f}"
            )
        console.print(sweep)

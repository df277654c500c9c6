"""The evaluation report: report.json for machines, report.md with tables and PNG plots for people,
and the summary printed in the terminal."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from qa.eval.runner import HEADLINE

LABELS = {
    "hit@5": "hit@5",
    "mrr": "MRR",
    "recall@5": "recall@5",
    "ndcg@10": "nDCG@10",
    "key_fact_accuracy": "key facts",
    "exact_match": "EM",
    "f1": "F1",
    "semantic_similarity": "semantic",
    "citation_precision": "cit. precision",
    "citation_recall": "cit. recall",
    "evidence_precision": "evidence prec.",
    "abstention_recall": "abstain recall",
    "over_refusal": "over-refusal",
    "attribution_accuracy": "attribution",
    "temporal_accuracy": "temporal",
    "disagreement_recall": "disagree recall",
    "disagreement_false_alarms": "false alarms",
    "llm_faithfulness": "LLM faithfulness",
    "llm_answer_relevancy": "LLM relevancy",
    "removed_sentences": "removed",
    "fallbacks": "fallbacks",
    "latency_p50_ms": "p50 ms",
    "latency_p95_ms": "p95 ms",
}
# The report table: the headline metrics with the secondary ones beside their kin, then latency.
TABLE_METRICS = [*HEADLINE[:3], "recall@5", HEADLINE[3], "f1", "semantic_similarity", *HEADLINE[4:]]
TABLE_METRICS += ["latency_p50_ms", "latency_p95_ms"]


def fmt(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.3f}" if value < 10 else f"{value:.1f}"
    return str(value)


def _rows(report: dict[str, Any]) -> list[tuple[str, int | str, dict[str, Any]]]:
    rows: list[tuple[str, int | str, dict[str, Any]]] = [
        ("all", report["overall"]["questions"], report["overall"])
    ]
    rows += [(kind, m["questions"], m) for kind, m in report["by_kind"].items()]
    return rows


def markdown_table(report: dict[str, Any]) -> str:
    head = "| questions | n | " + " | ".join(LABELS[m] for m in TABLE_METRICS) + " |"
    lines = [head, "|" + "---|" * (len(TABLE_METRICS) + 2)]
    for name, n, metrics in _rows(report):
        lines.append(f"| {name} | {n} | " + " | ".join(fmt(metrics.get(m)) for m in TABLE_METRICS) + " |")
    if "baseline" in report:
        b = report["baseline"]
        cells = " | ".join(fmt(b.get(m)) if m in b else "–" for m in TABLE_METRICS)
        lines.append(f"| {b['name']} | {sum(r['answerable'] for r in report['results'])} | {cells} |")
    return "\n".join(lines)


def intervals_table(report: dict[str, Any]) -> str:
    lines = ["| metric | value | 95% CI |", "|---|---|---|"]
    for m in HEADLINE:
        ci = report["intervals"].get(m)
        interval = f"{ci[0]:.3f} – {ci[1]:.3f}" if ci else "–"
        lines.append(f"| {LABELS[m]} | {fmt(report['overall'].get(m))} | {interval} |")
    return "\n".join(lines)


def comparison_table(report: dict[str, Any]) -> str:
    metrics = [*HEADLINE, "latency_p50_ms"]
    lines = ["| configuration | " + " | ".join(LABELS[m] for m in metrics) + " |"]
    lines.append("|" + "---|" * (len(metrics) + 1))
    runs = [{"name": "default (hybrid)", "overall": report["overall"]}, *report["comparisons"]]
    for run in runs:
        lines.append(f"| {run['name']} | " + " | ".join(fmt(run["overall"].get(m)) for m in metrics) + " |")
    if "baseline" in report:
        b = report["baseline"]
        lines.append(f"| {b['name']} | " + " | ".join(fmt(b.get(m)) for m in metrics) + " |")
    return "\n".join(lines)


def _plots(report: dict[str, Any], out_dir: Path) -> list[str]:
    """metrics.png (bars with 95% intervals per configuration) and latency.png; their file names."""
    import matplotlib  # noqa: PLC0415  (only the report needs it)

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    runs = [{"name": "default (hybrid)", "overall": report["overall"], "intervals": report["intervals"]}]
    runs += report["comparisons"]
    fig, ax = plt.subplots(figsize=(13, 4.5))
    width = 0.8 / len(runs)
    for i, run in enumerate(runs):
        values = [run["overall"].get(m) or 0.0 for m in HEADLINE]
        lows = [
            values[j] - (run["intervals"].get(m) or (values[j], values[j]))[0] for j, m in enumerate(HEADLINE)
        ]
        highs = [
            (run["intervals"].get(m) or (values[j], values[j]))[1] - values[j] for j, m in enumerate(HEADLINE)
        ]
        xs = [j + i * width for j in range(len(HEADLINE))]
        ax.bar(xs, values, width, yerr=[lows, highs], capsize=2, label=run["name"])
    ax.set_xticks([j + 0.4 - width / 2 for j in range(len(HEADLINE))])
    ax.set_xticklabels([LABELS[m] for m in HEADLINE], rotation=20, ha="right")
    ax.set_ylim(0, 1.05)
    ax.set_title("Headline metrics with 95% bootstrap intervals")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    fig.tight_layout()
    fig.savefig(out_dir / "metrics.png", dpi=110)
    plt.close(fig)

    latencies = [r["latency_ms"] for r in report["results"]]
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.hist(latencies, bins=30, color="#4c72b0")
    ax.axvline(report["overall"]["latency_p50_ms"], color="k", linestyle="--", label="p50")
    ax.axvline(report["overall"]["latency_p95_ms"], color="r", linestyle="--", label="p95")
    ax.set_xlabel("warm ask latency per question (ms)")
    ax.set_ylabel("questions")
    ax.legend()
    fig.tight_layout()
    fig.savefig(out_dir / "latency.png", dpi=110)
    plt.close(fig)
    return ["metrics.png", "latency.png"]


def markdown_report(report: dict[str, Any], plots: list[str]) -> str:
    counts = ", ".join(f"{n} {kind}" for kind, n in report["question_counts"].items())
    parts = [
        "# Evaluation report",
        "",
        f"Question set: `{report['questions_file']}` ({counts}) · settings hash "
        f"`{report['settings_hash']}` · index build {report['index_build_seconds']} s · "
        f"evaluation {report['seconds']} s · answerer `{report['settings'].get('llm') or 'extractive'}`"
        f" · sentences removed by verification: {report['overall'].get('removed_sentences', 0)}"
        f" · extractive fallbacks: {report['overall'].get('fallbacks', 0)}",
        "",
        f"Citation support judged by: {report.get('support_judge') or 'containment + cosine'}.",
        "",
        markdown_table(report),
        "",
        "## Headline metrics with 95% bootstrap intervals (1,000 resamples of the questions)",
        "",
        intervals_table(report),
        "",
    ]
    if report.get("judged_by"):
        parts += [llm_judge_section(report), ""]
    if report["comparisons"] or "baseline" in report:
        parts += ["## Configurations compared", "", comparison_table(report), ""]
    parts += [f"![{name}]({name})" for name in plots]
    failures = [r for r in report["results"] if r["why"]]
    parts += ["", f"## Questions with a problem ({len(failures)} of {len(report['results'])})", ""]
    for r in failures:
        parts += [
            f"### {r['id']} ({r['kind']}): {r['question']}",
            "",
            f"- answer: {r['answer']}",
            f"- reference: {r['reference'] or '(unanswerable)'}",
            f"- confidence {r['confidence']:.3f} · first relevant rank {r['first_relevant_rank']} · "
            f"recall@5 {r['recall_at_5']:.2f} · F1 {r['f1']:.2f} · semantic {r['semantic']:.2f}",
            "- retrieved: " + ", ".join(f"{x['doc_id'][:3]}@{x['start']}" for x in r["retrieved"]),
            *[f"- **{reason}**" for reason in r["why"]],
            "",
        ]
    return "\n".join(parts)


def llm_judge_section(report: dict[str, Any]) -> str:
    """The LLM judge's figures, labelled with the model that judged (its opinion, not ground truth)."""
    lines = [
        f"## Judged by an LLM: {report['judged_by']}",
        "",
        "RAGAS-style, in the judging model's opinion: *faithfulness* is the share of an answer's "
        "statements the model finds supported by the retrieved passages; *answer relevancy* the mean "
        "cosine between the question and questions the model writes for the answer. Abstentions are "
        "not judged; an unreadable reply counts as not judged and is listed under its question.",
        "",
        "| questions | judged | LLM faithfulness | LLM relevancy |",
        "|---|---|---|---|",
    ]
    for name, n, metrics in _rows(report):
        results = [r for r in report["results"] if name == "all" or r["kind"] == name]
        judged = sum(r.get("llm_faithfulness") is not None for r in results)
        lines.append(
            f"| {name} | {judged} of {n} | {fmt(metrics.get('llm_faithfulness'))} | "
            f"{fmt(metrics.get('llm_answer_relevancy'))} |"
        )
    return "\n".join(lines)


def write_report(report: dict[str, Any], out_dir: Path) -> list[Path]:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    plots = _plots(report, out_dir)
    (out_dir / "report.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    (out_dir / "report.md").write_text(markdown_report(report, plots))
    return [out_dir / "report.md", out_dir / "report.json", *(out_dir / p for p in plots)]


def print_summary(report: dict[str, Any], console: Console, calibrate: bool = False) -> None:
    table = Table(title="Evaluation")
    table.add_column("questions", no_wrap=True)
    table.add_column("n", justify="right")
    shown = [*HEADLINE, "latency_p50_ms", "latency_p95_ms"]
    for m in shown:
        table.add_column(LABELS[m], justify="right")
    for name, n, metrics in _rows(report):
        table.add_row(name, str(n), *(fmt(metrics.get(m)) for m in shown))
    if "baseline" in report:
        b = report["baseline"]
        table.add_row("tutorial baseline", "", *(fmt(b.get(m)) if m in b else "–" for m in shown))
    for run in report["comparisons"]:
        table.add_row(run["name"], "", *(fmt(run["overall"].get(m)) for m in shown))
    console.print(table)
    if report.get("support_judge"):
        console.print(f"Citation support judged by: {report['support_judge']}.", highlight=False)
    if report.get("judged_by"):
        o = report["overall"]
        console.print(
            f"Judged by {report['judged_by']}: faithfulness {fmt(o.get('llm_faithfulness'))}, "
            f"answer relevancy {fmt(o.get('llm_answer_relevancy'))}."
        )
    if calibrate:
        sweep = Table(title="Abstention threshold sweep")
        for col in ("threshold", "abstention recall", "over-refusal"):
            sweep.add_column(col, justify="right")
        for row in report["threshold_sweep"]:
            sweep.add_row(
                f"{row['threshold']:.2f}", f"{row['abstention_recall']:.3f}", f"{row['over_refusal']:.3f}"
            )
        console.print(sweep)

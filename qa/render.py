"""How answers and passages look in a terminal."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape

from qa.records import Answer, Passage


def source_line(title: str | None, outlet: str | None, date: str | None, doc_id: str) -> str:
    """ "Title — Outlet, 2024-07-20 (doc_id)", leaving out what the article doesn't state."""
    label = title or "Untitled article"
    meta = ", ".join(x for x in (outlet, date) if x) or "outlet and date not stated"
    return f"{label} — {meta} ({doc_id})"


def score_line(passage: Passage) -> str:
    """ "score 0.6430 · cosine 0.74 · BM25 7.20": the fused score and the rankers that found it.

    A passage no ranker scored was read by the answerer with its whole article (a comparison of
    named articles looks beyond the retrieved passages), and says so."""
    if not passage.score and passage.dense_score is None and passage.bm25_score is None:
        return "read with its whole article, not retrieved"
    scores = f"score {passage.score:.4f}"
    if passage.dense_score is not None:
        scores += f" · cosine {passage.dense_score:.2f}"
    if passage.bm25_score is not None:
        scores += f" · BM25 {passage.bm25_score:.2f}"
    return scores


def print_answer(answer: Answer, console: Console) -> None:
    if answer.abstained:
        console.print(f"[bold yellow]{escape(answer.text)}[/]")
        for note in answer.notes:
            console.print(f"[yellow]{escape(note)}[/]", highlight=False)
        console.print("\n[dim]Closest passages (not an answer):[/]")
        print_passages(answer.passages[:3], console, numbered=False)
        return
    console.print(escape(answer.text), highlight=False)
    for note in answer.notes:
        console.print(f"[yellow]{escape(note)}[/]", highlight=False)
    for removal in answer.removed:
        console.print(
            f"[dim]removed: “{escape(removal['sentence'])}” ({escape(removal['reason'])})[/]", highlight=False
        )
    console.print("\n[bold]Sources[/]")
    shown: set[int] = set()
    for citation in answer.citations:
        if citation.n not in shown:
            shown.add(citation.n)
            line = source_line(citation.title, citation.outlet, citation.date, citation.doc_id)
            console.print(f"[bold][{citation.n}][/] {escape(line)}", highlight=False)
        console.print(
            f"    [italic]“{escape(citation.quote)}”[/]  [dim]chars {citation.start}–{citation.end}[/]",
            highlight=False,
        )
    console.print(
        f"\n[dim]{answer.answerer} · confidence {answer.confidence:.2f} · {answer.latency_ms:.0f} ms[/]"
    )


def print_passages(passages: list[Passage], console: Console, numbered: bool = True) -> None:
    for i, passage in enumerate(passages, start=1):
        head = f"[{i}] " if numbered else "- "
        line = source_line(passage.title, passage.outlet, passage.date, passage.doc_id)
        console.print(
            f"[bold]{escape(head)}[/]{escape(line)}  [dim]{score_line(passage)}[/]", highlight=False
        )
        console.print(f"    {escape(passage.text)}", highlight=False)

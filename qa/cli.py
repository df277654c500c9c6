"""The `qa` command: ask, retrieve, index, eval, ui. It only calls the Python API.

qa ask "How many ISIS attacks did CENTCOM count in the first half of 2024?"
qa ask --json "When was Qasem Soleimani killed?"
qa index --corpus ~/my-articles --index ~/my-index
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.logging import RichHandler
from rich.markup import escape

from qa.errors import QAError
from qa.settings import Settings

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Ask questions of a folder of news articles; every answer cites its sources.",
)
# Pipes and CI logs are not terminals: rich would squeeze tables to 80 columns there.
out = Console(width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True)

CorpusOpt = Annotated[Path | None, typer.Option("--corpus", help="Folder of articles (env QA_CORPUS_DIR).")]
IndexOpt = Annotated[Path | None, typer.Option("--index", help="Index folder (env QA_INDEX_DIR).")]
ModelOpt = Annotated[
    str | None, typer.Option("--model", help="Embedding model name or local folder (env QA_EMBEDDING_MODEL).")
]
KOpt = Annotated[int | None, typer.Option("--k", "-k", help="Passages to retrieve (env QA_K).")]
LLMOpt = Annotated[
    str | None,
    typer.Option(
        "--llm", help="ollama:MODEL, openai:MODEL, hf:/path or smollm2 (env QA_LLM); default: none."
    ),
]


def _settings(**overrides: Any) -> Settings:
    try:
        return Settings().with_overrides(**overrides)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'settings'}: {e['msg']}" for e in exc.errors()
        )
        raise QAError(f"Invalid settings: {problems}") from exc


def _progress_bar():
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn  # noqa: PLC0415

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=False,
    )


def _assistant(settings: Settings):
    from qa.assistant import Assistant  # noqa: PLC0415

    with _progress_bar() as progress:
        tasks: dict[str, Any] = {}

        def on_progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = progress.add_task(stage, total=total)
            progress.update(tasks[stage], completed=done, total=total)

        return Assistant.from_settings(settings, on_progress=on_progress)


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="The question, in quotes.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the Answer as JSON.")] = False,
    k: KOpt = None,
    corpus: CorpusOpt = None,
    index: IndexOpt = None,
    model: ModelOpt = None,
    llm: LLMOpt = None,
) -> None:
    """Answer a question with cited sources, or say the articles don't answer it."""
    settings = _settings(corpus_dir=corpus, index_dir=index, embedding_model=model, k=k, llm=llm)
    from qa.assistant import check_question  # noqa: PLC0415

    check_question(question, settings)  # a bad question fails before any model loads
    assistant = _assistant(settings)
    printer = None if as_json else _draft_printer(assistant)
    answer = assistant.ask(question, k=k, on_token=printer)
    if printer is not None:
        err.print("\n")
    if as_json:
        print(json.dumps(answer.to_dict(), indent=2, ensure_ascii=False))
        return
    from qa.render import print_answer  # noqa: PLC0415

    print_answer(answer, out)


def _draft_printer(assistant):
    """Stream an LLM's draft to stderr, dimmed; the verified answer is printed after it."""
    if assistant.generative is None:
        return None
    started = False

    def on_token(text: str) -> None:
        nonlocal started
        if not started:
            err.print("[dim]draft (before verification):[/] ", end="")
            started = True
        err.print(f"[dim]{escape(text)}[/]", end="", highlight=False, soft_wrap=True)

    return on_token


@app.command()
def chat(
    k: KOpt = None,
    corpus: CorpusOpt = None,
    index: IndexOpt = None,
    llm: LLMOpt = None,
) -> None:
    """A conversation in the terminal: follow-up questions are completed from the earlier ones."""
    settings = _settings(corpus_dir=corpus, index_dir=index, k=k, llm=llm)
    assistant = _assistant(settings)
    from qa.render import print_answer  # noqa: PLC0415

    out.print(f"[bold]News QA[/] ({', '.join(assistant.answerer_names)}). Empty line or Ctrl-D to quit.")
    history: list[str] = []
    while True:
        try:
            question = input("\n? ").strip()
        except EOFError:
            break
        if not question:
            break
        try:
            answer = assistant.ask(question, k=k, history=history, on_token=_draft_printer(assistant))
        except QAError as exc:
            err.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False)
            continue
        err.print()
        if answer.rewritten_question:
            out.print(f"[dim]searched as: {escape(answer.rewritten_question)}[/]", highlight=False)
        print_answer(answer, out)
        history.append(question)


@app.command()
def retrieve(
    question: Annotated[str, typer.Argument(help="The question, in quotes.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the passages as JSON.")] = False,
    k: KOpt = None,
    corpus: CorpusOpt = None,
    index: IndexOpt = None,
    model: ModelOpt = None,
) -> None:
    """Show the passages retrieved for a question, best first, with their scores."""
    settings = _settings(corpus_dir=corpus, index_dir=index, embedding_model=model, k=k)
    passages = _assistant(settings).retrieve(question, k=k)
    if as_json:
        print(json.dumps([p.to_dict() for p in passages], indent=2, ensure_ascii=False))
        return
    from qa.render import print_passages  # noqa: PLC0415

    print_passages(passages, out)


@app.command()
def index(
    corpus: CorpusOpt = None,
    index: IndexOpt = None,
    model: ModelOpt = None,
    force: Annotated[
        bool, typer.Option("--force", help="Rebuild even when the index is up to date.")
    ] = False,
) -> None:
    """Build (or refresh) the index of a corpus folder. Any .txt/.md/.html articles."""
    settings = _settings(corpus_dir=corpus, index_dir=index, embedding_model=model)
    assistant = _assistant(settings)
    if force:
        with _progress_bar() as progress:
            tasks: dict[str, Any] = {}

            def on_progress(stage: str, done: int, total: int) -> None:
                tasks.setdefault(stage, progress.add_task(stage, total=total))
                progress.update(tasks[stage], completed=done, total=total)

            assistant.rebuild_index(on_progress)
    manifest = assistant.index.manifest
    counts = manifest["counts"]
    out.print(
        f"Index ready in {assistant.index.directory}: {counts['articles']} articles, "
        f"{counts['passages']} passages, {counts['sentences']} sentences "
        f"(built {manifest['built_at']} in {manifest['build_seconds']}s)."
    )


@app.command("eval")
def evaluate(
    questions: Annotated[
        Path | None, typer.Option("--questions", help="Question set (JSONL); default: the bundled one.")
    ] = None,
    out_dir: Annotated[
        Path, typer.Option("--out", help="Where report.md, report.json and the plots go.")
    ] = Path("eval-report"),
    baseline: Annotated[bool, typer.Option(help="Also score the LangChain tutorial pipeline.")] = True,
    compare: Annotated[
        bool, typer.Option(help="Also run dense only, BM25 only and other passage sizes, side by side.")
    ] = False,
    calibrate: Annotated[bool, typer.Option(help="Print the abstention threshold sweep.")] = False,
    check: Annotated[
        Path | None,
        typer.Option(help="Thresholds file (JSON {min: {...}, max: {...}}); exit 1 if a metric misses one."),
    ] = None,
    judge: Annotated[
        str | None,
        typer.Option(
            help="An LLM that judges each answer's faithfulness and relevancy (RAGAS-style), "
            "e.g. ollama:llama3.1; same forms as --llm, same server settings."
        ),
    ] = None,
    corpus: CorpusOpt = None,
    index: IndexOpt = None,
    llm: LLMOpt = None,
) -> None:
    """Score retrieval, answers, citations, abstention and latency on a fixed question set."""
    from qa.eval.llm_judge import LLMJudge  # noqa: PLC0415
    from qa.eval.report import print_summary, write_report  # noqa: PLC0415
    from qa.eval.runner import check_thresholds, run_evaluation  # noqa: PLC0415

    thresholds = _read_thresholds(check) if check else None
    settings = _settings(corpus_dir=corpus, index_dir=index, llm=llm)
    assistant = _assistant(settings)
    llm_judge = LLMJudge.from_settings(_settings(llm=judge), assistant.embedder) if judge else None
    report = run_evaluation(
        assistant, questions, with_baseline=baseline, compare=compare, llm_judge=llm_judge
    )
    files = write_report(report, out_dir)
    print_summary(report, out, calibrate)
    out.print("\nReport: " + ", ".join(str(f) for f in files))
    if thresholds is not None:
        failures = check_thresholds(report, thresholds)
        if failures:
            raise QAError(f"Evaluation below the thresholds in {check}: " + "; ".join(failures))
        out.print(f"[green]All headline metrics meet the thresholds in {check}.[/]")


def _read_thresholds(path: Path) -> dict:
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise QAError(f"Cannot read the thresholds file {path}: {exc}") from None
    if not isinstance(data, dict) or not set(data) <= {"min", "max", "comment"}:
        raise QAError(f"{path}: expected a JSON object with 'min' and/or 'max' maps of metric to bound.")
    return data


@app.command()
def bench(
    sizes: Annotated[
        str,
        typer.Option(
            help="Synthetic corpus sizes in passages, comma-separated ('' for none): embedded for real; "
            "build throughput and quality in a haystack."
        ),
    ] = "5000",
    scale: Annotated[
        str,
        typer.Option(
            help="Latency-at-scale corpus sizes in passages, comma-separated ('' for none): vectors made "
            "from the seed index's real ones, not embedded; timings and recall only."
        ),
    ] = "100000",
    out_dir: Annotated[Path, typer.Option("--out", help="Where bench.json and bench.md go.")] = Path(
        "bench-report"
    ),
    work_dir: Annotated[
        Path, typer.Option("--work", help="Scratch folder for the synthetic corpora and indexes.")
    ] = Path("bench-work"),
    corpus: CorpusOpt = None,
) -> None:
    """Measure index build, query latency, cold start, concurrency and quality at scale."""
    from qa.bench import run_bench  # noqa: PLC0415

    lists = {}
    for flag, value in (("--sizes", sizes), ("--scale", scale)):
        try:
            lists[flag] = [int(x) for x in value.replace("_", "").split(",") if x.strip()]
        except ValueError:
            raise QAError(f"{flag} must be whole numbers separated by commas, not {value!r}.") from None
    seeds = corpus or Settings().corpus_dir
    run_bench(lists["--sizes"], out_dir, work_dir, seeds, lists["--scale"])
    out.print((out_dir / "bench.md").read_text(), highlight=False)


@app.command()
def ui(
    host: Annotated[
        str | None, typer.Option(help="Address to listen on (env QA_HOST, default 127.0.0.1).")
    ] = None,
    port: Annotated[int | None, typer.Option(help="Port (env QA_PORT, default 7860).")] = None,
    corpus: CorpusOpt = None,
    index: IndexOpt = None,
    llm: LLMOpt = None,
) -> None:
    """Open the chat UI in the browser (http://HOST:PORT)."""
    from qa.ui import launch  # noqa: PLC0415

    settings = _settings(corpus_dir=corpus, index_dir=index, host=host, port=port, llm=llm)
    launch(_assistant(settings))


def main() -> None:
    """Entry point: a QAError is one line on stderr and exit code 1, never a traceback."""
    logging.basicConfig(
        level=logging.WARNING, format="%(message)s", handlers=[RichHandler(console=err, show_path=False)]
    )
    logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs its internals at DEBUG
    try:
        app(standalone_mode=False)
    except QAError as exc:
        err.print(f"[bold red]error:[/] {exc}", highlight=False)
        sys.exit(1)
    except (typer.Abort, KeyboardInterrupt):
        err.print("interrupted")
        sys.exit(130)
    except Exception as exc:  # click's usage errors carry their own exit code
        import click  # noqa: PLC0415

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        if isinstance(exc, click.exceptions.Exit):
            sys.exit(exc.exit_code)
        raise

"""The chat UI (Gradio) and the HTTP API, served together.

qa ui                      # or: make run  ->  http://127.0.0.1:7860  (UI at /, JSON API at /api/...)

The UI shows the answer with [n] markers that link to source cards; each card
shows the passage with the cited sentence highlighted. Article text is always
escaped: a corpus file holding <script> shows as text.
"""

from __future__ import annotations

import html
import queue
import re
import threading
from typing import Any

from qa.api import build_api, corpus_summary
from qa.assistant import Assistant
from qa.errors import QAError
from qa.records import Answer, Passage
from qa.render import score_line, source_line

EXAMPLES = [
    "How many ISIS attacks did CENTCOM count in the first half of 2024?",
    "When was Qasem Soleimani killed?",
    "How many US troops are still in Iraq?",
    "Why do Sunnis fear a US withdrawal?",
    "Who won the October 2021 Iraqi elections?",
]

CSS = """
.source-card { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 10px 12px;
  margin-bottom: 10px; background: var(--background-fill-secondary); }
.source-card .head { font-size: 0.9em; margin-bottom: 6px; }
.source-card .meta { color: var(--body-text-color-subdued); font-size: 0.85em; }
.source-card .text { line-height: 1.5; white-space: pre-wrap; overflow-wrap: anywhere; }
.source-card mark { background: #fde68a; color: #111; padding: 0 2px; border-radius: 3px; }
.source-card.not-answer { border-style: dashed; opacity: 0.9; }
.not-answer-banner { background: #fef3c7; color: #78350f; border-radius: 6px; padding: 8px 10px;
  margin-bottom: 10px; }
.rewritten { color: var(--body-text-color-subdued); font-size: 0.85em; }
details.source-card summary { cursor: pointer; }
"""

_MARKER = re.compile(r"\[(\d{1,3})\]")


def _md_escape(text: str) -> str:
    """Article text as inert Markdown: HTML escaped, Markdown control characters neutralised."""
    escaped = html.escape(text, quote=False)
    for ch in "\\`*_[]#|<>~":
        escaped = escaped.replace(ch, "\\" + ch)
    return escaped


def answer_message(answer: Answer) -> str:
    """The chat message: the answer with [n] linked to its source card, escaped throughout."""
    parts: list[str] = []
    if answer.rewritten_question:
        parts.append(f'<span class="rewritten">Searched as: {html.escape(answer.rewritten_question)}</span>')
    if answer.abstained:
        parts.append(f"**{_md_escape(answer.text)}**")
        parts.append("_The closest passages are shown under Sources, marked as not an answer._")
        parts.extend(f"_{_md_escape(note)}_" for note in answer.notes)
        return "\n\n".join(parts)
    cited = {c.n for c in answer.citations}
    text = _md_escape(answer.text)
    # Escaping turned "[n]" into "\[n\]"; link the markers that are real citations.
    text = re.sub(
        r"\\\[(\d{1,3})\\\]",
        lambda m: f'<a class="cite" href="#src-{m[1]}">[{m[1]}]</a>' if int(m[1]) in cited else m[0],
        text,
    )
    parts.append(text)
    parts.extend(f"_{_md_escape(note)}_" for note in answer.notes)
    if answer.removed:
        removed = "<br>".join(
            f"✗ {html.escape(r['sentence'])} <i>({html.escape(r['reason'])})</i>" for r in answer.removed
        )
        parts.append(
            f"<details><summary>Removed by verification ({len(answer.removed)})</summary>{removed}</details>"
        )
    sources = ", ".join(
        f"[{c.n}] {_md_escape(c.title or c.doc_id)}" + (f" ({_md_escape(c.date)})" if c.date else "")
        for c in {c.n: c for c in answer.citations}.values()
    )
    parts.append(f"<small>Sources: {sources} · confidence {answer.confidence:.2f}</small>")
    return "\n\n".join(parts)


def _highlighted(passage: Passage, quotes: list[tuple[int, int]]) -> str:
    """The passage text, escaped, with each quoted span (article offsets) in <mark>."""
    pieces: list[str] = []
    cursor = passage.start
    for start, end in sorted(quotes):
        start, end = max(start, cursor), min(end, passage.end)
        if start >= end:
            continue
        pieces.append(html.escape(passage.text[cursor - passage.start : start - passage.start]))
        quote = passage.text[start - passage.start : end - passage.start]
        pieces.append(f"<mark>{html.escape(quote)}</mark>")
        cursor = end
    pieces.append(html.escape(passage.text[cursor - passage.start :]))
    return "".join(pieces)


def _card(n: int, passage: Passage, quotes: list[tuple[int, int]], kind: str) -> str:
    line = html.escape(source_line(passage.title, passage.outlet, passage.date, passage.doc_id))
    scores = score_line(passage)
    offsets = f"chars {passage.start}–{passage.end}"
    head = (
        f'<div class="head"><b>[{n}]</b> {line}<br>'
        f'<span class="meta">{scores} · {offsets}</span></div>'
        f'<div class="text">{_highlighted(passage, quotes)}</div>'
    )
    if kind == "cited":
        return f'<div class="source-card cited" id="src-{n}">{head}</div>'
    if kind == "not-answer":
        return f'<div class="source-card not-answer" id="src-{n}">{head}</div>'
    return (
        f'<details class="source-card retrieved" id="src-{n}"><summary>[{n}] {line} '
        f'<span class="meta">(retrieved, not cited)</span></summary>{head}</details>'
    )


def sources_html(answer: Answer | None) -> str:
    """Source cards: cited passages with the quote highlighted, then the rest collapsed."""
    if answer is None:
        return '<p class="meta">Sources of the latest answer appear here.</p>'
    if answer.abstained:
        cards = [_card(i, p, [], "not-answer") for i, p in enumerate(answer.passages, start=1)]
        banner = (
            '<div class="not-answer-banner">Not an answer: the articles don\'t answer this. '
            "These are the closest passages.</div>"
        )
        return banner + "".join(cards)
    quotes: dict[int, list[tuple[int, int]]] = {}
    for c in answer.citations:
        quotes.setdefault(c.n, []).append((c.start, c.end))
    cards = [
        _card(i, p, quotes.get(i, []), "cited" if i in quotes else "retrieved")
        for i, p in enumerate(answer.passages, start=1)
    ]
    return "<h4>Sources</h4>" + "".join(cards)


def _filters(outlets: list[str] | None, doc_ids: list[str] | None, date_from: str, date_to: str) -> dict:
    return {
        "outlets": list(outlets or []),
        "doc_ids": list(doc_ids or []),
        "date_from": (date_from or "").strip() or None,
        "date_to": (date_to or "").strip() or None,
    }


def _corpus_rows(assistant: Assistant) -> list[list[Any]]:
    return [
        [a["title"] or "(untitled)", a["outlet"] or "–", a["date"] or "–", a["passages"], a["doc_id"]]
        for a in corpus_summary(assistant)["articles"]
    ]


def _index_status(assistant: Assistant) -> str:
    info = corpus_summary(assistant)["index"]
    counts = info["counts"] or {}
    return (
        f"**Index:** {counts.get('articles')} articles, {counts.get('passages')} passages, "
        f"{counts.get('sentences')} sentences · built {info['built_at']} in {info['build_seconds']} s · "
        f"model `{info['embedding_model']}`"
    )


def build_app(assistant: Assistant) -> Any:
    import gradio as gr  # noqa: PLC0415  (slow import; the CLI and Python API don't need it)

    outlets = sorted({a.outlet for a in assistant.articles if a.outlet})
    article_choices = [(f"{a.title or a.doc_id}", a.doc_id) for a in assistant.articles]

    def respond(message, chat, questions, outlet_sel, doc_sel, date_from, date_to, answerer):
        chat = list(chat or [])
        questions = list(questions or [])
        message = (message or "").strip()
        if not message:
            yield "", chat, questions, gr.skip()
            return
        chat.append({"role": "user", "content": _md_escape(message)})
        chat.append({"role": "assistant", "content": "_Searching the articles…_"})
        yield "", chat, questions, gr.skip()
        # The answer is worked out in a thread; an LLM's draft streams into the chat meanwhile.
        tokens: queue.Queue[str] = queue.Queue()
        outcome: dict[str, Any] = {}

        def work() -> None:
            try:
                outcome["answer"] = assistant.ask(
                    message,
                    filters=_filters(outlet_sel, doc_sel, date_from, date_to),
                    history=questions,
                    answerer=answerer or None,
                    on_token=tokens.put,
                )
            except QAError as exc:
                outcome["error"] = exc
            except Exception as exc:  # never leave the chat hanging on "Searching…"
                outcome["error"] = QAError(f"Something went wrong: {exc}")

        worker = threading.Thread(target=work, daemon=True)
        worker.start()
        draft = ""
        while worker.is_alive() or not tokens.empty():
            try:
                draft += tokens.get(timeout=0.2)
            except queue.Empty:
                continue
            while not tokens.empty():
                draft += tokens.get_nowait()
            chat[-1] = {"role": "assistant", "content": f"_Draft, being verified:_ {_md_escape(draft)}"}
            yield "", chat, questions, gr.skip()
        worker.join()
        if "error" in outcome:
            chat[-1] = {"role": "assistant", "content": f"⚠️ {_md_escape(str(outcome['error']))}"}
            yield "", chat, questions, gr.skip()
            return
        answer = outcome["answer"]
        questions.append(message)
        chat[-1] = {"role": "assistant", "content": answer_message(answer)}
        yield "", chat, questions, sources_html(answer)

    def clear():
        return [], [], sources_html(None)

    def rebuild(progress=gr.Progress()):  # noqa: B008  (Gradio injects the tracker this way)
        def report(stage: str, done: int, total: int) -> None:
            progress((done, total) if total else None, desc=stage)

        assistant.rebuild_index(on_progress=report)
        return _corpus_rows(assistant), _index_status(assistant)

    def api_ask(question: str, k: int | None = None, filters: dict | None = None) -> dict:
        """Ask a question; returns the Answer as a dict (text, citations, passages, abstained...)."""
        try:
            return assistant.ask(question, k=int(k) if k else None, filters=filters or None).to_dict()
        except QAError as exc:
            raise gr.Error(str(exc)) from None

    with gr.Blocks(title="News QA") as app:
        gr.Markdown(
            "## News QA\nAsk about the articles. Every answer sentence cites its source [n]; "
            "when the articles don't say, the assistant says so."
        )
        questions = gr.State([])
        with gr.Row(equal_height=False):
            with gr.Column(scale=3, min_width=320):
                chat = gr.Chatbot(
                    label="Conversation", height=480, elem_id="chat", sanitize_html=True, buttons=["copy"]
                )
                with gr.Row():
                    box = gr.Textbox(
                        placeholder="Ask a question about the articles…",
                        show_label=False,
                        scale=5,
                        elem_id="question",
                        autofocus=True,
                    )
                    ask_btn = gr.Button("Ask", variant="primary", scale=1, elem_id="ask", min_width=80)
                gr.Examples(EXAMPLES, inputs=box, label="Examples")
                with gr.Accordion("Filters", open=False):
                    outlet_sel = gr.Dropdown(
                        outlets, multiselect=True, label="Outlets (articles without a stated outlet drop out)"
                    )
                    doc_sel = gr.Dropdown(article_choices, multiselect=True, label="Articles")
                    with gr.Row():
                        date_from = gr.Textbox(label="From (YYYY, YYYY-MM or YYYY-MM-DD)", max_lines=1)
                        date_to = gr.Textbox(label="To", max_lines=1)
                names = assistant.answerer_names
                answerer = gr.Dropdown(
                    names, value=names[0], label="Answerer", visible=len(names) > 1, elem_id="answerer"
                )
                clear_btn = gr.Button("New conversation", size="sm")
            with gr.Column(scale=2, min_width=300):
                sources = gr.HTML(sources_html(None), elem_id="sources")
        with gr.Accordion("Corpus and index", open=False):
            corpus = gr.Dataframe(
                _corpus_rows(assistant),
                headers=["title", "outlet", "date", "passages", "doc id"],
                interactive=False,
                wrap=True,
            )
            status = gr.Markdown(_index_status(assistant))
            rebuild_btn = gr.Button("Rebuild the index", size="sm")

        inputs = [box, chat, questions, outlet_sel, doc_sel, date_from, date_to, answerer]
        outputs = [box, chat, questions, sources]
        box.submit(respond, inputs, outputs, api_visibility="private")
        ask_btn.click(respond, inputs, outputs, api_visibility="private")
        clear_btn.click(clear, None, [chat, questions, sources], api_visibility="private")
        rebuild_btn.click(rebuild, None, [corpus, status], api_visibility="private")
        gr.api(api_ask, api_name="ask")
    return app


def build_server(assistant: Assistant) -> Any:
    """The FastAPI app: JSON API under /api, the chat UI at /."""
    import gradio as gr  # noqa: PLC0415

    api = build_api(assistant)
    app = build_app(assistant).queue(default_concurrency_limit=4)
    return gr.mount_gradio_app(api, app, path="/", css=CSS)


def launch(assistant: Assistant) -> None:
    import uvicorn  # noqa: PLC0415

    settings = assistant.settings
    print(f"News QA on http://{settings.host}:{settings.port}  (JSON API: /api/ask, docs: /api/docs)")
    uvicorn.run(build_server(assistant), host=settings.host, port=settings.port, log_level="warning")

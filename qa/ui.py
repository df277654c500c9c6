"""The chat UI (Gradio): ask questions of the corpus, read cited answers and their sources.

qa ui                      # or: make run
"""

from __future__ import annotations

import html
from typing import Any

from qa.assistant import Assistant
from qa.errors import QAError
from qa.records import Answer
from qa.render import source_line

EXAMPLES = [
    "How many ISIS attacks did CENTCOM count in the first half of 2024?",
    "When was Qasem Soleimani killed?",
    "How many US troops are still in Iraq?",
    "Why do Sunnis fear a US withdrawal?",
    "Who won the October 2021 Iraqi elections?",
]


def _md_escape(text: str) -> str:
    """Article text as inert Markdown: HTML escaped, Markdown control characters neutralised."""
    escaped = html.escape(text, quote=False)
    for ch in "\\`*_[]#|<>":
        escaped = escaped.replace(ch, "\\" + ch)
    return escaped


def answer_markdown(answer: Answer) -> str:
    """The answer and its sources as Markdown, every piece of article text escaped."""
    lines: list[str] = []
    if answer.abstained:
        lines.append(f"**{_md_escape(answer.text)}**")
        lines.append("")
        lines.append("_Closest passages (not an answer):_")
        for passage in answer.passages[:3]:
            line = source_line(passage.title, passage.outlet, passage.date, passage.doc_id)
            lines.append(f"- {_md_escape(line)}: {_md_escape(passage.text[:300])}…")
        return "\n".join(lines)
    lines.append(_md_escape(answer.text))
    lines.append("")
    lines.append("**Sources**")
    for citation in answer.citations:
        line = source_line(citation.title, citation.outlet, citation.date, citation.doc_id)
        lines.append(f"- **\\[{citation.n}\\]** {_md_escape(line)}")
        lines.append(f"  > {_md_escape(citation.quote)}")
    return "\n".join(lines)


def build_app(assistant: Assistant) -> Any:
    import gradio as gr  # noqa: PLC0415  (slow import; the CLI and API don't need it)

    def respond(message: str, history: list[dict[str, Any]]) -> str:
        try:
            return answer_markdown(assistant.ask(message))
        except QAError as exc:
            return f"⚠️ {_md_escape(str(exc))}"

    counts = assistant.index.manifest["counts"]
    return gr.ChatInterface(
        respond,
        title="News QA",
        description=(
            f"Ask about {counts['articles']} articles ({counts['passages']} passages). "
            "Every answer sentence cites its source; when the articles don't say, the assistant says so."
        ),
        examples=EXAMPLES,
        api_name="ask",
    )


def launch(assistant: Assistant) -> None:
    app = build_app(assistant)
    app.launch(server_name=assistant.settings.host, server_port=assistant.settings.port)

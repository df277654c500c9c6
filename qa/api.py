"""The plain JSON HTTP API, served beside the chat UI by `qa ui` (and `make run`).

    curl -s http://127.0.0.1:7860/api/ask -H 'content-type: application/json' \\
         -d '{"question": "When was Qasem Soleimani killed?", "k": 5}'

POST /api/ask       {"question", "k"?, "filters"?, "history"?}  ->  Answer.to_dict()
POST /api/retrieve  {"question", "k"?, "filters"?}              ->  {"passages": [...]}
GET  /api/articles                                               ->  {"articles": [...], "index": {...}}
GET  /api/health                                                 ->  {"status": "ok", ...}

A bad request gets HTTP 400 (or 422 for a malformed body) with {"detail": "<what is wrong>"}.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, HTTPException
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from qa.assistant import Assistant
from qa.errors import QAError
from qa.filters import Filters


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: str = Field(description="The question about the articles.")
    k: int | None = Field(None, ge=1, le=100, description="Passages to retrieve (default: settings.k).")
    filters: Filters | None = Field(None, description="Outlets, doc ids and date range to restrict to.")
    history: list[str] = Field(
        default_factory=list, description="Earlier questions of the conversation, oldest first."
    )
    answerer: str | None = Field(None, description="'extractive' or the configured LLM (default).")


class RetrieveRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: str
    k: int | None = Field(None, ge=1, le=100)
    filters: Filters | None = None


def corpus_summary(assistant: Assistant) -> dict[str, Any]:
    """The articles (title, outlet, date, passage count) and the index status."""
    per_doc: dict[str, int] = {}
    for passage in assistant.index.passages:
        per_doc[passage.doc_id] = per_doc.get(passage.doc_id, 0) + 1
    manifest = assistant.index.manifest
    return {
        "articles": [
            {
                "doc_id": a.doc_id,
                "title": a.title,
                "outlet": a.outlet,
                "date": a.date,
                "passages": per_doc.get(a.doc_id, 0),
            }
            for a in assistant.articles
        ],
        "index": {
            "directory": str(assistant.index.directory),
            "built_at": manifest.get("built_at"),
            "build_seconds": manifest.get("build_seconds"),
            "embedding_model": assistant.settings.embedding_model,
            "counts": manifest.get("counts"),
        },
    }


def build_api(assistant: Assistant) -> FastAPI:
    api = FastAPI(
        title="News QA",
        description="Cited answers from a folder of news articles.",
        docs_url="/api/docs",
        openapi_url="/api/openapi.json",
    )

    @api.post("/api/ask")
    async def ask(request: AskRequest) -> dict[str, Any]:
        try:
            answer = await run_in_threadpool(
                assistant.ask,
                request.question,
                request.k,
                request.filters,
                request.history,
                request.answerer,
            )
        except QAError as exc:
            raise HTTPException(status_code=400, detail=str(exc)) from None
        return answer.to_dict()

    @api.post("/api/retrieve")
    async def retrieve(request: RetrieveRequest) -> dict[str, Any]:
        try:
            passages = await run_in_threadpool(
                assistant.retrieve, request.question, request.k, request.filters
            )
        except QAError as exc:
            raise HTTPException(status_code=400, detail=str(exc)) from None
        return {"passages": [p.to_dict() for p in passages]}

    @api.get("/api/articles")
    async def articles() -> dict[str, Any]:
        return corpus_summary(assistant)

    @api.get("/api/health")
    async def health() -> dict[str, Any]:
        counts = assistant.index.manifest.get("counts", {})
        return {"status": "ok", "articles": counts.get("articles"), "passages": counts.get("passages")}

    return api

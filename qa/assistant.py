"""The assistant: one object that holds the index and answers questions.

    from qa import Assistant, ask
    answer = ask("When was Qasem Soleimani killed?")      # default assistant over seeds/ and index/
    assistant = Assistant.from_settings(corpus_dir="seeds", index_dir="index")
    passages = assistant.retrieve("question", k=5)

The CLI, the chat UI and the HTTP API all call this; none has logic of its own.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import re
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from qa.chain import build_chain
from qa.corpus import list_sources
from qa.embeddings import QueryEmbed, SentenceTransformerEmbeddings, resolve_model
from qa.errors import QAError
from qa.extractive import ExtractiveAnswerer
from qa.filters import Filters
from qa.index_store import (
    CURRENT,
    CorpusIndex,
    IndexUnusable,
    ProgressFn,
    build_index,
    load_index,
    open_index,
)
from qa.records import Answer, Article, Passage
from qa.retrieval import HybridRetriever, hybrid_search
from qa.settings import Settings
from qa.support import SupportJudge

if TYPE_CHECKING:
    from qa.generative import GenerativeAnswerer

log = logging.getLogger(__name__)

# How often, at most, an answer checks that the corpus files and the live build have not changed...
_FRESHNESS_INTERVAL_S = 2.0
# ... and the most of the time that check may take: a corpus of 17,000 files takes ~0.1 s to check,
# so it is checked every ~10 s, not every 2 s.
_FRESHNESS_MAX_SHARE = 0.01


def check_question(question: Any, settings: Settings) -> str:
    """The question, stripped, or a QAError saying why it cannot be asked."""
    if not isinstance(question, str):
        raise QAError("The question must be text.")
    question = " ".join(question.split())
    if not question:
        raise QAError("The question is empty: type a question about the articles.")
    if len(question) > settings.max_question_chars:
        raise QAError(
            f"The question is {len(question):,} characters long; the limit is "
            f"{settings.max_question_chars:,}. Ask it in fewer words."
        )
    if not re.search(r"\w", question):
        raise QAError("The question has no words in it, only punctuation or symbols.")
    return question


def _corpus_stamp(corpus_dir: Path) -> tuple[tuple[str, int, int], ...]:
    """Cheap signature of the corpus folder (names, sizes, mtimes) to notice edits.

    One `stat` per file and no pathlib objects: with 17,000 articles it takes ~30 ms, and it runs
    on the question path (at most every `_FRESHNESS_INTERVAL_S`)."""
    found: list[tuple[str, int, int]] = []
    folders = [str(Path(corpus_dir).expanduser())]
    try:
        while folders:
            with os.scandir(folders.pop()) as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False):
                        folders.append(entry.path)
                    elif entry.is_file():
                        info = entry.stat()
                        found.append((entry.path, info.st_size, info.st_mtime_ns))
    except OSError:
        return ()
    return tuple(sorted(found))


def _live_build(index_dir: Path) -> str:
    """The name of the build CURRENT points at; '' when there is none."""
    try:
        return (Path(index_dir).expanduser() / CURRENT).read_text().strip()
    except OSError:
        return ""


class Assistant:
    """Questions in, cited answers out, over one corpus and its index."""

    def __init__(
        self, settings: Settings, embedder: SentenceTransformerEmbeddings, index: CorpusIndex
    ) -> None:
        self.settings = settings
        self.embedder = embedder
        self._lock = threading.RLock()
        self._set_index(index)

    @classmethod
    def from_settings(
        cls,
        settings: Settings | None = None,
        *,
        on_progress: ProgressFn | None = None,
        rebuild: bool = True,
        embedder: SentenceTransformerEmbeddings | None = None,
        **overrides: Any,
    ) -> Assistant:
        """An assistant over `settings` (or `Settings()` from the environment) with `overrides`.

        The index is loaded, or built when missing or stale (unless rebuild=False). `embedder`:
        one already loaded, shared with another assistant (its model and its cache of query
        vectors), used when it is the model the settings name.
        """
        settings = (
            (settings or Settings()).with_overrides(**overrides) if overrides else (settings or Settings())
        )
        list_sources(
            settings.corpus_dir
        )  # a clear error for a missing or empty corpus, before any model loads
        model_path = resolve_model(settings.embedding_model)
        if embedder is None or (embedder.model_path, embedder.batch_size) != (
            model_path,
            settings.embedding_batch_size,
        ):
            embedder = SentenceTransformerEmbeddings(model_path, batch_size=settings.embedding_batch_size)
        progress = on_progress or (lambda stage, done, total: None)
        index = open_index(settings, embedder, progress, rebuild=rebuild)
        return cls(settings, embedder, index)

    def _set_index(self, index: CorpusIndex) -> None:
        self.index = index
        self.answerer = ExtractiveAnswerer(index, self.settings)
        previous = getattr(self, "generative", None)
        self.generative: GenerativeAnswerer | None = None
        if self.settings.llm:
            # Imported only here: LangChain's chat-model and prompt modules are not needed without an LLM.
            from qa.generative import GenerativeAnswerer  # noqa: PLC0415

            self.generative = GenerativeAnswerer(
                index,
                self.settings,
                SupportJudge.from_settings(self.settings, self.embedder),
                self.answerer,
                model=previous._model if previous is not None else None,  # keep a loaded model
            )
        started = time.perf_counter()
        self._stamp = _corpus_stamp(self.settings.corpus_dir)
        self._stamp_seconds = time.perf_counter() - started
        self._live = index.directory.name
        self._checked_at = time.monotonic()

    # -- index -----------------------------------------------------------------
    @property
    def articles(self) -> list[Article]:
        return list(self.index.articles.values())

    def rebuild_index(self, on_progress: ProgressFn | None = None) -> None:
        """Build the index anew from the corpus folder."""
        with self._lock:
            index = build_index(self.settings, self.embedder, on_progress or (lambda s, d, t: None))
            self._set_index(index)

    def ensure_fresh(self) -> None:
        """Reload or rebuild the index if the corpus files changed since it was loaded; switch to
        the new build when another process (`qa index --force`) built one."""
        interval = max(_FRESHNESS_INTERVAL_S, self._stamp_seconds / _FRESHNESS_MAX_SHARE)
        if time.monotonic() - self._checked_at < interval:
            return
        with self._lock:
            if time.monotonic() - self._checked_at < interval:
                return  # another thread has just checked
            started = time.perf_counter()
            stamp = _corpus_stamp(self.settings.corpus_dir)
            self._stamp_seconds = time.perf_counter() - started
            live = _live_build(self.settings.index_dir)
            self._checked_at = time.monotonic()
            if stamp != self._stamp:
                self._set_index(open_index(self.settings, self.embedder))
            elif live and live != self._live:
                # The loaded build is gone from disk, and with a Qdrant server so is its collection.
                try:
                    self._set_index(load_index(self.settings, self.embedder))
                except IndexUnusable as exc:  # built with other settings: keep serving this one
                    log.warning("Not switching to the new build %s: %s.", live, exc.reason)
                    self._live = live

    # -- questions ---------------------------------------------------------------
    def retriever(self, k: int | None = None, filters: Filters | None = None) -> HybridRetriever:
        """The hybrid retriever as a LangChain `BaseRetriever`."""
        return HybridRetriever(
            index=self.index, embedder=self.embedder, settings=self.settings, k=k, filters=filters
        )

    @property
    def answerer_names(self) -> list[str]:
        """The answerers this assistant offers, the default first."""
        names = [self.answerer.name]
        if self.generative is not None:
            names.insert(0, self.generative.name)
        return names

    def _answerer(self, name: str | None) -> ExtractiveAnswerer | GenerativeAnswerer:
        if name is None:
            return self.generative or self.answerer
        if name == self.answerer.name:
            return self.answerer
        if self.generative is not None and name == self.generative.name:
            return self.generative
        raise QAError(f"No answerer {name!r}; this assistant offers {', '.join(self.answerer_names)}.")

    def chain(
        self,
        k: int | None = None,
        filters: Filters | None = None,
        answerer: str | None = None,
        on_token: Callable[[str], None] | None = None,
    ):
        """The retrieval -> answer chain; invoke it with {"question": ...}."""
        chosen = self._answerer(answerer)

        def search(part: str) -> list[Passage]:  # a part of a two-part question, searched alone
            return hybrid_search(self.index, self.embedder, part, self.settings, k=k, filters=filters)

        def answer_fn(question: str, passages: list[Passage]) -> Answer:
            vector = self.embedder.query_vector(question)
            embed = QueryEmbed(self.embedder)
            return chosen.answer(question, vector, passages, embed=embed, on_token=on_token, search=search)

        return build_chain(self.retriever(k, filters), answer_fn)

    def retrieve(
        self, question: str, k: int | None = None, filters: Filters | dict[str, Any] | None = None
    ) -> list[Passage]:
        """The k best passages for the question, best first, with their scores."""
        question = check_question(question, self.settings)
        k = self._check_k(k)
        self.ensure_fresh()
        filters = self._check_filters(filters)
        return hybrid_search(self.index, self.embedder, question, self.settings, k=k, filters=filters)

    def ask(
        self,
        question: str,
        k: int | None = None,
        filters: Filters | dict[str, Any] | None = None,
        history: list[str] | None = None,
        answerer: str | None = None,
        on_token: Callable[[str], None] | None = None,
    ) -> Answer:
        """A cited answer, or an abstention that still lists the closest passages.

        `filters` restricts the articles (outlets, doc ids, date range); `history`
        lists the earlier questions of a conversation, oldest first, so that a
        follow-up ("When was he killed?") is completed before it is searched.
        `answerer` picks one of `answerer_names` (default: the LLM when one is
        configured); `on_token` receives the LLM's text as it streams.
        """
        started = time.perf_counter()
        question = check_question(question, self.settings)
        k = self._check_k(k)
        self.ensure_fresh()
        filters = self._check_filters(filters)
        previous = [q for q in history or [] if isinstance(q, str) and q.strip()]
        # The answerer completes a follow-up: by rule, or with the LLM (prompts/rewrite.md).
        searched = self._answerer(answerer).rewrite(question, previous) if previous else question
        answer: Answer = self.chain(k, filters, answerer, on_token).invoke({"question": searched})
        return dataclasses.replace(
            answer,
            question=question,
            rewritten_question=searched if searched != question else None,
            latency_ms=(time.perf_counter() - started) * 1000,
        )

    def _check_filters(self, filters: Filters | dict[str, Any] | None) -> Filters | None:
        if filters is None:
            return None
        if isinstance(filters, dict):
            try:
                filters = Filters(**filters)
            except ValidationError as exc:
                problems = "; ".join(
                    f"{'.'.join(map(str, e['loc']))}: {e['msg'].removeprefix('Value error, ')}"
                    for e in exc.errors()
                )
                raise QAError(f"Bad filters: {problems}") from None
        filters.check_against(self.index.articles)
        if filters.active and not any(filters.admits(a) for a in self.index.articles.values()):
            raise QAError("No article matches the filters: widen the outlets, articles or dates.")
        return filters if filters.active else None

    def _check_k(self, k: int | None) -> int:
        if k is None:
            return self.settings.k
        if not isinstance(k, int) or isinstance(k, bool) or not 1 <= k <= 100:
            raise QAError(f"k must be a whole number from 1 to 100, not {k!r}.")
        return k


_default: Assistant | None = None
_default_lock = threading.Lock()


def default_assistant() -> Assistant:
    """The shared assistant over the default settings (environment QA_*), built once."""
    global _default  # noqa: PLW0603  (a process-wide cache of an expensive object)
    with _default_lock:
        if _default is None:
            _default = Assistant.from_settings()
        return _default


def ask(question: str, k: int | None = None) -> Answer:
    """Ask the default assistant (seeds/ and index/ unless QA_* says otherwise)."""
    return default_assistant().ask(question, k=k)

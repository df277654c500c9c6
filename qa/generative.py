"""The LLM answerer: the model writes, the verifier keeps only what the passages support.

It drops into the same place in the chain as the extractive answerer. Passages go
to the model numbered, with title, outlet and date, inside <passage> tags the
system prompt declares to be data. Any backend error (server down, timeout, model
missing) falls back to the extractive answer with a note; so does an answer of
which nothing survives verification (or the assistant abstains, by setting).
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import html
from collections.abc import Callable

import numpy as np
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.output_parsers import StrOutputParser

from qa.extractive import ExtractiveAnswerer, abstention
from qa.followup import plausible_rewrite, rewrite_followup
from qa.index_store import CorpusIndex
from qa.injection import neutralise
from qa.llm import chat_model, describe, prompt_template, rewrite_template
from qa.records import Answer, Passage
from qa.settings import Settings
from qa.support import SupportJudge
from qa.verify import verify_answer, with_markers

TokenFn = Callable[[str], None]
_pool = concurrent.futures.ThreadPoolExecutor(max_workers=4, thread_name_prefix="llm")


def format_passages(passages: list[Passage]) -> str:
    """Numbered passages with their metadata, as data inside <passage> tags."""
    blocks = []
    for n, p in enumerate(passages, start=1):
        attrs = " ".join(
            f'{key}="{html.escape(value or "unknown", quote=True)}"'
            for key, value in (("title", p.title), ("outlet", p.outlet), ("date", p.date))
        )
        # An article cannot close the tag early and smuggle text outside it.
        text = neutralise(p.text).replace("<passage", "‹passage").replace("</passage", "‹/passage")
        blocks.append(f'<passage n="{n}" {attrs}>\n{text}\n</passage>')
    return "\n\n".join(blocks)


class GenerativeAnswerer:
    """Answers with an LLM; every sentence is checked against the passage it cites."""

    def __init__(
        self,
        index: CorpusIndex,
        settings: Settings,
        judge: SupportJudge,
        fallback: ExtractiveAnswerer,
        model: BaseChatModel | None = None,
    ) -> None:
        self.index = index
        self.settings = settings
        self.judge = judge
        self.fallback = fallback
        self.name = describe(settings.llm or "custom")
        self._model = model
        self._prompt = prompt_template(settings)
        self._rewrite_prompt = rewrite_template(settings)

    @property
    def model(self) -> BaseChatModel:
        if self._model is None:
            self._model = chat_model(self.settings)
        return self._model

    def _generate(self, question: str, passages: list[Passage], on_token: TokenFn | None) -> str:
        chain = self._prompt | self.model | StrOutputParser()
        inputs = {"question": question, "passages": format_passages(passages)}

        def run() -> str:
            if on_token is None:
                return chain.invoke(inputs)
            parts = []
            for piece in chain.stream(inputs):
                parts.append(piece)
                on_token(piece)
            return "".join(parts)

        return self._within_timeout(run)

    def _within_timeout(self, run: Callable[[], str]) -> str:
        future = _pool.submit(run)
        try:
            return future.result(timeout=self.settings.llm_timeout + 5)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise TimeoutError(f"no answer within {self.settings.llm_timeout:.0f} s") from None

    def rewrite(self, question: str, previous: list[str]) -> str:
        """A follow-up rewritten by the LLM (prompts/rewrite.md) to stand on its own.

        Only a question the rules take for a follow-up goes to the model; when the model fails,
        or replies with something that is not a rewrite of the question (an answer, a paragraph),
        the rules' rewrite is used.
        """
        ruled = rewrite_followup(question, previous)
        if ruled == question:
            return question
        chain = self._rewrite_prompt | self.model | StrOutputParser()
        history = "\n".join(f"- {q.strip()}" for q in previous[-6:])
        try:
            reply = self._within_timeout(lambda: chain.invoke({"history": history, "question": question}))
        except Exception:  # the rules' rewrite is a fine answer to a failing backend
            return ruled
        return plausible_rewrite(question, reply) or ruled

    def answer(
        self,
        question: str,
        query_vector: np.ndarray,
        passages: list[Passage],
        embed: Callable[[str], np.ndarray] | None = None,
        on_token: TokenFn | None = None,
        search: Callable[[str], list[Passage]] | None = None,
    ) -> Answer:
        """`search` (text -> its best passages) serves the extractive answer this falls back to,
        which reads each part of a two-part question's own passages with it."""

        def extractive(note: str, **changes) -> Answer:
            base = self.fallback.answer(question, query_vector, passages, embed=embed, search=search)
            fallback = f"{base.answerer} (fallback from {self.name})"
            return dataclasses.replace(base, notes=[*base.notes, note], answerer=fallback, **changes)

        if not passages:
            return self.fallback.answer(question, query_vector, passages, embed=embed, search=search)
        try:
            raw = self._generate(question, passages, on_token)
        except Exception as exc:  # any backend failure: the user still gets a checked answer
            reason = " ".join(str(exc).split())[:200] or type(exc).__name__
            return extractive(f"The LLM ({self.name}) failed: {reason}. This is the extractive answer.")

        checked = verify_answer(
            raw, passages, self.index, self.judge, mark_unverified=self.settings.unverified == "mark"
        )
        removed = [r.to_dict() for r in checked.removed]
        notes = (
            [f"Verification removed {len(removed)} sentence(s) its citations don't support."]
            if removed
            else []
        )
        if not checked.kept:
            if checked.refused and not removed:
                return self._abstain(question, passages, notes=["The LLM found no answer in the passages."])
            if self.settings.on_nothing_verified == "extractive":
                return extractive(
                    f"No sentence of the LLM's answer was supported by its citations "
                    f"({len(removed)} removed); this is the extractive answer.",
                    removed=removed,
                )
            return self._abstain(question, passages, notes=notes, removed=removed)

        parts = [with_markers(sentence, [c.n for c in citations]) for sentence, citations in checked.kept]
        parts += [f"{sentence} [unverified]" for sentence in checked.unverified]
        citations = [c for _, cs in checked.kept for c in cs]
        confidence = float(
            np.mean([self.judge.judge(s, [c.quote for c in cs]).cosine for s, cs in checked.kept])
        )
        return Answer(
            question=question,
            text=" ".join(parts),
            citations=citations,
            passages=list(passages),
            abstained=False,
            confidence=confidence,
            answerer=self.name,
            settings_hash=self.settings.fingerprint(),
            notes=notes,
            removed=removed,
        )

    def _abstain(
        self, question: str, passages: list[Passage], notes: list[str], removed: list[dict] | None = None
    ) -> Answer:
        return abstention(question, passages, self.name, self.settings, notes=notes, removed=removed)

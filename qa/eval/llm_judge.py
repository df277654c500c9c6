"""An optional LLM judge for the evaluation: faithfulness and answer relevancy in the RAGAS sense.

    judge = LLMJudge.from_settings(settings.with_overrides(llm="ollama:llama3.1"), embedder)
    judge.faithfulness(answer_text, contexts)  # share of the answer's statements the context supports
    judge.relevancy(question, answer_text)  # cosine of the question with those the answer answers

Faithfulness (Es et al., RAGAS 2023): the answer is cut into statements (its sentences, citation
markers removed); the model says for each whether the retrieved context supports it; the score
is supported / statements. Answer relevancy: the model writes n questions that the answer answers;
the score is their mean embedding cosine with the real question. Both are the judging model's
opinion, so the report always names that model. A reply the judge cannot parse scores None (and is
counted), never a guess. Prompts: prompts/judge_faithfulness.md and prompts/judge_relevancy.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate

from qa.embeddings import SentenceTransformerEmbeddings
from qa.llm import chat_model, describe, human_prompt
from qa.settings import Settings
from qa.support import cited_sentences

_VERDICT = re.compile(r"^\s*(?:statement\s*)?(\d{1,3})\s*[:.)-]\s*\**\s*(yes|no)\b", re.I | re.M)
RELEVANCY_QUESTIONS = 3


@dataclass(frozen=True)
class Judgement:
    faithfulness: float | None  # None: abstained, or the reply could not be read
    relevancy: float | None
    statements: int
    unparsed: list[str]  # which parts of the judge's reply could not be read


def parse_verdicts(reply: str, count: int) -> list[bool] | None:
    """The yes/no verdict of each of `count` statements, or None unless every one is there."""
    found: dict[int, bool] = {}
    for number, verdict in _VERDICT.findall(reply):
        found.setdefault(int(number), verdict.lower() == "yes")
    if set(found) != set(range(1, count + 1)):
        return None
    return [found[i] for i in range(1, count + 1)]


def parse_questions(reply: str) -> list[str]:
    """The questions of the reply, one per line, list marks removed."""
    out = []
    for line in reply.splitlines():
        text = re.sub(r"^\s*(?:[-*•]|\d{1,2}[.)])\s*", "", line).strip()
        if text.endswith("?") and len(text.split()) >= 3:
            out.append(text)
    return out


class LLMJudge:
    def __init__(
        self, model: Any, name: str, embedder: SentenceTransformerEmbeddings, settings: Settings
    ) -> None:
        self.model = model
        self.name = name
        self.embedder = embedder
        self._faithfulness = human_prompt(settings, "judge_faithfulness.md", {"context", "statements"})
        self._relevancy = human_prompt(settings, "judge_relevancy.md", {"answer", "n"})

    @classmethod
    def from_settings(cls, settings: Settings, embedder: SentenceTransformerEmbeddings) -> LLMJudge:
        """The judge for the model `settings.llm` names (same server, key and timeout settings)."""
        return cls(chat_model(settings), describe(settings.llm or ""), embedder, settings)

    def _ask(self, prompt: ChatPromptTemplate, **inputs: Any) -> str:
        return (prompt | self.model | StrOutputParser()).invoke(inputs)

    def faithfulness(self, answer_text: str, contexts: list[str]) -> tuple[float | None, int, str | None]:
        """(share of statements supported, statements, the unreadable reply or None)."""
        statements = [s.text for s in cited_sentences(answer_text)]
        if not statements:
            return None, 0, None
        reply = self._ask(
            self._faithfulness,
            context="\n\n".join(contexts),
            statements="\n".join(f"{i}. {s}" for i, s in enumerate(statements, start=1)),
        )
        verdicts = parse_verdicts(reply, len(statements))
        if verdicts is None:
            return None, len(statements), reply
        return sum(verdicts) / len(verdicts), len(statements), None

    def relevancy(self, question: str, answer_text: str) -> tuple[float | None, str | None]:
        """(mean cosine of the question with the questions the answer answers, the unreadable reply)."""
        plain = " ".join(s.text for s in cited_sentences(answer_text))
        reply = self._ask(self._relevancy, answer=plain, n=RELEVANCY_QUESTIONS)
        generated = parse_questions(reply)[:RELEVANCY_QUESTIONS]
        if not generated:
            return None, reply
        asked = self.embedder.query_vector(question)
        return float(np.mean([self.embedder.query_vector(g) @ asked for g in generated])), None

    def judge(self, question: str, answer_text: str, contexts: list[str], abstained: bool) -> Judgement:
        """Both scores for one answer (None for an abstention: there is nothing to judge)."""
        if abstained:
            return Judgement(None, None, 0, [])
        unparsed = []
        try:
            faithful, statements, bad = self.faithfulness(answer_text, contexts)
            if bad is not None:
                unparsed.append(f"faithfulness: {bad[:200]!r}")
            relevant, bad = self.relevancy(question, answer_text)
            if bad is not None:
                unparsed.append(f"relevancy: {bad[:200]!r}")
        except Exception as exc:  # a failing judge must not end the evaluation
            return Judgement(None, None, 0, [f"judge failed: {' '.join(str(exc).split())[:200]}"])
        return Judgement(faithful, relevant, statements, unparsed)

"""The retrieval -> answer steps as one LangChain runnable.

    chain = build_chain(retriever, answer_fn)
    answer = chain.invoke("When was Qasem Soleimani killed?")

`answer_fn(question, passages) -> Answer` is the answerer's step: the
extractive answerer today, a generative one later, in the same place.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import Runnable, RunnableLambda, RunnablePassthrough

from qa.records import Answer, Passage
from qa.retrieval import document_to_passage

AnswerFn = Callable[[str, list[Passage]], Answer]


def build_chain(retriever: BaseRetriever, answer_fn: AnswerFn) -> Runnable[str, Answer]:
    """question -> {question, documents} -> Answer."""

    def answer_step(state: dict[str, Any]) -> Answer:
        passages = [document_to_passage(d) for d in state["documents"]]
        return answer_fn(state["question"], passages)

    return (
        RunnablePassthrough.assign(documents=lambda state: retriever.invoke(state["question"]))
        | RunnableLambda(answer_step, name="answer")
    ).with_types(input_type=dict, output_type=Answer)  # type: ignore[return-value]

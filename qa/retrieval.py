"""Hybrid retrieval: dense (FAISS) and keyword (BM25) rankings fused by reciprocal rank fusion.

Usage:
    passages = hybrid_search(index, embedder, "When was Soleimani killed?", settings)
    retriever = HybridRetriever(index=index, embedder=embedder, settings=settings)  # a LangChain retriever
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from qa.embeddings import SentenceTransformerEmbeddings
from qa.filters import Filters
from qa.index_store import CorpusIndex, bm25_query_tokens
from qa.newsaware import question_mode, question_topic
from qa.question_parts import split_question
from qa.records import Passage
from qa.settings import Settings

# A passage that shares this much of its length with a better-ranked one adds nothing.
_MAX_OVERLAP = 0.5


def dense_ranking(index: CorpusIndex, query_vector: np.ndarray, fetch_k: int) -> list[tuple[int, float]]:
    """(passage row, cosine) pairs, best first."""
    hits = index.vector_store.similarity_search_with_score_by_vector(
        query_vector.tolist(), k=min(fetch_k, len(index.passages))
    )
    return [(int(doc.metadata["row"]), float(score)) for doc, score in hits]


def sentence_ranking(index: CorpusIndex, query_vector: np.ndarray, fetch_k: int) -> list[tuple[int, float]]:
    """(passage row, cosine of its best sentence) pairs, best first.

    A passage that holds one sentence squarely on the question can rank low
    as a whole; ranking by its best sentence finds it.
    """
    scores = index.sentence_vectors @ query_vector
    take = min(len(scores), fetch_k * 2)
    top = np.argpartition(-scores, take - 1)[:take]
    top = top[np.argsort(-scores[top], kind="stable")]
    best: dict[int, float] = {}
    for s in top:
        for row in index.passages_of_sentence[int(s)]:
            best.setdefault(row, float(scores[s]))
    return sorted(best.items(), key=lambda item: (-item[1], item[0]))[:fetch_k]


def bm25_ranking(index: CorpusIndex, question: str, fetch_k: int) -> list[tuple[int, float]]:
    """(passage row, BM25 score) pairs, best first; passages sharing no term are left out."""
    tokens = [t for t in bm25_query_tokens(question) if t in index.bm25.vocab_dict]
    if not tokens:
        return []
    rows, scores = index.bm25.retrieve(
        [tokens], k=min(fetch_k, len(index.passages)), show_progress=False, n_threads=1
    )
    return [(int(r), float(s)) for r, s in zip(rows[0], scores[0], strict=True) if s > 0]


def fuse(rankings: list[tuple[list[tuple[int, float]], float]], rrf_k: int) -> list[tuple[int, float]]:
    """Reciprocal rank fusion: each ranking adds weight / (rrf_k + rank) to its items."""
    fused: dict[int, float] = {}
    for ranking, weight in rankings:
        for rank, (row, _) in enumerate(ranking, start=1):
            fused[row] = fused.get(row, 0.0) + weight / (rrf_k + rank)
    return sorted(fused.items(), key=lambda item: (-item[1], item[0]))


def _overlap(a: Passage, b: Passage) -> float:
    """Share of the shorter passage that the two have in common (0 across articles)."""
    if a.doc_id != b.doc_id:
        return 0.0
    shared = min(a.end, b.end) - max(a.start, b.start)
    return max(shared, 0) / max(1, min(a.end - a.start, b.end - b.start))


def _rankings(
    index: CorpusIndex,
    question: str,
    query_vector: np.ndarray,
    settings: Settings,
    allowed: set[int] | None = None,
) -> list[tuple[list[tuple[int, float]], float]]:
    """The dense, BM25 and best-sentence rankings of one query, with their fusion weights.

    With `allowed` (passage rows a filter admits), every ranking runs over the whole
    index and keeps only those rows, so a filter never starves the result.
    """
    fetch_k = settings.fetch_k if allowed is None else len(index.passages)
    dense = dense_ranking(index, query_vector, fetch_k) if settings.dense_weight else []
    sparse = bm25_ranking(index, question, fetch_k) if settings.bm25_weight else []
    by_sentence = sentence_ranking(index, query_vector, fetch_k) if settings.sentence_weight else []
    rankings = [
        (dense, settings.dense_weight),
        (sparse, settings.bm25_weight),
        (by_sentence, settings.sentence_weight),
    ]
    if allowed is None:
        return rankings
    return [([(r, s) for r, s in ranking if r in allowed][: settings.fetch_k], w) for ranking, w in rankings]


def allowed_rows(index: CorpusIndex, filters: Filters | None) -> set[int] | None:
    """The passage rows a filter admits (None: no filter)."""
    if filters is None or not filters.active:
        return None
    return {row for row, p in enumerate(index.passages) if filters.admits(index.articles[p.doc_id])}


def hybrid_search(
    index: CorpusIndex,
    embedder: SentenceTransformerEmbeddings,
    question: str,
    settings: Settings,
    k: int | None = None,
    query_vector: np.ndarray | None = None,
    filters: Filters | None = None,
) -> list[Passage]:
    """The top-k passages for a question, scored, best first, near-duplicates removed.

    A question that asks two things ("When was X formed, and who leads it?") is
    also searched part by part, and all the rankings are fused together.
    """
    k = k or settings.k
    topic = question_topic(question)  # "How do the articles differ?" is not what to search for
    if query_vector is None or topic != question:
        query_vector = embedder.query_vector(topic)
    allowed = allowed_rows(index, filters)
    if allowed is not None and not allowed:
        return []
    rankings = _rankings(index, topic, query_vector, settings, allowed)
    dense_scores, sparse_scores = dict(rankings[0][0]), dict(rankings[1][0])
    parts = split_question(topic)
    if len(parts) > 1:  # a question that asks two things: each part brings its own evidence too
        for part in parts:
            rankings += _rankings(index, part, embedder.query_vector(part), settings, allowed)
    fused = fuse(rankings, settings.rrf_k)
    if question_mode(question) == "positions":
        # "How do the articles differ?": each article's best passage first, then the rest.
        first_of: dict[str, int] = {}
        for i, (row, _) in enumerate(fused):
            first_of.setdefault(index.passages[row].doc_id, i)
        leaders = sorted(first_of.values())
        lead = set(leaders)
        fused = [fused[i] for i in leaders] + [x for i, x in enumerate(fused) if i not in lead]
    chosen: list[Passage] = []
    for row, score in fused:
        passage = replace(
            index.passages[row],
            score=round(score, 6),
            dense_score=round(dense_scores[row], 4) if row in dense_scores else None,
            bm25_score=round(sparse_scores[row], 4) if row in sparse_scores else None,
        )
        if any(_overlap(passage, kept) >= _MAX_OVERLAP for kept in chosen):
            continue
        chosen.append(passage)
        if len(chosen) == k:
            break
    return chosen


def passage_to_document(passage: Passage) -> Document:
    return Document(page_content=passage.text, metadata=passage.to_dict(), id=passage.passage_id)


def document_to_passage(document: Document) -> Passage:
    return Passage(**document.metadata)


class HybridRetriever(BaseRetriever):
    """The hybrid search as a LangChain retriever: Documents carry every Passage field in metadata."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    index: Any
    embedder: Any
    settings: Settings
    k: int | None = None
    filters: Filters | None = None

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        passages = hybrid_search(
            self.index, self.embedder, query, self.settings, k=self.k, filters=self.filters
        )
        return [passage_to_document(p) for p in passages]

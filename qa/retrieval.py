"""Hybrid retrieval: dense (FAISS) and keyword (BM25) rankings fused by reciprocal rank fusion.

Usage:
    passages = hybrid_search(index, embedder, "When was Soleimani killed?", settings)
    retriever = HybridRetriever(index=index, embedder=embedder, settings=settings)  # a LangChain retriever
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any, TypeVar

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from qa.embeddings import SentenceTransformerEmbeddings
from qa.filters import Filters
from qa.index_store import CorpusIndex, bm25_query_tokens
from qa.machine import usable_cores
from qa.newsaware import (
    question_modality,
    question_mode,
    question_state,
    question_topic,
    states_modality,
    states_state,
)
from qa.question_parts import split_question
from qa.records import Passage
from qa.settings import Settings

# A passage that shares this much of its length with a better-ranked one adds nothing.
_MAX_OVERLAP = 0.5
# ... nor one that repeats this share of its sentences (or copies of them, figures aside) from the
# passages chosen before it, in its own article or others: a third is one sentence of a 3-sentence
# passage, two of a 4-sentence one. (1/2 lets through a 3-sentence passage that repeats one; on the
# 5,712-passage haystack its hit@5 is .920 against .932 with 1/3, on both halves of the questions
# as good or better; 1/4 drops a 4-sentence passage for one repeated sentence: .909.)
_MAX_REPEATED = 1 / 3 - 1e-9  # less a hair: one of three sentences is a third in floating point too
_STATING_DEPTH = 2  # an article's passages searched for one that states what a judgement asks
# An HNSW graph searched with a filter walks past every vector the filter leaves out: up to this
# many admitted vectors, scoring them exactly is cheaper (a few milliseconds).
_EXACT_FILTERED_MAX = 25_000
_FILTER_CACHE_SIZE = 64
# Figures, as a sentence's copies in other articles may change them.
_FIGURES = re.compile(r"\d[\d,.]*")

_T = TypeVar("_T")
_R = TypeVar("_R")
_pools: dict[str, ThreadPoolExecutor | None] = {}  # side_by_side's threads, started when first needed
_pools_lock = threading.Lock()


def _other_cores() -> ThreadPoolExecutor | None:
    """Threads for the machine's other cores (None on one core), started on first use."""
    with _pools_lock:
        if "retrieval" not in _pools:
            cores = min(usable_cores(), 4)
            _pools["retrieval"] = (
                ThreadPoolExecutor(cores - 1, thread_name_prefix="retrieval") if cores > 1 else None
            )
        return _pools["retrieval"]


def side_by_side(work: Callable[[_T], _R], items: Sequence[_T]) -> list[_R]:
    """`work` over `items`, in order, the first in the calling thread and the others beside it on
    the machine's other cores: FAISS, BM25's sparse products and NumPy let go of the GIL, so a
    two-part question's three searches at 111,765 passages take ~10 ms instead of ~14."""
    pool = _other_cores() if len(items) > 1 else None
    if pool is None:
        return [work(item) for item in items]
    others = [pool.submit(work, item) for item in items[1:]]
    return [work(items[0]), *(f.result() for f in others)]


@dataclass(frozen=True)
class Allowed:
    """What a filter admits, as boolean masks over passage rows, sentences and (when the index has
    them) distinct sentences; and the passages as BM25 weights."""

    passages: np.ndarray
    sentences: np.ndarray
    distinct: np.ndarray | None
    weights: np.ndarray


def _search(ann: Any, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> tuple[Any, Any]:
    """(scores, ids) of the top k of a FAISS index (flat, HNSW or IVF) for one unit query vector, best
    first; with `allowed` (a boolean mask over the index's ids), among those only. ids of -1: no result."""
    import faiss  # noqa: PLC0415

    query = np.ascontiguousarray(query, dtype=np.float32).reshape(1, -1)
    if allowed is None:
        return ann.search(query, k)
    admitted = int(np.count_nonzero(allowed))
    k = min(k, admitted)
    if k == 0:
        return np.zeros((1, 0), dtype=np.float32), np.zeros((1, 0), dtype=np.int64)
    bits = np.packbits(allowed, bitorder="little")
    selector = faiss.IDSelectorBitmap(len(allowed), faiss.swig_ptr(bits))
    spread = len(allowed) / admitted  # only admitted vectors count: look that much further
    if hasattr(ann, "nprobe"):  # IVF: scan more lists; all of them is exact search among the admitted
        for nprobe in (min(ann.nlist, math.ceil(ann.nprobe * spread)), ann.nlist):
            scores, ids = ann.search(query, k, params=faiss.SearchParametersIVF(sel=selector, nprobe=nprobe))
            if np.count_nonzero(ids[0] >= 0) >= k:
                break
        return scores, ids
    if hasattr(ann, "hnsw"):
        if admitted > _EXACT_FILTERED_MAX:
            ef = min(1024, max(ann.hnsw.efSearch, math.ceil(2 * k * spread)))
            scores, ids = ann.search(query, k, params=faiss.SearchParametersHNSW(sel=selector, efSearch=ef))
            if np.count_nonzero(ids[0] >= 0) >= k:
                return scores, ids
        ann = faiss.downcast_index(ann.storage)  # the graph's vectors, searched exactly
    return ann.search(query, k, params=faiss.SearchParameters(sel=selector))


def faiss_rows(index: CorpusIndex) -> np.ndarray | None:
    """For a FAISS passage store, the passage row of each FAISS id (searched directly, not through
    LangChain's per-hit docstore lookups); None for other stores."""
    store = index.vector_store
    if not hasattr(store, "index_to_docstore_id") or not hasattr(store, "index"):
        return None
    rows = index.cache.get("faiss_rows")
    if rows is None:
        ids = store.index_to_docstore_id
        rows = np.fromiter((index.row_of[ids[i]] for i in range(len(ids))), dtype=np.int64, count=len(ids))
        index.cache["faiss_rows"] = rows
    return rows


def dense_ranking(
    index: CorpusIndex, query_vector: np.ndarray, fetch_k: int, allowed: np.ndarray | None = None
) -> list[tuple[int, float]]:
    """(passage row, cosine) pairs, best first; with `allowed` (a mask over rows), among those only."""
    k = min(fetch_k, len(index.passages))
    rows = faiss_rows(index)
    if rows is None:  # Qdrant, through LangChain; a filter ranks everything, then keeps what it admits
        hits = index.vector_store.similarity_search_with_score_by_vector(
            query_vector.tolist(), k=k if allowed is None else len(index.passages)
        )
        ranking = [(int(doc.metadata["row"]), float(score)) for doc, score in hits]
        return ranking if allowed is None else [(r, s) for r, s in ranking if allowed[r]][:fetch_k]
    scores, ids = _search(
        index.vector_store.index, query_vector, k, None if allowed is None else allowed[rows]
    )
    return [(int(rows[i]), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0]


def sentence_key(text: str) -> str:
    """A sentence as compared across articles: figures masked, case and spacing ignored."""
    return " ".join(_FIGURES.sub("#", text).lower().split())


def sentence_keys(index: CorpusIndex, sentences: list[int]) -> list[str]:
    """The `sentence_key` of each of `sentences` (ids), each worked out once per index, when first
    needed: a query touches a few hundred sentences, not all of them."""
    known: dict[int, str] = index.cache.setdefault("sentence_keys", {})
    keys = []
    for s in sentences:
        key = known.get(s)
        if key is None:
            key = known[s] = sentence_key(index.sentence_text(s))
        keys.append(key)
    return keys


def distinct_groups(index: CorpusIndex) -> np.ndarray:
    """For each distinct sentence (`index.sentence_distinct`), the number of its group: distinct
    sentences with one `sentence_key` (the same words, other figures) share it. Worked out once per
    index, on first use (~30,000 distinct sentences in a 100,000-passage haystack: ~0.1 s)."""
    groups = index.cache.get("distinct_groups")
    if groups is None:
        assert index.sentence_distinct is not None
        _, first_sentence = np.unique(index.sentence_distinct, return_index=True)
        number: dict[str, int] = {}
        groups = np.fromiter(
            (number.setdefault(k, len(number)) for k in sentence_keys(index, first_sentence.tolist())),
            dtype=np.int64,
            count=len(first_sentence),
        )
        index.cache["distinct_groups"] = groups
    return groups


def _first_of_groups(index: CorpusIndex, sentences: np.ndarray, take: int) -> list[int]:
    """Of `sentences` (best first), the first of each group (the same `sentence_key`), up to `take`."""
    claimed: set[str] = set()
    kept: list[int] = []
    for s in sentences.tolist():
        key = sentence_keys(index, [s])[0]
        if key not in claimed:
            claimed.add(key)
            kept.append(s)
            if len(kept) == take:
                break
    return kept


def sentence_ranking(
    index: CorpusIndex, query_vector: np.ndarray, fetch_k: int, allowed: Allowed | None = None
) -> list[tuple[int, float]]:
    """(passage row, cosine of its best sentence) pairs, best first.

    A passage that holds one sentence squarely on the question can rank low
    as a whole; ranking by its best sentence finds it. Small indexes score every
    sentence; large ones search an IVF index of the distinct sentences
    (`index.sentence_index`).

    A sentence that other articles repeat, word for word or with other figures (wire copy,
    boilerplate, a quote many reports carry), counts once: its best-scoring copy (the first, on a
    tie) ranks, the others do not. Otherwise copies of the one sentence nearest the question fill
    the ranking, each in another article, and push out every other sentence that fits the question:
    on a haystack of 5,712 passages made of recombined seed sentences, a question's evidence
    sentence fell out of the ranking behind ~40 copies of a neighbouring sentence. The copies'
    passages still rank by their dense and BM25 scores.
    """
    take = fetch_k * 2
    if index.sentence_index is not None:  # distinct sentences, approximately; then each one's first copy
        mask = None if allowed is None else allowed.distinct
        total = index.sentence_index.ntotal if mask is None else int(np.count_nonzero(mask))
        search = min(total, take * 4)
        groups = distinct_groups(index)
        while True:
            scores, ids = _search(index.sentence_index, query_vector, search, mask)
            valid = ids[0] >= 0
            ids_found, scores_found = ids[0][valid], scores[0][valid]
            # the first (best) distinct sentence of each group, in rank order, as arrays: a haystack
            # of recombined sentences has thousands of distinct texts that differ only in figures
            _, firsts = np.unique(groups[ids_found], return_index=True)
            firsts = np.sort(firsts)[:take]
            if len(firsts) >= take or search >= total:
                break
            search = min(total, search * 4)
        found: list[int] = []
        found_scores: list[float] = []
        for distinct, score in zip(ids_found[firsts].tolist(), scores_found[firsts].tolist(), strict=True):
            copies = index.sentences_of_distinct(distinct)
            if allowed is not None:
                copies = copies[allowed.sentences[copies]]
            if len(copies):  # the mask admits a distinct sentence only with an admitted copy
                found.append(int(copies[0]))
                found_scores.append(score)
        top, top_scores = np.asarray(found, dtype=np.int64), np.asarray(found_scores)
    elif allowed is None:
        scores = index.sentence_vectors @ query_vector
        search = min(len(scores), take * 4)
        while True:
            top = np.argpartition(-scores, search - 1)[:search]
            top = top[np.lexsort((top, -scores[top]))]  # best first; a tie: the earlier sentence
            kept = _first_of_groups(index, top, take)
            if len(kept) == take or search == len(scores):
                break
            search = min(len(scores), search * 4)
        top = np.asarray(kept, dtype=np.int64)
        top_scores = scores[top]
    else:  # every admitted passage by its best sentence, of the admitted copies the best only
        scores = index.sentence_vectors @ query_vector
        admitted = np.flatnonzero(allowed.sentences)
        order = admitted[np.lexsort((admitted, -scores[admitted]))]
        best: dict[int, float] = {}
        claimed: set[str] = set()
        floor = math.inf  # the score of the last sentence kept: no passage scores less so far
        for s, score in zip(order.tolist(), scores[order].tolist(), strict=True):
            if len(best) >= fetch_k and score < floor:  # nothing further can rank among the first
                break
            key = sentence_keys(index, [s])[0]
            if key in claimed:
                continue
            claimed.add(key)
            floor = score
            for row in index.passages_of(s).tolist():  # the sentence's article is admitted: all of them
                best.setdefault(row, score)
        return sorted(best.items(), key=lambda item: (-item[1], item[0]))[:fetch_k]
    best: dict[int, float] = {}
    for s, score in zip(top.tolist(), top_scores.tolist(), strict=True):
        for row in index.passages_of(s).tolist():
            best.setdefault(row, score)
    return sorted(best.items(), key=lambda item: (-item[1], item[0]))[:fetch_k]


def bm25_ranking(
    index: CorpusIndex, question: str, fetch_k: int, allowed: np.ndarray | None = None
) -> list[tuple[int, float]]:
    """(passage row, BM25 score) pairs, best first (ties: the earlier passage first); passages
    sharing no term are left out, and with `allowed` (a mask over rows, or weights: 1 admitted,
    0 not) so are the passages it does not admit.

    Every passage is scored (a sparse product) and the best are selected among those scoring above
    zero: bm25s' own top-k (`retrieve`) partitions the whole score array, and numpy's partition of
    100,000 scores that are mostly zero took 15 ms for some questions, against 0.2 ms here.
    """
    tokens = [t for t in bm25_query_tokens(question) if t in index.bm25.vocab_dict]
    if not tokens:
        return []
    mask = None if allowed is None else np.asarray(allowed, dtype=np.float32)
    scores = index.bm25.get_scores(tokens, weight_mask=mask)
    rows = np.flatnonzero(scores > 0)
    if len(rows) > fetch_k:  # those scoring at least the fetch_k-th best, ties included
        kth = np.partition(scores[rows], len(rows) - fetch_k)[len(rows) - fetch_k]
        rows = rows[scores[rows] >= kth]
    rows = rows[np.lexsort((rows, -scores[rows]))][:fetch_k]
    return [(int(r), float(scores[r])) for r in rows]


def fuse(rankings: list[tuple[list[tuple[int, float]], float]], rrf_k: int) -> list[tuple[int, float]]:
    """Reciprocal rank fusion: each ranking adds weight / (rrf_k + rank) to its items.

    Items a ranking scores alike share the rank of the first of them (1, 1, 3): the passages
    that hold one sentence all score that sentence in the best-sentence ranking, and the window
    that starts later in the article is not worth less for it. Ranked 1, 2 by row, the evidence
    sentence's second window lost a rank's weight in every fusion, and with it the first place
    (on the question set MRR .903 -> .911, each half better, nothing worse)."""
    fused: dict[int, float] = {}
    for ranking, weight in rankings:
        rank, last = 0, None
        for position, (row, score) in enumerate(ranking, start=1):
            if score != last:
                rank, last = position, score
            fused[row] = fused.get(row, 0.0) + weight / (rrf_k + rank)
    return sorted(fused.items(), key=lambda item: (-item[1], item[0]))


def article_leaders(
    rankings: list[tuple[list[tuple[int, float]], float]],
    article_of: np.ndarray,
    rrf_k: int,
    states: Callable[[int], bool] | None = None,
    depth: int | None = _STATING_DEPTH,
) -> list[int]:
    """Each article's best passage, as if the article were searched alone: every ranking restricted
    to the article's passages, ranks counted within the article, fused.

    An article that ranks low overall still has a passage that fits the question best *within it*
    (where it states its own position); counting ranks within the article finds that passage,
    where the global ranks of a weak article's passages are all deep and say little.

    With `states` (does a passage state the kind of thing asked: "should" answered by "demands",
    "necessity"), an article's leader is its best passage among its first `depth` (None: any of
    those ranked) that states it."""
    scores: dict[int, float] = {}
    for ranking, weight in rankings:
        if not weight:
            continue
        seen: dict[int, int] = {}
        for row, _ in ranking:
            article = int(article_of[row])
            seen[article] = rank = seen.get(article, 0) + 1
            scores[row] = scores.get(row, 0.0) + weight / (rrf_k + rank)
    ordered: dict[int, list[int]] = {}
    for row, _ in sorted(scores.items(), key=lambda item: (-item[1], item[0])):
        ordered.setdefault(int(article_of[row]), []).append(row)
    if states is None:
        return [rows[0] for rows in ordered.values()]
    stating = {a: next((r for r in rows[:depth] if states(r)), None) for a, rows in ordered.items()}
    return [stating[a] if stating[a] is not None else rows[0] for a, rows in ordered.items()]


def first_articles(fused: list[tuple[int, float]], article_of: np.ndarray, n: int) -> list[int]:
    """The first `n` articles (by position) that `fused` reaches, in its order."""
    found: dict[int, None] = {}
    for row, _ in fused:
        found.setdefault(int(article_of[row]), None)
        if len(found) == n:
            break
    return list(found)


def leaders_first(fused: list[tuple[int, float]], leaders: list[int]) -> list[tuple[int, float]]:
    """`fused` with the `leaders` first, in their fused order, then the rest in theirs."""
    lead = set(leaders)
    return [x for x in fused if x[0] in lead] + [x for x in fused if x[0] not in lead]


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
    allowed: Allowed | None = None,
    fetch_k: int | None = None,
) -> list[tuple[list[tuple[int, float]], float]]:
    """The dense, BM25 and best-sentence rankings of one query, with their fusion weights.

    Each ranking holds its best `fetch_k` passages (default `settings.fetch_k`). With `allowed`
    (what a filter admits), those are the best of the admitted passages, so a filter never starves
    the result.
    """
    fetch_k = fetch_k or settings.fetch_k
    rows = None if allowed is None else allowed.passages
    dense = dense_ranking(index, query_vector, fetch_k, rows) if settings.dense_weight else []
    weights = None if allowed is None else allowed.weights
    sparse = bm25_ranking(index, question, fetch_k, weights) if settings.bm25_weight else []
    by_sentence = sentence_ranking(index, query_vector, fetch_k, allowed) if settings.sentence_weight else []
    return [
        (dense, settings.dense_weight),
        (sparse, settings.bm25_weight),
        (by_sentence, settings.sentence_weight),
    ]


def allowed_rows(index: CorpusIndex, filters: Filters | None) -> Allowed | None:
    """The passages and sentences a filter admits (None: no filter); worked out once per filter."""
    if filters is None or not filters.active:
        return None
    key = "filter:" + filters.model_dump_json()
    allowed = index.cache.get(key)
    if allowed is None:
        articles = np.fromiter(
            (filters.admits(index.articles[doc_id]) for doc_id in index.article_ids),
            dtype=bool,
            count=len(index.article_ids),
        )
        passages, sentences = articles[index.passage_article], articles[index.sentence_article]
        distinct = None
        if index.sentence_distinct is not None:
            distinct = np.zeros(int(index.sentence_distinct.max(initial=-1)) + 1, dtype=bool)
            distinct[index.sentence_distinct[sentences]] = True
        allowed = Allowed(passages, sentences, distinct, passages.astype(np.float32))
        kept = [k for k in list(index.cache) if k.startswith("filter:")]
        for old in kept[: max(0, len(kept) - _FILTER_CACHE_SIZE + 1)]:
            index.cache.pop(old, None)
        index.cache[key] = allowed
    return allowed


def choose_passages(
    index: CorpusIndex,
    fused: list[tuple[int, float]],
    k: int,
    dense_scores: dict[int, float] | None = None,
    sparse_scores: dict[int, float] | None = None,
) -> list[Passage]:
    """The first k passages of a fused ranking, scored, leaving out each that adds too little to
    those before it: half its length shared with one of its article (`_MAX_OVERLAP`), or a third of
    its sentences already shown, copies in other articles included (`_MAX_REPEATED`)."""
    dense_scores, sparse_scores = dense_scores or {}, sparse_scores or {}
    chosen: list[Passage] = []
    shown: set[str] = set()  # the sentence keys of the passages chosen
    for row, score in fused:
        passage = replace(
            index.passages[row],
            score=round(score, 6),
            dense_score=round(dense_scores[row], 4) if row in dense_scores else None,
            bm25_score=round(sparse_scores[row], 4) if row in sparse_scores else None,
        )
        if any(_overlap(passage, kept) >= _MAX_OVERLAP for kept in chosen):
            continue
        held = sentence_keys(index, index.sentences_of_passage(row).tolist())
        if sum(g in shown for g in held) >= _MAX_REPEATED * len(held):
            continue
        shown.update(held)
        chosen.append(passage)
        if len(chosen) == k:
            break
    return chosen


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
    parts = split_question(topic)
    parts = parts if len(parts) > 1 else []  # a question that asks two things: searched part by part too
    if query_vector is None or topic != question:
        query_vector, *part_vectors = embedder.query_vectors([topic, *parts])
    else:
        part_vectors = embedder.query_vectors(parts) if parts else []
    allowed = allowed_rows(index, filters)
    if allowed is not None and not allowed.passages.any():
        return []
    # "How do the articles differ?", "Is the US helping ISIS?": every article with a say is searched
    # deeper, article by article.
    compare = question_mode(question) in ("positions", "views")
    fetch_k = max(settings.fetch_k, settings.compare_fetch_k) if compare else settings.fetch_k
    # The question's rankings, then each part's (each part brings its own evidence too).
    queries = [(topic, query_vector), *zip(parts, part_vectors, strict=True)]
    each = side_by_side(lambda q: _rankings(index, q[0], q[1], settings, allowed, fetch_k), queries)
    rankings = [ranking for ranked in each for ranking in ranked]
    dense_scores, sparse_scores = dict(rankings[0][0]), dict(rankings[1][0])
    fused = fuse(rankings, settings.rrf_k)
    if compare:  # each article's own best passage first (its position), then the rest
        marks, state = question_modality(topic), question_state(topic)
        article_of = index.passage_article
        # A modal's words are common in news, so only an article's best passages are searched for
        # one; a statement of the state asked ("ISIS is defeated": subject, "is", predicate) is
        # rare enough to be looked for in all of an article's ranked passages, in the k articles
        # that rank best (among thousands, the rest would cost more than they could lead).
        stated_in = set(first_articles(fused, article_of, k)) if state else set()
        states = None
        # "Should ...?" is answered by "demands", "Has ISIS been defeated?" by "ISIS is defeated"
        if marks or state:

            def states(row: int) -> bool:
                text = index.passages[row].text
                if states_modality(text, marks):
                    return True
                return int(article_of[row]) in stated_in and states_state(text, state)

        depth = _STATING_DEPTH if marks else None
        leaders = article_leaders(rankings, article_of, settings.rrf_k, states, depth)
        fused = leaders_first(fused, leaders)
        if states is not None:  # the leaders that state it before those that don't
            fused = leaders_first(fused, [row for row in leaders if states(row)])
    return choose_passages(index, fused, k, dense_scores, sparse_scores)


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

"""Benchmarks: index build against raw encode throughput, query latency, cold start, the tutorial
baseline, concurrent HTTP clients, quality in a synthetic haystack, and latency at scale.

    qa bench                         # seeds, a 5,000-passage haystack, 100,000 with synthetic vectors
    qa bench --sizes 10000 --scale ''  # a 10,000-passage haystack embedded for real (~9 min here)

Synthetic corpora are generated reproducibly (fixed seed) from the seed articles' sentences,
shuffled into new articles with distinct doc ids, dates and perturbed figures, so the seed
questions keep their true answers (in the seed articles) inside a haystack of near-misses. The
sentences holding a question's evidence are left out of the synthetic articles: a copy of the
answer under another doc id is not a distractor but a second answer that counted as a miss.

`--sizes` haystacks are embedded for real: build throughput and quality (hit@5). `--scale`
haystacks get vectors made from the seed index's real ones (`SyntheticVectors`), because
embedding 100,000 passages and their sentences takes over an hour here: they measure latency,
memory and approximate-search recall, never quality.
"""

from __future__ import annotations

import gc
import json
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import threading
import time
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from qa.assistant import Assistant
from qa.corpus import load_corpus
from qa.embeddings import SentenceTransformerEmbeddings, resolve_model
from qa.eval.metrics import first_relevant_rank
from qa.eval.questions import bundled_questions, load_questions
from qa.index_store import EMBEDDING_STAGE, build_index, embedding_text, load_index
from qa.passages import split_sentences
from qa.records import Article
from qa.settings import Settings

_NUMBER = re.compile(r"\b\d[\d,]*\b")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentiles(values: list[float]) -> dict[str, float]:
    q = np.percentile(values, [50, 95, 99])
    return {"p50": round(float(q[0]), 2), "p95": round(float(q[1]), 2), "p99": round(float(q[2]), 2)}


def synthetic_corpus(
    seeds: Path, target: Path, passages: int, seed: int = 0, questions: Path | None = None
) -> None:
    """The seed articles plus synthetic ones, about `passages` passages in all (2 new sentences each).

    Synthetic articles recombine the seed sentences, every figure changed, except the sentences that
    hold (part of) the evidence of a question of `questions` (default: the bundled set): a copy of
    an evidence sentence under another doc id, word for word or with other figures, is a second
    answer that retrieval cannot tell from the true one (most questions do not name the figure),
    and it counted as a miss. The haystack's distractors are near-misses: the same outlets' other
    sentences, on the same topics and names (not their titles)."""
    rng = random.Random(seed)
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(seeds, target)
    sentences = haystack_sentences(seeds, questions)
    for i in range(max(1, passages * 2 // SYNTHETIC_SENTENCES)):
        (target / f"syn-{i:06d}.txt").write_text(synthetic_article(rng, sentences, i), encoding="utf-8")


SYNTHETIC_SENTENCES = 12  # per synthetic article


def haystack_sentences(seeds: Path, questions: Path | None = None) -> list[str]:
    """The seed sentences synthetic articles are made of: over 40 characters, neither an evidence
    sentence nor a seed's title (questions name an article by its title: "the article on ...")."""
    articles = load_corpus(seeds)
    evidence = evidence_texts(articles, questions or bundled_questions())
    return [
        text
        for a in articles
        for s in split_sentences(a.text)
        if s.end - s.start > 40
        and (text := a.text[s.start : s.end]).strip() != (a.title or "").strip()
        and not holds_evidence(text, evidence)
    ]


def synthetic_article(rng: random.Random, sentences: list[str], number: int) -> str:
    """One synthetic article: a title, a date and 12 seed sentences with every figure changed."""
    picked = rng.sample(sentences, SYNTHETIC_SENTENCES)
    body = " ".join(_NUMBER.sub(lambda m: str(rng.randint(2, 999)), s) for s in picked)
    year, month, day = rng.randint(2015, 2025), rng.randint(1, 12), rng.randint(1, 28)
    return f"Synthetic wire report {number}\n\ndate {year}-{month:02d}-{day:02d}\n\n{body}\n"


def evidence_texts(articles: list[Article], questions: Path) -> list[str]:
    """The evidence sentences of a question set, figures masked: each evidence span widened to the
    sentences it overlaps (an evidence text is often a phrase of a sentence)."""
    by_id = {a.doc_id: a for a in articles}
    out: set[str] = set()
    for question in load_questions(questions, by_id):
        for e in question.evidence:
            text = by_id[e.doc_id].text
            for s in split_sentences(text):
                if s.start < e.end and e.start < s.end:
                    out.add(_NUMBER.sub("#", text[s.start : s.end]))
            out.add(_NUMBER.sub("#", e.text))
    return sorted(out)


def holds_evidence(sentence: str, evidence: list[str]) -> bool:
    """Whether a sentence, figures aside, is an evidence sentence or holds an evidence text (or is
    held by one: a sentence split differently)."""
    masked = _NUMBER.sub("#", sentence)
    return any(e in masked or masked in e for e in evidence)


class SyntheticVectors(SentenceTransformerEmbeddings):
    """Stand-in embeddings for latency and ANN-recall runs at scale: made from real vectors, not embedded.

    Embedding 100,000 passages and their sentences takes over an hour here, so the synthetic haystack
    of a scale run gets vectors built from the seed index's real ones: a text the seed index holds
    keeps its real vector; a sentence that is a seed sentence with other figures gets that sentence's
    vector plus fixed-seed noise; a passage gets the mean of its sentences' vectors plus noise. The
    sentence noise matches what the real 12,087-passage haystack shows (a seed sentence with other
    figures has cosine ~0.95 to it); a text matching no seed sentence gets a random direction shared
    by the texts that differ from it in figures only (the "Synthetic wire report N" titles). On that
    haystack the synthetic passage vectors have cosine ~0.76 (median) to the real ones. Queries are
    embedded for real. Good for timing and for recall of approximate search against exact search on
    vectors shaped like real ones; NOT for quality (hit@5), which needs real embeddings.
    """

    SENTENCE_NOISE = 0.33  # cosine ~0.95 to the seed sentence's vector
    PASSAGE_NOISE = 0.25  # keeps passages off the exact mean of their sentences
    _PIECE = re.compile(r"(?<=[.!?…][\"”’')\]])\s+|(?<=[.!?…])\s+|\n+")

    def __init__(self, real: SentenceTransformerEmbeddings, seed_index: Any) -> None:
        super().__init__(real.model_path, real.batch_size)
        self._model = real.model  # for `dimension`; nothing is encoded with it
        vectors = np.load(seed_index.directory / "passage_vectors.npy")
        self.known: dict[str, np.ndarray] = {
            embedding_text(p): v for p, v in zip(seed_index.passages, vectors, strict=True)
        }
        self.base: dict[str, np.ndarray] = {}  # seed sentence, figures masked -> its real vector
        for i, vector in enumerate(seed_index.sentence_vectors):
            text = seed_index.sentence_text(i)
            self.known.setdefault(text, vector)
            self.base.setdefault(_NUMBER.sub("#", text), vector)

    def _noisy(self, vector: np.ndarray, text: str, noise: float) -> np.ndarray:
        rng = np.random.default_rng(zlib.crc32(text.encode()))
        out = vector + noise * rng.standard_normal(vector.shape[0]).astype(np.float32) / np.sqrt(
            vector.shape[0]
        )
        return out / np.linalg.norm(out)

    def _sentence(self, text: str) -> np.ndarray | None:
        text = text.strip()
        if text in self.known:
            return self.known[text]
        base = self.base.get(_NUMBER.sub("#", text))
        return None if base is None else self._noisy(base, text, self.SENTENCE_NOISE)

    def _vector(self, text: str) -> np.ndarray:
        if text in self.known:
            return self.known[text]
        pieces = [p for p in self._PIECE.split(text) if p.strip()]
        found = [v for v in map(self._sentence, pieces) if v is not None]
        if len(pieces) == 1 and found:
            return found[0]
        if not found:  # nothing known in it: a random direction, shared by texts that differ in figures only
            masked = _NUMBER.sub("#", text)
            direction = self._noisy(np.zeros(self.dimension, dtype=np.float32), masked, 1.0)
            return self._noisy(direction, text, self.SENTENCE_NOISE)
        mean = np.mean(found, axis=0)
        return self._noisy(mean / np.linalg.norm(mean), text, self.PASSAGE_NOISE)

    def encode(self, texts: list[str], show_progress: bool = False) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for i, text in enumerate(texts):
            out[i] = self._vector(text)
        return out


def bench_build(settings: Settings) -> tuple[Assistant, dict[str, Any]]:
    """Build the index from scratch, timing each stage; compare embedding with raw encode."""
    shutil.rmtree(settings.index_dir, ignore_errors=True)
    stages: dict[str, list[float]] = {}

    def on_progress(stage: str, done: int, total: int) -> None:
        now = time.perf_counter()
        stages.setdefault(stage, [now, now])[1] = now

    embedder = SentenceTransformerEmbeddings(
        resolve_model(settings.embedding_model), batch_size=settings.embedding_batch_size
    )
    embedder.encode(["load the model outside the timing"])
    started = time.perf_counter()
    assistant = Assistant(settings, embedder, build_index(settings, embedder, on_progress))
    total = time.perf_counter() - started
    counts = assistant.index.manifest["counts"]
    texts = assistant.index.manifest["embedded_texts"]  # distinct texts: a copy is embedded once
    embed_s = np.subtract(*reversed(stages.get(EMBEDDING_STAGE, [0, 0])))
    # raw SentenceTransformer.encode, same model, same run, on the same kind of texts: up to 2,000 of
    # the distinct texts the build embedded, evenly spread, so passages and sentences in its proportion
    sample = raw_encode_sample(assistant.index, 2000)  # ~35 s here; 3,000 took the bench near 15 min
    t = time.perf_counter()
    assistant.embedder.model.encode(
        sample, batch_size=settings.embedding_batch_size, normalize_embeddings=True
    )
    raw_rate = len(sample) / (time.perf_counter() - t)
    build_rate = texts / embed_s if embed_s else None
    return assistant, {
        "articles": counts["articles"],
        "passages": counts["passages"],
        "sentences": counts["sentences"],
        "embedded_texts": texts,
        "build_seconds": round(total, 2),
        "embed_seconds": round(float(embed_s), 2),
        "passages_per_second": round(counts["passages"] / total, 1),
        "build_texts_per_second": round(build_rate, 1) if build_rate else None,
        "raw_encode_texts_per_second": round(raw_rate, 1),
        "embedding_vs_raw": round(build_rate / raw_rate, 3) if build_rate else None,
        "embedding_share_of_build": round(float(embed_s) / total, 3),
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }


def raw_encode_sample(index: Any, size: int) -> list[str]:
    """`size` of the distinct texts a build embeds (passages with their titles, then sentences),
    evenly spread over them."""
    texts = list(
        dict.fromkeys(
            [embedding_text(p) for p in index.passages]
            + [index.sentence_text(i) for i in range(len(index.sentences))]
        )
    )
    step = max(1, len(texts) / size)
    return [texts[int(i * step)] for i in range(min(size, len(texts)))]


def bench_queries(assistant: Assistant, rounds: int = 2) -> dict[str, Any]:
    questions = load_questions(bundled_questions(), assistant.index.articles)
    assistant.ask(questions[0].question)
    retrieve_ms, ask_ms, ranks = [], [], []
    cache = assistant.embedder._query_cache  # new questions: no cached query vectors in the timings
    for r in range(rounds):
        for q in questions:
            cache.clear()
            t = time.perf_counter()
            passages = assistant.retrieve(q.question, k=5)
            retrieve_ms.append((time.perf_counter() - t) * 1000)
            cache.clear()
            t = time.perf_counter()
            assistant.ask(q.question)
            ask_ms.append((time.perf_counter() - t) * 1000)
            if r == 0 and q.answerable:
                ranks.append(first_relevant_rank([(p.doc_id, p.start, p.end) for p in passages], q))
    return {
        "retrieve_ms": percentiles(retrieve_ms),
        "ask_ms": percentiles(ask_ms),
        "hit@5": round(sum(x is not None for x in ranks) / len(ranks), 3),
        "questions": len(questions),
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }


def approximate_recall(assistant: Assistant, k: int = 10) -> dict[str, Any]:
    """recall@k (tie-aware, as `_recall`) against exact search of each approximate index a large
    corpus may get (IVF, what `vector_index=auto` picks from `approximate_min_passages` on, and
    HNSW), built over this index's real passage vectors, on the question set's query vectors, with
    each one's search and build time."""
    import faiss  # noqa: PLC0415

    from qa.index_store import hnsw_index, ivf_index  # noqa: PLC0415

    vectors = np.load(assistant.index.directory / "passage_vectors.npy")  # whatever the vector store
    exact = faiss.IndexFlatIP(vectors.shape[1])
    exact.add(vectors)
    questions = load_questions(bundled_questions(), assistant.index.articles)
    queries = np.vstack([assistant.embedder.query_vector(q.question) for q in questions]).astype(np.float32)
    out: dict[str, Any] = {}
    for kind, make in (("ivf", ivf_index), ("hnsw", hnsw_index)):
        started = time.perf_counter()
        approximate = make(vectors)
        build_s = time.perf_counter() - started
        measured = _recall(exact, approximate, queries, k)
        out[kind] = {**measured, "build_seconds": round(build_s, 2)}
    return out


_MEMORY = """
import gc, json, os
from pathlib import Path
import faiss, numpy
from langchain_community.vectorstores import FAISS
from qa.assistant import Assistant
from qa.embeddings import SentenceTransformerEmbeddings, resolve_model
from qa.index_store import _bm25s, load_index
from qa.settings import Settings
_bm25s()
def rss():
    return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
settings = Settings(corpus_dir={corpus!r}, index_dir={index!r})
embedder = SentenceTransformerEmbeddings(resolve_model(settings.embedding_model))
gc.collect(); before = rss()
assistant = Assistant(settings, embedder, load_index(settings, embedder))
gc.collect(); print(json.dumps(round(rss() - before, 1)))
"""


def index_ram_mb(settings: Settings) -> float:
    """Resident memory an assistant's index takes (libraries and model aside), in a fresh process:
    within this one, memory freed by earlier runs is reused and hides it. Linux only (else 0)."""
    if not Path("/proc/self/statm").is_file():
        return 0.0
    code = _MEMORY.format(corpus=str(settings.corpus_dir), index=str(settings.index_dir))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return float(out.strip().splitlines()[-1])


def _recall(exact: Any, approximate: Any, queries: np.ndarray, k: int) -> dict[str, float]:
    """Tie-aware recall@k of `approximate` against `exact` (FAISS indexes over the same vectors), and
    the milliseconds per query of each. A found vector counts when it scores at least the k-th exact
    score: the haystack repeats seed sentences word for word, and which of several equal vectors
    comes back is no miss."""
    t = time.perf_counter()
    truth, _ = exact.search(queries, k)
    exact_ms = (time.perf_counter() - t) * 1000 / len(queries)
    t = time.perf_counter()
    found, ids = approximate.search(queries, k)
    ann_ms = (time.perf_counter() - t) * 1000 / len(queries)
    floor = truth[:, -1:] - 1e-5
    hits = ((found >= floor) & (ids >= 0)).sum(axis=1)
    return {
        f"recall@{k}": round(float(np.mean(hits / k)), 3),
        "exact_ms_per_query": round(exact_ms, 3),
        "ann_ms_per_query": round(ann_ms, 3),
    }


def ann_recall(assistant: Assistant, k: int = 10) -> dict[str, Any]:
    """recall@k of the index's approximate searches (passages; sentences, also at the 2 x fetch_k
    that retrieval takes) against exact search on the question set's query vectors, and how many
    of the top-5 retrieved passages exact search would have given too."""
    import faiss  # noqa: PLC0415

    from qa.retrieval import faiss_rows, hybrid_search  # noqa: PLC0415

    index = assistant.index
    questions = load_questions(bundled_questions(), index.articles)
    queries = np.vstack([assistant.embedder.query_vector(q.question) for q in questions]).astype(np.float32)
    out: dict[str, Any] = {}
    passage_graph = index.vector_store.index
    passages = faiss.IndexFlatIP(passage_graph.d)
    rows = faiss_rows(index)  # each FAISS id's passage: its vector, as the store holds it
    passages.add(np.ascontiguousarray(np.load(index.directory / "passage_vectors.npy")[rows]))
    if not isinstance(passage_graph, faiss.IndexFlat):  # IVF or HNSW
        out["passages"] = _recall(passages, passage_graph, queries, k)
    sentences = None  # exact search over the distinct sentences, when they are searched approximately
    if index.sentence_index is not None:
        _, first = np.unique(index.sentence_distinct, return_index=True)  # the distinct sentences
        sentences = faiss.IndexFlatIP(index.sentence_index.d)
        sentences.add(np.ascontiguousarray(index.sentence_vectors[first]))
        take = 2 * assistant.settings.fetch_k
        out["sentences"] = {
            **_recall(sentences, index.sentence_index, queries, k),
            **{
                k2: v
                for k2, v in _recall(sentences, index.sentence_index, queries, take).items()
                if "@" in k2
            },
        }
    # End to end: the same questions retrieved with both approximate searches swapped for exact ones
    # (over the same distinct sentences, so that only approximation, not tie-breaking, differs).
    approximate = [
        hybrid_search(index, assistant.embedder, q.question, assistant.settings) for q in questions
    ]
    store, graph = index.vector_store, index.sentence_index
    store.index, index.sentence_index = passages, sentences
    try:
        exact = [hybrid_search(index, assistant.embedder, q.question, assistant.settings) for q in questions]
    finally:
        store.index, index.sentence_index = passage_graph, graph
    same = [
        len({p.passage_id for p in a} & {p.passage_id for p in e}) / max(1, len(e))
        for a, e in zip(approximate, exact, strict=True)
    ]
    out["top5_same_as_exact"] = round(float(np.mean(same)), 3)
    return out


def bench_filtered(assistant: Assistant) -> dict[str, Any]:
    """retrieve latency with a narrow and a broad date filter, and whether every answer is full."""
    from qa.filters import Filters  # noqa: PLC0415
    from qa.retrieval import allowed_rows  # noqa: PLC0415

    questions = load_questions(bundled_questions(), assistant.index.articles)
    cache = assistant.embedder._query_cache
    out: dict[str, Any] = {}
    for name, filters in (
        ("one year", Filters(date_from="2020", date_to="2020")),
        ("2016 on", Filters(date_from="2016")),
    ):
        allowed = allowed_rows(assistant.index, filters)
        times, short, outside = [], 0, 0
        for q in questions:
            cache.clear()
            t = time.perf_counter()
            passages = assistant.retrieve(q.question, k=5, filters=filters)
            times.append((time.perf_counter() - t) * 1000)
            short += len(passages) < 5
            outside += sum(not filters.admits(assistant.index.articles[p.doc_id]) for p in passages)
        out[name] = {
            "admitted_share": round(float(allowed.passages.mean()), 3),
            "retrieve_ms": percentiles(times),
            "results_short_of_5": short,
            "results_outside_filter": outside,
        }
    return out


def bench_scale(
    seed: Assistant, seeds: Path, work_dir: Path, size: int, raw_rate: float | None = None
) -> dict[str, Any]:
    """Latency, index RAM and approximate-search recall at `size` passages, with vectors made by
    `SyntheticVectors` (not embedded): no quality figures come from this run. With `raw_rate` (texts
    per second of raw encode, measured in the same run), one-article updates against a full rebuild."""
    corpus = work_dir / f"corpus-{size}"
    synthetic_corpus(seeds, corpus, size)
    settings = Settings(corpus_dir=corpus, index_dir=work_dir / f"index-{size}-synthetic-vectors")
    shutil.rmtree(settings.index_dir, ignore_errors=True)
    embedder = seed.embedder
    vectors = SyntheticVectors(embedder, seed.index)
    built, build_s, embed_s = timed_build(settings, vectors)
    texts = built.manifest["embedded_texts"]
    full = {"seconds_without_embedding": round(build_s - embed_s, 1), "texts": texts}
    del built
    gc.collect()
    started = time.perf_counter()
    assistant = Assistant(settings, embedder, load_index(settings, embedder))
    load_s = time.perf_counter() - started
    queries = bench_queries(assistant, 2)
    queries.pop("hit@5")  # synthetic vectors: not a quality figure
    counts = assistant.index.manifest["counts"]
    directory = assistant.index.directory
    out = {
        "name": f"synthetic {size:,}, synthetic vectors",
        "passages": counts["passages"],
        "sentences": counts["sentences"],
        "articles": counts["articles"],
        "build_seconds_without_embedding": full["seconds_without_embedding"],
        "load_seconds": round(load_s, 2),
        "index_ram_mb": index_ram_mb(settings),
        "index_disk_mb": round(sum(f.stat().st_size for f in directory.rglob("*") if f.is_file()) / 2**20, 1),
        "vector_index": {
            "passages": type(assistant.index.vector_store.index).__name__,
            "sentences": type(assistant.index.sentence_index).__name__
            if assistant.index.sentence_index is not None
            else "exact",
        },
        "queries": queries,
        "filtered": bench_filtered(assistant),
        "ann": ann_recall(assistant),
    }
    del assistant
    gc.collect()
    if raw_rate:  # last: it changes the corpus under the index measured above
        out["incremental"] = bench_incremental(settings, vectors, seeds, full, raw_rate)
    return out


def timed_build(settings: Settings, embedder: SentenceTransformerEmbeddings) -> tuple[Any, float, float]:
    """Build the index of `settings`: the index, the seconds it took, and those of its embedding stage."""
    stages: dict[str, list[float]] = {}

    def on_progress(stage: str, done: int, total: int) -> None:
        now = time.perf_counter()
        stages.setdefault(stage, [now, now])[1] = now

    started = time.perf_counter()
    index = build_index(settings, embedder, on_progress)
    embedding = stages.get(EMBEDDING_STAGE, [0.0, 0.0])
    return index, time.perf_counter() - started, embedding[1] - embedding[0]


def bench_incremental(
    settings: Settings, vectors: SyntheticVectors, seeds: Path, full: dict[str, Any], raw_rate: float
) -> dict[str, Any]:
    """One synthetic article added, then one rewritten, each followed by a rebuild, against a full
    rebuild. Vectors are synthetic, so every build's time is taken without its embedding stage, and
    the texts it embedded are added at `raw_rate`, the raw encode rate measured in the same run."""
    sentences = haystack_sentences(seeds)
    rng = random.Random(1)
    existing = sorted(settings.corpus_dir.glob("syn-*.txt"))
    full_s = full["seconds_without_embedding"] + full["texts"] / raw_rate
    out: dict[str, Any] = {
        "raw_encode_texts_per_second": raw_rate,
        "full_rebuild": {**full, "seconds_estimated": round(full_s, 1)},
    }
    added = settings.corpus_dir / f"syn-{len(existing):06d}.txt"
    changed = existing[len(existing) // 2]
    for name, path, number in (
        ("add one article", added, len(existing)),
        ("change one article", changed, int(changed.stem.removeprefix("syn-"))),
    ):
        path.write_text(synthetic_article(rng, sentences, number), encoding="utf-8")
        index, build_s, embed_s = timed_build(settings, vectors)
        texts = index.manifest["embedded_texts"]
        seconds = build_s - embed_s + texts / raw_rate
        out[name] = {
            "seconds": round(seconds, 1),
            "seconds_without_embedding": round(build_s - embed_s, 1),
            "embedded_texts": texts,
            "share_of_full_rebuild": round(seconds / full_s, 4),
        }
        del index
        gc.collect()
    return out


_COLD = """
import time; t0 = time.perf_counter()
import qa.cli
from qa.assistant import Assistant; t1 = time.perf_counter()
a = Assistant.from_settings(corpus_dir={corpus!r}, index_dir={index!r}, rebuild=False)
t2 = time.perf_counter()
a.embedder.query_vector("warm"); t3 = time.perf_counter()
a.ask("How many ISIS attacks did CENTCOM count in the first half of 2024?"); t4 = time.perf_counter()
import json, sys
times = {{"imports": t1 - t0, "index_load": t2 - t1, "query_encoder_load": t3 - t2, "first_answer": t4 - t3}}
heavy = [m for m in ("sentence_transformers", "transformers", "torch") if m in sys.modules]
print(json.dumps({{"times": times, "query_encoder": a.embedder.query_encoder, "heavy": heavy}}))
"""


def bench_cold(settings: Settings, runs: int = 3) -> dict[str, Any]:
    """`qa ask` from process start to answer, and where the time goes (medians of `runs` runs).

    The breakdown is measured in a separate process that makes the same calls as `qa ask`; what
    it leaves out of the wall time is the interpreter's start and printing the answer."""
    qa_bin = Path(sys.executable).parent / "qa"
    args = [str(qa_bin), "ask", "--corpus", str(settings.corpus_dir), "--index", str(settings.index_dir)]
    walls, parts = [], []
    code = _COLD.format(corpus=str(settings.corpus_dir), index=str(settings.index_dir))
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run([*args, "When was Qasem Soleimani killed?"], capture_output=True, check=True)
        walls.append(time.perf_counter() - t)
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        parts.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return {
        "qa_ask_wall_seconds": round(statistics.median(walls), 2),
        "breakdown_seconds": {
            k: round(statistics.median(p["times"][k] for p in parts), 2) for k in parts[0]["times"]
        },
        "runs": runs,
        "query_encoder": parts[0]["query_encoder"],
        "heavy_imports": parts[0]["heavy"],
    }


def _cold_encoder(cold: dict[str, Any]) -> str:
    """What encoded the cold start's queries and which heavy modules it imported, when recorded."""
    if "query_encoder" not in cold:
        return ""
    heavy = cold.get("heavy_imports") or []
    imported = f"imported {', '.join(heavy)}" if heavy else "imported neither sentence-transformers nor torch"
    return f"; queries encoded by {cold['query_encoder']}, {imported}"


def bench_baseline(assistant: Assistant) -> dict[str, Any]:
    from qa.eval.baseline import TutorialBaseline  # noqa: PLC0415

    questions = [q for q in load_questions(bundled_questions(), assistant.index.articles) if q.answerable]
    baseline = TutorialBaseline(assistant.articles, assistant.embedder)
    ours_ms, theirs_ms, ours_hits, theirs_hits = [], [], [], []
    cache = assistant.embedder._query_cache
    for q in questions:
        cache.clear()
        t = time.perf_counter()
        spans = baseline.retrieve(q.question)
        theirs_ms.append((time.perf_counter() - t) * 1000)
        theirs_hits.append(first_relevant_rank(spans, q) is not None)
        cache.clear()
        t = time.perf_counter()
        passages = assistant.retrieve(q.question, k=5)
        ours_ms.append((time.perf_counter() - t) * 1000)
        ours_hits.append(first_relevant_rank([(p.doc_id, p.start, p.end) for p in passages], q) is not None)
    return {
        "ours_retrieve_p50_ms": round(statistics.median(ours_ms), 2),
        "tutorial_retrieve_p50_ms": round(statistics.median(theirs_ms), 2),
        "latency_ratio": round(statistics.median(ours_ms) / statistics.median(theirs_ms), 2),
        "ours_hit@5": round(sum(ours_hits) / len(ours_hits), 3),
        "tutorial_hit@4": round(sum(theirs_hits) / len(theirs_hits), 3),
    }


def bench_concurrency(assistant: Assistant, clients: int = 16, per_client: int = 20) -> dict[str, Any]:
    """The JSON API on loopback: `clients` threads x `per_client` questions, against sequential answers."""
    import httpx  # noqa: PLC0415
    import uvicorn  # noqa: PLC0415

    from qa.api import build_api  # noqa: PLC0415

    questions = [q.question for q in load_questions(bundled_questions(), assistant.index.articles)]
    expected = {q: assistant.ask(q).text for q in questions[:per_client]}
    config = uvicorn.Config(build_api(assistant), host="127.0.0.1", port=0, log_level="error")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    url = f"http://127.0.0.1:{port}/api/ask"
    latencies: list[float] = []
    errors, mismatches = 0, 0
    lock = threading.Lock()

    def client(i: int) -> None:
        nonlocal errors, mismatches
        with httpx.Client(timeout=60) as http:
            for j in range(per_client):
                question = questions[(i + j) % per_client]
                t = time.perf_counter()
                try:
                    response = http.post(url, json={"question": question})
                    ok = response.status_code == 200
                    same = ok and response.json()["text"] == expected[question]
                except httpx.HTTPError:
                    ok = same = False
                with lock:
                    latencies.append((time.perf_counter() - t) * 1000)
                    errors += not ok
                    mismatches += ok and not same

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(client, range(clients)))
    elapsed = time.perf_counter() - started
    server.should_exit = True
    thread.join(timeout=10)
    return {
        "clients": clients,
        "requests": clients * per_client,
        "errors": errors,
        "answers_differing_from_sequential": mismatches,
        "latency_ms": percentiles(latencies),
        "requests_per_second": round(clients * per_client / elapsed, 1),
    }


def run_bench(
    sizes: list[int], out_dir: Path, work_dir: Path, seeds: Path, scale: list[int] | tuple[int, ...] = ()
) -> dict[str, Any]:
    out_dir.mkdir(parents=True, exist_ok=True)
    work_dir.mkdir(parents=True, exist_ok=True)
    report: dict[str, Any] = {"machine": {"cpus": os.cpu_count()}, "corpora": []}
    seed_settings = Settings(corpus_dir=seeds, index_dir=work_dir / "index-seed")
    assistant, build = bench_build(seed_settings)
    report["corpora"].append({"name": "seed", "build": build, "queries": bench_queries(assistant)})
    report["cold_start"] = bench_cold(seed_settings)
    report["baseline"] = bench_baseline(assistant)
    report["concurrency"] = bench_concurrency(assistant)
    for size in sizes:
        corpus = work_dir / f"corpus-{size}"
        synthetic_corpus(seeds, corpus, size)
        settings = Settings(corpus_dir=corpus, index_dir=work_dir / f"index-{size}")
        big, build = bench_build(settings)
        report["corpora"].append(
            {
                "name": f"synthetic {size:,}",
                "build": build,
                "queries": bench_queries(big, 1),
                "approximate": approximate_recall(big),
            }
        )
        del big
    # the raw encode rate of the largest real build of this run prices the scale runs' embedding
    raw_rate = report["corpora"][-1]["build"]["raw_encode_texts_per_second"]
    report["scale"] = [bench_scale(assistant, seeds, work_dir, size, raw_rate) for size in scale]
    (out_dir / "bench.json").write_text(json.dumps(report, indent=2))
    (out_dir / "bench.md").write_text(markdown(report))
    return report


def markdown(report: dict[str, Any]) -> str:
    lines = [
        "| corpus | passages | build s | passages/s | embedding vs raw encode | embedding share | "
        "retrieve p50/p95/p99 ms | ask p50/p95/p99 ms | hit@5 | peak RSS MB |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for c in report["corpora"]:
        b, q = c["build"], c["queries"]
        r, a = q["retrieve_ms"], q["ask_ms"]
        lines.append(
            f"| {c['name']} | {b['passages']:,} | {b['build_seconds']} | {b['passages_per_second']} | "
            f"{b['embedding_vs_raw']} ({b['build_texts_per_second']} vs {b['raw_encode_texts_per_second']} "
            f"texts/s) | {b['embedding_share_of_build']} | {r['p50']} / {r['p95']} / {r['p99']} | "
            f"{a['p50']} / {a['p95']} / {a['p99']} | {q['hit@5']} | {q['peak_rss_mb']} |"
        )
    for c in report["corpora"]:
        for kind, label in (("ivf", "IVF (what a large corpus gets)"), ("hnsw", "HNSW")):
            if kind in c.get("approximate", {}):
                h = c["approximate"][kind]
                lines.append(
                    f"\n- {label} against exact search on {c['name']}'s real vectors: recall@10 "
                    f"{h['recall@10']}, {h['ann_ms_per_query']} ms against {h['exact_ms_per_query']} ms "
                    f"per query (built in {h['build_seconds']} s)."
                )
    cold, base, conc = report["cold_start"], report["baseline"], report["concurrency"]
    parts = ", ".join(f"{k} {v} s" for k, v in cold["breakdown_seconds"].items())
    lines += [
        "",
        f"- Cold `qa ask` (process start to answer, median of {cold.get('runs', 1)} runs): "
        f"**{cold['qa_ask_wall_seconds']} s** ({parts}){_cold_encoder(cold)}.",
        f"- LangChain tutorial pipeline on the seeds: retrieve p50 {base['tutorial_retrieve_p50_ms']} ms, "
        f"hit@4 {base['tutorial_hit@4']}; ours {base['ours_retrieve_p50_ms']} ms, hit@5 {base['ours_hit@5']} "
        f"(latency ratio {base['latency_ratio']}).",
        f"- HTTP API, {conc['clients']} concurrent clients x "
        f"{conc['requests'] // conc['clients']} questions: "
        f"{conc['errors']} errors, {conc['answers_differing_from_sequential']} answers differing from "
        f"sequential ones, p50/p95/p99 {conc['latency_ms']['p50']} / {conc['latency_ms']['p95']} / "
        f"{conc['latency_ms']['p99']} ms, {conc['requests_per_second']} requests/s.",
    ]
    return "\n".join(lines + _scale_markdown(report.get("scale", []))) + "\n"


def _ms(q: dict[str, float], keys: tuple[str, ...] = ("p50", "p95", "p99")) -> str:
    return " / ".join(str(q[k]) for k in keys)


def _scale_markdown(runs: list[dict[str, Any]]) -> list[str]:
    """The latency-at-scale runs: synthetic vectors, so timings and recall only."""
    if not runs:
        return []
    lines = [
        "",
        "Latency at scale. **Synthetic vectors**: the haystack's vectors are made from the seed index's "
        "real ones (`SyntheticVectors`), not embedded, so these runs give timings, memory and "
        "approximate-search recall, never quality. Queries are embedded for real (included in the timings).",
        "",
        "| corpus | passages | sentences | passage / sentence search | build s (no embedding) | load s | "
        "index RAM MB | on disk MB | retrieve p50/p95/p99 ms | ask p50/p95/p99 ms | "
        "filtered retrieve p50/p95 ms |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for run in runs:
        q, kinds = run["queries"], run["vector_index"]
        filtered = "; ".join(
            f"{name} ({f['admitted_share']:.0%} admitted): {_ms(f['retrieve_ms'], ('p50', 'p95'))}"
            for name, f in run["filtered"].items()
        )
        lines.append(
            f"| {run['name']} | {run['passages']:,} | {run['sentences']:,} | {kinds['passages']} / "
            f"{kinds['sentences']} | {run['build_seconds_without_embedding']} | {run['load_seconds']} | "
            f"{run['index_ram_mb']} | {run['index_disk_mb']} | {_ms(q['retrieve_ms'])} | "
            f"{_ms(q['ask_ms'])} | {filtered} |"
        )
    for run in runs:
        ann = run["ann"]
        parts = []
        if "passages" in ann:
            a = ann["passages"]
            parts.append(
                f"passages recall@10 **{a['recall@10']}** ({a['ann_ms_per_query']} ms against "
                f"{a['exact_ms_per_query']} ms exact)"
            )
        if "sentences" in ann:
            a = ann["sentences"]
            at = ", ".join(f"{k} **{v}**" for k, v in a.items() if k.startswith("recall@"))
            parts.append(
                f"sentences {at} ({a['ann_ms_per_query']} ms against {a['exact_ms_per_query']} ms exact)"
            )
        short = sum(f["results_short_of_5"] for f in run["filtered"].values())
        outside = sum(f["results_outside_filter"] for f in run["filtered"].values())
        if "incremental" in run:
            lines.append(_incremental_markdown(run["name"], run["incremental"]))
        lines.append(
            f"\n- {run['name']}: approximate search against exact, on the question set (tie-aware): "
            f"{'; '.join(parts) or 'exact search only'}; top-5 retrieved passages shared with all-exact "
            f"retrieval: **{ann['top5_same_as_exact']}**. Filtered questions with fewer than 5 passages: "
            f"{short}; passages outside the filter: {outside}."
        )
    return lines


def _incremental_markdown(name: str, inc: dict[str, Any]) -> str:
    """One line: one-article updates against a full rebuild, with how the embedding is priced."""
    full = inc["full_rebuild"]
    rate = inc["raw_encode_texts_per_second"]
    updates = ", ".join(
        f"{what} **{u['seconds']} s** ({u['embedded_texts']} texts embedded; "
        f"**{u['share_of_full_rebuild']:.1%}** of a full rebuild)"
        for what, u in inc.items()
        if isinstance(u, dict) and "share_of_full_rebuild" in u
    )
    return (
        f"\n- Incremental update of {name} (embedding priced at this run's raw encode rate, {rate} "
        f"texts/s): {updates}; a full rebuild ≈ {full['seconds_estimated']:,} s ({full['texts']:,} "
        f"texts ≈ {full['texts'] / rate:,.0f} s of embedding + {full['seconds_without_embedding']} s "
        "without). Target < 5%."
    )

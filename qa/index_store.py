"""Build, persist and load the corpus index: passages, vectors (FAISS or Qdrant), BM25, and a manifest.

Usage:
    index = open_index(settings, embedder)        # loads, or rebuilds when stale

On disk, `index_dir/CURRENT` names the live build folder. A build is written
to a fresh folder and CURRENT is swapped atomically at the end, so an
interrupted build leaves the previous index usable; the vectors it had embedded
wait in `index_dir/.embedding-checkpoint/` (`qa.embedding_checkpoint`), and the
next build resumes from them. The manifest records
what the index was built from (file hashes, model, splitting settings,
format version) and the hash of every index file; a mismatch means rebuild,
never a stale or corrupt answer. Where the passage vectors are searched
(FAISS files, Qdrant's local mode, or a Qdrant server) is `vector_stores`' business.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import math
import os
import shutil
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from qa.corpus import SourceFile, list_sources, load_articles
from qa.embedding_checkpoint import EmbeddingCheckpoint
from qa.embeddings import SentenceTransformerEmbeddings, model_signature
from qa.errors import QAError
from qa.passages import Span, make_passages, split_sentences
from qa.records import Article, Passage
from qa.settings import HNSW_EF_SEARCH, INDEX_FORMAT_VERSION, Settings
from qa.terms import STOPWORDS, stemmer, terms
from qa.vector_stores import (
    FAISS_DIR,
    RECORD_FILE,
    UNHASHED,
    check_reachable,
    drop_store,
    faiss_passage_ids,
    open_store,
    store_record,
    write_store,
)

log = logging.getLogger(__name__)

CURRENT = "CURRENT"
MANIFEST = "manifest.json"
# Only in builds that search sentences approximately: an IVF index over the distinct sentences,
# and which distinct sentence each sentence is.
SENTENCE_INDEX = "sentence_ivf.faiss"
SENTENCE_DISTINCT = "sentence_distinct.npy"
SENTENCE_DF = "sentence_df.json"
ProgressFn = Callable[[str, int, int], None]


class IndexUnusable(Exception):
    """The index on disk is missing, stale or damaged; `reason` says which."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class SentenceRef:
    """One sentence of one article, by offsets; `passage` is the first passage holding it."""

    doc_id: str
    start: int
    end: int


@dataclass
class CorpusIndex:
    """Everything retrieval and answering read, loaded in memory."""

    directory: Path
    manifest: dict[str, Any]
    articles: dict[str, Article]
    passages: list[Passage]
    passage_sentences: list[tuple[int, int]]
    sentences: list[SentenceRef]
    sentence_vectors: np.ndarray
    vector_store: Any  # a LangChain VectorStore: FAISS or QdrantVectorStore
    bm25: Any  # bm25s.BM25
    # For large indexes, an approximate (IVF) FAISS index of the distinct sentences' vectors, and the
    # distinct sentence (its id there) of each sentence; None: every sentence is scored exactly.
    sentence_index: Any = None
    sentence_distinct: np.ndarray | None = None
    # How many sentences hold each term (`terms`), for the answerer's IDF; None: not saved with this build.
    sentence_df: dict[str, int] | None = None

    def __post_init__(self) -> None:
        self.row_of = {p.passage_id: i for i, p in enumerate(self.passages)}
        # For each sentence, the passages that hold it (passages overlap), as one flat array:
        # the rows of sentence s are sentence_rows[sentence_row_start[s] : sentence_row_start[s + 1]].
        spans = np.asarray(self.passage_sentences, dtype=np.int64).reshape(-1, 2)
        counts = spans[:, 1] - spans[:, 0] + 1
        ends = np.cumsum(counts)
        rows = np.repeat(np.arange(len(spans)), counts)
        held = np.arange(int(ends[-1]) if len(ends) else 0) - np.repeat(ends - counts - spans[:, 0], counts)
        # ... and, passage by passage, the sentences each holds (ascending, as held does).
        self.passage_sentence_ids, self.passage_sentence_start = held, ends - counts
        order = np.argsort(held, kind="stable")  # rows stay ascending within a sentence
        self.sentence_rows = rows[order]
        self.sentence_row_start = np.searchsorted(held[order], np.arange(len(self.sentences) + 1))
        # Articles by position, and the article of each passage and sentence: a filter becomes a mask.
        self.article_ids = list(self.articles)
        self.article_position = position = {doc_id: i for i, doc_id in enumerate(self.article_ids)}
        self.passage_article = np.fromiter(
            (position[p.doc_id] for p in self.passages), dtype=np.int64, count=len(self.passages)
        )
        self.sentence_article = np.fromiter(
            (position[s.doc_id] for s in self.sentences), dtype=np.int64, count=len(self.sentences)
        )
        if self.sentence_distinct is not None:  # the sentences of each distinct one, ascending
            order = np.argsort(self.sentence_distinct, kind="stable")
            self.distinct_sentences = order
            self.distinct_start = np.searchsorted(
                self.sentence_distinct[order], np.arange(int(self.sentence_distinct.max(initial=-1)) + 2)
            )
        self.cache: dict[str, Any] = {}  # what retrieval derives from the index once (filter masks)

    def sentences_of_distinct(self, distinct: int) -> np.ndarray:
        """The sentences (ascending) whose text is that of distinct sentence `distinct`."""
        return self.distinct_sentences[self.distinct_start[distinct] : self.distinct_start[distinct + 1]]

    def sentences_of_passage(self, row: int) -> np.ndarray:
        """The sentences a passage holds, ascending."""
        first, last = self.passage_sentences[row]
        start = self.passage_sentence_start[row]
        return self.passage_sentence_ids[start : start + last - first + 1]

    def passages_of(self, sentence: int) -> np.ndarray:
        """The rows of the passages that hold a sentence, ascending."""
        return self.sentence_rows[self.sentence_row_start[sentence] : self.sentence_row_start[sentence + 1]]

    def sentence_text(self, i: int) -> str:
        ref = self.sentences[i]
        return self.articles[ref.doc_id].text[ref.start : ref.end]


def _bm25s():
    """bm25s, imported late (it is slow to import) and with its DEBUG chatter turned off."""
    import bm25s  # noqa: PLC0415

    logging.getLogger("bm25s").setLevel(logging.WARNING)
    return bm25s


def _noop(stage: str, done: int, total: int) -> None:
    return None


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _build_id() -> str:
    return f"build-{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}"


def expected_manifest(settings: Settings, sources: list[SourceFile], model_path: Path) -> dict[str, Any]:
    """What the manifest of an up-to-date index must say."""
    return {
        "shape": settings.index_shape(),
        "model_signature": model_signature(model_path),
        "sources": {s.doc_id: s.sha256 for s in sources},
    }


def embedding_text(passage: Passage) -> str:
    """What is embedded and keyword-indexed for a passage: its title, then its text."""
    return f"{passage.title}\n{passage.text}" if passage.title else passage.text


def _bm25_tokenize(texts: list[str], return_ids: bool) -> Any:
    bm25s = _bm25s()

    return bm25s.tokenize(
        texts,
        stopwords=sorted(STOPWORDS),
        stemmer=stemmer(),
        return_ids=return_ids,
        show_progress=False,
    )


def bm25_query_tokens(text: str) -> list[str]:
    return terms(text)


def sentence_term_counts(texts: list[str]) -> dict[str, int]:
    """How many of `texts` hold each term: the document frequencies of the answerer's IDF."""
    counts: dict[str, int] = {}
    for text in texts:
        for term in set(terms(text)):
            counts[term] = counts.get(term, 0) + 1
    return counts


def build_index(
    settings: Settings,
    embedder: SentenceTransformerEmbeddings,
    on_progress: ProgressFn = _noop,
) -> CorpusIndex:
    """Build the index of `settings.corpus_dir` into `settings.index_dir`, atomically."""
    bm25s = _bm25s()
    check_reachable(settings)  # a Qdrant server that is down fails now, not after embedding

    started = time.perf_counter()
    sources = list_sources(settings.corpus_dir)
    on_progress("Reading articles", 0, len(sources))
    articles = load_articles(sources)
    if not articles:
        raise QAError(f"No readable articles in {settings.corpus_dir}: every file was empty or unreadable.")
    on_progress("Reading articles", len(sources), len(sources))

    # What the live build already did: splitting an unchanged article's text again (pysbd, 60% of a
    # build's time without embedding) gives the same sentences, and embedding a known text again the
    # same vector.
    live = _live_build(settings.index_dir)
    splits = _previous_splits(live)
    passages: list[Passage] = []
    passage_sentences: list[tuple[int, int]] = []
    sentences: list[SentenceRef] = []
    for n, article in enumerate(articles):
        previous = splits.get(article.doc_id)
        spans = previous[1] if previous and previous[0] == article.text else split_sentences(article.text)
        base = len(sentences)
        sentences.extend(SentenceRef(article.doc_id, s.start, s.end) for s in spans)
        for passage, (first, last) in make_passages(
            article, spans, settings.passage_sentences, settings.passage_overlap, settings.passage_max_chars
        ):
            passages.append(passage)
            passage_sentences.append((base + first, base + last))
        on_progress("Splitting into passages", n + 1, len(articles))
    if not passages:
        raise QAError(f"The articles in {settings.corpus_dir} contain no sentences to index.")

    texts = [embedding_text(p) for p in passages]
    by_id = articles_by_id(articles)
    sentence_texts = [by_id[s.doc_id].text[s.start : s.end] for s in sentences]
    all_texts = texts + sentence_texts
    signature = expected_manifest(settings, sources, embedder.model_path)["model_signature"]
    checkpoint = EmbeddingCheckpoint(settings.index_dir, signature, embedder.dimension)
    known = _previous_vectors(live, signature, embedder)
    live_dir = live.directory if live is not None else None
    same_model = live is not None and live.manifest.get("model_signature") == signature
    del live, splits
    matrix, counts = _embed_texts(settings, embedder, all_texts, known, checkpoint, on_progress)
    passage_vectors, sentence_vectors = matrix[: len(texts)], matrix[len(texts) :]

    on_progress("Writing the index", 0, 1)
    index_dir = Path(settings.index_dir).expanduser()
    index_dir.mkdir(parents=True, exist_ok=True)
    build_name = _build_id()
    build_dir = index_dir / (".tmp-" + build_name)
    build_dir.mkdir()
    record = store_record(settings, build_name)
    try:
        # First, so that removing this build (finished or not) also removes what it wrote elsewhere.
        (build_dir / RECORD_FILE).write_text(json.dumps(record, indent=2))
        kind = vector_index_kind(settings, len(passages))
        passage_ids = [p.passage_id for p in passages]
        graph, faiss_rows = None, None  # approximate search, each kind at what it costs least to make
        if settings.vector_store == "faiss" and kind == "hnsw":  # the live build's graph grown, or a new one
            grown = grown_hnsw(live_dir, passage_ids, passage_vectors) if live_dir else None
            graph, faiss_rows = grown if grown else (hnsw_index(passage_vectors), None)
        elif settings.vector_store == "faiss" and kind == "ivf":  # the live build's lists, or new ones
            centres = live_ivf_centres(live_dir, len(passage_vectors)) if same_model and live_dir else None
            graph = ivf_index(passage_vectors, centres)
        write_store(
            settings,
            embedder,
            build_dir,
            record,
            texts,
            passage_vectors,
            passage_ids,
            faiss_index=graph,
            faiss_rows=faiss_rows,
        )
        # Every backend's build keeps its passage vectors here too: the next build reuses them.
        np.save(build_dir / "passage_vectors.npy", passage_vectors)
        bm25 = bm25s.BM25()
        bm25.index(_bm25_tokenize(texts, return_ids=True), show_progress=False)
        bm25.save(str(build_dir / "bm25"), show_progress=False)
        np.save(build_dir / "sentence_vectors.npy", sentence_vectors)
        # Sentences are searched like passages: exactly when few, approximately when many.
        sentence_ann, distinct = None, None
        if kind != "flat":
            import faiss  # noqa: PLC0415

            distinct = distinct_ids(sentence_texts)
            sentence_ann = sentence_ivf_index(sentence_vectors, distinct)
            faiss.write_index(sentence_ann, str(build_dir / SENTENCE_INDEX))
            np.save(build_dir / SENTENCE_DISTINCT, distinct)
        sentence_df = sentence_term_counts(sentence_texts)
        (build_dir / SENTENCE_DF).write_text(json.dumps(sentence_df, ensure_ascii=False), encoding="utf-8")
        _write_jsonl(build_dir / "articles.jsonl", [a.to_dict() for a in articles])
        _write_jsonl(
            build_dir / "passages.jsonl",
            [
                {**p.to_dict(), "sentences": list(span)}
                for p, span in zip(passages, passage_sentences, strict=True)
            ],
        )
        _write_jsonl(build_dir / "sentences.jsonl", [asdict(s) for s in sentences])
        manifest = {
            **expected_manifest(settings, sources, embedder.model_path),
            "counts": {"articles": len(articles), "passages": len(passages), "sentences": len(sentences)},
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "build_seconds": round(time.perf_counter() - started, 2),
            # distinct texts: embedded by this build; taken from the live build or, resuming, from an
            # interrupted one (resumed_texts of them)
            "embedded_texts": counts.embedded,
            "reused_texts": counts.reused,
            "resumed_texts": counts.resumed,
            "vector_store": record,
            "files": {
                f.relative_to(build_dir).as_posix(): _sha256_file(f)
                for f in sorted(build_dir.rglob("*"))
                if f.is_file() and f.relative_to(build_dir).as_posix() not in UNHASHED
            },
        }
        (build_dir / MANIFEST).write_text(json.dumps(manifest, indent=2))
        final_dir = index_dir / build_dir.name.removeprefix(".tmp-")
        build_dir.rename(final_dir)
        _swap_current(index_dir, final_dir.name)
    except BaseException:
        _remove_build(settings, build_dir)
        raise
    _remove_old_builds(settings, index_dir, keep=final_dir.name)
    checkpoint.clear()  # its vectors are in the live build now
    store, _ = open_store(settings, embedder, final_dir, record)
    _set_search_depth(settings, store, sentence_ann)
    # As `load_index` holds them: the matrix of every embedded text is let go.
    sentence_vectors = np.load(
        final_dir / "sentence_vectors.npy", mmap_mode="r" if sentence_ann is not None else None
    )
    on_progress("Writing the index", 1, 1)
    log.info(
        "Indexed %d articles, %d passages in %.1fs", len(articles), len(passages), manifest["build_seconds"]
    )
    return CorpusIndex(
        directory=final_dir,
        manifest=manifest,
        articles=by_id,
        passages=passages,
        passage_sentences=passage_sentences,
        sentences=sentences,
        sentence_vectors=sentence_vectors,
        vector_store=store,
        bm25=bm25,
        sentence_index=sentence_ann,
        sentence_distinct=distinct,
        sentence_df=sentence_df,
    )


# New vectors are checkpointed every this many texts: ~25 s of embedding here, the most an
# interrupted build loses (Ctrl-C and exceptions lose nothing: what was embedded is saved first).
CHECKPOINT_TEXTS = 2048
EMBEDDING_STAGE = "Embedding passages and sentences"


@dataclass(frozen=True)
class EmbeddingCounts:
    """Distinct texts of a build: embedded by it, and taken from the live build or a checkpoint
    (`resumed`: of those, from the checkpoint an interrupted build left)."""

    embedded: int
    reused: int
    resumed: int


def _embed_texts(
    settings: Settings,
    embedder: SentenceTransformerEmbeddings,
    all_texts: list[str],
    known: dict[str, np.ndarray],
    checkpoint: EmbeddingCheckpoint,
    on_progress: ProgressFn,
) -> tuple[np.ndarray, EmbeddingCounts]:
    """The vector of every text, and how many distinct texts were embedded now or taken over.

    A text in `known` (the live build embedded it with the same model) keeps its vector, so adding,
    changing or deleting one article embeds only that article's new texts; so does one an
    interrupted build checkpointed. The rest is embedded in chunks, each distinct text once (news
    repeats sentences word for word: wire copy, boilerplate), and checkpointed as it goes."""
    matrix = np.zeros((len(all_texts), embedder.dimension), dtype=np.float32)
    missing: dict[str, list[int]] = {}  # distinct text -> its rows
    reused: set[str] = set()
    for i, text in enumerate(all_texts):
        vector = known.get(text)
        if vector is None:
            missing.setdefault(text, []).append(i)
        else:
            matrix[i] = vector
            reused.add(text)
    known.clear()  # the live build's vectors: not needed twice
    firsts = [rows[0] for rows in missing.values()]  # each distinct text is embedded at its first row
    todo = checkpoint.restore(all_texts, firsts, matrix)
    resumed = len(firsts) - len(todo)
    if resumed:
        message = f"Resuming: {resumed:,} of {len(firsts):,} texts already embedded"
        log.info("%s (checkpoint in %s).", message, checkpoint.directory)
        on_progress(message, resumed, resumed)  # a step already done: its bar is full
    # Longest first, as one `encode` call would order them: a batch then holds texts of about one
    # length and pads little. In file order each chunk mixed long passages with short sentences and
    # padded ~6% more tokens on the seeds (34,276 against 36,226) than the raw encode it is measured by.
    todo.sort(key=lambda i: len(all_texts[i]), reverse=True)
    chunk = max(settings.embedding_batch_size * 4, 64)
    pending: list[int] = []  # embedded, not yet checkpointed
    try:
        for at in range(0, len(todo), chunk):
            on_progress(EMBEDDING_STAGE, resumed + at, len(firsts))
            batch = todo[at : at + chunk]
            matrix[batch] = embedder.encode([all_texts[i] for i in batch])
            pending += batch
            if len(pending) >= CHECKPOINT_TEXTS:
                checkpoint.save([all_texts[i] for i in pending], matrix[pending])
                pending = []
    except BaseException:
        with contextlib.suppress(OSError):  # keep what was embedded; the interruption is what matters
            checkpoint.save([all_texts[i] for i in pending], matrix[pending])
        raise
    # The rest too: a build that fails after embedding (writing the index) loses no embedding either.
    checkpoint.save([all_texts[i] for i in pending], matrix[pending])
    for rows in missing.values():  # copies of a text get its vector
        if len(rows) > 1:
            matrix[rows[1:]] = matrix[rows[0]]
    on_progress(EMBEDDING_STAGE, len(firsts), len(firsts))
    return matrix, EmbeddingCounts(embedded=len(todo), reused=len(reused) + resumed, resumed=resumed)


HNSW_NEIGHBOURS = 32
HNSW_EF_CONSTRUCTION = 200


def vector_index_kind(settings: Settings, passages: int) -> str:
    """'flat' (exact), 'ivf' or 'hnsw' (approximate), by setting or, with 'auto', by size: IVF from
    `approximate_min_passages` on.

    IVF rather than HNSW: news repeats itself (wire copy, the same sentence with other figures), and
    near-copies form tight clusters that an IVF list scans whole and an HNSW graph walks poorly. On
    the 111,765-passage haystack embedded for real, IVF found 0.97 of the exact top 10 in 0.6 ms a
    search where HNSW (efSearch 256) found 0.93 in the same time; on its synthetic vectors, 0.96-0.98
    against 0.97. It also trains in ~7 s where the graph takes ~50 s, and reusing its lists makes
    any update (not only an added article) cost one pass over the vectors."""
    if settings.vector_index != "auto":
        return settings.vector_index
    return "ivf" if passages >= settings.approximate_min_passages else "flat"


def hnsw_index(vectors: np.ndarray) -> Any:
    """An inner-product HNSW graph over unit vectors (cosine), tuned for recall@10 >= 0.95."""
    import faiss  # noqa: PLC0415

    index = faiss.IndexHNSWFlat(vectors.shape[1], HNSW_NEIGHBOURS, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
    index.hnsw.efSearch = HNSW_EF_SEARCH
    index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return index


def grown_hnsw(live_dir: Path, passage_ids: list[str], vectors: np.ndarray) -> tuple[Any, np.ndarray] | None:
    """The live build's HNSW graph with the passages it lacks added, and the row of each FAISS id.

    Building the graph is most of a 120,000-passage build's time without embedding (~50 s here),
    and HNSW is built by adding vectors one by one anyway: when articles were only added, growing
    the live graph gives a graph as good as a new one. An HNSW graph cannot drop a vector, so when
    a passage it holds is gone (an article changed or deleted), or the graph or a vector in it is
    not what this build would make, it is None: build a new graph."""
    import faiss  # noqa: PLC0415

    try:
        graph = faiss.read_index(str(live_dir / FAISS_DIR / "index.faiss"))
        held = faiss_passage_ids(live_dir)
    except Exception as exc:  # any unreadable file: build a new graph
        log.info("Building a new HNSW graph: the live one cannot be read (%s).", exc)
        return None
    if (
        not isinstance(graph, faiss.IndexHNSWFlat)
        or graph.metric_type != faiss.METRIC_INNER_PRODUCT
        or graph.d != vectors.shape[1]
        or graph.hnsw.nb_neighbors(1) != HNSW_NEIGHBOURS
        or graph.hnsw.efConstruction != HNSW_EF_CONSTRUCTION
        or graph.ntotal != len(held)
    ):
        return None
    row_of = {passage_id: row for row, passage_id in enumerate(passage_ids)}
    kept = np.fromiter((row_of.get(p, -1) for p in held), dtype=np.int64, count=len(held))
    if (kept < 0).any() or not np.allclose(graph.reconstruct_n(0, graph.ntotal), vectors[kept], atol=1e-6):
        return None
    added = np.setdiff1d(np.arange(len(passage_ids)), kept)
    graph.add(np.ascontiguousarray(vectors[added], dtype=np.float32))
    graph.hnsw.efSearch = HNSW_EF_SEARCH
    return graph, np.concatenate([kept, added])


def _set_search_depth(settings: Settings, store: Any, sentence_index: Any = None) -> None:
    """Search a FAISS store's HNSW graph with the settings' efSearch, and its IVF index and the
    sentences' with their nprobe, whatever each was saved with: how deep a search goes is a
    setting, not part of the index."""
    for index in (getattr(store, "index", None), sentence_index):
        if hasattr(index, "hnsw"):
            index.hnsw.efSearch = settings.hnsw_ef_search
        elif hasattr(index, "nprobe"):
            index.nprobe = ivf_nprobe(index.nlist, settings)


def distinct_ids(texts: list[str]) -> np.ndarray:
    """For each text, the id of its distinct text (0, 1, ... in order of first appearance)."""
    first: dict[str, int] = {}
    return np.fromiter((first.setdefault(t, len(first)) for t in texts), dtype=np.int64, count=len(texts))


def ivf_lists(vectors: int) -> int:
    """The IVF lists for this many vectors: ~2 sqrt(n), never fewer than 39 training vectors per list
    (FAISS's minimum)."""
    return max(1, min(round(2 * math.sqrt(vectors)), vectors // 39))


def ivf_nprobe(lists: int, settings: Settings | None = None) -> int:
    """IVF lists scanned per search: the settings' `ivf_nprobe`, or by default an eighth of them, at
    least 32 (all, when there are fewer)."""
    wanted = settings.ivf_nprobe if settings is not None and settings.ivf_nprobe else max(32, lists // 8)
    return min(lists, wanted)


def ivf_index(vectors: np.ndarray, centres: np.ndarray | None = None) -> Any:
    """An inner-product IVF index of `vectors` (FAISS id i: row i), its lists trained on them, or
    centred on `centres` (the lists of an earlier build: no training)."""
    import faiss  # noqa: PLC0415

    rows = np.ascontiguousarray(vectors, dtype=np.float32)
    lists = len(centres) if centres is not None else ivf_lists(len(rows))
    quantizer = faiss.IndexFlatIP(rows.shape[1])
    index = faiss.IndexIVFFlat(quantizer, rows.shape[1], lists, faiss.METRIC_INNER_PRODUCT)
    if centres is None:
        index.train(rows)
    else:
        quantizer.add(np.ascontiguousarray(centres, dtype=np.float32))
        index.is_trained = True
    index.add(rows)
    index.nprobe = ivf_nprobe(lists)
    return index


def live_ivf_centres(live_dir: Path, vectors: int) -> np.ndarray | None:
    """The list centres of the live build's passage IVF index, when it has one whose list count
    suits `vectors` passages (within a factor of two of `ivf_lists`); None: train new lists.

    The live build was embedded with the same model (the caller checks), so its centres still
    partition the space: reusing them turns any update of the corpus (added, changed or deleted
    articles) into one pass assigning each vector to its list, ~1 s for 120,000 against ~7 s of
    training. A corpus that has grown or shrunk by more than half trains anew."""
    import faiss  # noqa: PLC0415

    try:
        live = faiss.read_index(str(live_dir / FAISS_DIR / "index.faiss"))
    except Exception as exc:  # any unreadable file: train new lists
        log.info("Training new IVF lists: the live index cannot be read (%s).", exc)
        return None
    wanted = ivf_lists(vectors)
    if not isinstance(live, faiss.IndexIVFFlat) or live.metric_type != faiss.METRIC_INNER_PRODUCT:
        return None
    if not wanted / 2 <= live.nlist <= wanted * 2:
        return None
    quantizer = faiss.downcast_index(live.quantizer)
    return quantizer.reconstruct_n(0, live.nlist)


def sentence_ivf_index(vectors: np.ndarray, distinct: np.ndarray) -> Any:
    """An inner-product IVF index over the vectors of the distinct sentences (id = distinct id).

    Distinct, because news repeats sentences word for word (wire copy, boilerplate): the 12,087-passage
    haystack holds 21,774 sentences but 6,181 distinct vectors, and an HNSW graph over the copies
    found under half of the true top 10 (recall@10 0.65 at efSearch 128; 0.97 without the copies).
    IVF, because near-copies (the same sentence with other figures) form tight clusters that an IVF
    list scans whole and HNSW walks poorly: on the 119,974-passage synthetic haystack, recall@10
    0.99 for IVF at the settings below against 0.60 for HNSW at efSearch 512.
    """
    _, first = np.unique(distinct, return_index=True)
    return ivf_index(vectors[first])


def _read_records(
    build_dir: Path,
) -> tuple[list[Article], list[Passage], list[tuple[int, int]], list[SentenceRef]]:
    """The articles, passages (with their sentence ranges) and sentences a build wrote."""
    articles = [Article(**row) for row in _read_jsonl(build_dir / "articles.jsonl")]
    rows = _read_jsonl(build_dir / "passages.jsonl")
    passage_sentences = [tuple(row.pop("sentences")) for row in rows]
    passages = [Passage(**row) for row in rows]
    sentences = [SentenceRef(**row) for row in _read_jsonl(build_dir / "sentences.jsonl")]
    return articles, passages, passage_sentences, sentences  # type: ignore[return-value]


@dataclass
class LiveBuild:
    """The records of the live build, which a new build takes over where nothing changed."""

    directory: Path
    manifest: dict[str, Any]
    articles: list[Article]
    passages: list[Passage]
    sentences: list[SentenceRef]


def _live_build(index_dir: Path) -> LiveBuild | None:
    """The live build's manifest and records; None when there is none or it cannot be read."""
    try:
        build_dir = current_build(index_dir)
        manifest = json.loads((build_dir / MANIFEST).read_text())
        articles, passages, _, sentences = _read_records(build_dir)
    except (IndexUnusable, OSError, ValueError, KeyError, TypeError):
        return None  # nothing reusable: split and embed everything
    return LiveBuild(build_dir, manifest, articles, passages, sentences)


def _previous_splits(live: LiveBuild | None) -> dict[str, tuple[str, list[Span]]]:
    """doc_id -> (article text, its sentence spans) of the live build, when it was split by the same
    code (format version); a new build reuses them for an article whose cleaned text is the same."""
    if live is None or live.manifest.get("shape", {}).get("format_version") != INDEX_FORMAT_VERSION:
        return {}
    spans: dict[str, list[Span]] = {}
    for ref in live.sentences:
        spans.setdefault(ref.doc_id, []).append(Span(ref.start, ref.end))
    return {a.doc_id: (a.text, spans[a.doc_id]) for a in live.articles if a.doc_id in spans}


def _previous_vectors(
    live: LiveBuild | None, model_signature: str, embedder: SentenceTransformerEmbeddings
) -> dict[str, np.ndarray]:
    """Text -> vector of the live build, when it was made with the same model; {} otherwise."""
    if live is None or live.manifest.get("model_signature") != model_signature:
        return {}
    try:
        passage_vectors = _saved_passage_vectors(live.directory)
        sentence_vectors = np.load(live.directory / "sentence_vectors.npy")
    except (OSError, ValueError, RuntimeError):
        return {}
    if len(passage_vectors) != len(live.passages) or len(sentence_vectors) != len(live.sentences):
        return {}
    articles = articles_by_id(live.articles)
    known = {embedding_text(p): v for p, v in zip(live.passages, passage_vectors, strict=True)}
    for ref, vector in zip(live.sentences, sentence_vectors, strict=True):
        article = articles.get(ref.doc_id)
        if article is not None and vector.shape[0] == embedder.dimension:
            known[article.text[ref.start : ref.end]] = vector
    return known


def _saved_passage_vectors(build_dir: Path) -> np.ndarray:
    """The passage vectors a build saved; a build from before `passage_vectors.npy` has them in FAISS."""
    if (build_dir / "passage_vectors.npy").is_file():
        return np.load(build_dir / "passage_vectors.npy")
    import faiss  # noqa: PLC0415

    index = faiss.read_index(str(build_dir / FAISS_DIR / "index.faiss"))
    return index.reconstruct_n(0, index.ntotal)


def articles_by_id(articles: list[Article]) -> dict[str, Article]:
    return {a.doc_id: a for a in articles}


def _write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _swap_current(index_dir: Path, build_name: str) -> None:
    """Point CURRENT at a finished build: write a temp file, then rename over (atomic)."""
    tmp = index_dir / f".{CURRENT}.{uuid.uuid4().hex[:6]}"
    tmp.write_text(build_name + "\n")
    os.replace(tmp, index_dir / CURRENT)


def _remove_old_builds(settings: Settings, index_dir: Path, keep: str) -> None:
    for child in index_dir.iterdir():
        if (
            child.is_dir()
            and child.name != keep
            and (child.name.startswith("build-") or child.name.startswith(".tmp-build-"))
        ):
            _remove_build(settings, child)


def _remove_build(settings: Settings, build_dir: Path) -> None:
    """Remove a build folder, and its collection when its vectors are on a Qdrant server."""
    try:
        record = json.loads((build_dir / RECORD_FILE).read_text())
    except (OSError, ValueError):
        record = {}
    drop_store(settings, record)
    shutil.rmtree(build_dir, ignore_errors=True)


def current_build(index_dir: Path) -> Path:
    """The live build folder, or IndexUnusable."""
    pointer = Path(index_dir).expanduser() / CURRENT
    if not pointer.is_file():
        raise IndexUnusable(f"no index in {index_dir}")
    build_dir = pointer.parent / pointer.read_text().strip()
    if not build_dir.is_dir() or not (build_dir / MANIFEST).is_file():
        raise IndexUnusable(f"the index in {index_dir} is incomplete")
    return build_dir


def check_fresh(settings: Settings, model_path: Path) -> tuple[Path, dict[str, Any]]:
    """The live build and its manifest if it matches the corpus and settings; else IndexUnusable."""
    build_dir = current_build(settings.index_dir)
    try:
        manifest = json.loads((build_dir / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        raise IndexUnusable(f"the index manifest is unreadable ({exc})") from exc
    want = expected_manifest(settings, list_sources(settings.corpus_dir), model_path)
    have_shape = manifest.get("shape") or {}
    if have_shape != want["shape"]:
        changed = sorted(
            k for k in set(have_shape) | set(want["shape"]) if have_shape.get(k) != want["shape"].get(k)
        )
        raise IndexUnusable(f"the index settings changed ({', '.join(changed)})")
    if manifest.get("model_signature") != want["model_signature"]:
        raise IndexUnusable("the embedding model changed")
    have_sources = manifest.get("sources", {})
    if have_sources != want["sources"]:
        added = sorted(set(want["sources"]) - set(have_sources))
        removed = sorted(set(have_sources) - set(want["sources"]))
        changed = sorted(
            d for d in set(want["sources"]) & set(have_sources) if want["sources"][d] != have_sources[d]
        )
        parts = [
            f"{label}: {', '.join(ids[:3])}{'…' if len(ids) > 3 else ''}"
            for label, ids in (("added", added), ("removed", removed), ("changed", changed))
            if ids
        ]
        raise IndexUnusable("the corpus changed (" + "; ".join(parts) + ")")
    return build_dir, manifest


def load_index(settings: Settings, embedder: SentenceTransformerEmbeddings) -> CorpusIndex:
    """Load the live build if it is fresh and intact; IndexUnusable otherwise."""
    bm25s = _bm25s()
    build_dir, manifest = check_fresh(settings, embedder.model_path)
    for name, digest in manifest.get("files", {}).items():
        path = build_dir / name
        if not path.is_file() or _sha256_file(path) != digest:
            raise IndexUnusable(f"the index file {name} is missing or damaged")
    try:
        articles, passages, passage_sentences, sentences = _read_records(build_dir)
        sentence_index, distinct = None, None
        if (build_dir / SENTENCE_INDEX).is_file():
            import faiss  # noqa: PLC0415

            sentence_index = faiss.read_index(str(build_dir / SENTENCE_INDEX))
            distinct = np.load(build_dir / SENTENCE_DISTINCT)
        elif vector_index_kind(settings, len(passages)) != "flat":
            log.warning("This index predates approximate sentence search; `qa index --force` adds it.")
        # With an IVF index, which holds the (distinct) sentence vectors too, the answerer reads the
        # few rows it needs from the file: mapped, not loaded twice.
        sentence_vectors = np.load(
            build_dir / "sentence_vectors.npy", mmap_mode="r" if sentence_index is not None else None
        )
        df_file = build_dir / SENTENCE_DF
        sentence_df = json.loads(df_file.read_text(encoding="utf-8")) if df_file.is_file() else None
        store, stored = open_store(
            settings, embedder, build_dir, manifest.get("vector_store", {"kind": "faiss"})
        )
        _set_search_depth(settings, store, sentence_index)
        bm25 = bm25s.BM25.load(str(build_dir / "bm25"), show_progress=False, verbosity=0)
    except QAError:
        raise  # e.g. a Qdrant server that cannot be reached: rebuilding would not help
    except Exception as exc:  # a damaged file of any kind means: rebuild
        raise IndexUnusable(f"the index could not be read ({type(exc).__name__}: {exc})") from exc
    # For a Qdrant server, whose files are not in the manifest, this is the integrity check.
    if (
        stored != len(passages)
        or len(sentence_vectors) != len(sentences)
        or (
            sentence_index is not None
            and (
                len(distinct) != len(sentences) or sentence_index.ntotal != int(distinct.max(initial=-1)) + 1
            )
        )
    ):
        raise IndexUnusable("the index files disagree with each other")
    return CorpusIndex(
        directory=build_dir,
        manifest=manifest,
        articles=articles_by_id(articles),
        passages=passages,
        passage_sentences=passage_sentences,  # type: ignore[arg-type]
        sentences=sentences,
        sentence_vectors=sentence_vectors,
        vector_store=store,
        bm25=bm25,
        sentence_index=sentence_index,
        sentence_distinct=distinct,
        sentence_df=sentence_df,
    )


def open_index(
    settings: Settings,
    embedder: SentenceTransformerEmbeddings,
    on_progress: ProgressFn = _noop,
    rebuild: bool = True,
) -> CorpusIndex:
    """The fresh index: loaded when up to date, rebuilt (and said so) when not."""
    try:
        return load_index(settings, embedder)
    except IndexUnusable as exc:
        if not rebuild:
            raise QAError(f"The index cannot be used: {exc.reason}. Run `qa index` to rebuild it.") from exc
        log.warning("Rebuilding the index: %s.", exc.reason)
        return build_index(settings, embedder, on_progress)

"""Search at scale without the model: approximate indexes, filtered search, the sentence maps."""

from pathlib import Path

import numpy as np
import pytest

from qa.assistant import _corpus_stamp
from qa.index_store import CorpusIndex, SentenceRef, distinct_ids, hnsw_index, sentence_ivf_index
from qa.records import Article, Passage
from qa.retrieval import _search


def _clustered(n: int, dim: int = 48, clusters: int = 300, seed: int = 0) -> np.ndarray:
    """Unit vectors in tight clusters, like one sentence repeated with other figures."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((clusters, dim)).astype(np.float32)
    vectors = centres[rng.integers(0, clusters, n)] + 0.15 * rng.standard_normal((n, dim)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def _exact(vectors: np.ndarray, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> np.ndarray:
    scores = vectors @ query
    if allowed is not None:
        scores = np.where(allowed, scores, -np.inf)
    return np.argsort(-scores, kind="stable")[:k]


def test_the_sentence_ivf_index_finds_the_exact_top_10_over_distinct_sentences() -> None:
    vectors = _clustered(20_000)
    texts = [f"sentence {i % 12_000}" for i in range(len(vectors))]  # 8,000 sentences repeated
    distinct = distinct_ids(texts)
    assert distinct.max() + 1 == 12_000 and distinct[12_000] == distinct[0]
    _, first = np.unique(distinct, return_index=True)
    ann = sentence_ivf_index(vectors, distinct)
    assert ann.ntotal == 12_000 and ann.nprobe < ann.nlist  # approximate: not every list is scanned
    queries = _clustered(50, seed=1)
    recall = np.mean(
        [
            len(set(_search(ann, q, 10)[1][0]) & set(_exact(vectors[first], q, 10).tolist())) / 10
            for q in queries
        ]
    )
    assert recall >= 0.95


@pytest.mark.parametrize("exact_up_to", [25_000, 100])  # HNSW: exact among few admitted, or the graph
def test_a_filtered_search_returns_only_admitted_vectors_and_enough_of_them(
    exact_up_to: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("qa.retrieval._EXACT_FILTERED_MAX", exact_up_to)
    vectors = _clustered(6_000)
    graph = hnsw_index(vectors)
    ivf = sentence_ivf_index(vectors, np.arange(len(vectors)))
    rng = np.random.default_rng(2)
    query = _clustered(1, seed=3)[0]
    for share in (0.001, 0.05, 0.9):  # a handful of vectors, a few percent, nearly all
        allowed = rng.random(len(vectors)) < share
        allowed[:3] = True
        k = 20
        want = _exact(vectors, query, min(k, int(allowed.sum())), allowed)
        for ann in (graph, ivf):
            scores, ids = _search(ann, query, k, allowed)
            found = ids[0][ids[0] >= 0]
            assert len(found) == min(k, int(allowed.sum())), (type(ann).__name__, share)
            assert allowed[found].all()
            assert np.all(np.diff(scores[0][: len(found)]) <= 1e-6)  # best first
            assert len(set(found.tolist()) & set(want.tolist())) >= 0.9 * len(want)


def test_the_index_maps_sentences_to_passages_and_distinct_sentences_to_copies() -> None:
    texts = ["Alpha one. Beta two. Gamma three. Delta four.", "Beta two. Epsilon five."]
    articles, sentences, passages, spans = {}, [], [], []
    for n, text in enumerate(texts):
        doc = f"doc{n}"
        articles[doc] = Article(doc_id=doc, title=None, date=None, outlet=None, text=text)
        starts = [0] + [i + 2 for i, c in enumerate(text) if c == "." and i + 2 < len(text)]
        base = len(sentences)
        sentences += [SentenceRef(doc, s, text.index(".", s) + 1) for s in starts]
        windows = [(0, 2), (1, 3)] if n == 0 else [(0, 1)]
        for first, last in windows:
            start, end = sentences[base + first].start, sentences[base + last].end
            passages.append(Passage(f"p{len(passages)}", doc, "", None, None, text[start:end], start, end))
            spans.append((base + first, base + last))
    distinct = distinct_ids([articles[s.doc_id].text[s.start : s.end] for s in sentences])
    index = CorpusIndex(
        directory=Path("."),
        manifest={},
        articles=articles,
        passages=passages,
        passage_sentences=spans,
        sentences=sentences,
        sentence_vectors=np.zeros((len(sentences), 4), dtype=np.float32),
        vector_store=None,
        bm25=None,
        sentence_distinct=distinct,
    )
    naive = [[row for row, (a, b) in enumerate(spans) if a <= s <= b] for s in range(len(sentences))]
    assert [index.passages_of(s).tolist() for s in range(len(sentences))] == naive
    assert naive[1] == [0, 1] and naive[5] == [2]
    assert index.sentence_text(4) == index.sentence_text(1) == "Beta two."
    assert index.sentences_of_distinct(int(distinct[4])).tolist() == [1, 4]
    assert (
        index.passage_article.tolist() == [0, 0, 1] and index.sentence_article.tolist() == [0] * 4 + [1] * 2
    )


def test_the_corpus_stamp_sees_edits_additions_and_removals(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    article = tmp_path / "a.txt"
    article.write_text("one")
    before = _corpus_stamp(tmp_path)
    assert [Path(p).name for p, _, _ in before] == ["a.txt"]
    article.write_text("two, longer")
    edited = _corpus_stamp(tmp_path)
    assert edited != before
    (tmp_path / "sub" / "b.md").write_text("b")
    added = _corpus_stamp(tmp_path)
    assert len(added) == 2 and added != edited
    article.unlink()
    assert [Path(p).name for p, _, _ in _corpus_stamp(tmp_path)] == ["b.md"]
    assert _corpus_stamp(tmp_path / "missing") == ()

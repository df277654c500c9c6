"""Builds that resume after an interruption, and rebuilds that embed only what changed.

A stand-in embedder (hash-seeded unit vectors, no model loaded) records every text it encodes,
so these tests see exactly what each build embeds."""

import json
import os
import signal
import subprocess
import sys
import zlib
from pathlib import Path

import numpy as np
import pytest

from qa import Settings
from qa.embedding_checkpoint import CHECKPOINT_DIR
from qa.embeddings import SentenceTransformerEmbeddings, resolve_model
from qa.index_store import CURRENT, build_index, embedding_text, load_index
from tests.conftest import ROOT, SEEDS

DIMENSION = 32


class RecordingEmbeddings(SentenceTransformerEmbeddings):
    """Unit vectors seeded by each text's CRC; `fail_on_call` makes that call of `encode` fail."""

    def __init__(self, fail_on_call: int | None = None, kill: bool = False) -> None:
        super().__init__(resolve_model("all-MiniLM-L6-v2"))
        self.encoded: list[str] = []
        self.calls = 0
        self.fail_on_call = fail_on_call
        self.kill = kill

    @property
    def dimension(self) -> int:
        return DIMENSION

    def encode(self, texts: list[str], show_progress: bool = False) -> np.ndarray:
        self.calls += 1
        if self.calls == self.fail_on_call:
            if self.kill:  # the process dies on the spot: no exception handler runs
                os.kill(os.getpid(), signal.SIGKILL)
            raise KeyboardInterrupt
        self.encoded += texts
        return np.vstack([vector_of(t) for t in texts]) if texts else np.zeros((0, DIMENSION), np.float32)


def vector_of(text: str) -> np.ndarray:
    vector = np.random.default_rng(zlib.crc32(text.encode())).standard_normal(DIMENSION).astype(np.float32)
    return vector / np.linalg.norm(vector)


def _settings(corpus: Path, index: Path) -> Settings:
    # 16 texts per batch: the build encodes 64 texts per chunk, several chunks on the seeds
    return Settings(corpus_dir=corpus, index_dir=index, embedding_batch_size=16)


def _texts(index) -> list[str]:
    return [embedding_text(p) for p in index.passages] + [
        index.sentence_text(i) for i in range(len(index.sentences))
    ]


def _vectors(index) -> np.ndarray:
    """Every passage's and sentence's vector, in the order of `_texts`."""
    return np.vstack([np.load(index.directory / "passage_vectors.npy"), np.asarray(index.sentence_vectors)])


def _assert_vectors_are_the_texts_own(index) -> None:
    for text, vector in zip(_texts(index), _vectors(index), strict=True):
        assert np.allclose(vector, vector_of(text), atol=1e-6)


def test_an_interrupted_build_resumes_where_it_stopped(
    seeds_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("qa.index_store.CHECKPOINT_TEXTS", 64)  # a checkpoint after every chunk
    settings = _settings(seeds_copy, tmp_path / "idx")
    first = build_index(settings, RecordingEmbeddings())
    live = (settings.index_dir / CURRENT).read_text()
    assert not (settings.index_dir / CHECKPOINT_DIR).exists()  # a finished build leaves none
    # The corpus changes so that most of its texts are new to the live build, and the build that
    # follows is interrupted (Ctrl-C) after two chunks of 64 texts.
    for path in seeds_copy.glob("*.txt"):
        path.write_text(path.read_text().replace("Iraq", "Irak"))
    interrupted = RecordingEmbeddings(fail_on_call=3)
    with pytest.raises(KeyboardInterrupt):
        build_index(settings, interrupted)
    assert len(interrupted.encoded) == 128
    assert (settings.index_dir / CURRENT).read_text() == live  # the previous index still serves:
    assert load_index(_settings(SEEDS, settings.index_dir), RecordingEmbeddings()).passages  # intact
    assert not list(settings.index_dir.glob(".tmp-*"))
    assert list((settings.index_dir / CHECKPOINT_DIR).rglob("chunk-*.npz"))

    stages: list[tuple[str, int, int]] = []
    resumed = RecordingEmbeddings()
    index = build_index(settings, resumed, lambda stage, done, total: stages.append((stage, done, total)))
    new = set(_texts(index)) - set(_texts(first))  # the texts the live build had not embedded
    assert set(interrupted.encoded) <= new
    assert (f"Resuming: 128 of {len(new):,} texts already embedded", 128, 128) in stages
    assert ("Embedding passages and sentences", 128, len(new)) in stages  # the bar starts there
    # only what the interrupted build had not embedded is encoded, each text once
    assert sorted(resumed.encoded) == sorted(new - set(interrupted.encoded))
    assert index.manifest["resumed_texts"] == 128
    assert index.manifest["embedded_texts"] == len(new) - 128
    assert index.manifest["reused_texts"] == len(set(_texts(index))) - len(new) + 128
    _assert_vectors_are_the_texts_own(index)  # the same vectors as an uninterrupted build
    assert not (settings.index_dir / CHECKPOINT_DIR).exists()  # done: the checkpoint is removed


_KILLED_BUILD = """
import sys
sys.path.insert(0, {root!r})
import qa.index_store
from qa import Settings
from tests.test_index_updates import RecordingEmbeddings
qa.index_store.CHECKPOINT_TEXTS = 64
settings = Settings(corpus_dir={corpus!r}, index_dir={index!r}, embedding_batch_size=16)
qa.index_store.build_index(settings, RecordingEmbeddings(fail_on_call=4, kill=True))
"""


def test_a_killed_build_loses_at_most_the_chunk_it_was_embedding(seeds_copy: Path, tmp_path: Path) -> None:
    """SIGKILL runs no handler: what survives is the checkpoint chunks already on disk."""
    index_dir = tmp_path / "idx"
    code = _KILLED_BUILD.format(root=str(ROOT), corpus=str(seeds_copy), index=str(index_dir))
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False)
    assert done.returncode == -signal.SIGKILL, done.stderr
    assert len(list((index_dir / CHECKPOINT_DIR).rglob("chunk-*.npz"))) == 3  # 3 x 64 texts
    assert not list((index_dir / CHECKPOINT_DIR).rglob("*.tmp"))
    assert not (index_dir / CURRENT).exists()  # no index yet: nothing was swapped in
    resumed = RecordingEmbeddings()
    index = build_index(_settings(seeds_copy, index_dir), resumed)
    assert index.manifest["resumed_texts"] == 192
    assert len(resumed.encoded) == len(set(_texts(index))) - 192 == index.manifest["embedded_texts"]
    _assert_vectors_are_the_texts_own(index)


def test_a_damaged_checkpoint_chunk_is_skipped_and_its_texts_embedded(
    seeds_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("qa.index_store.CHECKPOINT_TEXTS", 64)
    settings = _settings(seeds_copy, tmp_path / "idx")
    with pytest.raises(KeyboardInterrupt):
        build_index(settings, RecordingEmbeddings(fail_on_call=3))
    chunks = sorted((settings.index_dir / CHECKPOINT_DIR).rglob("chunk-*.npz"))
    assert len(chunks) == 2
    chunks[0].write_bytes(b"not a chunk")
    resumed = RecordingEmbeddings()
    index = build_index(settings, resumed)
    assert index.manifest["resumed_texts"] == 64
    assert len(resumed.encoded) == len(set(_texts(index))) - 64
    _assert_vectors_are_the_texts_own(index)


def test_one_changed_article_re_embeds_only_its_new_texts(seeds_copy: Path, tmp_path: Path) -> None:
    settings = _settings(seeds_copy, tmp_path / "idx")
    before = build_index(settings, RecordingEmbeddings())
    article = next(seeds_copy.glob("002_*.txt"))
    article.write_text(article.read_text() + "\nA new closing sentence about Mosul on 4 May 2023.\n")
    embedder = RecordingEmbeddings()
    after = build_index(settings, embedder)
    assert set(embedder.encoded) == set(_texts(after)) - set(_texts(before))
    own = {embedding_text(p) for p in after.passages if p.doc_id == article.stem} | {
        after.sentence_text(i) for i, s in enumerate(after.sentences) if s.doc_id == article.stem
    }
    assert embedder.encoded and set(embedder.encoded) <= own  # the changed article's texts only
    assert any("Mosul on 4 May 2023" in text for text in embedder.encoded)
    assert after.manifest["embedded_texts"] == len(embedder.encoded)
    _assert_vectors_are_the_texts_own(after)


def test_each_distinct_text_is_embedded_once(seeds_copy: Path, tmp_path: Path) -> None:
    """News repeats sentences word for word (wire copy): a copy gets the vector of its original."""
    source = next(seeds_copy.glob("003_*.txt"))
    (seeds_copy / "wire-copy.txt").write_text(source.read_text())
    embedder = RecordingEmbeddings()
    index = build_index(_settings(seeds_copy, tmp_path / "idx"), embedder)
    texts = _texts(index)
    assert len(embedder.encoded) == len(set(embedder.encoded)) == len(set(texts)) < len(texts)
    assert index.manifest["embedded_texts"] == len(set(texts)) and index.manifest["reused_texts"] == 0
    _assert_vectors_are_the_texts_own(index)


def test_a_deleted_article_loses_its_passages_and_embeds_nothing_of_its_own(
    seeds_copy: Path, tmp_path: Path
) -> None:
    settings = _settings(seeds_copy, tmp_path / "idx")
    before = build_index(settings, RecordingEmbeddings())
    gone = next(seeds_copy.glob("001_*.txt"))
    gone.unlink()
    embedder = RecordingEmbeddings()
    after = build_index(settings, embedder)
    assert gone.stem not in after.articles
    assert all(p.doc_id != gone.stem for p in after.passages)
    assert all(s.doc_id != gone.stem for s in after.sentences)
    assert gone.stem not in json.loads((after.directory / "manifest.json").read_text())["sources"]
    # Glued words are split with the other articles' vocabulary, so a deletion can change another
    # article's cleaned text (here "Iraqis" in 003 loses its only other spelling): what is embedded
    # is that article's changed texts, nothing else.
    changed = {d for d, a in after.articles.items() if a.text != before.articles[d].text}
    own = {embedding_text(p) for p in after.passages if p.doc_id in changed} | {
        after.sentence_text(i) for i, s in enumerate(after.sentences) if s.doc_id in changed
    }
    assert set(embedder.encoded) <= own and len(embedder.encoded) <= 4
    _assert_vectors_are_the_texts_own(after)


def test_a_rebuild_splits_only_the_articles_whose_text_changed(
    seeds_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from qa import index_store

    settings = _settings(seeds_copy, tmp_path / "idx")
    build_index(settings, RecordingEmbeddings())
    article = next(seeds_copy.glob("004_*.txt"))
    article.write_text(article.read_text() + "\nA new closing sentence about Kirkuk on 9 June 2024.\n")
    (seeds_copy / "new.txt").write_text("New headline\n\nThe Basra council met on 2 March 2022. It agreed.\n")
    split: list[str] = []
    real_split = index_store.split_sentences

    def recording_split(text: str):
        split.append(text)
        return real_split(text)

    monkeypatch.setattr(index_store, "split_sentences", recording_split)
    rebuilt = build_index(settings, RecordingEmbeddings())
    assert sorted(split) == sorted([rebuilt.articles[article.stem].text, rebuilt.articles["new"].text])
    # the same records as a build from scratch
    monkeypatch.setattr(index_store, "split_sentences", real_split)
    fresh = build_index(_settings(seeds_copy, tmp_path / "fresh"), RecordingEmbeddings())
    assert rebuilt.passages == fresh.passages and rebuilt.sentences == fresh.sentences
    assert rebuilt.passage_sentences == fresh.passage_sentences
    assert np.array_equal(_vectors(rebuilt), _vectors(fresh))


def _searches_as_a_fresh_build(updated, seeds_copy: Path, tmp_path: Path, vector_index: str) -> None:
    """An index updated in place ranks as one built from scratch on the same corpus, filtered too."""
    from qa.retrieval import dense_ranking

    fresh = build_index(
        Settings(corpus_dir=seeds_copy, index_dir=tmp_path / "fresh", vector_index=vector_index),
        RecordingEmbeddings(),
    )
    allowed = np.array([p.doc_id in ("new", "003_70d3dde80774ed55") for p in updated.passages])
    for text in ("The Basra council", "ISIS attacks", "US troops in Iraq"):
        query = vector_of(text)
        assert dense_ranking(updated, query, 10) == dense_ranking(fresh, query, 10)
        assert dense_ranking(updated, query, 10, allowed) == dense_ranking(fresh, query, 10, allowed)


def test_adding_an_article_grows_the_live_hnsw_graph_and_changing_one_builds_a_new_one(
    seeds_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from qa import index_store

    settings = Settings(corpus_dir=seeds_copy, index_dir=tmp_path / "idx", vector_index="hnsw")
    first = build_index(settings, RecordingEmbeddings())
    graphs: list[int] = []
    real_hnsw = index_store.hnsw_index
    monkeypatch.setattr(
        index_store, "hnsw_index", lambda vectors: graphs.append(len(vectors)) or real_hnsw(vectors)
    )
    (seeds_copy / "new.txt").write_text("New headline\n\nThe Basra council met on 2 March 2022. It agreed.\n")
    grown = (
        load_index(settings, RecordingEmbeddings()) if build_index(settings, RecordingEmbeddings()) else None
    )
    assert graphs == []  # no new graph: the live one grew
    graph, ids = grown.vector_store.index, grown.vector_store.index_to_docstore_id
    assert graph.ntotal == len(grown.passages) == len(first.passages) + 1
    # the live graph's passages keep their FAISS ids; the new passage comes after them
    assert [ids[i] for i in range(len(first.passages))] == [p.passage_id for p in first.passages]
    assert grown.passages[grown.row_of[ids[graph.ntotal - 1]]].doc_id == "new"
    vectors = np.load(grown.directory / "passage_vectors.npy")
    for i in range(graph.ntotal):
        assert np.allclose(graph.reconstruct(i), vectors[grown.row_of[ids[i]]])
    # and it searches as a graph built from scratch does, with a filter too
    _searches_as_a_fresh_build(grown, seeds_copy, tmp_path, "hnsw")
    # an article changed in its middle drops passages, which a graph cannot: a new graph is built
    graphs.clear()
    article = next(seeds_copy.glob("002_*.txt"))
    text = article.read_text()
    assert text.count(" Iraq ") > 1
    article.write_text(text.replace(" Iraq ", " Irak ", 1))
    changed = build_index(settings, RecordingEmbeddings())
    assert graphs == [len(changed.passages)]


def test_an_update_of_an_ivf_index_reuses_the_live_lists_and_searches_as_a_new_index_does(
    seeds_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import faiss

    from qa import index_store
    from qa.retrieval import dense_ranking

    settings = Settings(corpus_dir=seeds_copy, index_dir=tmp_path / "idx", vector_index="ivf")
    first = build_index(settings, RecordingEmbeddings())
    centres = faiss.downcast_index(first.vector_store.index.quantizer).reconstruct_n(
        0, first.vector_store.index.nlist
    )
    trained: list[int] = []
    real_ivf = index_store.ivf_index
    monkeypatch.setattr(
        index_store,
        "ivf_index",
        lambda vectors, centres=None: (
            (centres is None and trained.append(len(vectors))) or real_ivf(vectors, centres)
        ),
    )
    (seeds_copy / "new.txt").write_text("New headline\n\nThe Basra council met on 2 March 2022. It agreed.\n")
    article = next(seeds_copy.glob("002_*.txt"))
    article.write_text(article.read_text().replace(" Iraq ", " Irak ", 1))  # changed: passages dropped too
    updated = build_index(settings, RecordingEmbeddings())
    trained_passages = [n for n in trained if n == len(updated.passages)]
    assert trained_passages == []  # the passages were put in the live build's lists, none trained
    ivf = updated.vector_store.index
    assert ivf.ntotal == len(updated.passages)
    assert np.array_equal(faiss.downcast_index(ivf.quantizer).reconstruct_n(0, ivf.nlist), centres)
    # every passage is in the index, under the FAISS id of its row, and found as a new index finds it
    _searches_as_a_fresh_build(updated, seeds_copy, tmp_path, "ivf")
    new_rows = [row for row, p in enumerate(updated.passages) if p.doc_id == "new"]
    vectors = np.load(updated.directory / "passage_vectors.npy")
    assert dense_ranking(updated, vectors[new_rows[0]], 1)[0][0] == new_rows[0]  # the new passage is in

import json
from pathlib import Path

import numpy as np
import pytest

from qa import Settings
from qa.embeddings import SentenceTransformerEmbeddings, resolve_model
from qa.errors import QAError
from qa.index_store import CURRENT, IndexUnusable, build_index, current_build, load_index, open_index

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def embedder() -> SentenceTransformerEmbeddings:
    return SentenceTransformerEmbeddings(resolve_model("all-MiniLM-L6-v2"))


def _settings(corpus: Path, index: Path, **kw: object) -> Settings:
    return Settings(corpus_dir=corpus, index_dir=index, **kw)


def test_build_writes_a_manifest_and_loads_back(seeds_copy: Path, tmp_path: Path, embedder) -> None:
    settings = _settings(seeds_copy, tmp_path / "idx")
    stages: list[str] = []
    built = build_index(settings, embedder, lambda stage, done, total: stages.append(stage))
    assert "Embedding passages and sentences" in stages
    manifest = json.loads((current_build(settings.index_dir) / "manifest.json").read_text())
    assert manifest["shape"]["embedding_model"] == "all-MiniLM-L6-v2"
    assert set(manifest["sources"]) == {p.stem for p in seeds_copy.glob("*.txt")}
    assert manifest["counts"]["passages"] == len(built.passages)
    loaded = load_index(settings, embedder)
    assert [p.passage_id for p in loaded.passages] == [p.passage_id for p in built.passages]
    for passage in loaded.passages:
        assert loaded.articles[passage.doc_id].text[passage.start : passage.end] == passage.text


def test_passage_ids_are_stable_across_rebuilds(seeds_copy: Path, tmp_path: Path, embedder) -> None:
    first = build_index(_settings(seeds_copy, tmp_path / "a"), embedder)
    second = build_index(_settings(seeds_copy, tmp_path / "b"), embedder)
    assert [p.passage_id for p in first.passages] == [p.passage_id for p in second.passages]


def test_changed_added_or_removed_article_makes_the_index_stale(
    seeds_copy: Path, tmp_path: Path, embedder
) -> None:
    settings = _settings(seeds_copy, tmp_path / "idx")
    build_index(settings, embedder)
    article = next(seeds_copy.glob("002_*.txt"))
    article.write_text(article.read_text() + "\nA new closing sentence about Mosul.\n")
    with pytest.raises(IndexUnusable, match="changed"):
        load_index(settings, embedder)
    rebuilt = open_index(settings, embedder)
    assert any("Mosul" in p.text for p in rebuilt.passages if p.doc_id == article.stem)
    (seeds_copy / "new.txt").write_text("Headline\n\nA brand new article about Erbil.")
    with pytest.raises(IndexUnusable, match="added: new"):
        load_index(settings, embedder)
    open_index(settings, embedder)
    (seeds_copy / "new.txt").unlink()
    with pytest.raises(IndexUnusable, match="removed: new"):
        load_index(settings, embedder)


def test_changed_splitting_settings_make_the_index_stale(seeds_copy: Path, tmp_path: Path, embedder) -> None:
    build_index(_settings(seeds_copy, tmp_path / "idx"), embedder)
    with pytest.raises(IndexUnusable, match="settings"):
        load_index(_settings(seeds_copy, tmp_path / "idx", passage_sentences=6), embedder)


def test_corrupt_index_file_is_detected_and_rebuilt(seeds_copy: Path, tmp_path: Path, embedder) -> None:
    settings = _settings(seeds_copy, tmp_path / "idx")
    build_index(settings, embedder)
    faiss_file = current_build(settings.index_dir) / "faiss" / "index.faiss"
    faiss_file.write_bytes(b"garbage")
    with pytest.raises(IndexUnusable, match="damaged"):
        load_index(settings, embedder)
    assert open_index(settings, embedder).vector_store.index.ntotal > 0
    with pytest.raises(QAError, match="qa index"):
        (current_build(settings.index_dir) / "passages.jsonl").write_text("{")
        open_index(settings, embedder, rebuild=False)


def test_interrupted_build_leaves_the_previous_index_usable(
    seeds_copy: Path, tmp_path: Path, embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = _settings(seeds_copy, tmp_path / "idx")
    build_index(settings, embedder)
    before = (settings.index_dir / CURRENT).read_text()
    (seeds_copy / "extra.txt").write_text("Headline\n\nAn extra article about Kirkuk.")

    def crash(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("bm25s.BM25.save", crash)
    with pytest.raises(KeyboardInterrupt):
        build_index(settings, embedder)
    assert (settings.index_dir / CURRENT).read_text() == before
    assert not list(settings.index_dir.glob(".tmp-*"))
    (seeds_copy / "extra.txt").unlink()
    assert load_index(settings, embedder).passages


def test_rebuilds_are_incremental_and_give_the_same_vectors(
    seeds_copy: Path, tmp_path: Path, embedder
) -> None:
    settings = _settings(seeds_copy, tmp_path / "idx")
    full = build_index(settings, embedder)
    assert full.manifest["reused_texts"] == 0
    (seeds_copy / "new.txt").write_text(
        "New headline\n\nThe Basra council met on 2 March 2022. It agreed a plan.\n"
    )
    added = build_index(settings, embedder)
    # only the new article's passage and sentences are embedded
    assert 0 < added.manifest["embedded_texts"] <= 4
    assert added.manifest["reused_texts"] == full.manifest["reused_texts"] + full.manifest["embedded_texts"]
    fresh = build_index(_settings(seeds_copy, tmp_path / "fresh"), embedder)
    assert np.allclose(added.sentence_vectors, fresh.sentence_vectors, atol=1e-5)
    (seeds_copy / "new.txt").unlink()
    removed = build_index(settings, embedder)
    assert removed.manifest["embedded_texts"] == 0
    assert "new" not in removed.articles and all(p.doc_id != "new" for p in removed.passages)


def test_a_new_model_reuses_nothing(seeds_copy: Path, tmp_path: Path, embedder) -> None:
    from qa.index_store import _previous_vectors

    settings = _settings(seeds_copy, tmp_path / "idx")
    build_index(settings, embedder)
    assert _previous_vectors(settings.index_dir, "another-model-signature", embedder) == {}


def test_an_hnsw_index_is_built_saved_and_searched(seeds_copy: Path, tmp_path: Path, embedder) -> None:
    import faiss

    from qa.retrieval import hybrid_search

    settings = _settings(seeds_copy, tmp_path / "idx", vector_index="hnsw")
    build_index(settings, embedder)
    index = load_index(settings, embedder)
    assert isinstance(index.vector_store.index, faiss.IndexHNSWFlat)
    assert index.vector_store.index.hnsw.efSearch == 128
    passages = hybrid_search(
        index, embedder, "How many ISIS attacks did CENTCOM count in 2024?", settings, k=5
    )
    assert "153 attacks" in " ".join(p.text for p in passages)
    # the kind of index is part of the index's shape: switching it rebuilds
    with pytest.raises(IndexUnusable, match="settings"):
        load_index(_settings(seeds_copy, tmp_path / "idx", vector_index="flat"), embedder)

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


STORES = ["faiss", "qdrant"]
STORE_CLASS = {"faiss": "FAISS", "qdrant": "QdrantVectorStore"}


@pytest.mark.parametrize("store", STORES)
def test_build_writes_a_manifest_and_loads_back(
    store: str, seeds_copy: Path, tmp_path: Path, embedder
) -> None:
    settings = _settings(seeds_copy, tmp_path / "idx", vector_store=store)
    stages: list[str] = []
    built = build_index(settings, embedder, lambda stage, done, total: stages.append(stage))
    assert "Embedding passages and sentences" in stages
    manifest = json.loads((current_build(settings.index_dir) / "manifest.json").read_text())
    assert manifest["shape"]["embedding_model"] == "all-MiniLM-L6-v2"
    assert set(manifest["sources"]) == {p.stem for p in seeds_copy.glob("*.txt")}
    assert manifest["counts"]["passages"] == len(built.passages)
    assert manifest["shape"]["vector_store"] == manifest["vector_store"]["kind"] == store
    loaded = load_index(settings, embedder)
    assert type(loaded.vector_store).__name__ == type(built.vector_store).__name__ == STORE_CLASS[store]
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


@pytest.mark.parametrize("store", STORES)
def test_interrupted_build_leaves_the_previous_index_usable(
    store: str, seeds_copy: Path, tmp_path: Path, embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = _settings(seeds_copy, tmp_path / "idx", vector_store=store)
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


@pytest.mark.parametrize("store", STORES)
def test_rebuilds_are_incremental_and_give_the_same_vectors(
    store: str, seeds_copy: Path, tmp_path: Path, embedder
) -> None:
    settings = _settings(seeds_copy, tmp_path / "idx", vector_store=store)
    full = build_index(settings, embedder)
    assert full.manifest["reused_texts"] == 0
    (seeds_copy / "new.txt").write_text(
        "New headline\n\nThe Basra council met on 2 March 2022. It agreed a plan.\n"
    )
    added = build_index(settings, embedder)
    # only the new article's passage and sentences are embedded
    assert 0 < added.manifest["embedded_texts"] <= 4
    assert added.manifest["reused_texts"] == full.manifest["reused_texts"] + full.manifest["embedded_texts"]
    fresh = build_index(_settings(seeds_copy, tmp_path / "fresh", vector_store=store), embedder)
    assert np.allclose(added.sentence_vectors, fresh.sentence_vectors, atol=1e-5)
    (seeds_copy / "new.txt").unlink()
    removed = build_index(settings, embedder)
    assert removed.manifest["embedded_texts"] == 0
    assert "new" not in removed.articles and all(p.doc_id != "new" for p in removed.passages)


def test_a_new_model_reuses_nothing(seeds_copy: Path, tmp_path: Path, embedder) -> None:
    from qa.index_store import _live_build, _previous_vectors

    settings = _settings(seeds_copy, tmp_path / "idx")
    build_index(settings, embedder)
    assert _previous_vectors(_live_build(settings.index_dir), "another-model-signature", embedder) == {}


def test_an_hnsw_index_is_built_saved_and_searched(seeds_copy: Path, tmp_path: Path, embedder) -> None:
    import faiss

    from qa.retrieval import hybrid_search

    settings = _settings(seeds_copy, tmp_path / "idx", vector_index="hnsw")
    build_index(settings, embedder)
    index = load_index(settings, embedder)
    assert isinstance(index.vector_store.index, faiss.IndexHNSWFlat)
    assert index.vector_store.index.hnsw.efSearch == 256
    passages = hybrid_search(
        index, embedder, "How many ISIS attacks did CENTCOM count in 2024?", settings, k=5
    )
    assert "153 attacks" in " ".join(p.text for p in passages)
    # how deep a search goes is no part of the graph: a setting, applied on load, no rebuild
    deeper = load_index(
        _settings(seeds_copy, tmp_path / "idx", vector_index="hnsw", hnsw_ef_search=640), embedder
    )
    assert deeper.vector_store.index.hnsw.efSearch == 640 and deeper.directory == index.directory
    # the kind of index is part of the index's shape: switching it rebuilds
    with pytest.raises(IndexUnusable, match=r"settings changed \(vector_index\)"):
        load_index(_settings(seeds_copy, tmp_path / "idx", vector_index="flat"), embedder)


def test_an_ivf_index_is_built_saved_and_searched_and_auto_picks_it_for_a_large_corpus(
    seeds_copy: Path, tmp_path: Path, embedder
) -> None:
    import faiss

    from qa.index_store import ivf_lists, vector_index_kind
    from qa.retrieval import hybrid_search

    settings = _settings(seeds_copy, tmp_path / "idx", vector_index="ivf")
    built = build_index(settings, embedder)
    index = load_index(settings, embedder)
    passage_index = index.vector_store.index
    assert isinstance(passage_index, faiss.IndexIVFFlat) and passage_index.ntotal == len(index.passages)
    assert passage_index.nlist == ivf_lists(len(index.passages))
    assert index.sentence_index is not None  # sentences are searched approximately too
    assert built.vector_store.index.nprobe == passage_index.nprobe == passage_index.nlist  # few lists: all
    passages = hybrid_search(
        index, embedder, "How many ISIS attacks did CENTCOM count in 2024?", settings, k=5
    )
    assert "153 attacks" in " ".join(p.text for p in passages)
    # how many lists a search scans is no part of the index: a setting, applied on load, no rebuild
    shallow = load_index(_settings(seeds_copy, tmp_path / "idx", vector_index="ivf", ivf_nprobe=1), embedder)
    assert shallow.vector_store.index.nprobe == 1 == shallow.sentence_index.nprobe
    assert shallow.directory == index.directory
    assert vector_index_kind(settings.with_overrides(vector_index="auto"), 49_999) == "flat"
    assert vector_index_kind(settings.with_overrides(vector_index="auto"), 50_000) == "ivf"
    assert (
        vector_index_kind(settings.with_overrides(vector_index="auto", approximate_min_passages=10), 10)
        == "ivf"
    )


def test_switching_the_vector_store_rebuilds_and_reuses_every_vector(
    seeds_copy: Path, tmp_path: Path, embedder
) -> None:
    faiss_settings = _settings(seeds_copy, tmp_path / "idx")
    faiss_index = build_index(faiss_settings, embedder)
    qdrant_settings = _settings(seeds_copy, tmp_path / "idx", vector_store="qdrant")
    with pytest.raises(IndexUnusable, match=r"settings changed \(vector_store\)"):
        load_index(qdrant_settings, embedder)
    rebuilt = open_index(qdrant_settings, embedder)
    assert type(rebuilt.vector_store).__name__ == "QdrantVectorStore"
    assert rebuilt.manifest["embedded_texts"] == 0  # the FAISS build's vectors are reused
    assert not faiss_index.directory.exists()
    assert (rebuilt.directory / "qdrant").is_dir() and not (rebuilt.directory / "faiss").exists()
    # and back again
    with pytest.raises(IndexUnusable, match="vector_store"):
        load_index(faiss_settings, embedder)
    assert open_index(faiss_settings, embedder).manifest["embedded_texts"] == 0
    # a server URL is another place for the vectors: switching to one rebuilds too
    with pytest.raises(IndexUnusable, match="qdrant_url"):
        load_index(qdrant_settings.with_overrides(qdrant_url="http://127.0.0.1:1"), embedder)


def test_a_damaged_or_incomplete_qdrant_collection_is_detected(
    seeds_copy: Path, tmp_path: Path, embedder
) -> None:
    import gc

    from qdrant_client import QdrantClient

    from qa.index_store import _sha256_file

    settings = _settings(seeds_copy, tmp_path / "idx", vector_store="qdrant")
    built = build_index(settings, embedder)
    collection = built.manifest["vector_store"]["collection"]
    storage = built.directory / "qdrant" / "collection" / collection / "storage.sqlite"
    del built
    gc.collect()  # closes this process's client on the folder
    original = storage.read_bytes()
    storage.write_bytes(b"garbage")
    with pytest.raises(IndexUnusable, match="damaged"):
        load_index(settings, embedder)
    storage.write_bytes(original)
    # A collection missing a point, its files' hashes brought up to date: the point count catches it
    # (for a Qdrant server, whose files are not in the manifest, this is the only check).
    client = QdrantClient(path=str(storage.parent.parent.parent))
    first = client.scroll(collection, limit=1)[0][0].id
    client.delete(collection, points_selector=[first])
    client.close()
    build_dir = current_build(settings.index_dir)
    manifest = json.loads((build_dir / "manifest.json").read_text())
    manifest["files"] = {name: _sha256_file(build_dir / name) for name in manifest["files"]}
    (build_dir / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(IndexUnusable, match="disagree"):
        load_index(settings, embedder)


def test_a_qdrant_local_index_opens_many_times_and_while_another_process_holds_it(
    seeds_copy: Path, tmp_path: Path, embedder
) -> None:
    import gc

    from qdrant_client import QdrantClient

    from qa.retrieval import dense_ranking

    settings = _settings(seeds_copy, tmp_path / "idx", vector_store="qdrant")
    built = build_index(settings, embedder)
    query = embedder.query_vector("When was Qasem Soleimani killed?")
    expected = dense_ranking(built, query, 10)

    def same(ranking: list[tuple[int, float]]) -> bool:
        return [r for r, _ in ranking] == [r for r, _ in expected] and np.allclose(
            [s for _, s in ranking], [s for _, s in expected], atol=1e-6
        )

    # qdrant-client's local mode locks its folder for one client: this process shares one
    again = load_index(settings, embedder)
    assert again.vector_store.client is built.vector_store.client
    assert same(dense_ranking(again, query, 10))
    folder = built.directory / "qdrant"
    del built, again
    gc.collect()  # the last index using it is gone: the client is closed and the lock released
    holder = QdrantClient(path=str(folder))  # a lock as another process (say, `qa ui`) would hold it
    try:
        with pytest.raises(RuntimeError, match="already accessed"):
            QdrantClient(path=str(folder))
        index = load_index(settings, embedder)  # reads a private copy of the (immutable) build
        snapshot = Path(index.vector_store.client._client.location)
        assert snapshot.parent != folder.parent and snapshot.is_dir()
        assert same(dense_ranking(index, query, 10))
        del index
        gc.collect()
        assert not snapshot.exists()  # the copy goes with the last index using it
    finally:
        holder.close()


def test_an_unreachable_qdrant_server_is_a_clear_error_not_a_rebuild(
    seeds_copy: Path, tmp_path: Path, embedder
) -> None:
    down = "http://127.0.0.1:1"  # nothing listens there
    settings = _settings(seeds_copy, tmp_path / "idx", vector_store="qdrant", qdrant_url=down)
    with pytest.raises(QAError, match="Cannot use the Qdrant server"):
        build_index(settings, embedder)  # before any embedding
    assert not list((tmp_path / "idx").glob("*build*"))
    # an index whose collection is on a server that is down: say so, don't re-embed everything
    local = build_index(_settings(seeds_copy, tmp_path / "idx", vector_store="qdrant"), embedder)
    manifest = json.loads((local.directory / "manifest.json").read_text())
    manifest["shape"]["qdrant_url"] = manifest["vector_store"]["url"] = down
    (local.directory / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(QAError, match="Cannot use the Qdrant server"):
        open_index(settings, embedder)


def test_the_saved_sentence_term_counts_are_what_the_answerer_would_count(seed_assistant) -> None:
    """The build saves each term's sentence count, so the answerer need not read every sentence at
    start-up; a build without them (older) gets them counted, the same."""
    import dataclasses

    from qa.extractive import ExtractiveAnswerer

    index = seed_assistant.index
    assert index.sentence_df and (index.directory / "sentence_df.json").is_file()
    saved = ExtractiveAnswerer(index, seed_assistant.settings)
    assert all(bag is None for bag in saved._terms)  # nothing read yet
    counted = ExtractiveAnswerer(dataclasses.replace(index, sentence_df=None), seed_assistant.settings)
    assert counted._idf == saved._idf
    question = "How many ISIS attacks did CENTCOM count in the first half of 2024?"
    assert (
        seed_assistant.ask(question).text
        == counted.answer(
            question,
            seed_assistant.embedder.query_vector(question),
            seed_assistant.retrieve(question),
            embed=seed_assistant.embedder.query_vector,
        ).text
    )

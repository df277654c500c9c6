import pytest

from qa.retrieval import HybridRetriever, fuse

pytestmark = pytest.mark.slow


def test_fuse_rewards_items_both_rankings_agree_on() -> None:
    dense = [(1, 0.9), (2, 0.8), (3, 0.7)]
    sparse = [(3, 12.0), (1, 10.0), (4, 2.0)]
    fused = [row for row, _ in fuse([(dense, 1.0), (sparse, 1.0)], rrf_k=60)]
    assert fused[:2] == [1, 3]
    assert set(fused) == {1, 2, 3, 4}
    only_sparse = [row for row, _ in fuse([(dense, 0.0), (sparse, 1.0)], rrf_k=60)]
    assert only_sparse[:3] == [3, 1, 4]


def test_retrieve_returns_ranked_passages_with_offsets(seed_assistant) -> None:
    passages = seed_assistant.retrieve(
        "How many ISIS attacks did CENTCOM count in the first half of 2024?", k=5
    )
    assert len(passages) == 5
    assert "153 attacks" in passages[0].text
    scores = [p.score for p in passages]
    assert scores == sorted(scores, reverse=True)
    for p in passages:
        assert seed_assistant.index.articles[p.doc_id].text[p.start : p.end] == p.text
        assert p.dense_score is not None or p.bm25_score is not None


def test_overlapping_passages_are_not_returned_twice(seed_assistant) -> None:
    passages = seed_assistant.retrieve("US troops Iraq withdrawal coalition", k=10)
    for i, a in enumerate(passages):
        for b in passages[i + 1 :]:
            if a.doc_id == b.doc_id:
                shared = min(a.end, b.end) - max(a.start, b.start)
                assert shared < 0.5 * min(a.end - a.start, b.end - b.start)


def test_retriever_plugs_into_langchain(seed_assistant) -> None:
    retriever = seed_assistant.retriever(k=3)
    assert isinstance(retriever, HybridRetriever)
    docs = retriever.invoke("Who heads US Central Command?")
    assert len(docs) == 3
    assert "Kurilla" in " ".join(d.page_content for d in docs)
    assert {"doc_id", "title", "date", "outlet", "start", "end", "score"} <= set(docs[0].metadata)

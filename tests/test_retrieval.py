import numpy as np
import pytest

from qa.retrieval import HybridRetriever, dense_ranking, fuse

pytestmark = pytest.mark.slow


@pytest.fixture(params=["faiss", "qdrant"])
def assistant(request: pytest.FixtureRequest):
    """The seed assistant with its passage vectors in FAISS, then in Qdrant: same tests, same results."""
    return request.getfixturevalue("seed_assistant" if request.param == "faiss" else "seed_assistant_qdrant")


def test_fuse_rewards_items_both_rankings_agree_on() -> None:
    dense = [(1, 0.9), (2, 0.8), (3, 0.7)]
    sparse = [(3, 12.0), (1, 10.0), (4, 2.0)]
    fused = [row for row, _ in fuse([(dense, 1.0), (sparse, 1.0)], rrf_k=60)]
    assert fused[:2] == [1, 3]
    assert set(fused) == {1, 2, 3, 4}
    only_sparse = [row for row, _ in fuse([(dense, 0.0), (sparse, 1.0)], rrf_k=60)]
    assert only_sparse[:3] == [3, 1, 4]


def test_retrieve_returns_ranked_passages_with_offsets(assistant) -> None:
    passages = assistant.retrieve("How many ISIS attacks did CENTCOM count in the first half of 2024?", k=5)
    assert len(passages) == 5
    assert "153 attacks" in passages[0].text
    scores = [p.score for p in passages]
    assert scores == sorted(scores, reverse=True)
    for p in passages:
        assert assistant.index.articles[p.doc_id].text[p.start : p.end] == p.text
        assert p.dense_score is not None or p.bm25_score is not None


def test_overlapping_passages_are_not_returned_twice(assistant) -> None:
    passages = assistant.retrieve("US troops Iraq withdrawal coalition", k=10)
    for i, a in enumerate(passages):
        for b in passages[i + 1 :]:
            if a.doc_id == b.doc_id:
                shared = min(a.end, b.end) - max(a.start, b.start)
                assert shared < 0.5 * min(a.end - a.start, b.end - b.start)


def test_retriever_plugs_into_langchain(assistant) -> None:
    retriever = assistant.retriever(k=3)
    assert isinstance(retriever, HybridRetriever)
    docs = retriever.invoke("Who heads US Central Command?")
    assert len(docs) == 3
    assert "Kurilla" in " ".join(d.page_content for d in docs)
    assert {"doc_id", "title", "date", "outlet", "start", "end", "score"} <= set(docs[0].metadata)


def test_faiss_and_qdrant_rank_the_same_passages_with_the_same_scores(
    seed_assistant, seed_assistant_qdrant
) -> None:
    from qa.eval.questions import bundled_questions, load_questions

    faiss_index, qdrant_index = seed_assistant.index, seed_assistant_qdrant.index
    assert [p.passage_id for p in faiss_index.passages] == [p.passage_id for p in qdrant_index.passages]
    questions = load_questions(bundled_questions(), faiss_index.articles)
    for question in questions:
        query = seed_assistant.embedder.query_vector(question.question)
        by_faiss = dense_ranking(faiss_index, query, 20)
        by_qdrant = dense_ranking(qdrant_index, query, 20)
        # cosine both: higher is better, the same value up to float rounding
        assert np.allclose([s for _, s in by_faiss], [s for _, s in by_qdrant], atol=1e-5)
        assert [r for r, _ in by_faiss[:10]] == [r for r, _ in by_qdrant[:10]], question.question
    for question in questions[:5]:  # and so the whole hybrid retrieval agrees
        assert seed_assistant.retrieve(question.question) == seed_assistant_qdrant.retrieve(question.question)

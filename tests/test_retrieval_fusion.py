"""The fusion steps on hand-made rankings: no model, no index."""

import numpy as np

from qa.retrieval import article_leaders, first_articles, fuse, leaders_first


def test_an_article_searched_alone_gets_its_own_best_passage() -> None:
    # rows 0-3 belong to article 0, rows 4-6 to article 1, which ranks low overall
    article_of = np.array([0, 0, 0, 0, 1, 1, 1])
    dense = [(0, 0.9), (1, 0.8), (2, 0.7), (3, 0.6), (6, 0.5), (4, 0.4)]
    sparse = [(1, 9.0), (0, 8.0), (3, 7.0), (2, 6.0), (4, 5.0), (6, 4.0)]
    rankings = [(dense, 1.0), (sparse, 1.0)]
    leaders = article_leaders(rankings, article_of, rrf_k=5)
    assert sorted(leaders) == [0, 4]  # article 1's passages ranked 5th and 6th: a tie, the earlier row
    assert article_leaders([(dense, 1.0), (sparse, 0.0)], article_of, rrf_k=5) == [0, 6]


def test_ranks_within_an_article_decide_its_leader_not_global_ranks() -> None:
    article_of = np.array([0, 0, 1, 1])
    # row 3 is first of its article in both rankings; row 2 is ahead of it globally in neither
    one = [(0, 1.0), (1, 0.9), (3, 0.8), (2, 0.7)]
    two = [(1, 1.0), (0, 0.9), (3, 0.8), (2, 0.7)]
    assert set(article_leaders([(one, 1.0), (two, 1.0)], article_of, rrf_k=5)) == {0, 3}


def test_leaders_come_first_in_their_fused_order() -> None:
    fused = fuse([([(0, 1.0), (1, 0.9), (2, 0.8), (3, 0.7)], 1.0)], rrf_k=5)
    reordered = leaders_first(fused, [3, 1])
    assert [row for row, _ in reordered] == [1, 3, 0, 2]
    assert sorted(reordered) == sorted(fused)  # the same items and scores


def test_an_articles_leader_is_its_best_passage_that_states_what_is_asked() -> None:
    # article 0: rows 0, 1, 2 in that order within it; article 1: rows 3, 4
    article_of = np.array([0, 0, 0, 1, 1])
    ranking = [(0, 1.0), (3, 0.9), (1, 0.8), (4, 0.7), (2, 0.6)]
    states = {1, 2}.__contains__  # the rows that state it (say "demands", for a "should" question)
    # article 0: its second passage states it, so it leads; its third is too deep to be taken
    # article 1: none of its passages states it, so its best leads as before
    assert article_leaders([(ranking, 1.0)], article_of, rrf_k=5, states=states) == [1, 3]
    assert article_leaders([(ranking, 1.0)], article_of, rrf_k=5) == [0, 3]
    assert article_leaders([(ranking, 1.0)], article_of, rrf_k=5, states={2}.__contains__) == [0, 3]
    # searched to any depth (a statement of the state asked is rare enough), the third leads
    assert article_leaders([(ranking, 1.0)], article_of, rrf_k=5, states={2}.__contains__, depth=None) == [
        2,
        3,
    ]


def test_the_first_articles_a_fused_ranking_reaches() -> None:
    article_of = np.array([0, 0, 1, 2, 2, 3])
    fused = [(4, 0.9), (0, 0.8), (3, 0.7), (1, 0.6), (5, 0.5), (2, 0.4)]
    assert first_articles(fused, article_of, 2) == [2, 0]
    assert first_articles(fused, article_of, 10) == [2, 0, 3, 1]  # row 3, of article 2 again, adds none


def _toy_index(texts: dict[str, list[str]], vectors: list[list[float]]):
    """A CorpusIndex of a few articles, one passage each holding all its sentences, with the given
    sentence vectors (in article order); no model, no FAISS, no BM25."""
    from qa.index_store import CorpusIndex, SentenceRef
    from qa.records import Article, Passage

    articles, passages, spans, sentences = {}, [], [], []
    for doc_id, sents in texts.items():
        text = " ".join(sents)
        articles[doc_id] = Article(doc_id=doc_id, title=None, date=None, outlet=None, text=text)
        first = len(sentences)
        start = 0
        for s in sents:
            sentences.append(SentenceRef(doc_id, start, start + len(s)))
            start += len(s) + 1
        passages.append(Passage(f"{doc_id}-0", doc_id, None, None, None, text, 0, len(text)))
        spans.append((first, len(sentences) - 1))
    unit = np.asarray(vectors, dtype=np.float32)
    unit /= np.linalg.norm(unit, axis=1, keepdims=True)
    return CorpusIndex(
        directory=None,
        manifest={},
        articles=articles,
        passages=passages,
        passage_sentences=spans,
        sentences=sentences,
        sentence_vectors=unit,
        vector_store=None,
        bm25=None,
    )


def test_copies_of_a_sentence_in_other_articles_rank_once_in_the_sentence_ranking() -> None:
    from qa.retrieval import Allowed, sentence_key, sentence_keys, sentence_ranking

    assert sentence_key("Troops  left 2,500 bases.") == sentence_key("troops left 300 bases.")
    assert sentence_key("Troops left 2,500 bases.") != sentence_key("Troops left the bases.")
    # articles b and c repeat a's first sentence with other figures; d holds a sentence nearer the
    # question than any other but the copies
    index = _toy_index(
        {
            "a": ["Troops left 2,500 bases.", "Rain fell."],
            "b": ["Troops left 300 bases.", "Wind blew."],
            "c": ["TROOPS LEFT 41 BASES.", "Snow fell."],
            "d": ["The answer is here.", "Sun shone."],
        },
        [[1, 0.20, 0], [0, 0, 1], [1, 0.22, 0], [0, 0, 1], [1, 0.24, 0], [0, 0, 1], [1, 0.6, 0], [0, 0, 1]],
    )
    keys = sentence_keys(index, list(range(8)))
    assert keys[0] == keys[2] == keys[4] == "troops left # bases." and len(set(keys)) == 6
    query = np.array([1.0, 0.0, 0.0], dtype=np.float32)
    # fetch_k 1 takes the best 2 sentences: one copy (a's, the nearest) and then d's, not the 2 other copies
    assert [row for row, _ in sentence_ranking(index, query, 1)] == [0]
    assert [row for row, _ in sentence_ranking(index, query, 2)] == [0, 3]
    # b and c rank only by their other sentence (cosine 0)
    assert sentence_ranking(index, query, 4)[2:] == [(1, 0.0), (2, 0.0)]
    # a filter that leaves out a: b's copy is the best admitted one, and only it ranks among the copies
    articles = np.array([False, True, True, True])
    allowed = Allowed(articles, articles[index.sentence_article], None, articles.astype(np.float32))
    filtered = sentence_ranking(index, query, 2, allowed)
    assert [row for row, _ in filtered] == [1, 3]
    everything = Allowed(*(np.ones(n, dtype=bool) for n in (4, 8)), None, np.ones(4, dtype=np.float32))
    assert sentence_ranking(index, query, 4, everything) == sentence_ranking(index, query, 4)


def test_a_passage_repeating_a_third_of_its_sentences_from_those_chosen_is_left_out() -> None:
    from qa.retrieval import choose_passages

    index = _toy_index(
        {
            "a": ["Troops left 2,500 bases.", "Rain fell.", "Wind blew."],
            "b": ["Troops left 300 bases.", "Snow fell.", "Sun shone."],  # 1 of 3 shown: out
            "c": ["Troops left 41 bases.", "Fog rose.", "Hail came.", "Frost bit."],  # 1 of 4: in
            "d": ["Fog rose.", "Hail came.", "Mist hung.", "Dew formed."],  # 2 of 4 (c's): out
            "e": ["Rain fell.", "Clouds met.", "Stars shone.", "Moon rose."],  # 1 of 4 (a's): in
        },
        [[1.0, 0.0]] * 18,
    )
    fused = [(row, 1.0 / (row + 1)) for row in range(5)]
    chosen = choose_passages(index, fused, 5, dense_scores={0: 0.91234}, sparse_scores={2: 3.0})
    assert [p.doc_id for p in chosen] == ["a", "c", "e"]
    assert (chosen[0].score, chosen[0].dense_score, chosen[0].bm25_score) == (1.0, 0.9123, None)
    assert chosen[1].bm25_score == 3.0
    assert [p.doc_id for p in choose_passages(index, fused, 2)] == ["a", "c"]
    # ranked first, b is kept and a (one of three repeated) is out
    assert [p.doc_id for p in choose_passages(index, [fused[1], fused[0]], 5)] == ["b"]


def test_items_a_ranking_scores_alike_share_its_rank() -> None:
    # rows 1 and 2 are two windows holding the same best sentence: tied in the sentence ranking
    by_sentence = [(1, 0.7), (2, 0.7), (3, 0.5)]
    fused = dict(fuse([(by_sentence, 1.0)], rrf_k=5))
    assert fused[1] == fused[2] == 1 / 6
    assert fused[3] == 1 / 8  # after a tie of two, the third item is third (1, 1, 3), not second
    # the later window wins when another ranking prefers it, however slightly
    sparse = [(3, 9.0), (2, 5.0), (1, 4.0)]
    assert [row for row, _ in fuse([(by_sentence, 1.0), (sparse, 1.0)], rrf_k=5)][:2] == [2, 1]
    # distinct scores still rank one by one
    assert dict(fuse([([(1, 0.7), (2, 0.6)], 1.0)], rrf_k=5))[2] == 1 / 7


def test_work_side_by_side_comes_back_in_order_the_first_in_the_calling_thread() -> None:
    import threading
    import time

    from qa.retrieval import side_by_side

    def work(item: int) -> tuple[int, str]:
        time.sleep(0.01 * (3 - item))  # the first finishes last: the order is the items', not the finish
        return item * item, threading.current_thread().name

    done = side_by_side(work, [0, 1, 2])
    assert [square for square, _ in done] == [0, 1, 4]
    assert done[0][1] == threading.current_thread().name
    assert side_by_side(work, []) == [] and side_by_side(work, [2])[0] == (4, threading.current_thread().name)

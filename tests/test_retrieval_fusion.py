"""The fusion steps on hand-made rankings: no model, no index."""

import numpy as np

from qa.retrieval import article_leaders, fuse, leaders_first


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

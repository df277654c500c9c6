from qa.corpus import load_corpus
from qa.passages import group_sentences, is_attribution_tail, make_passages, split_sentences
from tests.conftest import SEEDS


def test_sentence_and_passage_offsets_give_back_their_text() -> None:
    for article in load_corpus(SEEDS):
        sentences = split_sentences(article.text)
        assert sentences
        for s in sentences:
            piece = article.text[s.start : s.end]
            assert piece == piece.strip() and piece
        for passage, (first, last) in make_passages(article, sentences, 3, 1, 900):
            assert article.text[passage.start : passage.end] == passage.text
            assert passage.start == sentences[first].start and passage.end == sentences[last].end


def test_sentence_splitter_respects_abbreviations() -> None:
    text = "Gen. Michael Kurilla told Congress in March. The U.S. keeps 2.500 troops. Dr. Ahmed spoke."
    pieces = [text[s.start : s.end] for s in split_sentences(text)]
    assert pieces == [
        "Gen. Michael Kurilla told Congress in March.",
        "The U.S. keeps 2.500 troops.",
        "Dr. Ahmed spoke.",
    ]


def test_quoted_speech_of_several_sentences_is_split() -> None:
    text = 'He said, "The border is weak. The army needs help." Then he left.'
    pieces = [text[s.start : s.end] for s in split_sentences(text)]
    assert pieces[0] == 'He said, "The border is weak.'
    assert "The army needs help." in pieces[1]
    assert pieces[-1] == "Then he left."


def test_a_quotations_attribution_split_off_by_its_full_stop_is_known() -> None:
    text = '"In Syria, 59 operations resulted in 14 ISIS operatives killed." CENTCOM said. Then it left.'
    pieces = [text[s.start : s.end] for s in split_sentences(text)]
    assert "CENTCOM said." in pieces and is_attribution_tail("CENTCOM said.")
    for tail in ("The ministry said in a statement.", "Gen. Michael Kurilla told reporters.", "He added."):
        assert is_attribution_tail(tail), tail
    for sentence in ("Gen. Michael Kurilla told Congress in March.", "ISIS said nothing of the attack."):
        assert not is_attribution_tail(sentence), sentence


def test_passages_overlap_by_the_requested_number_of_sentences() -> None:
    from qa.passages import Span

    spans = [Span(i * 10, i * 10 + 9) for i in range(7)]
    assert group_sentences(spans, 3, 1, 10_000) == [(0, 2), (2, 4), (4, 6)]
    assert group_sentences(spans, 3, 0, 10_000) == [(0, 2), (3, 5), (6, 6)]
    # A window closes early at max_chars.
    assert group_sentences(spans, 3, 1, 15) == [(0, 0), (1, 1), (2, 2), (3, 3), (4, 4), (5, 5), (6, 6)]

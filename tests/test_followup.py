from qa.followup import rewrite_followup


def test_a_pronoun_borrows_the_names_of_the_earlier_question() -> None:
    assert rewrite_followup("When was he killed?", ["Who was Qasem Soleimani?"]) == (
        "When was he killed? (Qasem Soleimani)"
    )


def test_an_elliptical_follow_up_carries_the_previous_question() -> None:
    assert rewrite_followup("And in Syria?", ["How many US troops are still in Iraq?"]) == (
        "And in Syria? (How many US troops are still in Iraq)"
    )


def test_a_question_that_stands_alone_is_unchanged() -> None:
    question = "How many ISIS attacks did CENTCOM count in 2024?"
    assert rewrite_followup(question, ["Who was Qasem Soleimani?"]) == question
    assert rewrite_followup("Why do Sunnis fear a US withdrawal?", ["Who heads CENTCOM?"]) == (
        "Why do Sunnis fear a US withdrawal?"
    )


def test_without_history_nothing_changes() -> None:
    assert rewrite_followup("When was he killed?", []) == "When was he killed?"

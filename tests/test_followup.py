from qa.followup import rewrite_followup


def test_a_pronoun_borrows_the_names_of_the_earlier_question() -> None:
    assert rewrite_followup("When was he killed?", ["Who was Qasem Soleimani?"]) == (
        "When was he killed? (Qasem Soleimani)"
    )


def test_an_elliptical_follow_up_puts_what_it_names_in_place_of_the_previous_questions() -> None:
    # a place after its preposition, a year for the year, any other name for the first name
    assert rewrite_followup("And in Syria?", ["How many US troops are still in Iraq?"]) == (
        "How many US troops are still in Syria?"
    )
    assert rewrite_followup("What about 2023?", ["How many attacks did ISIS claim in 2024?"]) == (
        "How many attacks did ISIS claim in 2023?"
    )
    assert rewrite_followup("What about Iran?", ["Is the US helping ISIS?"]) == "Is Iran helping ISIS?"
    assert rewrite_followup("What about the UK?", ["Is the US helping ISIS?"]) == "Is the UK helping ISIS?"


def test_an_elliptical_follow_up_with_nothing_to_put_in_place_carries_the_previous_question() -> None:
    assert rewrite_followup("And why?", ["Is the US helping ISIS?"]) == "And why? (Is the US helping ISIS)"
    assert rewrite_followup("And in Mosul?", ["Who won the election?"]) == (  # no place to replace
        "And in Mosul? (Who won the election)"
    )
    assert (
        rewrite_followup("What about 2023?", ["Who heads CENTCOM?"]) == "What about 2023? (Who heads CENTCOM)"
    )


def test_a_question_that_stands_alone_is_unchanged() -> None:
    question = "How many ISIS attacks did CENTCOM count in 2024?"
    assert rewrite_followup(question, ["Who was Qasem Soleimani?"]) == question
    assert rewrite_followup("Why do Sunnis fear a US withdrawal?", ["Who heads CENTCOM?"]) == (
        "Why do Sunnis fear a US withdrawal?"
    )


def test_a_short_question_carries_the_previous_one_only_when_it_names_nothing() -> None:
    assert rewrite_followup("Why?", ["Is the US helping ISIS?"]) == "Why? (Is the US helping ISIS)"
    assert rewrite_followup("How many?", ["Did ISIS claim attacks in 2024?"]) == (
        "How many? (Did ISIS claim attacks in 2024)"
    )
    # few words, but a subject of its own: it stands alone
    assert rewrite_followup("What did CENTCOM say?", ["How many US soldiers died in Iraq?"]) == (
        "What did CENTCOM say?"
    )


def test_without_history_nothing_changes() -> None:
    assert rewrite_followup("When was he killed?", []) == "When was he killed?"


def test_a_models_reply_is_taken_as_a_rewrite_only_when_it_is_one() -> None:
    from qa.followup import plausible_rewrite

    asked = "When was he killed?"
    assert plausible_rewrite(asked, "When was Qasem Soleimani killed?") == "When was Qasem Soleimani killed?"
    assert plausible_rewrite(asked, 'Rewritten question: "When was Soleimani killed?"\n') == (
        "When was Soleimani killed?"
    )
    assert plausible_rewrite(asked, "He was killed on 3 January 2020 [1].") is None  # an answer
    assert plausible_rewrite(asked, "What is the capital of France?") is None  # lost the question
    assert plausible_rewrite(asked, "") is None

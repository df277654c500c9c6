from qa.attribution import speaker_in
from qa.newsaware import (
    article_time,
    asks_changing_value,
    asks_judgement,
    question_mode,
    question_years,
    source_label,
)
from qa.records import Article


def test_speakers_are_read_from_reporting_verbs_and_according_to() -> None:
    assert speaker_in('Security expert Haitham Al-Khazali pointed out, "The Iraqi side stated ..."') == (
        "Security expert Haitham Al-Khazali"
    )
    assert speaker_in("According to Al-Sharifi, the complex crises necessitate the presence.") == "Al-Sharifi"
    assert speaker_in(
        '"The increase in attacks indicates ISIS is attempting to reconstitute," CENTCOM said.'
    ) == ("CENTCOM")
    assert speaker_in("Currently, there are about 2,500 US troops still deployed in Iraq.") is None
    # a post's country is no part of the name; an apposition may stand between name and verb
    assert speaker_in('... not done," US Ambassador to Iraq Alina Romanowski told Reuters.') == (
        "US Ambassador to Iraq Alina Romanowski"
    )
    assert speaker_in("Gen. Michael Kurilla, who heads US Central Command, told Congress that ...") == (
        "Gen. Michael Kurilla"
    )


def test_a_quotes_speaker_is_found_where_it_opens_or_where_it_closes(seed_assistant) -> None:
    from qa.attribution import attribution

    index = seed_assistant.index

    def said(start: str) -> tuple[str, bool] | None:
        found = [i for i in range(len(index.sentences)) if index.sentence_text(i).startswith(start)]
        assert len(found) == 1, start
        who = attribution(index, found[0])
        return None if who is None else (who.speaker, who.in_sentence)

    # '"To continue ... In Iraq, 137 partnered operations ... detained," CENTCOM said.'
    assert said('"To continue the effort to defeat ISIS') == ("CENTCOM", False)
    assert said("In Iraq, 137 partnered operations") == ("CENTCOM", False)
    # 'He added, "There is also ...': the speaker of the sentences before
    assert said('He added, "There is also an economic border breach') == ("Al-Sharifi", False)
    # a quote that closed before a sentence does not lend it its speaker
    assert said("Gen. Michael Kurilla, who heads US Central Command") == ("Gen. Michael Kurilla", True)
    assert said("Some suggest that the American statement") is None


def test_question_modes() -> None:
    assert question_mode("Is ISIS still a threat? How do the articles differ?") == "positions"
    assert question_mode("How did the number of US troops in Iraq change over time?") == "values"
    assert question_mode("When was Qasem Soleimani killed?") is None
    # "from ... to" is a span of time only when it names years, not "a withdrawal from Iraq would lead to"
    assert question_mode("What do the Sunnis believe a US withdrawal from Iraq would lead to?") is None
    assert question_mode("How did troop numbers move from 2021 to 2024?") == "values"
    assert question_years("How many attacks in 2024, compared with 2023?") == {"2024", "2023"}
    assert question_mode("Is the US helping ISIS?") == "views"


def test_a_judgement_is_a_yes_or_no_question_that_names_no_holder_or_article() -> None:
    assert asks_judgement("Is the US helping ISIS?")
    assert asks_judgement("Should US troops leave Iraq? Answer briefly.")
    assert not asks_judgement("When was Qasem Soleimani killed?")  # not yes or no
    assert not asks_judgement("Does Baghdad's leadership believe the coalition has a mission?")  # whose
    assert not asks_judgement("Is ISIS capable of a comeback, according to Al-Sharifi?")
    assert not asks_judgement("Is ISIS judged capable of rebuilding, in the piece on its offensive?")
    assert not asks_judgement("Does the 2021 article say the troops will stay?")  # which article


def test_an_undated_article_is_ordered_by_the_latest_year_it_mentions_and_says_so() -> None:
    dated = Article("a", "T", "2024-07-20", "Shafaq News", "text")
    undated = Article("b", None, None, None, "In 2019 and again in 2021 the troops ...")
    assert article_time(dated).label == "2024-07-20"
    assert article_time(undated).sort_key == "2021"
    assert article_time(undated).label == "date not stated; mentions events up to 2021"
    assert not article_time(undated).stated
    assert source_label(dated) == "Shafaq News" and source_label(undated) == "An untitled article"


def test_the_topic_drops_what_only_names_the_articles_or_the_form_of_the_answer() -> None:
    from qa.newsaware import article_years, question_topic

    assert question_topic("Has ISIS been defeated in Iraq? How do the articles differ on this?") == (
        "Has ISIS been defeated in Iraq?"
    )
    asked = (
        "How did the number of US troops in Iraq change between the 2021 article on the end of "
        "the US combat mission and the July 2024 Shafaq News article?"
    )
    assert question_topic(asked) == "How did the number of US troops in Iraq change?"
    assert article_years(asked) == {"2021", "2024"}
    # A one-fact question keeps its description of the article: it helps find the article.
    fact = "Which forces did ISIS target, according to the article on its recent wave of escalation?"
    assert question_topic(fact) == fact
    # a closing request for the order or length of the answer is no part of what is asked
    assert question_topic("When was the UN report issued, and when did Kabul fall? Give them in order.") == (
        "When was the UN report issued, and when did Kabul fall?"
    )
    assert (
        question_topic("How many troops were there? List them oldest first.") == "How many troops were there?"
    )
    assert question_topic("Give them in order.") == "Give them in order."  # nothing else: kept


def test_a_title_ending_in_a_question_mark_does_not_end_the_answers_sentence() -> None:
    asked = Article("c", "What’s Behind Recent ISIS Moves In Iraq?", None, None, "text")
    assert source_label(asked) == "“What’s Behind Recent ISIS Moves In Iraq”"


def test_the_sides_of_a_comparison_are_the_articles_and_years_it_names() -> None:
    from qa.newsaware import Side, question_sides

    asked = (
        "How did the number of US troops change between the 2021 article on the end of the US "
        "combat mission and the July 2024 Shafaq News article?"
    )
    assert question_sides(asked) == [
        Side(frozenset({"2021"}), "end of US combat mission"),
        Side(frozenset({"2024"}), "Shafaq News"),
    ]
    # a year outside the article phrases is a side of its own
    assert question_sides("How did views shift from the report cited in 2021 to the 2024 article?") == [
        Side(frozenset({"2021"}), ""),
        Side(frozenset({"2024"}), ""),
    ]
    # "the articles" names none of them; one side is no comparison
    assert question_sides("How do the articles differ on ISIS?") == []
    assert question_sides("What did the 2021 article say about troop numbers?") == []


def test_an_undated_article_fits_the_year_of_its_latest_events_or_the_next() -> None:
    from qa.newsaware import fits_year

    undated = article_time(Article("b", None, None, None, "In 2018 and in 2019 the troops ..."))
    assert fits_year(undated, "2019") and fits_year(undated, "2020")
    assert not fits_year(undated, "2018") and not fits_year(undated, "2021")
    dated = article_time(Article("a", None, "2021-05-09", None, "In 2019 ..."))
    assert fits_year(dated, "2021") and not fits_year(dated, "2020")
    assert not fits_year(article_time(Article("c", None, None, None, "no year")), "2021")


def test_each_side_of_a_comparison_need_not_name_the_other_sides() -> None:
    from qa.newsaware import other_sides_words, question_sides

    asked = (
        "How did assessments of ISIS's strength shift from the UN monitoring report cited in 2021 "
        "to the US Inspector General's view cited in the 2024 article?"
    )
    first, second = other_sides_words(asked, question_sides(asked))
    assert {"inspector", "general", "us", "2024"} <= first and "un" not in first
    assert {"un", "monitor", "2021"} <= second and "inspector" not in second
    # words the question uses outside the sides (ISIS, strength) are every side's
    assert not {"isis", "strength"} & (first | second)
    # sides not named each in a piece of their own: nothing is set aside
    asked = "How did ISIS attacks in 2023 compare with 2024?"
    assert all(not words for words in other_sides_words(asked, question_sides(asked)))


def test_a_judgement_questions_modal_picks_the_words_that_state_it() -> None:
    from qa.newsaware import question_modality

    def states(question: str, sentence: str) -> bool:
        return any(marks.search(sentence) for marks in question_modality(question))

    assert states("Should US forces remain in Iraq?", "The national interest demands their presence.")
    assert states("Can the army manage alone?", "The air force is still weak, and it cannot respond.")
    assert states("Does Washington want to leave?", "Washington seeks it, and Baghdad does not object.")
    # what people want is reported as what they demand or call for
    assert states("Do Iraqis want US forces to leave?", "Militias demand the departure of US forces.")
    assert states(
        "Do Iraqis want US forces to leave?", "Parliament passed a resolution calling for their exit."
    )
    assert not states("Do Iraqis want US forces to leave?", "The call lasted an hour.")
    assert states("What purpose does the base serve?", "Its survival is due to the constant threat.")
    # the modal cue of one question is not another's: ability words don't answer "should"
    assert not states("Should US forces remain in Iraq?", "Iraqi forces are fully prepared and ready.")
    # the bare auxiliaries say nothing: "could take many months" is no statement of ability
    assert not states("Can the army manage alone?", "The process could take many months.")
    # a prefix turns the word around: a non-binding resolution states no obligation
    assert states("Should US forces leave?", "The expulsion of the troops is very much binding.")
    assert not states("Should US forces leave?", "Parliament approved a non-binding resolution.")
    # no modal cue, no words to look for
    assert question_modality("Has ISIS been defeated in Iraq?") == []


def test_a_questions_modal_verbs_are_not_its_keywords() -> None:
    from qa.newsaware import modal_verb_terms
    from qa.terms import terms

    assert modal_verb_terms("Does Washington itself want to withdraw from Iraq?") == {"want"}
    assert modal_verb_terms("Can the Iraqi army manage alone?") == set(terms("manage"))
    # purpose is asked with nouns, and a sentence naming "the main aim" answers it
    assert modal_verb_terms("What purpose does the US presence serve?") == set()
    assert modal_verb_terms("Has ISIS been defeated in Iraq?") == set()


def test_a_question_about_a_state_is_answered_by_a_sentence_that_states_it() -> None:
    from qa.newsaware import question_state, states_state

    state = question_state("Has ISIS been defeated in Iraq?")
    assert states_state("While Iraq's government declares that ISIS is defeated, it remains ...", state)
    assert states_state("ISIS has not been defeated.", state)  # denied, it is still a position on it
    # the words without the link of "be" or "have" state nothing of ISIS: an effort, a noun
    assert not states_state("To continue the effort to defeat ISIS and prevent its attacks", state)
    assert not states_state("ISIS is still a threat, much diminished; the enduring defeat of ISIS", state)
    # only a question about a state has one
    assert question_state("Should US forces remain in Iraq?") is None
    assert not states_state("US forces have remained.", None)


def test_a_figure_or_a_posts_holder_is_a_value_that_holds_at_a_date() -> None:
    assert asks_changing_value("How many US troops are in Iraq?")
    assert asks_changing_value("Who is the Iraqi prime minister?")
    assert asks_changing_value("What is the latest number of ISIS attacks?")
    assert not asks_changing_value("When was Qasem Soleimani killed?")
    assert not asks_changing_value("Who is Jaafar Sheikh Mustafa?")  # who someone is, not who holds a post


def test_each_side_of_a_comparison_has_its_piece_of_the_question() -> None:
    from qa.newsaware import question_sides, side_pieces

    question = "How did the US role change from its return in 2014 to the mission as described in July 2024?"
    assert side_pieces(question, question_sides(question)) == [
        "its return in 2014",
        "the mission as described in July 2024",
    ]
    assert side_pieces("How did troops change over time?", []) == []

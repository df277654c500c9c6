"""What a question asks for and whether a sentence holds it (qa.question_types), without the model."""

from qa.question_types import has_name, name_forms, names_month, question_entities, question_type, span_years
from qa.terms import terms


def test_a_country_and_its_people_are_one_name() -> None:
    sentence = set(terms("As for the Iraqi air force, it is still weak against drone attacks."))
    assert has_name(terms("Iraq's"), sentence)
    assert has_name(terms("Syria"), set(terms("the Syrian war")))
    assert has_name(terms("Kurds"), set(terms("the Kurdish region")))
    assert has_name(terms("US"), set(terms("the American forces")))
    # a person's name is not the city it ends like: al-Baghdadi is not Baghdad
    assert "baghdad" not in name_forms(terms("Baghdadi")[0])
    assert not has_name(terms("Baghdadi"), set(terms("an attack in Baghdad")))


def test_a_question_for_a_role_asks_for_a_person() -> None:
    assert question_type("Which official claimed that the patrols were part of a plan?") == "person"
    assert question_type("Which head of state must make it a condition?") == "person"
    assert question_type("Who said Iraq still needs the coalition?") == "person"
    assert question_type("Who is Fadel Abu Ragheef?") is None  # asks what he is
    assert question_type("Who is in charge of CENTCOM?") == "person"  # "is" then no name: a person
    assert question_type("Who is the US ambassador to Iraq?") == "person"
    assert question_type("What purpose do the articles attribute to the US presence?") is None


def test_a_person_answer_must_name_someone_the_question_does_not() -> None:
    from qa.question_types import has_type

    asked = "Which official claimed that US patrols near Anbar were part of a plan?"
    assert (
        has_type("person", "The Iraqi official claimed that these moves are part of a plan.", asked) is False
    )
    assert has_type("person", "Qusai al-Anbari, the head of Badr's office in Al-Anbar, said so.", asked)
    assert has_type("person", "The patrols in Al-Anbar were new.", asked) is False


def test_what_a_count_or_a_time_question_needs() -> None:
    from qa.question_types import has_type

    assert question_type("Privately, what size of contingent would he like to keep?") == "count"
    assert question_type("How large a share of the country did ISIS seize?") == "count"
    # a quantity asked for by its name is a count too
    assert question_type("What is the population of Mosul?") == "count"
    assert question_type("What was the death toll of the Baghdad attack?") == "count"
    assert question_type("What is the estimated strength of ISIS in Iraq?") == "count"
    assert question_type("What is the role of the coalition?") is None
    # a question after a premise is typed by what follows the colon
    assert question_type("Militias want the resolution applied: when was it passed?") == "time"
    share = "How large a share of the country did ISIS seize after the 2011 pullout?"
    assert has_type("count", "A third of Iraq fell after the collapse of its forces.", share)
    assert has_type("count", "The US withdrew in 2011, which ended with ISIS in control.", share) is False
    assert has_type("count", "Attacks are on track to double in 2024.", "How many attacks?")
    when = "When was the resolution passed?"
    assert has_type("time", "Parliament approved two days later a non-binding resolution.", when)
    year = "In what year was ISIS defeated in Iraq?"
    assert has_type("time", "Even two years after the defeat of ISIS, raids go on.", year) is False
    assert has_type("time", "Despite the defeat of the organization in 2017, forces remained.", year)


def test_an_acronym_is_found_spelled_out() -> None:
    from qa.question_types import initials, question_acronyms

    assert question_acronyms("Which UN team said so, and what is the PMF?") == {"un": "un", "pmf": "pmf"}
    assert "un" in initials("A report by the United Nations Sanctions Monitoring Team stated that")
    assert "pmf" in initials("the Popular Mobilization Forces (PMF), a voluntary force")
    assert "irgc" in initials("the Islamic Revolutionary Guard Corps")
    assert "un" not in initials("The report was issued under pressure.")


def test_a_count_must_be_of_the_place_the_question_names() -> None:
    from qa.question_types import counted_term, has_type

    asked = "How many US troops are currently deployed in Syria?"
    assert counted_term(asked) == "troop"
    assert counted_term("How many ISIS attacks did CENTCOM count?") == "attack"
    # the count is put in another place, or the place is named far from the count
    assert has_type("count", "There are about 2,500 US troops still deployed in Iraq.", asked) is False
    far = (
        "The US troops, which have already been reduced from 5.200 to 2.500, are part of the "
        "Operation Inherent Resolve, the international military intervention led by the US against "
        "the Islamic State, which took control of large swathes of Iraq and Syria in 2014."
    )
    assert has_type("count", far, asked) is False
    assert has_type("count", "In Syria, 59 operations were conducted alongside the SDF.", asked)
    assert has_type("count", "About 900 US troops remain, officials said.", asked)  # no place of its own


def test_may_is_a_month_only_as_may() -> None:
    from qa.question_types import has_type

    asked = "When was the resolution passed?"
    assert has_type("time", "It is in May that parliament voted.", asked)
    assert has_type("time", "Ambitions for complete control that may grow.", asked) is False
    assert has_type("time", "The vote came in march.", asked)  # other months in any case


def test_a_sentence_that_names_a_month_tells_when_something_happened() -> None:
    assert names_month("The Global Coalition against Daesh was formed in September 2014.")
    assert names_month("It was announced on the 26th of July.")
    assert not names_month("It has ambitions that may grow.")  # "may" is a month only as "May"
    assert not names_month("ISIS remains a threat in 2024.")  # a year alone names no month


def test_a_span_of_years_is_one_name_any_year_of_it_will_do() -> None:
    entities = question_entities("How did the number of US troops in Iraq change in 2020-2021?")
    assert ["2020-2021"] in entities and ["2020"] not in entities and ["2021"] not in entities
    assert span_years("2020-2021") == ["2020", "2021"] and span_years("2021") == []
    assert has_name(["2020-2021"], {"troop", "2021"})
    assert has_name(["2020-2021"], {"2020"})
    assert not has_name(["2020-2021"], {"2019", "2022"})
    assert name_forms("2019–2021") == {"2019–2021", "2019", "2020", "2021"}
    # a long stretch ("1990-2021") is no period of the question's: each year stays its own name
    assert ["1990"] in question_entities("What changed between 1990-2021 in Iraq?")


def test_the_source_a_question_names_is_told_apart() -> None:
    from qa.question_types import source_terms

    assert source_terms("According to Abu Ragheef, how many bases were handed over?") == set(
        terms("Abu Ragheef")
    )
    assert source_terms("Was the goal met, in the analysis of the Pentagon report?") == set(
        terms("Pentagon report")
    )
    assert source_terms("Whose wish is it, in the view of Dr. Ahmed Al-Sharifi?") == set(
        terms("Dr. Ahmed Al-Sharifi")
    )
    # "the article" / "the piece" only point at a text: what it is on is the source
    assert source_terms("Why is Iraq crucial, according to the piece on recent ISIS moves?") == set(
        terms("recent ISIS moves")
    )
    assert source_terms("Which head of state must, per the article, make it a condition?") == set()
    # "per day" is a rate, not a source; a question without a source has none
    assert source_terms("How many barrels of oil does Iraq export per day?") == set()
    assert source_terms("When was Qasem Soleimani killed?") == set()
    # without a comma, the phrase ends where the question goes on
    assert source_terms("According to CENTCOM how many attacks did ISIS claim?") == {"centcom"}
    # a word the question also asks with is not only the source's
    assert source_terms("According to CENTCOM, how many attacks did CENTCOM count?") == set()


def test_a_where_question_asks_for_a_place():
    from qa.question_types import has_type, question_type

    assert question_type("In which area did ISIS's recent operations reveal security holes?") == "place"
    assert question_type("In which governorates did ISIS launch two attacks?") == "place"
    assert question_type("Militias hit a base: where was it?") == "place"
    assert question_type("When and where was Qasem Soleimani killed?") == "time"  # the time first
    assert question_type("Which base that also houses the Iraqi Air Force is named?") != "place"
    assert question_type("What is the base where the attack happened?") != "place"
    asked = "Where did attacks rise in Iraq?"
    assert has_type("place", "Attacks rose in Nineveh and Kirkuk.", asked)
    assert not has_type("place", "Attacks rose in May in Iraq.", asked)  # a month, a place asked of


def test_a_noun_phrase_set_off_by_a_full_stop_is_a_fragment_naming_places():
    from qa.question_types import is_fragment, new_places

    asked = "In which area did ISIS's recent operations reveal security holes?"
    phrase = "The disputed Iraqi territories between the governments of Baghdad and Erbil."
    assert is_fragment(phrase)
    assert new_places(phrase, asked) == ["Iraqi", "Baghdad", "Erbil"]
    assert new_places("Rather, its operations revealed fragile points in which there are holes.", asked) == []
    assert (
        new_places("Attacks rose in May in Iraq.", "Where did attacks rise in Iraq?") == []
    )  # no month, asked
    assert not is_fragment("That withdrawal is no longer an option today.")
    assert not is_fragment("Washington leaders will prolong the crisis in Iraq.")
    assert not is_fragment(" ".join(["word"] * 31) + ".")
    assert not is_fragment("Iraqi officials at the time complained that the US attacks violated it.")
    assert not is_fragment("This compares to 121 attacks reported throughout 2023.")
    assert not is_fragment("Where are the disputed territories?")  # a question, no noun phrase
    assert is_fragment("Only from their conquest of Afghanistan.")


def test_a_count_in_a_noun_phrase_with_an_infinitive_is_a_fragment():
    from qa.question_types import has_type, is_fragment

    share = "How large a share of the country did ISIS seize?"
    phrase = "A third of Iraq after the collapse of its forces, and their inability to manage the scene."
    assert is_fragment(phrase) and has_type("count", phrase, share)
    assert not is_fragment("A third of Iraq was seized after the collapse of its forces.")


def test_what_a_count_question_counts_and_what_a_sentences_counts_count():
    from qa.question_types import count_nouns, counted_words

    assert counted_words("How many Iraqi military facilities did it end up in?") == ["military", "facilities"]
    assert counted_words("How many soldiers and civilians were killed?") == ["soldiers", "civilians"]
    assert counted_words("How many members of the Iraqi parliament voted?") == ["members"]
    assert counted_words("How many in 2024?") == [] and counted_words("When was it?") == []

    # the noun phrase after a count, else the words before it
    def words(sentence: str) -> list[tuple[list[str], bool]]:
        return [(c.words, c.after) for c in count_nouns(sentence)]

    assert words("ISIS launched two attacks in Kirkuk, killing civilians.") == [(["attacks"], True)]
    assert words("They amassed forces at the two large bases of Ein Al-Asad.") == [(["large", "bases"], True)]
    assert words("The US troops were reduced from 5.200 to 2.500, in 2021.")[1][0][:2] == ["US", "troops"]
    assert words("Attacks are on track to double in 2024.") == [(["Attacks", "track"], False)]
    assert words("Nothing happened in 2024.") == []  # a year counts nothing


def test_a_day_of_the_month_is_no_count():
    from qa.question_types import count_nouns, has_type

    asked = "How many US troops are there?"
    assert not has_type("count", "There will be no US forces in a combat role by December 31, 2021.", asked)
    assert not has_type("count", "They met on the 26th of July 2021.", asked)
    assert has_type("count", "About 2,500 US troops remain, as of May 5.", asked)
    assert [c.words for c in count_nouns("No combat role by December 31, 2021, and 5 bases.")] == [["bases"]]


def test_a_when_question_after_an_opening_phrase_asks_for_a_date():
    from qa.question_types import question_type

    assert question_type("In 2021, when was the UN report on ISIS issued?") == "time"
    assert question_type("According to the Pentagon, in what year was ISIS defeated?") == "time"
    assert question_type("What happened when the US left?") is None  # a clause, not the question


def test_a_date_dates_what_stands_near_it() -> None:
    from qa.question_types import dates_asked

    asked = set(terms("defeated"))  # "In what year was ISIS defeated in Iraq?": what is dated
    assert dates_asked("Despite the defeat of the organization in 2017, most US forces stayed.", asked)
    assert not dates_asked(
        "To continue the effort to defeat ISIS, CENTCOM and its partners conducted 196 missions, "
        "resulting in 44 operatives killed and 166 detained in the first half of 2024.",
        asked,
    )
    assert dates_asked("It happened in 2019.", set(terms("year")))  # nothing but time asked: any date


def test_the_number_of_something_is_counted_as_how_many_of_it_is() -> None:
    from qa.question_types import counted_words

    assert counted_words("What is the latest number of ISIS attacks?") == ["attacks"]
    assert counted_words("How many Iraqi military facilities did the US keep?") == ["military", "facilities"]
    assert counted_words("Who leads the coalition?") == []


def test_whether_a_text_names_the_place_a_question_asks_in() -> None:
    from qa.question_types import names_place

    question = "How many bases does the US have in Syria?"
    assert names_place("The US keeps two bases in northeast Syria.", question) is True
    assert names_place("Relocation to the two major bases in Iraq will help it.", question) is False
    assert names_place("The US also deployed Patriot missile defenses to the two bases.", question) is None
    assert names_place("It has two bases in Iraq.", "How many bases does the US have?") is None
    assert names_place("It happened in January.", question) is None  # a month is no place


def test_a_name_that_spells_out_the_asked_acronym_is_nobody_new() -> None:
    from qa.question_types import has_type

    question = "Who heads CENTCOM?"
    spelled = "This takes on new urgency as the US Central Command (CENTCOM) warns of a resurgence."
    assert has_type("person", spelled, question) is False  # CENTCOM itself, not who heads it
    assert has_type("person", "Gen. Michael Kurilla, who heads US Central Command, spoke.", question)
    other = "The Popular Mobilization Forces (PMF) said so."  # another body's acronym: a new name
    assert has_type("person", other, question)

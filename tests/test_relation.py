from qa.relation import article_aliases, relation_words, words_near_names

_FORMED = "The Global Coalition against Daesh (ISIS), led by the United States, was formed in September 2014."


def test_relation_words_are_what_the_question_says_of_its_names() -> None:
    assert relation_words("When was ISIS founded?") == ["founded"]
    assert relation_words("Who leads ISIS today?") == ["leads"]  # a time word is no relation
    assert relation_words("Who succeeded Abu Bakr al-Baghdadi as leader of ISIS?") == [
        "succeeded",
        "leader",
    ]


def test_a_name_inside_another_name_is_not_what_the_sentence_speaks_of() -> None:
    # ISIS is named only as what the Coalition is against: nothing here is said of ISIS
    assert words_near_names(_FORMED, [["isi"]]) == []
    # the Coalition is the sentence's subject: "formed" stands near it
    assert "formed" in words_near_names(_FORMED, [["global"], ["coalit"]])
    # "the commander of the Quds Force of the IRGC" is the Quds Force's commander
    near = words_near_names("Soleimani, the commander of the Quds Force of the IRGC, was killed.", [["irgc"]])
    assert near == []


def test_a_sentence_that_does_not_name_it_is_left_to_other_checks() -> None:
    assert words_near_names("It was formed in September 2014.", [["isi"]]) is None


def test_only_words_near_a_mention_count() -> None:
    text = (
        "Some of these armed groups are part of the al-Hasd al-Shaabi (Popular Mobilisation "
        "Force-PMF), a coalition of Shia militias which have proved to be a thorn in the US side, "
        "especially after the assassination of the commander of the Quds Force."
    )
    near = words_near_names(text, [["pmf"]])
    assert near and "commander" not in near and "coalition" in near
    # the country's people name it too: "Iraqi PMF leader"
    assert "leader" in words_near_names("It killed Iraqi PMF leader Abu Mahdi al-Muhandis.", [["pmf"]])


def test_an_article_gives_a_name_its_alias() -> None:
    aliases = article_aliases(_FORMED + " US Central Command (CENTCOM) warned of a resurgence.")
    assert (("daesh",), ("isi",)) in aliases and (("isi",), ("daesh",)) in aliases
    assert (("us", "central", "command"), ("centcom",)) in aliases
    # "Daesh cells" is a mention of ISIS in an article that says "Daesh (ISIS)"
    near = words_near_names("Forces work to ensure Daesh cells find no safe havens.", [["isi"]], aliases)
    assert near is not None and "cells" in near


def test_a_word_another_name_owns_is_not_said_of_the_name_asked() -> None:
    text = "It was announced by the US President Joe Biden and the Iraqi Prime Minister Mustafa al-Kadhimi."
    near = words_near_names(text, [["iraq"]])
    assert "President" not in near  # the US's
    assert "Prime" in near and "Minister" in near  # the Iraqi one's
    assert "commander" not in words_near_names("ISIS fled as the Quds Force commander arrived.", [["isi"]])
    assert "leader" in words_near_names("The ISIS leader was killed.", [["isi"]])

from qa.question_parts import split_question


def test_a_question_that_asks_two_things_is_split_at_and_plus_question_word() -> None:
    assert split_question(
        "In what year was ISIS defeated in Iraq, and how many ISIS attacks were reported in 2023?"
    ) == ["In what year was ISIS defeated in Iraq?", "how many ISIS attacks were reported in 2023?"]


def test_a_later_part_that_points_back_carries_the_first_part() -> None:
    parts = split_question("When was the Global Coalition against Daesh formed, and who leads it?")
    assert parts[0] == "When was the Global Coalition against Daesh formed?"
    assert parts[1].startswith("who leads it?")
    assert "Global Coalition against Daesh" in parts[1]


def test_a_lead_in_before_a_colon_goes_with_every_part() -> None:
    parts = split_question(
        "Militias want Baghdad to implement a decision of parliament: what kind of resolution was it "
        "and when was it passed?"
    )
    assert len(parts) == 2
    assert all(p.startswith("Militias want Baghdad") for p in parts)
    assert parts[1].endswith("when was it passed?")


def test_and_between_nouns_does_not_split() -> None:
    for question in (
        "How many US troops remain in Iraq and Syria?",
        "Why do Sunnis and Kurds fear a US withdrawal?",
        "Who killed Soleimani and al-Muhandis?",
    ):
        assert split_question(question) == [question]


def test_tiny_fragments_are_not_parts() -> None:
    assert split_question("Who and why?") == ["Who and why?"]


def test_a_part_without_its_own_verb_borrows_the_first_parts() -> None:
    assert split_question("Where was the ISIS group targeted, and by what aircraft?") == [
        "Where was the ISIS group targeted?",
        "by what aircraft? (Where was the ISIS group targeted)",
    ]


def test_a_part_may_open_with_a_preposition_and_how_many() -> None:
    assert split_question(
        "Where did the US consolidate its forces, and in how many Iraqi facilities did it end up present?"
    )[:1] == ["Where did the US consolidate its forces?"]
    assert split_question(
        "Where did the US consolidate its forces, and in how many Iraqi facilities did it end up present?"
    )[1].startswith("in how many Iraqi facilities did it end up present?")
    # a question that asks one thing keeps its "in how many"
    question = "After withdrawing from vulnerable bases, in how many facilities did Washington stay?"
    assert split_question(question) == [question]


def test_the_premise_of_a_question_is_told_from_what_it_asks() -> None:
    from qa.question_parts import premise_of

    assert premise_of("Militias want Baghdad to act on a decision of parliament: what kind was it?") == (
        "Militias want Baghdad to act on a decision of parliament",
        "what kind was it?",
    )
    assert premise_of("What kind of resolution did parliament pass?") is None
    assert premise_of("Note: the articles are old") is None  # no question after the colon

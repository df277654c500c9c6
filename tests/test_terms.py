"""The keyword view of text (qa.terms): word families the stemmer keeps apart."""

from qa.terms import kin_stems, terms


def _vocabulary(text: str) -> list[str]:
    return sorted(set(terms(text)))


def test_a_word_family_the_stemmer_splits_is_found() -> None:
    vocabulary = _vocabulary(
        "the largest consulate in the world; a terrorist attack; the parliamentary vote; "
        "the American forces; the popular protests; the Baghdadi network; the department"
    )
    (consular,) = terms("consular")
    assert kin_stems(consular, vocabulary) == set(terms("consulate"))  # consular ~ consul(ate)
    (terrorism,) = terms("terrorism")
    assert kin_stems(terrorism, vocabulary) == set(terms("terrorist"))
    (parliament,) = terms("parliament")
    assert kin_stems(parliament, vocabulary) == set(terms("parliamentary"))
    (america,) = terms("America")
    assert kin_stems(america, vocabulary) == set(terms("American"))


def test_short_stems_names_and_unrelated_endings_are_not_kin() -> None:
    vocabulary = _vocabulary("the popular protests; the Baghdadi network; the department; a counterpart")
    assert kin_stems(terms("population")[0], vocabulary) == set()  # "popul" is too short to tell
    assert kin_stems(terms("Baghdad")[0], vocabulary) == set()  # al-Baghdadi is not Baghdad
    assert kin_stems(terms("departure")[0], vocabulary) == set()  # depart-ur is not depart-ment
    assert kin_stems(terms("counter")[0], vocabulary) == set()


def test_staying_and_leaving_are_one_question_asked_from_either_side() -> None:
    from qa.terms import stance_kin

    (withdraw,) = terms("withdraw")
    # "Does Washington want to withdraw?" is answered by "struggles for continued military presence"
    assert set(terms("presence")) <= stance_kin(withdraw)
    assert set(terms("remain")) <= stance_kin(terms("expulsion")[0])
    assert withdraw not in stance_kin(withdraw)  # its own stem is a plain match, not kin
    assert stance_kin(terms("threat")[0]) == set()  # a word of no family has no kin


def test_an_ordinal_day_is_its_number() -> None:
    from qa.terms import terms

    assert terms("on the 26th of July 2021") == terms("on 26 July 2021") == ["26", "juli", "2021"]
    assert terms("the 22nd report") == ["22", "report"]

import pytest

from qa import Assistant
from qa.ui import answer_message, build_app, sources_html

pytestmark = pytest.mark.slow

HOSTILE = (
    "Hostile page\n\n"
    "The council met in Basra on 2 March 2022 <script>alert('x')</script> to discuss water. "
    "An image <img src=x onerror=alert(1)> was posted by the governor of Basra.\n"
)


@pytest.fixture(scope="module")
def hostile_assistant(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    root = tmp_path_factory.mktemp("hostile")
    (root / "corpus").mkdir()
    (root / "corpus" / "hostile.txt").write_text(HOSTILE)
    return Assistant.from_settings(corpus_dir=root / "corpus", index_dir=root / "index")


def test_article_markup_is_shown_as_text_not_run(hostile_assistant: Assistant) -> None:
    answer = hostile_assistant.ask("When did the council meet in Basra?")
    assert not answer.abstained
    for rendered in (answer_message(answer), sources_html(answer)):
        assert "<script>" not in rendered and "<img" not in rendered
        assert "&lt;script&gt;" in rendered


def test_citation_markers_link_to_source_cards_with_the_quote_highlighted(seed_assistant: Assistant) -> None:
    answer = seed_assistant.ask("How many ISIS attacks did CENTCOM count in the first half of 2024?")
    message = answer_message(answer)
    assert '<a class="cite" href="#src-1">[1]</a>' in message
    cards = sources_html(answer)
    assert 'id="src-1"' in cards
    assert "<mark>ISIS claimed responsibility for 153 attacks" in cards
    # retrieved but uncited passages are there, collapsed
    assert "retrieved, not cited" in cards


def test_abstention_is_marked_as_not_an_answer(seed_assistant: Assistant) -> None:
    answer = seed_assistant.ask("What is the population of Australia?")
    assert "don't answer" in answer_message(answer)
    cards = sources_html(answer)
    assert "Not an answer" in cards and "<mark>" not in cards


def test_a_rewritten_follow_up_is_shown_in_small_print(seed_assistant: Assistant) -> None:
    answer = seed_assistant.ask("When was he killed?", history=["Who was Qasem Soleimani?"])
    assert answer.rewritten_question == "When was he killed? (Qasem Soleimani)"
    assert "Searched as: When was he killed? (Qasem Soleimani)" in answer_message(answer)
    assert "3 January 2020" in answer.text


def test_app_builds(seed_assistant: Assistant) -> None:
    assert build_app(seed_assistant) is not None

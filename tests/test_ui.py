import pytest

from qa import Assistant
from qa.ui import answer_markdown, build_app

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
    markdown = answer_markdown(answer)
    assert "<script>" not in markdown and "<img" not in markdown
    assert "&lt;script&gt;" in markdown


def test_abstention_is_marked_as_not_an_answer(seed_assistant: Assistant) -> None:
    markdown = answer_markdown(seed_assistant.ask("What is the population of Australia?"))
    assert "don't answer" in markdown and "not an answer" in markdown


def test_app_builds(seed_assistant: Assistant) -> None:
    app = build_app(seed_assistant)
    assert app is not None

from qa.cleaning import drop_boilerplate, html_to_text, is_boilerplate, markdown_to_text, normalise_whitespace
from qa.corpus import load_corpus
from tests.conftest import SEEDS

FURNITURE = (
    "Share on",
    "Subscribe to our newsletter",
    "Related Articles",
    "Back to top button",
    "Adblock Detected",
    "Please consider supporting us by disabling your ad blocker",
    "The spirit of our endeavour is",
    "Alessandro Minuto-Rizzo, President",
)


def test_seed_articles_lose_their_site_furniture() -> None:
    for article in load_corpus(SEEDS):
        for line in FURNITURE:
            assert line not in article.text, (article.doc_id, line)


def test_article_sentences_are_kept_even_when_they_mention_furniture_words() -> None:
    text = (
        "Title line\n\nShare on\n\n"
        "The minister said he would share on Monday the related articles of the law.\n"
    )
    cleaned = drop_boilerplate(text)
    assert "Share on\n" not in cleaned
    assert "would share on Monday the related articles of the law." in cleaned


def test_is_boilerplate_only_for_short_whole_lines() -> None:
    assert is_boilerplate("Related Articles")
    assert is_boilerplate("  Back to top button ")
    assert not is_boilerplate("Related articles in the press said the attack killed 30 people.")


def test_motto_header_and_section_label_are_dropped() -> None:
    text = (
        "“To strive, to seek, to find and not to yield”\nJane Doe, President\n\n"
        "Articles\n\nReal title\n\nBody."
    )
    assert drop_boilerplate(text) == "Real title\n\nBody."


def test_normalise_whitespace() -> None:
    assert normalise_whitespace("a\u00a0 b \r\n\r\n\r\n\nc  ") == "a b\n\nc"


def test_html_to_text_keeps_visible_text_and_metadata() -> None:
    page = (
        "<html><head><title>T</title><meta property='og:site_name' content='Example News'>"
        "<meta property='article:published_time' content='2023-04-05T10:00:00Z'>"
        "<script>alert('x')</script></head><body><nav>Home | World</nav><h1>Big story</h1>"
        "<p>First &amp; foremost.</p><p>Second paragraph.</p><footer>Back to top</footer></body></html>"
    )
    text, meta = html_to_text(page)
    assert "alert" not in text and "Home | World" not in text
    assert "First & foremost." in text and "Second paragraph." in text
    assert meta == {"title": "Big story", "date": "2023-04-05T10:00:00Z", "outlet": "Example News"}


def test_markdown_to_text() -> None:
    text, meta = markdown_to_text("# The headline\n\nSome **bold** [link](http://x) text.\n")
    assert meta["title"] == "The headline"
    assert text == "The headline\n\nSome bold link text."

import logging
from pathlib import Path

import pytest

from qa.corpus import list_sources, load_corpus
from qa.errors import QAError
from tests.conftest import SEEDS


def test_seed_corpus_loads_five_articles_with_ids_from_file_names() -> None:
    articles = load_corpus(SEEDS)
    assert [a.doc_id for a in articles] == sorted(p.stem for p in SEEDS.glob("*.txt"))
    assert all(a.text.strip() and a.source_sha256 for a in articles)


def test_unreadable_and_empty_files_are_skipped_with_a_warning(
    seeds_copy: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (seeds_copy / "empty.txt").write_text("   \n\n")
    (seeds_copy / "binary.txt").write_bytes(b"\x00\x01\x02garbage")
    (seeds_copy / "furniture.md").write_text("Related Articles\n\nBack to top button\n")
    with caplog.at_level(logging.WARNING):
        articles = load_corpus(seeds_copy)
    assert len(articles) == 5
    for name in ("empty.txt", "binary.txt", "furniture.md"):
        assert name in caplog.text


def test_html_and_markdown_articles_are_read(tmp_path: Path) -> None:
    (tmp_path / "a.html").write_text("<html><body><h1>Hello</h1><p>World news today.</p></body></html>")
    (tmp_path / "b.md").write_text("# Title B\n\nBody of b.\n")
    (tmp_path / "notes.json").write_text("{}")
    articles = {a.doc_id: a for a in load_corpus(tmp_path)}
    assert set(articles) == {"a", "b"}
    assert articles["a"].title == "Hello" and "World news today." in articles["a"].text
    assert articles["b"].title == "Title B"


def test_missing_and_empty_corpus_folders_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(QAError, match="not found"):
        list_sources(tmp_path / "nope")
    with pytest.raises(QAError, match="No articles"):
        list_sources(tmp_path)
    (tmp_path / "only-empty.txt").write_text("")
    with pytest.raises(QAError, match="No readable articles"):
        load_corpus(tmp_path)

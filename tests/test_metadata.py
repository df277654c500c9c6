import json
import logging
from pathlib import Path

import pytest

from qa.corpus import load_corpus
from qa.metadata import extract_metadata, normalise_date
from tests.conftest import SEEDS


def test_metadata_the_seed_articles_state() -> None:
    meta = {a.doc_id: (a.title, a.date, a.outlet) for a in load_corpus(SEEDS)}
    assert meta["000_df906c8a843aa7f4"] == (None, "2021-05-09", None)
    assert meta["003_70d3dde80774ed55"] == (
        "Iraq caught in the middle: ISIS, security needs, and foreign troop presence",
        "2024-07-20",
        "Shafaq News",
    )
    assert meta["002_9c08e67ec236458a"][0] == "As elections approach, the US walk a thin line in Iraq"
    assert meta["004_31d65cb95d1ae87e"][0] == "What’s Behind Recent ISIS Moves In Iraq?"
    # Nothing is invented: this article states no title, date or outlet.
    assert meta["001_0689ae8bdaecd83d"] == (None, None, None)


def test_date_and_source_lines_leave_the_text() -> None:
    text, meta = extract_metadata(
        "Headline here\n\nLast Update: 2024-07-20 15:20:04 - Source: Shafaq News\n\nShafaq News/Body starts."
    )
    assert meta.date == "2024-07-20" and meta.outlet == "Shafaq News"
    assert text.split() == ["Headline", "here", "Body", "starts."]
    text, meta = extract_metadata(" date 2021-05-09 The wave of escalation went on. More text.")
    assert meta.date == "2021-05-09" and text.startswith("The wave")


def test_sidecar_overrides_and_fills_metadata(seeds_copy: Path) -> None:
    (seeds_copy / "001_0689ae8bdaecd83d.txt.meta.json").write_text(
        json.dumps({"title": "Iraq between Kabul and Tehran", "date": "2021-10-01", "outlet": "Meydan"})
    )
    article = {a.doc_id: a for a in load_corpus(seeds_copy)}["001_0689ae8bdaecd83d"]
    assert (article.title, article.date, article.outlet) == (
        "Iraq between Kabul and Tehran",
        "2021-10-01",
        "Meydan",
    )


def test_broken_sidecar_is_reported_and_ignored(seeds_copy: Path, caplog: pytest.LogCaptureFixture) -> None:
    (seeds_copy / "001_0689ae8bdaecd83d.meta.json").write_text("{not json")
    with caplog.at_level(logging.WARNING):
        article = {a.doc_id: a for a in load_corpus(seeds_copy)}["001_0689ae8bdaecd83d"]
    assert article.outlet is None
    assert "001_0689ae8bdaecd83d.meta.json" in caplog.text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-07-20", "2024-07-20"),
        ("2024-07-20T15:20:04Z", "2024-07-20"),
        ("2024-13-01", None),
        ("July", None),
    ],
)
def test_normalise_date(value: str, expected: str | None) -> None:
    assert normalise_date(value) == expected

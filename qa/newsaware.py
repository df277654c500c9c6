"""What makes news different: articles have dates, and they disagree.

- `question_mode(question)`: "positions" when the question asks how the articles differ or for
  their views; "values" when it asks how a quantity or state changed, or what holds now; else None.
- `article_time(article)`: the article's date, or, when it states none, the latest year its text
  mentions, shown as such ("date not stated; mentions 2021") and used only for ordering.
- `question_years(question)` and recency cues, so "in 2024" or "the latest" prefer matching articles.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from qa.records import Article

_POSITIONS = re.compile(
    r"\b(differ|differs|disagree|contrast|compare|comparison|different articles|articles'? views?|"
    r"positions?|what do (the )?(different )?articles say|according to the (various|different) articles)\b",
    re.I,
)
_VALUES = re.compile(
    r"\b(change[ds]?|shift(ed)?|evolve[ds]?|over time|from .{3,60} to|between .{3,80} and|"
    r"compare[ds]? with|still|latest|most recent|now|currently|today)\b",
    re.I,
)
_RECENT = re.compile(r"\b(latest|most recent|now|currently|today|still)\b", re.I)
_YEAR = re.compile(r"\b(19[5-9]\d|20[0-4]\d)\b")


def question_mode(question: str) -> str | None:
    if _POSITIONS.search(question):
        return "positions"
    if _VALUES.search(question):
        return "values"
    return None


def asks_for_recent(question: str) -> bool:
    return bool(_RECENT.search(question))


def question_years(question: str) -> set[str]:
    return set(_YEAR.findall(question))


@dataclass(frozen=True)
class ArticleTime:
    sort_key: str  # "2021-05-09", or "2021" inferred, or "9999" unknown (last)
    label: str  # what the answer shows
    stated: bool


def article_time(article: Article) -> ArticleTime:
    if article.date:
        return ArticleTime(article.date, article.date, True)
    years = [y for y in _YEAR.findall(article.text)]
    if years:
        latest = max(years)
        return ArticleTime(latest, f"date not stated; mentions events up to {latest}", False)
    return ArticleTime("9999", "date not stated", False)


def source_label(article: Article) -> str:
    """How an answer names an article's source: its outlet, else its title in quotes."""
    if article.outlet:
        return article.outlet
    if article.title:
        return f"“{article.title}”"
    return f"article {article.doc_id}"

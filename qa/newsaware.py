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
    r"\b(differ|differs|disagree|contrast|positions?|different articles|articles'? views?|"
    r"compare (the )?(articles|views|sources|outlets)|"
    r"(do|does) (the )?(different |various )?(articles|sources|outlets) (say|attribute|claim|argue|see|"
    r"describe|report|give)|according to the (various|different) articles)\b",
    re.I,
)
# A sentence of the question that only asks for the form of the answer ("How do the articles
# differ?", "Contrast the positions in the articles.") says nothing about what to look for.
_ABOUT_ARTICLES = re.compile(r"\b(articles?|sources|outlets)\b", re.I)
_FORM_ONLY = re.compile(r"\b(differ|differs|disagree|contrast|compare|positions?|views?|say|says)\b", re.I)
_QUESTION_SENTENCE = re.compile(r"[^?.!]+[?.!]*")
_VALUES = re.compile(
    r"\b(change[ds]?|shift(ed)?|evolve[ds]?|over time|compare[ds]? with|still|latest|most recent|now|"
    r"currently|today)\b"
    # "from 2021 to 2024", "between the 2021 article and the 2024 one": a span of time, not of place
    r"|\b(from|between)\b[^?]{0,80}\b(19|20)\d\d\b[^?]{0,80}\b(to|and)\b",
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


def question_topic(question: str) -> str:
    """The question without its sentences that only ask how the articles differ.

    "Has ISIS been defeated in Iraq? How do the articles differ on this?" -> "Has ISIS been
    defeated in Iraq?" The form of the answer is `question_mode`'s business; searching for
    "articles" and "differ" would only find sentences that use those words.
    """
    pieces = [p.strip() for p in _QUESTION_SENTENCE.findall(question) if p.strip()]
    kept = [p for p in pieces if not (_ABOUT_ARTICLES.search(p) and _FORM_ONLY.search(p))]
    return " ".join(kept) if kept and len(kept) < len(pieces) else question


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
    """How an answer names an article's source: its outlet, else its title in quotes.

    An article with neither is "An untitled article": its citation and source card say which
    file it is (a file name in the answer text would read as a claim with odd numbers in it).
    """
    if article.outlet:
        return article.outlet
    if article.title:
        return f"“{article.title}”"
    return "An untitled article"

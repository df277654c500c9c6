"""The typed results the assistant hands out: articles, passages, citations, answers.

Each points to what it came from (a citation to its passage, a passage to its
article by `doc_id` and character offsets), and each turns into JSON-ready
data with `to_dict()` in one place.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Article:
    """One cleaned article. `text` is what every offset refers to."""

    doc_id: str
    title: str | None
    date: str | None
    outlet: str | None
    text: str
    path: str = ""
    source_sha256: str = ""

    @property
    def label(self) -> str:
        """How the article is named to a user: its title, else its doc id."""
        return self.title or self.doc_id

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Passage:
    """A few consecutive sentences of an article: `article.text[start:end] == text`."""

    passage_id: str
    doc_id: str
    title: str | None
    date: str | None
    outlet: str | None
    text: str
    start: int
    end: int
    score: float = 0.0
    dense_score: float | None = None
    bm25_score: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Citation:
    """Where an answer sentence comes from: `quote == article.text[start:end]`."""

    n: int
    doc_id: str
    title: str | None
    date: str | None
    outlet: str | None
    quote: str
    start: int
    end: int
    passage_id: str
    # Who makes the claim, when the article reports someone's statement (taken from the article).
    speaker: str | None = None

    @classmethod
    def of(
        cls, n: int, passage: Passage, quote: str, start: int, end: int, speaker: str | None = None
    ) -> Citation:
        """A citation [n] of `quote` (article offsets start:end) inside `passage`."""
        return cls(
            n=n,
            doc_id=passage.doc_id,
            title=passage.title,
            date=passage.date,
            outlet=passage.outlet,
            quote=quote,
            start=start,
            end=end,
            passage_id=passage.passage_id,
            speaker=speaker,
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Answer:
    """An answer whose every sentence carries [n], the n-th passage in `passages`.

    When `abstained` is True, `text` says the articles don't answer the
    question and `passages` still lists the closest ones, none of them cited.
    """

    question: str
    text: str
    citations: list[Citation]
    passages: list[Passage]
    abstained: bool
    confidence: float
    answerer: str
    settings_hash: str
    latency_ms: float = 0.0
    notes: list[str] = field(default_factory=list)
    # The question as searched, when a follow-up was completed from the conversation.
    rewritten_question: str | None = None
    # Generated sentences that verification removed, each {"sentence": ..., "reason": ...}.
    removed: list[dict[str, str]] = field(default_factory=list)
    # Where the cited articles differ: {"kind": "values" | "positions", "sides": [{"n", "doc_id", ...}]}.
    disagreement: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "text": self.text,
            "abstained": self.abstained,
            "confidence": round(self.confidence, 4),
            "citations": [c.to_dict() for c in self.citations],
            "passages": [p.to_dict() for p in self.passages],
            "answerer": self.answerer,
            "settings_hash": self.settings_hash,
            "latency_ms": round(self.latency_ms, 2),
            "notes": list(self.notes),
            "rewritten_question": self.rewritten_question,
            "removed": [dict(r) for r in self.removed],
            "disagreement": self.disagreement,
        }

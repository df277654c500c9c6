"""Restrict a question to some outlets, some articles, or a date range.

    filters = Filters(outlets=["Shafaq News"], date_from="2024")
    assistant.ask("How many ISIS attacks ...?", filters=filters)

Dates may be "YYYY", "YYYY-MM" or "YYYY-MM-DD"; a range includes both ends at
their own precision ("2021" to "2021" is the whole year). An article whose date
is unknown is left out whenever a date range is set: it cannot be shown to be
inside it.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, field_validator

from qa.errors import QAError
from qa.metadata import normalise_date
from qa.records import Article


class Filters(BaseModel):
    """Which articles a question may draw on. Empty lists and None mean no restriction."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    outlets: list[str] = []
    doc_ids: list[str] = []
    date_from: str | None = None
    date_to: str | None = None

    @field_validator("date_from", "date_to", mode="before")
    @classmethod
    def _check_date(cls, value: object) -> str | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if not isinstance(value, str):
            raise ValueError("a date must be text: YYYY, YYYY-MM or YYYY-MM-DD")
        date = normalise_date(value)
        if date is None or len(value.strip()) != len(date):
            raise ValueError(f"{value!r} is not a date: use YYYY, YYYY-MM or YYYY-MM-DD")
        return date

    @property
    def active(self) -> bool:
        return bool(self.outlets or self.doc_ids or self.date_from or self.date_to)

    def admits(self, article: Article) -> bool:
        if self.outlets and article.outlet not in self.outlets:
            return False
        if self.doc_ids and article.doc_id not in self.doc_ids:
            return False
        if self.date_from or self.date_to:
            if not article.date:
                return False
            if self.date_from and article.date[: len(self.date_from)] < self.date_from:
                return False
            if self.date_to and article.date[: len(self.date_to)] > self.date_to:
                return False
        return True

    def check_against(self, articles: dict[str, Article]) -> None:
        """A QAError naming any outlet or doc id the corpus doesn't have, or an empty range."""
        outlets = {a.outlet for a in articles.values() if a.outlet}
        unknown = [o for o in self.outlets if o not in outlets]
        if unknown:
            raise QAError(
                f"No article is from {', '.join(map(repr, unknown))}. "
                f"Outlets in the corpus: {', '.join(sorted(outlets)) or 'none stated'}."
            )
        missing = [d for d in self.doc_ids if d not in articles]
        if missing:
            raise QAError(f"No article has the doc id {', '.join(map(repr, missing))}.")
        if self.date_from and self.date_to and self.date_from[:4] > self.date_to[:4]:
            raise QAError(f"The date range is empty: {self.date_from} is after {self.date_to}.")

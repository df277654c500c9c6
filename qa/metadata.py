"""An article's title, date and outlet: as the article states them, or as a sidecar file says.

Nothing is guessed: a field the article does not state and no sidecar gives stays None.
A sidecar is `<article name>.meta.json` beside the article, e.g.
`{"title": "...", "date": "2021-05-09", "outlet": "Al Jazeera"}`.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, replace
from datetime import date as Date
from pathlib import Path

log = logging.getLogger(__name__)

_ISO_DATE = r"(\d{4}-\d{2}-\d{2})"
# "date 2021-05-09 The wave of ..." at the very start of the text.
_LEADING_DATE = re.compile(r"^\s*(?:date|published|posted)\s*:?\s*" + _ISO_DATE + r"\b\s*", re.I)
# "Last Update: 2024-07-20 15:20:04 - Source: Shafaq News" on a line of its own.
_DATELINE = re.compile(
    r"^(?:last update|updated|published|posted|date)\s*:?\s*"
    + _ISO_DATE
    + r"[^\n]*?(?:source\s*:\s*(?P<outlet>[^\n]{2,60}?))?\s*$",
    re.I,
)
_SOURCE_LINE = re.compile(r"^source\s*:\s*(?P<outlet>[^\n]{2,60}?)\s*$", re.I)
_HEADER_LINES = 6
_MAX_TITLE = 160
SIDECAR_SUFFIX = ".meta.json"


@dataclass(frozen=True)
class Metadata:
    title: str | None = None
    date: str | None = None
    outlet: str | None = None


def normalise_date(value: str) -> str | None:
    """An ISO date (YYYY-MM-DD, YYYY-MM or YYYY) from a stated date, or None if it isn't one."""
    value = value.strip()
    match = re.match(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", value)
    if not match:
        return None
    year, month, day = match.groups()
    try:
        Date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        return None
    return "-".join(part for part in (year, month, day) if part)


def extract_metadata(text: str) -> tuple[str, Metadata]:
    """Take the stated date, outlet and title from the top of `text`.

    Returns the text without its date/source lines (they are furniture, not
    prose) and what was found. The title line stays in the text.
    """
    found_date: str | None = None
    outlet: str | None = None
    leading = _LEADING_DATE.match(text)
    if leading:
        found_date = normalise_date(leading.group(1))
        text = text[leading.end() :]

    lines = text.split("\n")
    kept: list[str] = []
    content_seen = 0
    for line in lines:
        stripped = line.strip()
        if stripped and content_seen < _HEADER_LINES:
            content_seen += 1
            dateline = _DATELINE.match(stripped)
            if dateline:
                found_date = found_date or normalise_date(dateline.group(1))
                outlet = outlet or (dateline.group("outlet") or "").strip() or None
                continue
            source = _SOURCE_LINE.match(stripped)
            if source:
                outlet = outlet or source.group("outlet").strip()
                continue
        kept.append(line)
    text = "\n".join(kept)
    if outlet:
        # "Shafaq News/As talks ..." : the outlet's own dateline prefix.
        text = re.sub(r"(?m)^" + re.escape(outlet) + r"\s*/\s*(?=\S)", "", text, count=1)
    return text, Metadata(title=_title_of(text), date=found_date, outlet=outlet)


def _title_of(text: str) -> str | None:
    """The first line, when it reads as a headline: short, not a sentence, followed by more text."""
    paragraphs = [p.strip() for p in text.strip().split("\n") if p.strip()]
    if len(paragraphs) < 2:
        return None
    first = paragraphs[0]
    if len(first) > _MAX_TITLE or first[-1] in ".,;:\"”'’" or first[0] in "\"“'‘":
        return None
    return first


def read_sidecar(article_path: Path) -> Metadata | None:
    """The metadata a user wrote beside the article, or None (a broken sidecar is reported)."""
    sidecar = article_path.with_name(article_path.name + SIDECAR_SUFFIX)
    if not sidecar.is_file():
        sidecar = article_path.with_suffix(SIDECAR_SUFFIX)
        if not sidecar.is_file():
            return None
    try:
        data = json.loads(sidecar.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError("expected a JSON object")
    except (OSError, ValueError) as exc:
        log.warning("Ignoring metadata file %s: %s", sidecar, exc)
        return None
    unknown = set(data) - {"title", "date", "outlet"}
    if unknown:
        log.warning("Metadata file %s: ignoring unknown keys %s", sidecar, sorted(unknown))
    stated_date = data.get("date")
    iso = normalise_date(str(stated_date)) if stated_date else None
    if stated_date and not iso:
        log.warning("Metadata file %s: date %r is not YYYY-MM-DD; ignored", sidecar, stated_date)
    return Metadata(
        title=str(data["title"]).strip() if data.get("title") else None,
        date=iso,
        outlet=str(data["outlet"]).strip() if data.get("outlet") else None,
    )


def merge(stated: Metadata, sidecar: Metadata | None) -> Metadata:
    """The sidecar wins field by field where it gives a value."""
    if sidecar is None:
        return stated
    return replace(
        stated,
        title=sidecar.title or stated.title,
        date=sidecar.date or stated.date,
        outlet=sidecar.outlet or stated.outlet,
    )

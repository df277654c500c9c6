"""Turn an article file's text into clean prose: no site furniture, normal white space.

Only whole lines that are short and match known furniture are dropped, so an
article sentence is never cut.  HTML and Markdown are reduced to plain text.
"""

from __future__ import annotations

import html
import re
import unicodedata
from html.parser import HTMLParser
from typing import ClassVar

# Lines a site wraps around an article. Matched against a whole, short line.
_BOILERPLATE = [
    r"share (on|this)\b.*",
    r"subscribe to (our|the) newsletter\b.*",
    r"sign up for (our|the) newsletter\b.*",
    r"related (articles|posts|stories|news)",
    r"(read|see) (more|also)\b.*",
    r"back to top( button)?",
    r"adblock(er)? detected",
    r"please consider supporting us by disabling your ad ?blocker\.?",
    r"(we|it) (noticed|looks like) you('re| are) using an ad ?blocker\b.*",
    r"(advertisement|sponsored( content)?)",
    r"(print|email|tweet|whatsapp|telegram|facebook|twitter|linkedin)",
]
_BOILERPLATE_RE = re.compile(r"^(?:" + "|".join(_BOILERPLATE) + r")$", re.IGNORECASE)
_MAX_BOILERPLATE_LINE = 100
# A site's section label on the first line ("Articles", "Opinion").
_SECTION_LABELS = {"articles", "article", "news", "opinion", "analysis", "commentary", "features"}
_QUOTE_CHARS = "\"“”'‘’«»"


def normalise_whitespace(text: str) -> str:
    """NFC, plain spaces for exotic ones, no trailing spaces, at most one blank line in a row."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"[\u00a0\u2000-\u200b\u202f\u205f\u3000\ufeff]", " ", text)
    lines = [re.sub(r"[ \t]+", " ", line).strip() for line in text.split("\n")]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def is_boilerplate(line: str) -> bool:
    stripped = line.strip()
    return len(stripped) <= _MAX_BOILERPLATE_LINE and bool(_BOILERPLATE_RE.match(stripped))


def _is_motto_header(lines: list[str]) -> int:
    """How many leading lines form a masthead motto: a quotation standing alone,
    optionally followed by its short attribution ("Name, President")."""
    if not lines:
        return 0
    first = lines[0].strip()
    if len(first) > 200 or len(first) < 10:
        return 0
    if not (first[0] in _QUOTE_CHARS and first[-1] in _QUOTE_CHARS):
        return 0
    if len(lines) > 1 and re.fullmatch(r"[^.!?\n]{3,80},\s*[A-Z][\w .-]{2,40}", lines[1].strip()):
        return 2
    return 1


def drop_boilerplate(text: str) -> str:
    """Remove furniture lines, a masthead motto and a section label at the top."""
    lines = [line for line in text.split("\n")]
    body = [line for line in lines if line.strip()]
    head_drop = _is_motto_header(body)
    kept: list[str] = []
    seen_content = 0
    for line in lines:
        stripped = line.strip()
        if not stripped:
            kept.append("")
            continue
        if seen_content < head_drop:
            seen_content += 1
            continue
        if seen_content == head_drop and stripped.lower() in _SECTION_LABELS:
            seen_content += 1
            head_drop += 1
            continue
        seen_content += 1
        if is_boilerplate(stripped):
            continue
        kept.append(line)
    return normalise_whitespace("\n".join(kept))


class _HTMLText(HTMLParser):
    """Collects the visible text of an HTML page and its metadata tags."""

    _SKIP: ClassVar[set[str]] = {
        "script",
        "style",
        "noscript",
        "nav",
        "footer",
        "header",
        "aside",
        "form",
        "svg",
    }
    _BLOCK: ClassVar[set[str]] = {
        "p",
        "div",
        "br",
        "li",
        "ul",
        "ol",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "section",
        "article",
        "blockquote",
        "tr",
        "table",
        "figcaption",
        "pre",
    }

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.meta: dict[str, str] = {}
        self._skip_depth = 0
        self._in_title = False
        self._in_h1 = False
        self.title = ""
        self.h1 = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag in self._SKIP:
            self._skip_depth += 1
        elif tag == "meta":
            key = values.get("property") or values.get("name") or ""
            if key and values.get("content"):
                self.meta[key.lower()] = values["content"]
        elif tag == "time" and values.get("datetime"):
            self.meta.setdefault("time", values["datetime"])
        elif tag == "title":
            self._in_title = True
        elif tag == "h1":
            self._in_h1 = True
        if tag in self._BLOCK:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP and self._skip_depth:
            self._skip_depth -= 1
        elif tag == "title":
            self._in_title = False
        elif tag == "h1":
            self._in_h1 = False
        if tag in self._BLOCK:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
            return
        if self._skip_depth:
            return
        if self._in_h1:
            self.h1 += data
        self.parts.append(data)


def html_to_text(source: str) -> tuple[str, dict[str, str]]:
    """Visible text of an HTML article, and the metadata its tags state."""
    parser = _HTMLText()
    parser.feed(source)
    parser.close()
    text = normalise_whitespace(html.unescape("".join(parser.parts)))
    meta: dict[str, str] = {}
    title = (parser.meta.get("og:title") or parser.h1 or parser.title).strip()
    if title:
        meta["title"] = normalise_whitespace(title)
    for key in ("article:published_time", "date", "pubdate", "publish-date", "dc.date", "time"):
        if parser.meta.get(key):
            meta["date"] = parser.meta[key]
            break
    if parser.meta.get("og:site_name"):
        meta["outlet"] = parser.meta["og:site_name"].strip()
    return text, meta


def markdown_to_text(source: str) -> tuple[str, dict[str, str]]:
    """Plain text of a Markdown article, and its title from the first `# ` heading."""
    meta: dict[str, str] = {}
    lines = []
    for line in source.split("\n"):
        heading = re.match(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$", line)
        if heading:
            line = heading.group(1)
            if "title" not in meta and line.strip():
                meta["title"] = line.strip()
        lines.append(line)
    text = "\n".join(lines)
    text = re.sub(r"!\[([^\]]*)\]\([^)]*\)", r"\1", text)  # images -> alt text
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)  # links -> their text
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
    text = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"\1", text)
    text = re.sub(r"^\s{0,3}>\s?", "", text, flags=re.MULTILINE)
    return normalise_whitespace(text), meta

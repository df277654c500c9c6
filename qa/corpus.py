"""Load a folder of articles into clean `Article`s.

Usage:
    articles = load_corpus(Path("seeds"))

Files are read as .txt, .md or .html; each is cleaned (site furniture,
glued words), and its metadata taken from the text or a sidecar file.
Unreadable or empty files are skipped with a warning naming the file.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from qa.cleaning import drop_boilerplate, html_to_text, markdown_to_text, normalise_whitespace
from qa.degluing import KnownWords, deglue
from qa.errors import QAError
from qa.metadata import SIDECAR_SUFFIX, Metadata, extract_metadata, merge, normalise_date, read_sidecar
from qa.records import Article

log = logging.getLogger(__name__)

ARTICLE_SUFFIXES = {
    ".txt": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
}
_WORD = re.compile(r"[A-Za-z]+")


@dataclass(frozen=True)
class SourceFile:
    """An article file as found on disk, with the hash that says whether it changed."""

    doc_id: str
    path: Path
    sha256: str


def list_sources(corpus_dir: Path) -> list[SourceFile]:
    """The article files of a corpus folder, sorted, with content hashes (sidecars included).

    Raises QAError when the folder is missing or holds no article file.
    """
    corpus_dir = Path(corpus_dir).expanduser()
    if not corpus_dir.exists():
        raise QAError(f"Corpus folder not found: {corpus_dir}")
    if not corpus_dir.is_dir():
        raise QAError(f"Corpus path is not a folder: {corpus_dir}")
    paths = sorted(
        p
        for p in corpus_dir.rglob("*")
        if p.is_file() and p.suffix.lower() in ARTICLE_SUFFIXES and not p.name.startswith(".")
    )
    if not paths:
        kinds = ", ".join(sorted(ARTICLE_SUFFIXES))
        raise QAError(f"No articles in {corpus_dir}: put {kinds} files there.")
    sources: list[SourceFile] = []
    seen: dict[str, Path] = {}
    for path in paths:
        doc_id = path.stem
        if doc_id in seen:
            log.warning("Skipping %s: another article is already named %s (%s)", path, doc_id, seen[doc_id])
            continue
        try:
            digest = hashlib.sha256(path.read_bytes())
        except OSError as exc:
            log.warning("Skipping %s: cannot read it (%s)", path, exc.strerror or exc)
            continue
        for sidecar in (path.with_name(path.name + SIDECAR_SUFFIX), path.with_suffix(SIDECAR_SUFFIX)):
            if sidecar.is_file():
                digest.update(sidecar.read_bytes())
        seen[doc_id] = path
        sources.append(SourceFile(doc_id=doc_id, path=path, sha256=digest.hexdigest()))
    return sources


def _decode(path: Path, data: bytes) -> str | None:
    if b"\x00" in data[:4096]:
        log.warning("Skipping %s: it is a binary file, not text", path)
        return None
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    log.warning("Skipping %s: not UTF-8 or Windows-1252 text", path)
    return None


def _prepare(source: SourceFile) -> tuple[str, Metadata] | None:
    """The text of one file without furniture, before glued words are split."""
    try:
        data = source.path.read_bytes()
    except OSError as exc:
        log.warning("Skipping %s: cannot read it (%s)", source.path, exc.strerror or exc)
        return None
    raw = _decode(source.path, data)
    if raw is None:
        return None
    kind = ARTICLE_SUFFIXES[source.path.suffix.lower()]
    tag_meta: dict[str, str] = {}
    if kind == "html":
        raw, tag_meta = html_to_text(raw)
    elif kind == "markdown":
        raw, tag_meta = markdown_to_text(raw)
    text, stated = extract_metadata(drop_boilerplate(normalise_whitespace(raw)))
    if not text.strip():
        log.warning("Skipping %s: no article text in it", source.path)
        return None
    if tag_meta:
        tag_date = normalise_date(tag_meta.get("date", "")) if tag_meta.get("date") else None
        stated = Metadata(
            title=tag_meta.get("title") or stated.title,
            date=tag_date or stated.date,
            outlet=tag_meta.get("outlet") or stated.outlet,
        )
    return text, merge(stated, read_sidecar(source.path))


def load_articles(sources: list[SourceFile]) -> list[Article]:
    """Clean every source; glued words are split using the words of the other articles."""
    prepared = [(source, _prepare(source)) for source in sources]
    ready = [(source, item) for source, item in prepared if item is not None]
    words = [set(_WORD.findall(text)) for _, (text, _) in ready]
    corpus_words = KnownWords.of(words)  # once: cleaning stays linear in the number of articles
    articles: list[Article] = []
    for i, (source, (text, meta)) in enumerate(ready):
        other_words = corpus_words.excluding(words[i])
        text = normalise_whitespace(deglue(text, other_words))
        title = meta.title
        if title and title not in text:
            title = normalise_whitespace(deglue(title, other_words))
        articles.append(
            Article(
                doc_id=source.doc_id,
                title=title,
                date=meta.date,
                outlet=meta.outlet,
                text=text,
                path=str(source.path),
                source_sha256=source.sha256,
            )
        )
    return articles


def load_corpus(corpus_dir: Path) -> list[Article]:
    """All readable articles of a folder. Raises QAError when there are none."""
    articles = load_articles(list_sources(corpus_dir))
    if not articles:
        raise QAError(f"No readable articles in {corpus_dir}: every file was empty or unreadable.")
    return articles

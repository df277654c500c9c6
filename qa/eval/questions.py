"""The question-set format (JSONL), its loader and validator.

One JSON object per line:
    {"id": "q001", "kind": "fact", "question": "...", "answer": "reference answer",
     "key_facts": ["153", "first half of 2024"],
     "evidence": [{"doc_id": "003_70d3dde80774ed55", "text": "exact text of the article"}]}

- kind: fact | paraphrase | multi | unanswerable | attribution | temporal | disagreement
- attribution questions add "speaker": ["Full Name | Surname"]: the answer must name one of them;
- temporal questions add "in_order": true when the key facts must appear in that order (oldest first);
- disagreement questions add "positions": [{"doc_id": ..., "key_fact": "..."}, ...], two or more
  articles: each position's key fact must appear in the answer, cited to its own article.
- key_facts: what a correct answer must contain; "2,500 | 2.500" lists alternatives.
- evidence: the exact supporting text, as it stands in the cleaned article.
- unanswerable questions have no key facts and no evidence.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from qa.errors import QAError
from qa.records import Article

KINDS = ("fact", "paraphrase", "multi", "unanswerable", "attribution", "temporal", "disagreement")
FIELDS = {"id", "kind", "question", "answer", "key_facts", "evidence"}


def bundled_questions() -> Path:
    return Path(str(resources.files("qa.eval") / "questions.jsonl"))


def normalise(text: str) -> str:
    """Lower case, no punctuation, plain quotes, thousands separators dropped: for fact matching."""
    text = text.lower()
    text = text.translate(str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'}))
    text = re.sub(r"(?<=\d)[,.](?=\d{3}\b)", "", text)
    text = re.sub(r"[^\w\s]", " ", text)
    return " ".join(text.split())


def contains_fact(text: str, alternatives: list[str]) -> bool:
    padded = f" {normalise(text)} "
    return any(f" {normalise(alt)} " in padded for alt in alternatives if normalise(alt))


@dataclass(frozen=True)
class Evidence:
    doc_id: str
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Position:
    doc_id: str
    key_fact: list[str]


@dataclass(frozen=True)
class Question:
    id: str
    kind: str
    question: str
    answer: str
    key_facts: list[list[str]]
    evidence: list[Evidence]
    speaker: list[str] | None = None
    in_order: bool = False
    positions: list[Position] | None = None

    @property
    def answerable(self) -> bool:
        return self.kind != "unanswerable"


def _news_fields(
    row: dict, evidence: list[Evidence], articles: dict[str, Article], where: str, problems: list[str]
) -> tuple[list[str] | None, list[Position] | None]:
    """The speaker of an attribution question and the positions of a disagreement question, checked."""
    joined = " ".join(e.text for e in evidence)
    speaker = None
    if row["kind"] == "attribution":
        raw = row.get("speaker")
        if not raw:
            problems.append(f'{where}: an attribution question needs "speaker"')
        else:
            speaker = [alt.strip() for item in raw for alt in str(item).split("|") if alt.strip()]
            if evidence and not contains_fact(joined, speaker):
                problems.append(f"{where}: the speaker {' | '.join(speaker)!r} is not in the evidence")
    positions = None
    if row["kind"] == "disagreement":
        raw = row.get("positions") or []
        positions = []
        for item in raw:
            doc_id = item.get("doc_id") if isinstance(item, dict) else None
            fact = [alt.strip() for alt in str(item.get("key_fact", "")).split("|")] if doc_id else []
            if doc_id not in articles:
                problems.append(f"{where}: position with unknown doc_id {doc_id!r}")
                continue
            own = " ".join(e.text for e in evidence if e.doc_id == doc_id)
            if not contains_fact(own, fact):
                shown = " | ".join(fact)
                problems.append(f"{where}: position {shown!r} is not in the evidence from {doc_id}")
            positions.append(Position(doc_id, fact))
        if len({p.doc_id for p in positions}) < 2:
            problems.append(f"{where}: a disagreement question needs positions from two articles")
    return speaker, positions


def load_questions(path: Path, articles: dict[str, Article]) -> list[Question]:
    """Parse and check a question set against the corpus; QAError lists every bad line."""
    path = Path(path).expanduser()
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise QAError(f"Cannot read the question set {path}: {exc.strerror or exc}") from exc
    questions: list[Question] = []
    problems: list[str] = []
    seen_ids: set[str] = set()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{path.name}:{number}"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"{where}: not valid JSON ({exc.msg})")
            continue
        if not isinstance(row, dict):
            problems.append(f"{where}: expected a JSON object")
            continue
        missing = FIELDS - set(row)
        if missing:
            problems.append(f"{where}: missing field(s) {', '.join(sorted(missing))}")
            continue
        if row["kind"] not in KINDS:
            problems.append(f"{where}: kind {row['kind']!r} is not one of {', '.join(KINDS)}")
            continue
        if row["id"] in seen_ids:
            problems.append(f"{where}: duplicate id {row['id']!r}")
        seen_ids.add(row["id"])
        if not isinstance(row["question"], str) or not row["question"].strip():
            problems.append(f"{where}: empty question")
            continue
        evidence: list[Evidence] = []
        for item in row["evidence"] or []:
            doc_id, text = item.get("doc_id"), item.get("text", "")
            article = articles.get(doc_id)
            if article is None:
                problems.append(f"{where}: unknown doc_id {doc_id!r}")
                continue
            at = article.text.find(text) if text else -1
            if at < 0:
                problems.append(f"{where}: evidence is not in article {doc_id}: {text[:60]!r}")
                continue
            evidence.append(Evidence(doc_id, text, at, at + len(text)))
        key_facts = [[alt.strip() for alt in str(fact).split("|")] for fact in row["key_facts"] or []]
        if row["kind"] == "unanswerable":
            if evidence or key_facts:
                problems.append(f"{where}: an unanswerable question has no evidence and no key facts")
        else:
            if not row["evidence"]:
                problems.append(f"{where}: an answerable question needs evidence")
            if not key_facts:
                problems.append(f"{where}: an answerable question needs key facts")
            joined = " ".join(e.text for e in evidence)
            for fact in key_facts:
                if evidence and not contains_fact(joined, fact):
                    problems.append(f"{where}: key fact {' | '.join(fact)!r} is not in the evidence")
            if row["kind"] == "multi" and len({e.doc_id for e in evidence}) < 2:
                problems.append(f"{where}: a multi-article question needs evidence from two articles")
        speaker, positions = _news_fields(row, evidence, articles, where, problems)
        questions.append(
            Question(
                row["id"],
                row["kind"],
                row["question"].strip(),
                row.get("answer") or "",
                key_facts,
                evidence,
                speaker=speaker,
                in_order=bool(row.get("in_order")),
                positions=positions,
            )
        )
    if problems:
        shown = "\n  ".join(problems[:20])
        more = f"\n  … and {len(problems) - 20} more" if len(problems) > 20 else ""
        raise QAError(f"The question set {path} has {len(problems)} problem(s):\n  {shown}{more}")
    if not questions:
        raise QAError(f"The question set {path} holds no questions.")
    return questions

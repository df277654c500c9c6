"""Split a question that asks two things into its parts, so each part gets its own evidence.

    split_question("In what year was ISIS defeated in Iraq, and how many attacks were reported in 2023?")
    -> ["In what year was ISIS defeated in Iraq?", "how many attacks were reported in 2023?"]

A part starts at ", and" / "and" / ";" followed by a question word ("by what", "in how many" too).
A lead-in ending in a colon ("The UN said ISIS could still strike Baghdad: which team ..., and which
attack ...?") gives context to every part. A later part that points back
("..., and who leads it?") or is too short for a verb ("..., and by what aircraft?")
carries the first part in brackets. A question that
asks one thing is returned as it is, in a list of one.
"""

from __future__ import annotations

import re

from qa.followup import points_back

_WH = (
    r"(?:how|what|when|where|which|who|whom|whose|why|"
    r"(?:in|by|with|from|for|at|on) (?:what|which|whom|how (?:many|much))|"
    r"did|does|do|is|are|was|were)"
)
_SPLIT = re.compile(rf"(?:,\s*and\s+|;\s*(?:and\s+)?|\s+and\s+)(?={_WH}\b)", re.I)
_LEAD_IN = re.compile(r"^(?P<lead>[^:?]{10,}):\s+(?P<rest>.+)$")
_MIN_PART_WORDS = 3
_ELLIPTIC_WORDS = 4  # "..., and by what aircraft?": a part this short leaves its verb to the first


def _as_question(part: str) -> str:
    part = part.strip().rstrip("?.").strip()
    return f"{part}?"


def premise_of(question: str) -> tuple[str, str] | None:
    """(premise, what is asked) of a question put after a premise ("Militias want Baghdad to act
    on a resolution: what kind of resolution was it?"); None for a question without one."""
    match = _LEAD_IN.match(question.strip())
    if match and re.match(rf"{_WH}\b", match["rest"], re.I):
        return match["lead"].strip(), match["rest"].strip()
    return None


def split_question(question: str) -> list[str]:
    """The question's parts (at most 4); `[question]` when it asks one thing."""
    text = question.strip()
    lead = ""
    match = _LEAD_IN.match(text)
    if match and re.match(rf"{_WH}\b", match["rest"], re.I):
        lead, text = match["lead"].strip(), match["rest"]
    pieces = [p for p in _SPLIT.split(text) if p.strip()]
    if len(pieces) < 2 or len(pieces) > 4 or any(len(p.split()) < _MIN_PART_WORDS for p in pieces):
        return [question]
    parts = [_as_question(f"{lead}: {p}" if lead else p) for p in pieces]
    # "..., and who leads it?", "..., and by what aircraft?": a later part that points back, or
    # leaves out its verb, borrows the first part's words.
    subject = parts[0].rstrip("?")
    return [parts[0]] + [
        f"{part} ({subject})"
        if not lead and (points_back(part) or len(part.split()) <= _ELLIPTIC_WORDS)
        else part
        for part in parts[1:]
    ]

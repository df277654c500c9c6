"""Rewrite a follow-up question so that it can be searched on its own, without an LLM.

    rewrite_followup("When was he killed?", ["Who was Qasem Soleimani?"])
    -> "When was he killed? (Qasem Soleimani)"
    rewrite_followup("And in Syria?", ["How many US troops are still in Iraq?"])
    -> "How many US troops are still in Syria?"

An elliptical question that names something in place of a name or year of the previous
question ("And in Syria?", "What about 2023?", "What about Iran?") is that question with the
one put in place of the other; any other elliptical question carries the previous
question along; one that points back (he, she, it, they, this, that, there...)
borrows the names of the latest earlier question that has some (or, failing
names, its keywords). A question that stands on its own is
returned unchanged.
"""

from __future__ import annotations

import re

from qa.terms import STOPWORDS

_POINTS_BACK = re.compile(
    r"\b(he|him|his|she|her|hers|it|its|they|them|their|theirs|this|that|these|those|there|then)\b", re.I
)
_NAME = re.compile(r"\b(?:[A-Z][\w’'-]*|\d[\d,.]*)(?:\s+(?:al-|Al-|bin\s+|of\s+)?[A-Z][\w’'-]*)*")
_WORD = re.compile(r"[A-Za-z][\w’'-]+")
_ELLIPTICAL = re.compile(r"^\s*(and|but|also|what about|how about|and what about)\b", re.I)
_QUESTION_WORDS = {"who", "what", "when", "where", "which", "why", "how", "whom", "whose", "is", "are", "did"}


def points_back(question: str) -> bool:
    """Does the question refer to something named earlier (he, it, there, that...)?"""
    return bool(_POINTS_BACK.search(question))


def _names(question: str) -> list[str]:
    """Capitalised names and numbers, the question's first word aside."""
    _, _, rest = question.partition(" ")
    found = []
    for name in _NAME.findall(rest):
        if name.lower() not in STOPWORDS and name.lower() not in _QUESTION_WORDS:
            found.append(name.strip())
    return found


def _keywords(question: str) -> list[str]:
    return [w for w in _WORD.findall(question) if w.lower() not in STOPWORDS | _QUESTION_WORDS]


# "And in Syria?", "What about the UK?", "How about 2023?": what the follow-up puts in place of a
# name or year of the previous question, with the preposition that places it.
_IN_PLACE_OF = re.compile(
    r"^\s*(?i:and what about|what about|how about|and)\s+"
    r"(?:(?P<prep>(?i:in|at|for|during|since|from|by))\s+)?"
    r"(?P<the>(?i:the)\s+)?(?P<name>[A-Z][\w’'-]*(?:\s+(?:al-|Al-|of\s+)?[A-Z][\w’'-]*)*|(?:19|20)\d\d)\s*\??\s*$"
)
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")


def _put_in_place(question: str, earlier: str) -> str | None:
    """The earlier question with the name or year an elliptical follow-up names put in place of
    its own ("How many US troops are still in Iraq?" + "And in Syria?" -> "... still in Syria?"):
    a year for its first year, a name after a preposition for the name after that preposition,
    any other name for its first name. None when the follow-up is not of that form, or the
    earlier question has nothing of the kind to replace."""
    match = _IN_PLACE_OF.match(question)
    if not match:
        return None
    name, prep = match.group("name"), match.group("prep")
    the = match.group("the") or ""
    if _YEAR.fullmatch(name):
        found = _YEAR.search(earlier)
        return earlier[: found.start()] + name + earlier[found.end() :] if found else None
    names = _names(earlier)
    if prep:
        pattern = rf"\b{prep}\s+(?:the\s+)?(?:{'|'.join(re.escape(n) for n in names)})\b" if names else None
        found = re.search(pattern, earlier, re.I) if pattern else None
        return earlier[: found.start()] + f"{prep} {the}{name}" + earlier[found.end() :] if found else None
    if not names:
        return None
    found = re.search(rf"\b(?:the\s+)?{re.escape(names[0])}\b", earlier[1:])  # not the first word
    if not found:
        return None
    start, end = found.start() + 1, found.end() + 1
    return earlier[:start] + the + name + earlier[end:]


def rewrite_followup(question: str, previous: list[str]) -> str:
    """`question`, completed with what it refers to among the `previous` questions (oldest first)."""
    if not previous:
        return question
    stripped = question.rstrip()
    if _ELLIPTICAL.match(question):
        # "And in Syria?": the earlier question, about Syria; else the earlier question goes along.
        in_place = _put_in_place(question, previous[-1].rstrip())
        return in_place or f"{stripped} ({previous[-1].rstrip(' ?')})"
    if points_back(question):
        own_names = _names(question)
        for earlier in reversed(previous):
            carried = [n for n in _names(earlier) if n not in own_names] or _keywords(earlier)
            if carried:
                return f"{stripped} ({', '.join(dict.fromkeys(carried))})"
    # "Why?", "How many?": too few words of its own; "What did CENTCOM say?" names its subject
    if len(_keywords(question)) <= 1 and not _names(question):
        return f"{stripped} ({previous[-1].rstrip(' ?')})"
    return question


_REPLY_LEAD = re.compile(r"^\s*(?:rewritten question|question)\s*:\s*", re.I)


def plausible_rewrite(question: str, reply: str) -> str | None:
    """The model's rewrite of `question`, or None when the reply is not one.

    A rewrite is one line, not much longer than the question with a name or two added, and
    keeps the question's own words; an answer, a refusal or a paragraph is not a rewrite.
    """
    lines = [line.strip() for line in reply.strip().splitlines() if line.strip()]
    if not lines:
        return None
    text = _REPLY_LEAD.sub("", lines[0]).strip().strip("\"'“”").strip()
    if not text or len(text) > max(3 * len(question), 200) or "[" in text:
        return None
    own = set(_keywords(question))
    kept = {w for w in own if re.search(rf"\b{re.escape(w)}\b", text, re.I)}
    if own and len(kept) < max(1, len(own) // 2):
        return None
    return text

"""Who is speaking in a sentence of an article: a named speaker with a reporting verb, "according
to ...", or the speaker of a quotation that opened in an earlier sentence.

    speaker_in('Security expert Haitham Al-Khazali pointed out, "The Iraqi side ..."')
    -> "Security expert Haitham Al-Khazali"
    attribution(index, s)  -> Attribution(speaker, in_sentence) | None

The speaker is always taken from the article's text, never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from qa.index_store import CorpusIndex

_VERBS = (
    r"(?:said|says|stated|states|added|adds|explained|explains|pointed out|points out|suggested|suggests|"
    r"told|tells|warned|warns|believes|indicated|indicates|asserted|asserts|considers|considered|noted|"
    r"notes|argued|argues|claimed|claims|expressed|confirmed|confirms|announced|stressed|emphasised|"
    r"emphasized|estimates|estimated|described|provided an example)"
)
_TITLE = r"(?:(?:Dr|Gen|Mr|Ms|Mrs|Prof|Col|Lt)\.\s+)?"
_NAME = rf"{_TITLE}[A-Z][\w’'-]+(?:\s+(?:al-|Al-|bin\s+|de\s+)?[A-Z][\w’'-]+){{0,4}}"
_ROLE = (
    r"(?:(?:security|strategic|political|military|legal|economic|Iraqi|Kurdish|US|American) )?"
    r"(?:expert|analyst|researcher|writer|official|minister|spokesman|spokesperson|commander|member)"
)
_PATTERNS = [
    re.compile(rf"\b[Aa]ccording to (?P<who>(?:{_ROLE} )?{_NAME})"),
    re.compile(rf"(?P<who>(?:(?i:{_ROLE})\s+)?{_NAME})(?:,\s+(?:an?|the)\s+[^,]{{3,90}},)?\s+{_VERBS}\b"),
    re.compile(rf"\b(?:said|says|added|wrote)\s+(?P<who>{_NAME})\b"),
]
_NOT_SPEAKERS = {
    "the", "this", "that", "these", "however", "but", "and", "in", "on", "at", "he", "she", "it", "they",
    "there", "since", "while", "as", "his", "her", "its", "their", "earlier", "currently", "today",
}  # fmt: skip
_QUOTES_OPEN = '“"'
_OPENING = re.compile(r"(stating|saying|said|added|explained|asserts|adding)\s*[,:]\s*[“\"]|:\s*[“\"]", re.I)


@dataclass(frozen=True)
class Attribution:
    speaker: str
    in_sentence: bool  # the sentence names its speaker itself


def speaker_in(text: str) -> str | None:
    """The named speaker a sentence reports, if it names one."""
    for pattern in _PATTERNS:
        for match in pattern.finditer(text):
            who = match.group("who").strip(" ,")
            words = who.split()
            while words and words[0].lower() in _NOT_SPEAKERS:
                words = words[1:]
            if not words or not re.search(r"[A-Z]", " ".join(words)):
                continue
            # Keep the role words before the name ("Security expert Haitham Al-Khazali").
            who = " ".join(words)
            if who.lower() in _NOT_SPEAKERS or len(who) < 3:
                continue
            return who
    return None


def _opens_quote(text: str) -> bool:
    """Does this sentence open a quotation that it does not close?"""
    curly = text.count("“") > text.count("”")
    straight = text.count('"') % 2 == 1
    return curly or straight or bool(_OPENING.search(text) and not text.rstrip().endswith(("”", '"')))


def attribution(index: CorpusIndex, sentence: int, look_back: int = 3) -> Attribution | None:
    """Who says what sentence `sentence` says: itself, or the speaker of a quote still open."""
    text = index.sentence_text(sentence)
    own = speaker_in(text)
    if own:
        return Attribution(own, True)
    doc = index.sentences[sentence].doc_id
    for back in range(1, look_back + 1):
        previous = sentence - back
        if previous < 0 or index.sentences[previous].doc_id != doc:
            break
        earlier = index.sentence_text(previous)
        if _opens_quote(earlier) or re.match(r"\s*(He|She)\s+(added|asserts|said|explained)", text):
            who = speaker_in(earlier)
            if who:
                return Attribution(who, False)
        if earlier.rstrip().endswith(("”", '"')):
            break  # a quotation closed before this sentence: it is not inside it
    return None

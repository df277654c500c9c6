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
    r"(?:expert|analyst|researcher|writer|official|minister|spokesman|spokesperson|commander|member|"
    # "US Ambassador to Iraq Alina Romanowski": the post's country is no part of the name
    r"(?:ambassador|envoy)(?: to [A-Z][\w’'-]+)?)"
)
_PATTERNS = [
    re.compile(rf"\b[Aa]ccording to (?P<who>(?:{_ROLE} )?{_NAME})"),
    # "Gen. Michael Kurilla, who heads US Central Command, told Congress": an apposition between
    re.compile(
        rf"(?P<who>(?:(?i:{_ROLE})\s+)?{_NAME})(?:,\s+(?:an?|the|who|which)\s+[^,]{{3,90}},)?\s+{_VERBS}\b"
    ),
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
    """Does this sentence open a quotation that it does not close?

    A sentence whose last quotation mark closes a quote opens none, whatever its count of marks:
    '... defeat of ISIS," US Ambassador to Iraq Alina Romanowski told Reuters.' holds only the
    closing mark of a quote whose opening one the sentence splitter left before it."""
    if _closing_mark(text) is not None:
        return False
    curly = text.count("“") > text.count("”")
    straight = text.count('"') % 2 == 1
    return curly or straight or bool(_OPENING.search(text) and not text.rstrip().endswith(("”", '"')))


_QUOTE_MARK = re.compile(r"[“”\"]")


def _closing_mark(text: str) -> re.Match[str] | None:
    """The sentence's last quotation mark, when that closes a quote."""
    marks = list(_QUOTE_MARK.finditer(text))
    return marks[-1] if marks and _closes(text, marks[-1]) else None


def _closes(text: str, mark: re.Match[str]) -> bool:
    """Is this quotation mark a closing one: ” or a straight one after a word or punctuation and
    before a space, punctuation or the end?"""
    if mark.group() != '"':
        return mark.group() == "”"
    before = text[mark.start() - 1] if mark.start() else " "
    after = text[mark.end()] if mark.end() < len(text) else " "
    return not before.isspace() and before not in "(:[" and (after.isspace() or not after.isalnum())


def attribution(index: CorpusIndex, sentence: int, look_back: int = 3) -> Attribution | None:
    """Who says what sentence `sentence` says: itself, or the speaker of a quote still open, named
    where the quote opened ('He added, "...') or where it closes ('...," CENTCOM said.')."""
    text = index.sentence_text(sentence)
    own = speaker_in(text)
    if own:
        return Attribution(own, True)
    doc = index.sentences[sentence].doc_id
    inside = _opens_quote(text)
    for back in range(1, look_back + 1):
        previous = sentence - back
        if previous < 0 or index.sentences[previous].doc_id != doc:
            break
        earlier = index.sentence_text(previous)
        if _opens_quote(earlier) or re.match(r"\s*(He|She)\s+(added|asserts|said|explained)", text):
            who = speaker_in(earlier)
            if who:
                return Attribution(who, False)
            inside = inside or _opens_quote(earlier)  # its speaker is named after it, if anywhere
        if earlier.rstrip().endswith(("”", '"')):
            break  # a quotation closed before this sentence: it is not inside it
    if not inside:
        return None
    for ahead in range(1, look_back + 1):  # the quote's end: '... detained," CENTCOM said.'
        later = sentence + ahead
        if later >= len(index.sentences) or index.sentences[later].doc_id != doc:
            break
        after = index.sentence_text(later)
        closing = _closing_mark(after)
        # the speaker named right after the closing mark, or in a short tag of its own
        tag = after[closing.end() :] if closing else after if len(after.split()) <= _TAG_WORDS else ""
        who = speaker_in(tag) if tag else None
        if who:
            return Attribution(who, False)
        if closing or _opens_quote(after):
            break
    return None


_TAG_WORDS = 6  # a sentence this short that names a speaker ("CENTCOM said.") tags the quote before it

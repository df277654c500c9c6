"""What a question asks for, and whether a sentence holds it: the answer's type and the question's names.

- `question_type(question)`: "count" (a number), "time" (a date), "person" (a new name), "place"
  (a name the question does not give), or None; `has_type(kind, sentence, question)` tells whether
  a sentence gives it ("How many US troops are deployed in Syria?" is not answered by a count put
  in Iraq).
- `question_entities(question)`: the stems of its names and numbers; `has_name` finds a name in
  its country or people form (Iraq's ~ Iraqi, US ~ American); `question_acronyms` and `initials`
  find "UN" spelled out ("United Nations ...").
- `counted_term(question)`: what a "how many" counts ("troop").
- `new_places(sentence, question)`: the names a sentence could answer "where" with;
  `is_fragment(sentence)`: a noun phrase set off by a full stop ("The disputed Iraqi territories
  between ... Baghdad and Erbil."), quoted with the sentence before when it holds what that lacks.
"""

from __future__ import annotations

import functools
import re
from typing import NamedTuple

from qa.newsaware import MONTHS
from qa.terms import STOPWORDS, terms

_COUNT_Q = re.compile(
    r"\bhow (many|much)\b|\bwhat (number|percentage|share|amount|proportion|fraction|size)\b"
    # "What is the population of Mosul?", "What was the death toll?": a quantity asked for by name
    r"|\b(what|which) (is|was|are|were) (the |its |their |his |her )?(estimated |total |current |latest )?"
    r"(population|death toll|toll|number|size|strength|cost|budget|total|headcount|percentage|share)\b"
    r"|^\s*how (large|big|small) (a |an )?(share|part|portion|proportion|fraction|number|force|contingent)\b",
    re.I,
)
_TIME_Q = re.compile(
    # after an opening phrase set off by a comma too: "In 2021, when was the report issued?"
    r"^\s*(?:[^,?]{1,40},\s*)?(when|what (year|date|month|day)|in (what|which) (year|month)|on what date)\b",
    re.I,
)
# "Who said ...?" asks for a name; "Who is Fadel Abu Ragheef?" asks what the named person is.
_PERSON_Q = re.compile(
    r"^\s*(who|whom)\b(?!\s+(is|was|are|were)\s+(?-i:[A-Z])[^?]*\?\s*$)"
    # "Which official claimed ...?", "Which head of state must ...?": a person by their role
    r"|^\s*(which|what)\s+([\w-]+\s+){0,2}?(officials?|leaders?|commanders?|president|(prime )?minister|"
    r"premier|spokes(man|woman|person)|experts?|analysts?|researchers?|writers?|journalists?|lawmakers?|"
    r"MPs?|politicians?|generals?|head of state|envoy|ambassador|diplomats?|clerics?|person|man|woman)\b",
    re.I,
)
# A number in full ("2,500", "5.200", "2011") or in words ("a third", "double"); a count is not a year.
_COUNT = re.compile(
    r"\d[\d,.]*\d|\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|hundred|thousand|million|"
    r"dozen|half|third|quarter|fifth|double[ds]?|triple[ds]?|twice|halved)\b",
    re.I,
)
# "may" is a month only as "May": "ambitions that may grow" holds no date
_MONTH_ALTERNATIVES = "|".join(m for m in MONTHS if m != "may") + "|(?-i:May)"
_YEAR_Q = re.compile(r"\b(what|which) year\b", re.I)
_DATE = re.compile(
    rf"\b(1[89]\d\d|20\d\d)\b|\b({_MONTH_ALTERNATIVES})\b"
    # a time told from another: "two days later", "a week after the strike", "months earlier"
    r"|\b(a|an|one|two|three|four|five|six|seven|eight|nine|ten|few|several|\d+)\s+"
    r"(days?|weeks?|months?|years?)\s+(later|after|before|earlier|ago)\b",
    re.I,
)
_YEARLIKE = re.compile(r"(19|20)\d\d")
_MONTH = re.compile(rf"\b(?:{_MONTH_ALTERNATIVES})\b", re.I)
# A day of the month is no count: "December 31, 2021", "31 December", "the 26th of July".
_DAY_OF_MONTH = re.compile(
    rf"\b(?:{_MONTH_ALTERNATIVES})\s+\d{{1,2}}(?:st|nd|rd|th)?\b"
    rf"|\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTH_ALTERNATIVES})\b",
    re.I,
)
_NAME = re.compile(r"\b[A-Z][a-z]+(?:[- ](?:al-|Al-)?[A-Z][a-z]+)+")


_ENTITY = re.compile(r"\b(?:\d[\d,.]*\d|\d|[A-Z][A-Za-z’'-]*[A-Za-z])\b")


_YEAR_SPAN = re.compile(r"\b((?:19|20)\d\d)\s*[-–]\s*((?:19|20)\d\d)\b")
_SPAN_MAX = 10  # years; a longer span is not a period of the question's


def question_entities(question: str) -> list[list[str]]:
    """The stems of each name and number in the question (its first word aside). A span of years
    ("in 2020-2021") is one: any year of it will do."""
    words = question.split(maxsplit=1)
    rest = words[1] if len(words) > 1 else ""
    out = []
    for match in _YEAR_SPAN.finditer(rest):
        if 0 < int(match[2]) - int(match[1]) <= _SPAN_MAX:
            out.append([f"{match[1]}-{match[2]}"])
            rest = rest.replace(match[0], " ")
    for word in _ENTITY.findall(rest):
        stems = terms(word)
        if stems and (word[0].isdigit() or word.lower() not in STOPWORDS):
            out.append(stems)
    return out


# A country and its people are one name to the question: "Iraq's air arm" is "the Iraqi air force".
_DEMONYM_ENDINGS = ("i", "n", "ian", "ish", "ese")
_ALIASES = {"us": ("american", "america"), "american": ("us", "america"), "america": ("us", "american")}


def span_years(stem: str) -> list[str]:
    """The years of a span of years ("2020-2021" -> 2020, 2021); [] for anything else."""
    span = _YEAR_SPAN.fullmatch(stem)
    return [str(y) for y in range(int(span[1]), int(span[2]) + 1)] if span else []


@functools.cache
def name_forms(stem: str) -> frozenset[str]:
    """The stems that count as a name's: itself, its demonym or country (iraq ~ iraqi, syria ~
    syrian, iran ~ iranian, kurd ~ kurdish) and, for the US, american."""
    years = span_years(stem)
    if years:  # "2020-2021": each year of it
        return frozenset({stem, *years})
    forms = {stem, *_ALIASES.get(stem, ())}
    if len(stem) >= 4 and not stem.isdigit():
        forms |= {stem + ending for ending in _DEMONYM_ENDINGS}
        # back from a people to its country, but not from "i": al-Baghdadi is not Baghdad
        back = _DEMONYM_ENDINGS[1:]
        forms |= {stem[: -len(e)] for e in back if stem.endswith(e) and len(stem) - len(e) >= 4}
    return frozenset(forms)


def has_name(stems: list[str], bag: set[str] | frozenset[str]) -> bool:
    """Does `bag` hold the name, in any of its forms?"""
    return all(not name_forms(s).isdisjoint(bag) for s in stems)


_ACRONYM = re.compile(r"\b[A-Z]{2,6}\b")
_CAPITALISED_RUN = re.compile(r"[A-Z][a-z]+(?:\s+(?:(?:of|the|for|and)\s+)*[A-Z][a-z]+)+")
_CONNECTORS = frozenset({"of", "the", "for", "and"})


def question_acronyms(question: str) -> dict[str, str]:
    """The question's acronyms ("UN", "PMF"), lower-cased, each with its stem."""
    found = {}
    for word in _ACRONYM.findall(question):
        stems = terms(word)
        if stems:
            found[word.lower()] = stems[0]
    return found


@functools.lru_cache(maxsize=4096)
def initials(text: str) -> frozenset[str]:
    """The initials of every run of capitalised words in `text`, lower-cased: "United Nations
    Sanctions Monitoring Team" gives "un", "uns", "nsm", ...; "Popular Mobilization Forces" "pmf"."""
    found: set[str] = set()
    for run in _CAPITALISED_RUN.findall(text):
        letters = "".join(w[0].lower() for w in run.split() if w not in _CONNECTORS)
        found |= {letters[i:j] for i in range(len(letters)) for j in range(i + 2, len(letters) + 1)}
    return frozenset(found)


def question_type(question: str) -> str | None:
    """What the answer must hold: "count" (a number), "time" (a date), "person" (a new name),
    "place" (a new name, for "Where ...?", "In which area ...?"), or None. "When and where ...?"
    asks for a time first.

    A question put after a premise ("Militias want Baghdad to act on a resolution: when was it
    passed?") is typed by what follows the colon."""
    asked = _type_of(question)
    if asked is None and ":" in question:
        asked = _type_of(question.rsplit(":", 1)[1])
    return asked


def _type_of(question: str) -> str | None:
    if _COUNT_Q.search(question):
        return "count"
    if _TIME_Q.search(question):
        return "time"
    if _PERSON_Q.search(question):
        return "person"
    if _WHERE_Q.search(question):
        return "place"
    return None


def _counts(sentence: str) -> list[re.Match[str]]:
    """The counts of a sentence: its numbers and number words, years and days of the month
    ("December 31", "the 26th of July") left out."""
    days = [m.span() for m in _DAY_OF_MONTH.finditer(sentence)]
    return [
        m
        for m in _COUNT.finditer(sentence)
        if not _YEARLIKE.fullmatch(m.group(0)) and not any(a <= m.start() < b for a, b in days)
    ]


def has_type(kind: str | None, sentence: str, question: str) -> bool | None:
    """Does `sentence` hold what a question of type `kind` asks for? None: the question has no type."""
    if kind == "count":  # a year is no count: "the 2011 pullout" does not say how much was seized
        counts = _counts(sentence)
        return bool(counts) and _counts_in_place(sentence, counts, question)
    if kind == "time":
        if _YEAR_Q.search(question):  # "In what year ...?": "two years after" will not do
            return bool(_YEARLIKE.search(sentence))
        return bool(_DATE.search(sentence))
    if kind == "person":
        return any(
            _new_name(m.group(0), question) and not _spells_out_asked(sentence, m, question)
            for m in _NAME.finditer(sentence)
        )
    if kind == "place":
        return bool(new_places(sentence, question))
    return None


# A date dates what stands near it: "the defeat of the organization in 2017" dates the defeat;
# "the effort to defeat ISIS ... conducted 196 missions, ... 166 detained in the first half of 2024"
# dates the missions, twenty words on, not the defeat.
_DATE_REACH = 6  # words between a date and a word of what it dates
_TIME_WORDS = frozenset(terms("year years month day date time when"))


def dates_asked(sentence: str, asked: set[str] | frozenset[str]) -> bool:
    """Does a date in `sentence` stand within `_DATE_REACH` words of one of `asked` (the stems of
    what a "When ...?" question asks the date of)? True when `asked` names nothing but time."""
    wanted = set(asked) - _TIME_WORDS
    if not wanted:
        return True
    words = sentence.split()
    stems = [set(terms(w)) for w in words]
    for i, word in enumerate(words):
        if not _DATE.match(word.strip("(),.;:“”\"'")):
            continue
        near = stems[max(0, i - _DATE_REACH) : i] + stems[i + 1 : i + 1 + _DATE_REACH]
        if any(s & wanted for s in near):
            return True
    return False


_COUNTED = re.compile(r"\b(?i:how (?:many|much))\s+(?:[A-Z][\w-]*\s+)*([a-z][\w-]*)")
# "How many Iraqi military facilities did ...", "How many soldiers and civilians were ...": the noun
# phrase a count question counts, up to its verb, a preposition or the end of the clause.
# "What is the latest number of ISIS attacks?" counts as "How many ISIS attacks ...?" does.
_COUNTED_PHRASE = re.compile(
    r"\b(?i:how (?:many|much)|(?:number|tally|count) of)\s+((?:[\w’'-]+\s+){0,5}?[\w’'-]+)"
    r"(?=\s+(?i:did|do|does|were|was|are|is|have|has|had|will|would|could|can|should|might|may|in|of|at|"
    r"on|during|from|to|for|by|with|since|throughout|that|who|which)\b|\s*[?,;:.]|\s*$)"
)
_WORD = re.compile(r"\d[\d,.]*\d|[\w’'-]+|[^\w\s]")  # "5.200" and "2,500" are one word
_COUNTED_REACH = 12  # words before a count that may name what it counts ("troops ... reduced to 2,500")


def counted_words(question: str) -> list[str]:
    """The common nouns and adjectives of what a "how many" question counts (or "the number of"),
    lower case: "How many Iraqi military facilities did ...?" -> ["military", "facilities"]; [] for
    any other question.
    Names ("Iraqi", "ISIS", "US") say whose or where, not what is counted."""
    match = _COUNTED_PHRASE.search(question)
    if not match:
        return []
    return [
        w.lower()
        for w in match.group(1).split()
        if w[0].islower() and w.lower() not in STOPWORDS and not _COUNT.fullmatch(w)
    ]


class CountedBy(NamedTuple):
    """The words that may say what a count counts: the noun phrase after it (`after`), else the
    words before it."""

    words: list[str]
    after: bool


def count_nouns(sentence: str) -> list[CountedBy]:
    """For each count of the sentence (years and days of the month left out), the words that may
    say what it counts, as written: the words right after it when a noun phrase follows ("two large
    bases", "153 attacks"), else the words before it ("The US troops, which ... have been reduced
    from 5.200 to 2.500")."""
    out: list[CountedBy] = []
    for count in _counts(sentence):
        after: list[str] = []
        for word in _WORD.findall(sentence[count.end() :])[:4]:
            if not word[0].isalpha() or word.lower() in STOPWORDS or _COUNT.fullmatch(word):
                break
            after.append(word)
        if after:
            out.append(CountedBy(after, True))
        else:
            before = [w for w in _WORD.findall(sentence[: count.start()]) if w[0].isalpha()][-_COUNTED_REACH:]
            out.append(CountedBy([w for w in before if w.lower() not in STOPWORDS], False))
    return out


def counted_term(question: str) -> str | None:
    """What a "how many" question counts, as a term: "How many US troops ...?" -> "troop"."""
    match = _COUNTED.search(question)
    found = terms(match.group(1)) if match else []
    return found[0] if found else None


_PLACE_Q = re.compile(r"\bin ([A-Z][a-z]+(?:\s+(?:and\s+)?[A-Z][a-z]+)*)")
_PLACE_S = re.compile(r"\b(?:in|to) (?:the )?([A-Z][a-z]+)")
_PLACE_REACH = 12  # words between a count and the place it is a count of


def _asked_places(question: str) -> set[str]:
    """The places a question asks in: "How many US troops are deployed in Syria?" -> {"Syria"}."""
    return {
        w for run in _PLACE_Q.findall(question) for w in run.split() if w != "and" and w.lower() not in MONTHS
    }


def _at_places(words: list[str], places: set[str]) -> list[int]:
    """Where `words` name one of `places` (or its people: Syria, Syrian)."""
    return [i for i, w in enumerate(words) if any(w.strip("\"'“”(),.;:").startswith(p) for p in places)]


def names_place(text: str, question: str) -> bool | None:
    """Does `text` name a place the question asks in (True), only some other place ("in Iraq",
    False), or none (None, as for a question that names no place)?"""
    places = _asked_places(question)
    if not places:
        return None
    if _at_places(text.split(), places):
        return True
    if any(m.group(1).lower() not in MONTHS for m in _PLACE_S.finditer(text)):
        return False
    return None


def _counts_in_place(sentence: str, counts: list[re.Match[str]], question: str) -> bool:
    """Is a count of the sentence a count *in* the place the question names ("How many US troops
    are deployed in Syria?")? Yes when a count stands within a few words of that place (or its
    people: Syrian), or when the sentence names no place of its own next to its counts; no when it
    names the place only far from them ("2,500 troops ... which took control of Iraq and Syria in
    2014") or puts its counts in another ("about 2,500 US troops deployed in Iraq")."""
    places = _asked_places(question)
    if not places:
        return True

    def word_at(offset: int) -> int:
        return len(sentence[:offset].split())

    at_counts = [word_at(m.start()) for m in counts]
    words = sentence.split()
    at_place = _at_places(words, places)
    if at_place:
        return any(abs(i - j) <= _PLACE_REACH for i in at_counts for j in at_place)
    elsewhere = [word_at(m.start()) for m in _PLACE_S.finditer(sentence) if m.group(1).lower() not in MONTHS]
    return not any(abs(i - j) <= _PLACE_REACH for i in at_counts for j in elsewhere)


def _spells_out_asked(sentence: str, name: re.Match[str], question: str) -> bool:
    """Is the name the spelling-out of an acronym the question uses ("the US Central Command
    (CENTCOM)" when asked "Who is in charge of CENTCOM?"): the one asked about, not someone new?"""
    after = re.match(r"\s*\(([A-Z][A-Za-z-]*[A-Z])\)", sentence[name.end() :])
    return bool(after) and re.search(rf"\b{re.escape(after.group(1))}\b", question) is not None


def _new_name(name: str, question: str) -> bool:
    """Is `name` ("Qusai al-Anbari") someone the question does not already name? "The Iraqi" is
    no name (a capital after a sentence's first word), and "Al-Anbar" none new when the question
    says "Anbar"."""
    words = re.findall(r"[a-z]+", name.lower())
    if words[0] in STOPWORDS:
        words = words[1:]
        if len(words) < 2:
            return False
    asked = set(re.findall(r"[a-z]+", question.lower()))
    return any(w not in asked for w in words if w != "al")


# Where the question says its answer comes from: "according to Abu Ragheef", "in the view of Dr.
# Ahmed Al-Sharifi", "in the analysis of the Pentagon report", "in the piece on recent ISIS moves",
# "per the article".
_SOURCE = re.compile(
    r"\b(?i:according to|in the (?:view|analysis|opinion|words|assessment|estimate) of|"
    r"in the (?:piece|article|story|report) (?:on|about)|per(?= the\b))\s+(?P<source>[^,?;:]+?)"
    # ... up to a comma or the question mark, or where the question goes on without a comma
    # ("According to CENTCOM how many attacks ...")
    r"(?=\s*(?:[,?;:]|$)|\s+(?i:how|what|which|who|whom|whose|when|where|why|is|are|was|were|did|does|"
    r"do|has|have|had|can|could|should|would|will)\b)"
)
# The phrase with the commas that set it off.
_SOURCE_PHRASE = re.compile(r",?\s*(?:" + _SOURCE.pattern + r")\s*,?")
# Words that only point at a text ("the article"), not at what it is about.
_POINTERS = frozenset(terms("article articles piece story"))


def source_terms(question: str) -> frozenset[str]:
    """The stems of the question's source phrases: who or which article it asks the answer of.

    The answer need not repeat its source: "Has the aim ... been fulfilled, in the analysis of the
    Pentagon report?" is answered by "... this goal has only partially been achieved", a sentence
    of the article on that report that does not name it again."""
    found: set[str] = set()
    for match in _SOURCE.finditer(question):
        found.update(terms(match.group("source")))
    asked = terms(_SOURCE_PHRASE.sub(" ", question))  # a word the question also asks with is no source's only
    return frozenset(found - _POINTERS - set(asked))


# "Where ...?", "When and where ...?", "In which area / governorates ...?": the answer names a place.
_WHERE_Q = re.compile(
    r"^\s*(?:\w+\s+and\s+)?where\b"
    r"|^\s*in (?:what|which) (?:(?:area|region|province|governorate|town|district|part)s?|cit(?:y|ies)"
    r"|countr(?:y|ies))\b",
    re.I,
)
# A finite verb of a short sentence, by its closed-class words: "is", "has", "will", "said",
# "n't". Without one, "The disputed Iraqi territories
# between the governments of Baghdad and Erbil." is no clause of its own but a noun phrase.
_FINITE = re.compile(
    r"\b(?:is|are|was|were|be|been|being|am|has|have|had|do|does|did|will|would|shall|should|can|"
    r"could|may|might|must|said|says|told|tells)\b|n[’']t\b",
    re.I,
)
# A past tense ("officials complained"), not a participle after a determiner ("the disputed
# territories"); a present tense after a pronoun ("This compares to ...").
_PAST = re.compile(r"(?<!\b[Tt]he )(?<!\b[Aa] )(?<!\b[Aa]n )(?<!\b[Ii]ts )(?<!\b[Tt]heir )\b[a-z]{3,}ed\b")
_PRESENT = re.compile(r"\b(?:[Ii]t|[Tt]his|[Tt]hat|[Hh]e|[Ss]he|[Ww]ho|[Ww]hich)\s+[a-z]+s\b")
_FULL_STOP = re.compile(r"\.[\"”’')\]]*$")
_FRAGMENT_WORDS = 30  # a noun phrase set off by a full stop is short


def is_fragment(sentence: str) -> bool:
    """Is `sentence` a short noun phrase set off by a full stop ("The disputed Iraqi territories
    between the governments of Baghdad and Erbil."), not a clause of its own?"""
    words = sentence.split()
    return (
        0 < len(words) <= _FRAGMENT_WORDS
        and bool(_FULL_STOP.search(sentence.rstrip()))
        and not any(verb.search(sentence) for verb in (_FINITE, _PAST, _PRESENT))
    )


def new_places(sentence: str, question: str) -> list[str]:
    """The capitalised names of `sentence` past its first word that the question does not name
    (in any of their forms) and that are no month: the places it could answer "where" with."""
    asked = set(terms(question))
    found = []
    for word in _ENTITY.findall(sentence.split(maxsplit=1)[1] if len(sentence.split()) > 1 else ""):
        if word[0].isdigit() or word.lower() in MONTHS or word.lower() in STOPWORDS:
            continue
        stems = terms(word)
        if stems and not all(not name_forms(s).isdisjoint(asked) for s in stems):
            found.append(word)
    return found


def names_month(sentence: str) -> bool:
    """Does the sentence name a month ("was formed in September 2014", "on the 26th of July")? Such
    a sentence tells what happened when; "ambitions that may grow" names none."""
    return bool(_MONTH.search(sentence))

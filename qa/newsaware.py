"""What makes news different: articles have dates, and they disagree.

- `question_mode(question)`: "positions" when the question asks how the articles differ or for
  their views; "values" when it asks how a quantity or state changed, or what holds now; "views"
  when it asks a yes-or-no judgement of no one in particular ("Is the US helping ISIS?"); else None.
- `article_time(article)`: the article's date, or, when it states none, the latest year its text
  mentions, shown as such ("date not stated; mentions 2021") and used only for ordering.
- `question_years(question)` and recency cues, so "in 2024" or "the latest" prefer matching articles.
- `asks_changing_value(question)`: a figure, or who holds a post, which an answer gives with its
  source and date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from qa.records import Article
from qa.terms import terms

_POSITIONS = re.compile(
    r"\b(differ|differs|disagree|contrast|positions?|different articles|articles'? views?|"
    r"compare (the )?(articles|views|sources|outlets)|"
    r"(do|does) (the )?(different |various )?(articles|sources|outlets) (say|attribute|claim|argue|see|"
    r"describe|report|give)|according to the (various|different) articles)\b",
    re.I,
)
# A sentence of the question that only asks for the form of the answer ("How do the articles
# differ?", "Contrast the positions in the articles.") says nothing about what to look for.
_ABOUT_ARTICLES = re.compile(r"\b(articles?|sources|outlets)\b", re.I)
_FORM_ONLY = re.compile(r"\b(differ|differs|disagree|contrast|compare|positions?|views?|say|says)\b", re.I)
_QUESTION_SENTENCE = re.compile(r"[^?.!]+[?.!]*")
# A sentence that asks only how to set out the answer, after the question: "Give them in order.",
# "List them oldest first.", "Answer briefly."
_FORM_REQUEST = re.compile(
    r"^\s*(?:please\s+)?(?:give|list|put|set out|answer|order|sort|name)\b[^?.!]{0,40}?"
    r"\b(?:in (?:date |chronological |time )?order|oldest first|newest first|latest first|by date|"
    r"briefly|in short|in brief|in one sentence)\W*$",
    re.I,
)
_VALUES = re.compile(
    r"\b(change[ds]?|shift(ed)?|evolve[ds]?|over time|compare[ds]? with|still|latest|most recent|now|"
    r"currently|today)\b"
    # "from 2021 to 2024", "between the 2021 article and the 2024 one": a span of time, not of place
    r"|\b(from|between)\b[^?]{0,80}\b(19|20)\d\d\b[^?]{0,80}\b(to|and)\b",
    re.I,
)
MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_MONTH_NAMES = "|".join(MONTHS)
# what asks for the latest value: "Who leads ISIS today?"
RECENT_WORDS = ("latest", "most recent", "now", "currently", "today", "still")
_RECENT = re.compile(rf"\b({'|'.join(RECENT_WORDS)})\b", re.I)
_YEAR = re.compile(r"\b(19[5-9]\d|20[0-4]\d)\b")


def question_mode(question: str) -> str | None:
    if _POSITIONS.search(question):
        return "positions"
    if _VALUES.search(question):
        return "values"
    if asks_judgement(question):
        return "views"
    return None


# "Is the US helping ISIS?", "Should US troops leave?": a yes-or-no question, which the articles may
# answer differently. Not one that says whose judgement it asks for: "Does Baghdad's leadership
# believe ...?", "..., according to Al-Sharifi?", "Is ISIS judged capable ..., in the piece on ...?"
_YES_NO = re.compile(
    r"^\s*(?:is|are|was|were|do|does|did|has|have|had|should|can|could|will|would|must)\b", re.I
)
_WHOSE = re.compile(
    r"\b(?:according to|in the (?:view|analysis|opinion|words|assessment|estimate|eyes) of|per the|"
    r"in the (?:piece|article|story|report)|believes?|thinks?|says?|claims?|argues?|judged|considered|"
    r"deemed|seen as|viewed as)\b",
    re.I,
)


def asks_judgement(question: str) -> bool:
    """Is `question` a yes-or-no question that names neither an article nor whose view it asks?"""
    first = _QUESTION_SENTENCE.match(question.strip())
    asked = first.group(0) if first else question
    return bool(
        _YES_NO.match(asked) and not _WHOSE.search(question) and not _ARTICLE_MENTION.search(question)
    )


# The words that start an article's description: "the 2021 article *on* ...", "the article *written* when ..."
_ABOUT_WORDS = r"(?:on|about|written|cited|published|from|by|that|which)"
# "the 2021 article on the end of the US combat mission", "the July 2024 Shafaq News article",
# "the latest article (2024)": which articles to read, not what to find in them.
_ARTICLE_PHRASE = (
    r"\b(?:the|an?)\s+(?:[\w’'-]+\s+){0,5}?articles?\b"
    r"(?:\s*\((?:19|20)\d\d\))?"
    rf"(?:\s+{_ABOUT_WORDS}\b[^,;?]*?(?=,|;|\?|\.|\s+and\s+the\b|$))?"
)
_BETWEEN_ARTICLES = re.compile(
    rf"\s*\b(?:between|from)\s+{_ARTICLE_PHRASE}\s+(?:and|to)\s+{_ARTICLE_PHRASE}", re.I
)
_IN_ARTICLE = re.compile(rf"\s*\b(?:in|according to|by)\s+{_ARTICLE_PHRASE}", re.I)
_ARTICLE_MENTION = re.compile(r"\b(?:articles?|piece|report|outlet)\b", re.I)


def question_topic(question: str) -> str:
    """What to look for: the question without what only says which articles to read or how to
    set out the answer ("How do the articles differ?", "Give them in order.").

    "Has ISIS been defeated in Iraq? How do the articles differ on this?" -> "Has ISIS been
    defeated in Iraq?"; "How did the number of US troops change between the 2021 article on
    the combat mission and the July 2024 Shafaq News article?" -> "How did the number of US
    troops change?" The form of the answer is `question_mode`'s business, the articles'
    years `article_years`'; searching for "articles", "differ" or "Shafaq" would only find
    sentences that use those words.
    """
    pieces = [p.strip() for p in _QUESTION_SENTENCE.findall(question) if p.strip()]
    kept = [
        p
        for i, p in enumerate(pieces)
        if not (_ABOUT_ARTICLES.search(p) and _FORM_ONLY.search(p)) and not (i and _FORM_REQUEST.search(p))
    ]
    text = " ".join(kept) if kept and len(kept) < len(pieces) else question
    if question_mode(question) is None:  # one fact: the article's description helps find it
        return text
    stripped = _IN_ARTICLE.sub("", _BETWEEN_ARTICLES.sub("", text))
    stripped = re.sub(r"\s*,\s*(?=[,?.]|$)|^\s*,\s*", "", stripped)  # commas left dangling
    stripped = re.sub(r"\b(and|or),\s+", r"\1 ", re.sub(r"\s+([,?.])", r"\1", stripped)).strip()
    return stripped[:1].upper() + stripped[1:] if len(stripped.split()) >= 4 else text


def article_years(question: str) -> set[str]:
    """The years of the articles a question names ("the 2021 article", "the latest article (2024)")."""
    found: set[str] = set()
    for match in re.finditer(_ARTICLE_PHRASE, question, re.I):
        found |= set(_YEAR.findall(match.group(0)))
    return found


@dataclass(frozen=True)
class Side:
    """One side of a question that compares times or articles: an article it names ("the 2021
    article on the end of the US combat mission": years {"2021"}, about "end of the US combat
    mission") or a bare year ("... cited in 2021": years {"2021"}, about "")."""

    years: frozenset[str]
    about: str


_NOT_ABOUT = re.compile(
    rf"\b(the|an?|articles?|latest|most recent|newest|oldest|earliest|{_MONTH_NAMES})\b|[()]|\b(19|20)\d\d\b",
    re.I,
)
_ABOUT_START = re.compile(rf"(?:^|\s){_ABOUT_WORDS}\b", re.I)


def question_sides(question: str) -> list[Side]:
    """The articles and years a question compares, in the order it names them.

    Only a question that names one article ("the July 2024 Shafaq News article", not "the
    articles") per side counts; a year outside those phrases is a side of its own
    ("from the UN report cited in 2021 to ... the 2024 article"). Fewer than two: no sides.
    """
    sides: list[tuple[int, Side]] = []
    covered: list[tuple[int, int]] = []
    for match in re.finditer(_ARTICLE_PHRASE, question, re.I):
        phrase = match.group(0)
        head = _ABOUT_START.split(phrase, maxsplit=1)[0]
        if re.search(r"\barticles\b", head, re.I) or re.search(r"\b(do|does|say|says)\b", phrase, re.I):
            continue  # "the articles": all of them; "the month ... does the article ... mention": not a name
        about = _ABOUT_START.sub(" ", " ".join(_NOT_ABOUT.sub(" ", phrase).split()), count=1).strip()
        sides.append((match.start(), Side(frozenset(_YEAR.findall(phrase)), about)))
        covered.append(match.span())
    named = {y for _, side in sides for y in side.years}
    for match in _YEAR.finditer(question):
        inside = any(a <= match.start() < b for a, b in covered)
        if not inside and match.group(0) not in named:
            sides.append((match.start(), Side(frozenset({match.group(0)}), "")))
            named.add(match.group(0))
    ordered = [side for _, side in sorted(sides, key=lambda x: x[0])]
    return ordered if len(ordered) >= 2 and any(s.years or s.about for s in ordered) else []


# "from the UN report cited in 2021 to the Inspector General's view cited in the 2024 article",
# "between the 2020 article ... and the 2021 article ...": the words that name each side.
_COMPARED = re.compile(
    r"\b(?:from|between)\s+(?P<first>[^?]+?)\s+(?:to|and)\s+(?P<second>[^?]+?)\s*(?=[?.]|$)", re.I
)


def _compared_pieces(question: str, sides: list[Side]) -> tuple[re.Match[str], list[str]] | None:
    """The "from ... to ..." (or "between ... and ...") match and each side's piece of it, when the
    question names each side in a piece of its own, with its side's year; else None."""
    match = _COMPARED.search(question)
    if match is None:
        return None
    pieces = [match["first"], match["second"]]
    owner: list[int] = []
    for side in sides:
        found = [i for i, piece in enumerate(pieces) if side.years & set(_YEAR.findall(piece))]
        if len(found) != 1:
            return None
        owner.append(found[0])
    if sorted(owner) != list(range(len(pieces))):
        return None
    return match, [pieces[i] for i in owner]


def side_pieces(question: str, sides: list[Side]) -> list[str]:
    """For each side, the piece of the question that names it ("from its return in 2014 to the
    coalition's mission as described in July 2024": "its return in 2014", "the coalition's ...");
    all empty when the question does not name each side in a piece of its own ("from ... to ...",
    "between ... and ...", each piece with its side's year)."""
    compared = _compared_pieces(question, sides)
    return compared[1] if compared else [""] * len(sides)


def other_sides_words(question: str, sides: list[Side]) -> list[frozenset[str]]:
    """For each side, the terms of the question that name only the other sides.

    "How did assessments of ISIS shift from the UN report cited in 2021 to the Inspector General's
    view cited in the 2024 article?": the 2021 side's sentence need not name the Inspector General,
    nor the 2024 side's the UN. Empty sets when the question does not name each side in a piece of
    its own (see `side_pieces`).
    """
    compared = _compared_pieces(question, sides)
    if compared is None:
        return [frozenset[str]()] * len(sides)
    match, pieces = compared
    outside = set(terms(question[: match.start()] + " " + question[match.end() :]))
    words = [set(terms(piece)) for piece in pieces]
    return [
        frozenset(set().union(*(w for j, w in enumerate(words) if j != i)) - words[i] - outside)
        for i in range(len(pieces))
    ]


def fits_year(time: ArticleTime, year: str) -> bool:
    """Could the article be of `year`? Its stated date's year; an undated article's text mentions
    events up to some year, and it was written that year or the next."""
    if time.stated:
        return time.sort_key[:4] == year
    if time.sort_key == "9999":
        return False
    return int(time.sort_key[:4]) <= int(year) <= int(time.sort_key[:4]) + 1


def asks_for_recent(question: str) -> bool:
    return bool(_RECENT.search(question))


# "How many US troops are in Iraq?", "Who is the Iraqi prime minister?": a figure or a holder of an
# office holds at a date, which the answer must name; "When was Soleimani killed?" does not change.
_CHANGING = re.compile(
    r"\bhow (?:many|much)\b|\b(?:number|size|share|amount|total) of\b|^\s*who (?:is|are) (?:the|its|their)\b",
    re.I,
)


def asks_changing_value(question: str) -> bool:
    """Does the question ask for a figure, or who holds a post now: a value that holds at a date?"""
    return bool(_CHANGING.search(question))


def months_before(question: str, years: frozenset[str]) -> frozenset[str]:
    """The terms of the months the question names right before one of `years` ("as described in
    July 2024"): they date a side of a comparison, as its year does, and say nothing of its content."""
    found = (
        m.group(1)
        for year in years
        for m in re.finditer(rf"\b({_MONTH_NAMES})\s+(?:of\s+)?{year}\b", question, re.I)
    )
    return frozenset(t for month in found for t in terms(month))


def question_years(question: str) -> set[str]:
    return set(_YEAR.findall(question))


@dataclass(frozen=True)
class ArticleTime:
    sort_key: str  # "2021-05-09", or "2021" inferred, or "9999" unknown (last)
    label: str  # what the answer shows
    stated: bool


def article_time(article: Article) -> ArticleTime:
    if article.date:
        return ArticleTime(article.date, article.date, True)
    years = [y for y in _YEAR.findall(article.text)]
    if years:
        latest = max(years)
        return ArticleTime(latest, f"date not stated; mentions events up to {latest}", False)
    return ArticleTime("9999", "date not stated", False)


def source_label(article: Article) -> str:
    """How an answer names an article's source: its outlet, else its title in quotes.

    An article with neither is "An untitled article": its citation and source card say which
    file it is (a file name in the answer text would read as a claim with odd numbers in it).
    """
    if article.outlet:
        return article.outlet
    if article.title:  # without a final "?": the label must not end the answer's sentence
        return f"“{article.title.rstrip(' ?!.')}”"
    return "An untitled article"


# What a judgement question asks of the articles is often carried by its modal verb, which says
# what kind of answer is asked, not what it is about: "Should US forces remain?" asks whether they
# must (an obligation), "Can the army manage alone?" whether it is able to, "Does Washington want
# to leave?" what it seeks (news reports what a people or a party wants as what it demands or
# calls for), "What purpose ...?" why. An article's position on such a question is stated in the
# same terms ("the national interest demands the presence", "the air force is still weak and
# cannot", "Washington seeks it", "due to the constant threat"). Each pair: the question's cue, and
# the words that state that modality in a sentence. The bare auxiliaries (can, could, need, plan)
# are left out of the latter: news prose uses them for anything ("the process could take months").
_VERB_MODALITIES = (  # asked with a modal verb
    (  # obligation, necessity
        r"\b(should|ought|must|need|needs)\b",
        r"\b(must|necess\w+|demands?|demanding|requir\w+|binding|should|ought|essential|vital|"
        r"indispensable|imperative)\b",
    ),
    (  # ability
        r"\b(can|could|able|capable|manage)\b",
        r"\b(cannot|can't|able|unable|capab\w+|incapab\w+|capacit\w+|ready|prepared|weak\w*|inabilit\w+)\b",
    ),
    (  # volition
        r"\b(want|wants|wish|seek|seeks|intend|intends|plan|plans)\b",
        r"\b(wants?|wanted|seek\w*|sought|intend\w*|intention\w*|struggl\w+|wish\w*|desir\w+|determined|"
        r"insist\w*|demand\w*|urg(?:e|es|ed|ing)|call(?:s|ed|ing)? for)\b",
    ),
)
_MODALITIES = (
    *_VERB_MODALITIES,
    (  # purpose, cause: asked with a noun (or "why")
        r"\b(purpose|purposes|why|reason|reasons|aim|goal|motive|motives)\b",
        r"\b(due to|because|in order to|so as to|so that|enabl\w+|aims?|goals?|purposes?|reasons?|justif\w+|"
        r"excuse|needs? to)\b",
    ),
)
# A word that a hyphenated prefix turns around states nothing of the kind: a "non-binding
# resolution" binds no one.
_MODALITY_PATTERNS = tuple(
    (re.compile(cue, re.I), re.compile(r"(?<!-)" + marks, re.I)) for cue, marks in _MODALITIES
)


def question_modality(question: str) -> list[re.Pattern[str]]:
    """The patterns of the words that state what the question's modal cue asks (see _MODALITIES);
    empty when it has none ("Has ISIS been defeated?")."""
    return [marks for cue, marks in _MODALITY_PATTERNS if cue.search(question)]


# What a modal verb asks is credited by `states_modality`; as a keyword it is a function word, and
# a sentence that repeats it ("Washington wants to hold the region") has matched nothing of what is
# asked. The purpose cues are nouns, and a sentence that names one answers ("the main aim of their
# relocation was ..."): they stay keywords.
_MODAL_VERBS = tuple(re.compile(cue, re.I) for cue, _ in _VERB_MODALITIES)


def modal_verb_terms(question: str) -> frozenset[str]:
    """The question's modal verbs, as terms ("Does Washington want to withdraw?" -> {"want"})."""
    return frozenset(t for cue in _MODAL_VERBS for m in cue.finditer(question) for t in terms(m.group()))


def states_modality(text: str, marks: list[re.Pattern[str]]) -> bool:
    """Does `text` state what a question's modal cue asks (`marks`, from `question_modality`)?"""
    return any(m.search(text) for m in marks)


# "Has ISIS been defeated?" asks about a state of its subject. A sentence states that state when it
# names the subject and, after a form of "be" or "have", the predicate: "ISIS is defeated", "ISIS has
# not been defeated". "the effort to defeat ISIS" states nothing of the kind.
_STATE_Q = re.compile(r"^\s*(?:has|have|is|are|was|were)\b", re.I)
_LINKS = frozenset(
    {"is", "are", "was", "were", "has", "have", "had", "been", "be", "being", "remains", "remain"}
)
_STATE_REACH = 4  # words from the subject to the predicate


def question_state(question: str) -> tuple[str, str] | None:
    """The subject and predicate terms of a question about a state ("Has ISIS been defeated in
    Iraq?" -> ("isis", "defeat")); None for any other question."""
    asked = terms(question)
    return (asked[0], asked[1]) if _STATE_Q.match(question) and len(asked) >= 2 else None


def states_state(text: str, state: tuple[str, str] | None) -> bool:
    """Does `text` state the subject of `state` and, linked to it by a form of "be" or "have", its
    predicate (affirmed or denied)?"""
    if state is None:
        return False
    words = text.split()
    stems = [next(iter(terms(w)), "") for w in words]
    for i, stem in enumerate(stems):
        if stem != state[0]:
            continue
        after = stems[i + 1 : i + 1 + _STATE_REACH]
        if state[1] in after:
            between = words[i + 1 : i + 1 + after.index(state[1])]
            if any(w.lower().strip(",") in _LINKS for w in between):
                return True
    return False

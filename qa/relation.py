"""Is what a "who" or "when" question says of its name said of that name in a sentence?

"When was ISIS founded?" is not answered by "The Global Coalition against Daesh (ISIS), led by
the United States, was formed in September 2014": ISIS is named there only inside another name
(the Coalition *against* it), and what was formed is the Coalition. "Who commands the PMF?" is not
answered by a sentence that names the PMF in its first clause and "the commander of the Quds Force"
twenty words on, nor "Who is the president of Iraq?" by "the US President Joe Biden and the
Iraqi Prime Minister". A sentence answers only if each word of the question's relation ("founded",
"commands"), or a word of its kin or meaning, stands near a mention of the name that is not part
of another name, and no other name owns that word.

- `words_near_names(text, names, aliases)`: the words of `text` near its free mentions of the
  question's names; None when it mentions none of them (a sentence may say "It was formed in
  2014" of a name its neighbour gives: that is for the other checks to judge).
- `article_aliases(text)`: the names an article gives two of, "Daesh (ISIS)", "US Central Command
  (CENTCOM)": each stands for the other in that article.
- `relation_words(question)`: the question's words that say the relation ("leads", "founded"),
  not its names, time words or question words.
"""

from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass

from qa.newsaware import RECENT_WORDS
from qa.question_types import name_forms
from qa.terms import STOPWORDS, terms

NEAR = 12  # words either side of a mention that may say the relation, names not counted
# a name after one of these, itself after another name, is part of that name: "the Coalition
# against Daesh", "the Quds Force of the IRGC", "the Coalition to Defeat ISIS"
_JOINING = frozenset({"against", "of", "to", "for", "on", "in", "from", "with"})
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9’']*|[(),;:]")  # brackets and clause marks too
_HYPHENATED = re.compile(r"[A-Za-z0-9][\w’'-]*")
# "Daesh (ISIS)", "US Central Command (CENTCOM)": a run of capitalised words, then another name in
# brackets
_ALIAS = re.compile(r"((?:[A-Z][\w’'-]*\s+)*[A-Z][\w’'-]*)\s+\(([A-Z][\w’'-]*)\)")
# words of time or tense, not of the relation: "Who leads ISIS today?"
_TIME_WORDS = frozenset(RECENT_WORDS) | {"current", "recent", "recently", "ever", "first", "last"}


@dataclass(frozen=True)
class Mention:
    start: int  # the first word of the name, in the sentence's words
    end: int  # one past its last


def _is_capitalised(word: str) -> bool:
    return word[:1].isupper()


@functools.lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    found = terms(word)
    return found[0] if found else ""


def relation_words(question: str) -> list[str]:
    """The lower-case content words of a question: what it says of its names ("leads", "founded",
    "commander"), not its names, question words, auxiliaries or time words."""
    words = _HYPHENATED.findall(question.split(maxsplit=1)[1] if " " in question else "")
    return [
        w
        for w in words
        if w.islower()  # "al-Baghdadi" is a name
        and w not in STOPWORDS
        and w not in _TIME_WORDS
        and _stem(w)
    ]


def article_aliases(text: str) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    """The pairs of names `text` gives for one thing ("Daesh (ISIS)"), as stems, both ways."""
    pairs: list[tuple[tuple[str, ...], tuple[str, ...]]] = []
    for match in _ALIAS.finditer(text):
        run = tuple(s for w in match[1].split() if w.lower() not in STOPWORDS and (s := _stem(w)))
        other = tuple(terms(match[2]))
        if run and other and run != other:
            pairs += [(run, other), (other, run)]
    return pairs


def _mentions(
    stems: list[str],
    words: list[str],
    names: list[list[str]],
    aliases: list[tuple[tuple[str, ...], tuple[str, ...]]],
) -> list[Mention]:
    """Where the sentence (its `words`, their `stems`) names one of `names`, in one of its forms
    or by an alias the article gives it. Only capitalised words name."""
    asked = {tuple(name) for name in names}
    aliases = [alias for alias, of in aliases if of in asked]  # the aliases of the names asked
    found: list[Mention] = []
    for i, word in enumerate(words):
        if not _is_capitalised(word):
            continue
        if any(stems[i] in name_forms(name[-1]) for name in names):
            found.append(Mention(i, i + 1))
        found += [
            Mention(i, i + len(alias)) for alias in aliases if tuple(stems[i : i + len(alias)]) == alias
        ]
    return found


def _is_inside_another_name(words: list[str], mention: Mention) -> bool:
    """Is the mention part of a longer name: "(the) Coalition against (the) Daesh (ISIS)"?"""
    i = mention.start - 1
    # back over the same name's words and brackets ("Daesh (ISIS)"), not past a comma: "the Quds
    # Force of the Iranian Revolutionary Guard Corps (IRGC), Qasem Soleimani" names Soleimani
    while i >= 0 and (_is_capitalised(words[i]) or words[i] in "()"):
        i -= 1
    if i >= 0 and words[i].lower() == "the":
        i -= 1
    if i < 1 or words[i].lower() not in _JOINING:
        return False
    before = words[i - 1]
    return _is_capitalised(before) and before.lower() not in STOPWORDS


def _owned_by_another_name(tokens: list[str], i: int, mentions: list[Mention]) -> bool:
    """Does a name other than those asked stand right before word `i` ("US President", "Quds Force
    commander")? The name runs back over capitalised words; one that reaches a mention of a name
    asked is that name's ("Iraqi Prime Minister")."""
    named = {j for m in mentions for j in range(m.start, m.end)}
    j = i - 1
    found = False
    while j >= 1 and _is_capitalised(tokens[j]) and tokens[j].lower() not in STOPWORDS:
        if j in named:
            return False
        found = True
        j -= 1
    return found


def words_near_names(
    text: str, names: list[list[str]], aliases: list[tuple[tuple[str, ...], tuple[str, ...]]] = ()
) -> list[str] | None:
    """The words within `NEAR` of each mention of one of `names` (each a name's stems) that is not
    part of another name; None if `text` mentions none of them, [] if only inside other names."""
    tokens = _WORD.findall(text)
    stems = [_stem(w) for w in tokens]
    mentions = _mentions(stems, tokens, names, list(aliases))
    if not mentions:
        return None
    # the reach is counted in words other than names, which would eat it ("the commander of the Quds
    # Force of the Iranian Revolutionary Guard Corps (IRGC), Qasem ...")
    words = [i for i, w in enumerate(tokens) if w[0].isalnum() and not _is_capitalised(w)]
    near: list[str] = []
    for mention in mentions:
        if _is_inside_another_name(tokens, mention):
            continue
        first, last = bisect.bisect_left(words, mention.start), bisect.bisect_left(words, mention.end)
        lo = words[first - NEAR] if first >= NEAR else 0
        hi = words[last + NEAR - 1] + 1 if last + NEAR - 1 < len(words) else len(tokens)
        # every word in reach, names too ("the Iraqi Prime Minister Mustafa al-Kadhimi"), but not
        # one another name owns ("the US President Joe Biden", "the Quds Force commander")
        near += [
            tokens[i]
            for i in [*range(lo, mention.start), *range(mention.end, hi)]
            if tokens[i][0].isalnum() and not _owned_by_another_name(tokens, i, mentions)
        ]
    return near


def plain_words(words: list[str]) -> list[str]:
    """The lower-case content words of `words`, once each: those a relation may be said in by
    meaning (a name's word is not: "founded" ~ "Revolutionary" 0.52, "army" ~ "ISIS" 0.53)."""
    return list(dict.fromkeys(w for w in words if w.islower() and w not in STOPWORDS))

"""The default answerer, no LLM needed: the sentences of the retrieved passages that answer the question.

Each candidate sentence is scored by its embedding similarity to the question,
the share of the question's keywords it contains (weighted by rarity), and
whether it holds the kind of thing asked for (a number for "how many", a
date for "when"). The best one to three sentences, quoted verbatim, make
the answer (a sentence with the noun phrase set off after it by a full stop,
when that holds the count, date or place it lacks); each cites its passage
with exact offsets. When the best score is below the calibrated threshold,
or the question names something the corpus never mentions, the answerer
abstains and still lists the passages.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from qa.attribution import attribution
from qa.followup import rewrite_followup
from qa.index_store import CorpusIndex
from qa.newsaware import (
    ArticleTime,
    Side,
    article_time,
    article_years,
    asks_changing_value,
    asks_for_recent,
    fits_year,
    modal_verb_terms,
    months_before,
    other_sides_words,
    question_modality,
    question_mode,
    question_sides,
    question_state,
    question_topic,
    question_years,
    side_pieces,
    source_label,
    states_modality,
    states_state,
)
from qa.passages import goes_on
from qa.question_parts import premise_of, split_question
from qa.question_types import (
    CountedBy,
    count_nouns,
    counted_term,
    counted_words,
    dates_asked,
    has_name,
    has_type,
    initials,
    is_fragment,
    name_forms,
    names_month,
    names_place,
    question_acronyms,
    question_entities,
    question_type,
    source_terms,
    span_years,
)
from qa.records import Answer, Citation, Passage
from qa.relation import article_aliases, plain_words, relation_words, words_near_names
from qa.retrieval import dense_ranking
from qa.settings import Settings
from qa.support import numbers_in
from qa.terms import STOPWORDS, kin_stems, stance_kin, terms

ABSTAIN_TEXT = (
    "The articles don't answer this. The closest passages are listed below, but none of them says it."
)

_YEARLIKE = re.compile(r"(19|20)\d\d")
_ENDS_SENTENCE = re.compile(r"[.!?…][\"”’')\]]*$")
_LIST_NUMBER = re.compile(r"\(?\d{1,2}[.)]\s+(?=[\"“‘']?[A-Z])")  # a list item's number: "1. ", "(2) "
_HEADING_WORDS = 12
_MIN_EXTRA_WORDS = 6
_SIDE_SEARCH = 10  # passages searched for each side of a comparison (its years, its description)
# The words that open a sentence going on from the one before it: "Then the media reported ..."
_POINTS_BACK = frozenset({"then", "this", "these", "that", "those", "it", "its", "they", "their", "such"})
# A sentence qualifying the one before it: a contrast and a pronoun in its first words
_CONTRAST = frozenset({"however", "but", "yet", "nevertheless", "nonetheless", "still"})
_PRONOUNS = frozenset({"it", "they", "he", "she"})
_QUALIFIER_WORDS = 8
_SIDE_ARTICLES = 6  # articles read whole for each side, at most
_RESTATES_PREMISE = 0.5  # share of a question's premise a sentence holds to restate it
_POSITION_ARTICLES = 5  # articles read whole for a question on which they take positions, at most
_OWN_TERMS = 3  # content terms a later part of a question needs to be scored on its own words
_COUNTS_CHECKED = 8  # "how many" candidates whose counts may count what is asked by meaning, at most
_RELATED_CHECKED = 8  # "who"/"when" candidates whose words near a name may say the relation by meaning
# A relation of one or two words is said near the name ("Who leads ISIS?"); a longer one ("Who told
# Shafaq News that the coalition is needed?") spreads over a clause, and is left to the scores.
_RELATION_WORDS = 2
_REPORTED = re.compile(r"\bthat\b", re.I)  # "Who told Shafaq News that ...?": what was said, in a clause


@dataclass(frozen=True)
class Scoring:
    """Weights of the sentence score, tuned on the question set (`qa eval`).

    A perfect sentence scores about 1, so the best score reads as a confidence in [0, 1].
    """

    cosine: float = 0.55  # embedding similarity of sentence and question
    lexical: float = 0.40  # IDF-weighted share of the question's keywords in the sentence
    rank: float = 0.05  # bonus for a better-ranked passage: rank / (1 + position)
    type_miss: float = 0.10  # the sentence lacks what is asked for (number, date, name)
    context: float = 0.10  # lexical share of the sentence with its neighbours (a quote's speaker)
    missing_entity: float = 0.40  # times the IDF-weighted share of the question's names and numbers
    #                               absent from the sentence, its neighbours and the article's metadata
    nearby: float = 0.5  # how much a name found next to the sentence (not in it) still counts as missing
    timely: float = 0.02  # the article's date matches a year the question names, or is the latest
    across_margin: float = 0.2  # in a values/positions answer, another article's best sentence within this
    modality: float = 0.25  # positions: the sentence states what the question's modal asks (see
    #                         question_modality: "Should ...?" -> "demands", "necessity")
    dated_event: float = 0.1  # positions: the sentence tells what happened in a named month, nobody's view
    kin: float = 0.5  # how much a question word counts when the sentence has a word of its family
    #                   that the stemmer keeps apart (consular ~ consulate)
    no_relation: float = 0.10  # the sentence and its neighbours hold none of the question's other words
    undated: float = 0.08  # "When ...?": no date of the sentence stands near a word of what is asked
    unknown_entity: float = 0.20  # per name or number of the question absent from every article
    join_margin: float = 0.15  # a further sentence must score within this of the best
    redundant_cosine: float = 0.85  # a further sentence this similar to a chosen one adds nothing
    counted_similarity: float = 0.5  # "How many militants ...?": a count of "fighters" counts them
    #                                  (embedding cosine of the two words; soldiers ~ attacks: 0.39)
    related_similarity: float = 0.5  # "When was the Coalition created?": "formed" says it (0.59;
    #                                  founded ~ led: 0.27, commands ~ leader: 0.35)


@dataclass
class Candidate:
    sentence: int  # global sentence index
    passage_rank: int  # position of its passage in the retrieved list
    cosine: float
    lexical: float
    type_ok: bool | None
    score: float
    # the noun phrase after the sentence that holds what it lacks ("... ended with ISIS' control of
    # the country." / "A third of Iraq after the collapse of ..."): quoted with it
    tail: int | None = None


def embed_all(embed: Callable[[str], np.ndarray], texts: list[str]) -> list[np.ndarray]:
    """The vectors of `texts`: in one call when `embed` offers `many` (see `QueryEmbed`), else one
    by one."""
    many = getattr(embed, "many", None)
    return list(many(texts)) if many is not None else [embed(t) for t in texts]


def _phrase_words(found: list[CountedBy], before: bool = False) -> list[str]:
    """The words of the noun phrases right after counts (with `before`, also the words before a
    count no noun phrase follows), lower case, once each (names count nothing)."""
    return list(
        dict.fromkeys(w.lower() for c in found if c.after or before for w in c.words if w[0].islower())
    )


def cite_marker(sentence: str, n: int) -> str:
    """`sentence` with " [n]" before its final full stop (after it when a quote closes it)."""
    stripped = sentence.rstrip()
    if stripped and stripped[-1] in ".!?" and not stripped.endswith("..."):
        return f"{stripped[:-1]} [{n}]{stripped[-1]}"
    return f"{stripped} [{n}]"


class ExtractiveAnswerer:
    """Answers by quoting the retrieved sentences that answer the question."""

    name = "extractive"

    def __init__(self, index: CorpusIndex, settings: Settings, scoring: Scoring | None = None) -> None:
        self.index = index
        self.settings = settings
        self.scoring = scoring or Scoring()
        n = len(index.sentences)
        # Each sentence's terms, and for a sentence inside a quotation its speaker's terms (named in
        # an earlier sentence), are worked out when a question first reaches the sentence: a large
        # index does not spend its start-up on sentences no question reads.
        self._terms: list[frozenset[str] | None] = [None] * n
        self._speakers: list[frozenset[str] | None] = [None] * n
        self._article_terms: dict[str, frozenset[str]] = {}
        df = index.sentence_df  # saved with the build; computed here for builds that lack it
        if df is None:
            df = {}
            for i in range(n):
                for term in self._sentence_terms(i):
                    df[term] = df.get(term, 0) + 1
        self._idf = {t: math.log(1 + (n - d + 0.5) / (d + 0.5)) for t, d in df.items()}
        self._unseen_idf = math.log(1 + (n + 0.5) / 0.5)
        self._vocabulary = sorted(self._idf)
        self._kin: dict[str, frozenset[str]] = {}
        self._aliases: dict[str, list[tuple[tuple[str, ...], tuple[str, ...]]]] = {}

    def _sentence_terms(self, sentence: int) -> frozenset[str]:
        bag = self._terms[sentence]
        if bag is None:
            bag = self._terms[sentence] = frozenset(terms(self.index.sentence_text(sentence)))
        return bag

    def _speaker_terms(self, sentence: int) -> frozenset[str]:
        """The terms of the speaker of a quotation the sentence is inside (empty: none, or named in it)."""
        bag = self._speakers[sentence]
        if bag is None:
            said = attribution(self.index, sentence)
            bag = frozenset(terms(said.speaker)) if said and not said.in_sentence else frozenset()
            self._speakers[sentence] = bag
        return bag

    def _in_article(self, doc_id: str, stems: frozenset[str]) -> frozenset[str]:
        """Those of `stems` that the article's text or metadata holds (in any of their name forms)."""
        if not stems:
            return frozenset()
        bag = self._article_bag(doc_id)
        return frozenset(s for s in stems if not name_forms(s).isdisjoint(bag))

    def _metadata_terms(self, doc_id: str) -> frozenset[str]:
        """The terms of the article's title and outlet."""
        article = self.index.articles[doc_id]
        return frozenset(terms(" ".join(x for x in (article.title, article.outlet) if x)))

    def _article_bag(self, doc_id: str) -> frozenset[str]:
        """The terms of the article's title, outlet and text (worked out once per article)."""
        bag = self._article_terms.get(doc_id)
        if bag is None:
            bag = self._article_terms[doc_id] = self._metadata_terms(doc_id) | frozenset(
                terms(self.index.articles[doc_id].text)
            )
        return bag

    def _lexical_of(self, question_terms: set[str], bag: frozenset[str], kin: float = 0.0) -> float:
        """IDF-weighted share of the question's terms found in `bag`; a term whose word family is
        there in another stem (`kin_stems`) counts `kin` of its weight."""
        if not question_terms:
            return 0.0
        total = sum(self._idf.get(t, self._unseen_idf) for t in question_terms)
        hit = sum(self._idf.get(t, self._unseen_idf) for t in question_terms & bag)
        if kin:
            hit += kin * sum(
                self._idf.get(t, self._unseen_idf)
                for t in question_terms - bag
                if not self._kin_of(t).isdisjoint(bag)
            )
        return hit / total

    def _kin_of(self, stem: str) -> frozenset[str]:
        found = self._kin.get(stem)
        if found is None:
            found = self._kin[stem] = kin_stems(stem, self._vocabulary) | stance_kin(stem)
        return found

    def _neighbours(self, sentence: int) -> list[int]:
        """The sentences just before and after `sentence` in the same article."""
        doc = self.index.sentences[sentence].doc_id
        return [
            other
            for other in (sentence - 1, sentence + 1)
            if 0 <= other < len(self.index.sentences) and self.index.sentences[other].doc_id == doc
        ]

    def _window_terms(self, sentence: int) -> frozenset[str]:
        """The terms of a sentence and of its neighbours in the same article."""
        bag = set(self._sentence_terms(sentence))
        for other in self._neighbours(sentence):
            bag |= self._sentence_terms(other)
        return frozenset(bag)

    def _window_initials(self, sentence: int) -> frozenset[str]:
        """The initials of the capitalised runs in a sentence's neighbours in the same article."""
        return frozenset().union(*(initials(self.index.sentence_text(o)) for o in self._neighbours(sentence)))

    def _idf_of(self, stem: str) -> float:
        """The IDF of a name or number; of a span of years ("2020-2021"), its commonest year's."""
        years = span_years(stem)
        if years:
            return min((self._idf.get(y, self._unseen_idf) for y in years), default=self._unseen_idf)
        return self._idf.get(stem, self._unseen_idf)

    def _missing_share(self, entities: list[list[str]], context: set[str] | frozenset[str]) -> float:
        """IDF-weighted share of the question's names and numbers that `context` lacks."""
        weights = [max(self._idf_of(s) for s in stems) for stems in entities]
        total = sum(weights)
        if not total:
            return 0.0
        missing = sum(w for stems, w in zip(entities, weights, strict=True) if not has_name(stems, context))
        return missing / total

    def _is_heading(self, sentence: int) -> bool:
        """Is this sentence the article's title or a subheading ("US the main culprit behind ISIS
        revival": short, no full stop)? A headline is not an answer."""
        ref = self.index.sentences[sentence]
        text = self.index.sentence_text(sentence).strip()
        title = self.index.articles[ref.doc_id].title
        if title and text == title.strip():
            return True
        return len(text.split()) <= _HEADING_WORDS and not _ENDS_SENTENCE.search(text)

    def _unknown_entities(self, entities: list[list[str]]) -> int:
        """How many of the question's names and numbers no article contains."""
        return sum(1 for stems in entities if all(name_forms(s).isdisjoint(self._idf) for s in stems))

    def candidates(
        self,
        question: str,
        query_vector: np.ndarray,
        passages: list[Passage],
        focus: str | None = None,
        ignore: frozenset[str] = frozenset(),
        qualified: bool = False,
    ) -> list[Candidate]:
        """Every sentence of the retrieved passages, scored, best first.

        `focus`: the words whose names and numbers the sentence must hold, when only part of
        `question` is asked ("how does that compare with 2023?" of a two-part question).
        `ignore`: terms of the question the sentence need not hold (those naming another side of
        a comparison: "from the UN report cited in 2021 to the Inspector General's view").
        `qualified`: a sentence is read with the next one when that qualifies it ("ISIS has been
        vanquished as a territorial entity." / "As an insurgent terrorist group, however, it
        continues to represent a serious threat."): a position is the two together.
        """
        row_of = self.index.row_of
        kind = question_type(focus or question)
        # "according to Abu Ragheef", "in the analysis of the Pentagon report": where the answer comes
        # from, not what it says. Its words are no part of the lexical share (a sentence that repeats
        # the source is no better an answer), and its names, found anywhere in an article, are not
        # missing from any of the article's sentences.
        source = source_terms(question)
        question_terms = (set(terms(question)) - source or set(terms(question))) - ignore
        # "Militias want Baghdad to act on a decision of parliament: what kind of resolution was
        # it?": the premise is given; what is asked names what the sentence must hold.
        premise = premise_of(focus or question)
        asked = premise[1] if premise else focus or question
        entities = [e for e in question_entities(asked) if not set(e) <= ignore]
        premise_terms = set(terms(premise[0])) if premise else set()
        asked_terms = set(terms(asked)) - premise_terms
        acronyms = question_acronyms(focus or question)
        counted = counted_term(focus or question) if kind == "count" else None
        w = self.scoring
        # What the question says about its names: "succeeded ... as leader", "population".
        relation = (
            set(terms(asked))
            - {y for stems in entities for t in stems for y in span_years(t) or [t]}
            - ignore
        )
        predicate = relation - {counted} if kind == "count" else set()  # what it says of the counted
        years, recent = question_years(question), asks_for_recent(question)
        times = [self._article_time(p.doc_id).sort_key for p in passages]
        newest = max((t for t in times if t != "9999"), default="")
        seen: set[int] = set()
        out: list[Candidate] = []
        for rank, passage in enumerate(passages):
            row = row_of.get(passage.passage_id)
            if row is None:
                continue
            first, last = self.index.passage_sentences[row]
            when = self._article_time(passage.doc_id).sort_key
            metadata = set(terms(" ".join(x for x in (passage.title, passage.outlet, passage.date) if x)))
            timely = (years and when[:4] in years) or (recent and when == newest)
            sourced = self._in_article(passage.doc_id, source)
            for s in range(first, last + 1):
                if s in seen or self._is_heading(s) or self._continues(s):
                    continue  # a piece that goes on from the sentence before is read with that one
                seen.add(s)
                text = self.index.sentence_text(s)
                cosine = float(self.index.sentence_vectors[s] @ query_vector)
                own = self._sentence_terms(s) | self._speaker_terms(s)  # a quote's speaker too
                # '... the role of training and guidance.” and assistance and intelligence sharing, ...':
                # a full stop the source put inside a sentence does not end it
                goes_on = (
                    s + 1
                    if s < last and (self._continues(s + 1) or (qualified and self._qualifies(s + 1)))
                    else None
                )
                if goes_on is not None:
                    text = f"{text} {self.index.sentence_text(goes_on)}"
                    cosine = max(cosine, float(self.index.sentence_vectors[goes_on] @ query_vector))
                    own |= self._sentence_terms(goes_on)
                lexical = self._lexical_of(question_terms, own, w.kin)
                window = self._window_terms(s) | own  # the sentence's neighbours add to what it says
                context = self._lexical_of(question_terms, window, w.kin)
                # A year stated next to the sentence scopes it too ("In the first half of 2024, ...
                # In Iraq, 137 partnered operations ..."): it is not missing.
                own |= {t for t in window if _YEARLIKE.fullmatch(t)}
                if acronyms:  # "the UN" is "the United Nations Sanctions Monitoring Team"
                    spelled = {stem for acronym, stem in acronyms.items() if acronym in initials(text)}
                    around = {  # spelled out in a neighbour: "The report ... stressing that ISIS ..."
                        stem for acronym, stem in acronyms.items() if acronym in self._window_initials(s)
                    }
                    own, window = own | spelled, window | spelled | around
                ok = has_type(kind, text, question)
                if ok and kind == "count":
                    ok = self._count_is_of_what_is_asked(s, text, window, predicate, question)
                tail = goes_on
                if ok is False and tail is None and s < last and self._completes(s + 1, kind, question):
                    ok, tail = True, s + 1
                if (  # none of what is asked, much of the premise: the premise restated, no answer
                    premise_terms
                    and asked_terms
                    and not asked_terms & own
                    and self._lexical_of(premise_terms, own) >= _RESTATES_PREMISE
                ):
                    ok = False
                score = (
                    w.cosine * max(cosine, 0.0)
                    + w.lexical * lexical
                    + w.context * context
                    + w.rank / (1 + rank)
                )
                # A name or number of the question should be in the sentence; next to it counts less.
                in_sentence = self._missing_share(entities, own | metadata | sourced)
                nearby = self._missing_share(entities, window | metadata | sourced)
                score -= w.missing_entity * (w.nearby * nearby + (1 - w.nearby) * in_sentence)
                if timely:  # "in 2024", "the latest": the article of that time
                    score += w.timely
                if ok is False or (counted and counted not in own):  # "how many troops": of troops
                    score -= w.type_miss
                elif ok and kind == "time" and not dates_asked(text, (relation or asked_terms) - source):
                    score -= w.undated  # a date, but of something else than what is asked
                if relation and not relation & window:
                    score -= w.no_relation
                out.append(Candidate(s, rank, cosine, lexical, ok, score, tail))
        out.sort(key=lambda c: (-c.score, c.sentence))
        return out

    def _counting(
        self,
        question: str,
        ranked: list[Candidate],
        embed: Callable[[str], np.ndarray] | None,
        across: bool = False,
    ) -> list[Candidate]:
        """`ranked` without the sentences whose counts count something else than a "how many"
        question asks for: "How many soldiers were killed?" is not answered by "ISIS launched two
        attacks ..., killing and wounding army and civilians", nor "How many US troops are at the
        base?" by "... at the two large bases". A count's words (`count_nouns`) must hold a word of
        what is counted, by stem, or by meaning (`counted_similarity`: militants ~ fighters) while
        no candidate has passed among the first `_COUNTS_CHECKED`. With `across` (the answer
        takes a figure from each of several articles, each in its own words: "reduce the number of
        soldiers in Iraq to 2,500" in one, "2,500 US troops" in another), by meaning among the
        first `_COUNTS_CHECKED` per article read, the words before a count included."""
        counted = counted_words(question)
        if not counted:
            return ranked
        asked = {stem for word in counted for stem in terms(word)}
        checked = _COUNTS_CHECKED * (
            len({self.index.sentences[c.sentence].doc_id for c in ranked}) if across else 1
        )
        vectors: dict[str, np.ndarray] = {}
        if embed is not None:  # the words the meaning check may read, encoded together in one pass
            words = [w for cand in ranked[:checked] for w in _phrase_words(self._counts_of(cand), across)]
            texts = list(dict.fromkeys(counted + words))
            vectors = dict(zip(texts, embed_all(embed, texts), strict=True))
        kept: list[Candidate] = []
        for i, cand in enumerate(ranked):
            # by meaning only until one passes (across articles: for every one), among the first few
            by_meaning = vectors if (across or not kept) and i < checked else None
            if self._counts(cand, asked, counted, by_meaning, across):
                kept.append(cand)
        return kept

    def _relating(
        self, question: str, ranked: list[Candidate], embed: Callable[[str], np.ndarray] | None
    ) -> list[Candidate]:
        """`ranked` without the sentences that name what a "who" or "when" question asks about but
        say the question's relation of something else: "When was ISIS founded?" is not answered by
        "The Global Coalition against Daesh (ISIS) ... was formed in September 2014", nor "Who leads
        ISIS today?" by "The Government of Iraq is a leading member of the Global Coalition, ...
        ensure Daesh cells can find no safe havens" (see `qa.relation`). Each word of the relation,
        or a word of its kin or (among the first `_RELATED_CHECKED`, a plain word) of its meaning,
        must stand near a free mention of a name. A sentence that names none of them is left to the
        other checks, and so is a question whose relation takes more than `_RELATION_WORDS` words
        or a clause of what someone said ("Who told Shafaq News that the coalition is needed?")."""
        if question_type(question) not in ("time", "person"):
            return ranked
        premise = premise_of(question)
        asked = premise[1] if premise else question
        source = source_terms(question)  # "according to the article on the US ...": not what is asked
        relation = [w for w in relation_words(asked) if not set(terms(w)) <= source]
        names = [e for e in question_entities(asked) if not e[-1][:1].isdigit() and not set(e) <= source]
        if not relation or len(relation) > _RELATION_WORDS or not names or _REPORTED.search(asked):
            return ranked
        wanted = {word: {*terms(word)} for word in relation}
        for stems in wanted.values():
            stems |= {kin for stem in set(stems) for kin in self._kin_of(stem)}
        near = [self._words_near_names(cand, names) for cand in ranked]
        vectors: dict[str, np.ndarray] = {}
        if embed is not None:  # the words the meaning check may read, encoded together in one pass
            words = [w for found in near[:_RELATED_CHECKED] if found for w in plain_words(found)]
            texts = list(dict.fromkeys(relation + words))
            vectors = dict(zip(texts, embed_all(embed, texts), strict=True))
        kept: list[Candidate] = []
        for i, (cand, found) in enumerate(zip(ranked, near, strict=True)):
            if found is None:
                kept.append(cand)
                continue
            stems = {s for w in found for s in terms(w)}
            plain = plain_words(found) if i < _RELATED_CHECKED and vectors else []
            # every word of the relation: "Who won the 2021 Iraqi election?" is not answered by a
            # sentence that has "President" near "Iraqi" and nothing of winning
            if all(
                not wanted[a].isdisjoint(stems)
                or any(float(vectors[a] @ vectors[w]) >= self.scoring.related_similarity for w in plain)
                for a in relation
            ):
                kept.append(cand)
        return kept

    def _words_near_names(self, cand: Candidate, names: list[list[str]]) -> list[str] | None:
        sentences = [cand.sentence] if cand.tail is None else [cand.sentence, cand.tail]
        text = " ".join(self.index.sentence_text(s) for s in sentences)
        doc_id = self.index.sentences[cand.sentence].doc_id
        aliases = self._aliases.get(doc_id)
        if aliases is None:
            aliases = self._aliases[doc_id] = article_aliases(self.index.articles[doc_id].text)
        return words_near_names(text, names, aliases)

    def _counts(
        self,
        cand: Candidate,
        asked: set[str],
        counted: list[str],
        vectors: dict[str, np.ndarray] | None,
        before: bool = False,
    ) -> bool:
        """Does a count of the candidate's sentence (or of its tail) count one of `counted`: by stem
        among the words that say what it counts, or, with `vectors` (of `counted` and of the
        `_phrase_words`), by the meaning of the noun phrase right after it ("1,000 ISIS fighters"
        for "militants")?"""
        found = self._counts_of(cand)
        if any(asked & set(terms(" ".join(c.words))) for c in found):
            return True
        if vectors is None:
            return False
        words = _phrase_words(found, before)
        return any(
            float(vectors[a] @ vectors[b]) >= self.scoring.counted_similarity for a in counted for b in words
        )

    def _counts_of(self, cand: Candidate) -> list[CountedBy]:
        sentences = [cand.sentence] if cand.tail is None else [cand.sentence, cand.tail]
        return [c for s in sentences for c in count_nouns(self.index.sentence_text(s))]

    def _count_is_of_what_is_asked(
        self, sentence: int, text: str, window: frozenset[str], predicate: set[str], question: str
    ) -> bool:
        """Is the count `text` holds (sentence `sentence`, `window` its terms and its neighbours')
        one of what the question asks, as far as the sentence and its neighbours tell?

        - In the place asked: "The US also deployed Patriot missile defenses to the two military
          bases" names no place of its own, but the sentence before puts the bases in Iraq, not
          in the Syria asked.
        - Of what the question says of the counted thing (`predicate`): "How many US soldiers died
          in Iraq?" is not answered by "reduce the number of soldiers in Iraq to 2,500"; one of
          those words, or its kin, must be in the sentence or beside it.
        """
        if names_place(text, question) is None:
            around = [names_place(self.index.sentence_text(o), question) for o in self._neighbours(sentence)]
            if False in around and True not in around:
                return False
        return not predicate or any(t in window or not self._kin_of(t).isdisjoint(window) for t in predicate)

    def _continues(self, sentence: int) -> bool:
        """Does `sentence` go on from the one before it in its article, opening in lower case
        ("and assistance and intelligence sharing, ..." after "... training and guidance.”") or
        as the attribution of the quotation that one closes ("CENTCOM said.")? A heading or
        caption is no part of a sentence, before or after."""
        return goes_on(self.index.sentence_text(sentence)) and self._follows_in_article(sentence)

    def _follows_in_article(self, sentence: int) -> bool:
        """Is there a sentence before `sentence` in its article, and neither is a heading or caption?"""
        previous = sentence - 1
        return (
            previous >= 0
            and self.index.sentences[previous].doc_id == self.index.sentences[sentence].doc_id
            and not self._is_heading(sentence)
            and not self._is_heading(previous)
        )

    def _qualifies(self, sentence: int) -> bool:
        """Does `sentence` qualify the one before it: a contrast and a pronoun that points back in its
        first words ("As an insurgent terrorist group, however, it continues to ...")?"""
        words = [
            w.strip(",;:\"“”‘’'()").lower()
            for w in self.index.sentence_text(sentence).split()[:_QUALIFIER_WORDS]
        ]
        return (
            bool(_CONTRAST & set(words))
            and bool(_PRONOUNS & set(words))
            and self._follows_in_article(sentence)
        )

    def _completes(self, sentence: int, kind: str | None, question: str) -> bool:
        """Is `sentence` a noun phrase set off from the one before it (no verb of its own, see
        `is_fragment`) that holds what the question asks for, a count or a date the one before lacks?"""
        text = self.index.sentence_text(sentence)
        return not self._is_heading(sentence) and is_fragment(text) and bool(has_type(kind, text, question))

    def confidence(self, question: str, best: Candidate | None) -> float:
        if best is None:
            return 0.0
        entities = question_entities(question)
        penalty = self.scoring.unknown_entity * self._unknown_entities(entities)
        score = max(0.0, best.score - penalty)
        if score < self.settings.abstain_threshold and self._counts_what_is_asked(question, best, entities):
            return self.settings.abstain_threshold  # "Comprising 87 members, its main goal is ..."
        return score

    def _counts_what_is_asked(self, question: str, cand: Candidate, entities: list[list[str]]) -> bool:
        """Does the sentence give a count right before the word a "how many" question counts ("87
        members"), with every name and number of the question in it, its neighbours or its
        article's title and outlet? Such a sentence answers, however few of the question's other
        words it repeats ("its main goal": the coalition is named the sentence before). One that
        lacks the question's year ("during 2022") does not."""
        counted = counted_term(question)
        if counted is None or not any(
            c.after and counted in terms(" ".join(c.words)) for c in self._counts_of(cand)
        ):
            return False
        meta = self._metadata_terms(self.index.sentences[cand.sentence].doc_id)
        return self._missing_share(entities, self._window_terms(cand.sentence) | meta) == 0

    def answer(
        self,
        question: str,
        query_vector: np.ndarray,
        passages: list[Passage],
        embed: Callable[[str], np.ndarray] | None = None,
        on_token: Callable[[str], None] | None = None,
        search: Callable[[str], list[Passage]] | None = None,
    ) -> Answer:
        """An answer built from `passages` (best first), or an abstention listing them.

        With `embed` (text -> query vector), a question that asks two things is
        answered part by part; a part the passages don't answer is named in a note.
        With `search` (text -> its best passages, under the question's filters), each part
        also reads its own best passages: those of the whole question favour the part that
        most of its words are about.
        `on_token` is part of the answerers' common call; quoting has no draft to stream.
        """
        topic = question_topic(question)  # without "How do the articles differ?"
        parts = split_question(topic)
        if embed is not None and len(parts) > 1:
            return self._answer_parts(question, parts, passages, embed, search)
        if topic != question and embed is not None:
            query_vector = embed(topic)
        return self._answer_one(question, query_vector, passages, topic, embed)

    def rewrite(self, question: str, previous: list[str]) -> str:
        """A follow-up completed from the earlier questions (oldest first), by rule."""
        return rewrite_followup(question, previous)

    def _best_with_more(self, ranked: list[Candidate], question_terms: set[str]) -> list[Candidate]:
        """The best candidate, and up to `max_answer_sentences - 1` more that score within
        `join_margin` of it, are not near-copies of a chosen one, and add words of the question
        (or another article's view)."""
        best = ranked[0]
        chosen = [best]
        floor = max(self.settings.abstain_threshold, best.score - self.scoring.join_margin)
        covered = question_terms & self._sentence_terms(best.sentence)
        vectors = self.index.sentence_vectors
        for cand in ranked[1:]:
            if len(chosen) >= self.settings.max_answer_sentences or cand.score < floor:
                break
            if (
                cand.type_ok is False
                or len(self.index.sentence_text(cand.sentence).split()) < _MIN_EXTRA_WORDS
            ):
                continue  # a sentence, not a stray fragment ("from Iraq and Syria.")
            if any(
                float(vectors[cand.sentence] @ vectors[c.sentence]) > self.scoring.redundant_cosine
                for c in chosen
            ):
                continue
            new_terms = (question_terms & self._sentence_terms(cand.sentence)) - covered
            other_article = all(
                self.index.sentences[cand.sentence].doc_id != self.index.sentences[c.sentence].doc_id
                for c in chosen
            )
            if not new_terms and not other_article:
                continue
            covered |= new_terms
            chosen.append(cand)
        return chosen

    def _answer_parts(
        self,
        question: str,
        parts: list[str],
        passages: list[Passage],
        embed: Callable[[str], np.ndarray],
        search: Callable[[str], list[Passage]] | None = None,
    ) -> Answer:
        threshold = self.settings.abstain_threshold
        chosen: list[Candidate] = []
        confidences: list[float] = []
        unanswered: list[str] = []
        combined = list(passages)  # the passages read, those of the whole question first
        for part in parts:
            taken = {c.sentence for c in chosen}
            own = part.split(" (", 1)[0]  # a later part's borrowed context is not what it asks
            read = list(passages)
            if search is not None:
                seen = {p.passage_id for p in read}
                read += [p for p in search(part) if p.passage_id not in seen]
            # A part that says enough in its own words is scored on them alone: the first part's
            # words it carries (to be searched with) would favour the first part's answer.
            # "..., and by what aircraft?" has too few of its own.
            scored = own if len(terms(own)) >= _OWN_TERMS else part
            ranked = [
                c
                for c in self.candidates(scored, embed(scored), read, focus=own)
                if c.sentence not in taken and c.type_ok is not False
            ]
            ranked = self._counting(own, self._relating(own, ranked, embed), embed)
            best = ranked[0] if ranked else None
            confidence = self.confidence(own, best)
            if best is None or confidence < threshold:
                unanswered.append(own)
                continue
            confidences.append(confidence)
            premise = premise_of(own)  # a premise's words are given, not what a further sentence adds
            more = self._best_with_more(ranked, set(terms(premise[1] if premise else own)))
            chosen += [self._cited_in(combined, read, c) for c in more]
        if not chosen:
            return self._abstain(question, passages, max(confidences, default=0.0))
        dated = any(asks_changing_value(part) for part in parts)
        answer = self._compose(question, combined, chosen, min(confidences), dated=dated)
        notes = [f"The articles don't answer this part: “{part}”" for part in unanswered]
        return dataclasses.replace(answer, notes=notes)

    def _answer_one(
        self,
        question: str,
        query_vector: np.ndarray,
        passages: list[Passage],
        topic: str | None = None,
        embed: Callable[[str], np.ndarray] | None = None,
    ) -> Answer:
        """The answer to a question that asks one thing; `topic` is what it asks about (the question
        without its request for a form, see `question_topic`), `query_vector` that topic's vector."""
        topic = topic or question
        ranked = self.candidates(topic, query_vector, passages)
        mode = question_mode(question)
        # "How many ...?" answered without a number, "When ...?" without a date: not an answer.
        typed = [c for c in ranked if c.type_ok is not False]
        sides = question_sides(question) if mode == "values" and embed is not None else []
        if sides and embed is not None and typed:  # the articles (or years) compared, each read whole
            confidence = self.confidence(topic, typed[0])
            by_side = self._answer_sides(question, topic, query_vector, passages, sides, embed, confidence)
            if by_side is not None:
                return by_side
        # A values answer without named sides takes each article's figure in its own words: the
        # count is checked by meaning for every article.
        typed = self._relating(topic, typed, embed)
        ranked = self._counting(topic, typed, embed, across=mode == "values" and not sides)
        best = ranked[0] if ranked else None
        confidence = self.confidence(topic, best)
        threshold = self.settings.abstain_threshold
        if mode in ("positions", "views") and best is not None:
            positions = self._answer_positions(question, topic, query_vector, passages, confidence, mode)
            if positions is not None:
                return positions
        if mode in ("positions", "values") and best is not None:
            by_article = self._answer_across(question, passages, ranked, mode, confidence)
            if by_article is not None:
                return by_article
        if best is None or confidence < threshold:
            return self._abstain(question, passages, confidence)

        chosen = self._best_with_more(ranked, set(terms(topic)))
        # a judgement one article alone gives is that article's, and a figure (or who holds a post)
        # holds at its article's date: each is said with its source and date
        dated = mode == "views" or asks_changing_value(topic)
        return self._compose(question, passages, chosen, confidence, dated=dated)

    def _answer_across(
        self, question: str, passages: list[Passage], ranked: list[Candidate], mode: str, confidence: float
    ) -> Answer | None:
        """One sentence from each of two or three articles, oldest first, each with its source and date.

        "values": how a quantity or state changed; "positions": how the articles differ. None when
        fewer than two articles have a good enough sentence (the ordinary answer is used then).
        """
        threshold = self.settings.abstain_threshold
        floor = max(0.8 * threshold, ranked[0].score - self.scoring.across_margin)
        named = article_years(question)  # "between the 2021 article and the July 2024 one"
        if len({self._time_of(c).sort_key[:4] for c in ranked} & named) < 2:
            named = set()
        best_of: dict[str, Candidate] = {}
        for cand in ranked:
            if cand.score < (0.8 * threshold if named else floor):  # named articles: their best will do
                break
            if (mode == "values" and cand.type_ok is False) or (
                named and self._time_of(cand).sort_key[:4] not in named
            ):
                continue
            best_of.setdefault(self.index.sentences[cand.sentence].doc_id, cand)
        sides = list(best_of.values())[:3]
        if len(sides) < 2 or max(c.score for c in sides) < threshold:
            return None
        return self._compose_sides(question, passages, sides, mode, confidence)

    def _answer_positions(
        self,
        question: str,
        topic: str,
        query_vector: np.ndarray,
        passages: list[Passage],
        confidence: float,
        mode: str = "positions",
    ) -> Answer | None:
        """Each retrieved article's position, one sentence each (up to `_POSITION_ARTICLES`), read
        from the whole article: where an article states its view need not be among the passages
        retrieved for the whole question. `mode` "positions": the question asks how the articles
        differ, and the answer records their disagreement; "views": a yes-or-no judgement, whose
        answers are set side by side with their sources but not declared to differ (whether two
        sentences disagree is not something this answerer can tell).

        A sentence that is itself a question is no position; one that states what the question's
        modal asks ("Should ...?": "the national interest demands ...") or the state it asks about
        ("Has ISIS been defeated?": "... declares that ISIS is defeated") scores `modality` higher;
        one that tells what happened in a named month and is nobody's quoted view ("The Global
        Coalition ... was formed in September 2014") is background and scores `dated_event` lower.
        A sentence is read with the next one when that qualifies it (see `candidates`).
        An article whose best sentence scores under half the abstention threshold (for "views",
        under the threshold: nothing asked it to take a side) says nothing on the question and is
        left out, as is one whose best sentence, for a question with a modal,
        does not state that modality. None when fewer than two articles are left (or none of
        their sentences reaches the threshold): the other answers are tried then.
        """
        w = self.scoring
        threshold = self.settings.abstain_threshold
        marks, state = question_modality(topic), question_state(topic)
        modal_verbs = modal_verb_terms(topic)
        combined = list(passages)
        found: list[tuple[Candidate, list[Passage]]] = []  # each article's best sentence, and the article
        for doc in dict.fromkeys(p.doc_id for p in passages):
            read = self._whole_article(doc, passages)
            ranked = []
            for cand in self.candidates(topic, query_vector, read, ignore=modal_verbs, qualified=True):
                text = self.index.sentence_text(cand.sentence).rstrip()
                if cand.type_ok is False or text.endswith("?"):
                    continue
                if states_modality(text, marks) or states_state(text, state):
                    cand = dataclasses.replace(cand, score=cand.score + w.modality)
                if names_month(text) and attribution(self.index, cand.sentence) is None:
                    cand = dataclasses.replace(cand, score=cand.score - w.dated_event)
                ranked.append(cand)
            ranked.sort(key=lambda c: (-c.score, c.sentence))
            if not ranked or ranked[0].score < (threshold if mode == "views" else threshold / 2):
                continue
            if marks and not states_modality(self.index.sentence_text(ranked[0].sentence), marks):
                continue  # "Should ...?": an article that says nothing of what is needed takes no side
            found.append((ranked[0], read))
        found.sort(key=lambda f: -f[0].score)  # the articles with the most to say on it
        chosen = [self._cited_in(combined, read, c) for c, read in found[:_POSITION_ARTICLES]]
        articles = {self.index.sentences[c.sentence].doc_id for c in chosen}
        if len(articles) < 2 or max(c.score for c in chosen) < threshold:
            return None
        return self._compose_sides(question, combined, chosen, mode, confidence)

    def _answer_sides(
        self,
        question: str,
        topic: str,
        query_vector: np.ndarray,
        passages: list[Passage],
        sides: list[Side],
        embed: Callable[[str], np.ndarray],
        confidence: float,
    ) -> Answer | None:
        """Values from the articles (or years) a question compares, one sentence from each.

        "Between the 2021 article on the end of the US combat mission and the July 2024 Shafaq News
        article": each side is the retrieved article of that year that its description fits best,
        read whole (the passage that states the value need not be among those retrieved). None when
        a side has no such article or no good enough sentence in it.
        """
        floor = 0.8 * self.settings.abstain_threshold
        chosen: list[Candidate] = []
        combined = list(passages)
        pieces = side_pieces(question, sides)
        # what each side is searched and fitted by, encoded together up front (side by side on the
        # cores; the calls below then find them encoded)
        embed_all(
            embed, list(dict.fromkeys(t for s in sides for t in (f"{topic} {s.about}".strip(), s.about) if t))
        )
        for side, others, piece in zip(sides, other_sides_words(question, sides), pieces, strict=True):
            if side.years and not self._fits_years(side.years).any():
                # "from its return in 2014 to ... July 2024": no article is of 2014, so 2014 is when
                # something happened; the side is the best sentence, in any article, that names it
                event = self._event_side(side, piece, topic, query_vector, passages, embed, others)
                if event is None or event[0].score < floor:
                    return None
                chosen += [self._cited_in(combined, event[1], event[0])]
                continue
            # the side's articles were chosen for its years (and the month before one: "as described
            # in July 2024"): its sentences need not repeat them
            dated = side.years | months_before(question, side.years)
            options: list[tuple[float, float, str, list[Candidate], list[Passage]]] = []
            for doc in self._side_articles(side, topic, passages, embed):
                if doc in {self.index.sentences[c.sentence].doc_id for c in chosen}:
                    continue
                read = self._whole_article(doc, passages)
                ranked = [
                    c
                    for c in self.candidates(topic, query_vector, read, ignore=others | dated)
                    if c.type_ok is not False
                ]
                if ranked and ranked[0].score >= floor:
                    fit = self._fit(side.about, doc, embed) if side.about else 0.0
                    options.append((fit, ranked[0].score, doc, ranked, read))
            if not options:
                return None
            _, _, _, ranked, read = max(options, key=lambda o: (o[0], o[1]))
            chosen += [self._cited_in(combined, read, c) for c in self._with_neighbour(ranked)]
        chosen.sort(key=lambda c: self._time_of(c).sort_key)
        return self._compose_sides(question, combined, chosen, "values", confidence)

    def _event_side(
        self,
        side: Side,
        piece: str,
        topic: str,
        query_vector: np.ndarray,
        passages: list[Passage],
        embed: Callable[[str], np.ndarray],
        others: frozenset[str],
    ) -> tuple[Candidate, list[Passage]] | None:
        """The best sentence naming one of the side's years, among the retrieved passages and those
        nearest the topic with the side's piece of the question ("its return in 2014"), and the
        passages read; one whose year dates the piece's words ("returned with huge forces in
        2014") before one that only names the year. None when no sentence names it."""
        query = embed(" ".join([topic, piece or " ".join(sorted(side.years)), side.about]).strip())
        seen = {p.passage_id for p in passages}
        found = [self.index.passages[row] for row, _ in dense_ranking(self.index, query, _SIDE_SEARCH)]
        read = list(passages) + [p for p in found if p.passage_id not in seen]
        own = set(terms(piece)) - side.years
        naming = [
            cand
            for cand in self.candidates(topic, query_vector, read, ignore=others)
            if cand.type_ok is not False
            and side.years & question_years(self.index.sentence_text(cand.sentence))
        ]
        dating = [c for c in naming if dates_asked(self.index.sentence_text(c.sentence), own)]
        best = (dating or naming or [None])[0]
        return (best, read) if best is not None else None

    def _with_neighbour(self, ranked: list[Candidate]) -> list[Candidate]:
        """The best candidate and, when the sentence next to it scores within `join_margin` of it
        and one goes on from the other, that one too, in text order: an article often states a
        value over two sentences ("A report by the UN team stated ..." / "The report ...
        stressing that ISIS has developed into ...")."""
        best = ranked[0]
        vectors = self.index.sentence_vectors
        for cand in ranked[1:]:
            if cand.score < best.score - self.scoring.join_margin:
                break
            first, second = sorted((best.sentence, cand.sentence))
            if (
                second - first == 1
                and self._goes_on(first, second)
                and self.settings.max_answer_sentences > 1
                and len(self.index.sentence_text(cand.sentence).split()) >= _MIN_EXTRA_WORDS
                and float(vectors[cand.sentence] @ vectors[best.sentence]) <= self.scoring.redundant_cosine
            ):
                return sorted([best, cand], key=lambda c: c.sentence)
        return [best]

    def _goes_on(self, earlier: int, later: int) -> bool:
        """Does sentence `later` go on from `earlier`: open by pointing back ("Then ...", "This
        ...") or with "The" and words all found in `earlier` ("The report, which ..." after "A
        report by ...")? "The US troops, which ..." does not go on from a sentence without troops."""
        words = self.index.sentence_text(later).split()
        if not words:
            return False
        head = words[0].strip("\"“‘'(").lower()
        if head in _POINTS_BACK:
            return True
        if head != "the":
            return False
        phrase: list[str] = []
        for word in words[1:4]:
            phrase.append(word)
            if word[-1] in ",;:" or word.lower() in STOPWORDS:
                break
        named = terms(" ".join(phrase))
        return bool(named) and set(named) <= self._sentence_terms(earlier)

    @staticmethod
    def _cited_in(combined: list[Passage], read: list[Passage], cand: Candidate) -> Candidate:
        """`cand`, found among `read`, renumbered to its passage in `combined` (added when new)."""
        passage = read[cand.passage_rank]
        rank = next((i for i, p in enumerate(combined) if p.passage_id == passage.passage_id), None)
        if rank is None:
            rank = len(combined)
            combined.append(passage)
        return dataclasses.replace(cand, passage_rank=rank)

    def _side_articles(
        self, side: Side, topic: str, passages: list[Passage], embed: Callable[[str], np.ndarray]
    ) -> list[str]:
        """The articles that may be a side: the retrieved ones of its years, then those of its years
        closest to the topic and the side's description (the question's retrieval, made for the
        whole question, need not have reached them)."""
        fits = self._fits_years(side.years)
        position = self.index.article_position
        docs = [p.doc_id for p in passages if fits[position[p.doc_id]]]
        allowed = fits[self.index.passage_article]
        if allowed.any():
            query = embed(f"{topic} {side.about}".strip())
            found = dense_ranking(self.index, query, _SIDE_SEARCH, allowed)
            docs += [self.index.passages[row].doc_id for row, _ in found]
        return list(dict.fromkeys(docs))[:_SIDE_ARTICLES]

    def _fits_years(self, years: frozenset[str]) -> np.ndarray:
        """Over the articles (by position): could each be of one of `years`? All, when none is named."""
        if not years:
            return np.ones(len(self.index.article_ids), dtype=bool)
        fits = np.zeros(len(self.index.article_ids), dtype=bool)
        for year in years:  # each year's mask is worked out once per index (16,000 articles: 20 ms)
            mask = self.index.cache.get(f"fits_year:{year}")
            if mask is None:
                times = self._article_times()
                mask = np.fromiter((fits_year(t, year) for t in times), dtype=bool, count=len(times))
                self.index.cache[f"fits_year:{year}"] = mask
            fits |= mask
        return fits

    def _article_times(self) -> list[ArticleTime]:
        """Each article's time, by position in the index (worked out once)."""
        times = self.index.cache.get("article_times")
        if times is None:
            ids = self.index.article_ids
            times = self.index.cache["article_times"] = [article_time(self.index.articles[d]) for d in ids]
        return times

    def _article_time(self, doc_id: str) -> ArticleTime:
        return self._article_times()[self.index.article_position[doc_id]]

    def _whole_article(self, doc_id: str, passages: list[Passage]) -> list[Passage]:
        """All the passages of an article: those retrieved first, in their order, then the rest."""
        rows = np.flatnonzero(self.index.passage_article == self.index.article_position[doc_id])
        retrieved = [p for p in passages if p.doc_id == doc_id]
        seen = {p.passage_id for p in retrieved}
        rest = [self.index.passages[r] for r in rows]
        return retrieved + [p for p in rest if p.passage_id not in seen]

    def _fit(self, about: str, doc_id: str, embed: Callable[[str], np.ndarray]) -> float:
        """How well an article fits a question's description of it ("on fears of an Afghan scenario",
        "Shafaq News"): the share of its words in the article's metadata and text, plus the
        similarity of its closest sentence."""
        lexical = self._lexical_of(set(terms(about)), self._article_bag(doc_id))
        rows = np.flatnonzero(self.index.sentence_article == self.index.article_position[doc_id])
        closest = float((self.index.sentence_vectors[rows] @ embed(about)).max()) if len(rows) else 0.0
        return lexical + closest

    def _compose_sides(
        self, question: str, passages: list[Passage], sides: list[Candidate], mode: str, confidence: float
    ) -> Answer:
        """The answer quoting one sentence per side (oldest first), each with its source and date,
        and the disagreement it records: positions always, values when the figures differ, views
        never (a yes-or-no judgement's answers, not checked for agreement)."""
        sides = sorted(sides, key=lambda c: self._time_of(c).sort_key)
        answer = self._compose(question, passages, sides, confidence, dated=True)
        # One side per [n]: a sentence quoted with the one that qualifies it or goes on from it
        # (its tail) shares its [n], and gives its figures (years aside) with it.
        figures: dict[int, set[str]] = {}
        for c in answer.citations:
            figures.setdefault(c.n, set()).update(
                n for n in numbers_in(c.quote) if not _YEARLIKE.fullmatch(n)
            )
        cited = [c for i, c in enumerate(answer.citations) if all(c.n != e.n for e in answer.citations[:i])]
        by_article: dict[str, set[str]] = {}  # an article quoted in two passages gives their figures
        for c in cited:
            by_article.setdefault(c.doc_id, set()).update(figures[c.n])
        differ = mode == "positions" or len({frozenset(n) for n in by_article.values()}) > 1
        disagreement = None
        if mode == "positions":
            disagreement = {
                "kind": "positions",
                "sides": [
                    {"n": c.n, "doc_id": c.doc_id, "date": c.date, "speaker": c.speaker} for c in cited
                ],
            }
            note = "The articles take different positions, each quoted with its source and date."
        elif mode == "views":
            note = (
                "What each article says on the question, quoted with its source and date; "
                "read them together, as they may not agree."
            )
        else:
            note = "Values from articles of different dates, oldest first." + (
                " They differ." if differ else ""
            )
            if differ:
                disagreement = {
                    "kind": "values",
                    "sides": [
                        {"n": c.n, "doc_id": c.doc_id, "date": c.date, "values": sorted(figures[c.n])}
                        for c in cited
                    ],
                }
        return dataclasses.replace(answer, notes=[note], disagreement=disagreement)

    def _time_of(self, cand: Candidate) -> ArticleTime:
        """The time of the candidate's article (stated, or the latest year its text mentions)."""
        return self._article_time(self.index.sentences[cand.sentence].doc_id)

    def _compose(
        self,
        question: str,
        passages: list[Passage],
        chosen: list[Candidate],
        confidence: float,
        dated: bool = False,
    ) -> Answer:
        """The answer quoting `chosen`; with `dated`, each sentence is introduced by its source and date."""
        quoted = {c.sentence for c in chosen}
        with_tails: list[Candidate] = []
        run_on: dict[int, int] = {}  # a sentence -> the piece it is quoted with as one
        for cand in chosen:  # a sentence's tail right after it, unless quoted on its own
            with_tails.append(cand)
            if cand.tail is None or cand.tail in quoted:
                continue
            if self._continues(cand.tail):  # "... large areas. from Iraq and Syria.": one quote, one [n]
                run_on[cand.sentence] = cand.tail
            else:  # a sentence of its own that qualifies or completes it: quoted next, same [n]
                with_tails.append(dataclasses.replace(cand, sentence=cand.tail, tail=None))
        chosen = with_tails
        cited_ranks: list[int] = []
        for cand in chosen:
            if cand.passage_rank not in cited_ranks:
                cited_ranks.append(cand.passage_rank)
        order = cited_ranks + [r for r in range(len(passages)) if r not in cited_ranks]
        numbered = [passages[r] for r in order]
        number_of = {rank: i + 1 for i, rank in enumerate(order)}
        citations: list[Citation] = []
        parts: list[str] = []
        for cand in chosen:
            ref = self.index.sentences[cand.sentence]
            passage = passages[cand.passage_rank]
            n = number_of[cand.passage_rank]
            start = ref.start
            end = self.index.sentences[run_on[cand.sentence]].end if cand.sentence in run_on else ref.end
            quote = self.index.articles[ref.doc_id].text[start:end]
            if numbered_item := _LIST_NUMBER.match(quote):  # "3. The bigger intention ...": not the "3."
                start += numbered_item.end()
                quote = quote[numbered_item.end() :]
            said = attribution(self.index, cand.sentence)
            follows = bool(citations) and citations[-1].doc_id == ref.doc_id  # the same article goes on
            citations.append(
                Citation.of(n, passage, quote, start, end, speaker=said.speaker if said else None)
            )
            lead = ""
            if dated and not follows:
                article = self.index.articles[ref.doc_id]
                lead = f"{source_label(article)} ({article_time(article).label}): "
            if said and not said.in_sentence:  # the quote's speaker is named earlier in the article
                # "Shafaq News (2024-07-20), quoting Talib Al-Yasari: However, ...": the quote is
                # verbatim, so it follows a colon, never a comma
                lead = f"{lead[:-2]}, quoting {said.speaker}: " if lead else f"According to {said.speaker}: "
            parts.append(lead + cite_marker(quote, n))
        return Answer(
            question=question,
            text=" ".join(parts),
            citations=citations,
            passages=numbered,
            abstained=False,
            confidence=confidence,
            answerer=self.name,
            settings_hash=self.settings.fingerprint(),
        )

    def _abstain(self, question: str, passages: list[Passage], confidence: float) -> Answer:
        return abstention(question, passages, self.name, self.settings, confidence)


def abstention(
    question: str,
    passages: list[Passage],
    answerer: str,
    settings: Settings,
    confidence: float = 0.0,
    notes: list[str] | None = None,
    removed: list[dict[str, str]] | None = None,
) -> Answer:
    """The answer that says the articles don't answer, still listing the closest passages."""
    return Answer(
        question=question,
        text=ABSTAIN_TEXT,
        citations=[],
        passages=list(passages),
        abstained=True,
        confidence=confidence,
        answerer=answerer,
        settings_hash=settings.fingerprint(),
        notes=list(notes or []),
        removed=list(removed or []),
    )

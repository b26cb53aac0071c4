"""Question text -> a topic, out of scope, or urgent: one router for every channel."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from ..content import Content
from .data import DEFAULT_ROUTER_PATH, RouterData
from .match import NearestSamples, WordOdds
from .navigation import Move
from .normalise import drop_apostrophes, features, fold, pipeline, tokens
from .repair import SoundRepair, SpellingCorrector

__all__ = ["DEFAULT_ROUTER_PATH", "MAX_QUESTION_CHARS", "Route", "Router"]

OUT_OF_SCOPE = "out_of_scope"
URGENT = "urgent"
NAVIGATION = "navigation"
Kind = Literal["answer", "out_of_scope", "urgent", "navigation", "clarify"]

#: Longer than this, a question is cut: the page's form refuses 300 characters, and no recogniser writes more.
MAX_QUESTION_CHARS = 500
#: No English word is this long ("pneumonoultramicroscopicsilicovolcanoconiosis" is 45 letters, and no one
#: asks about it): longer runs of letters are noise.
MAX_WORD_CHARS = 45
#: Below this cosine similarity to the nearest sample, a question is not about any topic.
MIN_SIMILARITY = 0.20
#: An urgent example this close counts even when a topic is closer: missing an emergency costs most.
URGENT_SIMILARITY = 0.45
#: ...unless a calm sample is closer by at least this much.
CALM_MARGIN = 0.15
#: ...and when urgent examples are the closest of all, they must be at least this close.
MIN_URGENT = 0.2
#: How much a topic's word odds count against its nearest sample when choosing among the topics.
ODDS_WEIGHT = 0.3
#: Two topics closer than this (blended scores) are both offered: "Did you mean A, or B?"
CLARIFY_MARGIN = 0.08
#: Words that keep a question about breast cancer even when it names an organ ("lung cancer").
_IN_SCOPE_ANCHORS = frozenset({"breast", "secondary", "metastatic", "metastases"})


@dataclass(frozen=True)
class Route:
    kind: Kind
    topic: str | None = None
    score: float = 0.0
    reason: str = ""
    #: For navigation: what the words ask the conversation to do ("help", "repeat", "key"...), and which key.
    move: Move | None = None
    #: For a clarifying question: the two topics offered, the likelier first.
    topics: tuple[str, ...] = ()


class Router:
    """Safety rules first, then the nearest of the topics', out-of-scope and urgent samples."""

    def __init__(self, content: Content, data: RouterData) -> None:
        self._data = data
        self._clean = pipeline(fold, drop_apostrophes, data.corrections)
        labelled: list[tuple[str, str]] = []
        for topic in content.topics:
            labelled += [(topic.id, text) for text in (*topic.samples, topic.title, topic.menu_label)]
        labelled += [(OUT_OF_SCOPE, s) for s in data.out_of_scope_samples]
        labelled += [(URGENT, s) for s in data.urgent_samples]
        cleaned = [(label, self._clean(text)) for label, text in labelled]
        words = _first_of_each([(label, self._words(text)) for label, text in cleaned])
        self._spell = SpellingCorrector(w for _, sample in words for w in sample)
        heard = {w for _, text in cleaned for w in text.split()}
        subject = {w for text in (*data.gate_words, *(t.text for t in content.topics)) for w in fold(text).split()}
        danger = set(data.danger_words)
        self._sound = SoundRepair(heard | subject | danger, data.common_words, subject | danger)
        featured = [(label, features(sample)) for label, sample in words]
        self._index = NearestSamples(featured)
        self._topics = [i for i, label in enumerate(self._index.labels) if label not in (OUT_OF_SCOPE, URGENT)]
        self._odds = WordOdds(featured, [self._index.labels[i] for i in self._topics])
        self._out_of_scope = self._index.labels.index(OUT_OF_SCOPE)
        self._urgent = self._index.labels.index(URGENT)

    @classmethod
    def from_content(cls, content: Content, router_path: str | Path = DEFAULT_ROUTER_PATH) -> Router:
        return cls(content, RouterData.load(router_path))

    def _words(self, text: str) -> list[str]:
        return tokens(self._data.subjects(text), self._data.fillers, self._data.synonyms)

    def route(self, question: str) -> Route:
        # Bounded before anything else, so no cache ever holds a long "word" (1,000 posts of one 100 kB word
        # each must not grow memory): a question is cut, and a word no language has is dropped.
        said = " ".join(w for w in drop_apostrophes(fold(question[:MAX_QUESTION_CHARS])).split()
                        if len(w) <= MAX_WORD_CHARS)
        text = " ".join(self._sound(self._data.corrections(said).split()))
        if not text:
            return Route("out_of_scope", reason="nothing was said")
        # As said ("what can i ask"), then put right ("that s all" -> "that is all"): corrections drop carriers.
        if move := self._data.navigation(said, self._data.fillers) or self._data.navigation(text, self._data.fillers):
            return Route("navigation", reason="words about the conversation", move=move)
        if self._data.urgent.search(text):
            return Route("urgent", reason="urgent words")
        spelled = [self._spell(word) for word in self._words(text)]
        best = self._index.best(features(spelled))
        # Urgent examples before the out-of-scope rules: "i've got the pills ready" names pills.
        heard = [*text.split(), *spelled]
        if best is not None and self._is_urgent(best) and (best[self._urgent] >= URGENT_SIMILARITY
                                                           or self._data.danger.on_subject(heard)
                                                           or self._data.gate.on_subject(heard)):
            return Route("urgent", score=float(best[self._urgent]), reason="close to urgent examples")
        odds = self._odds.probabilities(features(spelled))
        if (asking := the_question(spelled)) is not spelled:  # a long story: the topic is in its question
            asked = self._index.best(features(asking))
            if best is not None and asked is not None:
                best = QUESTION_WEIGHT * asked + (1 - QUESTION_WEIGHT) * best
            if odds is not None and (asked_odds := self._odds.probabilities(features(asking))) is not None:
                odds = QUESTION_WEIGHT * asked_odds + (1 - QUESTION_WEIGHT) * odds
        # In a long story only the question counts: "i sort out her tablets ... can it be cured" is about a cure.
        asked_words = the_question(text.split())
        if reason := self._out_of_scope_rule(" ".join(asked_words), asked_words):
            return Route("out_of_scope", reason=reason)
        if best is None:
            return Route("out_of_scope", reason="no known words")
        if not self._data.gate.lets_through(heard, self._topic_similarity(best)):
            return Route("out_of_scope", reason="not about the page's subject")
        return self._nearest(best, odds)

    def _topic_similarity(self, best: np.ndarray) -> float:
        topics = np.delete(best, [self._urgent, self._out_of_scope])
        return float(topics.max()) if len(topics) else 0.0

    def _is_urgent(self, best: np.ndarray) -> bool:
        urgent = float(best[self._urgent])
        if urgent >= MIN_URGENT and urgent == best.max():
            return True
        # Close to an emergency but closer still to a calm question ("am i going to die" is an outlook
        # sample, near "i'm going to die anyway so why wait"): the calm sample wins only by a clear margin.
        return urgent >= URGENT_SIMILARITY and urgent + CALM_MARGIN > float(best.max())

    def _out_of_scope_rule(self, text: str, words: list[str]) -> str:
        if self._data.out_of_scope_words.intersection(words):
            return "names a medicine, dose or treatment"
        if self._data.out_of_scope_phrases.search(text):
            return "a question the page does not answer"
        if _IN_SCOPE_ANCHORS.intersection(words):
            return ""
        if self._data.other_illnesses.search(text):
            return "about another illness"
        other = self._data.other_cancer_words.intersection(words) or {
            a for a, b in zip(words, words[1:]) if b == "cancer" and a in self._data.other_cancers
        }
        return "about another cancer" if other else ""

    def _nearest(self, best: np.ndarray, odds: np.ndarray | None) -> Route:
        best[self._urgent] = -1.0  # too faint to be an emergency: decide among the rest
        top = int(best.argmax())
        score = float(best[top])
        if top == self._out_of_scope:
            return Route("out_of_scope", score=score, reason="closest to out-of-scope samples")
        if score < MIN_SIMILARITY:
            return Route("out_of_scope", score=score, reason="not close enough to any topic")
        # About a topic: which one, from the nearest sample and the topics' word odds together.
        topics = best[self._topics] if odds is None else (1 - ODDS_WEIGHT) * best[self._topics] + ODDS_WEIGHT * odds
        first, second = (int(i) for i in np.argsort(-topics, kind="stable")[:2])
        chosen = self.labels[self._topics[first]]
        if topics[first] - topics[second] < CLARIFY_MARGIN:
            return Route("clarify", topic=chosen, score=float(topics[first]), reason="two topics are close",
                         topics=(chosen, self.labels[self._topics[second]]))
        return Route("answer", topic=chosen, score=float(topics[first]))

    @property
    def labels(self) -> list[str]:
        return self._index.labels


#: How much the question part of a long story counts against the whole story when choosing its topic.
QUESTION_WEIGHT = 0.5
#: Longer than this, a question is a carer's story with the question at its end: match the question part.
LONG_QUESTION = 16
_ASKS = frozenset("what how where when why who which is are can could will would does do did should "
                  "whats hows wheres".split())


def the_question(words: list[str]) -> list[str]:
    """The part of a long utterance that asks ("...and i'm exhausted but can it be cured" -> "can it be
    cured"): from the last word that starts a question, if it leaves at least four words; else the last 12."""
    if len(words) <= LONG_QUESTION:
        return words
    starts = [i for i, word in enumerate(words) if word in _ASKS and len(words) - i >= 4]
    return words[starts[-1]:] if starts else words[-12:]


def _first_of_each(samples: list[tuple[str, list[str]]]) -> list[tuple[str, list[str]]]:
    """Samples that read the same once normalised ("what is metastatic breast cancer" and "what is
    secondary breast cancer" both become "what is it") are kept for the first topic that has them only."""
    seen: set[tuple[str, ...]] = set()
    kept = []
    for label, words in samples:
        if tuple(words) not in seen:
            seen.add(tuple(words))
            kept.append((label, words))
    return kept

"""Question text -> a topic, out of scope, or urgent: one router for every channel."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import yaml

from .content import CONTENT_DIR, Content
from .errors import ContentError
from .normalise import Corrections, any_of, drop_apostrophes, features, fold, pipeline, tokens
from .spelling import SpellingCorrector

DEFAULT_ROUTER_PATH = CONTENT_DIR / "router.yaml"
OUT_OF_SCOPE = "out_of_scope"
Kind = Literal["answer", "out_of_scope", "urgent"]

#: Below this cosine similarity to the nearest sample, a question is not about any topic.
IDF_POWER = 1.5
MIN_SIMILARITY = 0.20
#: A topic must beat the nearest out-of-scope sample by this much.
OUT_OF_SCOPE_MARGIN = 0.0
#: Words that keep a question about breast cancer even when it names an organ ("lung cancer").
_IN_SCOPE_ANCHORS = frozenset({"breast", "secondary", "metastatic", "metastases"})


@dataclass(frozen=True)
class Route:
    kind: Kind
    topic: str | None = None
    score: float = 0.0
    reason: str = ""


@dataclass(frozen=True)
class RouterData:
    """What `content/router.yaml` holds, compiled."""

    corrections: Corrections
    fillers: frozenset[str]
    synonyms: dict[str, str]
    other_cancers: frozenset[str]
    other_cancer_words: frozenset[str]
    out_of_scope_words: frozenset[str]
    out_of_scope_phrases: re.Pattern[str]
    urgent: re.Pattern[str]
    out_of_scope_samples: tuple[str, ...]

    @classmethod
    def load(cls, path: str | Path = DEFAULT_ROUTER_PATH) -> RouterData:
        path = Path(path)
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            return cls(
                corrections=Corrections.from_lists(data["corrections"], data.get("patterns")),
                fillers=frozenset(data["fillers"]),
                synonyms=dict(data["synonyms"]),
                other_cancers=frozenset(data["other_cancers"]),
                other_cancer_words=frozenset(data["other_cancer_words"]),
                out_of_scope_words=frozenset(data["out_of_scope_words"]),
                out_of_scope_phrases=any_of(data["out_of_scope_phrases"]),
                urgent=any_of(data["urgent"]),
                out_of_scope_samples=tuple(data["out_of_scope_samples"]),
            )
        except (OSError, yaml.YAMLError, KeyError, TypeError, re.error) as exc:
            raise ContentError(str(path), 0, "", f"router data is unusable: {exc!r}") from exc


class Router:
    """Nearest-sample matching over stems, word pairs and character 4-grams, with rules for safety."""

    def __init__(self, content: Content, data: RouterData) -> None:
        self._data = data
        self._clean = pipeline(fold, drop_apostrophes, data.corrections)
        labelled: list[tuple[str, str]] = [(OUT_OF_SCOPE, s) for s in data.out_of_scope_samples]
        for topic in content.topics:
            examples = (*topic.samples, topic.title, topic.menu_label)
            labelled.extend((topic.id, text) for text in examples)
        labelled.sort(key=lambda pair: pair[0])
        self._spell = SpellingCorrector(
            w for _, text in labelled for w in tokens(self._clean(text), data.fillers, data.synonyms)
        )
        self._labels = [label for label, _ in labelled]
        vectors = [self._features(text) for _, text in labelled]
        self._vocab = {f: i for i, f in enumerate(sorted({f for v in vectors for f in v}))}
        # Inverse *class* frequency: a word found in one topic's samples says more than a word
        # found in every topic's, however many samples of that one topic use it.
        classes_of: dict[int, set[str]] = {}
        for label, v in zip(self._labels, vectors):
            for f in v:
                classes_of.setdefault(self._vocab[f], set()).add(label)
        n_classes = len(set(self._labels))
        cf = np.array([len(classes_of[i]) for i in range(len(self._vocab))], dtype=float)
        self._idf = ((np.log((1 + n_classes) / (1 + cf)) + 1.0) ** IDF_POWER).astype(np.float32)
        self._unseen_idf = (math.log(1 + n_classes) + 1.0) ** IDF_POWER
        self._idf_list: list[float] = self._idf.tolist()
        matrix = np.zeros((len(self._vocab), len(vectors)), dtype=np.float32)
        for j, v in enumerate(vectors):
            idx = [self._vocab[f] for f in v]
            w = np.array(list(v.values())) * self._idf[idx]
            matrix[idx, j] = w / np.linalg.norm(w)
        self._matrix = matrix
        self._classes = sorted(set(self._labels))
        self._starts = np.array([self._labels.index(c) for c in self._classes])
        self._out_of_scope_index = self._classes.index(OUT_OF_SCOPE)

    @classmethod
    def from_content(cls, content: Content, router_path: str | Path = DEFAULT_ROUTER_PATH) -> Router:
        return cls(content, RouterData.load(router_path))

    def clean(self, text: str) -> str:
        return self._clean(text)

    def _features(self, text: str) -> dict[str, float]:
        return features(tokens(self._clean(text), self._data.fillers, self._data.synonyms))

    def _query_features(self, text: str) -> dict[str, float]:
        words = tokens(text, self._data.fillers, self._data.synonyms)
        return features([self._spell(word) for word in words])

    def route(self, question: str) -> Route:
        text = self._clean(question)
        if not text:
            return Route("out_of_scope", reason="nothing was said")
        if self._data.urgent.search(text):
            return Route("urgent", reason="urgent words")
        words = text.split()
        if reason := self._out_of_scope_rule(text, words):
            return Route("out_of_scope", reason=reason)
        return self._nearest(text)

    def _out_of_scope_rule(self, text: str, words: list[str]) -> str:
        if self._data.out_of_scope_words.intersection(words):
            return "names a medicine or dose"
        if self._data.out_of_scope_phrases.search(text):
            return "a question the page does not answer"
        if _IN_SCOPE_ANCHORS.intersection(words):
            return ""
        other = self._data.other_cancer_words.intersection(words) or {
            a for a, b in zip(words, words[1:]) if b == "cancer" and a in self._data.other_cancers
        }
        return "about another cancer" if other else ""

    def _nearest(self, text: str) -> Route:
        query = self._query_features(text)
        idx: list[int] = []
        weights: list[float] = []
        norm_squared = 0.0
        for feature, value in query.items():
            i = self._vocab.get(feature)
            weight = value * (self._unseen_idf if i is None else self._idf_list[i])
            norm_squared += weight * weight
            if i is not None:
                idx.append(i)
                weights.append(weight)
        if not idx:
            return Route("out_of_scope", reason="no known words")
        sims = (np.array(weights, dtype=np.float32) / math.sqrt(norm_squared)) @ self._matrix[idx]
        best = np.maximum.reduceat(sims, self._starts)
        top = int(best.argmax())
        score = float(best[top])
        if top == self._out_of_scope_index:
            return Route("out_of_scope", score=score, reason="closest to out-of-scope samples")
        oos = float(best[self._out_of_scope_index])
        if score < MIN_SIMILARITY or score - oos < OUT_OF_SCOPE_MARGIN:
            return Route("out_of_scope", score=score, reason="not close enough to any topic")
        return Route("answer", topic=self._classes[top], score=score)

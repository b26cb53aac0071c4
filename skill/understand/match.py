"""Two views of labelled samples: the nearest sample of each label (cosine similarity over class-weighted word
features), and each label's word odds (naive Bayes over all its samples at once)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

#: How sharply a word's weight falls with the number of labels whose samples use it.
IDF_POWER = 1.5


class NearestSamples:
    """Built once from (label, features) pairs; `best` gives each label's closest sample's similarity."""

    def __init__(self, labelled: Sequence[tuple[str, dict[str, float]]]) -> None:
        ordered = sorted(labelled, key=lambda pair: pair[0])
        labels = [label for label, _ in ordered]
        vectors = [vector for _, vector in ordered]
        self.labels = sorted(set(labels))
        self._starts = np.array([labels.index(label) for label in self.labels])
        self._vocab = {f: i for i, f in enumerate(sorted({f for v in vectors for f in v}))}
        # Inverse *label* frequency: a word found in one topic's samples says more than a word found in
        # every topic's, however many samples of that one topic use it.
        labels_of: dict[int, set[str]] = {}
        for label, vector in zip(labels, vectors):
            for feature in vector:
                labels_of.setdefault(self._vocab[feature], set()).add(label)
        count = np.array([len(labels_of[i]) for i in range(len(self._vocab))], dtype=float)
        n = len(self.labels)
        self._idf = ((np.log((1 + n) / (1 + count)) + 1.0) ** IDF_POWER).astype(np.float32)
        self._idf_list: list[float] = self._idf.tolist()
        self._unseen_idf = (math.log(1 + n) + 1.0) ** IDF_POWER
        self._samples_of, self._weights_of, self._lengths = self._postings(vectors)
        self._size = len(vectors)

    def _postings(self, vectors: Sequence[dict[str, float]]) -> tuple[list[np.ndarray], list[np.ndarray], np.ndarray]:
        """Feature -> the samples that use it and their unit-vector weights. Not a dense matrix: that
        would be tens of megabytes, 99.8 % zeros."""
        rows: list[int] = []
        cols: list[int] = []
        values: list[float] = []
        for j, vector in enumerate(vectors):
            idx = [self._vocab[f] for f in vector]
            weights = np.array(list(vector.values())) * self._idf[idx]
            rows += idx
            cols += [j] * len(idx)
            values += (weights / np.linalg.norm(weights)).tolist()
        order = np.argsort(rows, kind="stable")
        bounds = np.searchsorted(np.array(rows)[order], np.arange(len(self._vocab) + 1))
        samples = np.split(np.array(cols, dtype=np.intp)[order], bounds[1:-1])
        weights_of = np.split(np.array(values, dtype=np.float32)[order], bounds[1:-1])
        return samples, weights_of, np.diff(bounds)

    def best(self, query: dict[str, float]) -> np.ndarray | None:
        """Per label (in `labels` order), the similarity of its closest sample; None if no word is known.
        Unknown words still count in the query's length, so a question mostly about other things scores low."""
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
            return None
        scale = np.array(weights, dtype=np.float32) / np.float32(math.sqrt(norm_squared))
        products = np.concatenate([self._weights_of[i] for i in idx]) * np.repeat(scale, self._lengths[idx])
        samples = np.concatenate([self._samples_of[i] for i in idx])
        sims = np.bincount(samples, weights=products, minlength=self._size)
        return np.maximum.reduceat(sims, self._starts)


#: Smoothing for word odds: how much an unseen word counts for every label.
ODDS_SMOOTHING = 0.1
#: Below 1, the odds are softened (naive Bayes is overconfident: it treats every word as independent evidence).
ODDS_SHARPNESS = 0.2


class WordOdds:
    """How likely each label is given all its samples' words together (multinomial naive Bayes, no prior).
    Nearest samples reward one close sample; odds reward words a label uses often, which helps when a
    question's words are spread over several samples of one topic."""

    def __init__(self, labelled: Sequence[tuple[str, dict[str, float]]], labels: Sequence[str]) -> None:
        self.labels = list(labels)
        row = {label: i for i, label in enumerate(self.labels)}
        wanted = [(label, vector) for label, vector in labelled if label in row]
        self._vocab = {f: i for i, f in enumerate(sorted({f for _, v in wanted for f in v}))}
        counts = np.zeros((len(self.labels), len(self._vocab)), dtype=np.float64)
        for label, vector in wanted:
            for feature, value in vector.items():
                counts[row[label], self._vocab[feature]] += value
        smoothed = counts + ODDS_SMOOTHING
        self._log_odds = np.log(smoothed / smoothed.sum(axis=1, keepdims=True)).T.astype(np.float32).copy()

    def probabilities(self, query: dict[str, float]) -> np.ndarray | None:
        """Per label (in `labels` order), its probability; None if no word is known."""
        known = [(self._vocab[f], v) for f, v in query.items() if f in self._vocab]
        if not known:
            return None
        idx, values = zip(*known)
        scores = np.asarray(values, dtype=np.float32) @ self._log_odds[list(idx)]
        scores = np.exp((scores - scores.max()) * ODDS_SHARPNESS)
        return scores / scores.sum()

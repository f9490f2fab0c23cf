"""The collection's topics, found from its own documents, for the knowledge audit.

Documents are clustered by their embeddings (agglomerative, average linkage on cosine distance, as for the
gaps: deterministic, so a re-run on the same documents gives the same topics) and each cluster is labelled
by its most distinctive terms, by class-based TF-IDF (c-TF-IDF, as BERTopic does: a term's frequency in the
cluster, weighted by log(1 + average words per cluster / the term's frequency in all clusters)). A librarian
can rename and merge topics through `apply_overrides`; an override names a topic by its terms label, and
one that no longer matches (the collection changed) is reported rather than dropped silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping, Sequence

import numpy as np

from kmsearch.analytics.clustering import agglomerative_labels

TOPIC_DISTANCE = 0.45  # chosen on the sample corpus with all-MiniLM-L6-v2 (docs/benchmarks.md, "Knowledge audit")
TERMS = 8  # distinctive terms kept per topic; the label is the first three
TEXT_CHARS = 4000  # of each document, for embedding and terms: its title, summary and first pages


@dataclass(frozen=True)
class AuditDocument:
    """What the audit needs of a document (the catalogue adapter, kmsearch/analytics/sources.py, gives it)."""

    doc_id: str
    title: str
    path: str
    doc_type: str
    year: int | None
    text: str = ""  # the start of the document


@dataclass(frozen=True)
class Topic:
    topic_id: str  # the terms label, as found; overrides name it
    name: str  # the label shown: the terms, or a librarian's name for it
    terms: tuple[str, ...]
    documents: tuple[AuditDocument, ...]
    merged_from: tuple[str, ...] = ()

    @property
    def years(self) -> tuple[int, ...]:
        return tuple(sorted({d.year for d in self.documents if d.year is not None}))

    @property
    def newest(self) -> int | None:
        return self.years[-1] if self.years else None

    def to_json(self) -> dict[str, Any]:
        return {"id": self.topic_id, "name": self.name, "terms": list(self.terms), "documents": len(self.documents),
                "years": [self.years[0], self.years[-1]] if self.years else None, "newest": self.newest,
                "merged_from": list(self.merged_from),
                "titles": [d.title for d in sorted(self.documents, key=lambda d: (-(d.year or 0), d.title))]}


_WORD = r"(?u)\b[^\W\d_][^\W\d_]{2,}\b"  # words of three letters or more, no numbers
# Words every government document has (titles, posts, page furniture) and the particles of names: they say
# who wrote, not what about.
_STOP = ("mr ms mrs dr prof adv van der de du le director deputy chief assistant head department departmental "
         "page ref signed prepared submitted committee province provincial dgpsi").split()


def distinctive_terms(texts: Sequence[str], top: int = TERMS, stop_words: Iterable[str] = ()) -> list[tuple[str, ...]]:
    """Per text (one per cluster), its `top` words by c-TF-IDF, two of them made one term where they nearly
    always come together; English stop words and `stop_words` (e.g. people's names) out."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer

    stop = sorted(ENGLISH_STOP_WORDS | set(_STOP) | {w.lower() for w in stop_words})
    vectorizer = CountVectorizer(stop_words=stop, ngram_range=(1, 2), token_pattern=_WORD, lowercase=True)
    try:
        counts = vectorizer.fit_transform(texts).toarray().astype(np.float64)
    except ValueError:  # no words at all
        return [() for _ in texts]
    vocab = vectorizer.get_feature_names_out()
    tf = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    average = counts.sum() / max(len(texts), 1)
    weights = tf * np.log1p(average / np.maximum(counts.sum(axis=0), 1))
    index = {str(t): i for i, t in enumerate(vocab)}
    unigrams = np.array([" " not in str(t) for t in vocab])
    out = []
    for row, count in zip(weights, counts):
        words = np.where(unigrams, row, 0.0)
        ranked = [str(vocab[i]) for i in np.argsort(-words, kind="stable")[:top] if words[i] > 0]
        chosen = list(ranked)
        # Two top words that nearly always come together are one term: "records", "disposal" -> "records disposal".
        for a in ranked:
            for b in ranked:
                bigram = index.get(f"{a} {b}")
                if (a in chosen and b in chosen and a != b and bigram is not None
                        and count[bigram] >= 0.8 * max(count[index[a]], count[index[b]])):
                    at = min(chosen.index(a), chosen.index(b))
                    chosen = [c for c in chosen if c not in (a, b)]
                    chosen.insert(at, f"{a} {b}")
        out.append(tuple(chosen))
    return out


def discover_topics(documents: Sequence[AuditDocument], embed: Callable[[list[str]], np.ndarray],
                    distance: float = TOPIC_DISTANCE, vectors: np.ndarray | None = None,
                    names: Iterable[str] = ()) -> list[Topic]:
    """Topics of `documents` (register files are left out: they list, they do not discuss), biggest first.
    `vectors` (one normalised row per `documents` entry, in its order) may come from the index; else the
    documents are embedded. The words of `names` (people's) are kept out of the labels."""
    keep = sorted((i for i, d in enumerate(documents) if d.doc_type != "register"), key=lambda i: documents[i].doc_id)
    if not keep:
        return []
    docs = [documents[i] for i in keep]  # in id order, so that the input's order cannot change the result
    texts = [f"{d.title}\n{d.text[:TEXT_CHARS]}" for d in docs]
    vectors = np.asarray(embed(texts) if vectors is None else np.asarray(vectors)[keep], dtype=np.float32)
    labels = agglomerative_labels(vectors, distance)
    members: dict[int, list[int]] = {}
    for i, label in enumerate(labels):
        members.setdefault(int(label), []).append(i)
    clusters = sorted(members.values(), key=lambda m: (-len(m), docs[m[0]].doc_id))
    name_words = {w for n in names for w in re.findall(r"\w+", n)}
    terms = distinctive_terms([" ".join(texts[i] for i in m) for m in clusters], stop_words=name_words)
    topics = []
    for cluster, words in zip(clusters, terms):
        label = ", ".join(words[:3]) or docs[cluster[0]].title
        topics.append(Topic(label, label, words, tuple(docs[i] for i in cluster)))
    return topics


@dataclass
class Overrides:
    """A librarian's corrections: `rename` topic id -> name; `merge` lists of topic ids to make one (named by
    the first's name, or its rename)."""

    rename: dict[str, str] = field(default_factory=dict)
    merge: list[list[str]] = field(default_factory=list)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Overrides:
        rename, merge = data.get("rename", {}), data.get("merge", [])
        if not isinstance(rename, dict) or not all(isinstance(v, str) and v.strip() for v in rename.values()):
            raise ValueError("topic overrides: 'rename' must map topic ids to non-empty names")
        if not isinstance(merge, list) or not all(isinstance(m, list) and len(m) >= 2 for m in merge):
            raise ValueError("topic overrides: 'merge' must be a list of lists of two or more topic ids")
        return cls(dict(rename), [list(map(str, m)) for m in merge])


def apply_overrides(topics: Sequence[Topic], overrides: Overrides) -> tuple[list[Topic], list[str]]:
    """The topics with the librarian's merges and renames applied, and the override ids that matched no topic."""
    by_id = {t.topic_id: t for t in topics}
    unknown = sorted({i for i in overrides.rename if i not in by_id} | {i for m in overrides.merge for i in m
                                                                         if i not in by_id})
    merged_into: dict[str, str] = {}
    result: dict[str, Topic] = dict(by_id)
    for group in overrides.merge:
        present = [i for i in group if i in result and i not in merged_into]
        if len(present) < 2:
            continue
        head = result[present[0]]
        parts = [result.pop(i) for i in present[1:]]
        for i in present[1:]:
            merged_into[i] = head.topic_id
        result[head.topic_id] = Topic(head.topic_id, head.name, head.terms,
                                      head.documents + tuple(d for p in parts for d in p.documents),
                                      head.merged_from + tuple(p.topic_id for p in parts))
    for topic_id, name in overrides.rename.items():
        if topic_id in result:
            t = result[topic_id]
            result[topic_id] = Topic(t.topic_id, name.strip(), t.terms, t.documents, t.merged_from)
    ordered = sorted(result.values(), key=lambda t: (-len(t.documents), t.topic_id))
    return ordered, unknown


def topic_words(topic: Topic) -> set[str]:
    """The topic's words, stemmed as search stems them (to match gaps' queries to topics)."""
    from kmsearch.search.snippets import query_stems

    return query_stems(" ".join((topic.name, *topic.terms)))



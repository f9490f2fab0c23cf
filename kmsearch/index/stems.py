"""Stems of a text as a request is reduced to them: BM25's terms, less question and other function words. The
title index (catalog/titles.py), where-is, who-knows and the snippets all use them, so they meet."""

from __future__ import annotations

from functools import lru_cache

import Stemmer

from kmsearch.index.lexical import query_terms

# Question words and other function words BM25 keeps (its stop list is Lucene's short one) but a snippet
# should not highlight nor a title match count.
_NOT_HIGHLIGHTED = set(
    "what which who whom whose where when why how do does did done we our us you your i me my about any all "
    "some can could would should may might must shall will also have has had having been being were was am "
    "from than then there here these those this its it's so very just more most other into over under up out "
    "know tell find show give".split()
)


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


def stem_words(words: list[str]) -> list[str]:
    """The English (Snowball) stem of each word, in order."""
    return list(_stemmer().stemWords(words))


@lru_cache(maxsize=1)
def _function_stems() -> frozenset[str]:
    return frozenset(stem_words(sorted(_NOT_HIGHLIGHTED)))


def query_stems(query: str) -> set[str]:
    """The stems a snippet highlights: the query's BM25 terms, less the function words above."""
    return set(query_terms(query)) - _function_stems()

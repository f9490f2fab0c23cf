"""Retrieval: hybrid dense + BM25 search with filters and snippets."""

from kmsearch.search.filters import Filters
from kmsearch.search.hybrid import FUSIONS, MODES, Searcher

__all__ = ["FUSIONS", "MODES", "Filters", "Searcher"]

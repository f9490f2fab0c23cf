"""Per-language text analysis for BM25: which tantivy analyzer a language gets, and which language a passage is in.

Every analyzer splits on non-letters, drops tokens over 40 bytes and lower-cases. Then:
- English keeps what kmsearch always had: Lucene's short stop list and the Snowball (Porter2) stemmer.
- French, Dutch, German and Portuguese get tantivy's own stop list and Snowball stemmer for the language.
- Afrikaans, isiZulu, isiXhosa, Sesotho, Setswana, Sepedi, Xitsonga, siSwati, isiNdebele and Tshivenda have no
  Snowball stemmer; their words are kept whole. Afrikaans, isiZulu and Sesotho drop the stop words of the
  stopwords-iso collection (the `stopwordsiso` package), the only kept source with lists for them. Dutch's
  stemmer on Afrikaans was measured: within noise of none (BM25 nDCG@10 0.572 against 0.564 on 10 judged
  queries, docs/benchmarks.md), so none is used rather than another language's rules.
A passage is analysed here for its language and its terms go to BM25's one text field (lexical.py says why one
field and not one a language); a query is analysed once for each language present in the index and the terms of
all of them are looked up, so an Afrikaans query matches Afrikaans passages by their own words.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache

import tantivy

from kmsearch.language import agrees, detect_passage


@dataclass(frozen=True)
class Analysis:
    stemmer: str | None  # a tantivy (Snowball) stemmer language
    stopwords: str | None  # "tantivy:<language>" for tantivy's built-in list, "iso:<code>" for stopwords-iso


ANALYSES: dict[str, Analysis] = {
    "en": Analysis("english", "tantivy:english"),
    "fr": Analysis("french", "tantivy:french"),
    "nl": Analysis("dutch", "tantivy:dutch"),
    "de": Analysis("german", "tantivy:german"),
    "pt": Analysis("portuguese", "tantivy:portuguese"),
    "af": Analysis(None, "iso:af"),
    "zu": Analysis(None, "iso:zu"),
    "st": Analysis(None, "iso:st"),
    **{code: Analysis(None, None) for code in ("xh", "tn", "nso", "ts", "ss", "nr", "ve")},
}
DEFAULT = "en"  # passages of an unknown language are analysed as English, as before


@cache
def analyzer(code: str) -> tantivy.TextAnalyzer:
    """The tantivy analyzer for one language code (one of ANALYSES)."""
    spec = ANALYSES[code]
    builder = (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(40))
        .filter(tantivy.Filter.lowercase())
    )
    if spec.stopwords and spec.stopwords.startswith("tantivy:"):
        builder = builder.filter(tantivy.Filter.stopword(spec.stopwords.split(":", 1)[1]))
    elif spec.stopwords:
        builder = builder.filter(tantivy.Filter.custom_stopword(iso_stopwords(spec.stopwords.split(":", 1)[1])))
    if spec.stemmer:
        builder = builder.filter(tantivy.Filter.stemmer(spec.stemmer))
    return builder.build()


@cache
def iso_stopwords(code: str) -> list[str]:
    import stopwordsiso

    return sorted(stopwordsiso.stopwords(code))


def params() -> dict[str, str]:
    """What each language's analysis is, for the index manifest."""
    return {
        code: ", ".join(part for part in (spec.stopwords and f"stop words {spec.stopwords}",
                                          spec.stemmer and f"stemmer {spec.stemmer}") if part) or "lower-case only"
        for code, spec in ANALYSES.items()
    }


def route(code: str | None) -> str:
    """The analysed language a document or passage language goes to."""
    return code if code in ANALYSES else DEFAULT


# A document is checked at this many passages spread through it; only when they disagree with the document's
# language (a mixed English/isiZulu notice) is every passage detected on its own. Detection costs about 8 ms
# a passage (docs/benchmarks.md), so a uniform document costs at most these few.
PROBES = 6


def passage_languages(doc_language: str | None, texts: list[str]) -> list[str]:
    """The analysed language of each passage of one document, in order."""
    base = route(doc_language)
    if len(texts) <= PROBES:
        probes = list(range(len(texts)))
    else:
        probes = [round(i * (len(texts) - 1) / (PROBES - 1)) for i in range(PROBES)]
    found = {i: detect_passage(texts[i]) for i in probes}
    if all(agrees(doc_language, code) for code in found.values()):
        return [base] * len(texts)
    out = []
    for i, text in enumerate(texts):
        code = found[i] if i in found else detect_passage(text)
        out.append(base if agrees(doc_language, code) else route(code))  # unsure or a close relative: the document's
    return out


def by_document(rows: Iterable[tuple[int, str, str]]) -> Iterator[list[tuple[int, str, str]]]:
    """Consecutive rows of one document at a time (rows come in chunk-id order, a document's chunks together)."""
    batch: list[tuple[int, str, str]] = []
    for row in rows:
        if batch and row[1] != batch[-1][1]:
            yield batch
            batch = []
        batch.append(row)
    if batch:
        yield batch

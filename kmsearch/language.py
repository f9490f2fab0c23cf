"""Which language a document or a passage is in, as an ISO 639-1 code (or 'nso', which has none).

Lingua (lingua-language-detector) is used because it knows Afrikaans, isiZulu, isiXhosa, Sesotho, Setswana and
Xitsonga, which py3langid (what kmsearch used before) mostly does not; scripts/bench_language.py measures both
on real passages (docs/benchmarks.md). The detector is restricted to the languages a South African public
archive plausibly holds: fewer candidates are faster and leave fewer wrong answers (an unrestricted detector
calls a table of numbers Yoruba).

Sepedi (Northern Sotho, 'nso') is not among lingua's languages: its passages come out as Sesotho or Setswana,
its close relatives, which kmsearch analyses the same way (lower-cased words, no stemmer). A document whose
own metadata says 'nso' (a DOCX's language property) keeps that code.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from lingua import IsoCode639_3, Language, LanguageDetector, LanguageDetectorBuilder

DETECTED = (
    Language.ENGLISH, Language.AFRIKAANS, Language.ZULU, Language.XHOSA, Language.SOTHO, Language.TSWANA,
    Language.TSONGA, Language.FRENCH, Language.DUTCH, Language.GERMAN, Language.PORTUGUESE,
)
# Codes kmsearch accepts for a document's language (filters, metadata): the detected ones, and the official
# South African languages lingua cannot tell apart (Sepedi, siSwati, isiNdebele, Tshivenda).
UNDETECTED = frozenset({"nso", "ss", "nr", "ve"})
KNOWN = frozenset({lang.iso_code_639_1.name.lower() for lang in DETECTED} | UNDETECTED)
# Close relatives: a Sepedi passage is detected as Sesotho or Setswana, a siSwati one as isiZulu.
FAMILY = {"st": "sotho-tswana", "tn": "sotho-tswana", "nso": "sotho-tswana",
          "zu": "nguni", "xh": "nguni", "ss": "nguni", "nr": "nguni"}
# Below this many letters a passage's own guess is too unsure to overrule its document's language.
MIN_LETTERS = 40
_SLICES, _SLICE_CHARS = 8, 1200
# What a request calls each language ("the Afrikaans version", "in isiZulu"): the English names, the languages'
# own names, and the names without their prefix, as staff write them.
NAMES = {
    "english": "en", "afrikaans": "af", "isizulu": "zu", "zulu": "zu", "isixhosa": "xh", "xhosa": "xh",
    "sesotho": "st", "southern sotho": "st", "setswana": "tn", "tswana": "tn", "sepedi": "nso", "northern sotho": "nso",
    "sesotho sa leboa": "nso", "xitsonga": "ts", "tsonga": "ts", "siswati": "ss", "swati": "ss", "isindebele": "nr",
    "ndebele": "nr", "tshivenda": "ve", "venda": "ve", "french": "fr", "dutch": "nl", "german": "de",
    "portuguese": "pt",
}
_NAMED = re.compile(r"\b(" + "|".join(sorted(map(re.escape, NAMES), key=len, reverse=True)) + r")\b", re.IGNORECASE)


@lru_cache(maxsize=1)
def detector() -> LanguageDetector:
    """The detector, built once with every language's model loaded: the extraction workers' fork server builds it
    (kmsearch.ingest.preload), so no file pays for loading a model inside its time and memory limits."""
    return (LanguageDetectorBuilder.from_languages(*DETECTED).with_minimum_relative_distance(0.05)
            .with_preloaded_language_models().build())


def code_of(language: Language | None) -> str | None:
    return language.iso_code_639_1.name.lower() if language is not None else None


def normalise(code: str | None) -> str | None:
    """A metadata language ('af-ZA', 'EN', 'nso') as kmsearch's code, or None when it is not one we know."""
    if not code:
        return None
    code = code.strip().lower().replace("_", "-")
    base = code.split("-")[0]
    if base in KNOWN:
        return base
    try:  # a three-letter ISO 639-3 code ('zul', 'afr')
        return code_of(Language.from_iso_code_639_3(getattr(IsoCode639_3, base.upper())))
    except (AttributeError, ValueError):
        return None


def agrees(declared: str | None, detected: str | None) -> bool:
    """Whether a passage detected as `detected` may be in `declared`: the same language, no answer, or a close
    relative of a language lingua cannot detect (a Sepedi document's passages come out as Sesotho)."""
    if detected is None or detected == declared:
        return True
    return declared in UNDETECTED and FAMILY.get(declared) is not None and FAMILY.get(declared) == FAMILY.get(detected)


def languages_named(request: str) -> set[str]:
    """The languages a request names, as codes: {"af"} for "the Afrikaans version of the 2019 annual report"."""
    return {NAMES[m.group(1).lower()] for m in _NAMED.finditer(request)}


def in_language(wanted: set[str], language: str | None) -> bool:
    """Whether a document in `language` is in one of the `wanted` languages (a Sepedi one may have been detected
    as Sesotho or Setswana, its relatives)."""
    return language is not None and any(agrees(code, language) for code in wanted)


def detect_passage(text: str) -> str | None:
    """The language of one passage, or None when it has too few letters or lingua is unsure."""
    if sum(ch.isalpha() for ch in text[:2000]) < MIN_LETTERS:
        return None
    return code_of(detector().detect_language_of(text[:2000]))


def detect_document(text: str) -> str | None:
    """A document's language: the commonest answer over slices spread through it, so that an English cover page
    does not decide for an isiZulu edition, and a mixed document gets its main language."""
    if len(text) <= _SLICE_CHARS * _SLICES:
        slices = [text[i:i + _SLICE_CHARS] for i in range(0, len(text), _SLICE_CHARS)]
    else:
        step = len(text) // _SLICES
        slices = [text[i * step:i * step + _SLICE_CHARS] for i in range(_SLICES)]
    votes = Counter(code for code in map(detect_passage, slices) if code)
    if not votes:
        return detect_passage(text[:5000]) if text.strip() else None
    return votes.most_common(1)[0][0]


__all__ = ["DETECTED", "FAMILY", "KNOWN", "NAMES", "UNDETECTED", "agrees", "code_of", "detect_document",
           "detect_passage", "in_language", "languages_named", "normalise"]

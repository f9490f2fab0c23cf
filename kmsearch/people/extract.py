"""Find the people a document names, with the role the document gives them and the page where it says so.

Roles, strongest first (the weights who-knows gives them are in `kmsearch.search.experts`):

- **author**: file properties; "Prepared by:", "Compiled by:", "Written by:", "Contributors:", "Assisted by:",
  "Minutes taken by:", "Interview conducted by:", "From:" (memos), signature blocks ("Signed: ..."), bylines
  ("By Grace Mthembu, ...");
- **presenter**: "Presented by", "Facilitated by", "Facilitator:", "Speaker(s):", "Panel:", and the names in the
  time slots of a programme (a page with three or more "09:40 - 10:30"-style slots);
- **delegate**: "Delegation:" lists (and, in `link`, the participants of an event in the events register, on the
  event's report);
- **attendee**: "Present:", "In attendance:", "Attendees:", "Chairperson:";
- **mentioned**: any other titled name ("Mr Ndlovu noted ..."), and "Apologies:", "Approved by:", "Reviewed by:",
  "Submitted to:", "To:", "Copy:". Apologies count as mentions: the person belongs to the committee and is named
  in its minutes, but did not take part in that meeting.

A name is *certain* when it carries a title ("Dr T. Mokoena") or stands in one of those cue lists; an untitled
name elsewhere ("T. Mokoena", "Thandiwe Mokoena", "PvdM") is kept as a *candidate* that `link` attaches only to a
person already known from the register or from a certain mention, so that capitalised phrases in running text
do not become people.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

from kmsearch.people.names import PARTICLES, TEXT_TITLES, parse_name

ROLES = ("author", "presenter", "delegate", "attendee", "mentioned")
EXTRACTOR_VERSION = 1  # bump when extraction changes: `link` then re-reads stored pages of older documents

_CUES: tuple[tuple[str, str], ...] = (
    (r"prepared by|compiled by|written by|authored by|drafted by|assisted by|contributors?|authors?"
     r"|minutes taken by|minute taker|recorded by|interview conducted by|from|signed|signature", "author"),
    (r"presented by|facilitated by|facilitators?|presenters?|speakers?|panel(?:lists)?|moderator"
     r"|keynote(?: speaker)?", "presenter"),
    (r"delegation|delegates|members of the delegation", "delegate"),
    (r"present|members present|in attendance|attendees|attendance|chair(?:person)?", "attendee"),
    (r"apologies|absent|approved by|reviewed by|submitted to|to|copy|cc|enquiries|contact", "mentioned"),
)
_CUE = re.compile(
    r"(?<![\w/])(?P<cue>" + "|".join(f"(?:{p})" for p, _ in _CUES) + r")\s*:(?!//)", re.IGNORECASE
)
# "Presented by Dr ..." without a colon counts only at the start of a line, not inside a sentence.
_BY_CUE = re.compile(r"^\W{0,3}(?P<cue>prepared by|compiled by|written by|presented by|facilitated by|by)\s+(?=[A-Z])",
                     re.IGNORECASE | re.MULTILINE)
_CUE_ROLE = [(re.compile(rf"^(?:{p})$", re.IGNORECASE), role) for p, role in _CUES]
_BY_ROLE = {"prepared by": "author", "compiled by": "author", "written by": "author", "by": "author",
            "presented by": "presenter", "facilitated by": "presenter"}

# Words that designate a post rather than name a person: "Chief Director: ICT" is not a field label.
DESIGNATIONS = frozenset(
    "Director Manager Officer Clerk Head Chief Deputy Assistant Secretary Chairperson Chair Coordinator "
    "Administrator Advisor Adviser Leader Member Minister President Registrar Librarian Analyst Specialist "
    "Consultant Counsel Commissioner General Executive Supervisor Intern Lead Owner Sponsor Convenor Treasurer "
    "Premier Mayor Speaker Councillor Judge Attorney Auditor Inspector Superintendent Principal Dean Rector "
    "Professor Lecturer Researcher Engineer Architect Accountant Controller Planner Editor Spokesperson".split()
)
# Capitalised words that end a name: designations, organisations, places, dates and sentence openers.
STOPWORDS = DESIGNATIONS | frozenset(
    "The This These That Those There Then In On At For And Or Of To By From With As A An It Its He She They We I "
    "Our His Her Their If When Where Who What Which Why How All Any Each Every No Not Yes Please Thank Thanks Dear "
    "Note Notes Table Figure Page Section Annexure Appendix Item Items Action Actions Resolved Signed Date Time "
    "Venue Reference Ref Version Name Designation Role Unit Units Post Department Departments Province Provincial "
    "National Government Republic South Africa African Service Services Delivery Management Knowledge Records "
    "Record Information Technology Communication Communications Municipal Municipality Support Legal Human "
    "Resource Resources Development Monitoring Evaluation Innovation Committee Council Board Office Offices Centre "
    "Center University School College Institute Agency Programme Program Project Public Strategy Policy Report "
    "Reports Minutes Meeting Workshop Conference Study Tour Registry Library Building Street Room Boardroom "
    "Basement Finance Financial Health Affairs Treasury Steering Planning Operations Group Panel Team Welcome "
    "Opening Closing Lunch Tea Coffee Registration Day Days Week Month Year Annual Quarterly Monthly Daily "
    "January February March April May June July August September October November December Monday Tuesday "
    "Wednesday Thursday Friday Saturday Sunday Ward City Town Cape Western Eastern Northern Southern North East "
    "West Free State United States European Union Federal Court Supreme Internal External Acting Senior Junior "
    "Social Security Home Contact Enquiries Email Tel Phone Fax Cell Approved Prepared Compiled Presented "
    "Submitted Reviewed Present Apologies Attendance Delegation Facilitated Facilitator Chairs Members Staff "
    "Employee Employees Citizens Residents Recommendation Recommendations Purpose Background Introduction "
    "Conclusion Summary Objectives Results Findings Lessons Issues Problems Next Steps Cost Costs Budget Total "
    "Programmes Systems System Plan Plans Framework Standards Standard Act Bill Regulations Gazette Notice "
    "Electronic Mobile Digital Online Integrated Citizen Client Customer Division Directorate Branch Section "
    "Highveld Tshwane Canada Singapore Rwanda Kenya Ottawa Toronto Kigali Nairobi Pretoria Johannesburg Durban "
    "Also Both Some Many Most Only Once Since Until After Before During While Although However Therefore Mrs Mr "
    "Ministerial Advisory Presidential Presidency Foundation Trust Capital Photo Photos Credits Credit Pages Heritage "
    "Arts Cinema Employment Stimulus Youth Medical Research Science Sciences Exploration Space Company Ltd Inc "
    "Ms Dr Prof Adv Hon".split()
)

_PARTICLE_FORMS = PARTICLES | {"v.d.", "vd."}  # compared in lower case: "Van der Merwe" too
_TITLE = re.compile(r"(?<![\w.])(?:" + "|".join(TEXT_TITLES) + r")\.?(?=\s)")
_PARTICLE_RE = r"(?:van|der|den|de|du|da|dos|le|la|von|ter|ten|vd|v\.d\.)"
_INITIALS_START = re.compile(r"(?<![\w.'’])(?:[A-Z]\.\s?){1,3}(?=\s?(?:" + _PARTICLE_RE + r"\s)*[A-Z][a-z])")
_BARE_START = re.compile(r"(?<![\w.'’-])[A-Z][a-z]+(?:-[A-Z][a-z]+)?\s(?:" + _PARTICLE_RE + r"\s)*[A-Z][a-z]")
_ACRONYM = re.compile(r"(?<![\w])[A-Z][a-z]{1,3}[A-Z](?![\w])")
_WORD = re.compile(r"^(?:[A-ZÀ-Ý][a-zà-ÿ]+|[A-Z]'[A-Z][a-z]+|Mc[A-Z][a-z]+)(?:-[A-ZÀ-Ý][a-zà-ÿ]+)*$")
_INITIAL = re.compile(r"^(?:[A-Z]\.){1,3}$|^[A-Z]$")
_NICK = re.compile(r"^['\"‘“][A-Z][a-z]+['\"’”]$")
_TIME_SLOT = re.compile(r"\b\d{1,2}[:h.]\d{2}\s*[-–—]\s*\d{1,2}[:h.]\d{2}\b")
_LABEL = re.compile(r"(?<![\w])([A-Z][a-z]+(?: [a-z]+){0,3}):(?=\s|$)")
_SENTENCE = re.compile(
    r"(?<=[a-z,)])\s(?=(?:The|This|These|It|He|She|They|We|In|On|At|During|After)\s)|"
    + "".join(rf"(?<!\b{t})" for t in TEXT_TITLES) + r"(?<=[a-z]{2})\.\s(?=[A-Z])"  # not "Prof. Venter"
)
_LIST_ITEM = re.compile(r"^\W{0,3}(?:\d+[.)]\s)?")


@dataclass(frozen=True)
class Mention:
    """A person named in a document: the name as written, the role, and the page (None: the whole document)."""

    name: str
    role: str
    page: int | None
    certain: bool = True  # False: attach only to someone already known
    source: str = "text"  # text | properties | events


def _scan_name(text: str, start: int, titled: bool) -> tuple[int, str] | None:
    """The name that starts at `start` (after any title): initials, given names, particles and a surname.
    Returns (end, name) or None."""
    tokens: list[tuple[str, str, int]] = []  # (kind, token, end)
    for m in re.finditer(r"\S+", text[start:start + 120]):
        if m.start() and text[start + m.start() - 1] == "\n":
            break  # a name never runs over a line break
        raw = m.group()
        token = raw.rstrip(",;:)]")
        stop_after = token != raw
        if token.endswith(".") and not _INITIAL.match(token) and token.lower().rstrip(".") not in _PARTICLE_FORMS:
            token, stop_after = token[:-1], True  # a sentence ends after this word
        end = start + m.start() + len(token)
        if _INITIAL.match(token) and not any(k == "word" for k, _, _ in tokens):
            tokens.append(("initial", token, end))
        elif token.lower() in _PARTICLE_FORMS:
            tokens.append(("particle", token, end))
        elif _NICK.match(token) and tokens:
            tokens.append(("nick", token, end))
        elif _WORD.match(token) and token not in STOPWORDS:
            tokens.append(("word", token, end))
        else:
            break
        if stop_after or len(tokens) >= 6:
            break
    while tokens and tokens[-1][0] != "word":
        tokens.pop()
    words = sum(1 for k, _, _ in tokens if k == "word")
    if not tokens or words > 4:
        return None
    if tokens[0][0] == "particle" and not titled:
        return None
    if not titled and tokens[0][0] != "initial" and words < 2:
        return None
    end = tokens[-1][2]
    return end, text[start:end]




def _titled_names(text: str) -> Iterable[tuple[int, int, str]]:
    """(start, end, name with its title) for every 'Dr T. Mokoena'-style name."""
    for m in _TITLE.finditer(text):
        pos = m.end()
        while True:  # stacked titles: "Hon. Minister", "Prof. Dr"
            nxt = _TITLE.match(text, pos + 1) if pos < len(text) and text[pos] == " " else None
            if not nxt:
                break
            pos = nxt.end()
        found = _scan_name(text, pos + 1, titled=True) if pos < len(text) and text[pos] == " " else None
        if found:
            yield m.start(), found[0], text[m.start():found[0]]


def _untitled_names(text: str) -> Iterable[tuple[int, int, str]]:
    """(start, end, name) for 'D. Mahlangu', 'P.J. van der Merwe' and 'Lerato Dlamini'-style names."""
    seen: set[int] = set()
    for pattern in (_INITIALS_START, _BARE_START):
        for m in pattern.finditer(text):
            if m.start() in seen:
                continue
            found = _scan_name(text, m.start(), titled=False)
            if found:
                seen.add(m.start())
                yield m.start(), found[0], found[1]


def _names(text: str) -> list[tuple[int, int, str, bool]]:
    """All names in `text`, titled ones first claiming their span: (start, end, name, titled)."""
    out: list[tuple[int, int, str, bool]] = []
    taken: list[tuple[int, int]] = []
    for s, e, name in _titled_names(text):
        out.append((s, e, name, True))
        taken.append((s, e))
    for s, e, name in _untitled_names(text):
        if not any(s < te and e > ts for ts, te in taken):
            out.append((s, e, name, False))
            taken.append((s, e))
    return sorted(out)


def _cue_role(cue: str) -> str:
    cue = " ".join(cue.lower().split())
    for pattern, role in _CUE_ROLE:
        if pattern.match(cue):
            return role
    return _BY_ROLE.get(cue, "mentioned")


def _label_end(text: str, start: int, stop: int) -> int:
    """Where an inline cue's list ends: the next field label ("Date:", "Project administrator:") or sentence."""
    end = stop
    for m in _LABEL.finditer(text, start, stop):
        if m.group(1).split()[-1] not in DESIGNATIONS:
            end = m.start()
            break
    sentence = _SENTENCE.search(text, start, end)
    return sentence.start() if sentence else end


def _starts_with_name(line: str) -> bool:
    body = line[_LIST_ITEM.match(line).end():] if _LIST_ITEM.match(line) else line
    names = _names(body[:160])
    return bool(names) and names[0][0] == 0


def _cue_windows(text: str) -> list[tuple[int, int, str]]:
    """(start, end, role) spans governed by a cue: the rest of the cue's line up to the next label, or, for a cue
    alone on its line ("Present:"), the lines below it that begin with a name (the first line may be a header)."""
    cues = sorted(
        [(m.start(), m.end(), _cue_role(m.group("cue"))) for m in _CUE.finditer(text)]
        + [(m.start(), m.end(), _BY_ROLE[" ".join(m.group("cue").lower().split())]) for m in _BY_CUE.finditer(text)]
    )
    windows = []
    for i, (start, after, role) in enumerate(cues):
        next_cue = cues[i + 1][0] if i + 1 < len(cues) else len(text)
        line_end = text.find("\n", after)
        line_end = len(text) if line_end < 0 else line_end
        if text[after:line_end].strip():
            windows.append((after, _label_end(text, after, min(line_end, next_cue)), role))
            continue
        pos, first = line_end + 1, True
        while pos < min(len(text), next_cue):
            end = text.find("\n", pos)
            end = len(text) if end < 0 else end
            line = text[pos:end]
            if not line.strip() or _CUE.match(line.strip()) or (not first and not _starts_with_name(line)):
                break
            windows.append((pos, _label_end(text, pos, min(end, next_cue)), role))
            pos, first = end + 1, False
    return windows


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


_SEPARATOR = re.compile(r"^[\s,;&•·*()\-–]*(?:and\s+)?[\s,;&•·*()\-–]*$")
_DESIGNATION_WORD = r"(?:[A-Z][\w&.'’-]*|of|and|for|the|in|to)"
_DESIGNATION_TAIL = re.compile(r"^[\s,(]*" + _DESIGNATION_WORD + r"(?:[\s:]+" + _DESIGNATION_WORD + r")*"
                               r"[\s)]*(?:\([^)]*\))?[\s,;]*(?:and\s+)?$")


def _listed(text: str, window_start: int, start: int, name: str, names: list[tuple[int, int, str, bool]]) -> bool:
    """An untitled name in a cue window is certain when it opens the list, or follows the previous name with only
    a separator or a designation between ("Kate Philip and Zak Essa", "D. Mahlangu, Chief Director, and S. Ndlovu");
    "Compiled by Kate Philip for the Project Management Office in the Presidency" stops the list at "for"."""
    before = [n for n in names if window_start <= n[0] and n[1] <= start]
    if not before:
        gap = text[window_start:start]
        return bool(_SEPARATOR.match(gap)) or not gap.strip(" :")
    prev_start, prev_end, prev_name, prev_titled = before[-1]
    gap = text[prev_end:start]
    follows = bool(_SEPARATOR.match(gap) or (_DESIGNATION_TAIL.match(gap) and "," in gap))
    return follows and (prev_titled or _listed(text, window_start, prev_start, prev_name, names))


def page_mentions(text: str, page: int | None) -> list[Mention]:
    """The people one page of text names."""
    windows = _cue_windows(text)
    found: dict[tuple[str, str], Mention] = {}

    def add(mention: Mention) -> None:
        key = (mention.name, mention.role)
        if key not in found or (mention.certain and not found[key].certain):
            found[key] = mention

    names = _names(text)
    slots = _programme_slots(text)
    for start, end, name, titled in names:
        if any(ss <= start and end <= se for ss, se in slots):
            # a programme's speakers carry a title or initials; bare capitalised pairs in a timetable are topics
            add(Mention(name, "presenter", page, certain=titled or bool(re.match(r"[A-Z]\.", name))))
            continue
        inside = [(ws, we, role) for ws, we, role in windows if ws <= start and end <= we]
        if inside:
            ws, _, role = min(inside, key=lambda w: ROLES.index(w[2]))
            add(Mention(name, role, page, certain=titled or _listed(text, ws, start, name, names)))
        else:
            add(Mention(name, "mentioned", page, certain=titled))
    for m in _ACRONYM.finditer(text):
        add(Mention(m.group(), "mentioned", page, certain=False))
    return [m for m in found.values() if parse_name(m.name) is not None]


_LOGIN = re.compile(r"^([A-Z][a-z]+)\.([A-Z][\w'-]+)$")


def _property_author(value: str) -> str | None:
    """A file's author property as a name, or None for what is not one: a login ("JOHNSCA", "RdP", "ODIN") or a
    word ("Supreme"). "Salim.AbdoolKarim" becomes "Salim AbdoolKarim"; ids with digits ("a17") stay as they are."""
    value = " ".join(value.split())
    login = _LOGIN.match(value)
    if login:
        value = f"{login.group(1)} {login.group(2)}"
    parsed = parse_name(value)
    if parsed is None:
        return None
    if parsed.identifier:  # "a17" (an author id in an evaluation corpus), not "office-2007"
        return value if re.fullmatch(r"[A-Za-z]{0,3}[-_]?\d+", value) else None
    return value if parsed.given or parsed.title else None


def find_mentions(pages: Iterable[tuple[int, str]], authors: Iterable[str] = ()) -> list[Mention]:
    """Every person a document names: its file-property authors (role author, no page) and the names on its
    pages, given as (page number, text) with one line per paragraph."""
    out = [Mention(name, "author", None, certain=True, source="properties")
           for name in dict.fromkeys(filter(None, map(_property_author, authors)))]
    for number, text in pages:
        out.extend(page_mentions(text, number))
    return out

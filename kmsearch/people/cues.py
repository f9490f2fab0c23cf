"""The words with which a document gives a person a part: "Prepared by:", "Present:", "For further information
contact", "Mr X (DA) to ask the Minister of ...", "(Moved by Hon. X)", "D Richardson (Chair)".

`windows(text)` returns the stretches of a page that a cue governs, with the role it gives; `role_marks` the roles
that the words right around one name give it. `extract` decides which names in a window are really listed.
"""

from __future__ import annotations

import re

from kmsearch.people.names import TEXT_TITLES
from kmsearch.people.scan import designations, names

# Strongest first: when cues overlap, a name takes the first role of this list that one of them gives.
ROLES = ("author", "presenter", "contact", "delegate", "asker", "clerk", "chair", "councillor", "mover", "attendee",
         "addressee", "file_author", "mentioned")

_CUES: tuple[tuple[str, str], ...] = (
    ((r"prepared by|compiled by|written by|authored by|drafted by|assisted by|contributors?|authors?"
     r"|corresponding author|research team|researchers?|research by|minutes taken by|minute taker|recorded by"
     r"|interview conducted by|from|signed|signature"), "author"),
    ((r"presented by|facilitated by|facilitators?|presenters?|speakers?|guest speakers?|panel(?:lists?)?|panelists?"
     r"|moderators?|moderated by|keynote(?: speaker)?"
     r"|for the (?:appellants?|respondents?|applicants?|defendants?|plaintiffs?|state|accused)"), "presenter"),
    ((r"contact persons?|contacts?|enquiries|queries|point of contact|government point of contact|agency contact"
     r"|for (?:further|more) information(?:,)? contact|further information"), "contact"),
    (r"delegation|delegates|members of the delegation", "delegate"),
    (r"clerk|clerk to the council|minute secretary|secretary|secr[ée]taire", "clerk"),
    (r"chair(?:person)?|chairman|chairwoman|chaired by", "chair"),
    (r"ward councillor|councillors?|cllrs?", "councillor"),
    (r"moved by|seconded by|proposed by|proposer|seconder|moved|seconded", "mover"),
    (r"present|members present|in attendance|attendees|attendance|pr[ée]sences", "attendee"),
    ((r"apologies|absent|approved by|reviewed by|submitted to|to|copy|cc|nominee|thank|thanks|with thanks to"
     r"|acknowledg(?:e)?ments?"), "mentioned"),
)
_CUE = re.compile(
    r"(?<![\w/])(?P<cue>" + "|".join(f"(?:{p})" for p, _ in _CUES) + r")\s*:(?!//)", re.IGNORECASE
)
# Without a colon: "Presented by Dr ..." counts only at the start of a line, not inside a sentence; "Prepared on
# 13 April 2020 by", "(Moved by Hon. X on ...)" and "FOR FURTHER INFORMATION CONTACT Ian Won" count anywhere.
_BY_CUE = re.compile(r"^\W{0,3}(?P<cue>prepared by|compiled by|written by|presented by|facilitated by|research by|by"
                     r"|present|in attendance|councillors)\s+(?=[A-Z])", re.IGNORECASE | re.MULTILINE)
_ANYWHERE_CUE = re.compile(
    r"(?P<cue>prepared (?:on|in) [^\n:]{3,40}? by|(?:moved|seconded|proposed) by|chaired by|moderated by"
    r"|(?:study|report|research|survey) (?:commissioned|completed|conducted|undertaken) by"
    r"|for (?:further|more) information[^\n:.]{0,40}?,? contact|point of contact(?: contracting officer)?"
    r"|(?-i:Present)(?=\s+(?:Councillors|Cllrs|Members|Commissioners|Trustees)\b))"  # minutes set in one paragraph
    r"\s+(?=[A-Z(])", re.IGNORECASE)
_CUE_ROLE = [(re.compile(rf"^(?:{p})$", re.IGNORECASE), role) for p, role in _CUES]
_BY_ROLE = {"prepared by": "author", "compiled by": "author", "written by": "author", "by": "author",
            "research by": "author", "presented by": "presenter", "facilitated by": "presenter",
            "present": "attendee", "in attendance": "attendee"}
_LABEL = re.compile(r"(?<![\w])([A-Z][a-z]+(?: [a-z]+){0,3}):(?=\s|$)")
_SENTENCE = re.compile(
    r"(?<=[a-z,)])\s(?=(?:The|This|These|It|He|She|They|We|In|On|At|During|After)\s)|"
    + "".join(rf"(?<!\b{t})" for t in TEXT_TITLES) + r"(?<=[a-z]{2})\.\s(?=[A-Z])"  # not "Prof. Venter"
)
_LIST_ITEM = re.compile(r"^\W{0,3}(?:\d+[.)]\s)?")
_CHAIR_AFTER = re.compile(r"^\s*\((?:the )?(?:chair|chairperson|chairman|chairwoman|presiding)\)", re.IGNORECASE)
_CHAIR_BEFORE = re.compile(r"(?:chair|chairperson|chairman|chairwoman|speaker)\s*\(\s*$", re.IGNORECASE)
_ASKS = re.compile(r"^\s*(?:\([^()\n]{1,60}\)\s*)?(?:,\s*)?(?:to ask|asked) the\s+(?:Deputy\s+)?(?:Minister|President"
                   r"|Premier|MEC|Chairperson|Speaker|Cabinet Secretary|Leader)", re.IGNORECASE)
_QUESTION_BY = re.compile(r"question\s+no\.?\s*[\w/.-]*\s+by\b[^()\n]{0,80}\(\s*$", re.IGNORECASE)
_ADDRESSED = re.compile(r"(?:to ask|asked) the\s+(?:Deputy\s+)?(?:Minister|President|Premier|MEC|Cabinet Secretary)"
                        r"[^:\n]{0,80}?[,:]?\s*$", re.IGNORECASE)  # "... to ask the Minister of Health, Dr X"
_DEGREE = re.compile(r"^,?\s*(?:MPH|PhD|Ph\.D\.|MD|MS|MSc|MA|MBA|ScD|DrPH|DPhil|RN|BSc|BA|LLB|LLM|FRS|MBChB)\b")
_PRESIDING_POSTS = ("Chair", "Chairperson", "Chairman", "Chairwoman")
_SIGNED = re.compile(r"(?:^|\s)/s/\s*$")
_PRESIDING_AS = re.compile(r"^,?\s*(?:as\s+)?(?:the\s+)?(?:Chair|Chairperson|Chairman|Chairwoman)\s+of\b")
_CONTACT_VERB = re.compile(r"\b(?:should|please|may|can|must|to)\s+(?:contact|call|e-?mail)\s+$", re.IGNORECASE)
_TRAVEL = re.compile(r"^\s+to\s+(?:attend\s+|present\s+at\s+)?[^\n]{0,90}?\b(?:conference|summit|training|workshop"
                     r"|symposium|convention|course|series|meeting)s?\b", re.IGNORECASE)
_LIST_START = re.compile(r"(?:^|\n)\s*[a-z0-9]{1,2}[.)]\s*$")


def cue_role(cue: str) -> str:
    cue = " ".join(cue.lower().split())
    if (cue.startswith("prepared ") or cue.split()[0] in ("study", "report", "research", "survey")) and cue.endswith(" by"):
        return "author"  # "Study commissioned by Ebrahim Boomgaard - Research Director"
    if re.match(r"(?:moved|seconded|proposed) by", cue):
        return "mover"
    if re.match(r"for (?:further|more) information|point of contact", cue):
        return "contact"
    if cue in ("chaired by",):
        return "chair"
    if cue in ("moderated by",):
        return "presenter"
    for pattern, role in _CUE_ROLE:
        if pattern.match(cue):
            return role
    return _BY_ROLE.get(cue, "mentioned")


def _label_end(text: str, start: int, stop: int) -> int:
    """Where an inline cue's list ends: the next field label ("Date:", "Project administrator:") or sentence."""
    end = stop
    for m in _LABEL.finditer(text, start, stop):
        if m.group(1).split()[-1] not in designations():
            end = m.start()
            break
    sentence = _SENTENCE.search(text, start, end)
    return sentence.start() if sentence else end


def _starts_with_name(line: str) -> bool:
    body = line[_LIST_ITEM.match(line).end():] if _LIST_ITEM.match(line) else line
    found = names(body[:160])
    return bool(found) and found[0].start == 0


def windows(text: str) -> list[tuple[int, int, str]]:
    """(start, end, role) spans governed by a cue: the rest of the cue's line up to the next label, or, for a cue
    alone on its line ("Present:"), the lines below it that begin with a name (the first line may be a header)."""
    cues = sorted(
        [(m.start(), m.end(), cue_role(m.group("cue"))) for m in _CUE.finditer(text)]
        + [(m.start(), m.end(), cue_role(m.group("cue"))) for m in _BY_CUE.finditer(text)]
        + [(m.start(), m.end(), cue_role(m.group("cue"))) for m in _ANYWHERE_CUE.finditer(text)]
    )
    out = []
    for i, (start, after, role) in enumerate(cues):
        if out and start < out[-1][1] and out[-1][2] == role:
            continue  # "Present:" read twice, with and without its colon
        next_cue = min([c[0] for c in cues[i + 1:] if c[0] >= after] + [len(text)])
        line_end = text.find("\n", after)
        line_end = len(text) if line_end < 0 else line_end
        if text[after:line_end].strip():
            out.append((after, _label_end(text, after, min(line_end, next_cue)), role))
            continue
        pos, first = line_end + 1, True
        while pos < min(len(text), next_cue):
            end = text.find("\n", pos)
            end = len(text) if end < 0 else end
            line = text[pos:end]
            if not line.strip() or _CUE.match(line.strip()) or (not first and not _starts_with_name(line)):
                break
            out.append((pos, _label_end(text, pos, min(end, next_cue)), role))
            pos, first = end + 1, False
    return out


def role_marks(text: str, start: int, end: int, name: str, post: str, page: int | None) -> set[str]:
    """Roles that the words right around one name give it, cue lists aside: "(Chair)" after it or "The
    Chairperson (" before it; a "Clerk" or "Chairman" post before it; "Councillor" as its title; "(DA) to ask the
    Minister" after it, or "Question No. 82 by the Member for X (" before it; a degree after it near the top of an
    early page ("Jaime Raymond, MPH": a byline)."""
    marks = set()
    after, before = text[end:end + 160], text[max(0, start - 120):start]
    if _CHAIR_AFTER.match(after) or _CHAIR_BEFORE.search(before) or post.split()[-1:] in (["Chair"], ["Chairman"]):
        marks.add("chair")
    if post.split()[-1:] == ["Clerk"]:
        marks.add("clerk")
    if re.match(r"(?:Councillor|Cllr)\b", name):
        marks.add("councillor")
    if _ASKS.match(after) or _QUESTION_BY.search(before):
        marks.add("asker")
    if _ADDRESSED.search(before):
        marks.add("addressee")
    if page is not None and page <= 2 and start < 1500 and _DEGREE.match(after):
        marks.add("author")
    if _SIGNED.search(before):
        marks.add("author")  # "/s/ Will Hobert": signed it
    if _PRESIDING_AS.match(after):
        marks.add("chair")  # "I, Will Hobert, as the Chair of the Authority"
    if _CONTACT_VERB.search(before):
        marks.add("contact")  # "... should contact Mari Money at the Authority by calling ..."
    if _TRAVEL.match(after) and _LIST_START.search(before):
        marks.add("delegate")  # a board's travel approvals: "f. Andrew Heffron to Ohio's 2019 Opiate conference"
    return marks

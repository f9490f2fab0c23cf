"""A document's type from its format, file name, title and opening text: the genres of real government files.

The rules are ordered from the most to the least specific, and each says what it looks for: words in the file
name and title ("head") weigh more than the opening text ("body"), which is searched only for phrases a genre
prints on its first pages ("questions for written reply", "Present:" with "Apologies"). Tuned on the `tune` half
of tests/data/judged/real/titles.tsv and reported on both halves (scripts/bench_titles.py, docs/benchmarks.md).
A register's or a librarian's type always wins over this guess.
"""

from __future__ import annotations

import re

_RULES: tuple[tuple[str, str | None, str | None], ...] = (
    # (type, pattern in the head, pattern in the body's opening)
    ("study-tour report", r"study (tour|visit)|benchmarking (visit|trip)", r"study (tour|visit)"),
    ("questions and replies", r"question paper|questions? (for|and) (written|oral) repl|\bquestions\b",
     r"questions? for (written|oral) reply|internal question paper"),
    ("hansard", r"hansard|official report|verbatim|debates of",
     r"\bthe hansard\b|official report|the (house|council|senate|assembly) met at"),
    ("minutes", r"\bminutes\b|disposition of items|\bproceedings\b",
     r"^\W*minutes of|(present|attendance)\s*:(?=.*\b(apologies|absent|agenda)\b)|disposition of items"),
    ("agenda", r"\bagenda\b|order paper|orders of the day", r"^\W*agenda\b|orders of the day|order paper"),
    ("gazette", r"\bgazette\b|staatskoerant", r"government gazette|staatskoerant"),
    ("judgment", r"\bjudge?ment\b|\bv\.? [A-Z]|\bvs?\b\.? ",
     r"in the (high|supreme|magistrate'?s?|district|constitutional) court|court of appeal|\bcoram\b|\bjudgment\b"),
    ("annual report", r"annual (report|review)|\bannual\b.*\breport\b", r"annual report"),
    ("research report", r"research|tracer study|position paper|\bsurvey\b|\bstudy\b|technical report|\bpaper\b",
     r"research (report|team|division|methodology)|tracer study|literature review|\bmethodology\b"),
    ("notice", r"\bnotice\b|federal register|\brfq\b|request for (quote|quotation|proposals?|tender)|\btender\b"
     r"|invitation to bid|proposed rules?|confirmed cases",
     r"federal register|public notice|notice (is hereby|of (special |regular )?meeting)|request for (quote|proposal)"),
    ("letter", r"\bletter\b|designation|memorandum|\bmemo\b|teletype|dispatch",
     r"\bdear (sir|madam|mr|mrs|ms|dr|colleague)|yours (faithfully|sincerely)|^\s*(subject|re)\s*:"),
    ("budget", r"\bbudget\b|appropriation|expenditure", None),
    ("guideline", r"guide(line)?s?\b|handbook|manual\b|toolkit|how to|procedures?\b|\bfaqs?\b", None),
    ("brochure", r"brochure|leaflet|pamphlet|know your|understanding\b|fact ?sheet|\bward\b", None),
    ("register", r"register of|\bregister\b", None),
    ("policy", r"polic(y|ies)|strategy|strategic|\bplan\b|\bact\b|constitution|grondwet|molaotheo|vumbiwa|"
     r"umthethosisekelo|umgaqo|framework|charter|regulations?|by-?law", None),
    ("report", r"\breport\b|review|audit|evaluation|assessment|summary|close ?out|update|statistical release|"
     r"estimates", r"statistical release|executive summary"),
)
# An order paper says so at its top, whatever its file is called (one filed as "hansard_20251204_E.pdf")
_ORDER_PAPER = re.compile(r"\border paper\b|\borders of the day\b", re.I)
# A text with numbered tables or figures, sources or percentages, and no genre of its own, reports on something.
# (A rule that made such texts research reports by "survey", "findings", "methodology" was measured and dropped:
# two more of the 60 tune files right, two fewer of the 49 held out.)
_FIGURES = re.compile(r"\b(table|figure|chart)\s+\d|\bsource\s*:|\d+(\.\d+)?\s?%", re.I)
_COMPILED = [(t, re.compile(h, re.I) if h else None, re.compile(b, re.I | re.M | re.S) if b else None)
             for t, h, b in _RULES]


def guess_type(fmt: str, name: str, title: str, text: str, slides: bool = False) -> str:
    """Decks (and PDFs laid out as slides) are presentations; else the first genre whose pattern matches the
    file name and title, else the first whose pattern matches the opening text; "other" when none does."""
    head = f"{name} {title}".replace("-", " ").replace("_", " ")
    body = text[:4000]
    if fmt == "pptx" or slides:
        return "presentation"
    if fmt == "csv":
        return "register"
    if _ORDER_PAPER.search(body[:600]):
        return "agenda"
    for doc_type, in_head, _ in _COMPILED:
        if in_head is not None and in_head.search(head):
            return doc_type
    for doc_type, _, in_body in _COMPILED:
        if in_body is not None and in_body.search(body):
            return doc_type
    return "report" if fmt in ("pdf", "docx") and _FIGURES.search(body) else "other"

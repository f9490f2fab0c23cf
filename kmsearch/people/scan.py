"""Find the spans of text that look like people's names, with the evidence for and against each.

A span is *titled* ("Dr T. Mokoena", "Hon. Gladys Boss", "Sen. Bule"), *introduced by a post* ("Contracting
Officer Brian Burns", "Information Officer Cheryl James"), or bare ("T. Mokoena", "Lerato Dlamini"). The words
that end a name, the posts, the words that end an organisation's or a place's name, and the places that read
like names are data (kmsearch/people/data/*.txt), loaded once. An untitled capitalised run that reaches an
organisation's head word or contains a place ("American Healthy Homes Survey", "Nelson Mandela Metropolitan
University", "Des Moines") is not a name at all; a titled name simply ends before it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

from kmsearch.people.names import PARTICLES, TEXT_TITLES


@cache
def lexicon(name: str) -> frozenset[str]:
    """The words of kmsearch/people/data/NAME.txt ('#' starts a comment)."""
    text = resources.files("kmsearch.people").joinpath("data", f"{name}.txt").read_text(encoding="utf-8")
    return frozenset(w for line in text.splitlines() for w in line.split("#", 1)[0].split())


@cache
def place_phrases() -> frozenset[tuple[str, ...]]:
    """Places from data/places.txt, one a line, as word tuples ("Des", "Moines")."""
    text = resources.files("kmsearch.people").joinpath("data", "places.txt").read_text(encoding="utf-8")
    return frozenset(tuple(line.split()) for line in text.splitlines() if line.strip() and not line.startswith("#"))


def designations() -> frozenset[str]:
    return lexicon("designations")


def organisation_heads() -> frozenset[str]:
    return lexicon("organisation_heads")


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """Every word that ends a name: the stop words, the posts (and their plurals), organisation heads and the words
    of places."""
    return (lexicon("stopwords") | designations() | frozenset(w + "s" for w in designations()) | organisation_heads()
            | frozenset(w for phrase in place_phrases() for w in phrase))


TITLE_WORDS = TEXT_TITLES + ("Sen", "Senator", "Eng", "Mme")
_PARTICLE_FORMS = PARTICLES | {"v.d.", "vd."}  # compared in lower case: "Van der Merwe" too
_TITLE = re.compile(r"(?<![\w.])(?:" + "|".join(TITLE_WORDS) + r")\.?(?=\s)")
_BRACKETED_TITLE = re.compile(r"\s?\((?:Prof|Dr|Eng|Rtd|Rev|Hon)\.?\)(?=\s)")  # "Sen. (Prof.) Kindiki"
_PARTICLE_RE = r"(?:van|der|den|de|du|da|dos|le|la|von|ter|ten|vd|v\.d\.)"
# "D. Mahlangu", "P.J. van der Merwe", and the British "D Richardson" without the dot
_INITIALS_START = re.compile(r"(?<![\w.'’])(?:(?:[A-Z]\.\s?){1,3}|[A-Z]\s)(?=\s?(?:" + _PARTICLE_RE
                             + r"\s)*[A-Z][a-z])")
# zero-width, so that "Chairman Dennis Richardson" is tried again at "Dennis" when "Chairman" ends it at once
_BARE_START = re.compile(r"(?<![\w.'’-])(?=[A-Z][a-z]+(?:-[A-Z][a-z]+)?\s(?:[A-Z]\.\s)?(?:" + _PARTICLE_RE
                         + r"\s)*[A-Z](?:[a-z]|['’][A-Z]))")
# one part of a name: "Okong’o", "D’Oliviera", "McNeil"
_PART = r"(?:[A-ZÀ-Ý][a-zà-ÿ]+(?:['’][a-zà-ÿ]+)*['’]?|[A-Z]['’][A-Z][a-z]+|Mc[A-Z][a-z]+)"
_WORD = re.compile(rf"^{_PART}(?:-{_PART})*$")
_INITIAL = re.compile(r"^(?:[A-Z]\.){1,3}$|^[A-Z]$")
_NICK = re.compile(r"^['\"‘“][A-Z][a-z]+['\"’”]$")
_POST_BEFORE = re.compile(r"(?:^|[\s(])((?:(?:[A-Z][a-z]+|of|for|the) ){0,4}[A-Z][a-z]+) $")


@dataclass(frozen=True)
class Span:
    """A name found in a page's text: where it is, as written (with its title), and how it was introduced."""

    start: int
    end: int
    name: str
    titled: bool
    post: str = ""  # the post written just before the name ("Contracting Officer", "Clerk")


def _scan_name(text: str, start: int, titled: bool) -> tuple[int, str, str] | None:
    """The name that starts at `start` (after any title): initials, given names, particles and a surname.
    Returns (end, name, the word that ended it) or None; None too when an untitled run ends at an organisation's
    head word or holds a place."""
    tokens: list[tuple[str, str, int]] = []  # (kind, token, end)
    stopped_by = ""
    following = ""
    matches = list(re.finditer(r"\S+", text[start:start + 120]))
    for i, m in enumerate(matches):
        if m.start() and text[start + m.start() - 1] == "\n":
            break  # a name never runs over a line break
        raw = m.group()
        if raw.endswith(":") and sum(k == "word" for k, _, _ in tokens) >= 4:
            stopped_by = raw.rstrip(":")
            break  # "... Percy Moleke Fieldwork:": the next field's label, not a fifth name
        token = raw.rstrip(",;:)]")
        stop_after = token != raw
        if token.endswith(".") and not _INITIAL.match(token) and token.lower().rstrip(".") not in _PARTICLE_FORMS:
            token, stop_after = token[:-1].rstrip(",;:)]"), True  # a sentence ends after this word ("Lee).")
        if re.search(r"(?<=[a-z])['’]s?$", token) and not re.search(r"['’][a-z]+['’]$", token):
            token, stop_after = re.sub(r"['’]s?$", "", token), True  # "Dr Murray’s report", "Prof Smuts’ view"
        end = start + m.start() + len(token)
        if _INITIAL.match(token) and (not any(k == "word" for k, _, _ in tokens)
                                      or ([k for k, _, _ in tokens] == ["word"] and token.endswith("."))):
            tokens.append(("initial", token, end))  # "T. Mokoena", and a middle initial: "Nora L. Keenan"
        elif token.lower() in _PARTICLE_FORMS:
            tokens.append(("particle", token, end))
        elif _NICK.match(token) and tokens:
            tokens.append(("nick", token, end))
        elif _WORD.match(token) and token not in stopwords():
            tokens.append(("word", token, end))
        else:
            stopped_by = token
            following = matches[i + 1].group().strip(",;:()") if i + 1 < len(matches) else ""
            break
        if stop_after or len(tokens) >= 6:
            break
    while tokens and tokens[-1][0] != "word":
        tokens.pop()
    words = [t for k, t, _ in tokens if k == "word"]
    if not tokens or len(words) > 4:
        return None
    into_organisation = stopped_by in organisation_heads() and following not in designations()
    if not titled and (into_organisation or _has_place(words + [stopped_by])):
        return None  # "American Healthy Homes Survey", "Des Moines": the start of something else's name
    if titled and into_organisation and len(words) >= 3:  # "Dr. Peter Randolph Physical Biochemistry Facility"
        second = [i for i, (k, _, _) in enumerate(tokens) if k == "word"][1]
        tokens = tokens[:second + 1]
    elif titled and stopped_by in organisation_heads() and len(words) == 2 and tokens[0][0] == "initial":
        tokens = tokens[:-1]  # "Clerk Mrs J Todd Eden District Councillor": Eden names the district
    if tokens[0][0] == "particle" and not titled:
        return None
    if not titled and tokens[0][0] != "initial" and len(words) < 2:
        return None
    end = tokens[-1][2]
    return end, text[start:end], stopped_by


def _has_place(words: list[str]) -> bool:
    phrases = place_phrases()
    return any(tuple(words[i:j]) in phrases
               for i in range(len(words)) for j in range(i + 1, min(len(words), i + 3) + 1))


def _titled_names(text: str) -> Iterable[Span]:
    for m in _TITLE.finditer(text):
        pos = m.end()
        while True:  # stacked titles: "Hon. Minister", "Prof. Dr", "Sen. (Prof.) Kindiki"
            if pos < len(text) and text[pos] == " " and (nxt := _TITLE.match(text, pos + 1)):
                pos = nxt.end()
            elif bracketed := _BRACKETED_TITLE.match(text, pos):
                pos = bracketed.end()
            else:
                break
        found = _scan_name(text, pos + 1, titled=True) if pos < len(text) and text[pos] == " " else None
        if found:
            yield Span(m.start(), found[0], text[m.start():found[0]], True)


def _untitled_names(text: str) -> Iterable[Span]:
    seen_end = -1
    starts = sorted({m.start() for pattern in (_INITIALS_START, _BARE_START) for m in pattern.finditer(text)})
    for start in starts:
        if start < seen_end:
            continue
        found = _scan_name(text, start, titled=False)
        if found:
            seen_end = found[0]
            yield Span(start, found[0], found[1], False)


def _post(words: list[str]) -> str:
    """The post in the words just before a name: "Contracting Officer", "Minister of Health" (of "Prepared for
    Minister of Health Zweli Mkhize"), not "Councillors" of "Councillors Chairman"; empty when there is none."""
    while words and words[0] in ("of", "for", "the"):
        words = words[1:]
    if words and words[-1] not in designations():  # "Minister of Health": the post, then what it is of
        at = next((i for i in range(len(words) - 1, -1, -1) if words[i] in designations()), -1)
        if at < 0 or at + 1 >= len(words) or words[at + 1] not in ("of", "for"):
            return ""
        return " ".join(words[at:])
    if words[-1] in lexicon("weak_posts") and not (len(words) > 1 and words[-2] in designations()):
        return ""  # "General Dynamics Advanced", "(Head Start Grade": no post of a person
    kept = [words[-1]] if words else []
    for word in reversed(words[:-1]):
        if (word.endswith("s") and word[:-1] in designations()) or word in ("of", "for", "the") or len(kept) >= 3 \
                or word in lexicon("cue_words"):
            break
        kept.insert(0, word)
    return " ".join(kept)


def split_run(span: Span) -> list[Span]:
    """A list written without separators ("Elize van Zyl Renette du Toit", "Karin Fourie Percy Moleke") as one
    name per given name and surname; a name of three words or fewer stays whole ("Mary Jean Brown")."""
    tokens = [(m.start(), m.end(), m.group()) for m in re.finditer(r"\S+", span.name)]
    words = [t for t in tokens if t[2].lower() not in _PARTICLE_FORMS]
    if span.titled or len(words) < 4 or any(_INITIAL.match(t[2]) for t in tokens):
        return [span]
    groups: list[list[tuple[int, int, str]]] = [[]]
    for token in tokens:
        group = groups[-1]
        group.append(token)
        full = [t for t in group if t[2].lower() not in _PARTICLE_FORMS]
        if len(full) == 2:
            groups.append([])
    groups = [g for g in groups if g]
    if any(len([t for t in g if t[2].lower() not in _PARTICLE_FORMS]) != 2 for g in groups):
        return [span]
    return [Span(span.start + g[0][0], span.start + g[-1][1], span.name[g[0][0]:g[-1][1]], False) for g in groups]


def names(text: str) -> list[Span]:
    """All names in `text`, titled ones first claiming their span, in reading order."""
    out: list[Span] = list(_titled_names(text))
    taken = [(s.start, s.end) for s in out]
    for span in _untitled_names(text):
        if not any(span.start < te and span.end > ts for ts, te in taken):
            out.append(span)
            taken.append((span.start, span.end))
    out.sort(key=lambda s: s.start)
    for i, span in enumerate(out):  # the post just before a name, never reaching into the previous name
        floor = max(span.start - 60, out[i - 1].end if i else 0)
        post = _POST_BEFORE.search(text, floor, span.start)
        if post:
            out[i] = Span(span.start, span.end, span.name, span.titled, post=_post(post.group(1).split()))
    return out

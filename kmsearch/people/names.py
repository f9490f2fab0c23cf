"""Person names: titles stripped, particles kept, initials compared with full names.

"Dr T. Mokoena", "Thandiwe Mokoena" and "T. Mokoena" parse to the same surname key (`mokoena`) with given names
that agree ("T" is an initial of "Thandiwe"), so they can be one person; "P. vd Merwe" and "Mr P.J. van der Merwe"
share the key `van der merwe`. `nameparser` splits given names, surname and nickname; titles and surname
particles are handled here because it knows neither "Adv" without a dot nor a name that starts with "van".
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from nameparser import HumanName
from nameparser.config import Constants

# Titles and honorifics stripped from the front of a name (lower case, without the dot).
TITLES = frozenset(
    "dr mr mrs ms miss mx adv advocate prof professor hon honourable minister mec judge justice rev reverend "
    "sir dame cllr councillor president premier mayor dep deputy sen senator mme eng".split()
)
# Titles that introduce a name in running text (case-sensitive, the dot optional).
TEXT_TITLES = ("Dr", "Mr", "Mrs", "Ms", "Miss", "Mx", "Adv", "Advocate", "Prof", "Professor", "Hon", "Rev", "Cllr",
               "Councillor", "Minister", "MEC", "Judge", "Justice", "President", "Premier", "Mayor")
PARTICLES = frozenset("van der den de du da das dos le la von ter ten del della di bin ibn al el vd".split())
_PARTICLE_ABBREVIATIONS = {"vd": "van der", "v.d.": "van der", "v/d": "van der", "vd.": "van der", "v.d": "van der"}


@lru_cache(maxsize=1)
def _constants() -> Constants:
    constants = Constants()
    constants.titles.add(*TITLES)
    constants.prefixes.add("vd")
    return constants


def fold(text: str) -> str:
    """Lower case without accents, for comparing names ("Fontaine" == "fontaine", "Zoë" == "zoe")."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).lower()


def _given_tokens(text: str) -> tuple[str, ...]:
    """'P.J.' -> ('P', 'J'); 'Pieter Johannes' -> ('Pieter', 'Johannes'); 'J.-P.' -> ('J',)."""
    tokens = []
    for part in re.split(r"[\s.]+", text):
        part = part.strip("-'’")
        if part:
            tokens.append(part)
    return tuple(tokens)


@dataclass(frozen=True)
class ParsedName:
    """A name as written, and its parts."""

    text: str
    title: str
    given: tuple[str, ...]  # full given names and initials in order; initials are one letter
    surname: str
    nickname: str = ""
    identifier: bool = False  # an opaque id such as "a17" (BEIR author ids): matched only verbatim

    @property
    def key(self) -> str:
        """What two forms of one name must share: the folded surname with its particles written out."""
        if self.identifier:
            return "#" + self.text
        words = [_PARTICLE_ABBREVIATIONS.get(w.lower(), w) for w in self.surname.split()]
        return fold(" ".join(words)).replace(".", "")

    @property
    def full_given(self) -> int:
        return sum(1 for g in self.given if len(g) > 1)

    @property
    def specificity(self) -> tuple[int, int, int]:
        """More full given names, then more given tokens, then a title: the better display form."""
        return (self.full_given, len(self.given), 1 if self.title else 0)

    @property
    def plain(self) -> str:
        """The name without its title: 'Thandiwe Mokoena', 'T. Mokoena', 'Mokoena'."""
        if self.identifier:
            return self.text
        given = re.sub(r"(?<=\.) (?=\w\.)", "", " ".join(g if len(g) > 1 else f"{g}." for g in self.given))
        return f"{given} {self.surname}".strip()

    @property
    def acronym(self) -> str | None:
        """'PvdM' for Pieter van der Merwe: only names with particles get one (plain initials are too ambiguous)."""
        words = self.key.split()
        if self.identifier or not self.given or len(words) < 2 or not any(w in PARTICLES for w in words[:-1]):
            return None
        return self.given[0][0].upper() + "".join(w[0] for w in words[:-1]) + words[-1][0].upper()


def is_identifier(text: str) -> bool:
    """An author id rather than a name: has a digit, '_' or '@', or no capital letter at all."""
    return bool(re.search(r"[\d_@]", text)) or not re.search(r"[A-Z]", text)


def parse_name(text: str) -> ParsedName | None:
    """Parse one person's name; None when nothing name-like is left once titles are stripped."""
    text = " ".join(text.replace("’", "'").split()).strip(" ,;:()")
    if not text:
        return None
    if is_identifier(text):
        return ParsedName(text, "", (), text, identifier=True)
    words = text.split()
    titles = []
    while words and words[0].rstrip(".").lower() in TITLES and len(words) > 1:
        titles.append(words.pop(0))
    if not words:
        return None
    rest = " ".join(words)
    for abbreviation, full in _PARTICLE_ABBREVIATIONS.items():
        rest = re.sub(rf"(?<![\w.]){re.escape(abbreviation)}(?=\s)", full, rest, flags=re.I)
    human = HumanName(rest, constants=_constants())
    given = _given_tokens(f"{human.first} {human.middle}")
    surname = human.last
    if human.first.lower() in PARTICLES:  # "van der Merwe", "Du Plessis": nameparser takes the particle as a name
        given, surname = (), " ".join(p for p in (human.first, human.middle, human.last) if p)
    if not surname and given:  # a single word is a surname ("Mokoena"), not a given name
        surname, given = given[-1], given[:-1]
    if not re.search(r"[^\W\d_]{2}", surname):
        return None
    title = " ".join(titles) or human.title
    return ParsedName(text, title, given, surname, nickname=human.nickname.strip("'\""))


def given_compatible(a: tuple[str, ...], b: tuple[str, ...], nick_a: str = "", nick_b: str = "") -> bool:
    """Given names agree position by position: equal, or one is the other's initial. Missing ones agree."""
    for i, (x, y) in enumerate(zip(a, b)):
        xf, yf = fold(x), fold(y)
        if len(x) == 1 or len(y) == 1:
            if xf[0] != yf[0]:
                return False
        elif xf != yf:
            if i == 0 and (xf == fold(nick_b) or yf == fold(nick_a)):
                continue
            return False
    return True


def compatible(a: ParsedName, b: ParsedName) -> bool:
    """Could `a` and `b` name the same person?"""
    if a.identifier or b.identifier:
        return a.text == b.text
    return a.key == b.key and given_compatible(a.given, b.given, a.nickname, b.nickname)


def merge_given(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[str, ...]:
    """The most informative given names from two compatible forms: full names win over initials."""
    out = []
    for i in range(max(len(a), len(b))):
        x = a[i] if i < len(a) else ""
        y = b[i] if i < len(b) else ""
        out.append(x if len(x) >= len(y) else y)
    return tuple(out)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-") or "person"

"""Text helpers shared by every module: one fold, one slug, one French number and date format, and text
as the matcher compares it (accents and case removed, punctuation to spaces, light French stemming).

The stemmer is deliberately light (plural, feminine and verb endings only): heavier stemming merges words
that must stay apart ("science" and "scientifique") and costs precision; a theme names its compounds
as keywords instead ("jardin" beside "jardinage").
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

_SEPARATORS = re.compile(r"[\W_]+")  # Unicode-aware: accented letters are word characters
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss"})
# elided articles and pronouns ("l'animation", "d'emploi") carry no meaning for matching
_ELISIONS = {"l", "d", "j", "m", "n", "s", "t", "c", "qu"}


def fold(text: str) -> str:
    """Lower case, no accents, every run of non-alphanumerics as one space.

    Punctuation becomes spaces first (so that an en dash or a French quote never glues two words), then
    the accents go through a canonical decomposition; everything stays in C for speed.
    """
    text = _SEPARATORS.sub(" ", text)
    if not text.isascii():
        if "œ" in text or "æ" in text or "Œ" in text or "Æ" in text or "ß" in text:
            text = text.translate(_LIGATURES)
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return text.lower().strip()


def slug(text: str) -> str:
    """The folded words joined by hyphens: file names, UTM values, references ("Cœur à l'ouvrage" → "coeur-a-l-ouvrage")."""
    return "-".join(fold(text).split())


NNBSP = "\u202f"  # narrow no-break space: the French thousands separator
MISSING = "—"  # what a missing figure reads as


def number(value, decimals: int = 0, suffix: str = "") -> str:
    """A figure as French readers write it: "12\u202f345", "1\u202f234,50 €"; "—" when it is missing."""
    try:
        value = float(value)
    except (TypeError, ValueError):  # None, pandas' NA
        return MISSING
    if math.isnan(value):
        return MISSING
    text = f"{round(value):,}" if decimals == 0 else f"{value:,.{decimals}f}"
    return text.replace(",", NNBSP).replace(".", ",") + suffix


def french_date(value: dt.date | str) -> str:
    """A day as French readers write it: "05/03/2027" (from a date, a datetime or an ISO string)."""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    return value.strftime("%d/%m/%Y")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Light French stem: plural, feminine and verb endings ("policières" → "polici", "animaux" → "animal",
    "cuisinez" → "cuisin")."""
    if len(word) <= 3 or word.isdigit():
        return word
    if word.endswith("aux") and len(word) > 5:
        return word[:-3] + "al"
    if word[-1] in "sx":
        word = word[:-1]
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]
    # infinitives and the imperative of titles ("cuisiner", "cuisinez", "jardiner") meet their noun
    # ("cuisine" → "cuisin"); only on long words, so that "super" or "poster" stay whole
    if len(word) >= 7 and word.endswith(("er", "ez")):
        word = word[:-2]
    return word


def tokens(text: str) -> tuple[str, ...]:
    """Stemmed tokens of a text, elisions dropped."""
    return stemmed(fold(text).split())


def stemmed(words: list[str]) -> tuple[str, ...]:
    """`tokens` of a text whose folded words are `words` (`fold(text).split()`)."""
    return tuple(map(stem, [w for w in words if w not in _ELISIONS]))


def stem_forms(stems: Iterable[str]) -> frozenset[str]:
    """Every folded word whose `stem` is one of `stems`: a text none of whose words is among them has none of
    those stems, and need not be stemmed to know it. `stem` only cuts endings (a plural s or x, a final e,
    a verb's er or ez) or turns "aux" into "al", so a stem's words are the stem followed by those endings."""
    forms = set()
    for s in stems:
        candidates = [s + verb + e + plural for verb in ("", "er", "ez") for e in ("", "e") for plural in ("", "s", "x")]
        if s.endswith("al"):
            candidates.append(s[:-2] + "aux")
        forms.update(c for c in candidates if stem(c) == s)
    return frozenset(forms)


def key(text: str) -> str:
    """A whole value as one comparable string (used for genre and collection labels)."""
    return " ".join(tokens(text))


def hidden_characters(text: str) -> list[str]:
    """The invisible characters of `text` that a one-line value must not hold, as U+XXXX codes.

    Control characters (line breaks, NUL…) break headers and file formats (an iCalendar line, an e-mail
    header); format characters (bidi overrides, zero-width spaces and joiners, U+FEFF) make two values
    that look alike differ, or reverse what is shown.
    """
    return [f"U+{ord(c):04X}" for c in text if unicodedata.category(c) in ("Cc", "Cf", "Cs", "Zl", "Zp")]


@lru_cache(maxsize=65536)  # a national plan names each of 16,000 libraries a few times per ad set and theme
def name_with_town(name: str, town: str) -> str:
    """A library's name with its town, as people tell libraries apart: « Médiathèque municipale (Aubagne) »; a
    name that already says its town is left as it is (« Bibliothèque municipale de Marseille - Alcazar »)."""
    if not town or f" {fold(town)} " in f" {fold(name)} ":
        return name
    return f"{name} ({town})"

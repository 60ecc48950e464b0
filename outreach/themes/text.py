"""Text as the matcher compares it: accents and case removed, punctuation to spaces, light French stemming.

The stemmer is deliberately light (plural and feminine endings only): heavier stemming merges words that
must stay apart ("jardin" and "jardinage", "science" and "scientifique") and costs precision.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_NON_WORD = re.compile(r"[^a-z0-9]+")
_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'", "`": "'", "œ": "oe", "æ": "ae", "Œ": "oe", "Æ": "ae"})
# elided articles and pronouns ("l'animation", "d'emploi") carry no meaning for matching
_ELISIONS = {"l", "d", "j", "m", "n", "s", "t", "c", "qu"}


def fold(text: str) -> str:
    """Lower case, no accents, every run of non-alphanumerics as one space."""
    text = unicodedata.normalize("NFKD", text.translate(_APOSTROPHES))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return _NON_WORD.sub(" ", text).strip()


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Light French stem: plural then feminine endings ("policières" → "policier", "animaux" → "animal")."""
    if len(word) <= 3 or word.isdigit():
        return word
    if word.endswith("aux") and len(word) > 5:
        return word[:-3] + "al"
    if word[-1] in "sx":
        word = word[:-1]
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]
    return word


def tokens(text: str) -> tuple[str, ...]:
    """Stemmed tokens of a text, elisions dropped."""
    return tuple(stem(w) for w in fold(text).split() if w not in _ELISIONS)


def key(text: str) -> str:
    """A whole value as one comparable string (used for genre and collection labels)."""
    return " ".join(tokens(text))

"""Counting characters the way each platform does, and fitting a text to a limit without cutting words.

X counts with weights (twitter-text v3): code points in a few ranges (Latin, Greek, Cyrillic, general
punctuation…) count 1, every other one (emoji, CJK…) counts 2, and every link counts 23 whatever its
length, because X rewrites it as a t.co link — a bare domain ("bm.marseille.fr/agenda") too. Mastodon
counts a link as 23 only when it is written with its scheme (it extracts URLs without protocol off);
a bare domain counts as written. Elsewhere a character is a character and a link is as long as written.
"""

from __future__ import annotations

import re
import unicodedata

from outreach.channels.profiles import Constraints

# the code point ranges X counts as 1 (twitter-text configuration v3); everything else counts 2
_LIGHT_RANGES = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))

# links as the platforms detect them: with a scheme, or a bare domain with a common top-level domain
URL = re.compile(
    r"https?://[^\s<>\"]+[^\s<>\".,;:!?)»]"
    r"|\b(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:fr|com|org|net|eu|info|io|paris|bzh|corsica)\b(?:/[^\s<>\"]*[^\s<>\".,;:!?)»])?",
    re.IGNORECASE)


def _weight(char: str) -> int:
    code = ord(char)
    return 1 if any(lo <= code <= hi for lo, hi in _LIGHT_RANGES) else 2


def count(text: str, constraints: Constraints) -> int:
    """Length of `text` as the platform counts it."""
    text = unicodedata.normalize("NFC", text)
    total, pos = 0, 0
    for match in URL.finditer(text):
        if constraints.weighting != "twitter" and "://" not in match.group(0):
            continue  # a bare domain: only X shortens it
        total += _count_plain(text[pos:match.start()], constraints)
        link = match.group(0)
        total += constraints.link_chars if constraints.link_chars is not None else _count_plain(link, constraints)
        pos = match.end()
    return total + _count_plain(text[pos:], constraints)


def _count_plain(text: str, constraints: Constraints) -> int:
    if constraints.weighting == "twitter":
        return sum(_weight(c) for c in text)
    return len(text)


def links_in(text: str) -> list[str]:
    return [m.group(0) for m in URL.finditer(text)]


ELLIPSIS = "…"


def shorten(text: str, limit: int, constraints: Constraints) -> str:
    """`text` cut at the last whole word that fits `limit` (ellipsis included); never mid-word.

    A link is never cut: it goes whole or not at all. Returns "" when not even one word fits.
    """
    if count(text, constraints) <= limit:
        return text
    words = text.split(" ")
    kept: list[str] = []
    for word in words:
        candidate = " ".join([*kept, word]).rstrip(" ,;:—-") + ELLIPSIS
        if count(candidate, constraints) > limit:
            break
        kept.append(word)
    if not kept:
        return ""
    return " ".join(kept).rstrip(" ,;:—-") + ELLIPSIS


def fit(sentences: list[str], limit: int, constraints: Constraints, *, tail: str = "") -> str:
    """Whole sentences in order, as many as fit with `tail` (link, hashtags) after them.

    The first sentence is required: if it does not fit whole it is shortened at a word boundary. Later
    sentences are added whole or skipped, so that what is said stays whole.
    """
    sep_tail = ("\n\n" + tail) if tail else ""
    budget = limit - count(sep_tail, constraints)
    body: list[str] = []
    for i, sentence in enumerate(s for s in sentences if s):
        candidate = " ".join([*body, sentence])
        if count(candidate, constraints) <= budget:
            body.append(sentence)
        elif i == 0:
            short = shorten(sentence, budget, constraints)
            if short:
                body.append(short)
            break
    return " ".join(body) + sep_tail

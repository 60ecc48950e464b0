"""Block and flag lists of sensitive interest terms (GDPR art. 9), and the matcher that applies them.

The lists live in `data/sensitive-interests.yaml` so that the DPO extends them without touching code.
Matching is accent- and case-insensitive and works on whole words: a term matches when its words appear,
in order and next to each other, among the words of the text. Punctuation separates words, so "LGBT+"
matches "lgbt" and "Bibliothèque" never matches "bible". A final "s" or "x" on a word of the text is
tolerated, because interest names and their French labels use plurals freely.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from outreach.errors import InputError
from outreach.paths import data_dir
from outreach.text import fold
from outreach.yamlfile import read_yaml

LEVELS = ("block", "flag")


@lru_cache(maxsize=65536)
def normalise(text: str) -> tuple[str, ...]:
    """Words of a text without accents, casefolded; any non-alphanumeric character is a separator."""
    return tuple(fold(text).split())


def _same_word(text_word: str, term_word: str) -> bool:
    if text_word == term_word:
        return True
    # plural of the text word ("cancers", "journaux" is not handled on purpose: no stemming of roots)
    return len(term_word) > 2 and text_word[:-1] == term_word and text_word[-1] in "sx"


@dataclass(frozen=True)
class Term:
    text: str  # as written in the file, shown to the user
    words: tuple[str, ...]
    level: str  # block | flag
    category: str
    source: str
    label: str = ""  # the category in French, shown to the user


@dataclass(frozen=True)
class Match:
    text: str  # the interest or label that matched
    term: Term


class SensitiveLists:
    def __init__(self, terms: list[Term]):
        self.terms = terms
        # index by first word: a text of n words is then checked against few candidate terms
        self._memo: dict[str, list[Match]] = {}  # the same interest names recur across thousands of ad sets
        self._by_first: dict[str, list[Term]] = {}
        for term in terms:
            self._by_first.setdefault(term.words[0], []).append(term)

    def matches(self, text: str) -> list[Match]:
        """Every term found in `text`, block terms first."""
        if text not in self._memo:
            if len(self._memo) > 100_000:
                self._memo.clear()
            self._memo[text] = self._matches(text)
        return self._memo[text]

    def _matches(self, text: str) -> list[Match]:
        words = normalise(text)
        found: dict[str, Match] = {}
        for i, word in enumerate(words):
            candidates = self._by_first.get(word, [])
            if len(word) > 3 and word[-1] in "sx":
                candidates = candidates + self._by_first.get(word[:-1], [])
            for term in candidates:
                n = len(term.words)
                if i + n <= len(words) and all(_same_word(words[i + k], term.words[k]) for k in range(n)):
                    found.setdefault(term.text, Match(text=text, term=term))
        return sorted(found.values(), key=lambda m: (LEVELS.index(m.term.level), m.term.text))

    def level(self, text: str) -> str | None:
        """`block`, `flag` or None: the strictest list the text falls in."""
        found = self.matches(text)
        return found[0].term.level if found else None


def default_path() -> Path:
    return data_dir() / "sensitive-interests.yaml"


def load_lists(path: str | Path | None = None) -> SensitiveLists:
    path = Path(path) if path else default_path()
    return _load(str(path), path.stat().st_mtime_ns if path.exists() else 0)


@lru_cache(maxsize=8)
def _load(path_text: str, _mtime: int) -> SensitiveLists:
    path = Path(path_text)
    raw = read_yaml(path, missing_fix="Restaurez data/sensitive-interests.yaml depuis le dépôt.") or {}
    terms: list[Term] = []
    for level in LEVELS:
        categories = raw.get(level) or {}
        if not isinstance(categories, dict):
            raise InputError(f"« {level} » doit regrouper des catégories (santé, religion…).", file=path,
                             where=level, fix="Voir l'exemple en tête du fichier.")
        for category, body in categories.items():
            body = body or {}
            if not isinstance(body, dict) or not isinstance(body.get("terms", []), list):
                raise InputError("une catégorie doit avoir « source » et une liste « terms ».", file=path,
                                 where=f"{level}.{category}", fix="Voir l'exemple en tête du fichier.")
            source = str(body.get("source") or "").strip()
            label = str(body.get("label") or category).strip()
            if not source:
                raise InputError("source manquante.", file=path, where=f"{level}.{category}.source",
                                 fix="Indiquez le texte ou la décision qui justifie ces termes.")
            for index, term in enumerate(body.get("terms") or []):
                words = normalise(str(term))
                if not words:
                    raise InputError("terme vide.", file=path, where=f"{level}.{category}.terms[{index}]",
                                     fix="Supprimez la ligne ou écrivez le terme.")
                terms.append(Term(text=str(term), words=words, level=level, category=str(category),
                                  source=source, label=label))
    return SensitiveLists(terms)

"""The shelf map: a library's call-number prefixes and shelf codes → themes.

"R POL", "BD M", "SF": a public library writes its own decision about a work into the call number and the
shelf codes. The shipped map (`data/shelf-map.yaml`) holds the common French conventions; the network's
own map (`shelf-map.yaml` beside the network settings, edited on the Thèmes page) adds its codes and may
switch a default off by mapping it to nothing.

A code is compared word by word, accents, case, punctuation and plurals aside ("BD/MANGAS" is "BD MANGA"),
at the start of a call number or shelf value, or after an audience mark ("J BD", "E BD/MANGAS"); the
longest code found wins, so "BD M ONE" is a manga and "BD TIN" a comic.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from outreach import atomic
from outreach.errors import InputError, InputErrors
from outreach.model import CatalogueItem, Theme
from outreach.paths import shelf_map_path, shipped_shelf_map_path
from outreach.text import fold, stem
from outreach.yamlfile import parse_yaml, read_yaml

MAX_CODE_WORDS = 3
# marks of the audience put before the shelf code ("J BD", "E BD/MANGAS", "ADO SF"): looked past
AUDIENCE_MARKS = frozenset({"j", "e", "a", "ado", "jeunesse", "jeune", "enfant", "adulte", "jr", "y", "ya"})

SHELF_MAP_HEADER = """\
# Shelf map of the library network: call-number prefixes and shelf codes → interest themes.
# Edited on the Thèmes page (tab « Cotes et rayons »). A code matches at the start of a call number or a
# shelf value, or after an audience mark (J, E, ADO…), accents, case, punctuation and plurals aside; the
# longest code wins. Map a shipped code to [] to switch it off.
"""


def code_words(text: str) -> tuple[str, ...]:
    """A shelf code or call number as compared: folded, split, plurals removed; single letters kept ("BD M")."""
    return tuple(stem(w) for w in fold(text).split())


@lru_cache(maxsize=65536)
def _head_words(head: str) -> tuple[str, ...]:
    return code_words(head)


def head_words(value: str) -> tuple[str, ...]:
    """The first words of a call number, as compared: only they can hold a code (audience mark, then at
    most `MAX_CODE_WORDS`), and the heads repeat ("R POL", "BD M") where whole call numbers do not."""
    return _head_words(" ".join(value.split()[:MAX_CODE_WORDS + 1]))


def network_shelf_map_path() -> Path:
    """`shelf-map.yaml` beside the network settings file (network.yaml)."""
    return shelf_map_path()


def parse_shelf_map(raw: object, label: str, *, theme_ids: Iterable[str] | None = None) -> dict[str, list[str]]:
    """Code → theme ids from a parsed YAML document `{shelves: {code: theme id or [ids]}}`; every problem at once."""
    entries = raw.get("shelves") if isinstance(raw, dict) else None
    if raw is None or entries is None:
        entries = {}
    if not isinstance(entries, dict):
        raise InputError("la clé « shelves: » doit contenir des paires « code: thème ».", file=label,
                         fix="Écrivez par exemple « R POL: polar », une cote par ligne.")
    known = set(theme_ids) if theme_ids is not None else None
    out: dict[str, list[str]] = {}
    errors: list[InputError] = []
    for code, value in entries.items():
        code = str(code).strip()
        where = f"cote « {code} »"
        if not code_words(code):
            errors.append(InputError("code vide ou sans lettre ni chiffre.", where=where, field="shelves",
                                     fix="Écrivez le début de la cote tel qu'il figure sur le dos des livres."))
            continue
        if len(code_words(code)) > MAX_CODE_WORDS:
            errors.append(InputError(f"code de plus de {MAX_CODE_WORDS} mots.", where=where, field="shelves",
                                     fix="Gardez le début de la cote qui désigne le rayon (« R POL », « BD M »)."))
            continue
        ids = [] if value is None else [value] if isinstance(value, str) else value
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            errors.append(InputError("thème illisible.", where=where, field="shelves",
                                     fix="Donnez l'identifiant d'un thème (polar) ou une liste ([manga, bande-dessinee])."))
            continue
        unknown = [i for i in ids if known is not None and i not in known]
        if unknown:
            errors.append(InputError(f"thème inconnu : {', '.join(unknown)}.", where=where, field="shelves",
                                     fix="Utilisez un identifiant du fichier des thèmes (outreach themes list)."))
            continue
        out[code] = [i.strip() for i in ids if i.strip()]
    if len(errors) == 1:
        only = errors[0]
        raise InputError(only.message, file=label, where=only.where, field=only.field, fix=only.fix)
    if errors:
        raise InputErrors(errors, file=label)
    return out


def read_shelf_map(path: str | Path, *, theme_ids: Iterable[str] | None = None) -> dict[str, list[str]]:
    path = Path(path)
    return parse_shelf_map(read_yaml(path), str(path), theme_ids=theme_ids)


@lru_cache(maxsize=8)
def _read_cached(path: str, stamp: float) -> dict[str, list[str]]:
    return read_shelf_map(path)


def _read_if_any(path: Path) -> dict[str, list[str]]:
    try:
        stamp = os.stat(path).st_mtime_ns
    except OSError:
        return {}
    return dict(_read_cached(str(path), stamp))


def load_shelf_map(path: str | Path | None = None) -> dict[str, list[str]]:
    """The map in force: the shipped conventions, overridden and extended by the network's file (or `path`).

    A code mapped to [] in the network's file switches the shipped code off (it stays listed, empty)."""
    merged = _read_if_any(shipped_shelf_map_path())
    merged.update(_read_if_any(Path(path) if path is not None else network_shelf_map_path()))
    return merged


def network_entries(path: str | Path | None = None) -> dict[str, list[str]]:
    """Only what the network's own file says (what the Thèmes page edits)."""
    return _read_if_any(Path(path) if path is not None else network_shelf_map_path())


def dump_shelf_map(entries: dict[str, list[str]]) -> str:
    body = {code: ids[0] if len(ids) == 1 else ids for code, ids in entries.items()}
    return SHELF_MAP_HEADER + yaml.safe_dump({"shelves": body}, allow_unicode=True, sort_keys=True)


def save_shelf_map(entries: dict[str, list[str]], *, theme_ids: Iterable[str] | None = None,
                   path: str | Path | None = None) -> Path:
    """Write the network's map atomically, after checking it reads back the same."""
    target = Path(path) if path is not None else network_shelf_map_path()
    text = dump_shelf_map(entries)
    parse_shelf_map(parse_yaml(text, file=str(target)), str(target), theme_ids=theme_ids)
    atomic.write_text(target, text)
    return target


# ------------------------------------------------------------------ matching

def compile_shelf_map(entries: dict[str, list[str]], themes: Sequence[Theme]) -> dict[tuple[str, ...], list[tuple[int, str]]]:
    """Code words → (theme index in `themes`, code as written); codes of absent themes are left out."""
    position = {t.id: i for i, t in enumerate(themes)}
    out: dict[tuple[str, ...], list[tuple[int, str]]] = {}
    for code, ids in entries.items():
        for theme_id in ids:
            if theme_id in position:
                out.setdefault(code_words(code), []).append((position[theme_id], code))
    return out


def _starts(words: tuple[str, ...]) -> list[int]:
    return [0, 1] if len(words) > 1 and words[0] in AUDIENCE_MARKS else [0]


def find_code(words: tuple[str, ...], compiled: dict[tuple[str, ...], object]) -> tuple[str, ...] | None:
    """The longest code of `compiled` at the start of `words` or after an audience mark."""
    for start in _starts(words):
        for n in range(min(MAX_CODE_WORDS, len(words) - start), 0, -1):
            candidate = words[start:start + n]
            if candidate in compiled:
                return candidate
    return None


def shelf_values(item: CatalogueItem) -> list[str]:
    return [*item.call_numbers, *item.shelves]


# ------------------------------------------------------------------ proposal from a loaded file

@dataclass(frozen=True)
class CodeCount:
    """A code found in a file: how many records carry it, an example, and the themes proposed for it."""

    code: str
    records: int
    example: str
    themes: tuple[str, ...]
    source: str  # "carte" (already mapped), "libellé" (the code's words name a theme), "" (nothing proposed)


def frequent_codes(items: Sequence[CatalogueItem], *, words: int = 2, limit: int = 40) -> list[tuple[str, int, str]]:
    """(code, records, example) of the most frequent call-number prefixes and shelf values of `items`.

    A call number gives its first `words` words after any audience mark, without the words that carry a
    digit (the Dewey number and the copy's own numbers are not shelf codes); a shelf value is taken whole
    up to `MAX_CODE_WORDS` words."""
    counts: Counter = Counter()
    examples: dict[tuple[str, ...], str] = {}
    shown: dict[tuple[str, ...], Counter] = {}
    for item in items:
        seen = set()
        for value, is_call in [(c, True) for c in item.call_numbers] + [(s, False) for s in item.shelves]:
            cw = code_words(value)
            if not cw:
                continue
            start = _starts(cw)[-1] if is_call else 0
            head = cw[start:start + (words if is_call else MAX_CODE_WORDS)]
            head = tuple(w for w in head if not any(ch.isdigit() for ch in w)) if is_call else head
            if not head or head in seen:
                continue
            seen.add(head)
            counts[head] += 1
            examples.setdefault(head, value)
            raw = value.split()[start:start + len(head)] if is_call else value.split()
            shown.setdefault(head, Counter())[" ".join(raw)] += 1
    return [(shown[k].most_common(1)[0][0], n, examples[k]) for k, n in counts.most_common(limit)]


def propose_shelf_map(items: Sequence[CatalogueItem], themes: Sequence[Theme], entries: dict[str, list[str]],
                      *, limit: int = 40) -> list[CodeCount]:
    """The file's most frequent codes, each with the themes the map in force gives it, or else the theme
    whose genre label or keyword the code spells ("Romans policiers" → polar), for the officer to confirm."""
    compiled = compile_shelf_map(entries, themes)
    by_label: dict[tuple[str, ...], str] = {}
    for t in themes:
        for text in [*t.genres, *t.keywords, t.label]:
            by_label.setdefault(code_words(text), t.id)
    out = []
    for code, n, example in frequent_codes(items, limit=limit):
        cw = code_words(code)
        found = find_code(cw, compiled)
        if found is not None:
            out.append(CodeCount(code, n, example, tuple(dict.fromkeys(themes[i].id for i, _ in compiled[found])),
                                 "carte"))
        elif cw in by_label:
            out.append(CodeCount(code, n, example, (by_label[cw],), "libellé"))
        else:
            out.append(CodeCount(code, n, example, (), ""))
    return out

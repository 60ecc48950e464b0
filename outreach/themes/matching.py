"""Which items and events belong to which theme, with a score and the reason.

Each field of a record is weighed by how much a librarian's decision it carries: a genre or collection
label (a person filed the book there) counts more than a subject heading, which counts more than a word
in the title or the summary. A theme's `exclude` words cancel a hit found in the same field, which is how
"Science et Vie", "la fiction juridique" or "Films de science-fiction -- Production et réalisation" (a
making-of) stay out of science fiction. Several independent hits raise the score: 1 - Π(1 - wᵢ).

The vocabulary of all themes is compiled once into dictionaries keyed by the first word of each term, so
that a field is scanned once whatever the number of themes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from outreach.model import CatalogueItem, LibraryEvent, Theme, ThemeMatch
from outreach.text import fold, key, stem_forms, stemmed, tokens
from outreach.themes import dewey as dw
from outreach.themes import shelves

# field → (weight, French name used in the reason)
ITEM_FIELDS = {
    "shelf": (1.0, "rayon"),
    "genre": (1.0, "genre"),
    "collection": (1.0, "collection"),
    "subject": (0.9, "sujet"),
    "dewey": (0.8, "Dewey"),
    "series": (0.9, "collection éditoriale"),
    "subject_keyword": (0.7, "sujet"),
    "title": (0.6, "titre"),
    "summary": (0.5, "résumé"),
}
EVENT_FIELDS = {
    "keywords": (0.9, "mots-clés"),
    "title": (0.8, "titre"),
    "description": (0.6, "description"),
}
MIN_SCORE = 0.5
KINSHIP_FIELDS = frozenset({"same_author", "same_series"})  # see outreach.themes.kinship
SINGLE_TITLE_WORD = 0.4  # below MIN_SCORE: one word of a title never makes a match alone


@dataclass(frozen=True)
class Term:
    theme: int
    words: tuple[str, ...]
    text: str  # as written in themes.yaml, for the reason


@dataclass
class CompiledThemes:
    themes: list[Theme]  # the reported themes first, then the referees (see `compile_themes`)
    reported: int = 0
    keywords: dict[str, list[Term]] = field(default_factory=lambda: defaultdict(list))
    headings: dict[str, list[Term]] = field(default_factory=lambda: defaultdict(list))
    genres: dict[str, list[Term]] = field(default_factory=lambda: defaultdict(list))
    series: dict[str, list[Term]] = field(default_factory=lambda: defaultdict(list))
    dewey: list[list[tuple[tuple[str, str], str]]] = field(default_factory=list)
    exclude_words: list[frozenset[str]] = field(default_factory=list)
    exclude_phrases: list[tuple[tuple[str, ...], ...]] = field(default_factory=list)
    rivals: list[list[int]] = field(default_factory=list)
    # shelf map: code words → (theme index, code as written); see outreach.themes.shelves
    shelves: dict[tuple[str, ...], list[tuple[int, str]]] = field(default_factory=dict)
    # by text field scanned without memo: the folded words that may begin one of its terms (`_scan_text`)
    first_words: dict[str, frozenset[str]] = field(default_factory=dict)


def compile_themes(themes: Sequence[Theme], *, referees: Sequence[Theme] | None = None,
                   shelf_map: dict[str, list[str]] | None = None) -> CompiledThemes:
    """The vocabulary of `themes`, compiled for matching.

    A theme's `rivals` decide its series-only matches, so a theme must be matched with its rivals beside it
    or its result would depend on which other themes the caller happened to pass (an SF-only campaign
    would count the fantasy novels of an SF imprint). Rivals missing from `themes` are taken from
    `referees` (default: the themes file, data/themes.yaml) and compiled as referees: they are consulted,
    never reported.

    `shelf_map` (code → theme ids) defaults to the map in force: the shipped conventions and the network's
    own file (`outreach.themes.shelves.load_shelf_map`).
    """
    reported = list(themes)
    c = CompiledThemes(reported + _missing_rivals(reported, referees), len(reported))
    for i, theme in enumerate(c.themes):
        for text in theme.keywords:
            words = tokens(text)
            if words:
                c.keywords[words[0]].append(Term(i, words, text))
        for text in theme.rameau:
            words = tokens(text)
            if words:
                c.headings[words[0]].append(Term(i, words, text))
        for text in theme.series:
            words = tokens(text)
            if words:
                c.series[words[0]].append(Term(i, words, text))
        for text in theme.genres:
            if key(text):
                c.genres[key(text)].append(Term(i, (), text))
        c.dewey.append([(rng, text) for text in theme.dewey if (rng := dw.parse_range(text))])
        singles, phrases = set(), []
        for text in theme.exclude:
            words = tokens(text)
            if len(words) == 1:
                singles.add(words[0])
            elif words:
                phrases.append(words)
        c.exclude_words.append(frozenset(singles))
        c.exclude_phrases.append(tuple(phrases))
    position = {t.id: i for i, t in enumerate(c.themes)}
    c.rivals = [[position[r] for r in t.rivals if r in position] for t in c.themes]
    c.shelves = shelves.compile_shelf_map(shelves.load_shelf_map() if shelf_map is None else shelf_map,
                                          c.themes[:c.reported])
    c.first_words = {"": stem_forms(c.keywords), "series": stem_forms([*c.keywords, *c.series]),
                     "keywords": stem_forms([*c.keywords, *c.headings])}
    return c


def _missing_rivals(themes: list[Theme], referees: Sequence[Theme] | None) -> list[Theme]:
    present = {t.id for t in themes}
    wanted = {r for t in themes for r in t.rivals} - present
    if not wanted:
        return []
    if referees is None:
        from outreach.errors import InputError
        from outreach.themes.catalogue import shipped_themes

        try:
            referees = shipped_themes()  # read again only when the file changes
        except (InputError, OSError):  # no readable themes file: the rivals stay unknown, as before
            return []
    return [t for t in referees if t.id in wanted]


class Memo(dict):
    """Tokens of the label-like values of one run (headings, genres, series, collections), computed once:
    a catalogue repeats them thousands of times, unlike titles and summaries."""

    def __missing__(self, text: str) -> tuple[str, ...]:
        value = self[text] = tokens(text)
        return value


def _contains(words: tuple[str, ...], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    return any(words[i:i + n] == phrase for i in range(len(words) - n + 1))


def _excluded(c: CompiledThemes, theme: int, words: tuple[str, ...]) -> bool:
    ex = c.exclude_words[theme]
    if ex and not ex.isdisjoint(words):
        return True
    return any(_contains(words, p) for p in c.exclude_phrases[theme])


def _phrase_hits_at(index: dict[str, list[Term]], words: tuple[str, ...]) -> list[tuple[Term, int]]:
    """(term, position) of every term of `index` found as a whole-word phrase in `words`."""
    if not words or index.keys().isdisjoint(words):  # the common case: nothing to look at, decided in C
        return []
    hits = []
    for i, word in enumerate(words):
        for term in index.get(word, ()):
            if words[i:i + len(term.words)] == term.words:
                hits.append((term, i))
    return hits


def _phrase_hits(c: CompiledThemes, index: dict[str, list[Term]], words: tuple[str, ...],
                 anywhere: bool = True) -> list[Term]:
    """Terms of `index` found as whole-word phrases in `words` (at the start only unless `anywhere`)."""
    if not words:
        return []
    if not anywhere:
        return [t for t in index.get(words[0], ()) if words[:len(t.words)] == t.words]
    return [t for t, _ in _phrase_hits_at(index, words)]


# fields that describe the container (a publisher's series), not the work itself
CONTAINER_FIELDS = {"series"}


class Evidence:
    """Hits per theme for one record: the strongest gives the reason, all of them the score.

    One hit per (field, term): the same series written in 225 and 410 is one clue, not two.
    """

    __slots__ = ("hits",)

    def __init__(self):
        self.hits: dict[int, dict[tuple[str, str], tuple[float, str]]] = {}

    def add(self, theme: int, weight: float, reason: str, field_name: str = "", term: str = "") -> None:
        found = self.hits.setdefault(theme, {})
        k = (field_name, term or reason)  # term: its stemmed words, so "manga" and "mangas" are one clue
        if k not in found or found[k][0] < weight:
            found[k] = (weight, reason)

    def _only_container(self, theme: int) -> bool:
        return all(f in CONTAINER_FIELDS for f, _ in self.hits[theme])

    def found(self, c: CompiledThemes) -> list[tuple[str, float, str]]:
        """(theme id, score, reason) of each reported theme the hits make a match."""
        out = []
        for theme, found in self.hits.items():
            if theme >= c.reported:
                continue  # a referee: it only decides its rivals' series-only matches
            if self._only_container(theme) and any(
                    r in self.hits and not self._only_container(r) for r in c.rivals[theme]):
                continue  # an SF imprint publishing fantasy: the work's own description decides
            ranked = sorted(found.values(), key=lambda h: -h[0])
            miss = 1.0
            for weight, _ in ranked:
                miss *= 1.0 - weight
            score = round(1.0 - miss, 3)
            if score < MIN_SCORE:
                continue
            reason = ranked[0][1] + (f" (+{len(ranked) - 1} autre(s) indice(s))" if len(ranked) > 1 else "")
            out.append((c.themes[theme].id, score, reason))
        return out

    def matches(self, item_id: str, c: CompiledThemes) -> list[ThemeMatch]:
        return [ThemeMatch(item_id=item_id, theme_id=t, score=s, reason=r) for t, s, r in self.found(c)]


# in prose (summaries, event descriptions) an exclusion word counts only near the hit: "la vie" three
# sentences away must not cancel "science-fiction", "le tournage du film de science-fiction" must
PROSE_FIELDS = {"summary", "description"}
EXCLUSION_WINDOW = 6


def _scan_text(c: CompiledThemes, ev: Evidence, values: Iterable[str], field_name: str,
               fields: dict[str, tuple[float, str]], memo: Memo | None = None) -> None:
    weight, label = fields[field_name]
    prose = field_name in PROSE_FIELDS
    first_words = c.first_words.get(field_name) or c.first_words[""]
    for value in values:
        if not value:
            continue
        if memo is not None:
            words = memo[value]
        else:
            # a title or a summary is scanned once: unless one of its words may begin a term, it holds none,
            # and its words need not be stemmed (most of them hold none)
            folded = fold(value).split()
            if first_words.isdisjoint(folded):
                continue
            words = stemmed(folded)
        hits = _phrase_hits_at(c.keywords, words)
        if field_name == "keywords":  # an agenda's keywords are chosen like subject headings: from the start
            hits += [(t, 0) for t in _phrase_hits(c, c.headings, words, anywhere=False)]
        if field_name == "series":
            hits += _phrase_hits_at(c.series, words)
        for term, at in hits:
            context = words[max(0, at - EXCLUSION_WINDOW): at + len(term.words) + EXCLUSION_WINDOW] if prose else words
            if not _excluded(c, term.theme, context):
                # one word of a work's title is a weak clue ("Le jardin secret", "Cuisine et dépendances"): it needs
                # another clue to make a match, unless it is the whole subtitle, where a publisher states the
                # genre ("De l'or et des larmes : thriller")
                weak = (fields is ITEM_FIELDS and field_name == "title" and len(term.words) == 1
                        and tokens(value.rsplit(" : ", 1)[-1]) != term.words)
                w = SINGLE_TITLE_WORD if weak else weight
                ev.add(term.theme, w, f"{label} : « {term.text} » dans « {_short(value)} »", field_name,
                       " ".join(term.words) or term.text)


def _short(text: str, limit: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _scan_headings(c: CompiledThemes, ev: Evidence, headings: Iterable[str], ignore: set[str], memo: Memo) -> None:
    for heading in headings:
        if not heading:
            continue
        parts = [memo[p] for p in heading.split("--")]
        all_words = memo[heading]
        if "subject" not in ignore:
            weight, label = ITEM_FIELDS["subject"]
            for term in _phrase_hits(c, c.headings, parts[0], anywhere=False):
                if not _excluded(c, term.theme, all_words):
                    ev.add(term.theme, weight, f"{label} RAMEAU « {_short(heading)} »", "subject",
                           " ".join(term.words))
        if "subject_keyword" not in ignore:
            # free subjects (CSV exports, local headings): a keyword must begin one element of the heading
            weight, label = ITEM_FIELDS["subject_keyword"]
            for term in (t for part in parts for t in _phrase_hits(c, c.keywords, part, False)):
                if not _excluded(c, term.theme, all_words):
                    ev.add(term.theme, weight, f"{label} « {_short(heading)} » (mot-clé « {term.text} »)",
                           "subject_keyword", " ".join(term.words))


def _scan_labels(c: CompiledThemes, ev: Evidence, labels: Iterable[str], field_name: str, memo: Memo) -> None:
    weight, label = ITEM_FIELDS[field_name]
    for value in labels:
        if not value:
            continue
        words = memo[value]
        k = " ".join(words)
        for term in c.genres.get(k, ()):
            ev.add(term.theme, weight, f"{label} « {value} »", field_name, " ".join(term.words) or term.text)
        if field_name == "collection":
            continue  # shelving labels are matched whole only: "Patrimoine écrit" is not local heritage
        # a genre/form heading may contain a theme's keyword ("Romans policiers pour la jeunesse")
        for term in _phrase_hits(c, c.keywords, words):
            if not _excluded(c, term.theme, words):
                ev.add(term.theme, weight * 0.9, f"{label} « {value} » (mot-clé « {term.text} »)", field_name,
                       " ".join(term.words) or term.text)


def _scan_dewey(c: CompiledThemes, ev: Evidence, dewey: str) -> None:
    number = dw.digits(dewey)
    if not number:
        return
    weight, label = ITEM_FIELDS["dewey"]
    for theme, ranges in enumerate(c.dewey):
        for rng, text in ranges:
            if dw.in_range(number, rng):
                ev.add(theme, weight, f"{label} {dewey.split()[0]} (classe {text})", "dewey", text)
                break


def _scan_shelves(c: CompiledThemes, ev: Evidence, item: CatalogueItem) -> None:
    """The shelf map over the item's call numbers and shelf codes: a librarian's filing, the strongest clue."""
    if not c.shelves:
        return
    weight, label = ITEM_FIELDS["shelf"]
    for value in shelves.shelf_values(item):
        found = shelves.find_code(shelves.head_words(value), c.shelves)
        if found is None:
            continue
        for theme, code in c.shelves[found]:
            ev.add(theme, weight, f"{label} « {code} » (cote « {_short(value, 40)} »)", "shelf", " ".join(found))


PUBLISHER_COLUMNS = frozenset({"publisher", "editeur", "editeurs", "edition", "editions", "marque_editoriale"})


def _publishers(item: CatalogueItem) -> list[str]:
    """A CSV export's publisher column (kept in `extra` under its own name): the imprints of a genre ("Ki-oon",
    "Kana") are read like publishers' series."""
    return [v for k, v in item.extra.items() if isinstance(v, str) and v and _is_publisher_column(k)]


@lru_cache(maxsize=1024)
def _is_publisher_column(name: str) -> bool:
    return fold(name).replace(" ", "_") in PUBLISHER_COLUMNS


def _as_list(value) -> list[str]:
    if not value:
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


def match_item(c: CompiledThemes, item: CatalogueItem, ignore: set[str] = frozenset(),
               memo: Memo | None = None) -> list[ThemeMatch]:
    return _evidence(c, item, ignore, memo).matches(item.id, c)


def item_found(c: CompiledThemes, item: CatalogueItem, ignore: set[str] = frozenset(),
               memo: Memo | None = None) -> list[tuple[str, float, str]]:
    """`match_item`'s matches as (theme id, score, reason), no model built: for a store, which keeps them as
    JSON. `item` may be any object with CatalogueItem's attributes (a harvest's item fields)."""
    return _evidence(c, item, ignore, memo).found(c)


def _evidence(c: CompiledThemes, item: CatalogueItem, ignore: set[str], memo: Memo | None) -> Evidence:
    memo = Memo() if memo is None else memo
    ev = Evidence()
    if "shelf" not in ignore:
        _scan_shelves(c, ev, item)
    if "genre" not in ignore:
        _scan_labels(c, ev, item.genres, "genre", memo)
    if "collection" not in ignore:
        _scan_labels(c, ev, _as_list(item.extra.get("collections")), "collection", memo)
    _scan_headings(c, ev, item.subjects, ignore, memo)
    if "dewey" not in ignore and item.dewey:
        _scan_dewey(c, ev, item.dewey)
    if "series" not in ignore:
        _scan_text(c, ev, _as_list(item.extra.get("series")) + _publishers(item), "series", ITEM_FIELDS, memo)
    if "title" not in ignore:
        _scan_text(c, ev, [item.title], "title", ITEM_FIELDS)
    if "summary" not in ignore:
        _scan_text(c, ev, _as_list(item.extra.get("summary")), "summary", ITEM_FIELDS)
    return ev


PARALLEL_FROM = 20_000  # below this, starting processes costs more than it saves
_SHARED: tuple = ()  # (compiled themes, items, ignored fields), inherited by forked workers


def _match_slice(bounds: tuple[int, int]) -> list[list[tuple[str, str, float, str]]]:
    c, items, skip = _SHARED
    memo = Memo()
    return [[(m.item_id, m.theme_id, m.score, m.reason) for m in match_item(c, item, skip, memo)]
            for item in items[bounds[0]:bounds[1]]]


def _match_parallel(c: CompiledThemes, items: list[CatalogueItem], skip: set[str],
                    workers: int) -> list[list[ThemeMatch]] | None:
    """Matches of each item, computed by forked processes sharing the items copy-on-write; None where fork
    is missing."""
    import multiprocessing

    global _SHARED
    if "fork" not in multiprocessing.get_all_start_methods():
        return None
    step = -(-len(items) // (workers * 4))
    slices = [(start, min(start + step, len(items))) for start in range(0, len(items), step)]
    _SHARED = (c, items, skip)
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            parts = pool.map(_match_slice, slices)
    finally:
        _SHARED = ()
    return [[ThemeMatch(item_id=i, theme_id=t, score=s, reason=r) for i, t, s, r in one]
            for part in parts for one in part]


def match_each(items: Iterable[CatalogueItem], themes: Sequence[Theme] | CompiledThemes, *,
               ignore: Iterable[str] = (), workers: int = 1) -> tuple[list[CatalogueItem], list[list[ThemeMatch]]]:
    """The items and the matches of each, position by position, the works without clues of a matched
    author or series included (see `outreach.themes.kinship`)."""
    from outreach.themes.kinship import spread

    c = themes if isinstance(themes, CompiledThemes) else compile_themes(
        [t for t in themes if t.kind != "event"])
    skip = set(ignore)
    unknown = skip - set(ITEM_FIELDS) - KINSHIP_FIELDS
    if unknown:
        raise ValueError(f"unknown item fields: {sorted(unknown)}")
    items = list(items)
    per_item = None
    if workers > 1 and len(items) >= PARALLEL_FROM:
        per_item = _match_parallel(c, items, skip, workers)
    if per_item is None:
        memo = Memo()
        per_item = [match_item(c, item, skip, memo) for item in items]
    spread(items, per_item, skip)
    return items, per_item


def match_items(items: Iterable[CatalogueItem], themes: Sequence[Theme] | CompiledThemes, *,
                ignore: Iterable[str] = (), workers: int = 1) -> list[ThemeMatch]:
    """Every item–theme match. `ignore` leaves fields out (e.g. {"collection"} to measure without the
    library's own shelving; {"same_author", "same_series"} without the spreading over an author's or a
    series' works). Themes of kind "event" are not matched against the catalogue. With `workers` > 1, a
    large catalogue is split between that many processes (same result, same order)."""
    _, per_item = match_each(items, themes, ignore=ignore, workers=workers)
    return [m for found in per_item for m in found]


def match_event(c: CompiledThemes, event: LibraryEvent) -> list[ThemeMatch]:
    ev = Evidence()
    _scan_text(c, ev, event.keywords, "keywords", EVENT_FIELDS)
    _scan_text(c, ev, [event.title], "title", EVENT_FIELDS)
    _scan_text(c, ev, [event.description], "description", EVENT_FIELDS)
    return ev.matches(event.id, c)


def match_events(events: Iterable[LibraryEvent], themes: Sequence[Theme] | CompiledThemes) -> list[ThemeMatch]:
    """Every event–theme match (themes of kind "collection" are left out)."""
    c = themes if isinstance(themes, CompiledThemes) else compile_themes(
        [t for t in themes if t.kind != "collection"])
    out: list[ThemeMatch] = []
    for event in events:
        out.extend(match_event(c, event))
    return out

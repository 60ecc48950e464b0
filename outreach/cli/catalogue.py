"""`outreach catalogue fetch`: harvest the library system's catalogue over OAI-PMH into the local store."""

from __future__ import annotations

import sys
from datetime import datetime
from functools import partial
from pathlib import Path

from outreach.errors import InputError

BAR_WIDTH = 30


def register(sub) -> None:
    p = sub.add_parser("catalogue", help="catalogue de la médiathèque : moisson OAI-PMH du SIGB",
                       description="Le catalogue moissonné depuis le SIGB (Koha, PMB, Decalog/Syracuse, Orphée) "
                                   "par OAI-PMH et gardé dans une base locale que lisent l'application et "
                                   "`outreach themes match --catalogue`.")
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    f = actions.add_parser("fetch", help="moissonner (ou mettre à jour) le catalogue par OAI-PMH",
                           description="Moissonne les notices MARC du serveur OAI-PMH : la première fois tout le "
                                       "catalogue, ensuite seulement ce qui a changé depuis la dernière moisson "
                                       "complète (notices modifiées ou supprimées).")
    f.add_argument("url", metavar="URL", help="adresse OAI-PMH du SIGB (Koha : https://…/cgi-bin/koha/oai.pl)")
    f.add_argument("--format", metavar="PREFIXE",
                   help="format des notices (metadataPrefix ; défaut : le format MARC proposé par le serveur)")
    f.add_argument("--set", metavar="ENSEMBLE", help="ensemble (set) OAI à moissonner (défaut : tout)")
    f.add_argument("--since", metavar="AAAA-MM-JJ", help="moissonner les notices modifiées depuis cette date")
    f.add_argument("--full", action="store_true",
                   help="tout moissonner à nouveau (et oublier les notices que le serveur ne liste plus)")
    f.add_argument("--store", metavar="FICHIER", help="base locale (défaut : data/catalogue/harvest.sqlite)")
    f.add_argument("--collections", metavar="FICHIER",
                   help="valeurs autorisées Koha (CSV category,authorised_value,lib) pour les libellés de collection")
    f.add_argument("--quiet", action="store_true", help="sans barre de progression")
    f.set_defaults(func=run_fetch)


def _since(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError as exc:
        raise InputError(f"date « {text} » illisible.", field="--since", fix="Écrivez-la AAAA-MM-JJ.") from exc


def progress_bar(done: int, total: int | None) -> None:
    """One line on stderr, rewritten in place: a bar when the server says how many records it lists."""
    if total:
        filled = min(BAR_WIDTH, BAR_WIDTH * done // total)
        line = f"[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done:,} / {total:,} notices".replace(",", "\u202f")
    else:
        line = f"{done:,} notices reçues".replace(",", "\u202f")
    print(f"\r{line}", end="", file=sys.stderr, flush=True)


def _matcher():
    """The themes in force, to match the harvested items as they come; None (matched later, by `themes
    match`) when the themes file cannot be read: the harvest does not depend on it."""
    from outreach.themes import StoreMatcher, load_themes

    try:
        return StoreMatcher(load_themes())
    except InputError:
        return None


def run_fetch(args) -> int:
    from outreach.paths import harvest_store_path
    from outreach.sources import fetch, identify, read_authorised_values
    from outreach.streaming import stream_map

    if args.full and args.since:
        raise InputError("--full et --since s'excluent.", field="--since",
                         fix="Gardez --full pour tout moissonner, ou --since pour une mise à jour.")
    since = _since(args.since)
    labels = read_authorised_values(args.collections) if args.collections else None
    repository = identify(args.url)
    prefix = args.format or repository.marc_prefix()
    store = Path(args.store) if args.store else harvest_store_path()
    # pages parsed, and their items matched to the themes, on every core while this process fetches the next
    # ones: `themes match` then reads the matches kept in the store
    result = fetch(repository, store, prefix=prefix, set_spec=args.set, since=since, full=args.full,
                   collection_labels=labels, progress=None if args.quiet else progress_bar,
                   map_pages=partial(stream_map, chunk_size=1), match=_matcher())
    if not args.quiet:
        print(file=sys.stderr)
    for identifier, reason in result.skipped[:10]:
        print(f"Note : {identifier} ignorée : {reason}.", file=sys.stderr)
    scope = f"depuis le {result.since}" if result.since else "moisson complète"
    print(f"{repository.name or args.url} ({scope}) : {result.received} notice(s) reçue(s), {result.stored} "
          f"enregistrée(s), {result.deleted} supprimée(s), {len(result.skipped)} ignorée(s) ; {result.total_in_store} "
          f"notice(s) dans {store}.", file=sys.stderr)
    return 0

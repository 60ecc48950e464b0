"""`outreach themes`: list the interest themes, match a catalogue and an agenda to them (CSV)."""

from __future__ import annotations

import csv
import os
import sys
from pathlib import Path

from outreach.cli.common import emit_csv, output_text, print_notes
from outreach.errors import InputError

MATCH_COLUMNS = ["item_id", "theme_id", "score", "reason"]
SENSITIVITY_FR = {"none": "aucune", "flag": "à surveiller", "block": "interdit au ciblage"}


def register(sub) -> None:
    p = sub.add_parser("themes", help="thèmes d'intérêt : liste, correspondances catalogue et agenda",
                       description="Les thèmes d'intérêt (science-fiction, manga, LSF…) et leurs correspondances "
                                   "avec le catalogue et l'agenda de la médiathèque.")
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)

    lst = actions.add_parser("list", help="liste des thèmes et de leurs critères",
                             description="Affiche chaque thème : identifiant, libellé, sensibilité RGPD, nombre de "
                                         "critères et intérêts Meta.")
    lst.add_argument("--themes", metavar="FICHIER", help="fichier de thèmes YAML (défaut : data/themes.yaml)")
    lst.add_argument("--csv", action="store_true", help="sortie CSV plutôt qu'un tableau lisible")
    lst.set_defaults(func=run_list)

    register_resolve(actions)

    m = actions.add_parser("match", help="thèmes de chaque notice du catalogue et de chaque événement (CSV)",
                           description="Écrit une ligne par correspondance notice–thème : "
                                       "item_id,theme_id,score,reason ; les événements ont un item_id préfixé "
                                       "« event: ».")
    m.add_argument("--catalogue", metavar="FICHIER", required=True,
                   help="catalogue : ISO 2709 (UNIMARC ou MARC21, .mrc), MARCXML / MarcXchange, CSV "
                        "id,title,author,year,subjects,genre,dewey,branch_id (avec si possible les cotes et rayons : "
                        "cote, section, catégorie, localisation…, lus par la carte des cotes), ou la base moissonnée "
                        "par `outreach catalogue fetch` (data/catalogue/harvest.sqlite)")
    m.add_argument("--events", metavar="FICHIER_OU_ADRESSE",
                   help="agenda : iCalendar (.ics) ou export OpenAgenda (.json, .csv, .xlsx), ou l'adresse de son "
                        "flux (https://…, webcal://…) ; par défaut, l'adresse d'agenda des paramètres (agenda_url)")
    m.add_argument("--themes", metavar="FICHIER", help="fichier de thèmes YAML (défaut : data/themes.yaml)")
    m.add_argument("--branches", metavar="FICHIER",
                   help="bibliothèques où placer les événements (mêmes formats que `outreach nearest` ; "
                        "défaut : réseau livré)")
    m.add_argument("--collections", metavar="FICHIER",
                   help="valeurs autorisées Koha (CSV category,authorised_value,lib) pour lire les libellés de "
                        "collection (995$h)")
    m.add_argument("--min-score", type=float, default=0.5, metavar="SCORE",
                   help="score minimal d'une correspondance, entre 0.5 et 1 (défaut : 0.5 ; 0.6 écarte les "
                        "simples mentions dans un résumé)")
    m.add_argument("--out", metavar="FICHIER", help="fichier CSV de sortie (défaut : sortie standard)")
    m.set_defaults(func=run_match)


def register_resolve(actions) -> None:
    r = actions.add_parser("resolve", help="identifiants Meta des centres d'intérêt, écrits dans le fichier de thèmes",
                           description="Demande à Meta l'identifiant de chaque centre d'intérêt nommé dans les thèmes "
                                       "(nom anglais du Gestionnaire de publicités), l'écrit avec la date dans le "
                                       "fichier de thèmes, et vérifie par identifiant que Meta ne l'a pas retiré. "
                                       "Jeton : META_ACCESS_TOKEN.")
    r.add_argument("--themes", metavar="FICHIER", help="fichier de thèmes YAML (défaut : data/themes.yaml)")
    r.add_argument("--account", metavar="act_ID",
                   help="compte publicitaire Meta (défaut : celui des paramètres, network.yaml)")
    r.set_defaults(func=run_resolve)


def run_resolve(args) -> int:
    from outreach.meta import MetaClient, check_themes, unknown_interest_fix
    from outreach.settings import load_settings
    from outreach.themes import load_themes, save_themes, themes_path

    account = args.account or load_settings().ad_account_id
    if not account:
        raise InputError("aucun compte publicitaire.", where="--account", field="--account",
                         fix="Donnez --account act_… ou renseignez le compte sur la page Paramètres.")
    path = args.themes or themes_path()
    themes = load_themes(path)
    updated, checks = check_themes(MetaClient(account), themes)
    if updated != themes:
        save_themes(updated, path)
    for c in checks:
        print(f"{c.theme_id}\t{c.name}\t{c.id or ''}\t{c.status_fr}\t{c.audience}")
    unknown = {c.name: c.suggestions for c in checks if c.id is None}
    retired = [c for c in checks if c.id and c.status not in ("NORMAL", "DELIVERABLE")]
    resolved = sum(1 for c in checks if c.id)
    print(f"{resolved} centre(s) d'intérêt identifié(s) sur {len(checks)} ; identifiants et dates dans {path}.",
          file=sys.stderr)
    if unknown:
        print(f"Inconnu(s) de Meta : {', '.join(unknown)}. {unknown_interest_fix(unknown)}", file=sys.stderr)
    if retired:
        print("Retiré(s) ou en cours de retrait : " + ", ".join(f"{c.name} ({c.status_fr})" for c in retired)
              + ". Remplacez-les dans le thème.", file=sys.stderr)
    return 1 if unknown or retired else 0


def run_list(args) -> int:
    import pandas as pd

    from outreach.themes import load_themes

    themes = load_themes(args.themes)
    rows = [{
        "id": t.id, "libellé": t.label, "sensibilité": t.sensitivity, "type": t.kind,
        "mots_clés": len(t.keywords), "rameau": len(t.rameau), "dewey": len(t.dewey), "genres": len(t.genres),
        "intérêts_meta": " | ".join(i.name + (f" ({i.id})" if i.id else "") for i in t.meta_interests),
    } for t in themes]
    frame = pd.DataFrame(rows)
    if args.csv:
        emit_csv(frame, None)
        return 0
    width = max(len(t.id) for t in themes)
    for t in themes:
        flag = "" if t.sensitivity == "none" else f"  [sensibilité : {SENSITIVITY_FR[t.sensitivity]}]"
        print(f"{t.id:<{width}}  {t.label}{flag}")
    print(f"{len(themes)} thème(s).", file=sys.stderr)
    return 0


def run_match(args) -> int:
    from outreach.datasets import load_territory, shipped_branches
    from outreach.settings import load_settings
    from outreach.sources import read_authorised_values, read_events
    from outreach.territory import branch_near
    from outreach.themes import load_themes, match_events

    if not 0.5 <= args.min_score <= 1.0:
        raise InputError(f"score minimal {args.min_score} hors de l'intervalle.", field="--min-score",
                         fix="Donnez une valeur entre 0.5 et 1.")
    themes = load_themes(args.themes)
    # the agenda is small: read it first, so that a mistake in it is reported before the long catalogue read
    agenda = None
    events = args.events or load_settings().agenda_url  # the network's published agenda, when it gave one
    if events:
        branches = load_territory(branches_file=args.branches).branches if args.branches else list(shipped_branches())
        agenda = read_events(events, branches=branches, near=branch_near(branches))
    labels = read_authorised_values(args.collections) if args.collections else None
    matches, summary = _catalogue_matches(args.catalogue, themes, labels, args.min_score)
    rows = n_matched = 0
    last_id = None
    with output_text(args.out) as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(MATCH_COLUMNS)
        for item_id, theme_id, score, reason in matches:
            writer.writerow((item_id, theme_id, f"{score:.3f}", reason))
            rows += 1
            n_matched += item_id != last_id  # an item's matches come together: no set of millions of ids
            last_id = item_id
        if agenda is not None:
            for m in match_events(agenda.events, themes):
                if m.score >= args.min_score:
                    writer.writerow((f"event:{m.item_id}", m.theme_id, f"{m.score:.3f}", m.reason))
                    rows += 1
                    n_matched += m.item_id != last_id
                    last_id = m.item_id
    print_notes(list(summary.notes) + (agenda.notes if agenda is not None else []))
    print(f"{summary.items} notice(s) lue(s) ({summary.format})"
          + (f", {len(agenda.events)} événement(s)" if agenda is not None else "")
          + f" ; {rows} correspondance(s) pour {n_matched} notice(s) ou événement(s).", file=sys.stderr)
    for warning in getattr(summary, "warnings", []):  # last, where the eye falls (files read whole)
        print(f"Attention : {warning}", file=sys.stderr)
    return 0


STREAM_FROM = 20_000_000  # bytes of ISO 2709 (some 13,000 records) from which the catalogue is streamed


def _catalogue_matches(path: str, themes, labels, min_score: float):
    """(iterator of (item_id, theme_id, score, reason), summary with .items .format .notes).

    A large ISO 2709 file (a union catalogue holds millions of records) is streamed: read block by block,
    matched on every core, in bounded memory whatever its size (`outreach.themes.union`), and so is a large
    harvested store. Other catalogues
    are read whole, with every note of their reader (character sets, records identified without 001)."""
    from types import SimpleNamespace

    from outreach.sources import is_iso2709, is_store, read_catalogue, read_store
    from outreach.themes import (
        coverage_by_theme,
        coverage_summary,
        coverage_warnings,
        iso2709_head,
        match_iso2709_file,
        match_items,
        match_store,
        measure_coverage,
    )

    if is_store(path) and Path(path).stat().st_size >= STREAM_FROM:  # a large harvest: matched as a stream too
        return match_store(path, themes, min_score=min_score, workers=os.cpu_count() or 1)
    head = None if is_store(path) else iso2709_head(path)
    if head is not None and is_iso2709(head) and Path(path).stat().st_size >= STREAM_FROM:
        progress = _progress_bar(Path(path).stat().st_size) if sys.stderr.isatty() else None
        return match_iso2709_file(path, themes, collection_labels=labels, min_score=min_score,
                                  workers=os.cpu_count() or 1, read=progress)
    catalogue = read_store(path) if is_store(path) else read_catalogue(path, collection_labels=labels)
    kept = [m for m in match_items(catalogue.items, themes, workers=os.cpu_count() or 1) if m.score >= min_score]
    # the coverage of a file read whole: records with a clue, matches per theme, and a warning when few
    cov = measure_coverage(catalogue.items, kept)
    notes = list(catalogue.notes) + [coverage_summary(cov, catalogue.path), coverage_by_theme(cov, themes)]
    matches = ((m.item_id, m.theme_id, m.score, m.reason) for m in kept)
    return matches, SimpleNamespace(items=len(catalogue.items), format=catalogue.format, notes=notes,
                                    warnings=coverage_warnings(cov, catalogue.path))


def _progress_bar(total: int):
    """A progress bar on stderr, fed with the number of bytes read."""
    state = {"read": 0, "shown": -1}

    def read(n: int) -> None:
        state["read"] += n
        percent = min(100, state["read"] * 100 // max(total, 1))
        if percent != state["shown"]:
            state["shown"] = percent
            bar = "#" * (percent // 4)
            print(f"\rAppariement du catalogue : [{bar:<25}] {percent} %", end="\n" if percent == 100 else "",
                  file=sys.stderr, flush=True)
    return read

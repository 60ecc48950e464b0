"""`outreach themes`: list the interest themes, match a catalogue and an agenda to them (CSV)."""

from __future__ import annotations

import os
import sys

import pandas as pd

from outreach.cli.common import emit_csv, print_notes
from outreach.datasets import load_territory, shipped_branches
from outreach.errors import InputError
from outreach.sources import is_store, read_authorised_values, read_catalogue, read_events, read_store
from outreach.territory import branch_near
from outreach.themes import load_themes, match_events, match_items

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

    m = actions.add_parser("match", help="thèmes de chaque notice du catalogue et de chaque événement (CSV)",
                           description="Écrit une ligne par correspondance notice–thème : "
                                       "item_id,theme_id,score,reason ; les événements ont un item_id préfixé "
                                       "« event: ».")
    m.add_argument("--catalogue", metavar="FICHIER", required=True,
                   help="catalogue : ISO 2709 (UNIMARC ou MARC21, .mrc), MARCXML / MarcXchange, CSV "
                        "id,title,author,year,subjects,genre,dewey,branch_id, ou la base moissonnée par "
                        "`outreach catalogue fetch` (data/catalogue/harvest.sqlite)")
    m.add_argument("--events", metavar="FICHIER", help="agenda : iCalendar (.ics) ou export OpenAgenda (.json)")
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


def run_list(args) -> int:
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
    if not 0.5 <= args.min_score <= 1.0:
        raise InputError(f"score minimal {args.min_score} hors de l'intervalle.", field="--min-score",
                         fix="Donnez une valeur entre 0.5 et 1.")
    themes = load_themes(args.themes)
    # the agenda is small: read it first, so that a mistake in it is reported before the long catalogue read
    agenda = None
    if args.events:
        branches = load_territory(branches_file=args.branches).branches if args.branches else list(shipped_branches())
        agenda = read_events(args.events, branches=branches, near=branch_near(branches))
    labels = read_authorised_values(args.collections) if args.collections else None
    catalogue = read_store(args.catalogue) if is_store(args.catalogue) else read_catalogue(
        args.catalogue, collection_labels=labels)
    notes = list(catalogue.notes)
    # a large catalogue is shared between the cores (only from 20,000 records)
    rows = [m.model_dump() for m in match_items(catalogue.items, themes, workers=os.cpu_count() or 1)]
    n_events = 0
    if agenda is not None:
        notes += agenda.notes
        n_events = len(agenda.events)
        rows += [{**m.model_dump(), "item_id": f"event:{m.item_id}"} for m in match_events(agenda.events, themes)]
    print_notes(notes)
    frame = pd.DataFrame([r for r in rows if r["score"] >= args.min_score], columns=MATCH_COLUMNS)
    emit_csv(frame, args.out, float_format="%.3f")
    matched = frame["item_id"].nunique() if len(frame) else 0
    print(f"{len(catalogue.items)} notice(s) lue(s) ({catalogue.format})"
          + (f", {n_events} événement(s)" if args.events else "")
          + f" ; {len(frame)} correspondance(s) pour {matched} notice(s) ou événement(s).", file=sys.stderr)
    return 0

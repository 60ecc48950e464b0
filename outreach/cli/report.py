"""`outreach report`: import a campaign's results, then read reach per theme, branch, area or day.

    outreach report import RAPPORT.csv [RAPPORT2.xlsx…] --plan DOSSIER_DU_PLAN
    outreach report insights --account act_123 --since 2027-03-01 --until 2027-03-31 --plan DOSSIER
    outreach report reach --by theme|branch|area|day [--format csv|md] [--out FICHIER]
    outreach report activity ACTIVITE.csv
    outreach report outcome [--months 3] [--format csv|md]
    outreach report html --out rapport.html
    outreach report batches

The results database is OUTREACH_DATABASE_URL (SQLite file outreach.sqlite by default); --database
overrides it.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from outreach.cli.common import emit_csv, emit_text, print_notes
from outreach.errors import InputError

if TYPE_CHECKING:
    from outreach.reporting import ReportStore

# the reporting package (pandas, SQLAlchemy) is imported by the functions that use it: `outreach --help` and
# the other sub-commands do not pay for it
BY_CHOICES = ("theme", "branch", "area", "day")  # the keys of reporting.DIMENSIONS (a test keeps them equal)


def register(sub) -> None:
    p = sub.add_parser("report", help="résultats des campagnes : import, couverture par thème/bibliothèque/zone",
                       description="Importer les résultats Meta d'une campagne et les lire par thème, "
                                   "bibliothèque, zone ou jour.")
    p.add_argument("--database", metavar="URL", help="base de résultats (défaut : OUTREACH_DATABASE_URL, sinon "
                   "le fichier outreach.sqlite)")
    rsub = p.add_subparsers(dest="report_command", metavar="ACTION", required=True)

    imp = rsub.add_parser("import", help="importer des exports du Gestionnaire de publicités (CSV, XLSX)")
    imp.add_argument("files", nargs="+", metavar="FICHIER", help="rapports exportés (français ou anglais)")
    imp.add_argument("--plan", action="append", default=[], metavar="DOSSIER",
                     help="dossier écrit par « outreach plan » (répétable) : rattache les lignes aux thèmes, "
                          "bibliothèques et zones")
    imp.set_defaults(func=run_import)

    ins = rsub.add_parser("insights", help="lire les résultats directement chez Meta (API Insights)")
    target = ins.add_mutually_exclusive_group(required=True)
    target.add_argument("--account", metavar="act_…", help="compte publicitaire")
    target.add_argument("--campaign", metavar="ID", help="identifiant Meta d'une campagne")
    ins.add_argument("--since", metavar="AAAA-MM-JJ")
    ins.add_argument("--until", metavar="AAAA-MM-JJ")
    ins.add_argument("--preset", default="maximum", help="période Meta sans --since/--until (défaut : maximum)")
    ins.add_argument("--query", action="append", choices=["adset-daily", "adset-period", "campaign-period"],
                     metavar="REQUÊTE",
                     help="adset-daily, adset-period, campaign-period (défaut : les trois)")
    ins.add_argument("--plan", action="append", default=[], metavar="DOSSIER", help="dossier du plan (répétable)")
    ins.add_argument("--mode", choices=["auto", "sync", "async"], default="auto",
                     help="rapport asynchrone de Meta : auto (périodes longues), toujours, jamais")
    ins.set_defaults(func=run_insights)

    reach = rsub.add_parser("reach", help="couverture, impressions, dépense… par thème, bibliothèque, zone ou jour")
    reach.add_argument("--by", required=True, choices=BY_CHOICES)
    reach.add_argument("--format", choices=["csv", "md"], default="csv")
    reach.add_argument("--campaign-name", metavar="NOM", help="une seule campagne (nom dans le plan)")
    reach.add_argument("--out", metavar="FICHIER", help="fichier de sortie (défaut : sortie standard)")
    reach.set_defaults(func=run_reach)

    act = rsub.add_parser("activity", help="importer l'activité des bibliothèques par mois (inscriptions, prêts, "
                                           "entrées)")
    act.add_argument("files", nargs="+", metavar="FICHIER",
                     help="CSV branch_id;month;registrations;loans;visits (ou bibliotheque;mois;inscriptions;…)")
    act.set_defaults(func=run_activity)

    out = rsub.add_parser("outcome", help="activité avant, pendant et après la campagne, par bibliothèque")
    out.add_argument("--months", type=int, default=3, help="mois comparés avant et après (défaut : 3)")
    out.add_argument("--format", choices=["csv", "md"], default="csv")
    out.add_argument("--campaign-name", metavar="NOM")
    out.add_argument("--out", metavar="FICHIER")
    out.set_defaults(func=run_outcome)

    html = rsub.add_parser("html", help="rapport imprimable pour la direction (HTML)")
    html.add_argument("--out", required=True, metavar="FICHIER")
    html.add_argument("--months", type=int, default=3)
    html.add_argument("--campaign-name", metavar="NOM")
    html.set_defaults(func=run_html)

    bat = rsub.add_parser("batches", help="historique des imports")
    bat.set_defaults(func=run_batches)


def _store(args) -> ReportStore:
    from outreach.reporting import ReportStore

    return ReportStore(args.database)


def _plan_ids(store: ReportStore, name: str | None) -> list[int] | None:
    if not name:
        return None
    plans = store.plans()
    found = plans[plans["campaign_name"] == name]
    if found.empty:
        known = ", ".join(f"« {n} »" for n in plans["campaign_name"]) or "aucune"
        raise InputError(f"campagne « {name} » inconnue (campagnes importées : {known}).", field="--campaign-name")
    return found["id"].astype(int).tolist()


def run_import(args) -> int:
    from outreach import reporting

    read = reporting.read_reports(args.files, args.plan)  # all checked before the database is even opened
    summaries = reporting.store_reports(_store(args), read)
    for s in summaries:
        print_notes(s.notes)
        print(s.describe())
    return 0


def run_insights(args) -> int:
    from outreach import pipeline
    from outreach.meta import standard_queries

    queries = standard_queries(args.account or args.campaign, args.since, args.until, args.preset, args.query,
                               args.mode)
    done = pipeline.import_insights(_store(args), queries, args.plan,
                                    announce=lambda q: print(f"{q.describe()}…", file=sys.stderr),
                                    progress=lambda p: print(f"\r  rapport Meta : {p} %", end="", file=sys.stderr))
    for rows, summary in done:
        print_notes(rows.notes)
        print(summary.describe())
    return 0


def run_reach(args) -> int:
    from outreach import reporting

    store = _store(args)
    table = reporting.reach_table(store, args.by, _plan_ids(store, args.campaign_name))
    if args.format == "md":
        emit_text(reporting.to_markdown(table), args.out)
    else:
        print_notes(table.notes + ([f"Total : {table.total['reach_basis']}."] if table.total else []))
        emit_csv(reporting.to_csv_frame(table), args.out)
    return 0


def run_activity(args) -> int:
    from outreach import pipeline

    for done in pipeline.import_activity(_store(args), args.files):
        print_notes(done.notes)
        print(done.describe())
    return 0


def run_outcome(args) -> int:
    from outreach import reporting

    store = _store(args)
    result = reporting.outcome(store, args.months, _plan_ids(store, args.campaign_name))
    if args.format == "md":
        emit_text(reporting.outcome_markdown(result), args.out)
    else:
        print_notes(result.notes)
        emit_csv(reporting.outcome_csv_frame(result), args.out, float_format="%.2f")
    return 0


def run_html(args) -> int:
    from outreach import atomic
    from outreach.reporting import management_report

    store = _store(args)
    html = management_report(store, _plan_ids(store, args.campaign_name), months=args.months)
    atomic.write_text(args.out, html)
    print(f"Rapport écrit : {args.out}", file=sys.stderr)
    return 0


def run_batches(args) -> int:
    frame = _store(args).batches()
    emit_csv(frame, None)
    return 0

"""`outreach plan` (campaign file → Meta files) and `outreach push` (Meta files → Meta, paused).

`outreach plan` runs in steps — plan, payloads, (checks), render, write — so that a check step can sit
between planning and writing: `plan_campaign` gives the plan and its payloads, `render_outputs` the
files' bytes, and `write_plan_outputs` writes them all or nothing.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

from outreach import atomic
from outreach.campaign import Campaign, load_campaign
from outreach.cli.common import print_notes
from outreach.meta import sheet
from outreach.meta.payloads import build_payloads
from outreach.planner import Plan, build_plan

PLAN_CSV_COLUMNS = ["adset_name", "branch_id", "branch_name", "theme_id", "areas", "population", "radius_km",
                    "daily_budget_eur", "interests"]
META_API_FILE = "meta-api.json"
XLSX_FILE = "ads-manager.xlsx"
TXT_FILE = "ads-manager.txt"
PLAN_CSV_FILE = "plan.csv"


def register(sub) -> None:
    p = sub.add_parser("plan", help="plan d'une campagne Meta (fichiers pour l'API et le Gestionnaire de publicités)",
                       description="Lit un fichier de campagne (campaigns/*.yaml) et écrit dans DOSSIER : "
                                   "meta-api.json, ads-manager.xlsx, ads-manager.txt et plan.csv.")
    p.add_argument("campaign", metavar="CAMPAGNE.yaml", help="fichier de campagne")
    p.add_argument("--out", metavar="DOSSIER", required=True, help="dossier de sortie (créé au besoin)")
    p.add_argument("--template", metavar="EXPORT",
                   help="export du Gestionnaire de publicités de votre compte (.xlsx, .csv ou .txt) dont "
                        "l'en-tête sert de modèle aux fichiers ads-manager")
    p.set_defaults(func=run_plan)

    q = sub.add_parser("push", help="envoyer un plan à Meta (tout en pause)",
                       description="Valide puis crée chez Meta, en pause, la campagne, les ensembles de "
                                   "publicités, les visuels et les publicités de DOSSIER/meta-api.json. Les "
                                   "identifiants créés sont notés dans DOSSIER/meta-ids.json : relancer après "
                                   "une erreur ne crée rien en double. Jeton : META_ACCESS_TOKEN.")
    q.add_argument("dir", metavar="DOSSIER", help="dossier écrit par « outreach plan »")
    q.add_argument("--account", metavar="act_ID", required=True, help="compte publicitaire Meta (act_…)")
    q.add_argument("--dry-run", action="store_true", help="valider seulement (validate_only) : rien n'est créé")
    q.set_defaults(func=run_push)


# ------------------------------------------------------------------------------------------ steps

def plan_campaign(campaign: Campaign, **kwargs) -> tuple[Plan, dict]:
    plan = build_plan(campaign, **kwargs)
    return plan, build_payloads(plan)


def plan_csv(plan: Plan) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(PLAN_CSV_COLUMNS)
    for a in plan.ad_sets:
        writer.writerow([a.name, a.branch_id, a.branch_name, a.theme_id, " ".join(a.area_codes), a.population,
                         f"{a.radius_km:g}", f"{a.daily_budget_eur:.2f}", "; ".join(i.name for i in a.interests)])
    return buffer.getvalue().encode("utf-8")


def render_outputs(plan: Plan, payloads: dict, template_columns: list[str] | None = None) -> dict[str, bytes]:
    rows = sheet.rows(payloads)
    return {
        META_API_FILE: (json.dumps(payloads, ensure_ascii=False, indent=1) + "\n").encode("utf-8"),
        XLSX_FILE: sheet.to_xlsx(rows, template_columns),
        TXT_FILE: sheet.to_txt(rows, template_columns),
        PLAN_CSV_FILE: plan_csv(plan),
    }


def write_plan_outputs(plan: Plan, payloads: dict, out_dir: str | Path, extra_files: dict[str, bytes] | None = None,
                       *, template_columns: list[str] | None = None) -> list[Path]:
    """Write the plan's files (and any extra ones, e.g. a checklist) into `out_dir`, all or nothing."""
    files = render_outputs(plan, payloads, template_columns)
    files.update(extra_files or {})
    with atomic.output_dir(out_dir) as staging:
        for name, data in files.items():
            (staging / name).parent.mkdir(parents=True, exist_ok=True)
            (staging / name).write_bytes(data)
    return [Path(out_dir) / name for name in files]


def summary_lines(plan: Plan) -> list[str]:
    themes = sorted({a.theme_id for a in plan.ad_sets})
    return [f"{len(plan.ad_sets)} ensemble(s) de publicités, {len(themes)} thème(s), {plan.days} jour(s), "
            f"{plan.daily_budget_eur:.2f} € par jour ({plan.total_budget_eur:.2f} € au total)."]


# ------------------------------------------------------------------------------------------ commands

def run_plan(args) -> int:
    campaign = load_campaign(args.campaign)
    template = sheet.read_template(args.template) if args.template else None
    plan, payloads = plan_campaign(campaign)
    if template:
        missing = sheet.unmapped(sheet.rows(payloads), template)
        if missing:
            plan.notes.append("colonnes absentes du modèle, laissées de côté : " + ", ".join(missing) + ".")
    print_notes(plan.notes)
    written = write_plan_outputs(plan, payloads, args.out, template_columns=template)
    for line in summary_lines(plan):
        print(line, file=sys.stderr)
    for path in written:
        print(path)
    return 0


def run_push(args) -> int:
    from outreach.errors import InputError
    from outreach.meta.client import MetaClient

    folder = Path(args.dir)
    source = folder / META_API_FILE
    try:
        payloads = json.loads(source.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise InputError("fichier introuvable.", file=source,
                         fix="Lancez d'abord « outreach plan CAMPAGNE.yaml --out DOSSIER ».") from exc
    except ValueError as exc:
        raise InputError(f"JSON invalide ({exc}).", file=source, fix="Refaites le plan.") from exc
    client = MetaClient(args.account)
    report = client.push(payloads, folder, dry_run=args.dry_run,
                         progress=lambda msg: print(msg, file=sys.stderr))
    print_notes(report.notes)
    if args.dry_run:
        print(f"Validation seule : {len(report.validated)} objet(s) validé(s) par Meta, rien n'a été créé.")
    else:
        print(f"{len(report.created)} objet(s) créé(s) en pause, {len(report.reused)} déjà créé(s) "
              f"auparavant ; identifiants dans {folder / 'meta-ids.json'}.")
    return 0

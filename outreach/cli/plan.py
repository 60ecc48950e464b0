"""`outreach plan` (campaign file → Meta files) and `outreach push` (Meta files → Meta, paused).

`outreach plan` runs in steps — plan, payloads, checks, render, write: `plan_campaign` gives the plan and its
payloads, the GDPR gate (`outreach.compliance.gate.review`) decides what may leave, `render_outputs` gives
the files' bytes, and `write_gated` writes what the verdict lets through, all or nothing.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from outreach import cells
from outreach.campaign import load_campaign
from outreach.cli.common import print_notes
from outreach.compliance.gate import review, write_gated
from outreach.meta import sheet
from outreach.meta.files import META_API_FILE, plan_campaign, render_outputs
from outreach.planner import Plan


def register(sub) -> None:
    p = sub.add_parser("plan", help="plan d'une campagne Meta (fichiers pour l'API et le Gestionnaire de publicités)",
                       description="Lit un fichier de campagne (campaigns/*.yaml) et écrit dans DOSSIER : "
                                   "meta-api.json, ads-manager.xlsx, ads-manager.txt et plan.csv.")
    p.add_argument("campaign", metavar="CAMPAGNE.yaml", help="fichier de campagne")
    p.add_argument("--out", metavar="DOSSIER", required=True, help="dossier de sortie (créé au besoin)")
    p.add_argument("--template", metavar="EXPORT",
                   help="export du Gestionnaire de publicités de votre compte (.xlsx, .csv ou .txt) dont "
                        "l'en-tête sert de modèle aux fichiers ads-manager")
    p.add_argument("--draft", action="store_true",
                   help="écrire les fichiers même si la checklist RGPD bloque, en BROUILLON (noms et contenus)")
    p.set_defaults(func=run_plan)

    q = sub.add_parser("push", help="envoyer un plan à Meta (tout en pause)",
                       description="Valide puis crée chez Meta, en pause, la campagne, les ensembles de "
                                   "publicités, les visuels et les publicités de DOSSIER/meta-api.json. Les "
                                   "identifiants créés sont notés dans DOSSIER/meta-ids.json : relancer après "
                                   "une erreur ne crée rien en double. Un fichier modifié à la main qui "
                                   "n'est pas en pause, ou que la checklist RGPD bloque, est refusé avant tout "
                                   "envoi. Jeton : META_ACCESS_TOKEN.")
    q.add_argument("dir", metavar="DOSSIER", help="dossier écrit par « outreach plan »")
    q.add_argument("--account", metavar="act_ID", required=True, help="compte publicitaire Meta (act_…)")
    q.add_argument("--dry-run", action="store_true", help="valider seulement (validate_only) : rien n'est créé")
    q.add_argument("--estimates", action="store_true",
                   help="demander aussi à Meta l'audience estimée de chaque ensemble de publicités "
                        "(fourchette basse et haute) et l'écrire dans DOSSIER/estimates.csv")
    q.set_defaults(func=run_push)


# ------------------------------------------------------------------------------------------ steps

def summary_lines(plan: Plan) -> list[str]:
    themes = sorted({a.theme_id for a in plan.ad_sets})
    return [f"{len(plan.ad_sets)} ensemble(s) de publicités, {len(themes)} thème(s), {plan.days} jour(s), "
            f"{plan.daily_budget_eur:.2f} € par jour ({plan.total_budget_eur:.2f} € au total)."]


# ------------------------------------------------------------------------------------------ commands

def run_plan(args) -> int:
    from outreach.errors import InputError
    from outreach.meta.client import IDS_FILE

    if Path(args.out).exists() and not Path(args.out).is_dir():
        raise InputError("c'est un fichier, pas un dossier.", file=args.out, where="--out",
                         fix="Donnez le nom d'un dossier (il sera créé au besoin).")
    campaign = load_campaign(args.campaign)
    template = sheet.read_template(args.template) if args.template else None
    plan, payloads = plan_campaign(campaign)
    if template:
        missing = sheet.unmapped(sheet.rows(payloads), template)
        if missing:
            plan.notes.append("colonnes absentes du modèle, laissées de côté : " + ", ".join(missing) + ".")
    if (Path(args.out) / IDS_FILE).exists():
        # the push skips every ref already in meta-ids.json: a changed plan would not change those objects
        plan.notes.append(f"{Path(args.out) / IDS_FILE} garde les objets créés par un envoi précédent : « outreach "
                          "push » ne les recréera ni ne les modifiera. Pour une nouvelle campagne, choisissez un "
                          "autre dossier ; pour modifier celle-ci, passez par le Gestionnaire de publicités.")
    print_notes(plan.notes)
    # the check step: the GDPR / DSA checklist decides what may be written (exit 3 names what blocks)
    verdict = review(campaign, plan, payloads, campaign_path=args.campaign, draft=args.draft)
    written = write_gated(verdict, render_outputs(plan, verdict.export_payloads(payloads), template), args.out)
    for line in summary_lines(plan) + [verdict.message()]:
        print(line, file=sys.stderr)
    for path in written:
        print(path)
    return verdict.exit_code


def write_estimates(folder: Path, payloads: dict, estimates: dict) -> Path:
    """Meta's audience estimate per ad set: a range, so both bounds are kept."""
    import io

    from outreach import atomic

    buffer = io.StringIO()
    writer = cells.writer(buffer, lineterminator="\n")
    writer.writerow(["ref", "adset_name", "estimate_lower", "estimate_upper"])
    for ad_set in payloads["ad_sets"]:
        lower, upper = estimates.get(ad_set["ref"], (None, None))
        writer.writerow([ad_set["ref"], ad_set["name"], "" if lower is None else lower,
                         "" if upper is None else upper])
    path = folder / "estimates.csv"
    atomic.write_text(path, buffer.getvalue())
    print(f"Estimations d'audience : {path}", file=sys.stderr)
    return path


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
    missing = [k for k in ("api_version", "campaign", "ad_sets", "creatives", "ads") if k not in payloads] \
        if isinstance(payloads, dict) else ["campaign"]
    if missing:
        raise InputError(f"clé(s) absente(s) : {', '.join(missing)}.", file=source,
                         fix="Refaites le plan avec « outreach plan » plutôt que de modifier ce fichier à la main.")
    if payloads.get("draft"):  # a draft renamed by hand: the GDPR checklist still blocks this campaign
        raise InputError("ce fichier est un BROUILLON : la checklist RGPD bloque encore la campagne.", file=source,
                         fix="Corrigez ou attestez les points bloquants (checklist.html, page RGPD), puis refaites "
                             "« outreach plan » sans --draft.")
    client = MetaClient(args.account, api_version=payloads["api_version"])
    if args.estimates:
        write_estimates(folder, payloads, client.estimates(payloads))
    report = client.push(payloads, folder, dry_run=args.dry_run,
                         progress=lambda msg: print(msg, file=sys.stderr))
    print_notes(report.notes)
    if args.dry_run:
        print(f"Validation seule : {len(report.validated)} objet(s) validé(s) par Meta, rien n'a été créé.")
    else:
        print(f"{len(report.created)} objet(s) créé(s) en pause, {len(report.reused)} déjà créé(s) "
              f"auparavant ; identifiants dans {folder / 'meta-ids.json'}.")
    return 0

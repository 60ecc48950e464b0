"""`outreach plan` (campaign file → Meta files) and `outreach push` (Meta files → Meta, paused).

Both are thin: `outreach.pipeline` plans, checks, writes and pushes, the same way as the app's Exporter page.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from outreach.cli.common import print_notes

if TYPE_CHECKING:
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
    p.add_argument("--catalogue", metavar="FICHIER", action="append", default=[],
                   help="catalogue du réseau à utiliser pour ce plan (ISO 2709, MARCXML, CSV ou base moissonnée "
                        "harvest.sqlite ; répétable), à la place du catalogue chargé (page Thèmes, « outreach "
                        "catalogue fetch »)")
    p.add_argument("--draft", action="store_true",
                   help="écrire les fichiers même si la checklist RGPD bloque, en BROUILLON (noms et contenus)")
    p.set_defaults(func=run_plan)

    q = sub.add_parser("push", help="envoyer un plan à Meta (tout en pause)",
                       description="Valide puis crée chez Meta, en pause, la campagne, les ensembles de "
                                   "publicités, les visuels et les publicités de DOSSIER/meta-api.json. Les "
                                   "identifiants créés sont notés dans DOSSIER/meta-ids.json : relancer après "
                                   "une erreur ne crée rien en double ; après un nouveau plan dans le même "
                                   "dossier, l'envoi met à jour les objets déjà créés (budgets, textes, visuels, "
                                   "dates) sans toucher à leur diffusion. Un fichier modifié à la main qui "
                                   "n'est pas en pause, ou que la checklist RGPD bloque, est refusé avant tout "
                                   "envoi. Jeton : celui des Paramètres (« outreach meta token ») ou "
                                   "META_ACCESS_TOKEN.")
    q.add_argument("dir", metavar="DOSSIER", help="dossier écrit par « outreach plan »")
    q.add_argument("--account", metavar="act_ID",
                   help="compte publicitaire Meta (act_…) ; par défaut celui des Paramètres du réseau")
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
    # the check step: the GDPR / DSA checklist decides what may be written (exit 3 names what blocks)
    from outreach import pipeline

    prepared = pipeline.prepare_file(args.campaign, draft=args.draft, template=args.template, out_dir=args.out,
                                     catalogue_files=args.catalogue)
    print_notes(prepared.plan.notes)
    written = pipeline.write_outputs(prepared, args.out)
    for line in summary_lines(prepared.plan) + [prepared.verdict.message()]:
        print(line, file=sys.stderr)
    for path in written:
        print(path)
    return prepared.verdict.exit_code


def write_estimates(folder: Path, payloads: dict, estimates: dict) -> Path:
    """Meta's audience estimate per ad set: a range, so both bounds are kept."""
    import io

    from outreach import atomic

    buffer = io.StringIO()
    from outreach import cells  # formula-like values marked as text

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


def _settings_account() -> str:
    from outreach.errors import InputError
    from outreach.settings import load_settings

    account = load_settings().ad_account_id
    if not account:
        raise InputError("aucun compte publicitaire choisi.", field="--account",
                         fix="Choisissez-le sur la page Paramètres (ou « outreach meta use »), ou donnez --account.")
    return account


def run_push(args) -> int:
    from outreach import pipeline
    from outreach.meta import IDS_FILE

    folder = Path(args.dir)
    account = args.account or _settings_account()
    if args.estimates:
        from outreach.meta import MetaClient  # facebook-business: loaded for a push only

        payloads = pipeline.read_payloads(folder)
        client = MetaClient(account, api_version=payloads["api_version"])
        write_estimates(folder, payloads, client.estimates(payloads))
    report = pipeline.push_folder(folder, account, dry_run=args.dry_run,
                                  progress=lambda msg: print(msg, file=sys.stderr))
    print_notes(report.notes)
    if args.dry_run:
        print(f"Validation seule : {len(report.validated)} objet(s) validé(s) par Meta, rien n'a été créé.")
    else:
        print(f"{report.summary()} Identifiants dans {folder / IDS_FILE}.")
    return 0

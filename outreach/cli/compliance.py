"""`outreach attest` (attest checklist items of a campaign) and `outreach checklist` (see where it stands)."""

from __future__ import annotations

import sys
from datetime import date

from outreach.errors import InputError


def register(sub) -> None:
    a = sub.add_parser("attest", help="attester des points manuels de la checklist RGPD d'une campagne",
                       description="Enregistre, à côté du fichier de campagne (CAMPAGNE.attestations.yaml), "
                                   "l'attestation d'une personne nommée pour un ou plusieurs points de la "
                                   "checklist (par ex. ROLE-01 XFER-01). Sans POINT : liste les attestations.")
    a.add_argument("campaign", metavar="CAMPAGNE.yaml", help="fichier de campagne")
    a.add_argument("items", metavar="POINT", nargs="*", help="identifiants des points (ROLE-01, DPIA-01…)")
    a.add_argument("--name", help="prénom et nom de la personne qui atteste")
    a.add_argument("--role", help="sa fonction (« Chargée de communication », « DPO »…)")
    a.add_argument("--date", metavar="AAAA-MM-JJ", help="date de l'attestation (défaut : aujourd'hui)")
    a.add_argument("--note", default="", help="précision (référence de l'AIPD, date de vérification…)")
    a.add_argument("--remove", action="store_true", help="retirer l'attestation des points donnés")
    a.set_defaults(func=run_attest)

    c = sub.add_parser("checklist", help="checklist RGPD / DSA d'une campagne (sans écrire les fichiers Meta)",
                       description="Planifie la campagne, évalue la checklist et l'affiche ; avec --out, écrit "
                                   "checklist.json, checklist.md, checklist.html et registre-art30.md. Code de "
                                   "sortie 3 si un point bloquant est ouvert.")
    c.add_argument("campaign", metavar="CAMPAGNE.yaml", help="fichier de campagne")
    c.add_argument("--out", metavar="DOSSIER", help="dossier où écrire la checklist")
    c.set_defaults(func=run_checklist)


def _day(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise InputError(f"date « {text} » invalide.", where="--date", fix="Écrivez-la AAAA-MM-JJ.") from exc


def run_attest(args) -> int:
    from outreach.compliance import add_attestation, attestations_path, load_attestations, remove_attestation

    if args.remove:
        for item in args.items:
            removed = remove_attestation(args.campaign, item)
            print(f"{item.upper()} : attestation retirée." if removed else f"{item.upper()} : aucune attestation.")
        return 0
    if not args.items:
        attestations = load_attestations(args.campaign)
        if not attestations:
            print(f"Aucune attestation ({attestations_path(args.campaign)}).", file=sys.stderr)
        for a in attestations:
            print(f"{a.item}\t{a.name}\t{a.role}\t{a.date.isoformat()}\t{a.note}")
        return 0
    missing = [flag for flag, value in (("--name", args.name), ("--role", args.role)) if not value]
    if missing:
        raise InputError(f"{' et '.join(missing)} manquant(s).", where="outreach attest",
                         fix="Une attestation engage une personne : donnez son nom (--name) et sa fonction (--role).")
    on = _day(args.date)
    findings = _findings(args.campaign, args.items)
    for item in args.items:
        a = add_attestation(args.campaign, item, name=args.name, role=args.role, on=on, note=args.note,
                            about=findings.get(item.strip().upper(), ""))
        print(f"{a.item} attesté par {a.name} ({a.role}) le {a.date:%d/%m/%Y}.")
    print(attestations_path(args.campaign), file=sys.stderr)
    return 0


def _findings(campaign, items: list[str]) -> dict[str, str]:
    """What the tool found for the semi-automatic items to attest (the campaign is planned only for them)."""
    from outreach import pipeline
    from outreach.compliance import load_rules

    rules = {r.id: r for r in load_rules()}
    wanted = {i.strip().upper() for i in items} & {r.id for r in rules.values() if r.kind == "semi"}
    if not wanted:
        return {}
    verdict = pipeline.prepare_file(campaign).verdict
    found = {}
    for item_id in sorted(wanted):
        item = verdict.checklist.item(item_id)
        if item.status == "pass":
            raise InputError(f"« {item_id} » est conforme : il n'y a rien à attester ({item.detail})", field="item",
                             fix="N'attestez que les points à examiner ou à attester.")
        if item.status == "fail":
            raise InputError(f"« {item_id} » n'est pas conforme : une attestation ne peut pas le couvrir "
                             f"({item.detail})", field="item", fix=item.fix or "Corrigez la campagne.")
        found[item_id] = item.finding
    return found


def run_checklist(args) -> int:
    from outreach import pipeline
    from outreach.compliance import EXIT_REFUSED, SEVERITY_LABELS, STATUS_LABELS, STATUS_SYMBOLS

    verdict = pipeline.prepare_file(args.campaign).verdict
    for item in verdict.checklist.items:
        print(f"{STATUS_SYMBOLS[item.status]} {item.id:<10} {STATUS_LABELS[item.status]:<13} "
              f"{SEVERITY_LABELS[item.severity]:<13} {item.title}")
        if item.status in ("fail", "flag", "todo"):
            print(f"    {item.detail}")
    if args.out:
        for path in pipeline.write_checklist(verdict, args.out):
            print(path, file=sys.stderr)
    print(verdict.message(), file=sys.stderr)
    return 0 if verdict.export_allowed else EXIT_REFUSED

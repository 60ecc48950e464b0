"""`outreach questionnaire`: the questionnaire service and the community's files.

    serve      start the service (widget, form, API)            purge     retention (RET-01)
    export     community or proofs of consent as CSV            digests   HTML e-mails + CSV per member/segment
    audience   the Meta custom audience file (hashed e-mails)   audit     check an audience file (CA-01/02/06)
    stats      members per theme and branch
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from outreach import paths
from outreach.cli.common import emit_text, print_notes
from outreach.errors import InputError


def register(sub) -> None:
    p = sub.add_parser("questionnaire", help="questionnaire centres d'intérêt et communauté (service, purge, "
                       "exports, digests, audience Meta)",
                       description="Le questionnaire avec consentement et la communauté d'intérêt.")
    p.add_argument("--database", metavar="URL", help="base de données SQLAlchemy (défaut : OUTREACH_DATABASE_URL, "
                   "sinon outreach.sqlite)")
    p.add_argument("--config", metavar="FICHIER", help="réglages du questionnaire (défaut : questionnaire.yaml)")
    qs = p.add_subparsers(dest="action", metavar="ACTION", required=True)

    s = qs.add_parser("serve", help="démarrer le service (pop-up, formulaire, API)")
    s.add_argument("--host", default="127.0.0.1", help="adresse d'écoute (défaut : 127.0.0.1)")
    s.add_argument("--port", type=int, default=8765, help="port (défaut : 8765)")
    s.add_argument("--workers", type=int, default=1, help="processus (défaut : 1) ; plus d'un demande PostgreSQL, "
                   "où les limites de débit sont partagées")
    s.set_defaults(func=run_serve)

    s = qs.add_parser("hosting", help="dossier d'hébergement : image, compose (service, PostgreSQL, Caddy pour le "
                      "TLS) depuis l'adresse publique ; puis « docker compose up -d » sur le serveur")
    s.add_argument("--out", required=True, metavar="DOSSIER")
    s.set_defaults(func=run_hosting)

    s = qs.add_parser("purge", help="effacer les personnes sans contact actif depuis la durée de conservation")
    s.set_defaults(func=run_purge)

    s = qs.add_parser("export", help="exporter la communauté (sans e-mail) ou les preuves de consentement")
    s.add_argument("what", choices=["community", "proofs"])
    s.add_argument("--out", metavar="FICHIER", help="fichier CSV (défaut : sortie standard)")
    s.set_defaults(func=run_export)

    s = qs.add_parser("digests", help="e-mails HTML de recommandations par membre et par segment, et CSV")
    s.add_argument("--out", metavar="DOSSIER", required=True)
    s.add_argument("--sender", default="", help="adresse d'expédition (défaut : celle de l'envoi des e-mails, "
                   "page Paramètres)")
    s.add_argument("--send", action="store_true", help="envoyer aussi les e-mails par membre, par le serveur SMTP "
                   "des Paramètres (celui des liens de confirmation)")
    s.add_argument("--today", type=date.fromisoformat, help="date de référence AAAA-MM-JJ (défaut : aujourd'hui)")
    s.set_defaults(func=run_digests)

    s = qs.add_parser("audience", help="fichier d'audience personnalisée Meta (e-mails chiffrés SHA-256)")
    s.add_argument("--out", metavar="FICHIER", required=True)
    s.set_defaults(func=run_audience)

    s = qs.add_parser("audit", help="vérifier un fichier d'audience contre les consentements (CA-01, CA-02, CA-06)")
    s.add_argument("file", metavar="FICHIER")
    s.set_defaults(func=run_audit)

    s = qs.add_parser("stats", help="membres par thème et par bibliothèque")
    s.set_defaults(func=run_stats)


def _store(args):
    from outreach.community import Store

    return Store(args.database)


def _config(args):
    from outreach.community import load_config

    return load_config(args.config)


def run_serve(args) -> int:
    import uvicorn

    from outreach.community import build_service, create_app

    store = _store(args)
    service = build_service(store=store, config=_config(args))  # checked once here, before any worker starts
    print(f"Questionnaire : http://{args.host}:{args.port}/questionnaire — intégration : "
          f"<script src=\"{service.config.public_url}/widget.js\" defer></script>", file=sys.stderr)
    if not service.mailer.configured:
        print("Attention : aucun serveur d'e-mails n'est configuré (page Paramètres, « Envoi des e-mails ») ; les "
              "adresses données ne recevront pas de lien de confirmation et ne serviront donc à rien.",
              file=sys.stderr)
    # no access log: the preference links carry each person's token
    if args.workers <= 1:
        uvicorn.run(create_app(service), host=args.host, port=args.port, log_level="warning", access_log=False)
        return 0
    if store.is_sqlite:
        raise InputError("plusieurs processus (--workers) demandent une base PostgreSQL : avec SQLite, un seul "
                         "processus écrit à la fois et chacun aurait ses propres limites de débit.",
                         where="--workers", fix="Donnez --database postgresql+psycopg://… ou retirez --workers.")
    # each worker builds its own app from the environment: pass on what the options chose
    if args.database:
        paths.pass_to_child_processes("OUTREACH_DATABASE_URL", args.database)
    if args.config:
        paths.pass_to_child_processes("OUTREACH_QUESTIONNAIRE", str(Path(args.config).resolve()))
    uvicorn.run("outreach.community.service:app_from_environment", factory=True, workers=args.workers,
                host=args.host, port=args.port, log_level="warning", access_log=False)
    return 0


def run_hosting(args) -> int:
    import yaml

    from outreach import paths
    from outreach.community import hosting
    from outreach.errors import InputError
    from outreach.settings import load_settings

    config = _config(args)
    settings = load_settings()
    missing = [label for label, value in (("le responsable du traitement", settings.controller_name),
                                          ("le contact du DPO", settings.dpo_contact)) if not value.strip()]
    if missing:  # the service refuses to start without them (its notice names them): say it here, not on the server
        raise InputError(f"paramètres du réseau incomplets : {' et '.join(missing)}.", field="Paramètres",
                         fix="Renseignez-les sur la page Paramètres, puis refaites le dossier d'hébergement.")
    network = yaml.safe_dump(settings.model_dump(mode="json"), allow_unicode=True, sort_keys=False)
    written = hosting.write_bundle(config, network, args.out, paths.checkout() or paths.home())
    print(f"Dossier d'hébergement écrit : {args.out} ({len(written)} éléments). Sur le serveur : créez .env "
          "(LISEZMOI.md), puis « docker compose up -d ».", file=sys.stderr)
    return 0


def run_purge(args) -> int:
    config = _config(args)
    report = _store(args).purge(config.retention_months, config.proof_retention_years)
    print(f"Purge : {report.respondents} personne(s) sans contact actif depuis le "
          f"{report.cutoff:%d/%m/%Y} effacée(s) ; {report.proofs} preuve(s) de consentement antérieure(s) au "
          f"{report.proof_cutoff:%d/%m/%Y} supprimée(s).")
    return 0


def run_export(args) -> int:
    from outreach.community import exports

    store = _store(args)
    if args.what == "community":
        text = exports.csv_text(exports.community_rows(store), exports.COMMUNITY_COLUMNS)
    else:
        text = exports.csv_text(exports.proof_rows(store), exports.PROOF_COLUMNS)
    emit_text(text, args.out)
    return 0


def run_digests(args) -> int:
    from outreach.community import build_recommender, build_service, member_emails, write_digests

    service = build_service(store=_store(args), config=_config(args))
    members = service.store.members()
    today = args.today or date.today()
    recommender = build_recommender(service.offer, service.resolver.branches, [m.branch_id for m in members], today)
    names = {b.id: b.name for b in service.resolver.branches}
    sender = (args.sender or service.settings.smtp_sender
              or f"{service.settings.network_name} <ne-pas-repondre@mediatheque.invalid>")
    report = write_digests(args.out, members, recommender, service.offer, service.config.public_url, names,
                           service.settings.network_name, sender)
    print(f"Digests : {report.members} e-mail(s) par membre, {report.segments} segment(s), "
          f"{report.recommendations} recommandation(s) dans {report.folder}.")
    if args.send:
        sent = service.mailer.send(member_emails(report.folder / "members"))
        print(f"{sent} e-mail(s) envoyé(s) par {service.mailer.host}.")
    return 0



def run_audience(args) -> int:
    from outreach.community import write_audience_file

    n = write_audience_file(_store(args), args.out)
    print_notes([f"{n} adresse(s) chiffrée(s) (SHA-256) de personnes majeures ayant accepté le rapprochement "
                 "Meta ; les personnes qui ont retiré leur consentement n'y sont plus."])
    return 0


def run_audit(args) -> int:
    from outreach.community import audit_audience_file

    audit = audit_audience_file(args.file, _store(args))
    if audit.ok:
        print(f"Fichier conforme : {audit.rows} ligne(s), toutes chiffrées, consenties et majeures.")
        return 0
    for problem in audit.problems():
        print(problem, file=sys.stderr)
    return 1


def run_stats(args) -> int:
    from outreach.community import csv_text

    sys.stdout.write(csv_text(_store(args).stats(), ["theme_id", "branch_id", "members", "email_recommendations",
                                                     "meta_matching", "counted_only"]))
    return 0

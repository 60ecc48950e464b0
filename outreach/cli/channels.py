"""`outreach channels`: a campaign's posts for every network, its editorial calendar and its blog drafts."""

from __future__ import annotations

import sys

from outreach.cli.common import print_notes

ACTIONS = ["schedule", "publish-due", "status"]


def register(sub) -> None:
    p = sub.add_parser("channels", help="publications par réseau, calendrier éditorial et brouillons du blog",
                       description="Lit un fichier de campagne et écrit dans DOSSIER : posts.csv (une ligne par "
                                   "publication), calendar.ics (calendrier éditorial), blog.wxr.xml (brouillons "
                                   "WordPress : Outils → Importer → WordPress) et, par thème, le brief de la "
                                   "vidéo LSF (lsf-THEME.md) et ses sous-titres (lsf-THEME.srt).")
    p.add_argument("action", nargs="?", choices=ACTIONS, metavar="ACTION",
                   help="rien : écrire les fichiers ; schedule : programmer les publications sur les réseaux "
                        "connectés (blog WordPress, page Facebook, Mastodon) ; publish-due : publier ce qui est dû "
                        "(Instagram) et programmer ce qui entre dans la fenêtre des réseaux — à lancer par cron ou "
                        "un minuteur systemd ; status : l'état de chaque publication")
    p.add_argument("campaign", metavar="CAMPAGNE.yaml", help="fichier de campagne")
    p.add_argument("--out", metavar="DOSSIER", required=True,
                   help="dossier de sortie (créé au besoin) ; il garde aussi le registre des publications "
                        "envoyées (publications.json)")
    p.add_argument("--dry-run", action="store_true", help="schedule, publish-due : dire ce qui serait envoyé, sans "
                                                          "rien envoyer")
    p.add_argument("--only", metavar="PUBLICATION", action="append",
                   help="schedule : ne programmer que cette publication (identifiant de posts.csv ; répétable)")
    p.add_argument("--channels", metavar="FICHIER", help="profils des réseaux (défaut : data/channels.yaml)")
    p.add_argument("--site", metavar="URL", help="adresse du blog WordPress (défaut : celle des paramètres ; sans blog, les "
                                                 "relais renvoient vers la page d'arrivée)")
    p.set_defaults(func=run)


def load_with_identity(path: str):
    """The campaign file, given its identity first if it has none (as its first plan would), so that the posts'
    utm_campaign is the one its Meta ads carry, whichever is made first."""
    from outreach.campaign import ensure_identity, load_campaign

    campaign = load_campaign(path)
    if campaign.id is None:
        campaign = ensure_identity(path, campaign)
        print(f"Identité de la campagne écrite dans {path} : {campaign.id} (les liens des publications et des "
              "publicités Meta la portent).", file=sys.stderr)
    return campaign


def run(args) -> int:
    from outreach.atomic import write_files
    from outreach.channels import campaign_brief, compose, load_channels, render_files

    if args.action:
        return publish(args)
    campaign = load_with_identity(args.campaign)
    channels = load_channels(args.channels)
    brief = campaign_brief(campaign, site_url=args.site)
    pack = compose(brief, channels)
    files = render_files(pack, site_url=brief.blog_site, site_name=campaign.name, channels=channels)
    write_files(args.out, files)
    print_notes(pack.notes)
    by_channel = {}
    for post in pack.posts:
        by_channel[post.channel] = by_channel.get(post.channel, 0) + 1
    counts = ", ".join(f"{channels[c].name} {n}" for c, n in by_channel.items())
    print(f"{len(pack.posts)} publication(s) du {pack.start:%d/%m/%Y} au {pack.end:%d/%m/%Y} ({counts}) ; "
          f"{len(pack.blogs)} brouillon(s) de blog ; écrit dans {args.out}.", file=sys.stderr)
    return 0


def publish(args) -> int:
    """schedule / publish-due / status: the campaign's posts on the connected networks, through their APIs."""
    from datetime import UTC, datetime
    from pathlib import Path

    from outreach.channels import campaign_brief, compose, load_channels, publishing
    from outreach.settings import load_settings

    campaign = load_with_identity(args.campaign)
    channels = load_channels(args.channels)
    brief = campaign_brief(campaign, site_url=args.site)
    pack = compose(brief, channels)
    settings = load_settings()
    publishers = publishing.connect(settings, pack)
    if not publishers:
        print("Aucun réseau connecté : renseignez le blog, la page Facebook ou l'instance Mastodon et leurs jetons "
              "(page Multicanal).", file=sys.stderr)
        return 2
    Path(args.out).mkdir(parents=True, exist_ok=True)
    ledger = publishing.Ledger.load(Path(args.out) / publishing.LEDGER_FILE)
    from outreach.channels import campaign_themes
    from outreach.visuals import theme_visual_files

    visuals = theme_visual_files(campaign, campaign_themes(campaign), settings, Path(args.out) / "visuels")
    now = datetime.now(UTC)
    if args.action == "status" or args.dry_run:
        actions = publishing.plan(pack, ledger, publishers, now=now, visuals=visuals)
    else:
        if args.action == "schedule":  # schedules only: what is published at once waits for publish-due
            publishers = {k: v for k, v in publishers.items() if v.schedules}
        done = publishing.apply(pack, ledger, publishers, now=now, visuals=visuals,
                                only=set(args.only or []) or None,
                                progress=lambda n, a: print(f"  {n}. {a.channel} — {a.post_id} : {a.label}",
                                                            file=sys.stderr))
        actions = done.actions
    for a in actions:
        entry = ledger.get(a.post_id)
        state = {"draft": "brouillon", "scheduled": "programmée", "published": "publiée"}.get(
            entry.state if entry else "", "non envoyée")
        note = f" ({a.note})" if a.note else ""
        print(f"{a.when:%d/%m/%Y %H:%M}\t{channels[a.channel].name if a.channel in channels else a.channel}\t"
              f"{a.post_id}\t{state}\t{a.label}{note}")
    verb = "serait envoyé" if args.dry_run or args.action == "status" else "envoyé"
    changes = sum(a.kind in ("create", "update", "delete", "publish") for a in actions)
    print(f"{changes} changement(s) {verb}(s) sur {', '.join(p.network for p in publishers.values())}.", file=sys.stderr)
    return 0

"""`outreach channels`: a campaign's posts for every network, its editorial calendar and its blog drafts."""

from __future__ import annotations

import sys

from outreach.atomic import output_dir
from outreach.campaign import load_campaign
from outreach.channels import campaign_brief, compose, load_channels, render_files
from outreach.cli.common import print_notes


def register(sub) -> None:
    p = sub.add_parser("channels", help="publications par réseau, calendrier éditorial et brouillons du blog",
                       description="Lit un fichier de campagne et écrit dans DOSSIER : posts.csv (une ligne par "
                                   "publication), calendar.ics (calendrier éditorial), blog.wxr.xml (brouillons "
                                   "WordPress : Outils → Importer → WordPress) et, par thème, le brief de la "
                                   "vidéo LSF (lsf-THEME.md) et ses sous-titres (lsf-THEME.srt).")
    p.add_argument("campaign", metavar="CAMPAGNE.yaml", help="fichier de campagne")
    p.add_argument("--out", metavar="DOSSIER", required=True, help="dossier de sortie (créé au besoin)")
    p.add_argument("--channels", metavar="FICHIER", help="profils des réseaux (défaut : data/channels.yaml)")
    p.add_argument("--site", metavar="URL", help="adresse du blog WordPress (défaut : site web de network.yaml, "
                                                 "sinon le site de la page d'arrivée)")
    p.set_defaults(func=run)


def run(args) -> int:
    campaign = load_campaign(args.campaign)
    channels = load_channels(args.channels)
    brief = campaign_brief(campaign, site_url=args.site)
    pack = compose(brief, channels)
    files = render_files(pack, site_url=brief.blog_site, site_name=campaign.name, channels=channels)
    with output_dir(args.out) as staging:
        for name, data in files.items():
            (staging / name).write_bytes(data)
    print_notes(pack.notes)
    by_channel = {}
    for post in pack.posts:
        by_channel[post.channel] = by_channel.get(post.channel, 0) + 1
    counts = ", ".join(f"{channels[c].name} {n}" for c, n in by_channel.items())
    print(f"{len(pack.posts)} publication(s) du {pack.start:%d/%m/%Y} au {pack.end:%d/%m/%Y} ({counts}) ; "
          f"{len(pack.blogs)} brouillon(s) de blog ; écrit dans {args.out}.", file=sys.stderr)
    return 0

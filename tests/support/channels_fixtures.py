"""Shared inputs of the channel tests: the example campaign on the shipped data, with a few dated events.

The catalogue is the shipped sample (real Roubaix records given to demonstration branches); the events
are typed `LibraryEvent`s at real shipped branches, dated inside and around the example's period.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache

from outreach.campaign import load_campaign
from outreach.model import LibraryEvent
from tests.support import ROOT

EXAMPLE = ROOT / "campaigns/exemple-sf-bouches-du-rhone.yaml"

EVENTS = [
    # Le Merlan (Marseille 14e) and Méjanes (Aix-en-Provence) are in the example's territory
    LibraryEvent(id="club-sf-merlan", title="Club de lecture science-fiction",
                 description="Chacun vient avec un roman de science-fiction qu'il a aimé et le fait découvrir "
                             "aux autres, autour d'un café ; ouvert à toutes et à tous, sans inscription.",
                 start=datetime(2027, 3, 20, 15, 0), end=datetime(2027, 3, 20, 17, 0), branch_id="5425",
                 url="https://www.bmvr.marseille.fr/agenda/club-sf", keywords=["science-fiction"]),
    LibraryEvent(id="rencontre-sf-mejanes", title="Rencontre avec une autrice de science-fiction",
                 start=datetime(2027, 3, 5, 18, 30), branch_id="19957", location_name="Auditorium des Méjanes",
                 keywords=["science-fiction"]),
    LibraryEvent(id="avant-campagne", title="Projection science-fiction", start=datetime(2027, 2, 20, 14, 0),
                 branch_id="5425", keywords=["science-fiction"]),
    LibraryEvent(id="apres-campagne", title="Atelier écriture science-fiction", start=datetime(2027, 4, 10, 10, 0),
                 branch_id="19957", keywords=["science-fiction"]),
]


@cache
def example_campaign():
    return load_campaign(EXAMPLE)


@cache
def example_brief():
    from outreach.channels.campaign import campaign_brief

    return campaign_brief(example_campaign(), events=EVENTS, site_url="https://blog.exemple.fr")


@cache
def example_pack():
    from outreach.channels import compose

    return compose(example_brief())


def check_pack(pack):
    """Every problem of every post of a pack against its channel's rules (none, for a pack fit to publish)."""
    from outreach.channels.checks import check_post
    from outreach.channels.profiles import load_channels

    channels = load_channels()
    return [p for post in pack.posts for p in check_post(post, channels[post.channel])]

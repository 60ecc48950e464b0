"""From a campaign file to the composer's brief: themes, branches in scope, what each branch really offers.

The branches in scope follow the campaign's territory like the Meta planner does — the chosen branches,
else the nearest branch of each chosen area, else every branch open to the public in the département —
but without the ad budget: organic posts do not depend on what the ads cost.
"""

from __future__ import annotations

from datetime import date

from outreach import datasets
from outreach.channels.inputs import CampaignBrief, theme_offer
from outreach.errors import InputError
from outreach.model import Branch
from outreach.settings import load_settings
from outreach.territory import assign
from outreach.themes import agenda_in_force, catalogue_in_force, load_themes, shipped_catalogue, summarise

# enough for every event of a theme in a branch over a campaign, not only the next three of a summary
EVENTS_PER_BRANCH = 100
TOP_ITEMS = 5


def scope_branches(campaign) -> list[Branch]:
    t = campaign.territory
    try:
        territory = datasets.load_territory(departement=t.departement)
    except InputError as exc:
        raise InputError(exc.message, where="territory.departement (territoire)", field="territory.departement",
                         fix=exc.fix) from exc
    by_id = {b.id: b for b in territory.branches}
    if t.branches:
        missing = [b for b in t.branches if b not in by_id]
        if missing:
            raise InputError(f"bibliothèque(s) introuvable(s) : {', '.join(missing[:10])}.", where="territory.branches",
                             field="territory.branches",
                             fix="Utilisez les identifiants du ministère (code_bib), visibles sur la page Territoire.")
        return [by_id[b] for b in t.branches]
    if t.areas:
        areas = {a.code: a for a in territory.areas}
        missing = [a for a in t.areas if a not in areas]
        if missing:
            raise InputError(f"zone(s) introuvable(s) : {', '.join(missing[:10])}.", where="territory.areas",
                             field="territory.areas",
                             fix="Utilisez les codes INSEE des communes ou arrondissements (par ex. 13055).")
        nearest = assign(territory.branches, [areas[a] for a in t.areas])["branch_id"]
        return [by_id[b] for b in dict.fromkeys(nearest) if b in by_id]
    return sorted(territory.branches, key=lambda b: b.id)


def campaign_themes(campaign, themes=None) -> list:
    if themes is None:
        themes = load_themes()
    by_id = {t.id: t for t in themes}
    unknown = [t for t in campaign.themes if t not in by_id]
    if unknown:
        raise InputError(f"thème inconnu : {', '.join(unknown)}.", where="themes", field="themes",
                         fix=f"Choisissez parmi : {', '.join(sorted(by_id))}.")
    return [by_id[t] for t in campaign.themes]


def campaign_brief(campaign, *, themes=None, branches: list[Branch] | None = None, items=None, events=None,
                   today: date | None = None, site_url: str | None = None) -> CampaignBrief:
    """The composer's input for `campaign` (an `outreach.campaign.Campaign`).

    Items and events default to the network's catalogue and agenda in force (`outreach.themes.in_force`): with
    no catalogue loaded, the demonstration sample, whose figures no post states; with no agenda, no event (the
    demonstration agenda never reaches a post). `today` defaults to the campaign's start, so
    that the events announced are those of the campaign period; `site_url` (the blog) to the network
    settings' blog address (none: bridges link to the landing page).
    """
    chosen = campaign_themes(campaign, themes)
    branches = scope_branches(campaign) if branches is None else list(branches)
    if items is None:
        items = catalogue_in_force().items
        items = shipped_catalogue() if items is None else items
    if events is None:
        events = agenda_in_force().events
    summaries = summarise(items, events, chosen, branches, today or campaign.period.start, top=TOP_ITEMS,
                          next_events=EVENTS_PER_BRANCH)
    by_id = {b.id: b for b in branches}
    offers = [theme_offer(t, list(summaries.values()), by_id, campaign.landing_url_for) for t in chosen]
    if site_url is None:
        site_url = load_settings().blog_url
    return CampaignBrief(name=campaign.name, start=campaign.period.start, end=campaign.period.end,
                         landing_url=campaign.landing_url, site_url=site_url or "", themes=offers,
                         utm_campaign=campaign.utm_campaign)

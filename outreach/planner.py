"""Campaign file → plan: one ad set per (branch, theme) in scope whose catchment has people.

Every area in scope goes to its nearest branch of the network (exact geodesic, `outreach.territory`), so
that each ad set reaches the people for whom that branch is the nearest. The radius around the branch
covers its catchment, clamped to what Meta accepts (1–80 km): the areas it cannot reach are reported.
The budget is split by population; a catchment too small to get Meta's minimum daily budget is merged
with its nearest neighbour (the ad set then has one circle per branch) rather than under-funded.

Deterministic: the same campaign file and data give the same plan, whatever calls it (app or CLI).
"""

from __future__ import annotations

import heapq
import math
import warnings
from datetime import date

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from scipy.spatial import cKDTree

from outreach import datasets
from outreach.campaign import Campaign, french_validation_error
from outreach.errors import InputError
from outreach.model import AdCopy, Area, Branch
from outreach.territory import BranchIndex, assign, farthest_point_km, unit_vectors
from outreach.text import slug
from outreach.themes.catalogue import shipped_themes, themes_file_key

MIN_RADIUS_KM = 1.0  # Meta's custom_locations radius bounds, in kilometres
MAX_RADIUS_KM = 80.0
MAX_LOCATIONS_PER_AD_SET = 200  # Meta's limit on custom locations in one ad set
UTM_SOURCE = "meta"
MERGED_PLACE = "Les médiathèques proches"  # how the copy names the branches of a merged ad set
UTM_MEDIUM = "paid_social"


class InterestRef(BaseModel):
    """A Meta interest as the targeting needs it; `id` is None until resolved by the client."""

    model_config = ConfigDict(frozen=True)

    name: str
    id: str | None = None


class Location(BaseModel):
    """One circle of an ad set's targeting: a branch and the radius covering its catchment."""

    branch_id: str
    branch_name: str
    lat: float
    lon: float
    radius_km: float
    population: int
    area_codes: list[str]


# `copy` is the contract's name for the ad text; pydantic warns that it shadows the deprecated
# BaseModel.copy, which this model never uses (model_copy replaces it)
warnings.filterwarnings("ignore", message='Field name "copy" in "AdSetPlan"', category=UserWarning)


class AdSetPlan(BaseModel):
    name: str
    ref: str  # stable key: links the ad set to its creative and ad, and to the ids Meta gives them
    branch_id: str  # the lead branch (the most populated one when catchments were merged)
    branch_name: str
    theme_id: str
    theme_label: str = ""
    area_codes: list[str]
    population: int
    radius_km: float
    daily_budget_eur: float
    interests: list[InterestRef]
    copy: AdCopy  # the themes capability's draft, or the officer's rewrite (campaign copy_overrides)
    generic_copy: bool
    landing_url: str
    url_tags: str
    lat: float
    lon: float
    postcodes: list[str] = Field(default_factory=list)
    locations: list[Location] = Field(default_factory=list)  # more than one when catchments were merged
    notes: list[str] = Field(default_factory=list)

    @property
    def branch_ids(self) -> list[str]:
        return [loc.branch_id for loc in self.locations] or [self.branch_id]

    @property
    def daily_budget_cents(self) -> int:
        return round(self.daily_budget_eur * 100)


class OutsideArea(BaseModel):
    """An area of a catchment that the 80 km circle around its branch does not fully cover."""

    area_code: str
    area_name: str
    branch_id: str
    branch_name: str
    farthest_km: float
    population: int


class Plan(BaseModel):
    campaign: Campaign
    ad_sets: list[AdSetPlan]
    outside_areas: list[OutsideArea] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    days: int
    daily_budget_eur: float  # what the ad sets spend together per day

    @property
    def total_budget_eur(self) -> float:
        return round(self.daily_budget_eur * self.days, 2)

    @property
    def population(self) -> int:
        """People living where the campaign reaches: every theme targets the same areas, so one theme's ad sets
        count them once."""
        first = self.campaign.themes[0] if self.campaign.themes else None
        return sum(a.population for a in self.ad_sets if a.theme_id == first)


# ---------------------------------------------------------------------------------------------- scope

def _network(campaign: Campaign, branches, areas) -> tuple[list[Branch], list[Area], list[str]]:
    dep = campaign.territory.departement
    if branches is not None and areas is not None:
        branches, areas = list(branches), list(areas)
        if dep:
            branches = [b for b in branches if b.departement == dep]
            areas = [a for a in areas if a.departement == dep]
        return [b for b in branches if b.open_to_public], areas, []
    try:
        loaded = datasets.load_territory(departement=dep)
    except InputError as exc:
        raise InputError(exc.message, where="territory.departement (territoire)", field="territory.departement",
                         fix=exc.fix) from exc
    return (list(branches) if branches is not None else loaded.branches,
            list(areas) if areas is not None else loaded.areas, loaded.notes)


def _pick(wanted: list[str], known: dict, field: str, what: str, fix: str) -> list:
    missing = [code for code in wanted if code not in known]
    if missing:
        shown = ", ".join(missing[:10]) + (" …" if len(missing) > 10 else "")
        raise InputError(f"{len(missing)} {what} introuvable(s) : {shown}.", where=field, field=field, fix=fix)
    return [known[code] for code in wanted]


def _themes(campaign: Campaign, themes) -> list:
    if themes is None:
        themes = shipped_themes()
    by_id = {t.id: t for t in (themes.values() if isinstance(themes, dict) else themes)}
    unknown = [t for t in campaign.themes if t not in by_id]
    if unknown:
        known = ", ".join(sorted(by_id))
        raise InputError(f"thème inconnu : {', '.join(unknown)}.", where="themes", field="themes",
                         fix=f"Choisissez parmi : {known}.")
    return [by_id[t] for t in campaign.themes]


# ---------------------------------------------------------------------------------------------- catchments

class _Catchment:
    __slots__ = ("branch", "areas", "farthest", "population", "radius_km", "covering_km", "_location")

    def __init__(self, branch: Branch, areas: list[Area], farthest: list[float]):
        self.branch = branch
        self.areas = areas
        self.farthest = farthest  # km from the branch to the farthest point of each area
        self.population = sum(a.population or 0 for a in areas)
        self.covering_km = max(farthest) if farthest else 0.0
        # one decimal, rounded up so that the circle still covers the farthest point
        self.radius_km = min(MAX_RADIUS_KM, max(MIN_RADIUS_KM, math.ceil(self.covering_km * 10 - 1e-9) / 10))
        self._location = None

    def location(self) -> Location:
        # one per catchment, shared by the ad sets of every theme; built from valid data, so not re-validated
        if self._location is None:
            self._location = Location.model_construct(branch_id=self.branch.id, branch_name=self.branch.display_name,
                                        lat=self.branch.lat, lon=self.branch.lon, radius_km=self.radius_km,
                                        population=self.population, area_codes=[a.code for a in self.areas])
        return self._location


def _catchments(network: list[Branch], scope_branches: list[Branch], scope_areas: list[Area]
                ) -> tuple[list[_Catchment], list[OutsideArea]]:
    if not scope_areas:
        return [], []
    index = BranchIndex.of(network)
    assignments = assign(network, scope_areas, index)
    by_id = {b.id: b for b in network}
    members: dict[str, list[tuple[Area, float]]] = {}
    for area, branch_id, km in zip(scope_areas, assignments["branch_id"].tolist(),
                                   assignments["distance_km"].tolist(), strict=True):
        # a point area's farthest point is the point itself, whose distance the assignment already has
        far = km if area.geometry is None else farthest_point_km(by_id[branch_id], area)
        members.setdefault(branch_id, []).append((area, far))
    catchments, outside = [], []
    for branch in sorted(scope_branches, key=lambda b: b.id):
        pairs = sorted(members.get(branch.id, []), key=lambda p: p[0].code)
        if not pairs or sum(a.population or 0 for a, _ in pairs) <= 0:
            continue
        c = _Catchment(branch, [a for a, _ in pairs], [f for _, f in pairs])
        catchments.append(c)
        for area, far in pairs:
            if far > MAX_RADIUS_KM:
                outside.append(OutsideArea(area_code=area.code, area_name=area.name, branch_id=branch.id,
                                           branch_name=branch.display_name, farthest_km=round(far, 1),
                                           population=area.population or 0))
    return catchments, outside


# ---------------------------------------------------------------------------------------------- budget

def _merge_small(catchments: list[_Catchment], threshold_population: float) -> list[list[_Catchment]]:
    """Group catchments so that every group has at least `threshold_population` people.

    The smallest group joins a neighbouring group, until none is below the threshold (or one group is
    left): the group of the nearest branch, or a nearby group that is itself too small when one is not
    much farther (small with small, rather than swelling a big group). A heap keeps this O(n log n).
    """
    n = len(catchments)
    parent = list(range(n))
    members = {i: [i] for i in range(n)}
    population = [c.population for c in catchments]

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    if n <= 1 or min(population) >= threshold_population:
        return [[c] for c in catchments]
    points = unit_vectors([c.branch.lat for c in catchments], [c.branch.lon for c in catchments])
    tree = cKDTree(points)
    # every catchment's nearest neighbours, found once for all (vectorised): most merges need only these
    near_km, near_idx = tree.query(points, k=min(n, NEIGHBOURS))
    near = (np.atleast_2d(near_km), np.atleast_2d(near_idx))
    heap = [(population[i], catchments[i].branch.id, i) for i in range(n)]
    heapq.heapify(heap)
    groups = n
    while heap and groups > 1:
        pop, _, i = heapq.heappop(heap)
        if find(i) != i or pop != population[i]:
            continue  # stale entry
        if pop >= threshold_population:
            break
        target = _neighbour_group(tree, points, near, members[i], i, find, members, n, population,
                                  threshold_population)
        if target is None:
            continue  # every neighbour is at Meta's location cap: left as is, the plan will say so
        keep, gone = target, i  # the root does not matter: the ad set's lead is its most populated branch
        parent[gone] = keep
        members[keep] = members[keep] + members.pop(gone)
        population[keep] += population[gone]
        groups -= 1
        heapq.heappush(heap, (population[keep], catchments[keep].branch.id, keep))
    roots = sorted({find(i) for i in range(n)})
    return [[catchments[j] for j in sorted(members[r], key=lambda j: catchments[j].branch.id)] for r in roots]


NEIGHBOURS = 12  # neighbours looked up at once for every catchment before merging
SMALL_NEIGHBOUR_DETOUR = 2.0  # a small neighbour is preferred when at most this many times farther


def _neighbour_group(tree, points, near, own_members, own_root, find, members, n, population, threshold
                     ) -> int | None:
    """Root of the group to merge with (see `_merge_small`), within Meta's location cap; None if none."""
    size = len(own_members)
    k = near[1].shape[1]
    while True:
        if k == near[1].shape[1]:
            dist, idx = near[0][own_members].ravel(), near[1][own_members].ravel()
        else:
            d2, i2 = tree.query(points[own_members], k=k)
            dist, idx = np.atleast_2d(d2).ravel(), np.atleast_2d(i2).ravel()
        nearest = small = None
        for pos in np.argsort(dist, kind="stable").tolist():
            root = find(int(idx[pos]))
            if root == own_root or size + len(members[root]) > MAX_LOCATIONS_PER_AD_SET:
                continue
            if nearest is None:
                nearest = (dist[pos], root)
            if population[root] < threshold:
                small = (dist[pos], root)
                break
        if small is not None and (nearest is None or small[0] <= SMALL_NEIGHBOUR_DETOUR * nearest[0]):
            return small[1]
        if nearest is not None or k >= n:
            return nearest[1] if nearest else None
        k = min(n, k * 4)


def _split_cents(total: int, weights: list[int]) -> list[int]:
    """Largest-remainder split of `total` cents in proportion to `weights` (ties by position)."""
    whole = sum(weights)
    exact = [total * w / whole for w in weights]
    shares = [math.floor(x) for x in exact]
    left = total - sum(shares)
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - shares[i]), i))
    for i in order[:left]:
        shares[i] += 1
    return shares


# ---------------------------------------------------------------------------------------------- plan

def _min_daily_cents() -> int:
    from outreach.settings import load_settings

    return math.ceil(load_settings().min_daily_budget_eur * 100 - 1e-9)


def _summaries(themes, scope_branches, items, events, today, *, cacheable: bool = False):
    if cacheable:  # shipped themes, catalogue and agenda: the same question gets the same answer
        key = (themes_file_key(), tuple(t.id for t in themes), tuple(b.id for b in scope_branches), today)
        if key not in _SHIPPED_SUMMARIES:
            if len(_SHIPPED_SUMMARIES) >= 8:
                _SHIPPED_SUMMARIES.pop(next(iter(_SHIPPED_SUMMARIES)))
            _SHIPPED_SUMMARIES[key] = _compute_summaries(themes, scope_branches, None, None, today)
        return _SHIPPED_SUMMARIES[key]
    return _compute_summaries(themes, scope_branches, items, events, today)


_SHIPPED_SUMMARIES: dict[tuple, dict] = {}  # a few recent answers for the shipped data (app reruns, tests)


def _compute_summaries(themes, scope_branches, items, events, today):
    import outreach.themes as themes_module

    items = themes_module.shipped_catalogue() if items is None else list(items)
    if events is None:
        # the shipped agenda comes with the themes capability; without it, no event is known
        shipped_events = getattr(themes_module, "shipped_events", None)
        events = shipped_events() if shipped_events else []
    events = list(events)
    # only branches that hold something can have a non-empty summary: the others get an empty one
    # later, which keeps a national plan fast
    holding = {i.branch_id for i in items} | {e.branch_id for e in events if e.branch_id}
    return themes_module.summarise(items, events, themes, [b for b in scope_branches if b.id in holding], today)


def build_plan(campaign: Campaign, *, branches=None, areas=None, themes=None, items=None, events=None,
               today: date | None = None, min_daily_budget_eur: float | None = None) -> Plan:
    from outreach.themes import ad_copy

    chosen_themes = _themes(campaign, themes)
    network, network_areas, notes = _network(campaign, branches, areas)
    branch_by_id = {b.id: b for b in network}
    area_by_code = {a.code: a for a in network_areas}
    t = campaign.territory
    scope_branches = (_pick(t.branches, branch_by_id, "territory.branches", "bibliothèque(s)",
                            "Utilisez les identifiants du ministère (code_bib), visibles sur la page Territoire.")
                      if t.branches else list(network))
    scope_areas = (_pick(t.areas, area_by_code, "territory.areas", "code(s) de zone",
                         "Utilisez les codes INSEE des communes ou arrondissements (par ex. 13055 ou 13201).")
                   if t.areas else list(network_areas))
    if not network:
        raise InputError("aucune bibliothèque ouverte au public dans ce territoire.", where="territory",
                         field="territory")
    catchments, outside = _catchments(network, scope_branches, scope_areas)
    if not catchments:
        raise InputError("aucune zone habitée n'a pour plus proche une des bibliothèques choisies.",
                         where="territory", field="territory",
                         fix="Élargissez le territoire (département, bibliothèques ou zones).")

    days = campaign.period.days
    min_cents = (math.ceil(min_daily_budget_eur * 100 - 1e-9) if min_daily_budget_eur is not None
                 else _min_daily_cents())
    daily_cents = math.floor(campaign.budget_eur * 100 / days + 1e-9)
    theme_cents = _split_cents(daily_cents, [1] * len(chosen_themes))
    if min(theme_cents) < min_cents:
        needed = math.ceil(min_cents * len(chosen_themes) * days / 100)
        raise InputError(
            f"budget trop faible : {campaign.budget_eur:g} € sur {days} jour(s) et {len(chosen_themes)} thème(s) "
            f"donnent {min(theme_cents) / 100:.2f} € par jour et par thème, sous le minimum de Meta de "
            f"{min_cents / 100:.2f} € par jour et par ensemble de publicités.",
            where="budget_eur (budget)", field="budget_eur",
            fix=f"Prévoyez au moins {needed} €, raccourcissez la période ou retirez des thèmes.")
    total_population = sum(c.population for c in catchments)
    # every theme has the same catchments, so the smallest theme budget decides the merging for all
    threshold = total_population * min_cents / min(theme_cents)
    groups = _merge_small(catchments, threshold)
    merged = [g for g in groups if len(g) > 1]
    if merged:
        notes.append(f"{sum(len(g) for g in merged)} petits bassins regroupés en {len(merged)} ensemble(s) de "
                     f"publicités pour que chacun ait au moins {min_cents / 100:.2f} € par jour.")
    if outside:
        notes.append(f"{len(outside)} zone(s) dépassent le rayon maximal de Meta ({MAX_RADIUS_KM:g} km) autour "
                     "de leur bibliothèque : elles ne sont que partiellement couvertes.")

    summaries = _summaries(chosen_themes, [c.branch for c in catchments], items, events,
                           today or campaign.period.start,
                           cacheable=themes is None and items is None and events is None)
    campaign_slug = slug(campaign.name)[:60]
    ad_sets: list[AdSetPlan] = []
    for theme, cents in zip(chosen_themes, theme_cents, strict=True):
        shares = _split_cents(cents, [sum(c.population for c in g) for g in groups])
        interests = _interests(theme, campaign)
        if min(shares) < min_cents:  # only when Meta's location cap stopped a merge
            notes.append(f"{sum(1 for x in shares if x < min_cents)} ensemble(s) de publicités « {theme.label} » "
                         f"sous le minimum de {min_cents / 100:.2f} € par jour : Meta pourrait les refuser.")
        for group, share in zip(groups, shares, strict=True):
            ad_sets.append(_ad_set(campaign, theme, group, share, interests, summaries, campaign_slug, ad_copy))
    if campaign.geo == "postcodes":
        without = [a for a in ad_sets if not a.postcodes]
        if without:
            notes.append(f"{len(without)} ensemble(s) de publicités sans code postal connu pour leurs zones : "
                         "ciblés par rayon autour de la bibliothèque.")
    sensitive = [t.label for t in chosen_themes if getattr(t, "sensitivity", "none") != "none"]
    if sensitive:
        notes.append("Thème(s) sensible(s) sans ciblage par centres d'intérêt (audience large du territoire) : "
                     + ", ".join(sensitive) + ".")
    ad_sets.sort(key=lambda a: (campaign.themes.index(a.theme_id), -a.population, a.branch_id))
    _unique_names(ad_sets)
    _apply_copy_overrides(campaign, ad_sets)
    # a theme that is not only about events is a collection theme: no item means generic copy, said here
    generic = [a for a in ad_sets if a.generic_copy and
               getattr(_theme_of(chosen_themes, a.theme_id), "kind", "collection") != "event"]
    if generic:
        notes.append(f"{len(generic)} ensemble(s) de publicités sans document du thème dans la bibliothèque : "
                     "texte générique, qui n'annonce aucun chiffre.")
    if not any(i.id for a in ad_sets for i in a.interests):
        notes.append("Les identifiants Meta des centres d'intérêt seront résolus à l'envoi (outreach push).")
    return Plan(campaign=campaign, ad_sets=ad_sets, outside_areas=outside, notes=notes, days=days,
                daily_budget_eur=sum(a.daily_budget_cents for a in ad_sets) / 100)


def _theme_of(themes, theme_id):
    return next(t for t in themes if t.id == theme_id)


def _interests(theme, campaign: Campaign) -> list[InterestRef]:
    if getattr(theme, "sensitivity", "none") != "none":
        # a sensitive theme may be promoted, never used as a targeting criterion (GDPR art. 9, checklist SEN)
        return []
    seen: dict[str, InterestRef] = {}
    for interest in getattr(theme, "meta_interests", []) or []:
        ref = InterestRef(name=interest.name, id=getattr(interest, "id", None) or None)
        seen.setdefault(ref.name.casefold(), ref)
    for name in campaign.extra_interests:
        seen.setdefault(name.casefold(), InterestRef(name=name))
    return list(seen.values())


def _ad_set(campaign, theme, group: list[_Catchment], cents: int, interests, summaries, campaign_slug,
            ad_copy) -> AdSetPlan:
    lead = max(group, key=lambda c: (c.population, [-ord(ch) for ch in c.branch.id]))
    parts = [p for p in (summaries.get((theme.id, c.branch.id)) for c in group) if p is not None]
    if len(group) == 1:
        copy = ad_copy(theme, lead.branch, parts[0] if parts else None)
    elif not parts:
        copy = ad_copy(theme, MERGED_PLACE, None)
    else:
        # one ad for several branches: it speaks of them together and counts what they hold together
        merged = parts[0].model_copy(update={
            "branch_id": lead.branch.id, "n_items": sum(p.n_items for p in parts),
            "top_items": [i for p in parts for i in p.top_items],
            "next_events": sorted((e for p in parts for e in p.next_events), key=lambda e: (e.start, e.id))})
        copy = ad_copy(theme, MERGED_PLACE, merged)
    ref = f"{slug(theme.id)}--{slug(lead.branch.id)}"
    label = getattr(theme, "label", theme.id)
    others = f" + {len(group) - 1}" if len(group) > 1 else ""
    name = f"{lead.branch.display_name}{others} | {label} | {campaign.audience.age_min}-{campaign.audience.age_max}"
    areas = [a for c in group for a in c.areas]
    notes = []
    if len(group) > 1:
        notes.append("Regroupe les bassins de : " + ", ".join(c.branch.display_name for c in group) + ".")
    if copy.generic:
        where = lead.branch.display_name if len(group) == 1 else "ces bibliothèques"
        notes.append(f"Aucun document « {label} » repéré dans {where} : texte générique.")
    # built from validated parts: skip re-validating tens of thousands of area codes
    return AdSetPlan.model_construct(
        name=name, ref=ref, branch_id=lead.branch.id, branch_name=lead.branch.display_name, theme_id=theme.id,
        theme_label=label, area_codes=sorted(a.code for a in areas), population=sum(c.population for c in group),
        radius_km=lead.radius_km, daily_budget_eur=cents / 100, interests=interests, copy=copy,
        generic_copy=bool(copy.generic), landing_url=campaign.landing_url_for(lead.branch.id, theme.id),
        url_tags=(f"utm_source={UTM_SOURCE}&utm_medium={UTM_MEDIUM}&utm_campaign={campaign_slug}"
                  f"&utm_content={ref}&utm_term={slug(theme.id)}"),
        lat=lead.branch.lat, lon=lead.branch.lon,
        postcodes=sorted({p for a in areas for p in a.postcodes}),
        locations=[c.location() for c in sorted(group, key=lambda c: (-c.population, c.branch.id))],
        notes=notes)


def _unique_names(ad_sets: list[AdSetPlan]) -> None:
    """Several branches share a name (« Bibliothèque municipale »): their ad sets get the branch id too,
    since Ads Manager and the push (which looks objects up by name after a lost answer) need unique names."""
    counts: dict[str, int] = {}
    for a in ad_sets:
        counts[a.name] = counts.get(a.name, 0) + 1
    for a in ad_sets:
        if counts[a.name] > 1:
            head, _, rest = a.name.partition(" | ")
            a.name = f"{head} [{a.branch_id}] | {rest}"


def _apply_copy_overrides(campaign: Campaign, ad_sets: list[AdSetPlan]) -> None:
    """The officer's own text replaces the draft; it must still fit Meta's lengths."""
    overrides = getattr(campaign, "copy_overrides", None) or {}
    known = {a.ref for a in ad_sets}
    stale = sorted(set(overrides) - known)
    for ad_set in ad_sets:
        edit = overrides.get(ad_set.ref)
        if not edit:
            continue
        updates = {k: v for k, v in edit.model_dump().items() if v}
        try:
            ad_set.copy = type(ad_set.copy).model_validate(ad_set.copy.model_dump() | updates | {"generic": False})
        except ValidationError as exc:
            first = exc.errors()[0]
            field = f"copy_overrides.{ad_set.ref}.{'.'.join(map(str, first['loc']))}"
            raise InputError(f"texte refusé : {french_validation_error(first)}.", where=field, field=field,
                             fix="Raccourcissez le texte (titre : 40 caractères au plus).") from exc
        ad_set.generic_copy = False
    if stale:
        raise InputError(f"texte(s) modifié(s) pour des ensembles de publicités absents du plan : "
                         f"{', '.join(stale)}.", where="copy_overrides", field="copy_overrides",
                         fix="Retirez-les du fichier, ou remettez le thème ou la bibliothèque correspondants.")

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
from outreach.model import AdCopy, Area, Branch, CatalogueProvenance, Visual
from outreach.territory import BranchIndex, farthest_point_km, unit_vectors
from outreach.text import slug
from outreach.themes import summary_cache
from outreach.themes.catalogue import shipped_themes, themes_file_key
from outreach.themes.large import as_items, held_branches

MIN_RADIUS_KM = 1.0  # Meta's custom_locations radius bounds, in kilometres
MAX_RADIUS_KM = 80.0
MAX_LOCATIONS_PER_AD_SET = 200  # Meta's limit on custom locations in one ad set
UTM_SOURCE = "meta"
UTM_MEDIUM = "paid_social"
OBJECTIVE_FR = {"awareness": "notoriété", "traffic": "trafic"}
# Meta's rules for a special ad category (EMPLOYMENT, HOUSING, CREDIT): 18–65+, no postcodes, location
# circles of at least 15 miles, restricted detailed targeting
SPECIAL_MIN_RADIUS_KM = 24.2  # 15 miles = 24.14 km, rounded up to the planner's 0.1 km


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


def _trusted(model: type[BaseModel], values: dict):
    """`model` built from `values` known valid, every field given and none else: what `model_construct` makes,
    without its search of aliases and defaults field by field (a national plan builds 13,633 circles and 1,320
    ad sets: about 3 µs less each). A missing field is a KeyError, an unknown one a ValueError."""
    names = model.__pydantic_fields__
    fields = {name: values[name] for name in names}
    if len(values) != len(names):
        raise ValueError(f"{model.__name__} has no field {sorted(set(values) - set(names))}")
    made = model.__new__(model)
    _set(made, "__dict__", fields)
    _set(made, "__pydantic_fields_set__", _ALL_FIELDS.get(model) or _ALL_FIELDS.setdefault(model, set(names)))
    _set(made, "__pydantic_extra__", None)
    _set(made, "__pydantic_private__", None)
    return made


_set = object.__setattr__  # pydantic's own way past a model's __setattr__ (frozen models included)
# Every model `_trusted` builds has all its fields set, so all of one class share one set of their names
# rather than a set each (15,000 fewer objects for the cyclic collector to scan after a national plan).
# pydantic changes a model's set in place only to add the name of an assigned field, already in it; its
# copies (model_copy) get a set of their own.
_ALL_FIELDS: dict[type, set[str]] = {}


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
    postcodes: list[str] = Field(default_factory=list)  # the postcodes this ad set alone targets
    # postcodes inside its circles that another ad set of the theme targets (outreach.overlap)
    excluded_postcodes: list[str] = Field(default_factory=list)
    locations: list[Location] = Field(default_factory=list)  # more than one when catchments were merged
    notes: list[str] = Field(default_factory=list)
    visual: Visual | None = None  # every planned ad set gets one (outreach.visuals.assign_visuals)

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


class Delivery(BaseModel):
    """Where and how often the ads show, from the network settings."""

    audience_network: bool = False
    frequency_max: int | None = 2  # impressions per person and period, on reach campaigns only
    frequency_days: int = 7


class Plan(BaseModel):
    campaign: Campaign
    ad_sets: list[AdSetPlan]
    delivery: Delivery = Field(default_factory=Delivery)
    # share of the people reached whom two ad sets of one theme both target (outreach.overlap)
    same_theme_overlap: float | None = None
    outside_areas: list[OutsideArea] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    days: int
    daily_budget_eur: float  # what the ad sets spend together per day
    # which catalogue the copy's figures come from; the demonstration sample gives none (checklist AD-06)
    catalogue: CatalogueProvenance | None = None
    # the Meta campaign of its own for the themes of a special ad category, when the campaign file mixes them
    # with others (Meta sets the category per campaign): its themes, audience and geo are that category's
    special_campaign: Campaign | None = None

    def campaign_of(self, ad_set: AdSetPlan) -> Campaign:
        """The campaign an ad set belongs to at Meta: the special category's own, or the campaign file's."""
        special = self.special_campaign
        return special if special is not None and ad_set.theme_id in special.themes else self.campaign

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
    chosen = [by_id[t] for t in campaign.themes]
    # one special campaign per plan at most (_plan_in_two): two categories would split without end
    categories = sorted({c for t in chosen if (c := getattr(t, "special_ad_category", None))})
    if len(categories) > 1:
        raise InputError(f"thèmes de catégories spéciales de publicité différentes ({', '.join(categories)}) dans "
                         "une même campagne.", where="themes", field="themes",
                         fix="Faites une campagne par catégorie : Meta fixe la catégorie spéciale pour toute une "
                             "campagne.")
    return chosen


# ---------------------------------------------------------------------------------------------- catchments

class _Catchment:
    __slots__ = ("branch", "name", "areas", "farthest", "population", "radius_km", "covering_km", "_location")

    def __init__(self, branch: Branch, areas: list[Area], farthest: list[float], population: int | None = None,
                 covering_km: float | None = None):
        self.branch = branch
        self.name = branch.display_name  # asked for by every ad set, note and circle of the catchment
        self.areas = areas
        self.farthest = farthest  # km from the branch to the farthest point of each area
        # the sum and the maximum, when the caller has them already
        self.population = sum(a.population or 0 for a in areas) if population is None else population
        self.covering_km = (max(farthest) if farthest else 0.0) if covering_km is None else covering_km
        # one decimal, rounded up so that the circle still covers the farthest point
        self.radius_km = min(MAX_RADIUS_KM, max(MIN_RADIUS_KM, math.ceil(self.covering_km * 10 - 1e-9) / 10))
        self._location = None

    def location(self) -> Location:
        # one per catchment, shared by the ad sets of every theme; built from valid data, so not re-validated
        if self._location is None:
            self._location = _trusted(Location, {
                "branch_id": self.branch.id, "branch_name": self.name, "lat": self.branch.lat,
                "lon": self.branch.lon, "radius_km": self.radius_km, "population": self.population,
                "area_codes": [a.code for a in self.areas]})
        return self._location


def _catchments(network: list[Branch], scope_branches: list[Branch], scope_areas: list[Area]
                ) -> tuple[list[_Catchment], list[OutsideArea]]:
    """Every area to its nearest branch, in numpy: the areas sorted by (branch id, area code), then each
    branch's run of rows makes its catchment (population and covering distance summed per run)."""
    if not scope_areas:
        return [], []
    index = BranchIndex.of(network)
    # the nearest branch of every area at once (what `territory.assign` finds, without its table of names)
    nearest, nearest_km = index.nearest_first(np.array([a.lat for a in scope_areas], dtype=float),
                                              np.array([a.lon for a in scope_areas], dtype=float))
    branch_ids = np.array([b.id for b in network], dtype=object)[nearest]
    # a point area's farthest point is the point itself, whose distance the assignment already has
    far = nearest_km.copy()
    by_id = {b.id: b for b in network}
    for i, area in enumerate(scope_areas):
        if area.geometry is not None:
            far[i] = farthest_point_km(by_id[branch_ids[i]], area)
    codes = np.array([a.code for a in scope_areas], dtype=object)
    population = np.array([a.population or 0 for a in scope_areas], dtype=np.int64)
    order = np.lexsort((codes.astype(str), branch_ids.astype(str)))  # stable, as sorting by code per branch
    ids = branch_ids[order]
    starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
    ends = np.r_[starts[1:], len(order)]
    people = np.add.reduceat(population[order], starts).tolist()
    covering = np.maximum.reduceat(far[order], starts).tolist()
    runs = {bid: k for k, bid in enumerate(ids[starts].tolist())}
    order_list, far_list = order.tolist(), far.tolist()
    catchments, outside = [], []
    for branch in sorted(scope_branches, key=lambda b: b.id):
        k = runs.get(branch.id)
        if k is None or people[k] <= 0:
            continue
        rows = order_list[starts[k]:ends[k]]
        c = _Catchment(branch, [scope_areas[i] for i in rows], [far_list[i] for i in rows], people[k], covering[k])
        catchments.append(c)
        if covering[k] > MAX_RADIUS_KM:
            for area, km in zip(c.areas, c.farthest, strict=True):
                if km > MAX_RADIUS_KM:
                    outside.append(OutsideArea(area_code=area.code, area_name=area.name, branch_id=branch.id,
                                               branch_name=c.name, farthest_km=round(km, 1),
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
    population = [c.population for c in catchments]
    if n <= 1 or min(population) >= threshold_population:
        return [[c] for c in catchments]
    root_of = list(range(n))  # every catchment's group, relabelled when its group joins another
    members = {i: [i] for i in range(n)}
    points = unit_vectors([c.branch.lat for c in catchments], [c.branch.lon for c in catchments])
    tree = cKDTree(points)
    # every catchment's nearest neighbours, found once for all (vectorised): most merges need only these
    near_km, near_idx = (np.atleast_2d(a) for a in tree.query(points, k=min(n, NEIGHBOURS)))
    look = _Neighbours(tree, points, (near_km, near_idx), root_of, members, population, threshold_population)
    # the heap holds one int per entry, population × n + the catchment's rank by branch id: the order of
    # (population, branch id) that decides which group merges first, compared as ints rather than tuples
    by_id = sorted(range(n), key=lambda i: catchments[i].branch.id)
    rank = [0] * n
    for r, i in enumerate(by_id):
        rank[i] = r
    heap = [population[i] * n + rank[i] for i in range(n)]
    heapq.heapify(heap)
    pop_entry, push = heapq.heappop, heapq.heappush
    groups = n
    while heap and groups > 1:
        pop, r = divmod(pop_entry(heap), n)
        i = by_id[r]
        if root_of[i] != i or pop != population[i]:
            continue  # stale entry
        if pop >= threshold_population:
            break
        own = members[i]
        # a lone catchment (most merges) reads its row as lists: cheaper than the whole table made lists
        target = look.lone(i, near_km[i].tolist(), near_idx[i].tolist()) if len(own) == 1 else look.group(own, i)
        if target is None:
            continue  # every neighbour is at Meta's location cap: left as is, the plan will say so
        keep, gone = target, i  # the root does not matter: the ad set's lead is its most populated branch
        for j in members[gone]:
            root_of[j] = keep
        members[keep] = members[keep] + members.pop(gone)
        population[keep] += population[gone]
        groups -= 1
        push(heap, population[keep] * n + rank[keep])
    roots = sorted({root_of[i] for i in range(n)})
    return [[catchments[j] for j in sorted(members[r], key=rank.__getitem__)] for r in roots]


NEIGHBOURS = 12  # neighbours looked up at once for every catchment before merging
SMALL_NEIGHBOUR_DETOUR = 2.0  # a small neighbour is preferred when at most this many times farther


class _Neighbours:
    """Which group a group below the threshold joins (see `_merge_small`), within Meta's location cap."""

    __slots__ = ("tree", "points", "near", "root_of", "members", "population", "threshold", "width", "n")

    def __init__(self, tree, points, near, root_of, members, population, threshold):
        self.tree, self.points, self.near = tree, points, near
        self.root_of, self.members, self.population, self.threshold = root_of, members, population, threshold
        self.width, self.n = near[1].shape[1], len(root_of)

    def lone(self, own: int, dist: list[float], idx: list[int]) -> int | None:
        """For a catchment alone in its group: its neighbours come from the tree nearest first."""
        found = self._choose(own, 1, dist, idx, range(len(dist)), self.width)
        return found if found is not _WIDER else self.group([own], own, min(self.n, self.width * 4))

    def group(self, own_members: list[int], own_root: int, k: int | None = None) -> int | None:
        """Root of the group to merge with, the neighbours of all the group's catchments put nearest first
        (a stable sort: equal distances keep the order of the members and of each one's neighbours); the
        search widens while none of them is another group with room."""
        k = k or self.width
        while True:
            if k == self.width:
                dist, idx = self.near[0][own_members].ravel(), self.near[1][own_members].ravel()
            else:
                d2, i2 = self.tree.query(self.points[own_members], k=k)
                dist, idx = np.atleast_2d(d2).ravel(), np.atleast_2d(i2).ravel()
            positions = np.argsort(dist, kind="stable").tolist()
            found = self._choose(own_root, len(own_members), dist.tolist(), idx.tolist(), positions, k)
            if found is not _WIDER:
                return found
            k = min(self.n, k * 4)

    def _choose(self, own_root: int, size: int, dist: list[float], idx: list[int], positions, k: int):
        """The nearest group with room, or a small one at most SMALL_NEIGHBOUR_DETOUR times farther, among
        these neighbours (each member's `k` nearest); _WIDER when none has room and the network has more."""
        root_of, members, population = self.root_of, self.members, self.population
        nearest = small = None
        for pos in positions:
            root = root_of[idx[pos]]
            if root == own_root or size + len(members[root]) > MAX_LOCATIONS_PER_AD_SET:
                continue
            if nearest is None:
                nearest = (dist[pos], root)
            if population[root] < self.threshold:
                small = (dist[pos], root)
                break
        if small is not None and (nearest is None or small[0] <= SMALL_NEIGHBOUR_DETOUR * nearest[0]):
            return small[1]
        if nearest is not None or k >= self.n:
            return nearest[1] if nearest else None
        return _WIDER


_WIDER = object()  # `_Neighbours._choose`: look farther


def _fit_limit(groups: list[list[_Catchment]], max_groups: int) -> list[list[_Catchment]]:
    """At most `max_groups` groups (the Page's ad limit), each made of neighbouring groups: the groups are
    cut in two along the longer side of their extent, at the point that shares their circles in proportion
    to the number of groups each side gets, until there are as many sides as groups allowed. Balanced by
    circles, so that no group goes past Meta's 200 circles when the territory allows it. O(n log² n)."""
    if len(groups) <= max_groups:
        return groups
    lat = np.array([g[0].branch.lat for g in groups])
    lon = np.array([g[0].branch.lon for g in groups])
    size = np.array([len(g) for g in groups])
    tie = np.argsort([g[0].branch.id for g in groups], kind="stable")  # a stable order for equal positions
    rank = np.empty_like(tie)
    rank[tie] = np.arange(len(tie))
    leaves: list[np.ndarray] = []

    def cut(part: np.ndarray, k: int) -> None:
        if k <= 1 or len(part) <= 1:
            leaves.append(part)
            return
        # a degree of longitude is shorter than one of latitude away from the equator
        scale = math.cos(math.radians(float(lat[part].mean())))
        by_lon = np.ptp(lon[part]) * scale > np.ptp(lat[part])
        major, minor = (lon, lat) if by_lon else (lat, lon)
        order = part[np.lexsort((rank[part], minor[part], major[part]))]
        k_left = k // 2
        running = np.cumsum(size[order])
        at = int(np.searchsorted(running, running[-1] * k_left / k, side="right"))
        at = min(max(at, 1), len(order) - 1)
        cut(order[:at], k_left)
        cut(order[at:], k - k_left)

    cut(np.arange(len(groups)), max_groups)
    return [[c for i in leaf.tolist() for c in groups[i]] for leaf in leaves if len(leaf)]


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

def _network_settings():
    from outreach.settings import load_settings

    return load_settings()


def _summaries(themes, scope_branches, items, events, today, *, cacheable: bool = False):
    if cacheable:  # shipped themes and catalogue, no agenda: the same question gets the same answer
        from outreach.themes.shelves import load_shelf_map

        # the shelf map in force matches too: a map saved on the Thèmes page is a new question
        key = (themes_file_key(), tuple(sorted((k, tuple(v)) for k, v in load_shelf_map().items())),
               tuple(t.id for t in themes), tuple(b.id for b in scope_branches), today)
        if key not in _SHIPPED_SUMMARIES:
            if len(_SHIPPED_SUMMARIES) >= 8:
                _SHIPPED_SUMMARIES.pop(next(iter(_SHIPPED_SUMMARIES)))
            _SHIPPED_SUMMARIES[key] = _compute_summaries(themes, scope_branches, None, None, today)
        return _SHIPPED_SUMMARIES[key]
    return _compute_summaries(themes, scope_branches, items, events, today)


_SHIPPED_SUMMARIES: dict[tuple, dict] = {}  # a few recent answers for the shipped data (app reruns, tests)


def _compute_summaries(themes, scope_branches, items, events, today):
    import outreach.themes as themes_module

    items = themes_module.shipped_catalogue() if items is None else as_items(items)
    # no agenda given, no event: the demonstration agenda never reaches copy (outreach.themes.in_force)
    events = list(events or [])
    # only branches that hold something can have a non-empty summary: the others get an empty one
    # later, which keeps a national plan fast
    holding = held_branches(items) | {e.branch_id for e in events if e.branch_id}
    # the same catalogue, agenda and themes give the same summaries: kept in the cache folder across plans
    return summary_cache.summaries(items, events, list(themes), [b for b in scope_branches if b.id in holding],
                                   today)


def build_plan(campaign: Campaign, *, branches=None, areas=None, themes=None, items=None, events=None,
               today: date | None = None, min_daily_budget_eur: float | None = None, settings=None,
               floor_source: str | None = None) -> Plan:
    """`min_daily_budget_eur`: the account's floor read from Meta for this objective (`floor_source` says
    where from); without it, the settings' offline floor for the campaign's objective."""
    from outreach.settings import min_daily_budget_eur as offline_floor
    from outreach.themes import ad_copy

    settings = settings if settings is not None else _network_settings()

    chosen_themes = _themes(campaign, themes)
    items = as_items(items)  # read twice: summaries, then provenance (a harvested store is never read whole)
    if _mixes_special(chosen_themes) and not _declared_category(campaign):
        return _plan_in_two(campaign, chosen_themes, branches=branches, areas=areas, themes=themes, items=items,
                            events=events, today=today, min_daily_budget_eur=min_daily_budget_eur,
                            settings=settings, floor_source=floor_source)
    campaign, special_notes = _special_category(campaign, chosen_themes)
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
    notes += special_notes
    if campaign.special_ad_categories and special_notes:
        for c in catchments:
            c.radius_km = max(c.radius_km, SPECIAL_MIN_RADIUS_KM)

    days = campaign.period.days
    floor_eur = min_daily_budget_eur if min_daily_budget_eur is not None else \
        offline_floor(settings, campaign.objective)
    min_cents = math.ceil(floor_eur * 100 - 1e-9)
    objective_fr = OBJECTIVE_FR[campaign.objective]
    notes.append(f"Budget quotidien minimal par ensemble de publicités ({objective_fr}) : {min_cents / 100:.2f} €, "
                 + (floor_source or "valeur par défaut des paramètres (sans jeton Meta)") + ".")
    ad_limit = settings.page_ad_limit
    if len(chosen_themes) > ad_limit:
        raise InputError(f"{len(chosen_themes)} thèmes demandent au moins {len(chosen_themes)} publicités, plus que "
                         f"la limite de {ad_limit} publicités de la Page.", where="themes", field="themes",
                         fix="Retirez des thèmes, ou faites plusieurs campagnes successives.")
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
    max_groups = ad_limit // len(chosen_themes)
    if campaign.special_ad_categories and special_notes:
        # no postcode exclusions allowed: the circles of one theme go together, 200 to an ad set, so that
        # nobody sits in two of its ad sets
        max_groups = min(max_groups, math.ceil(len(catchments) / MAX_LOCATIONS_PER_AD_SET))
    floor_groups = _merge_small(catchments, threshold)
    # past the limit, the catchments themselves are shared out (finer than the floor's groups, so that the
    # circles spread evenly); groups that size hold far more people than the floor asks
    groups = floor_groups if len(floor_groups) <= max_groups else _fit_limit([[c] for c in catchments], max_groups)
    # in a special category the merge is for the missing postcode exclusions, not for the Page's ad limit
    merged_for_special = special_notes and len(groups) < len(floor_groups)
    if merged_for_special:
        notes.append(f"{len(catchments)} bassins réunis en {len(groups)} ensemble(s) de publicités : sans exclusion de "
                     "codes postaux, c'est ce qui évite que deux ensembles du thème ciblent les mêmes personnes.")
    crowded = max(len(g) for g in groups)
    if crowded > MAX_LOCATIONS_PER_AD_SET and campaign.geo == "radius":
        raise InputError(
            f"{len(catchments)} bassins en {max_groups} ensembles de publicités par thème ({len(chosen_themes)} "
            f"thème(s), limite de {ad_limit} publicités de la Page) : un ensemble aurait {crowded} cercles, au-delà "
            f"des {MAX_LOCATIONS_PER_AD_SET} que Meta accepte.", where="territory", field="territory",
            fix="Retirez des thèmes, réduisez le territoire, ou passez en codes postaux (geo: postcodes).")
    merged = [g for g in groups if len(g) > 1]
    if merged and not merged_for_special:
        why = (f"pour que chacun ait au moins {min_cents / 100:.2f} € par jour" if len(floor_groups) <= max_groups
               else
               f"pour que chacun ait au moins {min_cents / 100:.2f} € par jour et que la campagne tienne dans la "
               f"limite de {ad_limit} publicités de la Page ({max_groups} par thème)")
        notes.append(f"{sum(len(g) for g in merged)} petits bassins regroupés en {len(merged)} ensemble(s) de "
                     f"publicités {why}.")
    if outside:
        notes.append(f"{len(outside)} zone(s) dépassent le rayon maximal de Meta ({MAX_RADIUS_KM:g} km) autour "
                     "de leur bibliothèque : elles ne sont que partiellement couvertes.")

    summaries = _summaries(chosen_themes, [c.branch for c in catchments], items, events,
                           today or campaign.period.start,
                           cacheable=themes is None and items is None and events is None)
    # the campaign file's identity when it has one: two campaigns whose names slug alike never share statistics
    campaign_slug = campaign.utm_campaign
    ad_sets: list[AdSetPlan] = []
    # the few branches whose catalogue or agenda holds something: an ad set looks its summaries up among those
    # of its catchments only (a national plan's 13,633 catchments, three times, hold a handful)
    holding = {branch_id for _, branch_id in summaries}
    geos = [_Group(g, holding) for g in groups]
    geo_split = None if special_notes else _postcode_split(geos)
    for theme, cents in zip(chosen_themes, theme_cents, strict=True):
        shares = _split_cents(cents, [g.population for g in geos])
        interests = _interests(theme, campaign)
        if min(shares) < min_cents:  # only when Meta's location cap stopped a merge
            notes.append(f"{sum(1 for x in shares if x < min_cents)} ensemble(s) de publicités « {theme.label} » "
                         f"sous le minimum de {min_cents / 100:.2f} € par jour : Meta pourrait les refuser.")
        for g, (geo, share) in enumerate(zip(geos, shares, strict=True)):
            ad_set = _ad_set(campaign, theme, geo, share, interests, summaries, campaign_slug, ad_copy)
            if geo_split is not None:
                ad_set.postcodes, ad_set.excluded_postcodes = geo_split[0][g], geo_split[1][g]
            ad_sets.append(ad_set)
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
    # Meta refuses a link ad without an image: each ad set gets the officer's or a drawn one
    from outreach.visuals import assign_visuals

    assign_visuals(campaign, ad_sets, branch_by_id)
    # a theme that is not only about events is a collection theme: no item means generic copy, said here
    catalogue = _provenance(items)
    if catalogue.demo:
        notes.append("Catalogue : échantillon de démonstration ; les textes n'annoncent aucun nombre de documents. "
                     "Chargez le catalogue de vos bibliothèques pour qu'ils citent ce qu'elles proposent.")
    generic = [a for a in ad_sets if a.generic_copy and not catalogue.demo and
               getattr(_theme_of(chosen_themes, a.theme_id), "kind", "collection") != "event"]
    if generic:
        notes.append(f"{len(generic)} ensemble(s) de publicités sans document du thème dans la bibliothèque : "
                     "texte générique, qui n'annonce aucun chiffre.")
    interests = [i for a in ad_sets for i in a.interests]
    if interests and not any(i.id for i in interests):  # said only when there are interests to resolve
        notes.append("Les identifiants Meta des centres d'intérêt seront résolus à l'envoi à Meta.")
    delivery = Delivery(audience_network=settings.audience_network, frequency_days=settings.frequency_days,
                        frequency_max=settings.frequency_max if campaign.objective == "awareness" else None)
    return Plan(campaign=campaign, ad_sets=ad_sets, outside_areas=outside, notes=notes, days=days,
                daily_budget_eur=sum(a.daily_budget_cents for a in ad_sets) / 100, delivery=delivery,
                catalogue=catalogue)


def _provenance(items) -> CatalogueProvenance:
    """The catalogue behind the copy: the demonstration sample unless the caller gave its own items."""
    from outreach.themes.provenance import provenance_of
    from outreach.themes.samples import shipped_provenance

    return shipped_provenance() if items is None else provenance_of(items)


def _postcode_split(groups: list[_Group]) -> tuple[list[list[str]], list[list[str]]] | None:
    """Per group, the postcodes it alone targets and those its circles must exclude (another group owns
    them), so that no one is in two ad sets of a theme; None for a single group."""
    if len(groups) < 2:
        return None
    from outreach import overlap

    units = overlap.national_units()
    circles = [[(c.branch.lat, c.branch.lon, c.radius_km) for c in g.catchments] for g in groups]
    reached = overlap.inside_each(units, circles)  # the people each group's circles reach, found once
    owner = overlap.owners(units, circles, [g.area_codes for g in groups], reached)
    # a group's postcodes are sorted already (_Group): those it owns keep that order
    owned = [[p for p in g.postcodes if owner.get(p, i) == i] for i, g in enumerate(groups)]
    return owned, overlap.exclusions(units, circles, owner, reached)


def _theme_of(themes, theme_id):
    return next(t for t in themes if t.id == theme_id)


def _mixes_special(themes) -> bool:
    """Themes of a special ad category planned with others: Meta sets the category per campaign, so they go
    into a campaign of their own (outreach.special_split)."""
    return len({getattr(t, "special_ad_category", None) for t in themes}) > 1


# the categories under which Meta restricts targeting (ages, postcodes, radius, detailed targeting);
# FINANCIAL_PRODUCTS_SERVICES is the name Meta now gives CREDIT
TARGETING_RESTRICTED = ("EMPLOYMENT", "HOUSING", "CREDIT", "FINANCIAL_PRODUCTS_SERVICES")


def _declared_category(campaign: Campaign) -> str | None:
    """The campaign file's own special ad category among those that restrict targeting, if it declares one."""
    return next((c for c in campaign.special_ad_categories if c in TARGETING_RESTRICTED), None)


def _special_category(campaign: Campaign, themes) -> tuple[Campaign, list[str]]:
    """A campaign of a theme Meta puts in a special ad category, or one the campaign file marks so itself, under
    that category's rules; the notes say what changed. Called with themes of one category at most (build_plan
    splits the others off when the file declares none)."""
    special = [t for t in themes if getattr(t, "special_ad_category", None)]
    declared = _declared_category(campaign)
    categories = sorted({t.special_ad_category for t in special} | ({declared} if declared else set()))
    if not categories:
        return campaign, []
    if len(categories) > 1:
        raise InputError(f"catégorie spéciale {declared} déclarée pour une campagne dont un thème relève de "
                         f"{', '.join(c for c in categories if c != declared)}.", where="special_ad_categories",
                         field="special_ad_categories",
                         fix="Faites une campagne par catégorie : Meta fixe la catégorie spéciale pour toute une "
                             "campagne.")
    category = categories[0]
    why = f"thème « {special[0].label} »" if special else "déclarée dans le fichier de campagne"
    notes = [f"Catégorie spéciale de publicité {category} ({why}) : campagne marquée "
             f"{category} pour la France, centres d'intérêt retirés (ciblage détaillé restreint), rayons d'au "
             f"moins {SPECIAL_MIN_RADIUS_KM:g} km (15 miles)."]
    changes: dict = {"special_ad_categories": sorted(set(campaign.special_ad_categories) | {category})}
    if (campaign.audience.age_min, campaign.audience.age_max) != (18, 65):
        changes["audience"] = campaign.audience.model_copy(update={"age_min": 18, "age_max": 65})
        notes.append(f"Âges {campaign.audience.age_min}–{campaign.audience.age_max} remplacés par 18–65+ : Meta "
                     f"ne permet pas de les restreindre en catégorie {category}.")
    if campaign.geo == "postcodes":
        changes["geo"] = "radius"
        notes.append(f"Ciblage par codes postaux remplacé par des cercles : Meta l'interdit en catégorie {category}.")
    if campaign.extra_interests:
        changes["extra_interests"] = []
    return campaign.model_copy(update=changes), notes


def _interests(theme, campaign: Campaign) -> list[InterestRef]:
    if _declared_category(campaign):
        return []  # detailed targeting is restricted in a special ad category, for every ad set of its campaign
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


class _Group:
    """What an ad set takes from its catchments whatever its theme: worked out once per group, not per theme."""

    __slots__ = ("catchments", "holders", "lead", "population", "area_codes", "postcodes", "locations",
                 "merged_note")

    def __init__(self, group: list[_Catchment], holding: set[str]):
        self.catchments = group
        self.holders = [c for c in group if c.branch.id in holding]  # the catchments that may have a summary
        # the most populated branch leads (ties: the smallest id), so its circle is the first of the ad set's
        ordered = sorted(group, key=lambda c: (-c.population, c.branch.id))
        self.lead = ordered[0]
        self.population = sum(c.population for c in group)
        areas = [a for c in group for a in c.areas]
        self.area_codes = sorted(a.code for a in areas)
        self.postcodes = sorted({p for a in areas for p in a.postcodes})
        self.locations = [c.location() for c in ordered]
        self.merged_note = ("Regroupe les bassins de : " + ", ".join(c.name for c in group) + ".") \
            if len(group) > 1 else None


def _ad_set(campaign, theme, geo: _Group, cents: int, interests, summaries, campaign_slug, ad_copy) -> AdSetPlan:
    group, lead = geo.catchments, geo.lead
    parts = [p for p in (summaries.get((theme.id, c.branch.id)) for c in geo.holders) if p is not None]
    # the copy names the lead branch and its town; a merged ad set adds « et dans N bibliothèques voisines »
    others = len(group) - 1
    if len(group) == 1:
        copy = ad_copy(theme, lead.branch, parts[0] if parts else None)
    elif not parts:
        copy = ad_copy(theme, lead.branch, None, others=others)
    else:
        # one ad for several branches: it speaks of them together and counts what they hold together
        merged = parts[0].model_copy(update={
            "branch_id": lead.branch.id, "n_items": sum(p.n_items for p in parts),
            "top_items": [i for p in parts for i in p.top_items],
            "next_events": sorted((e for p in parts for e in p.next_events), key=lambda e: (e.start, e.id))})
        copy = ad_copy(theme, lead.branch, merged, others=others)
    ref = f"{slug(theme.id)}--{slug(lead.branch.id)}"
    label = getattr(theme, "label", theme.id)
    others = f" + {len(group) - 1}" if len(group) > 1 else ""
    name = f"{lead.name}{others} | {label} | {campaign.audience.age_min}-{campaign.audience.age_max}"
    notes = [geo.merged_note] if geo.merged_note else []
    if any(p.demo for p in parts):
        notes.append("Catalogue de démonstration : le texte n'annonce aucun nombre de documents.")
    elif copy.generic:
        where = lead.name if len(group) == 1 else "ces bibliothèques"
        notes.append(f"Aucun document « {label} » repéré dans {where} : texte générique.")
    # built from validated parts: skip re-validating tens of thousands of area codes; each ad set its own lists;
    # every field given: pydantic inspects a default factory's signature per call
    return _trusted(AdSetPlan, dict(
        name=name, ref=ref, branch_id=lead.branch.id, branch_name=lead.name, theme_id=theme.id,
        theme_label=label, area_codes=list(geo.area_codes), population=geo.population,
        radius_km=lead.radius_km, daily_budget_eur=cents / 100, interests=interests, copy=copy,
        generic_copy=bool(copy.generic), landing_url=campaign.landing_url_for(lead.branch.id, theme.id),
        url_tags=(f"utm_source={UTM_SOURCE}&utm_medium={UTM_MEDIUM}&utm_campaign={campaign_slug}"
                  f"&utm_content={ref}&utm_term={slug(theme.id)}"),
        lat=lead.branch.lat, lon=lead.branch.lon, postcodes=list(geo.postcodes), excluded_postcodes=[],
        locations=list(geo.locations), notes=notes, visual=None))


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
        # the drafted variations are other wordings of the draft: the officer's own text replaces them too
        if "primary_text" in updates:
            updates["other_primary_texts"] = []
        if "headline" in updates:
            updates["other_headlines"] = []
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


# ---------------------------------------------------------------------------------------------- special categories

def _plan_in_two(campaign: Campaign, chosen_themes, *, settings, **kwargs) -> Plan:
    """A campaign file mixing themes of a special ad category with others: the special ones are planned as a
    campaign of their own (under the category's rules), the others as usual, with the budget shared per theme
    as a single plan would, and the Page's ad limit shared between the two; one plan holds both."""
    special_ids = [t.id for t in chosen_themes if getattr(t, "special_ad_category", None)]
    ordinary_ids = [t for t in campaign.themes if t not in special_ids]
    total_cents = round(campaign.budget_eur * 100)
    special_cents = total_cents * len(special_ids) // len(campaign.themes)

    def part(theme_ids: list[str], cents: int) -> Campaign:
        prefixes = tuple(f"{slug(t)}--" for t in theme_ids)
        images = campaign.images.model_copy(update={
            "themes": {k: v for k, v in campaign.images.themes.items() if k in theme_ids},
            "ad_sets": {k: v for k, v in campaign.images.ad_sets.items() if k.startswith(prefixes)}})
        sub = campaign.model_copy(update={
            "themes": theme_ids, "budget_eur": cents / 100, "images": images,
            "copy_overrides": {k: v for k, v in campaign.copy_overrides.items() if k.startswith(prefixes)}})
        return sub.with_source_dir(campaign._source_dir)

    special = build_plan(part(special_ids, special_cents), settings=settings, **kwargs)
    room = settings.page_ad_limit - len(special.ad_sets)
    ordinary = build_plan(part(ordinary_ids, total_cents - special_cents),
                          settings=settings.model_copy(update={"page_ad_limit": max(room, 0)}), **kwargs)
    category = special.campaign.special_ad_categories[0]
    labels = ", ".join(f"« {getattr(t, 'label', t.id)} »" for t in chosen_themes if t.id in special_ids)
    notes = [f"Thème(s) {labels} dans une campagne Meta à part, « {special.campaign.name} — {category} », marquée "
             f"{category} : Meta fixe la catégorie spéciale pour toute une campagne, et les autres thèmes gardent "
             f"leur ciblage. Budget partagé par thème : {special_cents / 100:.2f} € pour celle-ci, "
             f"{(total_cents - special_cents) / 100:.2f} € pour les autres."]
    notes += ordinary.notes + [n for n in special.notes if n not in ordinary.notes]
    order = {t: i for i, t in enumerate(campaign.themes)}
    ad_sets = sorted(ordinary.ad_sets + special.ad_sets, key=lambda a: order[a.theme_id])  # stable within a theme
    return ordinary.model_copy(update={
        "campaign": campaign, "ad_sets": ad_sets, "notes": notes, "special_campaign": special.campaign,
        "daily_budget_eur": round(ordinary.daily_budget_eur + special.daily_budget_eur, 2)})

"""What the checks look at: the campaign (as loaded), its plan, the Meta payloads, and their surroundings.

Every check is a small function over a `CheckContext`. The context accepts the campaign as the pydantic
model of `outreach.campaign` or as a plain mapping of the same keys, the plan as `outreach.planner.Plan` (or
anything with `ad_sets`), and the payloads as the `meta-api.json` dict, so that the same checks run on what
the planner builds and on a payload file edited by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from outreach.compliance.community_facts import QuestionnaireFacts, facts_from_community
from outreach.compliance.sensitive import SensitiveLists, load_lists, normalise
from outreach.elections import single_date
from outreach.settings import NetworkSettings, load_settings
from outreach.themes.catalogue import shipped_themes


def attr(obj: Any, name: str, default: Any = None) -> Any:
    """`obj.name` or `obj[name]`: plans and themes may come as models or as plain data."""
    if obj is None:
        return default
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default)


def as_data(campaign: Any) -> dict:
    if campaign is None:
        return {}
    if hasattr(campaign, "model_dump"):
        return campaign.model_dump(mode="python")
    return dict(campaign)


@dataclass(frozen=True)
class InterestUse:
    name: str
    origin: str  # in French: where the interest comes from


@dataclass
class CheckContext:
    campaign: Any
    plan: Any = None
    payload: dict | None = None
    themes: dict[str, Any] = field(default_factory=dict)
    settings: NetworkSettings = field(default_factory=NetworkSettings)
    questionnaire: QuestionnaireFacts | None = None
    lists: SensitiveLists | None = None
    today: date = field(default_factory=date.today)
    campaign_path: Path | None = None
    data: dict = field(init=False)
    # computed once: a national plan has tens of thousands of ad sets
    _interests: list[InterestUse] | None = field(default=None, init=False, repr=False)
    _groups: dict | None = field(default=None, init=False, repr=False)
    _audiences: list[dict] | None = field(default=None, init=False, repr=False)

    def __post_init__(self):
        self.data = as_data(self.campaign)
        if self.lists is None:
            self.lists = load_lists()

    # --- the campaign -------------------------------------------------------------------------------
    def get(self, path: str, default: Any = None) -> Any:
        value: Any = self.data
        for key in path.split("."):
            if not isinstance(value, dict) or key not in value:
                return default
            value = value[key]
        return value

    @property
    def name(self) -> str:
        return str(self.data.get("name") or (self.campaign_path.stem if self.campaign_path else ""))

    @property
    def theme_ids(self) -> list[str]:
        return list(self.data.get("themes") or [])

    @property
    def election_date(self) -> date | None:
        return self.data.get("election_date") or self.settings.election_date

    @property
    def elections(self) -> list:
        """The network's calendar of general elections, plus the date a campaign file may give."""
        found = self.settings.election_calendar()
        if self.data.get("election_date"):
            found.append(single_date(self.data["election_date"]))
        return found

    def custom_audiences(self) -> list[dict]:
        """Audiences of the campaign file and of the payloads (a hand-edited payload can add some)."""
        if self._audiences is None:
            self._audiences = self._collect_audiences()
        return self._audiences

    def _collect_audiences(self) -> list[dict]:
        found: dict[str, dict] = {}
        for audience in self.data.get("custom_audiences") or []:
            audience = as_data(audience)
            found[str(audience.get("id"))] = {"id": str(audience.get("id")), "name": audience.get("name") or "",
                                              "source": audience.get("source") or "", "origin": "campagne"}
        for ad_set in self.payload_ad_sets():
            for audience in (ad_set.get("targeting") or {}).get("custom_audiences") or []:
                key = str(audience.get("id"))
                found.setdefault(key, {"id": key, "name": audience.get("name") or "", "source": "",
                                       "origin": f"meta-api.json, ensemble « {ad_set.get('name', '?')} »"})
        return list(found.values())

    @property
    def uses_questionnaire(self) -> bool:
        return bool(self.data.get("uses_questionnaire")) or any(
            a["source"].strip().casefold() == "questionnaire" for a in self.custom_audiences())

    # --- interests ----------------------------------------------------------------------------------
    def interests(self) -> list[InterestUse]:
        """Every interest the campaign targets, with where it comes from, in the order met (computed once)."""
        if self._interests is None:
            self._interests = self._collect_interests()
        return self._interests

    def interest_groups(self) -> dict[str, tuple[str, list[str]]]:
        """Interests by name, whatever the case and accents: key → (name as first written, its origins)."""
        if self._groups is None:
            groups: dict[str, tuple[str, dict[str, None]]] = {}  # origins as an ordered set
            for use in self.interests():
                groups.setdefault(" ".join(normalise(use.name)), (use.name, {}))[1][use.origin] = None
            self._groups = {key: (name, list(origins)) for key, (name, origins) in groups.items()}
        return self._groups

    def _collect_interests(self) -> list[InterestUse]:
        uses: list[InterestUse] = []
        for theme_id in self.theme_ids:
            theme = self.themes.get(theme_id)
            if attr(theme, "sensitivity", "none") != "none":
                # the planner never targets a sensitive theme's interests (SEN-01/03 look at the theme itself;
                # the plan and payloads below show it if that ever changes)
                continue
            for interest in attr(theme, "meta_interests", []) or []:
                uses.append(InterestUse(str(attr(interest, "name", interest)), f"thème « {theme_id} »"))
        for name in self.data.get("extra_interests") or []:
            uses.append(InterestUse(str(name), "extra_interests"))
        for ad_set in self.plan_ad_sets():
            for interest in attr(ad_set, "interests", []) or []:
                uses.append(InterestUse(str(attr(interest, "name", interest)),
                                        f"plan, ensemble « {attr(ad_set, 'name', '?')} »"))
        for ad_set in self.payload_ad_sets():
            for name in payload_interest_names(ad_set):
                uses.append(InterestUse(name, f"meta-api.json, ensemble « {ad_set.get('name', '?')} »"))
        return uses

    @property
    def profiled(self) -> bool:
        """Targeting beyond place and age: interests or custom audiences (items BASIS-02, DPIA-01…)."""
        return bool(self.interests() or self.custom_audiences())

    # --- plan and payloads --------------------------------------------------------------------------
    def plan_ad_sets(self) -> list:
        return list(attr(self.plan, "ad_sets", []) or [])

    def payload_ad_sets(self) -> list[dict]:
        return list((self.payload or {}).get("ad_sets") or [])

    def payload_campaign(self) -> dict:
        return dict((self.payload or {}).get("campaign") or {})

    def payload_campaigns(self) -> list[dict]:
        """The main campaign and a special ad category's own one (meta-api.json's special_campaigns)."""
        return [self.payload_campaign(), *[dict(c) for c in (self.payload or {}).get("special_campaigns") or []]]


def payload_interest_names(ad_set: dict) -> list[str]:
    names = []
    targeting = ad_set.get("targeting") or {}
    for spec in targeting.get("flexible_spec") or []:
        for interest in spec.get("interests") or []:
            names.append(str(interest.get("name") or interest.get("id")))
    for interest in targeting.get("interests") or []:  # the older, flat form
        names.append(str(interest.get("name") or interest.get("id")))
    return names


def load_theme_catalogue() -> dict[str, Any]:
    """The themes of data/themes.yaml by id (read again only when the file changes)."""
    return {attr(t, "id"): t for t in shipped_themes()}


def build_context(campaign: Any, plan: Any = None, payload: dict | None = None, *, themes=None,
                  settings: NetworkSettings | None = None, questionnaire: QuestionnaireFacts | None = None,
                  today: date | None = None, campaign_path: str | Path | None = None) -> CheckContext:
    settings = settings if settings is not None else load_settings()
    if themes is None:
        themes = load_theme_catalogue()
    elif not isinstance(themes, dict):
        themes = {attr(t, "id"): t for t in themes}
    ctx = CheckContext(campaign=campaign, plan=plan, payload=payload, themes=themes, settings=settings,
                       questionnaire=questionnaire, today=today or date.today(),
                       campaign_path=Path(campaign_path) if campaign_path else None)
    if ctx.questionnaire is None and ctx.uses_questionnaire:
        # read only when needed: a campaign without the questionnaire does not depend on its settings
        ctx.questionnaire = facts_from_community(settings)
    return ctx

"""The plan a campaign's results belong to, read back from the directory `outreach plan` wrote.

`plan.csv` says which branch, theme and areas each ad set stands for; `meta-api.json` gives the campaign
and ad set names and the `ref` of every object; `meta-ids.json` (after `outreach push`) maps each `ref` to
the id Meta created. A result row is linked to its planned ad set by Meta id when it has one, otherwise by
ad set name (within its campaign when the name is used by several plans).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from outreach.bounds import parse_json
from outreach.errors import InputError
from outreach.sources.tabular import parse_float, read_table

PLAN_COLUMNS = ("adset_name", "branch_id", "branch_name", "theme_id", "areas", "population", "radius_km",
                "daily_budget_eur")


@dataclass(frozen=True)
class PlannedAdSet:
    name: str
    branch_id: str
    branch_name: str
    theme_id: str
    areas: tuple[str, ...]
    population: int | None = None
    radius_km: float | None = None
    daily_budget_eur: float | None = None
    ref: str = ""
    meta_id: str = ""


@dataclass
class PlanLink:
    directory: str
    campaign_name: str
    ad_sets: list[PlannedAdSet]
    campaign_ref: str = ""
    campaign_meta_id: str = ""
    start_date: str | None = None  # ISO day the first ad set starts, when the payloads say so
    end_date: str | None = None
    notes: list[str] = field(default_factory=list)


def _split_areas(value: str) -> tuple[str, ...]:
    """INSEE codes as `outreach plan` joins them (spaces), or by ";", "|" or "," in a hand-made file."""
    return tuple(sorted({p for p in re.split(r"[\s;|,]+", value) if p}))


def _load_json(path: Path) -> dict:
    try:
        data = parse_json(path.read_text(encoding="utf-8"), str(path), fix="Régénérez le plan avec « outreach plan ».")
    except UnicodeDecodeError as exc:  # re-saved by an editor in another encoding
        raise InputError(f"le fichier n'est pas en UTF-8 (octet {exc.start}).", file=path,
                         fix="Enregistrez-le en UTF-8, ou régénérez le plan avec « outreach plan ».") from exc
    if not isinstance(data, dict):
        raise InputError("le fichier ne contient pas un objet JSON.", file=path,
                         fix="Régénérez le plan avec « outreach plan ».")
    return data


def _day(value) -> str | None:
    if not isinstance(value, str) or len(value) < 10:
        return None
    return value[:10]


def read_plan_dir(directory: str | Path) -> PlanLink:
    """Read a plan directory; raise an InputError naming the file when it is not one."""
    directory = Path(directory)
    if not directory.is_dir():
        raise InputError("dossier de plan introuvable.", file=directory,
                         fix="Donnez le dossier écrit par « outreach plan CAMPAGNE.yaml --out DOSSIER ».")
    plan_csv = directory / "plan.csv"
    if not plan_csv.exists():
        raise InputError("ce dossier ne contient pas de plan.csv.", file=directory,
                         fix="Donnez le dossier écrit par « outreach plan CAMPAGNE.yaml --out DOSSIER ».")
    table = read_table(plan_csv)
    table.require(*PLAN_COLUMNS, fix="Régénérez le plan avec « outreach plan ».")

    payloads = _load_json(directory / "meta-api.json") if (directory / "meta-api.json").exists() else {}
    ids = _load_json(directory / "meta-ids.json") if (directory / "meta-ids.json").exists() else {}
    ids = {str(k): str(v) for k, v in ids.items() if v not in (None, "")}
    campaign = payloads.get("campaign") or {}
    refs = {a.get("name"): a.get("ref", "") for a in payloads.get("ad_sets", []) if isinstance(a, dict)}
    starts = [d for a in payloads.get("ad_sets", []) if isinstance(a, dict) and (d := _day(a.get("start_time")))]
    ends = [d for a in payloads.get("ad_sets", []) if isinstance(a, dict) and (d := _day(a.get("end_time")))]

    ad_sets: list[PlannedAdSet] = []
    seen: set[str] = set()
    for i, row in enumerate(table.frame.to_dict("records")):
        name = row["adset_name"]
        if not name:
            raise InputError("nom d'ensemble de publicités vide.", file=plan_csv, where=table.row_label(i),
                             fix="Régénérez le plan avec « outreach plan ».")
        if name in seen:
            raise InputError(f"l'ensemble « {name} » apparaît deux fois.", file=plan_csv, where=table.row_label(i),
                             fix="Chaque ensemble de publicités doit avoir un nom unique : régénérez le plan.")
        seen.add(name)
        population = parse_float(row["population"])
        ref = refs.get(name, "")
        ad_sets.append(PlannedAdSet(
            name=name, branch_id=row["branch_id"], branch_name=row["branch_name"], theme_id=row["theme_id"],
            areas=_split_areas(row["areas"]), population=int(population) if population is not None else None,
            radius_km=parse_float(row["radius_km"]), daily_budget_eur=parse_float(row["daily_budget_eur"]),
            ref=ref, meta_id=ids.get(ref, "") if ref else ""))
    campaign_name = str(campaign.get("name") or directory.name)
    notes = []
    if not payloads:
        notes.append(f"{directory} : pas de meta-api.json : la campagne est nommée d'après le dossier "
                     f"(« {campaign_name} ») et les résultats sont rattachés par nom d'ensemble.")
    campaign_ref = str(campaign.get("ref", ""))
    return PlanLink(directory=str(directory), campaign_name=campaign_name, ad_sets=ad_sets, campaign_ref=campaign_ref,
                    campaign_meta_id=ids.get(campaign_ref, "") if campaign_ref else "",
                    start_date=min(starts) if starts else None, end_date=max(ends) if ends else None, notes=notes)


# ---------------------------------------------------------------------------------------------- linking


@dataclass
class LinkIndex:
    """Lookups from what a result row carries to the key of a planned ad set or campaign.

    Keys are whatever the caller uses to name planned objects (the store uses its row ids).
    """

    adset_by_id: dict[str, object] = field(default_factory=dict)
    adset_by_name: dict[str, object] = field(default_factory=dict)  # only names used by one plan
    adset_by_campaign_and_name: dict[tuple[str, str], object] = field(default_factory=dict)
    campaign_by_id: dict[str, object] = field(default_factory=dict)
    campaign_by_name: dict[str, object] = field(default_factory=dict)

    def add_campaign(self, key, name: str, meta_id: str = "") -> None:
        if meta_id:
            self.campaign_by_id[meta_id] = key
        self.campaign_by_name[_norm(name)] = key

    def add_adset(self, key, campaign_name: str, name: str, meta_id: str = "") -> None:
        if meta_id:
            self.adset_by_id[meta_id] = key
        self.adset_by_campaign_and_name[(_norm(campaign_name), _norm(name))] = key
        n = _norm(name)
        self.adset_by_name[n] = None if n in self.adset_by_name and self.adset_by_name[n] != key else key

    def adset(self, adset_id: str, campaign_name: str, name: str):
        if adset_id and adset_id in self.adset_by_id:
            return self.adset_by_id[adset_id]
        found = self.adset_by_campaign_and_name.get((_norm(campaign_name), _norm(name)))
        return found if found is not None else self.adset_by_name.get(_norm(name))

    def campaign(self, campaign_id: str, name: str):
        if campaign_id and campaign_id in self.campaign_by_id:
            return self.campaign_by_id[campaign_id]
        return self.campaign_by_name.get(_norm(name))


def _norm(name: str) -> str:
    # Ads Manager keeps names as typed; spreadsheets sometimes change spacing or case around them
    return " ".join(str(name).split()).casefold()


def link_rows(frame: pd.DataFrame, index: LinkIndex) -> pd.Series:
    """Key of the planned object each row belongs to (None when it matches no plan)."""
    keys = []
    for level, campaign_id, campaign_name, adset_id, adset_name in frame[
            ["level", "campaign_id", "campaign_name", "adset_id", "adset_name"]].itertuples(index=False, name=None):
        if level == "adset":
            keys.append(index.adset(adset_id, campaign_name, adset_name))
        else:
            keys.append(index.campaign(campaign_id, campaign_name))
    return pd.Series(keys, index=frame.index, dtype=object)

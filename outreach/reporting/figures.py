"""What a campaign achieved: reach, impressions, frequency, spend, costs, link clicks and CTR per theme,
branch, area and day, and the library's activity before and after it.

Reach counts people, not impressions: the same person reached on two days, or by two ad sets, is one
person. It therefore never adds up:
- over days: the reach of a whole period comes from a row that covers it (an export "sur la période",
  or Insights without `time_increment`); summing daily reach only gives an upper bound;
- over ad sets: the reach of several ad sets is known only when they are exactly the ad sets of one
  campaign and the campaign's own reach was imported; otherwise the sum is an upper bound.
Every figure of reach carries `reach_exact` and a French `reach_basis` saying which case it is.

Areas are not a Meta breakdown: an ad set targets a radius around its branch that covers several areas,
and its results are shared among them in proportion to their population (an estimate, said so).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from outreach.datasets import national_areas, shipped_areas, shipped_branches
from outreach.errors import InputError
from outreach.reporting.plan_link import read_plan_dir
from outreach.reporting.results_store import ImportSummary, ReportStore
from outreach.sources.ads_reports import read_ads_report
from outreach.text import number

UNMATCHED = "(non rattaché)"
DIMENSIONS = {"theme": "theme_id", "branch": "branch_id", "area": "area_code", "day": "date"}

BASIS_PERIOD = "couverture de la période (exacte)"
BASIS_CAMPAIGN = "couverture de la campagne (exacte, sans double compte)"
BASIS_DAILY_SUM = "somme de couvertures quotidiennes (majorant : une personne touchée plusieurs jours compte plusieurs fois)"
BASIS_ADSET_SUM = "somme des couvertures des ensembles (majorant : une personne touchée par deux ensembles compte deux fois)"
BASIS_AREA = "estimation au prorata de la population des zones ciblées (Meta ne ventile pas par commune)"


# ---------------------------------------------------------------------------------------------- import


@dataclass
class ReadReports:
    """Plans and exports read and checked, not stored yet."""

    plans: list
    reports: list  # (ResultRows, sha256 of the file's bytes)


def read_reports(files: list, plan_dirs: list = ()) -> ReadReports:
    """Read every plan and every export (a path, or (name, bytes) for an upload); raise on the first
    mistake before anything is stored."""
    plans = [read_plan_dir(d) for d in plan_dirs]
    reports = []
    for f in files:
        name, data = (f[0], f[1]) if isinstance(f, tuple) else (str(f), None)
        rows = read_ads_report(name, data=data, name=name)
        raw = data if data is not None else Path(name).read_bytes()
        reports.append((rows, hashlib.sha256(raw).hexdigest()))
    return ReadReports(plans, reports)


def store_reports(store: ReportStore, read: ReadReports) -> list[ImportSummary]:
    for plan in read.plans:
        store.register_plan(plan)
    summaries = []
    for i, (rows, sha) in enumerate(read.reports):
        summary = store.import_rows(rows, sha256=sha)
        if i == 0:
            summary.notes = [*(n for p in read.plans for n in p.notes), *summary.notes]
        summaries.append(summary)
    return summaries


def import_reports(store: ReportStore, files: list, plan_dirs: list = ()) -> list[ImportSummary]:
    """Register the plans, then import each export. Every file is read and checked before anything is
    stored: a mistake in the third file leaves the database as it was."""
    return store_reports(store, read_reports(files, plan_dirs))


# ---------------------------------------------------------------------------------------------- per object


def object_figures(store: ReportStore, plan_ids: list[int] | None = None) -> pd.DataFrame:
    """One row per measured object (ad set or campaign) with its figures over the whole time it ran.

    Whole-period rows give exact reach; daily rows give additive figures over their days. When both
    exist, the widest coverage wins for the additive figures, and reach is exact only if a period row
    covers every day seen.
    """
    daily = store.daily_totals(plan_ids)
    period = store.period_rows(plan_ids)
    columns = ["object_key", "level", "plan_adset_id", "plan_id", "campaign_name", "adset_name", "start", "stop",
               "reach", "reach_exact", "reach_basis", "impressions", "spend", "link_clicks", "clicks"]
    if daily.empty and period.empty:
        return pd.DataFrame(columns=columns)
    ident = ["object_key", "level", "plan_adset_id", "plan_id", "campaign_name", "adset_name"]
    metrics = ["reach", "impressions", "spend", "link_clicks", "clicks"]
    if not period.empty:  # the widest period row of each object, the latest when two are as wide
        span = (pd.to_datetime(period["date_stop"]) - pd.to_datetime(period["date_start"])).dt.days
        period = period.assign(span=span).sort_values(["span", "date_stop", "batch_id"], ascending=False) \
            .drop_duplicates("object_key")
    p = period.set_index("object_key") if not period.empty else pd.DataFrame(columns=[*ident[1:], "date_start",
                                                                                      "date_stop", *metrics])
    d = daily.set_index("object_key") if not daily.empty else pd.DataFrame(columns=[*ident[1:], "days", "first_day",
                                                                                     "last_day", "reach_sum",
                                                                                     *metrics[1:]])
    keys = sorted(set(p.index) | set(d.index))
    p, d = p.reindex(keys), d.reindex(keys)
    has_p, has_d = p["date_start"].notna().to_numpy(), d["days"].notna().to_numpy()
    covers = has_p & (~has_d | ((p["date_start"].fillna("9") <= d["first_day"].fillna("0"))
                                & (p["date_stop"].fillna("0") >= d["last_day"].fillna("9"))).to_numpy())
    single_day = has_d & (d["days"].fillna(0).to_numpy() == 1)
    frame = pd.DataFrame({"object_key": keys})
    for c in ident[1:]:
        frame[c] = np.where(has_p, p[c].to_numpy(dtype=object), d[c].to_numpy(dtype=object))
    frame["start"] = np.where(covers, p["date_start"].to_numpy(dtype=object), d["first_day"].to_numpy(dtype=object))
    frame["stop"] = np.where(covers, p["date_stop"].to_numpy(dtype=object), d["last_day"].to_numpy(dtype=object))
    frame["reach"] = np.where(covers, p["reach"].to_numpy(dtype=float), d["reach_sum"].to_numpy(dtype=float))
    frame["reach_exact"] = covers | single_day
    frame["reach_basis"] = np.where(covers | single_day, BASIS_PERIOD, BASIS_DAILY_SUM)
    for c in metrics[1:]:
        frame[c] = np.where(covers, p[c].to_numpy(dtype=float), d[c].to_numpy(dtype=float))
    for c in ("plan_adset_id", "plan_id"):
        frame[c] = pd.to_numeric(frame[c]).astype("Int64")
    return frame[columns]


# ---------------------------------------------------------------------------------------------- tables


@dataclass
class ReachTable:
    """Figures per key of one dimension, with a total row and what the user must know about them."""

    by: str
    frame: pd.DataFrame  # key, label, reach, reach_exact, reach_basis, impressions, frequency, spend, cpm, …
    total: dict
    notes: list[str] = field(default_factory=list)

    @property
    def key_column(self) -> str:
        return DIMENSIONS[self.by]


def _derive(frame: pd.DataFrame) -> pd.DataFrame:
    reach = frame["reach"].astype(float)
    imp = frame["impressions"].astype(float)
    spend = frame["spend"].astype(float)
    clicks = pd.to_numeric(frame["link_clicks"], errors="coerce").astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        frame["frequency"] = np.where(reach > 0, imp / reach, np.nan)
        frame["cpm"] = np.where(imp > 0, spend / imp * 1000, np.nan)
        frame["cost_per_1000_reached"] = np.where(reach > 0, spend / reach * 1000, np.nan)
        frame["ctr"] = np.where(imp > 0, clicks / imp * 100, np.nan)
    return frame


def _campaign_reach(objects: pd.DataFrame) -> dict[int, dict]:
    """plan id → the campaign-level figures of its campaign, when imported."""
    camp = objects[(objects["level"] == "campaign") & objects["plan_id"].notna()]
    return {int(r["plan_id"]): r for r in camp.to_dict("records")}


def _group_reach(members: pd.DataFrame, adsets_per_plan: dict[int, set], campaigns: dict[int, dict]
                 ) -> tuple[float, bool, str]:
    """Reach of a group of ad set objects (weights already applied for areas)."""
    if len(members) == 1:
        row = members.iloc[0]
        return float(row["reach"]), bool(row["reach_exact"]), str(row["reach_basis"])
    plan_ids = set(members["plan_id"].dropna().astype(int))
    whole_campaign = (len(plan_ids) == 1 and members["plan_id"].notna().all()
                      and set(members["object_key"]) == adsets_per_plan.get(next(iter(plan_ids)), set()))
    if whole_campaign:
        camp = campaigns.get(next(iter(plan_ids)))
        if camp is not None and camp["reach_exact"] and camp["start"] <= members["start"].min() \
                and camp["stop"] >= members["stop"].max():
            return float(camp["reach"]), True, BASIS_CAMPAIGN
    return float(members["reach"].sum()), False, BASIS_ADSET_SUM


def _area_weights(areas: pd.DataFrame) -> pd.DataFrame:
    """(plan_adset_id, area_code, weight): the population share of each area in its ad set's target."""
    population = {a.code: a.population for a in shipped_areas()}
    names = {a.code: a.name for a in shipped_areas()}
    missing = set(areas["area_code"]) - set(population)
    if missing:
        for a in national_areas():
            if a.code in missing:
                population[a.code], names[a.code] = a.population, a.name
    areas = areas.assign(population=areas["area_code"].map(lambda c: population.get(c) or 0).astype(float),
                         label=areas["area_code"].map(lambda c: names.get(c, c)))
    total = areas.groupby("plan_adset_id")["population"].transform("sum")
    count = areas.groupby("plan_adset_id")["area_code"].transform("count")
    # an ad set whose areas have no known population is shared equally
    areas["weight"] = np.where(total > 0, areas["population"] / total.where(total > 0, 1), 1.0 / count)
    return areas


def reach_table(store: ReportStore, by: str, plan_ids: list[int] | None = None) -> ReachTable:
    if by not in DIMENSIONS:
        raise InputError(f"regroupement « {by} » inconnu.", field="by",
                         fix="Choisissez theme, branch, area ou day.")
    if by == "day":
        return day_table(store, plan_ids)
    objects = object_figures(store, plan_ids)
    if objects.empty:
        empty = pd.DataFrame(columns=["key", "label", "reach", "reach_exact", "reach_basis", "impressions", "spend",
                                      "link_clicks", "ad_sets", "start", "stop"])
        return ReachTable(by, _derive(empty), {}, ["Aucun résultat importé : importez un export du Gestionnaire de "
                                                   "publicités ou les résultats lus chez Meta."])
    adsets = objects[objects["level"] == "adset"].copy()
    planned = store.planned_adsets()
    adsets = adsets.merge(planned[["plan_adset_id", "branch_id", "branch_name", "theme_id"]], how="left",
                          on="plan_adset_id")
    adsets_per_plan = adsets[adsets["plan_id"].notna()].groupby(adsets["plan_id"].astype("float")) \
        ["object_key"].agg(set)
    adsets_per_plan = {int(k): v for k, v in adsets_per_plan.items()}
    campaigns = _campaign_reach(objects)
    notes: list[str] = []

    if by == "area":
        weights = _area_weights(store.planned_areas())
        linked = adsets[adsets["plan_adset_id"].notna()].merge(weights, on="plan_adset_id", how="left")
        no_area = linked["area_code"].isna()
        if no_area.any():
            notes.append(f"{int(no_area.sum())} ensemble(s) sans zone dans le plan : comptés à part.")
        linked["area_code"] = linked["area_code"].fillna(UNMATCHED)
        linked["label"] = linked["label"].fillna(UNMATCHED)
        linked["weight"] = linked["weight"].fillna(1.0)
        for c in ("reach", "impressions", "spend", "link_clicks", "clicks"):
            linked[c] = pd.to_numeric(linked[c], errors="coerce") * linked["weight"]
        unmatched = adsets[adsets["plan_adset_id"].isna()].assign(area_code=UNMATCHED, label=UNMATCHED)
        members = pd.concat([linked, unmatched], ignore_index=True)
        key, label = "area_code", "label"
        notes.append("Par zone : " + BASIS_AREA + ".")
    else:
        key = "theme_id" if by == "theme" else "branch_id"
        label = "theme_id" if by == "theme" else "branch_name"
        members = adsets.copy()
        members[key] = members[key].fillna(UNMATCHED)
        members[label] = members[label].fillna(UNMATCHED)

    frame = _grouped(members, key, label, by == "area", adsets_per_plan, campaigns)
    # unmatched rows last, the rest by decreasing reach
    frame = frame.assign(_u=frame["key"] == UNMATCHED).sort_values(["_u", "reach"], ascending=[True, False]) \
        .drop(columns="_u").reset_index(drop=True)
    frame = _derive(frame)
    if by == "area":
        shared = int(((frame["key"] != UNMATCHED) & (frame["ad_sets"] > 1)).sum())
        if shared:  # shares of several ad sets are added: the same person may be counted in two of them
            notes.append(f"{shared} zone(s) ciblée(s) par plusieurs ensembles : leur couverture additionne la part "
                         f"de chacun ({BASIS_ADSET_SUM}).")
    total = _total(adsets, objects, adsets_per_plan, campaigns)
    if (frame["key"] == UNMATCHED).any():
        n = int(frame.loc[frame["key"] == UNMATCHED, "ad_sets"].iloc[0])
        notes.append(f"{n} ensemble(s) de publicités ne correspondent à aucun plan : ils sont comptés dans "
                     f"« {UNMATCHED} ». Importez le plan de leur campagne (--plan) pour les rattacher.")
    if not frame["reach_exact"].all() and by != "area":
        inexact = frame.loc[~frame["reach_exact"], "reach_basis"].unique().tolist()
        notes += [f"Couverture marquée ≤ : {b}." for b in inexact]
    if adsets.empty and not objects.empty:
        notes.append("Aucun résultat par ensemble de publicités : seuls des totaux de campagne ont été importés. "
                     "Exportez le rapport depuis l'onglet « Ensembles de publicités ».")
    return ReachTable(by=by, frame=frame, total=total, notes=notes)


def _grouped(members: pd.DataFrame, key: str, label: str, estimate: bool, adsets_per_plan: dict[int, set],
             campaigns: dict[int, dict]) -> pd.DataFrame:
    """Sums per key, vectorised (a thousand branches in milliseconds); reach by the rules of
    `_group_reach`, which only runs for the groups where a campaign's own reach could apply."""
    m = members.assign(link_clicks=pd.to_numeric(members["link_clicks"], errors="coerce"),
                       _plan=members["plan_id"].astype("Float64"))
    g = m.groupby(key, sort=True)
    frame = pd.DataFrame({
        "label": g[label].first(), "reach": g["reach"].sum().astype(float),
        "impressions": g["impressions"].sum().astype(float), "spend": g["spend"].sum().astype(float),
        "link_clicks": g["link_clicks"].sum(min_count=1).astype(float), "ad_sets": g["object_key"].nunique(),
        "start": g["start"].min(), "stop": g["stop"].max(), "_n": g.size(), "_plans": g["_plan"].nunique(),
        "_linked": g["_plan"].count(), "_first_plan": g["_plan"].first(),
    })
    frame.index.name = "key"
    frame = frame.reset_index()
    if estimate:
        frame["reach_exact"] = False
        frame["reach_basis"] = BASIS_AREA
        unmatched = frame["key"] == UNMATCHED
        if unmatched.any():  # ad sets without a plan are not shared among areas: their own rules apply
            part = m[m[key] == UNMATCHED]
            reach, exact, basis = _group_reach(part, adsets_per_plan, campaigns)
            frame.loc[unmatched, ["reach", "reach_exact", "reach_basis"]] = [reach, exact, basis]
    else:
        single = (frame["_n"] == 1).to_numpy()
        firsts = g[["reach_exact", "reach_basis"]].first().reset_index(drop=True)
        frame["reach_exact"] = np.where(single, firsts["reach_exact"].astype(bool), False)
        frame["reach_basis"] = np.where(single, firsts["reach_basis"], BASIS_ADSET_SUM)
        # a whole campaign in one group: its own, de-duplicated reach may apply
        sizes = {p: len(v) for p, v in adsets_per_plan.items()}
        plan_size = frame["_first_plan"].map(lambda p: sizes.get(int(p), -1) if pd.notna(p) else -1)
        maybe = (~single) & (frame["_plans"] == 1).to_numpy() & (frame["_linked"] == frame["_n"]).to_numpy() \
            & (frame["_n"] == plan_size).to_numpy()
        for i in np.flatnonzero(maybe):
            part = m[m[key] == frame.at[i, "key"]]
            reach, exact, basis = _group_reach(part, adsets_per_plan, campaigns)
            frame.loc[i, ["reach", "reach_exact", "reach_basis"]] = [reach, exact, basis]
    frame["reach_exact"] = frame["reach_exact"].astype(bool)
    return frame[["key", "label", "reach", "reach_exact", "reach_basis", "impressions", "spend", "link_clicks",
                  "ad_sets", "start", "stop"]]


def _total(adsets: pd.DataFrame, objects: pd.DataFrame, adsets_per_plan, campaigns) -> dict:
    if adsets.empty:
        camp = objects[objects["level"] == "campaign"]
        source = camp if not camp.empty else adsets
        reach, exact = float(source["reach"].sum()), bool(len(source) == 1 and source["reach_exact"].all())
        basis = BASIS_CAMPAIGN if exact else BASIS_ADSET_SUM
    else:
        source = adsets
        plan_ids = adsets["plan_id"].dropna().astype(int).unique().tolist()
        if len(plan_ids) > 1 and adsets["plan_id"].notna().all():
            # several campaigns: each campaign's reach is exact at best, their sum is not
            parts = [_group_reach(adsets[adsets["plan_id"] == p], adsets_per_plan, campaigns) for p in plan_ids]
            reach, exact, basis = sum(p[0] for p in parts), False, BASIS_ADSET_SUM
        else:
            reach, exact, basis = _group_reach(adsets, adsets_per_plan, campaigns)
    total = {"reach": reach, "reach_exact": exact, "reach_basis": basis,
             "impressions": float(source["impressions"].sum()) if len(source) else 0.0,
             "spend": float(source["spend"].sum()) if len(source) else 0.0,
             "link_clicks": float(pd.to_numeric(source["link_clicks"], errors="coerce").sum(min_count=1))
             if len(source) else float("nan"),
             "start": source["start"].min() if len(source) else None,
             "stop": source["stop"].max() if len(source) else None}
    return _derive(pd.DataFrame([total])).iloc[0].to_dict()


def day_table(store: ReportStore, plan_ids: list[int] | None = None) -> ReachTable:
    """Per day, from daily rows: additive sums of the ad sets; reach from the campaign's daily row when a
    single campaign is concerned and it was imported, else the sum of the ad sets' daily reach."""
    rows = store.daily_rows_by_day(plan_ids)
    notes = []
    if rows.empty:
        empty = pd.DataFrame(columns=["key", "label", "reach", "reach_exact", "reach_basis", "impressions", "spend",
                                      "link_clicks", "ad_sets", "start", "stop"])
        notes.append("Aucune ligne quotidienne : exportez le rapport avec la ventilation « Jour ».")
        return ReachTable("day", _derive(empty), {}, notes)
    rows["plan_key"] = rows["plan_id"].map(lambda v: -1 if pd.isna(v) else int(v))
    adset = rows[rows["level"] == "adset"]
    camp = rows[rows["level"] == "campaign"].set_index(["plan_key", "day"])
    out = []
    for day, group in adset.groupby("day", sort=True):
        reach, exact = 0.0, len(group) == 1
        for plan_key, part in group.groupby("plan_key"):
            if plan_key != -1 and (plan_key, day) in camp.index:
                reach += float(camp.loc[(plan_key, day), "reach"])
            else:
                reach += float(part["reach"].sum())
                exact = exact and int(part["objects"].sum()) == 1
        basis = BASIS_CAMPAIGN if exact and len(group) == 1 and group["plan_key"].iloc[0] != -1 \
            and (group["plan_key"].iloc[0], day) in camp.index else (BASIS_PERIOD if exact else BASIS_ADSET_SUM)
        known = int(group["link_clicks_known"].sum())
        out.append({"key": day, "label": day, "reach": reach, "reach_exact": exact, "reach_basis": basis,
                    "impressions": float(group["impressions"].sum()), "spend": float(group["spend"].sum()),
                    "link_clicks": float(group["link_clicks"].sum()) if known else float("nan"),
                    "ad_sets": int(group["objects"].sum()), "start": day, "stop": day})
    frame = _derive(pd.DataFrame(out))
    if not frame["reach_exact"].all():
        notes.append(f"Couverture marquée ≤ : {BASIS_ADSET_SUM}.")
    return ReachTable("day", frame, {}, notes)


# ---------------------------------------------------------------------------------------------- outputs

CSV_COLUMNS = ["reach", "impressions", "spend_eur", "cpm_eur", "link_clicks", "ctr"]


def to_csv_frame(table: ReachTable) -> pd.DataFrame:
    """The CLI's CSV: key column, then reach,impressions,spend_eur,cpm_eur,link_clicks,ctr (CTR in %)."""
    f = table.frame
    out = pd.DataFrame({
        table.key_column: f["key"],
        "reach": f["reach"].round().astype("int64"),
        "impressions": f["impressions"].round().astype("int64"),
        "spend_eur": f["spend"].round(2),
        "cpm_eur": f["cpm"].round(2),
        "link_clicks": pd.to_numeric(f["link_clicks"], errors="coerce").round().astype("Int64"),
        "ctr": f["ctr"].round(2),
    })
    return out


def reach_mark(r) -> str:
    """"" for an exact reach, "≈ " for an estimate shared among areas, "≤ " for an upper bound."""
    if r["reach_exact"]:
        return ""
    return "≈ " if r["reach_basis"] == BASIS_AREA else "≤ "


def reach_shown(r) -> str:
    """A row's reach as the user reads it: French digits after its mark ("≤ 12 345")."""
    return reach_mark(r) + number(r["reach"])


HEADINGS = {"theme": "Thème", "branch": "Bibliothèque", "area": "Zone", "day": "Jour"}


def to_markdown(table: ReachTable) -> str:
    """A French Markdown table, reach prefixed with ≤ when it is an upper bound, notes below."""
    head = [HEADINGS[table.by], "Couverture", "Impressions", "Répétition", "Dépense (€)", "CPM (€)",
            "Coût / 1 000 pers. (€)", "Clics sur un lien", "CTR (%)"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]

    def row(name, r) -> str:
        reach = reach_shown(r)
        cells = [name, reach, number(r["impressions"]), number(r["frequency"], 2), number(r["spend"], 2),
                 number(r["cpm"], 2), number(r["cost_per_1000_reached"], 2), number(r["link_clicks"]),
                 number(r["ctr"], 2)]
        return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"

    for r in table.frame.to_dict("records"):
        name = r["label"] if r["label"] == r["key"] else f"{r['label']} ({r['key']})"
        lines.append(row(str(name), r))
    if table.total:
        lines.append(row("**Total**", table.total))
    text = "\n".join(lines) + "\n"
    notes = list(table.notes)
    if table.total and table.by != "day":
        notes.append(f"Total : {table.total['reach_basis']}.")
    if notes:
        text += "\n" + "\n".join(f"- {n}" for n in notes) + "\n"
    return text


# ---------------------------------------------------------------------------------------------- outcome

OUTCOME_LABELS = {"registrations": "Inscriptions", "loans": "Prêts", "visits": "Entrées"}
WINDOWS = ("avant", "pendant", "après")


def _month_add(month: str, delta: int) -> str:
    year, m = int(month[:4]), int(month[5:7])
    index = year * 12 + (m - 1) + delta
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


@dataclass
class Outcome:
    """Monthly activity per branch before, during and after the campaign (mean per month)."""

    frame: pd.DataFrame  # branch_id, branch_name, in_campaign, metric, label, avant, pendant, après, change_pct…
    start_month: str
    end_month: str
    months: int
    control: dict  # metric → pooled change (%) of the branches the campaign did not target
    notes: list[str] = field(default_factory=list)


def campaign_period(store: ReportStore, plan_ids: list[int] | None = None) -> tuple[str, str] | None:
    """(first day, last day) of the campaign(s): the plan's dates when known, else those of the results."""
    plans = store.plans()
    if plan_ids is not None:
        plans = plans[plans["id"].isin(plan_ids)]
    starts, ends = plans["start_date"].dropna(), plans["end_date"].dropna()
    if len(starts) and len(ends):
        return str(starts.min()), str(ends.max())
    objects = object_figures(store, plan_ids)
    objects = objects[objects["plan_id"].notna()] if plan_ids is None else objects
    if objects.empty:
        return None
    return str(objects["start"].min()), str(objects["stop"].max())


def outcome(store: ReportStore, months: int = 3, plan_ids: list[int] | None = None) -> Outcome:
    """Before/during/after means of each branch's monthly activity around the campaign period.

    "Avant" is the `months` months before the campaign's first month, "pendant" the months it ran,
    "après" the `months` months after its last month. Branches in the activity file that the campaign did
    not target are the comparison group: a rise everywhere is not the campaign's doing.
    """
    period = campaign_period(store, plan_ids)
    if period is None:
        raise InputError("aucune campagne connue : importez d'abord un plan et ses résultats.",
                         fix="Importez les résultats de la campagne avec son plan (page Tableau de bord).")
    activity = store.activity()
    if activity.empty:
        raise InputError("aucune activité importée.",
                         fix="Importez l'activité de chaque bibliothèque par mois (inscriptions, prêts, entrées) sur la page "
                             "Tableau de bord ; le guide du tableau de bord décrit les colonnes du fichier.")
    start_month, end_month = period[0][:7], period[1][:7]
    windows = {
        "avant": {_month_add(start_month, -k) for k in range(1, months + 1)},
        "pendant": set(),
        "après": {_month_add(end_month, k) for k in range(1, months + 1)},
    }
    m = start_month
    while m <= end_month:
        windows["pendant"].add(m)
        m = _month_add(m, 1)
    planned = store.planned_adsets()
    if plan_ids is not None:
        planned = planned[planned["plan_id"].isin(plan_ids)]
    targeted = set(planned["branch_id"])
    names = dict(zip(planned["branch_id"], planned["branch_name"], strict=False))
    for b in shipped_branches():
        names.setdefault(b.id, b.name)

    rows = []
    for branch_id, group in activity.groupby("branch_id", sort=True):
        for metric in ("registrations", "loans", "visits"):
            values = group.dropna(subset=[metric])
            if values.empty:
                continue
            rec = {"branch_id": branch_id, "branch_name": names.get(branch_id, branch_id),
                   "in_campaign": branch_id in targeted, "metric": metric, "label": OUTCOME_LABELS[metric]}
            for window, wanted in windows.items():
                part = values[values["month"].isin(wanted)][metric]
                rec[window] = float(part.mean()) if len(part) else float("nan")
                rec[f"months_{window}"] = int(len(part))
            before, after = rec["avant"], rec["après"]
            rec["change_pct"] = (after - before) / before * 100 if before and not pd.isna(after) else float("nan")
            rows.append(rec)
    frame = pd.DataFrame(rows)
    if not frame.empty:  # targeted branches first
        frame = frame.sort_values(["in_campaign", "branch_name", "metric"], ascending=[False, True, True],
                                  ignore_index=True)
    notes = []
    control = {}
    if not frame.empty:
        for metric, group in frame[~frame["in_campaign"]].groupby("metric"):
            both = group.dropna(subset=["avant", "après"])
            if len(both) and both["avant"].sum() > 0:
                control[metric] = float((both["après"].sum() - both["avant"].sum()) / both["avant"].sum() * 100)
        missing = sorted(targeted - set(frame["branch_id"]))
        if missing:
            notes.append("Pas d'activité pour " + ", ".join(names.get(b, b) for b in missing) + ".")
        short = frame[(frame["months_avant"] < months) | (frame["months_après"] < months)]
        if len(short):
            notes.append(f"{short['branch_id'].nunique()} bibliothèque(s) n'ont pas {months} mois complets avant "
                         "et après la campagne : leurs moyennes portent sur les mois disponibles.")
    notes.append("Une hausse après la campagne n'en prouve pas l'effet : comparez-la à celle des bibliothèques "
                 "non ciblées (témoins) et à la même période de l'année précédente.")
    return Outcome(frame=frame, start_month=start_month, end_month=end_month, months=months, control=control,
                   notes=notes)


OUTCOME_CSV_COLUMNS = ["branch_id", "branch_name", "in_campaign", "metric", "before", "during", "after",
                       "change_pct", "months_before", "months_during", "months_after"]


def outcome_csv_frame(result: Outcome) -> pd.DataFrame:
    if result.frame.empty:
        return pd.DataFrame(columns=OUTCOME_CSV_COLUMNS)
    f = result.frame.rename(columns={"avant": "before", "pendant": "during", "après": "after",
                                     "months_avant": "months_before", "months_pendant": "months_during",
                                     "months_après": "months_after"})
    return f[OUTCOME_CSV_COLUMNS]


def outcome_markdown(result: Outcome) -> str:
    lines = [f"Campagne : {result.start_month} → {result.end_month} ; moyennes mensuelles sur {result.months} mois "
             "avant et après.", "",
             "| Bibliothèque | Ciblée | Indicateur | Avant | Pendant | Après | Évolution |", "|---|---|---|---|---|---|---|"]
    for r in result.frame.to_dict("records"):
        change = "—" if pd.isna(r["change_pct"]) else f"{r['change_pct']:+.1f} %".replace(".", ",")
        lines.append(f"| {r['branch_name']} ({r['branch_id']}) | {'oui' if r['in_campaign'] else 'non'} | "
                     f"{r['label']} | {number(r['avant'], 1)} | {number(r['pendant'], 1)} | "
                     f"{number(r['après'], 1)} | {change} |")
    out = "\n".join(lines) + "\n"
    if result.control:
        out += "\nBibliothèques non ciblées (témoins) : " + " ; ".join(
            f"{OUTCOME_LABELS[m]} {v:+.1f} %".replace(".", ",") for m, v in result.control.items()) + ".\n"
    out += "\n" + "\n".join(f"- {n}" for n in result.notes) + "\n"
    return out


def plan_choices(store: ReportStore) -> dict[int, str]:
    """Plan id → campaign name, for selectors."""
    plans = store.plans()
    return dict(zip(plans["id"].astype(int), plans["campaign_name"], strict=True))


# ---------------------------------------------------------------------------------------------- charts' data


def adset_figures(store: ReportStore, plan_ids: list[int] | None = None) -> pd.DataFrame:
    """One row per ad set with its plan's branch and theme, and its costs."""
    objects = object_figures(store, plan_ids)
    adsets = objects[objects["level"] == "adset"]
    planned = store.planned_adsets()[["plan_adset_id", "branch_id", "branch_name", "theme_id"]]
    frame = adsets.merge(planned, how="left", on="plan_adset_id")
    for c in ("branch_id", "branch_name", "theme_id"):
        frame[c] = frame[c].fillna(UNMATCHED)
    return _derive(frame.reset_index(drop=True))


def reach_map_data(store: ReportStore, plan_ids: list[int] | None = None) -> tuple[dict, pd.DataFrame]:
    """(GeoJSON of the targeted areas with their estimated reach, branches with position and reach)."""
    from shapely.geometry import mapping, shape

    areas = reach_table(store, "area", plan_ids).frame.set_index("key")
    features = []
    for a in shipped_areas():
        if a.code in areas.index and a.geometry:
            # ~50 m simplification: a dashboard map needs no more, and redraws faster
            geometry = mapping(shape(a.geometry).simplify(0.0005, preserve_topology=True))
            features.append({"type": "Feature", "geometry": json.loads(json.dumps(geometry)),
                             "properties": {"code": a.code, "name": a.name,
                                            "reach": round(float(areas.loc[a.code, "reach"]))}})
    branches = reach_table(store, "branch", plan_ids).frame
    where = {b.id: (b.lat, b.lon) for b in shipped_branches()}
    branches = branches[branches["key"].isin(where)].copy()
    branches["lat"] = [where[k][0] for k in branches["key"]]
    branches["lon"] = [where[k][1] for k in branches["key"]]
    branches["shown"] = [reach_shown(r) for r in branches.to_dict("records")]
    return {"type": "FeatureCollection", "features": features}, branches

"""Altair charts of the Tableau de bord page: presentation only, the figures come from outreach.reporting."""

from __future__ import annotations

import altair as alt
import pandas as pd

from outreach import reporting
from outreach.text import number

BLUE = "#000091"  # the French State's blue, the colour of public services
# axis labels as French readers write numbers (« 4 000 », « 1,5 »): Vega formats in English, then this swaps
# the separators (thousands first, to a narrow no-break space, then the decimal point)
FRENCH_LABELS = "replace(replace(format(datum.value, ',~f'), regexp(',', 'g'), '\u202f'), '.', ',')"


def french_axis(title: str | None, **kwargs) -> alt.Axis:
    return alt.Axis(title=title, labelExpr=FRENCH_LABELS, **kwargs)


def with_french(frame: pd.DataFrame, columns: dict[str, int]) -> pd.DataFrame:
    """`<column>_fr`: the figure as text, French style, for tooltips (Vega would write « 4,000.00 »)."""
    return frame.assign(**{f"{c}_fr": [number(v, d) if pd.notna(v) else "—" for v in frame[c]]
                           for c, d in columns.items()})


def reach_bars(table: reporting.ReachTable, title: str) -> alt.Chart:
    """Reach per key, largest first; lighter bars when the figure is an upper bound or an estimate."""
    f = table.frame.assign(shown=[reporting.reach_shown(r) for r in table.frame.to_dict("records")],
                           nature=["exacte" if x else "majorant ou estimation" for x in table.frame["reach_exact"]])
    f = f[["label", "reach", "shown", "nature", "impressions", "spend", "reach_basis"]].astype(
        {"label": str, "shown": str, "reach_basis": str})
    f = with_french(f, {"impressions": 0, "spend": 2})
    order = list(f["label"])  # already sorted by decreasing reach
    y = alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelLimit=320))
    bars = alt.Chart(f).mark_bar().encode(
        y=y, x=alt.X("reach:Q", axis=french_axis("Personnes touchées")),
        color=alt.Color("nature:N", title="Couverture", legend=alt.Legend(orient="bottom"),
                        scale=alt.Scale(domain=["exacte", "majorant ou estimation"], range=[BLUE, "#8585f6"])),
        tooltip=[alt.Tooltip("label:N", title=title), alt.Tooltip("shown:N", title="Couverture"),
                 alt.Tooltip("impressions_fr:N", title="Impressions"),
                 alt.Tooltip("spend_fr:N", title="Dépense (€)"),
                 alt.Tooltip("reach_basis:N", title="Nature")])
    text = alt.Chart(f).mark_text(align="left", dx=4).encode(y=y, x="reach:Q", text="shown:N")
    return alt.layer(bars, text)


def bars_height(table: reporting.ReachTable) -> int:
    """Pixels for a bar chart of this table, axis and legend included."""
    return 110 + 36 * len(table.frame)


def spend_vs_reach(objects: pd.DataFrame, theme_labels: dict[str, str] | None = None) -> alt.Chart:
    """One point per ad set: what it cost against how many people it reached, coloured by theme label."""
    labels = theme_labels or {}
    f = with_french(objects.assign(theme=[labels.get(t, t) for t in objects["theme_id"]]),
                    {"reach": 0, "spend": 2, "cost_per_1000_reached": 2})
    return alt.Chart(f).mark_circle(size=110, opacity=0.85).encode(
        x=alt.X("spend:Q", axis=french_axis("Dépense (€)")),
        y=alt.Y("reach:Q", axis=french_axis("Personnes touchées")),
        color=alt.Color("theme:N", title="Thème"),
        tooltip=[alt.Tooltip("adset_name:N", title="Ensemble de publicités"),
                 alt.Tooltip("branch_name:N", title="Bibliothèque"),
                 alt.Tooltip("reach_fr:N", title="Couverture"),
                 alt.Tooltip("spend_fr:N", title="Dépense (€)"),
                 alt.Tooltip("cost_per_1000_reached_fr:N", title="Coût / 1 000 pers. (€)")],
    ).properties(height=360)


def branch_map(areas_geojson: dict, branches: pd.DataFrame) -> dict:
    """Areas shaded by their estimated reach, a circle on each branch sized by its reach.

    Returned as a Vega-Lite dict for st.vega_lite_chart: the polygons go into the spec's datasets by
    name, because Altair would otherwise walk every coordinate to serialise it (seconds per redraw)."""
    shapes = alt.Chart(alt.NamedData(name="areas", format=alt.DataFormat(type="json"))) \
        .mark_geoshape(stroke="white", strokeWidth=0.5) \
        .encode(color=alt.Color("properties.reach:Q", title="Couverture estimée", scale=alt.Scale(scheme="blues")),
                tooltip=[alt.Tooltip("properties.name:N", title="Zone"),
                         alt.Tooltip("properties.reach:Q", title="Couverture estimée", format=",.0f")])
    points = alt.Chart(branches[["label", "shown", "reach", "lat", "lon"]]) \
        .mark_circle(color="#e1000f", opacity=0.8, stroke="white").encode(
        longitude="lon:Q", latitude="lat:Q",
        size=alt.Size("reach:Q", title="Couverture (bibliothèque)", scale=alt.Scale(range=[40, 900])),
        tooltip=[alt.Tooltip("label:N", title="Bibliothèque"), alt.Tooltip("shown:N", title="Couverture")])
    spec = (shapes + points).project("mercator").properties(height=480).to_dict()
    spec.setdefault("datasets", {})["areas"] = areas_geojson["features"]
    return spec


def daily_lines(table: reporting.ReachTable) -> alt.Chart:
    f = table.frame.assign(day=pd.to_datetime(table.frame["key"]))
    long = f.melt(id_vars=["day"], value_vars=["reach", "impressions"], var_name="what", value_name="value")
    long["what"] = long["what"].map({"reach": "Personnes touchées dans la journée", "impressions": "Impressions"})
    long = with_french(long, {"value": 0})
    return alt.Chart(long).mark_line(point=True).encode(
        x=alt.X("day:T", title="Jour", axis=alt.Axis(format="%d/%m")),
        y=alt.Y("value:Q", axis=french_axis(None)),
        color=alt.Color("what:N", title=None, legend=alt.Legend(orient="bottom", labelLimit=400)),
        tooltip=[alt.Tooltip("day:T", title="Jour", format="%d/%m/%Y"), alt.Tooltip("value_fr:N", title="Valeur")],
    ).properties(height=320)


def outcome_bars(frame: pd.DataFrame, metric: str) -> alt.Chart:
    """Monthly mean before, during and after the campaign, per branch (targeted branches first)."""
    f = frame[frame["metric"] == metric].copy()
    f["group"] = f["in_campaign"].map({True: "ciblée", False: "témoin"})
    f["branch"] = f["branch_name"] + " (" + f["group"] + ")"
    long = f.melt(id_vars=["branch", "group"], value_vars=list(reporting.WINDOWS), var_name="when",
                  value_name="value").dropna(subset=["value"])
    long = with_french(long, {"value": 1})
    order = list(f.sort_values(["in_campaign", "branch_name"], ascending=[False, True])["branch"])
    return alt.Chart(long).mark_bar().encode(
        y=alt.Y("branch:N", sort=order, title=None, axis=alt.Axis(labelLimit=320)),
        yOffset=alt.YOffset("when:N", sort=list(reporting.WINDOWS)),
        x=alt.X("value:Q", axis=french_axis(f"{reporting.OUTCOME_LABELS[metric]} par mois (moyenne)")),
        color=alt.Color("when:N", sort=list(reporting.WINDOWS), title=None,
                        scale=alt.Scale(range=["#b7b7d8", "#6a6af4", BLUE]), legend=alt.Legend(orient="bottom")),
        tooltip=[alt.Tooltip("branch:N", title="Bibliothèque"), alt.Tooltip("when:N", title="Période"),
                 alt.Tooltip("value_fr:N", title="Moyenne mensuelle")],
    ).properties(height=max(160, 60 * f["branch"].nunique()))

"""Tableau de bord: what the campaign reached, per theme, branch and area, what it cost, and whether the
libraries saw more people afterwards. Figures come from outreach.reporting; this page only shows them."""

import tempfile
from pathlib import Path

import streamlit as st

from app import dashboard_charts as charts
from app import dashboard_state, state
from outreach import paths, pipeline, reporting
from outreach.cells import safe_frame
from outreach.errors import InputError
from outreach.meta import standard_queries
from outreach.reporting import ReportStore, demo_store
from outreach.text import number

st.title("Tableau de bord")
st.caption("Couverture, impressions, dépense et clics de vos campagnes Meta, par thème, par bibliothèque et par "
           "zone ; et la fréquentation des bibliothèques avant et après.")

if "dashboard_url" not in st.session_state:
    st.session_state["dashboard_url"] = paths.database_url()
try:
    store = ReportStore(st.session_state["dashboard_url"])
except InputError as exc:  # OUTREACH_DATABASE_URL wrong, or the server down
    state.show_input_error(exc)
    st.stop()
demo = st.session_state.get("dashboard_demo", False)
if demo:
    st.warning("Données de démonstration : chiffres SYNTHÉTIQUES, aucune campagne réelle.", icon="🧪")


def save_plan_files(uploads, folder: Path) -> str | None:
    """The uploaded plan files (plan.csv, meta-api.json, meta-ids.json) as a folder read_plan_dir can read."""
    if not uploads:
        return None
    for up in uploads:
        (folder / Path(up.name).name).write_bytes(up.getvalue())
    return str(folder)


with st.expander("Importer des résultats", expanded=not store.has_results()):
    col_r, col_p = st.columns(2)
    reports = col_r.file_uploader("Exports du Gestionnaire de publicités (CSV ou XLSX, français ou anglais)",
                                  type=["csv", "txt", "xlsx"], accept_multiple_files=True, key="dash_reports")
    plan_uploads = col_p.file_uploader("Fichiers du plan (plan.csv, meta-api.json, meta-ids.json)",
                                       type=["csv", "json"], accept_multiple_files=True, key="dash_plan_files")
    plan_path = col_p.text_input("… ou dossier du plan sur ce poste", key="dash_plan_dir",
                                 help="Le dossier où les fichiers du plan ont été enregistrés.")
    if st.button("Importer", key="dash_import", type="primary", disabled=not reports):
        try:
            with tempfile.TemporaryDirectory(prefix="plan-") as tmp:
                plans = [d for d in (save_plan_files(plan_uploads, Path(tmp)), plan_path.strip() or None) if d]
                summaries = reporting.import_reports(store, [state.upload_of(r) for r in reports], plans)
            for s in summaries:
                for note in s.notes:
                    st.info(note, icon="ℹ️")
                st.success(s.describe())
        except InputError as exc:
            state.show_input_error(exc)

    activity_file = st.file_uploader("Activité des bibliothèques par mois (CSV : inscriptions, prêts, entrées)",
                                     type=["csv", "txt"], key="dash_activity",
                                     help="Une ligne par bibliothèque et par mois ; l'en-tête attendu est dans le "
                                          "guide du tableau de bord.")
    if st.button("Importer l'activité", key="dash_import_activity", disabled=activity_file is None):
        try:
            for done in pipeline.import_activity(store, [state.upload_of(activity_file)]):
                st.success(done.describe())
        except InputError as exc:
            state.show_input_error(exc)

    st.markdown("**Ou lire les résultats directement chez Meta** (avec le jeton et le compte choisis sur la page "
                "Paramètres)")
    c1, c2, c3 = st.columns([2, 1, 1])
    network = state.settings()
    meta_object = c1.text_input("Compte publicitaire ou identifiant d'une campagne Meta", network.ad_account_id,
                                key="dash_meta_object",
                                help=f"Par défaut, tout le compte {network.ad_account_name or network.ad_account_id}"
                                     " choisi dans les Paramètres.")
    since = c2.date_input("Du", value=None, key="dash_meta_since", format="DD/MM/YYYY")
    until = c3.date_input("Au", value=None, key="dash_meta_until", format="DD/MM/YYYY")
    if st.button("Lire les résultats chez Meta", key="dash_meta_fetch", disabled=not meta_object.strip()):
        try:
            queries = standard_queries(meta_object.strip(), since.isoformat() if since else None,
                                       until.isoformat() if until else None)
            progress = st.progress(0, text="Lecture des résultats chez Meta…")
            asked = []

            def announce(query) -> None:
                asked.append(query)
                progress.progress(len(asked) / len(queries), text=query.describe())

            with tempfile.TemporaryDirectory(prefix="plan-") as tmp:
                plans = [d for d in (save_plan_files(plan_uploads, Path(tmp)), plan_path.strip() or None) if d]
                done = pipeline.import_insights(store, queries, plans, announce=announce)
            for _, summary in done:
                st.success(summary.describe())
        except InputError as exc:
            state.show_input_error(exc)

    left, right = st.columns(2)
    if left.button("Charger la démonstration", key="dash_demo",
                   help="Des résultats synthétiques pour la campagne d'exemple, dans une base à part."):
        try:
            st.session_state["dashboard_url"] = demo_store().url
            st.session_state["dashboard_demo"] = True
            st.rerun()
        except InputError as exc:
            state.show_input_error(exc)
    if demo and right.button("Revenir à mes résultats", key="dash_back"):
        st.session_state["dashboard_url"] = paths.database_url()
        st.session_state["dashboard_demo"] = False
        st.rerun()

if not store.has_results():
    st.info("Aucun résultat pour l'instant : importez un export du Gestionnaire de publicités avec le plan de la "
            "campagne, ou chargez la démonstration.", icon="ℹ️")
    st.stop()

choices = reporting.plan_choices(store)
options = [None, *choices]
chosen = st.selectbox("Campagne", options, key="dash_campaign",
                      format_func=lambda v: "Toutes les campagnes" if v is None else choices[v])
plan_ids = None if chosen is None else (chosen,)
url, version = store.url, store.version()

try:
    figures = dashboard_state.figures(url, version, plan_ids)
except InputError as exc:
    state.show_input_error(exc)
    st.stop()
themes, branches = figures.themes, figures.branches

total = themes.total
mark = reporting.reach_mark(total)
m = st.columns(6)
m[0].metric("Personnes touchées", mark + number(total["reach"]), help=total["reach_basis"])
m[1].metric("Impressions", number(total["impressions"]))
m[2].metric("Répétition", number(total["frequency"], 2))
m[3].metric("Dépense", number(total["spend"], 2) + " €")
m[4].metric("Coût / 1 000 personnes", number(total["cost_per_1000_reached"], 2) + " €")
m[5].metric("Clics sur un lien", number(total["link_clicks"]),
            help=f"CTR : {number(total['ctr'], 2)} %")

tab_theme, tab_spend, tab_map, tab_day, tab_outcome, tab_history = st.tabs(
    ["Par thème", "Dépense et couverture", "Carte", "Par jour", "Fréquentation", "Imports"])


def show_table(table: reporting.ReachTable, heading: str) -> None:
    f = table.frame
    shown = f.assign(reach_shown=[reporting.reach_shown(r) for r in f.to_dict("records")])
    shown = shown.round({"impressions": 0, "link_clicks": 0, "frequency": 2, "spend": 2, "cpm": 2,
                         "cost_per_1000_reached": 2, "ctr": 2})
    st.dataframe(shown.rename(columns={
        "label": heading, "reach_shown": "Couverture", "impressions": "Impressions", "frequency": "Répétition",
        "spend": "Dépense (€)", "cpm": "CPM (€)", "cost_per_1000_reached": "Coût / 1 000 pers. (€)",
        "link_clicks": "Clics sur un lien", "ctr": "CTR (%)"})[[heading, "Couverture", "Impressions", "Répétition",
                                                                 "Dépense (€)", "CPM (€)", "Coût / 1 000 pers. (€)",
                                                                 "Clics sur un lien", "CTR (%)"]],
                 hide_index=True, width="stretch",
                 column_config={c: st.column_config.NumberColumn(format="localized") for c in
                                ("Impressions", "Répétition", "Dépense (€)", "CPM (€)", "Coût / 1 000 pers. (€)",
                                 "Clics sur un lien", "CTR (%)")})
    for note in table.notes:
        st.caption(note)
    st.download_button("Télécharger (CSV)", safe_frame(reporting.to_csv_frame(table)).to_csv(index=False),
                       file_name=f"couverture-par-{table.by}.csv", mime="text/csv", key=f"dl_{table.by}")


def described(chart, text: str):
    """A chart that a screen reader announces by what it shows (Vega's default is « Vega visualization »),
    with the same sentence written under it for everyone."""
    st.caption(text)
    return chart.properties(description=text)


def chart_data(frame, columns: dict[str, str]) -> None:
    """The figures behind a chart, as a table (RGAA 4.1: a chart has a text alternative with its data)."""
    with st.expander("Données du graphique"):
        st.dataframe(frame[list(columns)].rename(columns=columns), hide_index=True, width="stretch")


def top(table: reporting.ReachTable) -> str:
    row = table.frame.iloc[0]
    return f"{row['label']} en tête ({reporting.reach_shown(row.to_dict())} personnes)" if len(table.frame) else ""


with tab_theme:
    st.altair_chart(described(charts.reach_bars(themes, "Thème"),
                              f"Barres : personnes touchées par thème, du plus au moins touché ; {top(themes)}."),
                    width="stretch", height=charts.bars_height(themes))
    show_table(themes, "Thème")
with tab_spend:
    st.altair_chart(described(charts.spend_vs_reach(figures.adsets, dashboard_state.theme_labels()),
                              "Un point par ensemble de publicités, sa dépense en abscisse et les personnes touchées "
                              "en ordonnée : en haut à gauche, beaucoup de personnes pour peu d'argent."),
                    width="stretch")
    chart_data(figures.adsets, {"adset_name": "Ensemble de publicités", "branch_name": "Bibliothèque",
                                "spend": "Dépense (€)", "reach": "Couverture"})
    show_table(branches, "Bibliothèque")
with tab_map:
    areas_geojson, branch_points = figures.areas_geojson, figures.branch_points
    if areas_geojson["features"] or len(branch_points):
        st.vega_lite_chart(charts.branch_map(areas_geojson, branch_points), width="stretch")
        st.caption("Zones : " + reporting.BASIS_AREA + ". Cercles : couverture de chaque bibliothèque.")
    else:
        st.info("Aucune bibliothèque du réseau livré dans ces résultats : pas de carte.")
with tab_day:
    days = figures.days
    if days.frame.empty:
        st.info(" ".join(days.notes))
    else:
        st.altair_chart(described(charts.daily_lines(days),
                                  f"Courbes : personnes touchées et impressions jour par jour, du {days.frame['key'].min()} "
                                  f"au {days.frame['key'].max()}."), width="stretch")
        chart_data(days.frame, {"key": "Jour", "reach": "Personnes touchées", "impressions": "Impressions"})
        for note in days.notes:
            st.caption(note)
with tab_outcome:
    months = st.slider("Mois comparés avant et après", 1, 6, 3, key="dash_months")
    metric = st.radio("Indicateur", list(reporting.OUTCOME_LABELS), horizontal=True, key="dash_metric",
                      format_func=reporting.OUTCOME_LABELS.get)
    result, problem = dashboard_state.outcome(url, version, plan_ids, months)
    if problem:
        st.error(problem, icon="⚠️")
    elif result.frame.empty or not (result.frame["metric"] == metric).any():
        st.info(f"Pas de données « {reporting.OUTCOME_LABELS[metric]} » dans l'activité importée.")
    else:
        label = reporting.OUTCOME_LABELS[metric]
        st.altair_chart(described(charts.outcome_bars(result.frame, metric),
                                  f"Barres : {label.lower()} par mois en moyenne, avant, pendant et après la campagne, "
                                  "pour chaque bibliothèque ciblée puis témoin."), width="stretch")
        chart_data(result.frame[result.frame["metric"] == metric],
                   {"branch_name": "Bibliothèque", **{w: w.capitalize() for w in reporting.WINDOWS}})
        if metric in result.control:
            st.caption(f"Bibliothèques non ciblées (témoins) : {result.control[metric]:+.1f} % "
                       "entre avant et après.".replace(".", ",", 1))
    for note in result.notes if result else []:
        st.caption(note)
with tab_history:
    st.dataframe(store.batches().rename(columns={
        "id": "Lot", "source": "Source", "imported_at": "Importé le (UTC)", "rows_read": "Lignes",
        "rows_replaced": "Remplacées", "rows_unmatched": "Non rattachées", "duplicate_of": "Doublon du lot"}),
        hide_index=True, width="stretch", placeholder="",
        column_config={"Importé le (UTC)": st.column_config.DatetimeColumn(format="DD/MM/YYYY HH:mm")})

try:
    report_html = dashboard_state.report_html(url, version, plan_ids, st.session_state.get("dash_months", 3))
    st.download_button("Télécharger le rapport imprimable (HTML)", report_html, file_name="bilan-campagne.html",
                       mime="text/html", key="dash_report", type="primary",
                       help="Une page pour la direction : ouvrez-la dans le navigateur et imprimez-la (ou "
                            "enregistrez-la en PDF).")
except InputError as exc:
    state.show_input_error(exc)

"""Territoire: which branch is nearest to each commune or arrondissement, catchments, underserved areas."""

import pandas as pd
import streamlit as st

from app import state
from app.territory_view import branch_colours, catchment_legend, deck, distance_legend
from outreach.cells import safe_frame
from outreach.errors import InputError
from outreach.text import number

st.title("Territoire")
st.caption("Pour chaque commune ou arrondissement, la bibliothèque la plus proche (distance géodésique), "
           "le bassin de chaque bibliothèque et les zones mal desservies.")

choices = state.departement_choices()
left, right = st.columns([2, 1])
scope = left.selectbox("Département", list(choices), format_func=choices.get, key="territory_scope",
                       help="Le réseau livré a les contours des communes ; les autres départements viennent "
                            "des listes nationales (un point par commune).")
threshold = right.slider("Zone mal desservie au-delà de (km)", 2, 40, 10, key="territory_threshold")

with st.expander("Utiliser vos propres fichiers"):
    st.markdown("Bibliothèques : GeoJSON, CSV du ministère, ou CSV `id,name,lat,lon` (ou `id,name,adresse` : "
                "les adresses sont géocodées). Zones : GeoJSON de contours, ou CSV `code,name,lat,lon[,population]`.")
    col_b, col_a = st.columns(2)
    branches_file = col_b.file_uploader("Bibliothèques", type=["geojson", "json", "csv", "txt"], key="branches_upload")
    areas_file = col_a.file_uploader("Zones", type=["geojson", "json", "csv", "txt"], key="areas_upload")

geocoding = st.empty()


def geocoding_progress(done: int, total: int) -> None:
    if total:
        geocoding.progress(done / total, text=f"Géocodage des adresses : {done} sur {total}")


try:
    with st.spinner("Calcul des bibliothèques les plus proches…"):
        source, report = state.territory(scope, float(threshold), state.upload_of(branches_file),
                                         state.upload_of(areas_file), _progress=geocoding_progress)
except InputError as exc:
    geocoding.empty()
    # beside the upload that caused it; a problem with no file of theirs (the département, the geocoder) on top
    culprit = {upload.name: column for upload, column in ((branches_file, col_b), (areas_file, col_a)) if upload}
    state.show_input_error(exc, where=culprit.get(exc.file))
    st.stop()

for note in source.notes:
    st.info(note, icon="ℹ️")

assignments, catchments, underserved = report.assignments, report.catchments, report.underserved
population = int(assignments["population"].fillna(0).sum())
under_pop = int(underserved["population"].fillna(0).sum())
m1, m2, m3, m4 = st.columns(4)
m1.metric("Bibliothèques", len(source.branches))
m2.metric("Zones", len(source.areas))
m3.metric("Habitants", number(population))
m4.metric(f"Zones à plus de {threshold} km", len(underserved),
          help=f"{number(under_pop)} habitants")

colour_by = st.radio("Colorer les zones selon", ["branch", "distance"], horizontal=True, key="territory_colour",
                     format_func={"branch": "la bibliothèque la plus proche", "distance": "la distance"}.get)
# drawn once per territory and colouring, not at every rerun
colours = state.derived(report, "colours", lambda: branch_colours(source.branches))
drawn = state.derived(report, f"deck:{colour_by}",
                      lambda: deck(source.branches, source.areas, assignments, colour_by, colours))
st.pydeck_chart(drawn, height=520,
                alt="Carte des zones colorées par bibliothèque la plus proche")
legend = catchment_legend(catchments, colours) if colour_by == "branch" else distance_legend()
st.markdown(legend, unsafe_allow_html=True)

tab_areas, tab_catch, tab_under = st.tabs(["Zones", "Bassins par bibliothèque", "Zones mal desservies"])
with tab_areas:
    shown = assignments.rename(columns={
        "area_code": "Code", "area_name": "Zone", "branch_name": "Bibliothèque la plus proche",
        "distance_km": "Distance (km)", "second_branch_name": "Deuxième plus proche",
        "second_distance_km": "Distance 2 (km)", "population": "Population"})
    st.dataframe(shown[["Code", "Zone", "Population", "Bibliothèque la plus proche", "Distance (km)",
                        "Deuxième plus proche", "Distance 2 (km)"]],
                 hide_index=True, width="stretch",
                 column_config={"Distance (km)": st.column_config.NumberColumn(format="%.2f"),
                                "Distance 2 (km)": st.column_config.NumberColumn(format="%.2f")})
    st.download_button("Télécharger le tableau (CSV)",
                       state.derived(report, "csv", lambda: safe_frame(assignments.drop(
                           columns=["area_lat", "area_lon"])).to_csv(index=False, float_format="%.3f")),
                       file_name="bibliotheque-la-plus-proche.csv", mime="text/csv")
with tab_catch:
    table = catchments.assign(
        Couleur="", Zones=catchments["area_names"].map(lambda names: ", ".join(names)))
    table = table.rename(columns={"branch_name": "Bibliothèque", "n_areas": "Nb de zones", "population": "Population",
                                  "radius_km": "Rayon couvrant (km)"})
    table = table[["Couleur", "Bibliothèque", "Nb de zones", "Population", "Rayon couvrant (km)", "Zones"]]
    rgb = [f"background-color: rgb{colours[b]}" for b in catchments["branch_id"]]
    st.dataframe(table.style.apply(lambda _: rgb, subset=["Couleur"]).format({"Rayon couvrant (km)": "{:.1f}"}),
                 hide_index=True, width="stretch")
    st.caption("Rayon couvrant : distance de la bibliothèque au point le plus éloigné des zones de son bassin.")
with tab_under:
    if underserved.empty:
        st.success(f"Aucune zone n'est à plus de {threshold} km de sa bibliothèque la plus proche.")
    else:
        st.dataframe(pd.DataFrame({
            "Zone": underserved["area_name"], "Population": underserved["population"],
            "Bibliothèque la plus proche": underserved["branch_name"], "Distance (km)": underserved["distance_km"].round(1),
        }), hide_index=True, width="stretch")

"""Campagne: build the campaign file, see its plan (table and map), edit the copy, save, download.

The campaign file is the source of truth: the page keeps the current Campaign in
st.session_state["campaign"] (and its file in st.session_state["campaign_path"]) and plans it with the
same functions as `outreach plan`, so the downloads equal the CLI's files.
"""

import io
import zipfile
from pathlib import Path

import streamlit as st

from app import state
from app.campaign_form import FROM_SETTINGS, field_of, form_values, identity_options
from app.campaign_view import circles_deck, feed_post_html, plan_table, story_html
from outreach import datasets, pipeline
from outreach.campaign import (
    Campaign,
    campaign_file_in,
    campaign_from_dict,
    campaign_from_form,
    campaign_from_yaml,
    campaign_to_yaml,
    save_campaign,
)
from outreach.compliance import minors
from outreach.errors import InputError
from outreach.meta import drawn_again, read_template, replace_visual, visual_files
from outreach.text import number, slug

CAMPAIGNS_DIR = datasets.campaigns_dir()
NEW = "__new__"

st.title("Campagne")
st.caption("Une campagne Meta (Facebook, Instagram) : un ensemble de publicités par bibliothèque et par thème, "
           "vers les habitants intéressés par le thème qui ont cette bibliothèque pour plus proche.")


def theme_choices() -> dict[str, str]:
    return _theme_choices(state.data_version())


@st.cache_resource(show_spinner=False, max_entries=4)
def _theme_choices(version: tuple) -> dict[str, str]:
    from outreach.themes import load_themes

    return {t.id: t.label for t in load_themes()}


# ------------------------------------------------------------------------------------------ choose a file

files = datasets.campaign_files()
options = [NEW] + [str(p) for p in files]
current_path = st.session_state.get("campaign_path")
default = options.index(current_path) if current_path in options else (1 if len(options) > 1 else 0)
chosen = st.selectbox("Fichier de campagne", options, index=default, key="campaign_file",
                      format_func=lambda p: "Nouvelle campagne" if p == NEW else Path(p).name)
reset_form = st.session_state.get("campaign_loaded_from") != chosen
if reset_form:
    st.session_state["campaign_loaded_from"] = chosen
    st.session_state.pop("campaign", None)
    if chosen == NEW:
        # a new campaign has no file yet: neither the previous file's attestations nor its path apply to it
        st.session_state.pop("campaign_path", None)
    else:
        try:
            st.session_state["campaign"] = campaign_from_yaml(Path(chosen).read_text(encoding="utf-8"),
                                                              file=chosen)
            st.session_state["campaign_path"] = chosen
        except InputError as exc:
            state.show_input_error(exc)

campaign: Campaign | None = st.session_state.get("campaign")

# ------------------------------------------------------------------------------------------ the form

try:
    themes = theme_choices()
except InputError as exc:
    state.show_input_error(exc)
    st.stop()
departements = datasets.departement_names()
shipped_deps = datasets.shipped_departements()


network = state.settings()
dep_options = shipped_deps + [d for d in departements if d not in shipped_deps]
# the form shows the newly chosen file (or an empty one), not what the previous one held; and it is filled again
# when the page last stopped before drawing it (Streamlit then forgot its fields)
starting = form_values(campaign, network, themes, dep_options)
if reset_form or any(key not in st.session_state for key in starting):
    st.session_state.update(starting)


def identity_choice(label: str, key: str, in_file: str | None, setting_id: str, setting_name: str, column):
    """Page or Instagram account: the one of the Paramètres, or the (different) one the file names; never typed."""
    shown = setting_name or setting_id
    options = identity_options(in_file, setting_id)
    labels = {FROM_SETTINGS: f"Celui des Paramètres : {shown}" if shown else "Celui des Paramètres (à choisir)"}
    if len(options) > 1:
        labels[in_file] = f"Celui du fichier : {in_file} (différent des Paramètres)"
    if st.session_state.get(key) not in options:  # a file built since names the settings' account
        st.session_state[key] = options[-1]
    return column.selectbox(label, options, key=key, format_func=labels.get)


with st.form("campaign_form"):
    st.header("Paramètres")
    name = st.text_input("Nom de la campagne", key="c_name")
    slots = {"name": st.empty()}  # where each field's error shows: under its input
    chosen_themes = st.multiselect("Thèmes", list(themes), format_func=themes.get, key="c_themes",
                                   placeholder="Choisissez un ou plusieurs thèmes")
    slots["themes"] = st.empty()
    c1, c2 = st.columns(2)
    departement = c1.selectbox("Département", dep_options, format_func=lambda d: f"{d} — {departements.get(d, '')}",
                               key="c_departement")
    branch_ids = c2.text_input("Bibliothèques (identifiants, facultatif)", key="c_branches",
                               help="Identifiants du ministère (code_bib) séparés par des espaces ; vide = toutes.")
    area_codes = c2.text_input("Zones (codes INSEE, facultatif)", key="c_areas",
                               help="Codes des communes ou arrondissements ; vide = toutes.")
    slots["territory"] = c2.empty()
    start = c1.date_input("Début", format="DD/MM/YYYY", key="c_start")
    end = c1.date_input("Fin", format="DD/MM/YYYY", key="c_end")
    slots["period"] = c1.empty()
    budget = c2.number_input("Budget total (€)", min_value=0.0, step=50.0, key="c_budget")
    slots["budget_eur"] = c2.empty()
    objective = c2.radio("Objectif", ["awareness", "traffic"], horizontal=True,
                         format_func={"awareness": "Notoriété", "traffic": "Trafic vers le site"}.get,
                         key="c_objective")
    ages = c1.slider("Âges", 18, 65, key="c_ages", help="65 = 65 ans et plus.")
    slots["audience"] = c1.empty()
    c1.caption(minors.FLOOR_EXPLAINED)
    with c1.expander("Et les 15–17 ans ?"):
        st.markdown("\n".join(f"- {advice}" for advice in minors.TEENS_ADVICE))
    geo = c2.radio("Ciblage géographique", ["radius", "postcodes"], horizontal=True,
                   format_func={"radius": "Rayon autour de la bibliothèque", "postcodes": "Codes postaux"}.get,
                   key="c_geo")
    extra = st.text_input("Centres d'intérêt Meta en plus (séparés par des virgules)", key="c_extra")
    landing = st.text_input("Page d'arrivée (https://…)", key="c_landing")
    slots["landing_url"] = st.empty()
    st.markdown("**Annonceur** (repris des Paramètres du réseau)")
    a1, a2 = st.columns(2)
    page_id = identity_choice("Page Facebook", "c_page", field_of(campaign, "advertiser.page_id"),
                              network.facebook_page_id, network.facebook_page_name, a1)
    ig = identity_choice("Compte Instagram", "c_ig", field_of(campaign, "advertiser.instagram_user_id"),
                         network.instagram_user_id, network.instagram_username, a2)
    slots["advertiser.page_id"], slots["advertiser.instagram_user_id"] = a1.empty(), a2.empty()
    beneficiary = a1.text_input("Bénéficiaire (DSA)", key="c_beneficiary")
    payer = a2.text_input("Payeur (DSA)", key="c_payer")
    slots["advertiser.beneficiary"], slots["advertiser.payer"] = a1.empty(), a2.empty()
    submitted = st.form_submit_button("Construire le plan", type="primary")
    if submitted:
        raw = {
            "name": name, "themes": chosen_themes,
            "territory": {"departement": departement, "branches": branch_ids.split(), "areas": area_codes.split()},
            "period": {"start": start, "end": end}, "budget_eur": budget, "objective": objective,
            "audience": {"age_min": ages[0], "age_max": ages[1]},
            "extra_interests": [x.strip() for x in extra.split(",") if x.strip()],
            "advertiser": {"page_id": page_id, "instagram_user_id": ig or None, "beneficiary": beneficiary,
                           "payer": payer},
            "landing_url": landing, "geo": geo,
        }
        try:
            campaign = campaign_from_form(raw, campaign)
            st.session_state["campaign"] = campaign
        except InputError as exc:
            state.show_errors_beside(exc, slots)

if campaign is None:
    st.info("Choisissez un fichier de campagne ou remplissez le formulaire, puis « Construire le plan ».")
    st.stop()
aimed = minors.youth_aim([campaign.name] + [themes.get(t, t) for t in campaign.themes])
if aimed and campaign.audience.age_min >= 18:
    st.warning(f"Cette campagne vise des jeunes ({', '.join(aimed)}) mais Meta ne la montrera qu'à partir de "
               f"{campaign.audience.age_min} ans. Pour les 15–17 ans : " + " ; ".join(minors.TEENS_ADVICE) + ".", icon="🧒")

# ------------------------------------------------------------------------------------------ the plan

campaign_yaml = campaign_to_yaml(campaign)
try:
    with st.spinner("Calcul du plan…"):
        _, plan, payloads = state.planned(campaign_yaml)
except InputError as exc:
    state.show_input_error(exc)
    st.stop()
st.session_state["campaign_payloads"] = payloads
st.session_state["campaign_plan"] = plan

st.header("Plan")
m1, m2, m3, m4 = st.columns(4)
m1.metric("Ensembles de publicités", len(plan.ad_sets))
m2.metric("Habitants couverts", number(plan.population))
m3.metric("Budget par jour", f"{number(plan.daily_budget_eur, 2)} €")
m4.metric("Budget total", f"{number(plan.total_budget_eur, 2)} €", help=f"{plan.days} jour(s)")
state.catalogue_banner(plan.catalogue)
for note in plan.notes:
    st.info(note, icon="ℹ️")

table = state.derived(plan, "table", lambda: plan_table(plan))
st.dataframe(table, hide_index=True, width="stretch",
             column_config={"Budget / jour (€)": st.column_config.NumberColumn(format="%.2f"),
                            "Rayon (km)": st.column_config.NumberColumn(format="%.1f")})
if plan.outside_areas:
    with st.expander(f"Zones au-delà de 80 km de leur bibliothèque ({len(plan.outside_areas)})"):
        st.dataframe([o.model_dump() for o in plan.outside_areas], hide_index=True, width="stretch")

map_theme = st.selectbox("Carte du thème", campaign.themes, format_func=lambda t: themes.get(t, t), key="c_map_theme")
st.pydeck_chart(state.derived(plan, f"deck:{map_theme}", lambda: circles_deck(plan, map_theme)), height=480, alt="Carte des cercles ciblés par ensemble de publicités")

# ------------------------------------------------------------------------------------------ copy

st.header("Textes des publicités")
refs = [a.ref for a in plan.ad_sets]
by_ref = {a.ref: a for a in plan.ad_sets}
ref = st.selectbox("Ensemble de publicités", refs, format_func=lambda r: by_ref[r].name, key="c_copy_ref")
ad_set = by_ref[ref]
if ad_set.generic_copy:
    st.caption("Texte générique : aucun document du thème repéré dans cette bibliothèque.")
with st.form("copy_form"):
    primary = st.text_area("Texte principal", ad_set.copy.primary_text, key=f"copy_primary_{ref}")
    headline = st.text_input("Titre (40 caractères au plus)", ad_set.copy.headline, key=f"copy_headline_{ref}")
    description = st.text_input("Description", ad_set.copy.description, key=f"copy_description_{ref}")
    if st.form_submit_button("Enregistrer le texte"):
        overrides = {k: v.model_dump() for k, v in campaign.copy_overrides.items()}
        overrides[ref] = {"primary_text": primary, "headline": headline, "description": description}
        try:
            campaign = campaign_from_dict(campaign.model_dump() | {"copy_overrides": overrides}, file="formulaire")
            state.planned(campaign_to_yaml(campaign))  # refuses copy Meta would refuse (a headline too long…)
            st.session_state["campaign"] = campaign
            st.rerun()
        except (InputError, ValueError) as exc:
            st.error(f"Texte refusé : {exc}", icon="⚠️")

# ------------------------------------------------------------------------------------------ preview, visual

st.subheader("Aperçu de la publicité")
st.caption("Telle qu'elle paraîtra dans un fil Facebook : texte principal, visuel, titre, description et bouton.")
look, choose = st.columns([3, 2])
with look:
    shown = visual_files([ad_set])
    st.html(feed_post_html(ad_set, state.settings().network_name, shown[f"images/{ad_set.visual.file_name}"]))
    if ad_set.visual.story_file_name:
        with st.expander("Aperçu en story et en reel (visuel 9:16)"):
            st.html(story_html(ad_set, state.settings().network_name,
                               shown[f"images/{ad_set.visual.story_file_name}"]))
with choose:
    visual = ad_set.visual
    if visual.source == "drawn":
        st.caption("Visuel dessiné par outreach (thème, bibliothèque, ville, couleurs des Paramètres).")
    else:
        st.caption(f"Votre image : {visual.path}")
    st.caption(f"Texte alternatif : {visual.alt_text}")
    if ad_set.copy.other_primary_texts or ad_set.copy.other_headlines:
        with st.expander("Autres formulations, que Meta alterne (mêmes faits)"):
            for text in ad_set.copy.other_primary_texts:
                st.markdown(f"- {text}")
            for text in ad_set.copy.other_headlines:
                st.markdown(f"- *Titre* : {text}")
    upload = st.file_uploader("Remplacer le visuel (JPG ou PNG, 1080 px de large au moins, format 1:1 ou 4:5)",
                              type=["jpg", "jpeg", "png"], key=f"visual_upload_{ref}")
    alt = st.text_input("Texte alternatif de votre image (ce qu'elle montre)", key=f"visual_alt_{ref}")
    if upload is not None and st.button("Utiliser cette image", key=f"visual_use_{ref}"):
        try:
            updated = replace_visual(campaign, ref, upload.getvalue(), upload.name, alt=alt)
            state.planned(campaign_to_yaml(updated))  # the plan must still build with it
            st.session_state["campaign"] = updated
            st.rerun()
        except (InputError, OSError) as exc:
            st.error(f"Image refusée : {exc}", icon="⚠️")
    if ref in campaign.images.ad_sets and st.button("Revenir au visuel par défaut", key=f"visual_reset_{ref}"):
        st.session_state["campaign"] = drawn_again(campaign, ref)
        st.rerun()

# ------------------------------------------------------------------------------------------ save, download

st.header("Enregistrer et télécharger")
s1, s2 = st.columns([3, 1])
# a name, not a path: the file always goes into the campaigns folder (campaign_file_in)
opened = st.session_state.get("campaign_path")
default_name = Path(opened).name if opened else f"{slug(campaign.name)}.yaml"
# another file, a new campaign renamed, or a field that Streamlit forgot (the page stopped before it)
if st.session_state.get("c_save_for") != (chosen, default_name) or "c_save_path" not in st.session_state:
    st.session_state["c_save_for"] = (chosen, default_name)
    st.session_state["c_save_path"] = default_name
target = s1.text_input("Nom du fichier", key="c_save_path")
if s2.button("Enregistrer le fichier", key="c_save"):
    try:
        saved = save_campaign(campaign, campaign_file_in(CAMPAIGNS_DIR, target))
        st.session_state["campaign_path"] = str(saved)
        st.success(f"Campagne enregistrée (fichier « {saved.name} »).")
    except (InputError, OSError) as exc:
        st.error(str(exc), icon="⚠️")

template_file = st.file_uploader("Modèle : un export du Gestionnaire de publicités de votre compte (facultatif)",
                                 type=["xlsx", "csv", "txt"], key="c_template",
                                 help="Son en-tête sert de modèle aux fichiers ads-manager (colonnes et ordre).")
columns = None
if template_file is not None:
    try:
        columns = read_template(data=template_file.getvalue(), name=template_file.name)
    except InputError as exc:
        state.show_input_error(exc)

# What leaves the tool goes through the GDPR / DSA gate, exactly as `outreach plan` does.
prepared = pipeline.prepare(campaign, campaign_path=st.session_state.get("campaign_path"), template_columns=columns,
                            planned=(plan, payloads))
verdict = prepared.verdict
outputs = prepared.outputs()
for note in prepared.plan.notes[len(plan.notes):]:  # what the template check found
    st.warning(note, icon="⚠️")
if not verdict.export_allowed:
    blockers = ", ".join(i.id for i in verdict.checklist.open_blockers)
    st.warning(f"Les fichiers pour Meta seront disponibles une fois la checklist RGPD sans point bloquant ouvert "
               f"({blockers}) ; en attendant : la checklist, le registre et le fichier de campagne.", icon="⛔")
    state.link("app/pages/rgpd.py", "Ouvrir la checklist RGPD", ":material/shield:")
archive = io.BytesIO()
with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("campagne.yaml", campaign_yaml)
    for file_name, data in outputs.items():
        z.writestr(file_name, data)
shown = [name for name in ("meta-api.json", "ads-manager.xlsx", "plan.csv", "checklist.html") if name in outputs]
cells = st.columns(len(shown) + 2)
cells[0].download_button("Tout (zip)", archive.getvalue(), file_name=f"{slug(campaign.name)}.zip",
                         mime="application/zip", key="dl_zip")
for cell, name in zip(cells[1:], shown, strict=False):
    cell.download_button(name, outputs[name], file_name=name, key=f"dl_{name}")
cells[-1].download_button("campagne.yaml", campaign_yaml, file_name=Path(target).name or "campagne.yaml",
                          mime="application/x-yaml", key="dl_yaml")
st.caption("Envoi à Meta, toujours en pause : page Exporter.")

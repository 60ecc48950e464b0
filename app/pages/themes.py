"""Thèmes: the interest themes, what each branch offers for them, and any catalogue or agenda matched."""

from datetime import date

import pandas as pd
import streamlit as st

from app import harvest_view, in_force_view, state, themes_state
from outreach.cells import safe_frame
from outreach.datasets import shipped_branches
from outreach.errors import InputError
from outreach.themes import (
    ad_copy,
    coverage_by_theme,
    coverage_summary,
    coverage_warnings,
    dump_shelf_map,
    editor,
    load_shelf_map,
    load_themes,
    network_entries,
    parse_shelf_map,
    provenance_of,
    replace_theme,
    save_shelf_map,
    save_themes,
)
from outreach.yamlfile import parse_yaml

SENSITIVITY = {"none": "aucune", "flag": "à surveiller (ciblage large, sans critère d'intérêt)",
               "block": "interdit au ciblage"}
NETWORK_NAMES = {"facebook": "Facebook", "instagram": "Instagram", "x": "X", "mastodon": "Mastodon",
                 "youtube": "YouTube", "blog": "Blog"}

def meta_status(theme) -> None:
    """With a Meta token and an ad account: each interest's id, status and audience, from Meta."""
    from outreach.meta import MetaClient, check_themes, checks_table, meta_account_for_checks

    account = meta_account_for_checks()
    if account is None:
        st.caption("Une fois Meta connecté et le compte publicitaire choisi (page Paramètres), cette page "
                   "montre le statut et l'audience de chaque centre d'intérêt.")
        return
    if st.button("Vérifier les centres d'intérêt auprès de Meta", key=f"themes_meta_{theme.id}"):
        try:
            updated, checks = check_themes(MetaClient(account), [theme])
        except InputError as exc:
            state.show_input_error(exc)
            return
        st.dataframe(pd.DataFrame(checks_table(checks)), hide_index=True, key=f"themes_meta_table_{theme.id}")
        if updated[0] != theme:
            st.session_state.themes_list = [updated[0] if t.id == theme.id else t for t in themes]
            save_themes(st.session_state.themes_list)
            st.success("Identifiants Meta et date de résolution enregistrés dans le fichier des thèmes.")


st.title("Thèmes")
st.caption("Les centres d'intérêt du public, reliés aux collections et aux rendez-vous de chaque bibliothèque : "
           "ce que l'annonce peut promettre, preuve à l'appui.")

if "themes_list" not in st.session_state:
    try:
        st.session_state.themes_list = load_themes()
    except InputError as exc:
        state.show_input_error(exc)
        st.stop()
themes = st.session_state.themes_list
by_id = {t.id: t for t in themes}
key = themes_state.freeze(themes)
branches = {b.id: b for b in shipped_branches()}

if "shelf_map_saved" in st.session_state:
    st.session_state.pop("shelf_map_saved")
    st.success("Carte des cotes enregistrée avec les réglages du réseau.", icon="💾")
tab_browse, tab_branch, tab_upload, tab_shelves = st.tabs(["Catalogue des thèmes", "Par bibliothèque", "Vos fichiers",
                                                           "Cotes et rayons"])

# ---------- browse and edit ----------
with tab_browse:
    pick = st.selectbox("Thème", list(by_id), format_func=lambda i: f"{by_id[i].label} ({i})", key="themes_pick")
    theme = by_id[pick]
    st.markdown(f"**{theme.label}** — {theme.description}")
    if theme.sensitivity != "none":
        st.warning(f"Sensibilité : {SENSITIVITY[theme.sensitivity]}. {theme.sensitivity_note}", icon="⚠️")
    left, right = st.columns(2)
    left.markdown("**Intérêts Meta** : " + ", ".join(
        i.name + (f" (`{i.id}`, résolu le {i.resolved_at:%d/%m/%Y})" if i.id and i.resolved_at else "")
        for i in theme.meta_interests))
    meta_status(theme)
    left.markdown("**Mots-clés** : " + ", ".join(theme.keywords))
    left.markdown("**Vedettes RAMEAU** : " + (", ".join(theme.rameau) or "—"))
    right.markdown("**Dewey** : " + (", ".join(theme.dewey) or "—"))
    right.markdown("**Genres et collections** : " + (", ".join(theme.genres) or "—"))
    right.markdown("**Collections éditoriales** : " + (", ".join(theme.series) or "—"))
    st.markdown("**Hashtags** : " + " · ".join(f"{NETWORK_NAMES.get(n, n)} {' '.join(tags)}"
                                                for n, tags in theme.hashtags.items()))

    st.header("Modifier")
    st.caption("Modifiez le thème, appliquez, puis enregistrez le fichier des thèmes.")
    values = editor.to_form(theme)
    with st.form(f"theme_form_{pick}"):
        form, slots = {}, {}  # slots: where each field's error shows, under its input
        form["label"] = st.text_input("Nom du thème", values["label"], key=f"tf_label_{pick}")
        slots["label"] = st.empty()
        form["description"] = st.text_area("Description", values["description"], height=80, key=f"tf_desc_{pick}")
        slots["description"] = st.empty()
        form["sensitivity"] = st.selectbox("Sensibilité", list(editor.SENSITIVITIES),
                                           index=list(editor.SENSITIVITIES).index(values["sensitivity"]),
                                           format_func=editor.SENSITIVITIES.get, key=f"tf_sens_{pick}")
        slots["sensitivity"] = st.empty()
        form["meta_interests"] = st.text_area("Centres d'intérêt Meta (un par ligne, tels que le Gestionnaire de "
                                              "publicités les écrit)", values["meta_interests"], height=100,
                                              key=f"tf_interests_{pick}")
        slots["meta_interests"] = st.empty()
        c1, c2 = st.columns(2)
        for i, (field, label) in enumerate(editor.LIST_FIELDS.items()):
            column = c1 if i % 2 == 0 else c2
            form[field] = column.text_area(label, values[field], height=110, key=f"tf_{field}_{pick}")
            slots[field] = column.empty()
        st.markdown("**Hashtags par réseau** (séparés par des espaces ; pour le blog, des étiquettes séparées par "
                    "des virgules)")
        cols = st.columns(3)
        for i, network in enumerate(NETWORK_NAMES):
            form[f"hashtags_{network}"] = cols[i % 3].text_input(NETWORK_NAMES[network], values[f"hashtags_{network}"],
                                                                 key=f"tf_tags_{network}_{pick}")
            slots[f"hashtags.{network}"] = cols[i % 3].empty()
        slots["hashtags"] = st.empty()
        applied = st.form_submit_button("Appliquer", type="primary")
        form_slot = st.empty()
    if applied:
        try:
            new = editor.from_form(theme, form, by_id)
            st.session_state.themes_list = [new if t.id == pick else t for t in themes]
            form_slot.success(f"Thème « {new.label} » vérifié ; enregistrez le fichier pour le garder.", icon="✅")
        except InputError as exc:
            state.show_errors_beside(exc, slots, form_slot)

    with st.expander("Mode expert : le thème en YAML"):
        edited = st.text_area("Thème (YAML)", themes_state.themes_yaml((theme.model_dump_json(),), header=False).split("themes:\n", 1)[1],
                              height=320, key=f"themes_yaml_{pick}")
        check_slot = st.empty()
    check_col, save_col = st.columns(2)
    if check_col.button("Vérifier et appliquer le YAML", key="themes_check"):
        try:
            st.session_state.themes_list = replace_theme(themes, pick, edited)
            new = st.session_state.themes_list[[t.id for t in themes].index(pick)]
            check_slot.success(f"Thème « {new.label} » vérifié ; enregistrez pour le garder.", icon="✅")
        except InputError as exc:
            check_slot.error(str(exc), icon="⚠️")
    if save_col.button("Enregistrer le fichier des thèmes", key="themes_save"):
        try:
            save_themes(st.session_state.themes_list)
            st.success(f"Fichier des thèmes enregistré ({len(st.session_state.themes_list)} thèmes).", icon="💾")
        except InputError as exc:
            st.error(str(exc), icon="⚠️")
    current = themes_state.freeze(st.session_state.themes_list)  # what "Appliquer" may have just changed
    st.download_button("Télécharger themes.yaml", themes_state.themes_yaml(current),
                       file_name="themes.yaml", mime="text/yaml")

# ---------- per branch ----------
def branch_tab() -> None:
    """What each branch offers per theme, with a draft ad: on the catalogue in force, else the sample."""
    today = st.date_input("Rendez-vous à partir du", date.today(), key="themes_today", format="DD/MM/YYYY")
    # the network's catalogue and agenda in force when loaded, else the demonstration sample (said as such)
    try:
        provenance, shown, summaries, catalogue_items, catalogue_matches, demo = themes_state.branch_figures(
            key, today, themes_state.shelf_key())
    except InputError as exc:
        state.show_input_error(exc)
        return
    state.catalogue_banner(provenance)
    if demo:
        st.caption("Événements : OpenAgenda réels, redatés et attribués aux bibliothèques du réseau livré (voir "
                   "data/SOURCES.md).")
    if not shown:
        st.warning("Aucune notice du catalogue chargé n'est rattachée à une bibliothèque du réseau : reliez ses "
                   "codes de bibliothèque à vos bibliothèques (onglet « Vos fichiers »).", icon="⚠️")
        return
    branch_id = st.selectbox("Bibliothèque", list(shown), key="themes_branch",
                             format_func=lambda b: f"{shown[b].name} ({shown[b].city})")
    rows = []
    for t in themes:
        s = summaries[(t.id, branch_id)]
        rows.append({"Thème": t.label, "Titres": s.n_items,
                     "Prochain rendez-vous": f"{s.next_events[0].title} ({s.next_events[0].start:%d/%m})"
                     if s.next_events else "", "Sensibilité": SENSITIVITY[t.sensitivity].split(" (")[0]})
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")

    theme_id = st.selectbox("Détail du thème", list(by_id), key="themes_branch_theme",
                            format_func=lambda i: by_id[i].label)
    s = summaries[(theme_id, branch_id)]
    copy = ad_copy(by_id[theme_id], shown[branch_id], s)
    demo_agenda = any(e.demo for e in s.next_events)
    st.markdown("**Brouillon d'annonce**" + (" (générique : aucun chiffre à prouver)" if copy.generic else "")
                + (" — sans chiffre : l'échantillon de démonstration ne décrit pas cette bibliothèque" if s.demo else "")
                + (" — sans rendez-vous : ceux de l'agenda de démonstration n'ont lieu dans aucune de vos "
                   "bibliothèques" if demo_agenda else ""))
    st.info(f"{copy.primary_text}\n\n**{copy.headline}** — {copy.description}")
    reasons = {m.item_id: (m.score, m.reason) for m in catalogue_matches if m.theme_id == theme_id}
    items = [i for i in catalogue_items if i.branch_id == branch_id and i.id in reasons]
    items.sort(key=lambda i: (-(i.loans or 0), i.title))
    items = themes_state.shown_items(items)
    st.dataframe(pd.DataFrame([{
        "Notice": i.id, "Titre": i.title, "Auteur": i.author, "Année": i.year, "Prêts": i.loans,
        "Score": reasons[i.id][0], "Pourquoi": reasons[i.id][1]} for i in items],
        columns=["Notice", "Titre", "Auteur", "Année", "Prêts", "Score", "Pourquoi"]),
        hide_index=True, width="stretch", placeholder="")  # no year or loan count known: an empty cell
    if s.next_events:
        st.markdown("**Prochains rendez-vous** : " + " ; ".join(
            f"{e.title} le {e.start:%d/%m/%Y à %H h %M}" for e in s.next_events))



with tab_branch:
    branch_tab()

# ---------- shelf map ----------
NO_THEME = "(aucun : code ignoré)"


def shelf_proposal(proposal) -> None:
    """The loaded file's most frequent codes with their counts and a proposed theme, for the officer to confirm."""
    if not proposal:
        return
    st.markdown("**Cotes et rayons les plus fréquents du fichier** : confirmez ou corrigez le thème, puis ajoutez-les "
                "à la carte des cotes du réseau.")
    # themes by their label, and a named empty choice: an empty cell would read "None" in the grid
    label_of = {theme_id: theme.label for theme_id, theme in by_id.items()} | {"": NO_THEME}
    id_of = {label: theme_id for theme_id, label in label_of.items()}
    frame = pd.DataFrame([{"Garder": bool(p.themes) and p.source != "carte", "Code": p.code, "Notices": p.records,
                           "Exemple": p.example or "", "Thème": label_of.get(p.themes[0] if p.themes else "", NO_THEME),
                           "Origine": {"carte": "déjà dans la carte", "libellé": "proposé d'après le libellé"}
                           .get(p.source, "")} for p in proposal])
    edited = st.data_editor(frame, hide_index=True, width="stretch", key="shelf_proposal_editor",
                            disabled=["Notices", "Exemple", "Origine"],
                            column_config={"Thème": st.column_config.SelectboxColumn(options=list(id_of),
                                                                                      required=True)})
    if st.button("Ajouter les lignes gardées à la carte des cotes", key="shelf_proposal_save"):
        entries = network_entries()
        for row in edited.to_dict("records"):
            if row["Garder"]:
                theme_id = id_of.get(row["Thème"] or NO_THEME, "")
                entries[str(row["Code"]).strip()] = [theme_id] if theme_id else []
        try:
            saved_shelf_map(save_shelf_map(entries, theme_ids=by_id))
        except InputError as exc:
            state.show_input_error(exc)


def saved_shelf_map(target) -> None:
    """Run the page again, so that every figure on it uses the saved map, and say so at the top."""
    st.session_state.shelf_map_saved = str(target)
    st.rerun()


with tab_shelves:
    st.caption("Les débuts de cote et les codes de rayon, section ou catégorie de vos exemplaires (« R POL », "
               "« BD M », « SF »…) : le signe le plus sûr du genre d'un document, puisqu'un bibliothécaire l'a "
               "rangé là. La carte livrée suit les usages courants ; la carte du réseau les complète ou les "
               "désactive (un code sans thème).")
    in_force, own = load_shelf_map(), network_entries()
    st.dataframe(pd.DataFrame([{"Code": code, "Thème(s)": ", ".join(ids) or "— (désactivé)",
                                "Origine": "réseau" if code in own else "livrée"}
                               for code, ids in sorted(in_force.items())]),
                 hide_index=True, width="stretch", key="shelf_map_table")
    own_text = st.text_area("Carte des cotes du réseau (YAML)", dump_shelf_map(own), height=220, key="shelf_map_yaml")
    if st.button("Vérifier et enregistrer la carte des cotes", key="shelf_map_save"):
        try:
            entries = parse_shelf_map(parse_yaml(own_text, file="carte des cotes"), "carte des cotes",
                                      theme_ids=by_id)
            saved_shelf_map(save_shelf_map(entries, theme_ids=by_id))
        except InputError as exc:
            state.show_input_error(exc)
    st.caption("La carte des cotes est enregistrée avec les réglages du réseau.")

# ---------- upload ----------
with tab_upload:
    st.caption("Un export du catalogue (ISO 2709 UNIMARC ou MARC21, MARCXML, ou CSV avec l'en-tête décrit dans le "
               "guide) ou de l'agenda (iCalendar .ics, export OpenAgenda .json, .csv ou .xlsx) : chaque notice "
               "ou événement reçoit ses thèmes, avec la raison.")
    cat_col, ag_col = st.columns(2)
    catalogue_file = cat_col.file_uploader("Catalogue", type=["mrc", "marc", "iso", "xml", "csv", "txt"],
                                           key="themes_catalogue_upload")
    agenda_file = ag_col.file_uploader("Agenda", type=["ics", "json", "csv", "xlsx"], key="themes_agenda_upload")
    if catalogue_file is not None:
        try:
            read, matches, cov, proposal = themes_state.uploaded_catalogue(
                catalogue_file.name, catalogue_file.getvalue(), key, themes_state.shelf_key())
            titles = {i.id: i.title for i in read.items}
            for note in read.notes:
                cat_col.info(note, icon="ℹ️")
            cat_col.metric("Notices lues", len(read.items), help=read.format)
            state.catalogue_banner(provenance_of(read.items, label=f"catalogue chargé « {catalogue_file.name} »"),
                                   cat_col)
            cat_col.caption(coverage_summary(cov, catalogue_file.name) + " " + coverage_by_theme(cov, themes))
            for warning in coverage_warnings(cov, catalogue_file.name):
                cat_col.warning(warning, icon="⚠️")
            in_force_view.keep_button("catalogue", catalogue_file.name, catalogue_file.getvalue(), cat_col)
            shelf_proposal(proposal)
            frame = pd.DataFrame([{"Notice": m.item_id, "Titre": titles.get(m.item_id, ""), "Thème": by_id[m.theme_id].label if m.theme_id in by_id else m.theme_id,
                                   "Score": m.score, "Pourquoi": m.reason} for m in matches],
                                 columns=["Notice", "Titre", "Thème", "Score", "Pourquoi"])
            st.dataframe(frame, hide_index=True, width="stretch", key="themes_catalogue_table")
            st.download_button("Télécharger les correspondances (CSV)", safe_frame(pd.DataFrame(
                [m.model_dump() for m in matches], columns=["item_id", "theme_id", "score", "reason"])).to_csv(
                index=False, float_format="%.3f"), file_name="correspondances-themes.csv", mime="text/csv")
        except InputError as exc:
            state.show_input_error(exc, cat_col)
    if agenda_file is not None:
        try:
            read, matches = themes_state.uploaded_agenda(agenda_file.name, agenda_file.getvalue(), key)
            events = {e.id: e for e in read.events}
            for note in read.notes:
                ag_col.info(note, icon="ℹ️")
            ag_col.metric("Événements lus", len(read.events), help=read.format)
            in_force_view.keep_button("agenda", agenda_file.name, agenda_file.getvalue(), ag_col)
            st.dataframe(pd.DataFrame([{
                "Événement": events[m.item_id].title, "Date": events[m.item_id].start,
                "Bibliothèque": branches.get(events[m.item_id].branch_id).name
                if events[m.item_id].branch_id in branches else "", "Thème": by_id[m.theme_id].label if m.theme_id in by_id else m.theme_id, "Score": m.score,
                "Pourquoi": m.reason} for m in matches],
                columns=["Événement", "Date", "Bibliothèque", "Thème", "Score", "Pourquoi"]),
                hide_index=True, width="stretch")
        except InputError as exc:
            state.show_input_error(exc, ag_col)
    in_force_view.section()
    harvest_view.harvest_section(key)

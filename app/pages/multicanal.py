"""Multicanal: the campaign as posts for every network, each in its role, with a preview, counters, editing.

The campaign is the one open on the Campagne page (st.session_state["campaign"]), else the example file.
Posts come from the same functions as `outreach channels`, so the downloads equal the CLI's files; the
officer's edits are checked against each network's rules before they reach the downloads.
"""

import html
import io
import re
import zipfile

import streamlit as st

from app import state
from outreach.campaign import campaign_to_yaml
from outreach.channels import (
    BLOG_FILE,
    CALENDAR_FILE,
    KIND_LABELS,
    POSTS_FILE,
    count,
    links_in,
    load_channels,
    render_files,
    review_edits,
)
from outreach.errors import InputError

ICONS = {"blog": "📝", "facebook": "📘", "instagram": "📸", "x": "✖️", "mastodon": "🐘", "youtube": "▶️",
         "newsletter": "✉️"}

st.title("Multicanal")
st.caption("Une campagne, chaque réseau dans son rôle : le blog d'abord, site central qui intègre les autres "
           "réseaux, puis les relais qui renvoient vers l'article, et les annonces d'événements à J-14, J-7 et "
           "J-1 — d'après la stratégie de dissémination de la médiathèque de la Canopée.")


def publishing_tab(pack, campaign, settings, channels, blocking) -> None:
    """Connect the networks, see where each post stands, schedule all of them or a chosen few."""
    from datetime import UTC, datetime

    from outreach.channels import publishing
    from outreach.paths import output_dir
    from outreach.settings import save_settings
    from outreach.text import slug

    with st.expander("Connecter les réseaux", expanded=not (settings.blog_url or settings.mastodon_instance)):
        st.caption("La page Facebook et le compte Instagram utilisent la connexion à Meta de la page Paramètres. "
                   "Les mots de passe et jetons restent sur cet ordinateur, lisibles par vous seul, et ne "
                   "s'affichent plus une fois enregistrés.")
        with st.form("networks"):
            c1, c2 = st.columns(2)
            blog = c1.text_input("Adresse du blog WordPress", settings.blog_url, placeholder="https://…")
            user = c1.text_input("Identifiant WordPress", settings.wordpress_user)
            password = c1.text_input("Mot de passe d'application WordPress", type="password",
                                     placeholder="déjà enregistré" if publishing.secret(publishing.WORDPRESS_PASSWORD)
                                     else "Comptes → Profil → Mots de passe d'application")
            schedule_posts = c1.checkbox("Programmer les articles à leur date (sinon : brouillons à relire)",
                                         settings.wordpress_schedule)
            instance = c2.text_input("Instance Mastodon", settings.mastodon_instance, placeholder="https://…")
            token = c2.text_input("Jeton Mastodon", type="password",
                                  placeholder="déjà enregistré" if publishing.secret(publishing.MASTODON_TOKEN)
                                  else "Préférences → Développement → Nouvelle application")
            saved = st.form_submit_button("Enregistrer")
        if saved:
            try:
                for name, value in ((publishing.WORDPRESS_PASSWORD, password), (publishing.MASTODON_TOKEN, token)):
                    if value.strip():
                        publishing.save_secret(name, value)
                settings = settings.model_copy(update={"blog_url": blog.strip(), "wordpress_user": user.strip(),
                                                       "wordpress_schedule": schedule_posts,
                                                       "mastodon_instance": instance.strip()})
                save_settings(settings)
                st.success("Réseaux enregistrés.", icon="✅")
            except InputError as exc:
                state.show_input_error(exc)
    try:
        publishers = publishing.connect(settings, pack)
    except InputError as exc:
        state.show_input_error(exc)
        return
    if not publishers:
        st.info("Aucun réseau connecté : renseignez-les ci-dessus (ou la connexion à Meta dans Paramètres). Les "
                "fichiers de l'onglet Téléchargements restent disponibles.", icon="ℹ️")
        return
    if st.button("Tester la connexion", key="test_networks"):
        for publisher in publishers.values():
            try:
                st.success(f"{publisher.network} : connecté ({publisher.check()}).", icon="✅")
            except InputError as exc:
                st.error(f"{publisher.network} : {exc}", icon="⚠️")
    ledger = publishing.Ledger.load(output_dir() / slug(campaign.name) / "multicanal" / publishing.LEDGER_FILE)
    now = datetime.now(UTC)
    from outreach.channels import campaign_themes
    from outreach.visuals import theme_visual_files

    visuals = theme_visual_files(campaign, campaign_themes(campaign), settings, ledger.path.parent / "visuels")
    actions = publishing.plan(pack, ledger, publishers, now=now, visuals=visuals)
    states = {"draft": "brouillon", "scheduled": "programmée", "published": "publiée"}
    st.dataframe([{"Date": f"{a.when:%d/%m/%Y %H:%M}", "Réseau": channels[a.channel].name,
                   "Publication": a.title, "État": states.get(getattr(ledger.get(a.post_id), "state", ""),
                                                               "non envoyée"),
                   "À faire": a.label + (f" ({a.note})" if a.note else "")} for a in actions],
                 hide_index=True, width="stretch")
    pending = [a for a in actions if a.kind in ("create", "update", "delete")]
    if blocking:
        st.error("Corrigez d'abord les publications signalées dans les onglets des réseaux.", icon="⚠️")
        return
    if not pending:
        st.success("Tout est à jour sur les réseaux connectés.", icon="✅")
        return
    labels = {a.post_id: f"{channels[a.channel].name} — {a.when:%d/%m %H:%M} — {a.title}" for a in pending}
    chosen = st.multiselect("Publications à programmer (toutes si aucune n'est choisie)", list(labels),
                            format_func=labels.get, placeholder="Choisir une ou plusieurs publications")
    if st.button(f"Programmer {len(chosen) or len(pending)} publication(s)", type="primary", key="schedule"):
        scheduling = {k: v for k, v in publishers.items() if v.schedules}
        try:
            with st.spinner("Envoi aux réseaux…"):
                done = publishing.apply(pack, ledger, scheduling, now=now, visuals=visuals,
                                        only=set(chosen) or None)
            st.success(f"{done.sent} publication(s) envoyée(s).", icon="✅")
            st.rerun()
        except InputError as exc:
            st.error(str(exc), icon="⚠️")


# ------------------------------------------------------------------------------------------ the campaign

from_session = st.session_state.get(state.CAMPAIGN) is not None
try:
    campaign, campaign_path = state.current_campaign()
    channels = load_channels()
except InputError as exc:
    state.show_input_error(exc)
    st.stop()

source = "campagne ouverte sur la page Campagne" if from_session else f"exemple {campaign_path.name}"
st.info(f"**{campaign.name}** — du {campaign.period.start:%d/%m/%Y} au {campaign.period.end:%d/%m/%Y} "
        f"({source}).", icon="📣")
# the posts rest on the catalogue in force (campaign_brief's default): said, with its date and count
state.catalogue_banner(state.catalogue_in_force().provenance)
settings = state.settings()
try:
    with st.spinner("Rédaction des publications…"):
        site, pack = state.posts(campaign_to_yaml(campaign), settings.blog_url.strip())
except InputError as exc:
    state.show_input_error(exc)
    st.stop()

for note in pack.notes:
    st.info(note, icon="ℹ️")

# ------------------------------------------------------------------------------------------ edits

edit_key = f"channels_edit--{pack.campaign_slug}--"
drafts = {p.id: p.text for p in pack.posts}
edited, problems = review_edits(pack, {p.id: st.session_state.get(edit_key + p.id, p.text) for p in pack.posts},
                                channels)
posts = edited.posts
blocking = [p for found in problems.values() for p in found if p.blocking]

m1, m2, m3, m4 = st.columns(4)
m1.metric("Publications", len(posts))
m2.metric("Réseaux", len({p.channel for p in posts}))
m3.metric("Annonces d'événements", sum(p.kind == "event" for p in posts))
m4.metric("À corriger", len(blocking))

# ------------------------------------------------------------------------------------------ previews


def counter(post, profile) -> str:
    c = profile.constraints
    n = count(post.text, c)
    limit = c.text_limit
    colour = "red" if n > c.max_chars else ("orange" if n > limit else "green")
    extra = " — chaque lien compte pour 23" if c.link_chars else ""
    return f":{colour}[**{n} / {limit}** caractères{extra}]"


def preview(post, profile) -> None:
    """The post roughly as the network shows it: name, date, text, hashtags in colour, link or card."""
    body = html.escape(post.text).replace("\n", "<br>")
    if profile.constraints.link_chars:  # X and Mastodon show a link shortened, whatever its length
        for link in links_in(post.text):
            shown = link.split("://", 1)[-1]
            shown = shown if len(shown) <= 30 else shown[:29] + "…"
            body = body.replace(html.escape(link), f'<span style="color:#1d6fd6">{html.escape(shown)}</span>')
    for tag in post.hashtags:
        body = body.replace(f"#{html.escape(tag)}", f'<span style="color:#1d6fd6">#{html.escape(tag)}</span>')
    title = f"<div style='font-weight:700;font-size:1.05em'>{html.escape(post.title)}</div>" if post.title else ""
    image = post.images[0] if post.images else None
    picture = (f"<div style='background:#eef1f5;border-radius:6px;padding:.6em;margin:.5em 0;font-size:.85em;"
               f"aspect-ratio:{image.ratio.replace(':', '/')};max-height:12em;overflow:hidden'>🖼️ "
               f"{html.escape(image.description)}</div>") if image else ""
    link = ""
    if profile.constraints.link_placement == "bio":
        link = "<div style='font-size:.8em;color:#666'>Lien dans la bio du compte</div>"
    elif profile.constraints.link_placement == "card" and post.link not in post.text:
        link = f"<div style='font-size:.8em;color:#666'>🔗 {html.escape(post.link)}</div>"
    st.markdown(
        f"<div style='border:1px solid #d0d5dd;border-radius:10px;padding:.8em 1em;background:#fff'>"
        f"<div style='font-size:.8em;color:#666'>{ICONS.get(profile.id, '')} {html.escape(profile.name)} · "
        f"{post.when:%d/%m/%Y %H:%M} · {KIND_LABELS[post.kind]}</div>{title}{picture}"
        f"<div style='margin-top:.4em;line-height:1.45'>{body}</div>{link}</div>", unsafe_allow_html=True)


tabs = st.tabs([f"{ICONS.get(cid, '')} {profile.name}" for cid, profile in channels.items()]
               + ["🗓️ Calendrier", "⬇️ Téléchargements", "🚀 Publier sur les réseaux"])
for tab, (cid, profile) in zip(tabs, channels.items(), strict=False):
    with tab:
        st.markdown(f"**Rôle** : {profile.role}  \n**Public** : {profile.public}")
        mine = [p for p in posts if p.channel == cid]
        if not mine:
            st.write("Aucune publication sur ce réseau pour cette campagne.")
        for post in mine:
            left, right = st.columns([3, 2])
            with left:
                preview(post, profile)
                st.markdown(counter(post, profile))
                for image in post.images:
                    st.caption(f"Image {image.ratio} ({image.width}×{image.height}) — texte alternatif : "
                               f"{image.alt_text}")
            with right:
                # the draft stays the widget's default so that the widget keeps its identity across reruns
                st.text_area("Texte", value=drafts[post.id], key=edit_key + post.id, height=220,
                             label_visibility="collapsed")
                for problem in problems[post.id]:
                    (st.error if problem.blocking else st.warning)(problem.message, icon="⚠️")
            st.divider()
        if cid == "blog":
            for blog in pack.blogs:
                with st.expander(f"Aperçu de l'article : {blog.title}"):
                    st.markdown(blog.html, unsafe_allow_html=True)
        if cid == "youtube":
            for brief in pack.lsf:
                with st.expander(f"Brief de la vidéo LSF : {brief.title}", expanded=True):
                    # one level down: the brief's own title sits under the page's (headings in order)
                    st.markdown(re.sub(r"^(#+) ", r"#\1 ", brief.markdown(), flags=re.MULTILINE))
                    st.download_button("Sous-titres (.srt)", brief.srt(), file_name=f"lsf-{brief.theme_id}.srt",
                                       mime="text/plain", key=f"srt-{brief.theme_id}")

with tabs[-3]:
    st.dataframe([{"Date": f"{p.when:%d/%m/%Y %H:%M}", "Réseau": channels[p.channel].name,
                   "Publication": KIND_LABELS[p.kind] + (f" (J-{p.reminder_days})" if p.reminder_days else ""),
                   "Texte": p.title or p.text.split("\n")[0][:120]} for p in posts],
                 hide_index=True, width="stretch")

with tabs[-2]:
    if blocking:
        st.error(f"{len(blocking)} publication(s) à corriger avant de télécharger : voyez les messages sous les "
                 "textes modifiés.", icon="⚠️")
    else:
        def downloads():
            files = render_files(pack.with_posts(posts), site_url=site, site_name=campaign.name, channels=channels)
            archive = io.BytesIO()
            with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
                for name, data in files.items():
                    z.writestr(name, data)
            return files, archive.getvalue()

        # made again only when a text changes
        files, zipped = state.derived(pack, "files:" + "\x00".join(p.text for p in posts), downloads)
        st.download_button("Publications (posts.csv)", files[POSTS_FILE], file_name=POSTS_FILE, mime="text/csv",
                           key="dl_posts")
        st.download_button("Calendrier éditorial (calendar.ics)", files[CALENDAR_FILE], file_name=CALENDAR_FILE,
                           mime="text/calendar", key="dl_calendar")
        st.download_button("Brouillons WordPress (blog.wxr.xml)", files[BLOG_FILE], file_name=BLOG_FILE,
                           mime="application/xml", key="dl_wxr",
                           help="Dans WordPress : Outils → Importer → WordPress ; les articles arrivent en brouillon.")
        st.download_button("Tout (zip)", zipped, file_name=f"{pack.campaign_slug}-multicanal.zip",
                           mime="application/zip", key="dl_zip")

with tabs[-1]:
    publishing_tab(pack.with_posts(posts), campaign, settings, channels, blocking)

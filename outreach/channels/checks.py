"""Checking posts against their channel's rules, and applying the officer's edits.

The composer's drafts always pass; an edited text may not, so an edit is checked before it is taken:
too long for the platform, a title too long, too many hashtags, a link without UTM parameters, an image
without alternative text. Links typed into an edited text get the channel's UTM parameters added.
"""

from __future__ import annotations

from pydantic import BaseModel

from outreach.channels.links import utm_of, with_utm
from outreach.channels.posts import ChannelPack, Post
from outreach.channels.profiles import ChannelProfile, load_channels
from outreach.channels.text import count, links_in
from outreach.errors import InputError
from outreach.text import number


class Problem(BaseModel):
    post_id: str
    channel: str
    message: str
    blocking: bool = True


def length(post: Post, profile: ChannelProfile) -> int:
    """The post's length as its platform counts it (links as 23 on X and Mastodon)."""
    return count(post.text, profile.constraints)


def check_post(post: Post, profile: ChannelProfile) -> list[Problem]:
    c = profile.constraints
    out: list[Problem] = []

    def add(message: str, blocking: bool = True) -> None:
        out.append(Problem(post_id=post.id, channel=post.channel, message=message, blocking=blocking))

    n = length(post, profile)
    if n > c.max_chars:
        add(f"{number(n)} caractères pour {number(c.max_chars)} au plus sur {profile.name}"
            + (" (chaque lien compte pour 23)." if c.link_chars else "."))
    elif c.target_chars and n > c.target_chars:
        add(f"{number(n)} caractères : au-delà des {number(c.target_chars)} conseillés sur "
            f"{profile.name}.", blocking=False)
    if not post.text.strip():
        add("le texte est vide.")
    if post.title and c.title_max_chars and len(post.title) > c.title_max_chars:
        add(f"titre de {len(post.title)} caractères pour {c.title_max_chars} au plus.")
    if len(post.hashtags) > c.max_hashtags:
        add(f"{len(post.hashtags)} hashtags pour {c.max_hashtags} au plus sur {profile.name}.")
    for link in [post.link, *links_in(post.text)]:
        # a bare domain may be a title ("Marmiton.org"): only links with their scheme are surely links
        if link.startswith("http") and utm_of(link).get("utm_source") is None:
            add(f"lien sans paramètres UTM : {link}")
    for image in post.images:
        if not image.alt_text.strip():
            add("image sans texte alternatif.")
        elif len(image.alt_text) > c.image.alt_text_max_chars:
            add(f"texte alternatif de {len(image.alt_text)} caractères pour {c.image.alt_text_max_chars} au plus.")
    return out


def tag_links(text: str, post: Post, profile: ChannelProfile, campaign: str) -> str:
    """Every link of `text` without UTM parameters gets those of the post's channel; a bare domain
    ("bmvr.marseille.fr/agenda", which the networks make clickable) gets its https:// scheme as well."""
    for link in sorted(set(links_in(text)), key=len, reverse=True):
        if not utm_of(link):
            url = link if link.startswith("http") else f"https://{link}"
            tagged = with_utm(url, source=profile.id, medium=profile.utm_medium, campaign=campaign,
                              content=f"{post.theme_id or 'campagne'}-{post.kind}")
            text = text.replace(link, tagged)
    return text


def edit_post(post: Post, text: str, profile: ChannelProfile, campaign: str) -> tuple[Post, list[Problem]]:
    """The post with the officer's text (links tagged with UTM parameters) and what is wrong with it."""
    edited = post.model_copy(update={"text": tag_links(text.strip(), post, profile, campaign)})
    return edited, check_post(edited, profile)


def review_edits(pack: ChannelPack, edits: dict[str, str], channels: dict[str, ChannelProfile] | None = None
                 ) -> tuple[ChannelPack, dict[str, list[Problem]]]:
    """The pack with the edited texts (post id → text; an unchanged text is no edit), and every post's
    problems against its channel's rules (the Multicanal page shows them under each text)."""
    channels = channels or load_channels()
    known = {p.id for p in pack.posts}
    unknown = sorted(set(edits) - known)
    if unknown:
        raise InputError(f"publication inconnue : {', '.join(unknown)}.",
                         fix="Régénérez les publications : la campagne a changé depuis la modification.")
    posts, problems = [], {}
    for post in pack.posts:
        profile = channels[post.channel]
        if post.id in edits and edits[post.id] != post.text:
            post, found = edit_post(post, edits[post.id], profile, pack.utm_campaign or pack.campaign_name)
        else:
            found = check_post(post, profile)
        posts.append(post)
        problems[post.id] = found
    return pack.with_posts(posts), problems

"""Publishing a campaign's posts through the networks' own APIs, idempotently.

    publishers = connect(settings, pack, secrets)         # the networks that are connected
    actions = sync.plan(pack, ledger, publishers, now=…)  # what would be sent (--dry-run)
    sync.apply(pack, ledger, publishers, now=…)           # send it; rerunning changes nothing

WordPress (drafts or scheduled articles), the Facebook Page (scheduled posts) and Mastodon (scheduled
statuses) are scheduled ahead; Instagram, which has no scheduling API, is published when due by
`outreach channels publish-due`. X and YouTube stay as exports: X's API is paid, LSF videos are made by people.
"""

from __future__ import annotations

from collections.abc import Callable

from outreach import paths
from outreach.channels.posts import ChannelPack
from outreach.channels.publishing.base import PublishError, Remote, checked_secret
from outreach.channels.publishing.ledger import LEDGER_FILE, Ledger, Publication
from outreach.channels.publishing.sync import KIND_LABELS, Action, Outcome, apply, plan
from outreach.errors import register_secret

# secrets: read like the Meta token (environment, then Streamlit's secrets file), never written in settings
WORDPRESS_PASSWORD = "WORDPRESS_APP_PASSWORD"
MASTODON_TOKEN = "MASTODON_TOKEN"
META_TOKEN = "META_ACCESS_TOKEN"

__all__ = ["KIND_LABELS", "LEDGER_FILE", "Action", "Ledger", "Outcome", "PublishError", "Publication", "Remote",
           "apply", "connect", "plan", "save_secret", "secret"]


def secret(name: str) -> str | None:
    """A network's secret: the environment, else the secrets file the app saves to (beside the settings)."""
    from outreach.secret_store import secret as named_secret

    return named_secret(name)


def save_secret(name: str, value: str) -> None:
    """Keep a network's secret as the Meta token is kept: in the secrets file, readable by its owner only."""
    from outreach.secret_store import save_secret as save

    value = checked_secret(value, name)
    if '"' in value or "\\" in value:
        raise PublishError(f"{name} contient un guillemet ou une barre oblique inverse.", where=name,
                           fix="Copiez-le à nouveau depuis le réseau, sans rien autour.")
    save(name, value)


def connect(settings, pack: ChannelPack, get_secret: Callable[[str], str | None] = secret, *,
            graph_url: str | None = None, transports: dict | None = None) -> dict:
    """A publisher per network whose address and secret are both known, keyed by the pack's channel id."""
    from outreach.channels.publishing.facebook import FacebookPage
    from outreach.channels.publishing.instagram import Instagram
    from outreach.channels.publishing.mastodon import Mastodon
    from outreach.channels.publishing.wordpress import WordPress

    transports = transports or {}
    graph_url = graph_url or paths.meta_graph_url()
    publishers: dict = {}
    def get(name: str) -> str | None:
        value = register_secret(get_secret(name))
        return checked_secret(value, name) if value else None

    password = get(WORDPRESS_PASSWORD)
    if settings.blog_url and settings.wordpress_user and password:
        publishers["blog"] = WordPress(settings.blog_url, settings.wordpress_user, password, pack.blogs,
                                       scheduled=settings.wordpress_schedule, transport=transports.get("blog"))
    token = get(MASTODON_TOKEN)
    if settings.mastodon_instance and token:
        publishers["mastodon"] = Mastodon(settings.mastodon_instance, token, transport=transports.get("mastodon"))
    meta = get(META_TOKEN)
    if meta and settings.facebook_page_id:
        publishers["facebook"] = FacebookPage(settings.facebook_page_id, meta, graph_url=graph_url,
                                              transport=transports.get("facebook"))
    if meta and settings.instagram_user_id:
        blog = publishers.get("blog")
        publishers["instagram"] = Instagram(settings.instagram_user_id, meta, graph_url=graph_url,
                                            host_image=blog.host_image if blog else None,
                                            transport=transports.get("instagram"))
    return publishers

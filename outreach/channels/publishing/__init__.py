"""Publishing a campaign's posts through the networks' own APIs, idempotently.

    publishers = connect(settings, pack, secrets)         # the networks that are connected
    actions = sync.plan(pack, ledger, publishers, now=…)  # what would be sent (--dry-run)
    sync.apply(pack, ledger, publishers, now=…)           # send it; rerunning changes nothing

WordPress (drafts or scheduled articles), the Facebook Page (scheduled posts) and Mastodon (scheduled
statuses) are scheduled ahead; Instagram, which has no scheduling API, is published when due by
`outreach channels publish-due`. X and YouTube stay as exports: X's API is paid, LSF videos are made by people.
"""

from __future__ import annotations

import json
import os
import tempfile
import tomllib
from collections.abc import Callable
from pathlib import Path

from outreach.channels.posts import ChannelPack
from outreach.channels.publishing.base import PublishError, Remote, checked_secret
from outreach.channels.publishing.ledger import LEDGER_FILE, Ledger, Publication
from outreach.channels.publishing.sync import KIND_LABELS, Action, Outcome, apply, plan

# secrets: read like the Meta token (environment, then Streamlit's secrets file), never written in settings
WORDPRESS_PASSWORD = "WORDPRESS_APP_PASSWORD"
MASTODON_TOKEN = "MASTODON_TOKEN"
META_TOKEN = "META_ACCESS_TOKEN"

__all__ = ["KIND_LABELS", "LEDGER_FILE", "Action", "Ledger", "Outcome", "PublishError", "Publication", "Remote",
           "apply", "connect", "plan", "save_secret", "secret"]


def _secrets_file() -> Path:
    from outreach.paths import settings_path

    return settings_path().parent / ".streamlit" / "secrets.toml"


def secret(name: str) -> str | None:
    """A network's secret: the environment, else the secrets file beside the settings (where the app saves it)."""
    if os.environ.get(name):
        return os.environ[name]
    try:
        value = tomllib.loads(_secrets_file().read_text(encoding="utf-8")).get(name)
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return None
    return str(value) if value else None


def save_secret(name: str, value: str) -> None:
    """Keep a secret in the secrets file, readable by its owner only; its other keys stay as they were."""
    value = checked_secret(value, name)
    path = _secrets_file()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise PublishError("fichier de secrets illisible.", file=path,
                           fix="Corrigez-le (format TOML) ou supprimez-le, puis enregistrez à nouveau.") from exc
    data[name] = value
    lines = [f"{k} = {json.dumps(v, ensure_ascii=False)}" for k, v in data.items() if not isinstance(v, dict)]
    for table, values in ((k, v) for k, v in data.items() if isinstance(v, dict)):
        lines += ["", f"[{table}]"] + [f"{k} = {json.dumps(v, ensure_ascii=False)}" for k, v in values.items()]
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".secrets.", suffix=".tmp")  # created 0600
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    os.replace(tmp, path)


def connect(settings, pack: ChannelPack, get_secret: Callable[[str], str | None] = secret, *,
            graph_url: str | None = None, transports: dict | None = None) -> dict:
    """A publisher per network whose address and secret are both known, keyed by the pack's channel id."""
    from outreach.channels.publishing.facebook import FacebookPage
    from outreach.channels.publishing.instagram import Instagram
    from outreach.channels.publishing.mastodon import Mastodon
    from outreach.channels.publishing.wordpress import WordPress

    transports = transports or {}
    graph_url = graph_url or os.environ.get("META_GRAPH_URL") or "https://graph.facebook.com"
    publishers: dict = {}
    def get(name: str) -> str | None:
        value = get_secret(name)
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

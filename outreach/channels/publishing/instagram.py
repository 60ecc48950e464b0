"""Instagram through the content publishing API, when a post is due (Instagram has no scheduling API).

`outreach channels publish-due`, run by cron or a systemd timer, publishes the posts whose time has come:
a media container from the image's public address (`POST /{ig-user-id}/media`), checked until Meta has
fetched it (`status_code` FINISHED), then published (`POST /{ig-user-id}/media_publish`). Meta accepts only
JPEG for feed images and downloads them itself, so the visual is converted to JPEG and put where Meta can
reach it: the blog's media library.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from outreach.channels.posts import Post
from outreach.channels.publishing.base import TIMEOUT, PublishError, Remote, call
from outreach.channels.publishing.ledger import Publication

API_VERSION = "v25.0"
FIX = ("Vérifiez que le jeton Meta a les droits instagram_basic et instagram_content_publish sur le compte "
       "Instagram relié à la Page (page Paramètres).")
CONTAINER_WAIT_S = 60


def as_jpeg(visual: Path) -> tuple[str, bytes]:
    """The visual as JPEG bytes (Instagram's only feed format), with a file name to match."""
    from PIL import Image

    with Image.open(visual) as image:
        if image.format == "JPEG":
            return visual.name, visual.read_bytes()
        out = io.BytesIO()
        image.convert("RGB").save(out, "JPEG", quality=92)
    return f"{visual.stem}.jpg", out.getvalue()


class Instagram:
    channel = "instagram"
    network = "Instagram"
    schedules = False
    min_ahead = None
    max_ahead = None
    state = "published"

    def __init__(self, ig_user_id: str, token: str, *, host_image: Callable[[str, bytes, str], str] | None,
                 graph_url: str = "https://graph.facebook.com", transport: httpx.BaseTransport | None = None):
        self.ig_user_id = ig_user_id
        self.base = f"{graph_url.rstrip('/')}/{API_VERSION}"
        self.host_image = host_image  # (file name, bytes, alt text) → public address
        self.client = httpx.Client(timeout=TIMEOUT, transport=transport,
                                   headers={"Authorization": f"Bearer {token}"})

    def _call(self, method: str, path: str, post_id: str, what: str, **kwargs) -> httpx.Response:
        return call(self.client, method, f"{self.base}/{path}", network=self.network, post_id=post_id, what=what,
                    fix=FIX, **kwargs)

    def check(self) -> str:
        account = self._call("GET", self.ig_user_id, "connexion", "vérifier le compte",
                             params={"fields": "username"}).json()
        return f"@{account.get('username', self.ig_user_id)}"

    def create(self, post: Post, visual: Path | None) -> Remote:
        if visual is None:
            raise PublishError("Instagram ne publie pas sans image.", where=f"Instagram — publication {post.id}",
                               fix="Donnez un visuel au thème dans la campagne (page Campagne).")
        if self.host_image is None:
            raise PublishError("Instagram télécharge l'image depuis une adresse publique, et aucun blog n'est "
                               "connecté pour l'héberger.", where=f"Instagram — publication {post.id}",
                               fix="Connectez le blog WordPress sur la page Multicanal.")
        alt = post.images[0].alt_text if post.images else ""
        name, data = as_jpeg(visual)
        image_url = self.host_image(name, data, alt)
        container = self._call("POST", f"{self.ig_user_id}/media", post.id, "préparer la publication",
                               data={"image_url": image_url, "caption": post.text, "alt_text": alt}).json()["id"]
        deadline = time.monotonic() + CONTAINER_WAIT_S
        while True:
            status = self._call("GET", str(container), post.id, "attendre la préparation",
                                params={"fields": "status_code"}).json().get("status_code")
            if status == "FINISHED":
                break
            if status in ("ERROR", "EXPIRED") or time.monotonic() > deadline:
                raise PublishError(f"Instagram n'a pas pu préparer l'image ({status or 'délai dépassé'}).",
                                   where=f"Instagram — publication {post.id}",
                                   fix="Vérifiez que l'image est un JPEG de 320 à 1440 px de large, au ratio 4:5 à "
                                       "1,91:1, puis relancez.")
            time.sleep(1)
        made = self._call("POST", f"{self.ig_user_id}/media_publish", post.id, "publier",
                          data={"creation_id": container}).json()
        return Remote(str(made["id"]), media_id=str(container))

    def update(self, entry: Publication, post: Post, visual: Path | None) -> Remote:
        raise PublishError("une publication Instagram déjà en ligne ne se modifie pas d'ici.",
                           where=f"Instagram — publication {post.id}", fix="Modifiez-la dans l'application Instagram.")

    def delete(self, entry: Publication) -> None:
        raise PublishError("une publication Instagram déjà en ligne ne se supprime pas d'ici.",
                           where=f"Instagram — publication {entry.post_id}",
                           fix="Supprimez-la dans l'application Instagram.")

"""Mastodon: scheduled statuses (`scheduled_at`) with their images and descriptions.

Mastodon accepts a scheduled time at least five minutes ahead; a scheduled status can only be moved
(`PUT /api/v1/scheduled_statuses/:id` takes nothing but `scheduled_at`), so a changed text replaces it.
Images are uploaded first (`POST /api/v2/media`, with their description for screen readers); an upload
answered 202 is still being processed, and a status may only refer to it once it is ready.
"""

from __future__ import annotations

import time
from datetime import UTC, timedelta
from pathlib import Path

import httpx

from outreach.channels.posts import Post
from outreach.channels.publishing.base import TIMEOUT, PublishError, Remote, call
from outreach.channels.publishing.ledger import Publication

FIX = ("Vérifiez l'adresse de l'instance et le jeton (Préférences → Développement → Nouvelle application, avec "
       "les droits write:statuses et write:media) sur la page Multicanal.")
MEDIA_WAIT_S = 30


class Mastodon:
    channel = "mastodon"
    network = "Mastodon"
    schedules = True
    min_ahead = timedelta(minutes=5)
    max_ahead = None
    state = "scheduled"

    def __init__(self, instance: str, token: str, *, transport: httpx.BaseTransport | None = None):
        self.base = instance.rstrip("/")
        self.client = httpx.Client(timeout=TIMEOUT, transport=transport,
                                   headers={"Authorization": f"Bearer {token}", "User-Agent": "outreach"})

    def _call(self, method: str, path: str, post_id: str, what: str, **kwargs) -> httpx.Response:
        return call(self.client, method, f"{self.base}{path}", network=self.network, post_id=post_id, what=what,
                    fix=FIX, **kwargs)

    def check(self) -> str:
        me = self._call("GET", "/api/v1/accounts/verify_credentials", "connexion", "vérifier le compte").json()
        return f"@{me.get('acct', '')}"

    def _media(self, visual: Path, description: str, post_id: str) -> str:
        with visual.open("rb") as image:
            response = self._call("POST", "/api/v2/media", post_id, f"déposer l'image {visual.name}",
                                  files={"file": (visual.name, image)}, data={"description": description})
        media = response.json()
        deadline = time.monotonic() + MEDIA_WAIT_S
        while response.status_code == 202 or not media.get("url"):
            if time.monotonic() > deadline:
                raise PublishError(f"l'image {visual.name} est toujours en traitement.",
                                   where=f"Mastodon — publication {post_id}", fix="Relancez dans quelques minutes.")
            time.sleep(1)
            response = self._call("GET", f"/api/v1/media/{media['id']}", post_id, "attendre l'image")
            media = response.json()
        return str(media["id"])

    def create(self, post: Post, visual: Path | None) -> Remote:
        data: dict = {"status": post.text, "visibility": "public", "language": "fr",
                      "scheduled_at": post.when.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")}
        media_id = ""
        if visual is not None:
            media_id = self._media(visual, post.images[0].alt_text if post.images else "", post.id)
            data["media_ids[]"] = [media_id]
        made = self._call("POST", "/api/v1/statuses", post.id, "programmer le message", data=data,
                          headers={"Idempotency-Key": f"outreach-{post.id}-{post.when.isoformat()}"}).json()
        return Remote(str(made["id"]), media_id=media_id)

    def update(self, entry: Publication, post: Post, visual: Path | None) -> Remote:
        self.delete(entry)
        return self.create(post, visual)

    def delete(self, entry: Publication) -> None:
        self._call("DELETE", f"/api/v1/scheduled_statuses/{entry.remote_id}", entry.post_id,
                   "retirer le message programmé")

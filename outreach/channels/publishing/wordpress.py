"""WordPress through its REST API: each article as a draft (or scheduled), with its visual as featured image.

Authentication is an application password (Users → Profile → Application passwords, WordPress ≥ 5.6), sent
as HTTP Basic over HTTPS. Routes go through `?rest_route=`, which every WordPress answers whatever its
permalink settings (the pretty `/wp-json/` needs rewritten URLs). Categories and tags are looked up by name
and created when missing. An article the officer has since published in WordPress is never overwritten.
"""

from __future__ import annotations

import html
import mimetypes
from datetime import UTC, timedelta
from pathlib import Path

import httpx

from outreach.channels.posts import BlogDraft, Post
from outreach.channels.publishing.base import TIMEOUT, PublishError, Remote, call
from outreach.channels.publishing.ledger import Publication

FIX_AUTH = ("Vérifiez l'identifiant et le mot de passe d'application (WordPress : Comptes → Profil → Mots de passe "
            "d'application) sur la page Multicanal.")


class WordPress:
    channel = "blog"
    network = "WordPress"
    schedules = True
    max_ahead = None

    def __init__(self, site: str, user: str, app_password: str, blogs: list[BlogDraft], *, scheduled: bool = False,
                 transport: httpx.BaseTransport | None = None):
        self.site = site.rstrip("/")
        self.blogs = {b.theme_id: b for b in blogs}
        self.scheduled = scheduled  # False: drafts the officer reviews and publishes
        self.state = "scheduled" if scheduled else "draft"
        # a scheduled post whose time has passed would be published at once: keep a margin
        self.min_ahead = timedelta(minutes=5) if scheduled else None
        self.client = httpx.Client(auth=(user, app_password.replace(" ", "")), timeout=TIMEOUT, transport=transport,
                                   headers={"User-Agent": "outreach"})
        self._terms: dict[tuple[str, str], int] = {}

    def _call(self, method: str, route: str, post_id: str, what: str, params: dict | None = None,
              **kwargs) -> httpx.Response:
        # one query string: httpx's params would replace a query already written in the URL
        return call(self.client, method, f"{self.site}/", network=self.network, post_id=post_id, what=what,
                    fix=FIX_AUTH, params={"rest_route": f"/wp/v2/{route}", **(params or {})}, **kwargs)

    def check(self) -> str:
        """Who the credentials are: the user's display name, or a PublishError saying what is wrong."""
        me = self._call("GET", "users/me", "connexion", "vérifier la connexion", params={"context": "edit"}).json()
        if "edit_posts" not in (me.get("capabilities") or {}):
            raise PublishError(f"le compte {me.get('name', '')} ne peut pas écrire d'articles.",
                               where="WordPress — connexion",
                               fix="Utilisez un compte Auteur, Éditeur ou Administrateur du blog.")
        return str(me.get("name") or me.get("slug") or "")

    def body(self, post: Post) -> str:
        return self.blogs[post.theme_id].html if post.theme_id in self.blogs else ""

    def _term(self, taxonomy: str, name: str, post_id: str) -> int:
        key = (taxonomy, name.casefold())
        if key not in self._terms:
            found = self._call("GET", taxonomy, post_id, f"chercher « {name} »",
                               params={"search": name, "per_page": 100}).json()
            match = next((t["id"] for t in found if html.unescape(t.get("name", "")).casefold() == key[1]), None)
            if match is None:
                match = self._call("POST", taxonomy, post_id, f"créer « {name} »", json={"name": name}).json()["id"]
            self._terms[key] = int(match)
        return self._terms[key]

    def upload(self, name: str, data: bytes, alt_text: str, post_id: str = "image") -> tuple[int, str]:
        """An image in the media library, with its alternative text: (media id, public address)."""
        mime = mimetypes.guess_type(name)[0] or "application/octet-stream"
        media = self._call("POST", "media", post_id, f"déposer l'image {name}", content=data,
                           headers={"Content-Type": mime, "Content-Disposition": f'attachment; filename="{name}"'}).json()
        self._call("POST", f"media/{media['id']}", post_id, "écrire le texte alternatif", json={"alt_text": alt_text})
        return int(media["id"]), str(media.get("source_url") or "")

    def host_image(self, name: str, data: bytes, alt_text: str) -> str:
        """The public address of an image put in the blog's media library (Instagram downloads it from there)."""
        return self.upload(name, data, alt_text)[1]

    def _fields(self, post: Post, visual: Path | None) -> tuple[dict, str]:
        blog = self.blogs[post.theme_id]
        fields = {"title": blog.title, "content": blog.html, "excerpt": post.text, "slug": blog.slug,
                  "status": "future" if self.scheduled else "draft",
                  "date_gmt": post.when.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="seconds"),
                  "categories": [self._term("categories", c, post.id) for c in blog.categories],
                  "tags": [self._term("tags", t, post.id) for t in blog.tags]}
        media_id = ""
        if visual is not None:
            media, _ = self.upload(visual.name, visual.read_bytes(), blog.featured_image.alt_text, post.id)
            fields["featured_media"] = media
            media_id = str(media)
        return fields, media_id

    def create(self, post: Post, visual: Path | None) -> Remote:
        fields, media_id = self._fields(post, visual)
        made = self._call("POST", "posts", post.id, "créer le brouillon", json=fields).json()
        return Remote(str(made["id"]), str(made.get("link") or ""), media_id)

    def update(self, entry: Publication, post: Post, visual: Path | None) -> Remote:
        current = self._call("GET", f"posts/{entry.remote_id}", post.id, "relire l'article",
                             params={"context": "edit"}).json()
        if current.get("status") == "publish":  # published by the officer since: theirs now
            return Remote(entry.remote_id, str(current.get("link") or entry.url), entry.media_id)
        fields, media_id = self._fields(post, visual)
        made = self._call("POST", f"posts/{entry.remote_id}", post.id, "mettre à jour l'article", json=fields).json()
        return Remote(str(made["id"]), str(made.get("link") or ""), media_id or entry.media_id)

    def delete(self, entry: Publication) -> None:
        # to the bin, not for good: the officer can still restore it
        self._call("DELETE", f"posts/{entry.remote_id}", entry.post_id, "retirer l'article")

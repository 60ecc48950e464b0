"""The Facebook Page: each post scheduled through the Graph API, with its visual and its alternative text.

A post without visual goes to `/{page-id}/feed` (message and link, which Facebook previews); with a visual it
goes to `/{page-id}/photos` (the link then stays in the message). Both are sent unpublished with a
`scheduled_publish_time`, which the Page feed reference accepts from ten minutes to 75 days ahead; posts
further out are scheduled by a later run. The Page access token is asked from the Meta token the app already
keeps (`GET /{page-id}?fields=access_token`), so no second secret is needed.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import httpx

from outreach.channels.posts import Post
from outreach.channels.publishing.base import TIMEOUT, PublishError, Remote, call
from outreach.channels.publishing.ledger import Publication

API_VERSION = "v25.0"
FIX = ("Vérifiez que le jeton Meta a les droits pages_manage_posts et pages_read_engagement sur la Page "
       "(page Paramètres), puis relancez.")


class FacebookPage:
    channel = "facebook"
    network = "Facebook"
    schedules = True
    min_ahead = timedelta(minutes=10)
    max_ahead = timedelta(days=75)
    state = "scheduled"

    def __init__(self, page_id: str, user_token: str, *, graph_url: str = "https://graph.facebook.com",
                 transport: httpx.BaseTransport | None = None):
        self.page_id = page_id
        self.base = f"{graph_url.rstrip('/')}/{API_VERSION}"
        self.client = httpx.Client(timeout=TIMEOUT, transport=transport)
        self.user_token = user_token
        self._page_token: str | None = None

    def _call(self, method: str, path: str, post_id: str, what: str, token: str | None = None, **kwargs):
        # the token goes in a header, so no URL quoted in an error can carry it
        headers = {"Authorization": f"Bearer {token or self.page_token(post_id)}"}
        return call(self.client, method, f"{self.base}/{path}", network=self.network, post_id=post_id, what=what,
                    fix=FIX, headers=headers, **kwargs)

    def page_token(self, post_id: str = "connexion") -> str:
        if self._page_token is None:
            page = self._call("GET", self.page_id, post_id, "obtenir le jeton de la Page", token=self.user_token,
                              params={"fields": "access_token,name"}).json()
            if not page.get("access_token"):
                raise PublishError("Meta ne donne pas de jeton pour cette Page.", where="Facebook — connexion",
                                   fix="Le compte du jeton doit gérer la Page (tâche CREATE_CONTENT) : vérifiez-le "
                                       "dans les paramètres de la Page.")
            self._page_token = str(page["access_token"])
        return self._page_token

    def check(self) -> str:
        page = self._call("GET", self.page_id, "connexion", "vérifier la Page", token=self.page_token(),
                          params={"fields": "name"}).json()
        return str(page.get("name") or self.page_id)

    def create(self, post: Post, visual: Path | None) -> Remote:
        when = str(int(post.when.timestamp()))
        if visual is None:
            made = self._call("POST", f"{self.page_id}/feed", post.id, "programmer la publication",
                              data={"message": post.text, "link": post.link, "published": "false",
                                    "scheduled_publish_time": when}).json()
            return Remote(str(made["id"]))
        alt = post.images[0].alt_text if post.images else ""
        message = post.text if post.link in post.text else f"{post.text}\n\n{post.link}"
        with visual.open("rb") as image:
            made = self._call("POST", f"{self.page_id}/photos", post.id, "programmer la publication avec image",
                              data={"caption": message, "published": "false", "scheduled_publish_time": when,
                                    "alt_text_custom": alt},
                              files={"source": (visual.name, image)}).json()
        return Remote(str(made.get("post_id") or made["id"]), media_id=str(made["id"]))

    def update(self, entry: Publication, post: Post, visual: Path | None) -> Remote:
        # a scheduled photo cannot change its image: replace the scheduled post as a whole
        self.delete(entry)
        return self.create(post, visual)

    def delete(self, entry: Publication) -> None:
        self._call("DELETE", entry.remote_id, entry.post_id, "retirer la publication programmée")

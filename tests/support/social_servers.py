"""Local stand-ins for Mastodon and for the Graph API's Page and Instagram publishing, as strict as the real ones.

What they refuse, as the services document it:
- Mastodon: no or bad token (401); a status over 500 characters, links counted as 23 (422); a scheduled time
  less than 5 minutes ahead (422); media not yet processed, unknown, or more than 4 (422); an image description
  over 1,500 characters (422). An upload is answered 202 (processing) and is ready at the next read. The same
  Idempotency-Key gives the same status back.
- Facebook Page: a post sent with a user token instead of the Page's (#200); a scheduled time less than
  10 minutes or more than 75 days ahead (#100); a photo without image; deleting an unknown object (#100).
- Instagram: an image that is not a JPEG or cannot be downloaded (container ERROR); publishing a container
  that is not FINISHED (9007); a caption over 2,200 characters or with more than 30 hashtags (#100); more
  than 100 published posts in 24 hours (#9).
"""

from __future__ import annotations

import itertools
import re
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from email.parser import BytesParser
from email.policy import HTTP
from urllib.parse import parse_qs

from tests.support.servers import LocalServer

URL = re.compile(r"https?://\S+")


def form(request: dict) -> tuple[dict[str, list[str]], dict[str, tuple[str, bytes]]]:
    """Fields and files of an urlencoded or multipart body."""
    kind = request["headers"].get("Content-Type", "")
    if kind.startswith("multipart/form-data"):
        message = BytesParser(policy=HTTP).parsebytes(b"Content-Type: " + kind.encode() + b"\r\n\r\n" + request["body"])
        fields: dict[str, list[str]] = {}
        files = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            filename = part.get_param("filename", header="content-disposition")
            if filename:
                files[name] = (filename, part.get_payload(decode=True))
            else:
                fields.setdefault(name, []).append(part.get_payload(decode=True).decode("utf-8"))
        return fields, files
    return parse_qs(request["body"].decode("utf-8"), keep_blank_values=True), {}


def bearer(request: dict) -> str:
    auth = request["headers"].get("Authorization", "")
    return auth[7:] if auth.startswith("Bearer ") else request["query"].get("access_token", "")


class MastodonServer(LocalServer):
    MAX_CHARS = 500

    def __init__(self, token: str = "jeton-mastodon"):
        super().__init__()
        self.token = token
        self.ids = itertools.count(100)
        self.media: dict[str, dict] = {}
        self.scheduled: dict[str, dict] = {}
        self.idempotent: dict[str, str] = {}

    def handle(self, request):
        if bearer(request) != self.token:
            return 401, {"error": "The access token is invalid"}
        method, path = request["method"], request["path"]
        if path == "/api/v1/accounts/verify_credentials":
            return 200, {"id": "1", "acct": "mediatheques", "username": "mediatheques"}
        if method == "POST" and path == "/api/v2/media":
            fields, files = form(request)
            if "file" not in files:
                return 422, {"error": "Validation failed: File can't be blank"}
            description = fields.get("description", [""])[0]
            if len(description) > 1500:
                return 422, {"error": "Validation failed: Description is too long (maximum is 1500 characters)"}
            media_id = str(next(self.ids))
            self.media[media_id] = {"id": media_id, "type": "image", "url": None, "description": description,
                                    "name": files["file"][0]}
            return 202, self.media[media_id]
        if method == "GET" and path.startswith("/api/v1/media/"):
            media = self.media.get(path.rsplit("/", 1)[-1])
            if media is None:
                return 404, {"error": "Record not found"}
            media["url"] = f"{self.url}/system/media/{media['id']}.png"  # processed by now
            return 200, media
        if method == "POST" and path == "/api/v1/statuses":
            return self._status(request)
        if path.startswith("/api/v1/scheduled_statuses/"):
            sid = path.rsplit("/", 1)[-1]
            if sid not in self.scheduled:
                return 404, {"error": "Record not found"}
            if method == "DELETE":
                del self.scheduled[sid]
                return 200, {}
            return 200, self.scheduled[sid]
        if method == "GET" and path == "/api/v1/scheduled_statuses":
            return 200, list(self.scheduled.values())
        return 404, {"error": "Record not found"}

    def _status(self, request):
        key = request["headers"].get("Idempotency-Key")
        if key and key in self.idempotent and self.idempotent[key] in self.scheduled:
            return 200, self.scheduled[self.idempotent[key]]
        fields, _ = form(request)
        text = fields.get("status", [""])[0]
        media_ids = fields.get("media_ids[]", [])
        if not text and not media_ids:
            return 422, {"error": "Validation failed: Text can't be blank"}
        if len(URL.sub("x" * 23, text)) > self.MAX_CHARS:
            return 422, {"error": f"Validation failed: Text character limit of {self.MAX_CHARS} exceeded"}
        if len(media_ids) > 4:
            return 422, {"error": "Validation failed: Media attachments cannot exceed 4"}
        for m in media_ids:
            if m not in self.media:
                return 422, {"error": "Validation failed: Media attachments are invalid"}
            if self.media[m]["url"] is None:
                return 422, {"error": "Cannot attach files that have not finished processing. Try again in a moment!"}
        when = fields.get("scheduled_at", [""])[0]
        if not when:
            return 422, {"error": "outreach only schedules statuses"}  # never publish at once in the tests
        at = datetime.fromisoformat(when.replace("Z", "+00:00"))
        if at < datetime.now(UTC) + timedelta(minutes=5):
            return 422, {"error": "Validation failed: Scheduled at The scheduled date must be in the future"}
        sid = str(next(self.ids))
        self.scheduled[sid] = {"id": sid, "scheduled_at": at.isoformat().replace("+00:00", "Z"),
                               "params": {"text": text, "visibility": fields.get("visibility", ["public"])[0],
                                          "language": fields.get("language", [None])[0], "media_ids": media_ids},
                               "media_attachments": [self.media[m] for m in media_ids]}
        if key:
            self.idempotent[key] = sid
        return 200, self.scheduled[sid]


class GraphPagesServer(LocalServer):
    """The Graph API's Page publishing and Instagram content publishing, for one Page and one IG account."""

    def __init__(self, user_token: str = "jeton-meta", page_id: str = "1234567890", ig_user_id: str = "1789"):
        super().__init__()
        self.user_token, self.page_id, self.ig_user_id = user_token, page_id, ig_user_id
        self.page_token = "jeton-de-la-page"
        self.ids = itertools.count(5000)
        self.posts: dict[str, dict] = {}
        self.containers: dict[str, dict] = {}
        self.published: list[dict] = []

    @staticmethod
    def error(code: int, message: str, status: int = 400, subcode: int | None = None):
        error = {"message": message, "type": "OAuthException" if code in (190, 200) else "GraphMethodException",
                 "code": code, "fbtrace_id": "Ab12"}
        if subcode:
            error["error_subcode"] = subcode
        return status, {"error": error}

    def handle(self, request):
        token = bearer(request)
        if token not in (self.user_token, self.page_token):
            return self.error(190, "Invalid OAuth access token - Cannot parse access token", 401)
        parts = request["path"].strip("/").split("/")[1:]  # drop the version
        method = request["method"]
        if parts == [self.page_id] and method == "GET":
            fields = request["query"].get("fields", "")
            body = {"id": self.page_id, "name": "Médiathèques de Marseille"}
            if "access_token" in fields and token == self.user_token:
                body["access_token"] = self.page_token
            return 200, body
        if parts == [self.ig_user_id] and method == "GET":
            return 200, {"id": self.ig_user_id, "username": "mediatheques"}
        if len(parts) == 2 and parts[0] == self.page_id and method == "POST":
            if token != self.page_token:
                return self.error(200, "(#200) If posting to a page, requires both pages_read_engagement and "
                                       "pages_manage_posts as an admin with sufficient administrative permission", 403)
            return self._page_post(request, parts[1])
        if len(parts) == 2 and parts[0] == self.ig_user_id and method == "POST":
            return self._instagram(request, parts[1])
        if len(parts) == 1 and method == "GET" and parts[0] in self.containers:
            container = self.containers[parts[0]]
            container["reads"] += 1
            status = container["final"] if container["reads"] > 1 else "IN_PROGRESS"
            return 200, {"id": parts[0], "status_code": status}
        if len(parts) == 1 and method == "DELETE":
            if parts[0] not in self.posts:
                return self.error(100, "(#100) Unsupported delete request.")
            del self.posts[parts[0]]
            return 200, {"success": True}
        return self.error(100, "(#100) Unsupported request.")

    def _page_post(self, request, edge: str):
        fields, files = form(request)
        one = {k: v[0] for k, v in fields.items()}
        if one.get("published") != "false" or "scheduled_publish_time" not in one:
            return self.error(100, "outreach only schedules Page posts")  # the tests never publish at once
        at = datetime.fromtimestamp(int(one["scheduled_publish_time"]), UTC)
        now = datetime.now(UTC)
        if not now + timedelta(minutes=10) <= at <= now + timedelta(days=75):
            return self.error(100, "(#100) The specified scheduled publish time is invalid.")
        if edge == "feed":
            if not one.get("message") and not one.get("link"):
                return self.error(100, "(#100) Missing message or attachment")
            post_id = f"{self.page_id}_{next(self.ids)}"
            self.posts[post_id] = {"kind": "feed", "at": at, **one}
            return 200, {"id": post_id}
        if edge == "photos":
            if "source" not in files and not one.get("url"):
                return self.error(324, "(#324) Requires upload file")
            photo_id = str(next(self.ids))
            post_id = f"{self.page_id}_{next(self.ids)}"
            self.posts[post_id] = {"kind": "photo", "at": at, "photo_id": photo_id, "image": files.get("source"), **one}
            return 200, {"id": photo_id, "post_id": post_id}
        return self.error(100, "(#100) Unsupported post request.")

    def _instagram(self, request, edge: str):
        one = {k: v[0] for k, v in form(request)[0].items()}
        if edge == "media":
            caption = one.get("caption", "")
            if len(caption) > 2200 or caption.count("#") > 30:
                return self.error(100, "(#100) The caption is too long or has too many hashtags.")
            final = "FINISHED"
            try:
                with urllib.request.urlopen(one.get("image_url", ""), timeout=10) as response:
                    if response.read(3) != b"\xff\xd8\xff":
                        final = "ERROR"  # only JPEG
            except (OSError, ValueError):
                final = "ERROR"
            container = str(next(self.ids))
            self.containers[container] = {"reads": 0, "final": final, **one}
            return 200, {"id": container}
        if edge == "media_publish":
            container = self.containers.get(one.get("creation_id", ""))
            if container is None or container["reads"] < 2 or container["final"] != "FINISHED":
                return self.error(9007, "Media ID is not available", subcode=2207027)
            recent = [p for p in self.published if p["at"] > time.time() - 86400]
            if len(recent) >= 100:
                return self.error(9, "Application request limit reached", subcode=2207042)
            media_id = str(next(self.ids))
            self.published.append({"id": media_id, "at": time.time(), **container})
            return 200, {"id": media_id}
        return self.error(100, "(#100) Unsupported post request.")

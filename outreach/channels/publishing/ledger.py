"""What has been sent where: one entry per post, kept beside the campaign's outputs (`publications.json`).

The ledger is what makes publishing idempotent and resumable: a post already sent with the same content is
left alone, a changed one is updated, one dropped from the campaign is deleted, and a run that stops half-way
resumes where it stopped because the ledger is written after every call that changed something.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ValidationError

from outreach import atomic
from outreach.channels.posts import Post
from outreach.errors import InputError

LEDGER_FILE = "publications.json"
State = Literal["draft", "scheduled", "published"]


class Publication(BaseModel):
    post_id: str
    channel: str
    remote_id: str
    fingerprint: str  # of what was sent: a different one means the post changed since
    when: datetime
    state: State
    url: str = ""  # the post's address on the network, when it gives one (WordPress)
    media_id: str = ""


def fingerprint(post: Post, visual: Path | None, body: str = "") -> str:
    """What was sent, summed up: text, link, time, alt texts, the visual's bytes and (blog) the article body."""
    digest = hashlib.sha256()
    for part in (post.title, post.text, post.link, post.when.isoformat(), " ".join(post.hashtags),
                 "|".join(i.alt_text for i in post.images), body):
        digest.update(part.encode("utf-8") + b"\0")
    if visual is not None:
        digest.update(hashlib.sha256(visual.read_bytes()).digest())
    return digest.hexdigest()


class Ledger:
    def __init__(self, path: Path, entries: dict[str, Publication] | None = None):
        self.path = path
        self.entries = entries or {}

    @classmethod
    def load(cls, path: str | Path) -> Ledger:
        path = Path(path)
        if not path.exists():
            return cls(path)
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            entries = {k: Publication.model_validate(v) for k, v in raw.items()}
        except (ValueError, ValidationError, AttributeError) as exc:
            raise InputError("le registre des publications est illisible.", file=path,
                             fix="Il a été modifié à la main : restaurez-le, sinon les publications déjà "
                                 "programmées seraient envoyées une seconde fois.") from exc
        return cls(path, entries)

    def get(self, post_id: str) -> Publication | None:
        return self.entries.get(post_id)

    def record(self, entry: Publication) -> None:
        self.entries[entry.post_id] = entry
        self.save()

    def forget(self, post_id: str) -> None:
        self.entries.pop(post_id, None)
        self.save()

    def save(self) -> None:
        data = {k: v.model_dump(mode="json") for k, v in sorted(self.entries.items())}
        atomic.write_text(self.path, json.dumps(data, ensure_ascii=False, indent=1))

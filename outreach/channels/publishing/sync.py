"""Bring what the networks hold in line with the campaign's posts: create, update, delete, or leave alone.

`plan` compares the pack with the ledger and says what each post needs, without sending anything (that is
`--dry-run`); `apply` sends it, network by network, recording each result in the ledger as it goes. The
blog comes first, so that the real address WordPress gives each article feeds the bridge posts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Literal, Protocol

from outreach.channels.links import utm_of, with_utm
from outreach.channels.posts import ChannelPack, Post
from outreach.channels.publishing.base import Remote
from outreach.channels.publishing.ledger import Ledger, Publication, fingerprint

Kind = Literal["create", "update", "delete", "publish", "unchanged", "later", "too-late", "missed"]
# an Instagram post found due late (the timer did not run) is still published within this delay
DUE_GRACE = timedelta(hours=6)
ORDER = ("blog", "facebook", "mastodon", "instagram")

KIND_LABELS = {"create": "à programmer", "update": "à mettre à jour", "delete": "à supprimer (annulée)",
               "publish": "à publier maintenant", "unchanged": "inchangée", "later": "plus tard",
               "too-late": "trop tard pour la programmer", "missed": "heure passée, non publiée"}


class Publisher(Protocol):
    channel: str  # the pack's channel id
    network: str  # its name, for messages
    schedules: bool  # False: the network has no scheduling API; `publish-due` publishes when the time comes
    min_ahead: timedelta  # how soon and how far ahead the network accepts a scheduled time
    max_ahead: timedelta | None

    def create(self, post: Post, visual: Path | None) -> Remote: ...

    def update(self, entry: Publication, post: Post, visual: Path | None) -> Remote: ...

    def delete(self, entry: Publication) -> None: ...


@dataclass
class Action:
    kind: Kind
    channel: str
    post_id: str
    when: datetime
    title: str = ""
    note: str = ""

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]


@dataclass
class Outcome:
    actions: list[Action] = field(default_factory=list)
    sent: int = 0

    def count(self, kind: Kind) -> int:
        return sum(a.kind == kind for a in self.actions)


def _summary(post: Post) -> str:
    return post.title or post.text.split("\n", 1)[0][:60]


def plan(pack: ChannelPack, ledger: Ledger, publishers: dict[str, Publisher], *, now: datetime,
         visuals: dict[str, Path] | None = None) -> list[Action]:
    """What each post of a connected network needs; nothing is sent."""
    visuals = visuals or {}
    actions: list[Action] = []
    current = {p.id for p in pack.posts}
    for channel in ORDER:
        publisher = publishers.get(channel)
        if publisher is None:
            continue
        for post in pack.by_channel(channel):
            actions.append(_action(post, ledger.get(post.id), publisher, now, visuals.get(post.theme_id)))
        for entry in ledger.entries.values():
            if entry.channel == channel and entry.post_id not in current and entry.state != "published":
                actions.append(Action("delete", channel, entry.post_id, entry.when, note="retirée de la campagne"))
    return actions


def _action(post: Post, entry: Publication | None, publisher: Publisher, now: datetime,
            visual: Path | None) -> Action:
    act = Action("unchanged", post.channel, post.id, post.when, _summary(post))
    if entry is not None and entry.state == "published":
        return act  # live on the network: never touched again
    if not publisher.schedules:
        if post.when > now:
            act.kind, act.note = "later", "publiée par « publish-due » à son heure"
        elif now - post.when <= DUE_GRACE:
            act.kind = "publish"
        else:
            act.kind, act.note = "missed", f"heure dépassée de plus de {DUE_GRACE.seconds // 3600} h"
        return act
    if publisher.min_ahead and post.when < now + publisher.min_ahead:
        if entry is None:
            act.kind = "too-late"
            act.note = f"{publisher.network} demande au moins {_duration(publisher.min_ahead)} d'avance"
        return act
    if publisher.max_ahead and post.when > now + publisher.max_ahead:
        act.kind = "later"
        act.note = f"{publisher.network} programme au plus {_duration(publisher.max_ahead)} à l'avance"
        return act
    if entry is None:
        act.kind = "create"
    elif entry.fingerprint != fingerprint(post, visual, _body(publisher, post)):
        act.kind = "update"
    return act


def _body(publisher: Publisher, post: Post) -> str:
    body = getattr(publisher, "body", None)  # what a post carries beyond its text (WordPress: the article)
    return body(post) if body else ""


def _duration(delta: timedelta) -> str:
    if delta >= timedelta(days=1):
        return f"{delta.days} jours"
    return f"{int(delta.total_seconds() // 60)} minutes"


def with_article_addresses(pack: ChannelPack, ledger: Ledger) -> ChannelPack:
    """The pack with every link to a blog draft replaced by the address WordPress gave the article."""
    real = {b.url: ledger.get(f"blog--{b.theme_id}--article").url for b in pack.blogs
            if ledger.get(f"blog--{b.theme_id}--article") and ledger.get(f"blog--{b.theme_id}--article").url}
    if not real:
        return pack
    posts = []
    for post in pack.posts:
        base = post.link.split("&utm_", 1)[0]
        if base in real:
            utm = utm_of(post.link)
            link = with_utm(real[base], source=utm.get("utm_source", post.channel),
                            medium=utm.get("utm_medium", "social"), campaign=utm.get("utm_campaign", ""),
                            content=utm.get("utm_content", ""))
            post = post.model_copy(update={"link": link, "text": post.text.replace(post.link, link)})
        posts.append(post)
    return pack.model_copy(update={"posts": posts})


def apply(pack: ChannelPack, ledger: Ledger, publishers: dict[str, Publisher], *, now: datetime,
          visuals: dict[str, Path] | None = None, only: set[str] | None = None,
          progress=None) -> Outcome:
    """Send what `plan` says, the blog first; each result is recorded at once, so a rerun resumes."""
    visuals = visuals or {}
    outcome = Outcome()
    for channel in ORDER:
        if channel not in publishers:
            continue
        if channel != "blog":  # the articles exist now: bridges point to their real address
            pack = with_article_addresses(pack, ledger)
        by_id = {p.id: p for p in pack.posts}
        publisher = publishers[channel]
        for action in plan(pack, ledger, {channel: publisher}, now=now, visuals=visuals):
            outcome.actions.append(action)
            if action.kind not in ("create", "update", "delete", "publish") or (only and action.post_id not in only):
                continue
            if action.kind == "delete":
                publisher.delete(ledger.get(action.post_id))
                ledger.forget(action.post_id)
            else:
                post = by_id[action.post_id]
                visual = visuals.get(post.theme_id)
                entry = ledger.get(post.id)
                remote = publisher.update(entry, post, visual) if entry else publisher.create(post, visual)
                ledger.record(Publication(
                    post_id=post.id, channel=channel, remote_id=remote.remote_id, url=remote.url,
                    media_id=remote.media_id, fingerprint=fingerprint(post, visual, _body(publisher, post)),
                    when=post.when,
                    state="published" if action.kind == "publish" else getattr(publisher, "state", "scheduled")))
            outcome.sent += 1
            if progress:
                progress(outcome.sent, action)
    return outcome

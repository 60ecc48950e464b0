"""What the composer produces: posts, image briefs, blog drafts, LSF video briefs, and the whole pack."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

PostKind = Literal["article", "relay", "video", "advice", "event", "newsletter"]

KIND_LABELS = {"article": "Article", "relay": "Relais de l'article", "video": "Vidéo LSF",
               "advice": "Conseil du bibliothécaire", "event": "Annonce d'événement",
               "newsletter": "Lettre d'information"}


class ImageBrief(BaseModel):
    """The image to attach: what it shows (for whoever makes it) and its alternative text (for screen readers)."""

    description: str
    alt_text: str = Field(min_length=1)
    ratio: str
    width: int
    height: int
    url: str = ""  # where the visual is published, once it exists; the brief stands in for it until then


class Post(BaseModel):
    id: str  # stable across runs: edits are keyed on it
    channel: str
    kind: PostKind
    theme_id: str = ""  # empty for the newsletter, which covers every theme
    when: datetime  # aware, Europe/Paris
    title: str = ""  # blog, YouTube, newsletter subject
    text: str
    hashtags: list[str] = Field(default_factory=list)  # without '#'
    link: str
    images: list[ImageBrief] = Field(default_factory=list)
    event_id: str = ""
    reminder_days: int | None = None

    @property
    def hashtag_text(self) -> str:
        return " ".join(f"#{t}" for t in self.hashtags)


class SubtitleCue(BaseModel):
    start_s: float
    end_s: float
    text: str


class LsfBrief(BaseModel):
    """The brief of the LSF (French Sign Language) version for YouTube: what to sign, how long, the subtitles."""

    theme_id: str
    title: str
    outline: list[str]  # what to sign, in order
    duration_s: int
    ratio: str
    subtitles: list[SubtitleCue]
    notes: list[str] = Field(default_factory=list)

    def srt(self) -> str:
        def stamp(s: float) -> str:
            ms = round(s * 1000)
            return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"

        return "\n".join(f"{i}\n{stamp(c.start_s)} --> {stamp(c.end_s)}\n{c.text}\n"
                         for i, c in enumerate(self.subtitles, start=1))

    def markdown(self) -> str:
        minutes, seconds = divmod(self.duration_s, 60)
        lines = [f"# {self.title}", "", f"Durée visée : {minutes} min {seconds:02d} s — format {self.ratio}, "
                 "sous-titres en français (fichier .srt joint).", "", "## Ce qu'il faut signer", ""]
        lines += [f"{i}. {point}" for i, point in enumerate(self.outline, start=1)]
        lines += ["", "## Consignes de tournage", ""] + [f"- {n}" for n in self.notes]
        return "\n".join(lines) + "\n"


class BlogDraft(BaseModel):
    theme_id: str
    title: str
    slug: str
    url: str  # the post's expected address, which the bridges link to
    html: str  # Gutenberg block markup
    excerpt: str
    when: datetime
    tags: list[str]
    categories: list[str]
    featured_image: ImageBrief


class ChannelPack(BaseModel):
    campaign_name: str
    campaign_slug: str
    utm_campaign: str = ""  # as the brief gave it: the links of edited texts get the same
    start: date
    end: date
    posts: list[Post]
    blogs: list[BlogDraft]
    lsf: list[LsfBrief]
    notes: list[str] = Field(default_factory=list)

    def by_channel(self, channel: str) -> list[Post]:
        return [p for p in self.posts if p.channel == channel]

    def with_posts(self, posts: list[Post]) -> ChannelPack:
        """The pack with (edited) posts; an edited article text becomes its blog draft's excerpt."""
        excerpts = {p.theme_id: p.text for p in posts if p.kind == "article"}
        blogs = [b.model_copy(update={"excerpt": excerpts.get(b.theme_id, b.excerpt)}) for b in self.blogs]
        return self.model_copy(update={"posts": posts, "blogs": blogs})

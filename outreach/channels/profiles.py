"""Channel profiles (`data/channels.yaml`): each network's role, public, constraints and bridges.

The file is editable by the communication officer; it is validated here so that a typo becomes a French
message naming the channel and the key, never a traceback deep in the composer.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from outreach.errors import InputError, InputErrors
from outreach.paths import data_dir
from outreach.yamlfile import read_yaml

CHANNEL_IDS = ("blog", "facebook", "instagram", "x", "mastodon", "youtube", "newsletter")
HASHTAG = re.compile(r"^\w+$")  # what follows the '#': letters, digits, underscore (accents allowed)
RATIO = re.compile(r"^\d+(\.\d+)?:\d+(\.\d+)?$")
TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class ImageSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ratio: str
    width: int = Field(gt=0)
    height: int = Field(gt=0)
    max_images: int = Field(default=1, ge=1)
    alt_text_max_chars: int = Field(default=250, ge=50)

    @field_validator("ratio")
    @classmethod
    def _ratio(cls, value: str) -> str:
        if not RATIO.match(value):
            raise ValueError(f"format de proportions « {value} » non reconnu, attendu par ex. 16:9 ou 1.91:1")
        return value


class VideoSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ratio: str = "16:9"
    min_seconds: int | None = Field(default=None, gt=0)
    max_seconds: int | None = Field(default=None, gt=0)
    subtitles: bool = True
    embeds: list[str] = Field(default_factory=list)


class Constraints(BaseModel):
    model_config = ConfigDict(extra="forbid")

    max_chars: int = Field(gt=0)
    target_chars: int | None = Field(default=None, gt=0)
    title_max_chars: int | None = Field(default=None, gt=0)
    excerpt_max_chars: int | None = Field(default=None, gt=0)
    link_chars: int | None = Field(default=None, gt=0)
    weighting: Literal["plain", "twitter"] = "plain"
    link_placement: Literal["text", "bio", "card", "description", "body"] = "text"
    max_hashtags: int = Field(default=0, ge=0)
    recommended_hashtags: int | None = Field(default=None, ge=0)
    image: ImageSpec
    video: VideoSpec | None = None

    @model_validator(mode="after")
    def _target_within_max(self):
        if self.target_chars is not None and self.target_chars > self.max_chars:
            raise ValueError(f"target_chars ({self.target_chars}) dépasse max_chars ({self.max_chars})")
        return self

    @property
    def text_limit(self) -> int:
        """What the composer aims at: the editorial target when set, else the platform's limit."""
        return self.target_chars or self.max_chars

    @property
    def hashtag_limit(self) -> int:
        return min(self.max_hashtags, self.recommended_hashtags) if self.recommended_hashtags is not None \
            else self.max_hashtags


class Bridges(BaseModel):
    model_config = ConfigDict(extra="forbid")

    embeds: list[str] = Field(default_factory=list)  # the channels whose content this one embeds (the blog)
    links_to: str | None = None  # the channel whose post this one links to (the blog post)


class ChannelProfile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: Literal["blog", "facebook", "instagram", "x", "mastodon", "youtube", "newsletter"]
    name: str = Field(min_length=1)
    role: str = Field(min_length=1)
    source: str = Field(min_length=1)
    public: str = Field(min_length=1)
    utm_medium: str = Field(pattern=r"^[a-z0-9_-]+$")
    publish_time: str = "10:00"
    bridge_offset_days: int = Field(default=0, ge=0, le=60)
    event_reminders: list[int] = Field(default_factory=list)
    advice: bool = False  # carries the librarians' advice on demand (#Conseil2bib)
    lsf: bool = False  # carries the LSF video version
    account_url: str = ""
    constraints: Constraints
    default_hashtags: list[str] = Field(default_factory=list)
    bridges: Bridges = Field(default_factory=Bridges)

    @field_validator("publish_time")
    @classmethod
    def _time(cls, value: str) -> str:
        if not TIME.match(str(value)):
            raise ValueError(f"heure « {value} » invalide, attendu HH:MM (par ex. 12:30)")
        return str(value)

    @field_validator("event_reminders")
    @classmethod
    def _reminders(cls, value: list[int]) -> list[int]:
        if any(d < 0 or d > 60 for d in value):
            raise ValueError("les rappels sont des nombres de jours avant l'événement, entre 0 et 60")
        return sorted(set(value), reverse=True)

    @field_validator("default_hashtags", mode="before")
    @classmethod
    def _hashtags(cls, value):
        tags = [str(t).strip().lstrip("#") for t in (value or [])]
        bad = [t for t in tags if not HASHTAG.match(t)]
        if bad:
            raise ValueError(f"hashtag invalide : {', '.join(bad)} (lettres, chiffres et _ seulement, sans espace)")
        return tags

    @property
    def hour(self) -> tuple[int, int]:
        h, m = self.publish_time.split(":")
        return int(h), int(m)


class ChannelSet(BaseModel):
    model_config = ConfigDict(extra="forbid")

    channels: list[ChannelProfile]

    @model_validator(mode="after")
    def _complete_and_bridged(self):
        ids = [c.id for c in self.channels]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"canal en double : {', '.join(dupes)}")
        missing = [c for c in CHANNEL_IDS if c not in ids]
        if missing:
            raise ValueError(f"canal manquant : {', '.join(missing)}")
        for c in self.channels:
            unknown = [e for e in c.bridges.embeds if e not in ids]
            if c.bridges.links_to and c.bridges.links_to not in ids:
                unknown.append(c.bridges.links_to)
            if unknown:
                raise ValueError(f"passerelle de « {c.id} » vers un canal inconnu : {', '.join(unknown)}")
        return self

    def by_id(self) -> dict[str, ChannelProfile]:
        return {c.id: c for c in self.channels}


def channels_path() -> Path:
    return data_dir() / "channels.yaml"


def _where(loc: tuple, raw: dict) -> str:
    """'channels[3] (x) → constraints.max_chars' from pydantic's location."""
    parts = list(loc)
    if len(parts) >= 2 and parts[0] == "channels" and isinstance(parts[1], int):
        index = parts[1]
        try:
            name = raw["channels"][index].get("id", "?")
        except (KeyError, IndexError, TypeError, AttributeError):
            name = "?"
        rest = ".".join(str(p) for p in parts[2:])
        return f"canal n° {index + 1} ({name})" + (f", clé « {rest} »" if rest else "")
    return ".".join(str(p) for p in parts) or "fichier"


def _message(error: dict) -> str:
    kind, ctx = error["type"], error.get("ctx") or {}
    if kind == "missing":
        return "valeur manquante"
    if kind == "extra_forbidden":
        return "clé inconnue"
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    if kind == "literal_error":
        return f"valeur refusée, attendu : {ctx.get('expected')}"
    if kind in ("greater_than", "greater_than_equal"):
        return f"doit être supérieur à {ctx.get('gt', ctx.get('ge'))}"
    if kind in ("int_parsing", "int_type", "float_parsing"):
        return "nombre entier attendu"
    if kind == "string_pattern_mismatch":
        return "minuscules, chiffres, - ou _ seulement"
    if kind == "too_short":
        return "ne doit pas être vide"
    return error["msg"]


def parse_channels(raw, *, file: str | Path | None = None) -> ChannelSet:
    if not isinstance(raw, dict) or "channels" not in raw:
        raise InputError("le fichier doit contenir une liste « channels: ».", file=file,
                         fix="Repartez du fichier data/channels.yaml livré.")
    try:
        return ChannelSet.model_validate(raw)
    except ValidationError as exc:
        problems = [InputError(_message(e), file=file, where=_where(e["loc"], raw),
                               fix="Corrigez la valeur dans le fichier des canaux.") for e in exc.errors()]
        if len(problems) == 1:
            raise problems[0] from exc
        raise InputErrors(problems, file=file) from exc


def load_channels(path: str | Path | None = None) -> dict[str, ChannelProfile]:
    """Channel profiles by id, in the file's order (the shipped file when `path` is None)."""
    if path is None:
        return dict(_shipped())
    return _read(Path(path)).by_id()


@cache
def _shipped() -> tuple[tuple[str, ChannelProfile], ...]:
    return tuple(_read(channels_path()).by_id().items())


def _read(path: Path) -> ChannelSet:
    raw = read_yaml(path, missing_fix="Vérifiez le chemin du fichier des canaux.")
    return parse_channels(raw, file=path)

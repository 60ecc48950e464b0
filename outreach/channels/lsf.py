"""The brief of a theme's LSF (French Sign Language) video for YouTube: what to sign, how long, subtitles.

The seed (000) makes YouTube the place of LSF content: presentation of the activities, news, translation
of the newsletter. The brief lists what to sign in order, built from the same true figures as the posts;
the duration comes from the French subtitles, which must stay readable: at most 15 characters a second
and two lines of 42 characters a cue (the usual French subtitling norms), each cue shown 1.5 s or more.
"""

from __future__ import annotations

import math
from datetime import datetime

from outreach.channels import french
from outreach.channels.posts import LsfBrief, SubtitleCue
from outreach.channels.profiles import ChannelProfile
from outreach.channels.sentences import event_phrase, figure_sentence, items_sentence

CHARS_PER_SECOND = 15
LINE_CHARS = 42
CUE_CHARS = 2 * LINE_CHARS
MIN_CUE_S = 1.5
GAP_S = 0.2  # between cues: a blank frame keeps two cues from merging on screen

NOTES = [
    "Plan taille (de la tête à la taille), mains toujours dans le cadre, fond uni contrastant avec la "
    "peau et les vêtements de la personne qui signe.",
    "Lumière de face, sans ombre sur le visage : les expressions du visage font partie de la langue.",
    "Sous-titres en français : le fichier .srt joint est un premier jet à caler sur le rythme réel de "
    "la vidéo ; à importer dans YouTube Studio (Sous-titres) plutôt qu'à incruster.",
    "Relecture par une personne sourde signante avant publication.",
]


def _lines_of(sentence: str) -> list[str]:
    """Greedy wrap at spaces (not at no-break spaces, which glue guillemets to their words)."""
    lines, current = [], ""
    for word in sentence.split(" "):
        if not word:
            continue
        candidate = f"{current} {word}" if current else word
        if len(candidate) > LINE_CHARS and current:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines


def _cues_of(sentence: str) -> list[str]:
    """A sentence as subtitle cues of at most two lines of 42 characters, cut between words."""
    lines = _lines_of(sentence)
    return ["\n".join(lines[i:i + 2]) for i in range(0, len(lines), 2)]


def _duration(text: str) -> float:
    return max(MIN_CUE_S, math.ceil(len(text.replace("\n", " ")) / CHARS_PER_SECOND * 10) / 10)


def outline(theme, events, brief) -> list[str]:
    points = [f"Bonjour ! Aujourd'hui, le thème {french.quote(theme.label)} dans nos bibliothèques."]
    if theme.description:
        points.append(theme.description.strip())
    for sentence in (figure_sentence(theme), items_sentence(theme)):
        if sentence:
            points.append(sentence)
    for event in events[:3]:
        points.append(f"Rendez-vous : {event_phrase(theme, event)}.")
    if len(events) > 3:
        points.append(f"Et {french.plural(len(events) - 3, 'autre rendez-vous', 'autres rendez-vous')} : "
                      "tout est dans l'article du blog.")
    points.append("Une question, un conseil de lecture ? Écrivez-nous avec le mot-clé #Conseil2bib.")
    points.append("Tous les détails sont sur notre blog, le lien est sous la vidéo. À bientôt !")
    return points


def lsf_brief(theme, events, profile: ChannelProfile, when: datetime, brief) -> LsfBrief:
    video = profile.constraints.video
    max_s = video.max_seconds if video and video.max_seconds else 180
    min_s = video.min_seconds if video and video.min_seconds else 0
    points = outline(theme, events, brief)
    # drop the optional points (events beyond the first, then the description) until the video fits
    while _total(points) > max_s and len(points) > 3:
        points.pop(-3)
    cues, t = [], 0.0
    for point in points:
        for text in _cues_of(point):
            d = _duration(text)
            cues.append(SubtitleCue(start_s=round(t, 1), end_s=round(t + d, 1), text=text))
            t += d + GAP_S
    duration = max(min_s, math.ceil(t))
    title_limit = profile.constraints.title_max_chars or 100
    title = f"{theme.label} dans nos bibliothèques — en LSF"
    if len(title) > title_limit:
        title = f"{theme.label} — LSF"[:title_limit]
    notes = [f"Publication prévue le {french.day(when)} à {french.time(when)}, format {video.ratio if video else '16:9'}."]
    return LsfBrief(theme_id=theme.theme_id, title=title, outline=points, duration_s=duration,
                    ratio=video.ratio if video else "16:9", subtitles=cues, notes=notes + NOTES)


def _total(points: list[str]) -> float:
    return sum(_duration(c) + GAP_S for p in points for c in _cues_of(p))

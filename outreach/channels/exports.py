"""The pack as files: posts.csv (a row per post), calendar.ics (the editorial calendar), LSF briefs."""

from __future__ import annotations

import hashlib
import io
from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event

from outreach import cells
from outreach.channels.posts import KIND_LABELS, ChannelPack
from outreach.channels.profiles import ChannelProfile, load_channels
from outreach.channels.timezone import rule_based_vtimezone
from outreach.channels.wxr import blog_wxr

CSV_COLUMNS = ["channel", "date", "text", "link", "hashtags", "alt_text"]
EXTRA_COLUMNS = ["kind", "theme_id", "title", "event_id", "post_id"]
ALT_SEPARATOR = " | "  # between the alt texts of a post with several images
SLOT_MINUTES = 15  # a post's event in the calendar: a reminder, not a meeting


def posts_csv(pack: ChannelPack) -> str:
    """One row per post in date order; the header's first six columns are the ones the issue names."""
    out = io.StringIO()
    writer = cells.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS + EXTRA_COLUMNS)
    for p in pack.posts:
        writer.writerow([p.channel, p.when.isoformat(), p.text, p.link, p.hashtag_text,
                         ALT_SEPARATOR.join(i.alt_text for i in p.images), p.kind, p.theme_id, p.title, p.event_id,
                         p.id])
    return out.getvalue()


def calendar_ics(pack: ChannelPack, channels: dict[str, ChannelProfile] | None = None,
                 now: datetime | None = None) -> bytes:
    """The editorial calendar: an event per post, at its publication time, with the text to publish."""
    channels = channels or load_channels()
    cal = Calendar()
    cal.add("prodid", "-//outreach//Calendrier éditorial//FR")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"Calendrier éditorial — {pack.campaign_name}")
    cal.add("x-wr-timezone", "Europe/Paris")
    stamp = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    for p in pack.posts:
        name = channels[p.channel].name if p.channel in channels else p.channel
        ev = Event()
        ev.add("uid", f"{hashlib.sha1(f'{pack.campaign_slug}/{p.id}'.encode()).hexdigest()[:20]}@outreach")
        ev.add("dtstamp", stamp)
        ev.add("dtstart", p.when)
        ev.add("dtend", p.when + timedelta(minutes=SLOT_MINUTES))
        summary = f"{name} — {KIND_LABELS[p.kind]}"
        if p.reminder_days is not None:
            summary += f" (J-{p.reminder_days})"
        if p.title:
            summary += f" : {p.title}"
        ev.add("summary", summary)
        alt = "\n".join(f"Image ({i.ratio}) : {i.description}\nTexte alternatif : {i.alt_text}" for i in p.images)
        ev.add("description", "\n\n".join(x for x in (p.text, f"Lien : {p.link}", alt) if x))
        ev.add("url", p.link)
        ev.add("categories", [name])
        ev.add("status", "TENTATIVE")  # drafts until the officer publishes them
        cal.add_component(ev)
    _add_timezones(cal, pack)
    return cal.to_ical()


def _add_timezones(cal: Calendar, pack: ChannelPack) -> None:
    """A VTIMEZONE per zone used, in the yearly-rule form every client reads (see channels/timezone.py)."""
    zones = {str(p.when.tzinfo) for p in pack.posts if p.when.tzinfo is not None and str(p.when.tzinfo) != "UTC"}
    years = range(min(p.when.year for p in pack.posts), max(p.when.year for p in pack.posts) + 1) if pack.posts \
        else range(pack.start.year, pack.start.year + 1)
    for tzid in sorted(zones):
        component = rule_based_vtimezone(tzid, years)
        if component is not None:
            cal.add_component(component)
    cal.add_missing_timezones()  # a zone no yearly rule describes keeps icalendar's explicit transitions


POSTS_FILE, CALENDAR_FILE, BLOG_FILE = "posts.csv", "calendar.ics", "blog.wxr.xml"


def render_files(pack: ChannelPack, *, site_url: str, site_name: str = "",
                 channels: dict[str, ChannelProfile] | None = None, now: datetime | None = None) -> dict[str, bytes]:
    """Every output file by name: posts, calendar, WordPress drafts, and per theme the LSF brief and subtitles."""
    files = {POSTS_FILE: posts_csv(pack).encode("utf-8"),
             CALENDAR_FILE: calendar_ics(pack, channels, now=now),
             BLOG_FILE: blog_wxr(pack, site_url=site_url, site_name=site_name, now=now).encode("utf-8")}
    for brief in pack.lsf:
        files[f"lsf-{brief.theme_id}.md"] = brief.markdown().encode("utf-8")
        files[f"lsf-{brief.theme_id}.srt"] = brief.srt().encode("utf-8")
    return files

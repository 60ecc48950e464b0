"""Library events from iCalendar files and OpenAgenda exports, placed at a branch.

Formats:
  iCalendar (.ics)   VEVENT: UID, SUMMARY, DESCRIPTION, DTSTART, DTEND, LOCATION, GEO, URL, CATEGORIES
  OpenAgenda JSON    both shapes of the Opendatasoft exports: the current one (`title_fr`, `description_fr`,
                     `keywords_fr`, `firstdate_begin`, `lastdate_end`, `location_name`, `location_coordinates`
                     [lat, lon]) and the older "evenements-a-paris" one (`title`, `description`, `tags`,
                     `date_start`/`timetable`, `placename`, `latlon`); a bare list of such records, a
                     {"records": [{"fields": …}]} response, or an OpenAgenda API {"events": [...]} answer
                     with multilingual {"fr": …} values. An event with several `timings` (a JSON list, or
                     Opendatasoft's JSON text) gives one event per timing.
  OpenAgenda CSV/XLSX the spreadsheet exports, French headers (Titre, Horaires ISO, Nom du lieu, Adresse,
                     Code postal, Ville…; see outreach.sources.agenda_tables), one event per timing; a
                     row that cannot be read is skipped with its line and reason.
The branch of an event is found, in this order: by id (a `branch_id` field, or an iCal X-BRANCH-ID), by
name (the location name equals a branch's name, accents and case aside, when one branch has that name; a
name many branches share, "Médiathèque municipale", counts only with the branch's town in the location), by
address (the branch's street, abbreviations aside, and its postcode or town in the location), or by
coordinates (the nearest branch within 300 m, for a location without a name or named like a library: a
church next door is not the library). An event that matches no branch is kept with
`branch_id=None` and counted in the notes: it cannot be advertised for a branch, but it is not lost.
Cancelled events (iCal STATUS:CANCELLED, OpenAgenda status 6 « Annulé ») are left out and counted; a
cancelled occurrence of a series removes that date only.
Times are kept as wall-clock times (naive datetimes), the way an agenda shows them: a time with a named
zone or an offset stays as written there (an event in Guadeloupe at 14:00 is at 14:00); a UTC time ("Z")
is read in Europe/Paris. An all-day event (DTSTART;VALUE=DATE) starts at midnight and, without DTEND,
lasts that day.
"""

from __future__ import annotations

import datetime as datetime_module
import html
import json
import re
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

from outreach.bounds import MAX_AGENDA_BYTES, MAX_OCCURRENCES, parse_json
from outreach.errors import InputError
from outreach.model import Branch, LibraryEvent
from outreach.sources.tabular import decode, input_bytes
from outreach.text import fold

PARIS = ZoneInfo("Europe/Paris")
_TAG = re.compile(r"<[^>]+>")


def clean(text: str) -> str:
    """Plain text of an agenda field: HTML tags dropped, entities (&amp;) decoded, spaces collapsed."""
    return " ".join(html.unescape(_TAG.sub(" ", text or "")).split())


BRANCH_RADIUS_KM = 0.3


@dataclass
class EventsRead:
    path: str
    events: list[LibraryEvent]
    format: str
    skipped: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)  # titles of the events left out as cancelled


_ABBREVIATIONS = {"r": "rue", "av": "avenue", "ave": "avenue", "bd": "boulevard", "bld": "boulevard",
                  "pl": "place", "ch": "chemin", "che": "chemin", "imp": "impasse", "all": "allee", "sq": "square",
                  "st": "saint", "ste": "sainte", "fg": "faubourg", "pte": "porte", "crs": "cours", "qu": "quai"}
_POSTCODE = re.compile(r"\b(\d{5})\b")


_LIBRARY_STEMS = ("biblio", "mediath", "ludoth", "discoth", "artoth", "videoth")
_LIBRARY_WORDS = {"bpi", "bm", "bmvr", "bdp", "mdp"}


def may_be_a_library(name: str) -> bool:
    """Whether coordinates may place an event at the nearest branch: only for a location without a name or
    one named like a library. In a dense town a church, a town hall or a theatre is often within 300 m of a
    library (28 of 100 real Paris OpenAgenda events were placed so, two of them really in a library)."""
    words = fold(name).split()
    return not words or any(w.startswith(_LIBRARY_STEMS) or w in _LIBRARY_WORDS for w in words)


def street(text: str) -> str:
    """An address folded, its abbreviations written out ("32 r. Fernand-Rambert" → "32 rue fernand rambert")."""
    return " ".join(_ABBREVIATIONS.get(w, w) for w in fold(text).split())


# (lat, lon, radius in km) → the id of the nearest branch within the radius, or None
Near = Callable[[float, float, float], str | None]


class BranchFinder:
    """Finds the branch of an event by id, by name, by address, or by coordinates (nearest within 300 m)."""

    def __init__(self, branches: list[Branch] | None, near: Near | None = None):
        self.branches = list(branches or [])
        self.ids = {b.id for b in self.branches}
        named: dict[str, list[Branch]] = {}
        for b in self.branches:
            named.setdefault(fold(b.name), []).append(b)
        self.names = {name: bs[0].id for name, bs in named.items() if len(bs) == 1}
        self.named = named
        self.near = near if self.branches else None

    def find(self, branch_id: str | None, name: str, lat: float | None, lon: float | None,
             place: str = "") -> tuple[str | None, str]:
        """(branch id or None, how it was found); `place` is the whole location text (name, address, town)."""
        if branch_id and (not self.ids or branch_id in self.ids):
            return branch_id, "id"
        folded = fold(name)
        if folded in self.names:
            return self.names[folded], "nom"
        where = f" {street(place or name)} "
        in_town = [b for b in self.named.get(folded, []) if fold(b.city) and f" {fold(b.city)} " in where]
        if len(in_town) == 1:
            return in_town[0].id, "nom et commune"
        by_address = self._by_address(where)
        if by_address:
            return by_address, "adresse"
        if self.near is not None and lat is not None and lon is not None and may_be_a_library(name):
            found = self.near(lat, lon, BRANCH_RADIUS_KM)
            if found:
                return found, "coordonnées"
        return None, ""

    @staticmethod
    def _street(branch: Branch) -> str:
        """The branch's street, or '' when its address is no street ("Paris", a bare place name)."""
        text = street(branch.address)
        return text if len(text.split()) >= 2 and text != fold(branch.city) else ""

    def _by_address(self, where: str) -> str | None:
        """The one branch whose street is in the location, with its postcode or its town; None if none or many."""
        postcodes = set(_POSTCODE.findall(where))
        found = {b.id for b in self.branches
                 if self._street(b) and f" {self._street(b)} " in where
                 and (b.postcode in postcodes or (fold(b.city) and f" {fold(b.city)} " in where))}
        return found.pop() if len(found) == 1 else None


def to_local(value) -> datetime | None:
    """A date, datetime or ISO text as a naive Europe/Paris wall-clock datetime."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        text = value.strip().replace("Z", "+00:00")
        try:
            value = datetime.fromisoformat(text)
        except ValueError:
            try:
                value = date.fromisoformat(text[:10])
            except ValueError:
                return None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return value
        if value.utcoffset() == timedelta(0) and str(value.tzinfo) in ("UTC", "UTC+00:00", "Z", "tzutc()"):
            return value.astimezone(PARIS).replace(tzinfo=None)  # UTC says nothing of the place: Paris
        return value.replace(tzinfo=None)  # the wall-clock time of the event's own zone
    if isinstance(value, date):
        return datetime.combine(value, time(0, 0))
    return None


def read_events(path: str | Path, *, data: bytes | None = None, name: str | None = None,
                branches: list[Branch] | None = None, near: Near | None = None) -> EventsRead:
    """The events of an iCalendar or OpenAgenda file (or of the feed at that address: https://…, webcal://…),
    each placed at one of `branches` by id, by name, by address, or by coordinates through `near`
    (territory.branch_near: the readers know nothing of geodesy)."""
    from outreach.sources.agenda_feed import fetch_agenda, is_url

    label = name or str(path)
    if data is None and isinstance(path, str) and is_url(path):
        data = fetch_agenda(path)
    raw = input_bytes(path, data, label, empty_fix=EMPTY_FIX, max_bytes=MAX_AGENDA_BYTES)
    return read_agenda_bytes(raw, label, branches=branches, near=near)


EMPTY_FIX = "Choisissez un export d'agenda (.ics, .json, .csv ou .xlsx)."


def read_agenda_bytes(raw: bytes, label: str, *, branches: list[Branch] | None = None,
                      near: Near | None = None) -> EventsRead:
    """`read_events` of bytes already read (a file, an upload or a feed fetched from its address)."""
    from outreach.sources import agenda_tables

    finder = BranchFinder(branches, near)
    if raw.startswith(b"PK\x03\x04"):  # a zip: an Excel workbook
        read = _read_table(agenda_tables.xlsx_rows(raw, label), label, finder, "OpenAgenda (Excel)")
    else:
        text, _ = decode(raw, label)
        stripped = text.lstrip("\ufeff \t\r\n")
        if stripped.startswith("BEGIN:VCALENDAR"):
            read = _read_ical(text, label, finder)
        elif stripped[:1] in "[{":
            read = _read_openagenda(text, label, finder)
        elif agenda_tables.is_table(stripped):
            read = _read_table(agenda_tables.csv_rows(stripped, label), label, finder, "OpenAgenda (CSV)")
        else:
            raise InputError("format d'agenda non reconnu.", file=label,
                             fix="Donnez un fichier iCalendar (.ics, commençant par BEGIN:VCALENDAR) ou un export "
                                 "OpenAgenda en JSON, CSV ou Excel (avec une colonne Titre).")
    return _checked(read, label, branches)


def _checked(read: EventsRead, label: str, branches: list[Branch] | None) -> EventsRead:
    if not read.events and read.cancelled:
        raise InputError(f"tous les événements de l'agenda sont annulés ({len(read.cancelled)}).", file=label,
                         fix="Choisissez un agenda qui a des événements à venir.")
    if not read.events:
        first = f" ({read.skipped[0][0]} : {read.skipped[0][1]})" if read.skipped else ""
        raise InputError(f"aucun événement lisible{first}.", file=label,
                         fix="Chaque événement doit avoir un titre et une date de début lisibles.")
    unplaced = [e for e in read.events if e.branch_id is None]
    if unplaced and branches:
        read.notes.append(f"{label} : {len(unplaced)} événement(s) sans bibliothèque reconnue (ni identifiant, "
                          f"ni nom, ni adresse, ni coordonnées à moins de 300 m d'une bibliothèque) : "
                          + ", ".join(f"« {e.title} »" for e in unplaced[:5]) + ("…" if len(unplaced) > 5 else "")
                          + ".")
    if read.cancelled:
        read.notes.append(f"{label} : {len(read.cancelled)} événement(s) annulé(s) écarté(s) : "
                          + ", ".join(f"« {t} »" for t in read.cancelled[:5]) + ("…" if len(read.cancelled) > 5 else "")
                          + ".")
    if read.skipped:
        read.notes.append(f"{label} : {len(read.skipped)} événement(s) ignoré(s) — "
                          + "; ".join(f"{w} : {r}" for w, r in read.skipped[:10]) + ".")
    return read


def _keep(events: list[LibraryEvent], skipped: list[tuple[str, str]], where: str,
          build: Callable[[], LibraryEvent | list[LibraryEvent] | None], missing: str) -> None:
    """Append the event `build` makes, or the reason it was skipped: a broken value (icalendar's broken
    properties are ValueErrors; JSON values of the wrong type raise the others), or `missing`."""
    try:
        event = build()
    except (ValueError, TypeError, AttributeError, KeyError) as exc:
        skipped.append((where, f"valeur illisible ({exc})"))
        return
    if event is None:
        skipped.append((where, missing))
    else:
        events.extend(event if isinstance(event, list) else [event])


# ---------- iCalendar ----------

def _read_ical(text: str, label: str, finder: BranchFinder) -> EventsRead:
    import icalendar

    try:
        calendar = icalendar.Calendar.from_ical(text)
    except ValueError as exc:
        raise InputError(f"iCalendar illisible ({exc}).", file=label,
                         fix="Exportez à nouveau l'agenda au format iCalendar (.ics).") from exc
    events, moved, skipped, cancelled, called_off = [], [], [], [], []
    for position, component in enumerate(calendar.walk("VEVENT"), start=1):
        title = clean(str(component.get("SUMMARY") or ""))
        where = f"événement n° {position}" + (f" « {title} »" if title else "")
        is_cancelled = str(component.get("STATUS") or "").strip().upper() == "CANCELLED"
        if is_cancelled:
            cancelled.append(title or where)
            if component.get("RECURRENCE-ID") is None:
                continue
        try:
            _keep(called_off if is_cancelled else moved if component.get("RECURRENCE-ID") is not None else events,
                  skipped, where, partial(_ical_events, component, title, position, finder),
                  "sans titre (SUMMARY) ou sans date de début (DTSTART)")
        except InputError as exc:  # a series too costly to expand: the file is refused, naming the event
            exc.file, exc.where = label, f"{where}, règle de répétition (RRULE)"
            raise
    if not events and not moved and not skipped and not cancelled:
        raise InputError("aucun événement (VEVENT) dans le calendrier.", file=label)
    # a moved occurrence (RECURRENCE-ID) takes the place of the one its series gives, wherever it is written;
    # a cancelled one removes it
    replacing = {e.id: e for e in moved}
    gone = {e.id for e in called_off}
    events = [replacing.pop(e.id, e) for e in events if e.id not in gone] + list(replacing.values())
    return EventsRead(label, events, "iCalendar", skipped, cancelled=cancelled)


RECURRENCE_HORIZON = timedelta(days=366)  # a series without end is read up to a year after today


def _ical_events(component, title: str, position: int, finder: BranchFinder) -> list[LibraryEvent] | None:
    """A VEVENT as its events: one, or one per date of its series (RRULE, less EXDATE), each with the id
    UID/start so that a moved occurrence (RECURRENCE-ID) can take its place."""
    event = _ical_event(component, title, position, finder)
    if event is None:
        return None
    recurrence_id = component.get("RECURRENCE-ID")
    if recurrence_id is not None:
        return [event.model_copy(update={"id": f"{event.id}/{to_local(recurrence_id.dt).isoformat()}"})]
    rule = component.get("RRULE")
    if rule is None:
        return [event]
    first = component.get("DTSTART").dt
    if not isinstance(first, datetime):
        first = datetime.combine(first, time(0, 0))
    horizon = max(first.replace(tzinfo=None), datetime.now()) + RECURRENCE_HORIZON
    excluded = {to_local(d.dt) for value in _as_list(component.get("EXDATE")) for d in value.dts}
    duration = event.end - event.start if event.end else None
    out = []
    for occurrence in _occurrences(rule.to_ical().decode(), first, horizon):
        start = to_local(occurrence)
        if start > horizon:
            break
        if start not in excluded:
            if len(out) == MAX_OCCURRENCES:
                raise InputError(f"la série donne plus de {MAX_OCCURRENCES} dates.", fix=SERIES_FIX)
            out.append(event.model_copy(update={"id": f"{event.id}/{start.isoformat()}", "start": start,
                                                "end": start + duration if duration else None}))
    if not out:
        raise ValueError("sa règle de répétition ne donne aucune date")
    return out


SERIES_FIX = ("Un événement de médiathèque se répète au plus chaque jour : corrigez sa règle de répétition "
              "(RRULE) ou donnez ses dates une à une.")


def _occurrences(rule_text: str, first: datetime, horizon: datetime):
    """The dates of an RRULE, computed no further than the year after `horizon`.

    dateutil looks for matching dates up to the year 9999 when none comes (FREQ=DAILY;BYMONTH=2;
    BYMONTHDAY=30 takes 27 s, FREQ=HOURLY 42 s): its generator is run with that ceiling lowered to the
    horizon's next year, which it reads from the `datetime` module it imported. Rules repeating more
    often than hourly are refused: no agenda needs them and each gives millions of dates a year.
    """
    from dateutil import rrule as dateutil_rrule

    if re.search(r"FREQ=(SECONDLY|MINUTELY)", rule_text, re.I):
        raise InputError("la série se répète chaque seconde ou chaque minute.", fix=SERIES_FIX)
    rule = dateutil_rrule.rrulestr(_until_like_start(rule_text, first), dtstart=first)
    ceiling = _BoundedDatetime(horizon.year + 1)
    bounded_iter = types.FunctionType(dateutil_rrule.rrule._iter.__code__,
                                      {**dateutil_rrule.rrule._iter.__globals__, "datetime": ceiling})
    return bounded_iter(rule)


class _BoundedDatetime:
    """The `datetime` module as dateutil's rrule sees it, with MAXYEAR lowered."""

    def __init__(self, max_year: int):
        self.MAXYEAR = min(max_year, datetime_module.MAXYEAR)

    def __getattr__(self, name):
        return getattr(datetime_module, name)


def _until_like_start(rule: str, first: datetime) -> str:
    """The RRULE with its UNTIL written like DTSTART (UTC when DTSTART has a zone, floating when not), as
    RFC 5545 requires and exports often forget; dateutil refuses the mix."""
    def fix(m: re.Match) -> str:
        day, clock = m.group(1), m.group(2) or "T235959"
        return f"UNTIL={day}{clock}Z" if first.tzinfo else f"UNTIL={day}{clock}"

    return re.sub(r"UNTIL=(\d{8})(T\d{6})?Z?", fix, rule)


def _as_list(value) -> list:
    return [] if value is None else value if isinstance(value, list) else [value]


def _ical_end(component, start: datetime) -> datetime | None:
    """DTEND, else DTSTART + DURATION, else the end of the day for an all-day event (RFC 5545 §3.6.1)."""
    end_prop = component.get("DTEND")
    if end_prop is not None:
        return to_local(end_prop.dt)
    duration = component.get("DURATION")
    if duration is not None:
        return start + duration.dt
    if not isinstance(component.get("DTSTART").dt, datetime):
        return start + timedelta(days=1)
    return None


def _ical_event(component, title: str, position: int, finder: BranchFinder) -> LibraryEvent | None:
    """One VEVENT as an event; None without a title or a start."""
    start_prop = component.get("DTSTART")
    start = to_local(start_prop.dt) if start_prop is not None else None
    if not title or start is None:
        return None
    geo = component.get("GEO")
    lat, lon = (float(geo.latitude), float(geo.longitude)) if geo is not None else (None, None)
    location = str(component.get("LOCATION") or "").strip()
    categories = []
    cats = component.get("CATEGORIES")
    for cat in cats if isinstance(cats, list) else [cats] if cats is not None else []:
        categories += [str(c) for c in getattr(cat, "cats", [cat])]
    branch_hint = str(component.get("X-BRANCH-ID") or "").strip() or None
    branch, _ = finder.find(branch_hint, location.split(",")[0], lat, lon, place=location)
    return LibraryEvent(
        id=str(component.get("UID") or "").strip() or f"ics-{position}", title=title,
        description=clean(str(component.get("DESCRIPTION") or "")), start=start,
        end=_ical_end(component, start), branch_id=branch, location_name=location,
        lat=lat, lon=lon, url=str(component.get("URL") or ""), keywords=categories)


# ---------- OpenAgenda ----------

def _fr(value) -> str:
    """OpenAgenda's multilingual values: {"fr": "…", "en": "…"} → the French text."""
    if isinstance(value, dict):
        value = value.get("fr") or next((v for v in value.values() if v), "")
    if isinstance(value, list):
        return ";".join(_fr(v) for v in value)
    return "" if value is None else str(value)


def _keywords(value) -> list[str]:
    if isinstance(value, dict):
        value = value.get("fr") or []
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    text = str(value or "")
    sep = ";" if ";" in text else ","
    return [k.strip() for k in text.split(sep) if k.strip()]


def _records(doc) -> list[dict]:
    if isinstance(doc, list):
        return doc
    if isinstance(doc, dict):
        for k in ("records", "results", "events"):
            if isinstance(doc.get(k), list):
                return doc[k]
        if "fields" in doc or "uid" in doc:
            return [doc]
    return []


def _latlon(f: dict) -> tuple[float | None, float | None]:
    for k in ("location_coordinates", "latlon"):
        v = f.get(k)
        if isinstance(v, list | tuple) and len(v) == 2:
            return float(v[0]), float(v[1])
        if isinstance(v, dict) and "lat" in v:
            return float(v["lat"]), float(v["lon"])
    loc = f.get("location")
    if isinstance(loc, dict) and loc.get("latitude") is not None:
        return float(loc["latitude"]), float(loc["longitude"])
    return None, None


def _dates(f: dict) -> tuple[datetime | None, datetime | None]:
    if f.get("firstdate_begin"):
        return to_local(f["firstdate_begin"]), to_local(f.get("lastdate_end") or f.get("firstdate_end"))
    if f.get("timetable"):
        first = str(f["timetable"]).split(";")[0].split()
        if first:
            return to_local(first[0]), to_local(first[1]) if len(first) > 1 else None
    if f.get("date_start"):
        return to_local(f["date_start"]), to_local(f.get("date_end"))
    return None, None


def _read_openagenda(text: str, label: str, finder: BranchFinder) -> EventsRead:
    doc = parse_json(text, label, fix="Vérifiez que le fichier est l'export JSON complet de l'agenda.")
    records = _records(doc)
    if not records:
        raise InputError("aucun événement trouvé dans le JSON.", file=label,
                         fix="Attendu : une liste d'événements OpenAgenda ou une réponse {\"records\": [...]}.")
    events, skipped, cancelled = [], [], []
    for position, record in enumerate(records, start=1):
        f = record.get("fields", record) if isinstance(record, dict) else None
        if not isinstance(f, dict):
            skipped.append((f"enregistrement n° {position}", "ce n'est pas un événement (objet JSON attendu)"))
            continue
        title = clean(_fr(f.get("title_fr")) or _fr(f.get("title")))
        where = f"enregistrement n° {position}" + (f" « {title} »" if title else "")
        if _is_cancelled(f.get("status")):
            cancelled.append(title or where)
            continue
        _keep(events, skipped, where, partial(_openagenda_event, record, f, title, position, finder),
              "sans titre ou sans date")
    shape = "OpenAgenda" + (" (ancien format)" if any(
        isinstance(r, dict) and "placename" in r.get("fields", r) for r in records) else "")
    return EventsRead(label, events, shape, skipped, cancelled=cancelled)


OPENAGENDA_CANCELLED = 6  # OpenAgenda's statuses: 1 programmé, 2 reprogrammé, 3 en ligne, 4 reporté, 5 complet, 6 annulé


def _is_cancelled(status) -> bool:
    """OpenAgenda's status: a number, {"id": 6, "label": {"fr": "Annulé"}}, or that object as JSON text (the
    Opendatasoft exports)."""
    if isinstance(status, str) and status.strip().startswith("{"):
        try:
            status = json.loads(status)
        except json.JSONDecodeError:
            return False
    if isinstance(status, dict):
        label = _fr(status.get("label")).strip().lower()
        return status.get("id") == OPENAGENDA_CANCELLED or label in ("annulé", "annule", "cancelled")
    return str(status).strip() == str(OPENAGENDA_CANCELLED)


def _listed_timings(f: dict) -> list[tuple]:
    """(begin, end) of each of a record's `timings`: a list (the OpenAgenda API, its JSON export: begin or
    start) or that list as JSON text (Opendatasoft's exports)."""
    timings = f.get("timings")
    if isinstance(timings, str) and timings.strip().startswith("["):
        timings = json.loads(timings)
    if not isinstance(timings, list):
        return []
    return [(t.get("begin") or t.get("start"), t.get("end")) for t in timings]


def _openagenda_event(record: dict, f: dict, title: str, position: int,
                      finder: BranchFinder) -> list[LibraryEvent] | None:
    """One OpenAgenda record as its events, one per timing; None without a title or a date."""
    listed = _listed_timings(f)
    if len(listed) > MAX_OCCURRENCES:
        raise ValueError(f"plus de {MAX_OCCURRENCES} horaires")
    start, end = _dates(f)
    if not title or (start is None and not listed):
        return None
    lat, lon = _latlon(f)
    loc = f.get("location") if isinstance(f.get("location"), dict) else {}
    place_name = _fr(f.get("location_name") or f.get("placename") or loc.get("name")).strip()
    place = " ".join(_fr(v) for v in (place_name, f.get("location_address") or f.get("address") or loc.get("address"),
                                      f.get("location_postalcode") or loc.get("postalCode"),
                                      f.get("location_city") or f.get("city") or loc.get("city")) if v)
    branch, _ = finder.find(str(f.get("branch_id") or "") or None, place_name, lat, lon, place=place)
    url = f.get("canonicalurl") or f.get("link") or ""
    event = LibraryEvent(
        id=str(f.get("uid") or record.get("recordid") or f"openagenda-{position}"), title=title,
        description=clean(_fr(f.get("description_fr")) or _fr(f.get("description"))),
        start=start or datetime(2000, 1, 1), end=end, branch_id=branch, location_name=place_name, lat=lat, lon=lon,
        url=str(url), keywords=_keywords(f.get("keywords_fr") if f.get("keywords_fr") is not None else
                                         f.get("tags") if f.get("tags") is not None else f.get("keywords")))
    return _per_timing(event, [_timing(b, e) for b, e in listed]) if listed else [event]


# ---------- OpenAgenda spreadsheets (CSV, Excel) ----------

def _read_table(numbered, label: str, finder: BranchFinder, shape: str) -> EventsRead:
    from outreach.sources.agenda_tables import read_rows

    events, skipped, cancelled = [], [], []
    for row in read_rows(numbered, label):
        where = row.where + (f" « {clean(row.title)} »" if row.title else "")
        if _is_cancelled(row.status) or any(w in fold(row.status) for w in ("annule", "cancel")):
            cancelled.append(clean(row.title) or where)
            continue
        _keep(events, skipped, where, partial(_table_events, row, finder),
              "sans titre ou sans date (colonnes Titre et Horaires ISO ou Première date - Début)")
    return EventsRead(label, events, shape, skipped, cancelled=cancelled)


def _coordinate(text) -> float | None:
    text = str(text or "").strip().replace(",", ".")
    return float(text) if text else None


def _timing(begin, end) -> tuple[datetime, datetime | None]:
    start = to_local(begin)
    if start is None:
        raise ValueError(f"date de début illisible « {begin} »")
    finish = to_local(end) if end not in (None, "") else None
    if end not in (None, "") and finish is None:
        raise ValueError(f"date de fin illisible « {end} »")
    return start, finish


def _table_events(row, finder: BranchFinder) -> list[LibraryEvent] | None:
    """A spreadsheet row as its events, one per timing; None without a title or a timing."""
    title = clean(row.title)
    if not title or not row.timings:
        return None
    if len(row.timings) > MAX_OCCURRENCES:
        raise ValueError(f"plus de {MAX_OCCURRENCES} horaires")
    lat, lon = _coordinate(row.latitude), _coordinate(row.longitude)
    place = " ".join(v for v in (row.place_name, row.address, row.postcode, row.city) if v)
    branch, _ = finder.find(row.branch_id or None, row.place_name, lat, lon, place=place)
    event = LibraryEvent(id=row.uid or f"openagenda-{row.where.rpartition(' ')[2]}", title=title,
                         description=clean(row.description), start=datetime(2000, 1, 1), branch_id=branch,
                         location_name=row.place_name, lat=lat, lon=lon, url=row.url,
                         keywords=[clean(k) for k in row.keywords])
    return _per_timing(event, [_timing(b, e) for b, e in row.timings])


def _per_timing(event: LibraryEvent, timings: list[tuple[datetime, datetime | None]]) -> list[LibraryEvent]:
    """The event once per timing; with several, each takes the id event/start (as an iCal series does)."""
    if len(timings) == 1:
        start, end = timings[0]
        return [event.model_copy(update={"start": start, "end": end})]
    return [event.model_copy(update={"id": f"{event.id}/{start.isoformat()}", "start": start, "end": end})
            for start, end in timings]

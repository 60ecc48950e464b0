"""A VTIMEZONE in the RRULE form, the one tzdata-derived producers write, so that every client applies summer time.

icalendar's `add_missing_timezones` lists every transition as RDATE values. RFC 5545 allows it, but ical.js
(behind many web calendars) and vobject read only the first one, and then apply winter time all year: a 09:00
post on 1 June showed at 10:00. The yearly rule ("last Sunday of March at 02:00") is what Outlook, Google and
Apple write, and every parser reads it.

The rule is derived from the zone's own transitions (zoneinfo), then checked against every year the calendar
spans; a zone whose rule changes within that span keeps icalendar's explicit form.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def _transitions(zone: ZoneInfo, year: int) -> list[datetime]:
    """Local wall times (before the change) at which the zone's UTC offset changes during `year`."""
    found = []
    t = datetime(year, 1, 1, tzinfo=zone)
    end = datetime(year + 1, 1, 1, tzinfo=zone)
    step = timedelta(hours=1)
    utc = ZoneInfo("UTC")
    u = t.astimezone(utc)
    while u < end.astimezone(utc):
        nxt = u + step
        if u.astimezone(zone).utcoffset() != nxt.astimezone(zone).utcoffset():
            found.append(nxt.astimezone(zone).replace(tzinfo=None) - (nxt.astimezone(zone).utcoffset()
                                                                        - u.astimezone(zone).utcoffset()))
        u = nxt
    return found


def _byday(moment: datetime) -> str:
    """The RRULE BYDAY of a date: "-1SU" for the last Sunday of its month, "2SU" for the second, and so on."""
    weekday = _WEEKDAYS[moment.weekday()]
    if (moment + timedelta(days=7)).month != moment.month:
        return f"-1{weekday}"
    return f"{(moment.day - 1) // 7 + 1}{weekday}"


def rule_based_vtimezone(tzid: str, years: range) -> Timezone | None:
    """The zone as yearly rules valid over `years`, or None when no such rule describes it there."""
    zone = ZoneInfo(tzid)
    first = years.start
    changes = _transitions(zone, first)
    tz = Timezone()
    tz.add("tzid", tzid)
    if not changes:  # no summer time (Réunion, Guadeloupe…): one standard observance
        if any(_transitions(zone, y) for y in years):
            return None
        offset = datetime(first, 1, 1, tzinfo=zone).utcoffset()
        std = TimezoneStandard()
        std.add("dtstart", datetime(1970, 1, 1))
        std.add("tzoffsetfrom", offset)
        std.add("tzoffsetto", offset)
        std.add("tzname", datetime(first, 1, 1, tzinfo=zone).tzname())
        tz.add_component(std)
        return tz
    if len(changes) != 2:
        return None
    rules = []
    for local in changes:
        before = (local - timedelta(hours=1)).replace(tzinfo=zone)
        after = (local + timedelta(hours=3)).replace(tzinfo=zone)
        rules.append((local, before.utcoffset(), after.utcoffset(), after.tzname(), _byday(local)))
    # the same rule must give the same moments every year of the calendar
    for y in years:
        seen = _transitions(zone, y)
        if [(t.month, _byday(t), t.time()) for t in seen] != [(r[0].month, r[4], r[0].time()) for r in rules]:
            return None
    for local, before, after, name, byday in rules:
        part = TimezoneDaylight() if after > before else TimezoneStandard()
        # DTSTART in 1970 on the rule's own weekday, as tzdata-derived producers write it
        start = datetime(1970, local.month, 1, local.hour, local.minute)
        while _byday(start) != byday:
            start += timedelta(days=1)
        part.add("dtstart", start)
        part.add("tzoffsetfrom", before)
        part.add("tzoffsetto", after)
        part.add("tzname", name)
        part.add("rrule", {"freq": "yearly", "bymonth": local.month, "byday": byday})
        tz.add_component(part)
    return tz

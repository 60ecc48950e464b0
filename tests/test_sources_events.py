"""Agenda readers: iCalendar and both OpenAgenda shapes; the branch by id, by name or within 300 m."""

from __future__ import annotations

from datetime import datetime

import pytest

from outreach.datasets import shipped_branches
from outreach.errors import InputError
from outreach.sources.events import clean, read_events
from outreach.territory import branch_near
from tests.support import DATA, FIXTURES
from tests.support.readers import ReaderContract

OLD_SHAPE = FIXTURES / "openagenda-evenements-a-paris-2018-extract.json"
NEW_SHAPE = DATA / "samples" / "agenda-demo.json"


@pytest.fixture(scope="module")
def branches():
    return list(shipped_branches())


def test_old_openagenda_shape(branches):
    read = read_events(OLD_SHAPE, branches=branches, near=branch_near(branches))
    assert read.format == "OpenAgenda (ancien format)"
    by_title = {e.title: e for e in read.events}
    herge = by_title["Constellations : le ciel dessiné"]
    assert herge.branch_id == "10241"  # Bibliothèque Hergé, found by its name
    assert herge.start == datetime(2018, 1, 20, 16, 0)
    assert herge.keywords == ["Illustration enfants nuit"]
    assert by_title["Grandir, pourquoi faire ? - grignotage partagé"].branch_id == "10229"  # Bibliothèque Crimée
    # the Irish cultural centre is more than 300 m from any shipped library
    assert by_title["Concert de Duke Special"].branch_id is None
    assert any("sans bibliothèque reconnue" in n for n in read.notes)


def test_new_openagenda_shape_with_branch_ids(branches):
    read = read_events(NEW_SHAPE, branches=branches, near=branch_near(branches))
    assert read.format == "OpenAgenda" and len(read.events) == 20
    assert all(e.branch_id for e in read.events)
    play = next(e for e in read.events if e.title == "Play Paris 13")
    assert play.branch_id == "17615" and "jeu vidéo" in play.keywords
    duras = next(e for e in read.events if e.title.startswith("Under Kontrol"))
    assert "&amp;" not in duras.title and "&" in duras.title


def test_coordinates_within_300_m(branches):
    # 48.8625 N, 2.3480 E is about 80 m from the Canopée (17615); 48.8700 N is about 900 m away
    doc = ('{"records": [{"fields": {"uid": "1", "title_fr": "Atelier manga", "firstdate_begin": '
           '"2026-12-12T14:00:00+01:00", "location_name": "Médiathèque, salle du forum", "location_coordinates": [48.8625, 2.3480]}},'
           '{"fields": {"uid": "2", "title_fr": "Loin", "firstdate_begin": "2026-12-12T14:00:00+01:00",'
           '"location_coordinates": [48.8700, 2.3480]}}]}')
    near, far = read_events("a.json", data=doc.encode(), branches=branches, near=branch_near(branches)).events
    assert near.branch_id == "17615" and far.branch_id is None
    assert near.start == datetime(2026, 12, 12, 14, 0)  # Paris wall-clock time


ICS = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//outreach tests//FR
BEGIN:VEVENT
UID:club-sf-1
SUMMARY:Club de lecture SF
DESCRIPTION:Science-fiction et anticipation\\, venez avec vos coups de cœur.
DTSTART;TZID=Europe/Paris:20261212T150000
DTEND;TZID=Europe/Paris:20261212T170000
LOCATION:Médiathèque de la Canopée - la Fontaine, 10 passage de la Canopée, Paris
CATEGORIES:science-fiction,lecture
END:VEVENT
BEGIN:VEVENT
UID:manga-2
SUMMARY:Atelier dessin manga
DTSTART:20261219T130000Z
GEO:48.884882;2.38305
END:VEVENT
BEGIN:VEVENT
UID:heure-conte-3
SUMMARY:Heure du conte
DTSTART;VALUE=DATE:20261220
X-BRANCH-ID:5425
END:VEVENT
BEGIN:VEVENT
UID:sans-date
SUMMARY:Sans date
END:VEVENT
END:VCALENDAR
"""


def test_icalendar(branches):
    read = read_events("agenda.ics", data=ICS.encode(), branches=branches, near=branch_near(branches))
    assert read.format == "iCalendar"
    club, manga, conte = read.events
    assert club.branch_id == "17615"  # by name (the LOCATION's first part)
    assert club.start == datetime(2026, 12, 12, 15, 0) and club.end == datetime(2026, 12, 12, 17, 0)
    assert club.keywords == ["science-fiction", "lecture"]
    assert manga.branch_id == "10229" and manga.start == datetime(2026, 12, 19, 14, 0)  # by GEO; UTC → Paris
    assert conte.branch_id == "5425" and conte.start == datetime(2026, 12, 20, 0, 0)  # by X-BRANCH-ID
    assert read.skipped == [("événement n° 4 « Sans date »", "sans titre (SUMMARY) ou sans date de début (DTSTART)")]
    assert any("1 événement(s) ignoré(s)" in n for n in read.notes)


def test_bad_agendas():
    with pytest.raises(InputError, match="format d'agenda"):
        read_events("a.txt", data=b"hello")
    with pytest.raises(InputError, match="JSON invalide"):
        read_events("a.json", data=b'{"records": [')
    with pytest.raises(InputError, match="aucun événement"):
        read_events("a.json", data=b'{"records": []}')
    with pytest.raises(InputError, match="vide"):
        read_events("a.json", data=b"  ")


def test_openagenda_api_answer_with_multilingual_values(branches):
    doc = {"total": 1, "events": [{
        "uid": 42, "title": {"fr": "Atelier manga", "en": "Manga workshop"},
        "description": {"fr": "Dessiner des mangas avec un illustrateur."},
        "keywords": {"fr": ["manga", "dessin"]},
        "timings": [{"begin": "2026-12-12T14:00:00+01:00", "end": "2026-12-12T16:00:00+01:00"}],
        "location": {"name": "Bibliothèque Crimée", "latitude": 48.884882, "longitude": 2.38305}}]}
    import json

    [event] = read_events("api.json", data=json.dumps(doc).encode(), branches=branches, near=branch_near(branches)).events
    assert (event.id, event.title, event.branch_id) == ("42", "Atelier manga", "10229")
    assert event.keywords == ["manga", "dessin"] and event.start == datetime(2026, 12, 12, 14, 0)
    assert event.end == datetime(2026, 12, 12, 16, 0)


def test_a_malformed_record_is_skipped_with_its_reason_never_a_crash(branches):
    ics = (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
           b"BEGIN:VEVENT\r\nUID:a\r\nSUMMARY:Date cassee\r\nDTSTART:notadate\r\nEND:VEVENT\r\n"
           b"BEGIN:VEVENT\r\nUID:b\r\nSUMMARY:Geo casse\r\nDTSTART:20261212T100000\r\nGEO:abc\r\nEND:VEVENT\r\n"
           b"BEGIN:VEVENT\r\nUID:c\r\nSUMMARY:Club manga\r\nDTSTART:20261212T140000\r\nEND:VEVENT\r\n"
           b"END:VCALENDAR\r\n")
    read = read_events("agenda.ics", data=ics, branches=branches, near=branch_near(branches))
    assert [e.id for e in read.events] == ["c"]
    assert [w for w, _ in read.skipped] == ["événement n° 1 « Date cassee »", "événement n° 2 « Geo casse »"]
    assert all(r.startswith("valeur illisible") for _, r in read.skipped)
    assert any("2 événement(s) ignoré(s)" in n for n in read.notes)

    doc = (b'[1, {"fields": "x"}, {"title": "Coords", "firstdate_begin": "2026-12-12", "location_coordinates": ["a", "b"]},'
           b' {"title": "Horaires", "timings": ["x"]},'
           b' {"title": "Lieu multilingue", "firstdate_begin": "2026-12-12", "location_name": {"fr": "Canop\\u00e9e"}}]')
    read = read_events("agenda.json", data=doc, branches=branches, near=branch_near(branches))
    assert [(e.title, e.location_name) for e in read.events] == [("Lieu multilingue", "Canopée")]
    assert [w for w, _ in read.skipped] == ["enregistrement n° 1", "enregistrement n° 2", "enregistrement n° 3 « Coords »",
                                           "enregistrement n° 4 « Horaires »"]


def test_an_agenda_with_no_readable_event_is_refused():
    with pytest.raises(InputError, match=r"aucun événement lisible \(enregistrement n° 1"):
        read_events("a.json", data=b"[1, 2]")


def test_a_recurring_event_gives_every_date_of_its_series(branches):
    """A library's weekly story time is one VEVENT with an RRULE: each Saturday is an event; an EXDATE
    removes one, a RECURRENCE-ID moves one (written before or after its series)."""
    ics = (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
           b"BEGIN:VEVENT\r\nUID:moved@bib\r\nRECURRENCE-ID;TZID=Europe/Paris:20261219T103000\r\n"
           b"SUMMARY:Heure du conte (exceptionnellement l'apres-midi)\r\n"
           b"DTSTART;TZID=Europe/Paris:20261219T153000\r\nX-BRANCH-ID:5425\r\nEND:VEVENT\r\n"
           b"BEGIN:VEVENT\r\nUID:moved@bib\r\nSUMMARY:Heure du conte\r\n"
           b"DTSTART;TZID=Europe/Paris:20261205T103000\r\nDTEND;TZID=Europe/Paris:20261205T113000\r\n"
           b"RRULE:FREQ=WEEKLY;UNTIL=20261231T230000Z\r\nEXDATE;TZID=Europe/Paris:20261226T103000\r\n"
           b"X-BRANCH-ID:5425\r\nEND:VEVENT\r\n"
           b"END:VCALENDAR\r\n")
    read = read_events("conte.ics", data=ics, branches=branches, near=branch_near(branches))
    assert [(e.start, e.end) for e in read.events] == [
        (datetime(2026, 12, 5, 10, 30), datetime(2026, 12, 5, 11, 30)),
        (datetime(2026, 12, 12, 10, 30), datetime(2026, 12, 12, 11, 30)),
        (datetime(2026, 12, 19, 15, 30), None),  # moved to the afternoon
    ]  # 26 December excluded
    assert len({e.id for e in read.events}) == 3 and all(e.branch_id == "5425" for e in read.events)
    assert read.events[2].title.endswith("(exceptionnellement l'apres-midi)")
    # exports often write UNTIL in UTC for a floating start (or without zone for a zoned one): still read
    mixed = (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:f\r\nSUMMARY:Club manga\r\n"
             b"DTSTART:20261205T140000\r\nRRULE:FREQ=WEEKLY;UNTIL=20261219T235959Z\r\nEND:VEVENT\r\n"
             b"BEGIN:VEVENT\r\nUID:z\r\nSUMMARY:Club BD\r\nDTSTART;TZID=Europe/Paris:20261205T140000\r\n"
             b"RRULE:FREQ=WEEKLY;UNTIL=20261212\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
    read = read_events("mixed.ics", data=mixed)
    assert [(e.title, e.start.day) for e in read.events] == [
        ("Club manga", 5), ("Club manga", 12), ("Club manga", 19), ("Club BD", 5), ("Club BD", 12)]
    assert read.skipped == []


class TestReaderContract(ReaderContract):
    reader = staticmethod(read_events)
    sample = DATA / "samples" / "agenda-demo.json"
    attribute = "events"


# ---------- the agenda as libraries publish it: cancellations, all-day events, zones, places ----------

SHARED_EVENTS = DATA.parent.parent / "shared" / "data" / "events"


def _ics(*events: str) -> bytes:
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Bibliothèque//Agenda//FR\r\n"
            + "".join(f"BEGIN:VEVENT\r\n{e.strip()}\r\nEND:VEVENT\r\n" for e in events)
            + "END:VCALENDAR\r\n").replace("\n    ", "\n").encode()


def test_cancelled_events_are_left_out_and_counted(branches):
    data = _ics("UID:a\r\nSUMMARY:Club manga\r\nDTSTART:20261212T140000\r\nSTATUS:CONFIRMED",
                "UID:b\r\nSUMMARY:Concert annulé\r\nDTSTART:20261213T140000\r\nSTATUS:CANCELLED",
                "UID:c\r\nSUMMARY:Heure du conte\r\nDTSTART;TZID=Europe/Paris:20261205T103000\r\n"
                "RRULE:FREQ=WEEKLY;COUNT=3",
                "UID:c\r\nRECURRENCE-ID;TZID=Europe/Paris:20261212T103000\r\nSUMMARY:Heure du conte\r\n"
                "DTSTART;TZID=Europe/Paris:20261212T103000\r\nSTATUS:CANCELLED")
    read = read_events("agenda.ics", data=data, branches=branches)
    assert [(e.title, e.start.day) for e in read.events] == [
        ("Club manga", 12), ("Heure du conte", 5), ("Heure du conte", 19)]  # the 12th is called off
    assert read.cancelled == ["Concert annulé", "Heure du conte"]
    assert any("2 événement(s) annulé(s) écarté(s)" in n for n in read.notes)
    with pytest.raises(InputError, match="tous les événements de l'agenda sont annulés"):
        read_events("a.ics", data=_ics("UID:b\r\nSUMMARY:X\r\nDTSTART:20261213T140000\r\nSTATUS:CANCELLED"))


@pytest.mark.skipif(not SHARED_EVENTS.is_dir(), reason="../shared/data/events absent")
def test_openagenda_statuses_as_the_real_export_writes_them(branches):
    import json

    path = SHARED_EVENTS / "openagenda_paris_q-Paris_100rec.json"
    read = read_events(path, branches=branches)
    # 98 « Programmé », 2 « Complet »: all kept, each once per timing (613 timings in all)
    assert len({e.id.split("/")[0] for e in read.events}) == 100 and len(read.events) == 613
    assert read.cancelled == []
    doc = json.loads(path.read_text())
    records = doc if isinstance(doc, list) else doc.get("records") or doc.get("results")
    first = records[0].get("fields", records[0])
    first["status"] = json.dumps({"id": 6, "label": {"fr": "Annulé", "en": "Cancelled"}})
    read = read_events("export.json", data=json.dumps(doc).encode(), branches=branches)
    assert len({e.id.split("/")[0] for e in read.events}) == 99 and read.cancelled == [clean(first["title_fr"])]


def test_all_day_events_and_durations():
    data = _ics("UID:a\r\nSUMMARY:Braderie de livres\r\nDTSTART;VALUE=DATE:20261212",
                "UID:b\r\nSUMMARY:Salon BD\r\nDTSTART;VALUE=DATE:20261212\r\nDTEND;VALUE=DATE:20261214",
                "UID:c\r\nSUMMARY:Atelier\r\nDTSTART:20261212T140000\r\nDURATION:PT1H30M")
    a, b, c = read_events("a.ics", data=data).events
    assert (a.start, a.end) == (datetime(2026, 12, 12), datetime(2026, 12, 13))  # one whole day
    assert (b.start, b.end) == (datetime(2026, 12, 12), datetime(2026, 12, 14))  # DTEND is exclusive
    assert c.end == datetime(2026, 12, 12, 15, 30)


OUTLOOK_ZONE = """BEGIN:VTIMEZONE
TZID:Romance Standard Time
BEGIN:STANDARD
DTSTART:16010101T030000
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:16010101T020000
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3
END:DAYLIGHT
END:VTIMEZONE
"""


def test_times_stay_as_the_agenda_shows_them_in_every_zone():
    data = _ics("UID:a\r\nSUMMARY:Atelier (Outlook)\r\nDTSTART;TZID=Romance Standard Time:20261007T140000",
                "UID:b\r\nSUMMARY:Conte créole\r\nDTSTART;TZID=America/Guadeloupe:20261007T140000",
                "UID:c\r\nSUMMARY:Club\r\nDTSTART:20260707T120000Z")
    data = data.replace(b"PRODID:-//Biblioth\xc3\xa8que//Agenda//FR\r\n",
                        b"PRODID:-//Microsoft Corporation//Outlook 16.0//FR\r\n"
                        + OUTLOOK_ZONE.replace("\n", "\r\n").encode())
    outlook, guadeloupe, utc = read_events("a.ics", data=data).events
    assert outlook.start == datetime(2026, 10, 7, 14, 0)  # Outlook's own zone name, defined in the file
    assert guadeloupe.start == datetime(2026, 10, 7, 14, 0)  # not moved to Paris time
    assert utc.start == datetime(2026, 7, 7, 14, 0)  # UTC read in Paris (summer time)


def test_events_placed_by_name_and_town_or_by_address(branches):
    data = _ics(
        # a name 20 shipped branches share: the town decides
        "UID:a\r\nSUMMARY:Lecture\r\nDTSTART:20261212T140000\r\n"
        "LOCATION:Médiathèque municipale\\, Rue du Lieutenant Flandi\\, 13400 Aubagne",
        # no name at all: the street, abbreviated, and the postcode
        "UID:b\r\nSUMMARY:Atelier\r\nDTSTART:20261212T140000\r\nLOCATION:Salle d'animation\\, 32 r. Fernand-Rambert\\, 13190",
        # the shared name alone places nothing
        "UID:c\r\nSUMMARY:Conte\r\nDTSTART:20261212T140000\r\nLOCATION:Médiathèque municipale",
        # a street of the same name in another town places nothing either
        "UID:d\r\nSUMMARY:Vente\r\nDTSTART:20261212T140000\r\nLOCATION:32 rue Fernand Rambert\\, 69000 Lyon")
    a, b, c, d = read_events("a.ics", data=data, branches=branches).events
    assert a.branch_id == "386" and b.branch_id == "383"
    assert c.branch_id is None and d.branch_id is None


@pytest.mark.skipif(not SHARED_EVENTS.is_dir(), reason="../shared/data/events absent")
def test_real_paris_events_near_a_library_are_not_placed_there_unless_they_are_in_it(branches):
    from outreach.sources.events import may_be_a_library

    placed = {}
    for path in sorted(SHARED_EVENTS.glob("openagenda_*.json")):
        for e in read_events(path, branches=branches, near=branch_near(branches)).events:
            if e.branch_id:
                placed[e.location_name] = e.branch_id
    # the libraries of these real exports are found, by their name …
    assert placed["Bibliothèque Forney"] == "18964" and placed["Bibliothèque Crimée"] == "10229"
    assert placed["Bibliothèque Hergé"] == "10241"
    # … and the churches, town halls and theatres within 300 m of one are not (28 of 100 were before)
    assert "Église Saint-Eustache" not in placed and "Hôtel de ville de Paris" not in placed
    assert all(may_be_a_library(name) for name in placed), placed

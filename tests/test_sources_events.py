"""Agenda readers: iCalendar and both OpenAgenda shapes; the branch by id, by name or within 300 m."""

from __future__ import annotations

from datetime import datetime

import pytest

from outreach.datasets import shipped_branches
from outreach.errors import InputError
from outreach.sources.events import read_events
from outreach.territory import branch_near
from tests.support import DATA, FIXTURES

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
           '"2026-12-12T14:00:00+01:00", "location_name": "Salle du forum", "location_coordinates": [48.8625, 2.3480]}},'
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

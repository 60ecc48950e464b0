"""The agenda reader's decisions on small hand-made agendas, and the French messages and notes users read
(issue 19's mutation testing)."""

import json
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from outreach.errors import InputError
from outreach.model import Branch
from outreach.sources.events import BranchFinder, may_be_a_library, read_events, street, to_local

ALCAZAR = Branch(id="alcazar", name="Bibliothèque de l'Alcazar", address="58 cours Belsunce", postcode="13001",
                 city="Marseille", lat=43.2996, lon=5.3795)
AUBAGNE = Branch(id="aubagne", name="Médiathèque municipale", address="Place de l'Hôtel de ville",
                 postcode="13400", city="Aubagne", lat=43.2927, lon=5.5708)
CASSIS = Branch(id="cassis", name="Médiathèque municipale", address="Paris", city="Cassis", lat=43.2146,
                lon=5.5379)
BRANCHES = [ALCAZAR, AUBAGNE, CASSIS]


def openagenda(*records, name="agenda.json", branches=BRANCHES, near=None):
    return read_events("", data=json.dumps(list(records)).encode(), name=name, branches=branches, near=near)


def record(title, **fields):
    return {"title_fr": title, "firstdate_begin": "2027-03-06T10:00:00+01:00", **fields}


def test_each_way_of_finding_the_branch():
    asked = []

    def near(lat, lon, km):
        asked.append((lat, lon, km))
        return "alcazar"

    read = openagenda(
        record("Par identifiant", branch_id="aubagne"),
        record("Par nom", location_name="bibliotheque de l'ALCAZAR"),
        record("Par nom et commune", location_name="Médiathèque municipale", location_city="Aubagne"),
        record("Par adresse", location_name="Salle", location_address="58 crs Belsunce", location_postalcode="13001"),
        record("Par coordonnées", location_name="Médiathèque annexe", location_coordinates=[43.30, 5.38]),
        record("Église voisine", location_name="Église Saint-Vincent", location_coordinates=[43.30, 5.38]),
        record("Nom partagé sans commune", location_name="Médiathèque municipale"),
        near=near)
    assert [e.branch_id for e in read.events] == ["aubagne", "alcazar", "aubagne", "alcazar", "alcazar", None, None]
    assert asked == [(43.30, 5.38, 0.3)]  # only the library-like name goes to the coordinates, at 300 m
    assert read.notes == ["agenda.json : 2 événement(s) sans bibliothèque reconnue (ni identifiant, ni nom, ni "
                          "adresse, ni coordonnées à moins de 300 m d'une bibliothèque) : « Église voisine », « Nom "
                          "partagé sans commune »."]


def test_a_branch_id_unknown_to_the_network_is_not_taken_but_any_id_is_without_a_network():
    finder = BranchFinder(BRANCHES)
    assert finder.find("inconnue", "", None, None) == (None, "")
    assert BranchFinder(None).find("inconnue", "", None, None) == ("inconnue", "id")
    assert BranchFinder(BRANCHES).find("cassis", "", None, None) == ("cassis", "id")
    # a branch whose address is only its town cannot be found by address
    assert BranchFinder([CASSIS]).find(None, "Salle", None, None, place="Salle Paris Cassis") == (None, "")
    # nor one whose street is in the place without its postcode or town
    assert BranchFinder(BRANCHES).find(None, "Salle", None, None, place="Salle, 58 cours Belsunce") == (None, "")
    assert BranchFinder(BRANCHES).find(None, "Salle", None, None, place="58 cours Belsunce Marseille") == (
        "alcazar", "adresse")


def test_coordinates_need_a_network_both_numbers_and_a_finding():
    assert BranchFinder([], near=lambda *a: "x").find(None, "", 43.3, 5.4) == (None, "")
    finder = BranchFinder(BRANCHES, near=lambda *a: None)
    assert finder.find(None, "Bibliothèque", 43.3, 5.4) == (None, "")
    finder = BranchFinder(BRANCHES, near=lambda *a: "alcazar")
    assert finder.find(None, "", 43.3, None) == (None, "")
    assert finder.find(None, "", None, 5.4) == (None, "")
    assert finder.find(None, "", 43.3, 5.4) == ("alcazar", "coordonnées")


@pytest.mark.parametrize("name,expected", [("", True), ("BM de Cassis", True), ("Médiathèque", True),
                                           ("Ludothèque du centre", True), ("BMVR Alcazar", True),
                                           ("Discothèque", True), ("Artothèque", True), ("Vidéothèque", True),
                                           ("Église Saint-Vincent", False), ("Théâtre", False),
                                           ("bpi", True), ("bdp 13", True), ("MDP", True)])
def test_which_places_may_be_a_library(name, expected):
    assert may_be_a_library(name) is expected


def test_street_abbreviations_are_written_out():
    assert street("32 r. Fernand-Rambert") == "32 rue fernand rambert"
    assert street("1 bd St-Michel, pl. Ste-Anne") == "1 boulevard saint michel place sainte anne"
    assert street("Av Foch imp. du Fg") == "avenue foch impasse du faubourg"


@pytest.mark.parametrize("value,expected", [
    (None, None), ("", None), ("n'importe", None),
    ("2027-03-06", datetime(2027, 3, 6)),
    ("2027-03-06T14:00:00Z", datetime(2027, 3, 6, 15, 0)),  # UTC read in Paris (winter)
    ("2027-07-06T14:00:00+00:00", datetime(2027, 7, 6, 16, 0)),  # summer
    ("2027-03-06T14:00:00-04:00", datetime(2027, 3, 6, 14, 0)),  # Guadeloupe's wall clock kept
    ("2027-03-06T14:00:00", datetime(2027, 3, 6, 14, 0)),
    ("2027-03-06 garbage", datetime(2027, 3, 6)),
    (date(2027, 3, 6), datetime(2027, 3, 6)),
    (datetime(2027, 3, 6, 14, tzinfo=UTC), datetime(2027, 3, 6, 15, 0)),
    (datetime(2027, 3, 6, 14, tzinfo=timezone(timedelta(hours=2))), datetime(2027, 3, 6, 14, 0)),
    (42, None),
])
def test_times_as_the_agenda_shows_them(value, expected):
    assert to_local(value) == expected


def test_notes_name_at_most_five_events_then_an_ellipsis():
    unplaced = [record(f"Atelier {i}") for i in range(7)]
    cancelled = [record(f"Annulé {i}", status=6) for i in range(6)]
    skipped = [{"title_fr": f"Sans date {i}"} for i in range(11)]
    read = openagenda(*unplaced, *cancelled, *skipped)
    assert read.notes[0].endswith("« Atelier 0 », « Atelier 1 », « Atelier 2 », « Atelier 3 », « Atelier 4 »….")
    assert read.notes[0].startswith("agenda.json : 7 événement(s) sans bibliothèque reconnue")
    assert read.notes[1] == ("agenda.json : 6 événement(s) annulé(s) écarté(s) : « Annulé 0 », « Annulé 1 », "
                             "« Annulé 2 », « Annulé 3 », « Annulé 4 »….")
    assert read.notes[2].startswith("agenda.json : 11 événement(s) ignoré(s) — enregistrement n° 14 « Sans date 0 "
                                    "» : sans titre ou sans date; enregistrement n° 15")
    assert "Sans date 9" in read.notes[2] and "Sans date 10" not in read.notes[2]
    assert read.cancelled == [f"Annulé {i}" for i in range(6)]
    # without a network nothing is said about branches
    assert not any("sans bibliothèque" in n for n in openagenda(*unplaced, branches=None).notes)
    assert openagenda(record("Seul", branch_id="aubagne")).notes == []


def test_agendas_that_give_nothing_are_refused_with_what_to_do():
    with pytest.raises(InputError) as err:
        openagenda(record("Annulé", status=6), record("Annulé aussi", status="6"))
    assert str(err.value) == ("agenda.json : tous les événements de l'agenda sont annulés (2). Choisissez un agenda "
                              "qui a des événements à venir.")
    with pytest.raises(InputError) as err:
        openagenda({"title_fr": "Sans date"})
    assert str(err.value) == ("agenda.json : aucun événement lisible (enregistrement n° 1 « Sans date » : sans titre "
                              "ou sans date). Chaque événement doit avoir un titre et une date de début lisibles.")
    with pytest.raises(InputError) as err:
        read_events("", data=b'{"nothing": 1}', name="agenda.json")
    assert str(err.value) == ("agenda.json : aucun événement trouvé dans le JSON. Attendu : une liste d'événements "
                              "OpenAgenda ou une réponse {\"records\": [...]}.")
    with pytest.raises(InputError) as err:
        read_events("", data=b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n", name="agenda.ics")
    assert str(err.value) == "agenda.ics : aucun événement (VEVENT) dans le calendrier."
    with pytest.raises(InputError) as err:
        read_events("", data=b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nEND:VCALENDAR\r\n", name="agenda.ics")
    assert str(err.value).startswith("agenda.ics : iCalendar illisible (")
    assert str(err.value).endswith("). Exportez à nouveau l'agenda au format iCalendar (.ics).")


def test_openagenda_fields_in_every_shape():
    read = openagenda(
        {"fields": {"title": "Ancien format", "date_start": "2027-03-06T10:00:00", "date_end": "2027-03-06T12:00:00",
                    "placename": "Alcazar", "latlon": {"lat": 43.2996, "lon": 5.3795}, "tags": "conte;jeunesse",
                    "link": "https://agenda/1", "description": "<p>Un&nbsp;conte &amp; une histoire</p>"},
         "recordid": "r1"},
        {"title": {"fr": "Multilingue", "en": "Multilingual"}, "timings": [{"begin": "2027-03-07T10:00:00",
                                                                             "end": "2027-03-07T11:30:00"}],
         "location": {"name": "Bibliothèque de l'Alcazar", "latitude": 43.2996, "longitude": 5.3795},
         "keywords": {"fr": ["Conte", " ", "Jeunesse"]}, "uid": 7},
        record("Fin", lastdate_end=None, firstdate_end="2027-03-06T11:00:00+01:00", keywords_fr=[]),
        branches=None)
    old, multi, end = read.events
    assert read.format == "OpenAgenda (ancien format)"
    assert (old.id, old.start, old.end, old.location_name, old.lat, old.lon) == (
        "r1", datetime(2027, 3, 6, 10), datetime(2027, 3, 6, 12), "Alcazar", 43.2996, 5.3795)
    assert (old.keywords, old.url, old.description) == (["conte", "jeunesse"], "https://agenda/1",
                                                        "Un conte & une histoire")
    assert (multi.id, multi.title, multi.start, multi.end) == ("7", "Multilingue", datetime(2027, 3, 7, 10),
                                                               datetime(2027, 3, 7, 11, 30))
    assert (multi.location_name, multi.lat, multi.keywords) == ("Bibliothèque de l'Alcazar", 43.2996,
                                                                ["Conte", "Jeunesse"])
    assert (end.end, end.keywords, end.id) == (datetime(2027, 3, 6, 11), [], "openagenda-3")
    assert openagenda(record("Nouveau"), branches=None).format == "OpenAgenda"


@pytest.mark.parametrize("status,cancelled", [(6, True), ("6", True), ({"id": 6}, True),
                                              ({"id": 1, "label": {"fr": "Annulé"}}, True),
                                              ('{"id": 6, "label": {"fr": "Annulé"}}', True),
                                              ({"label": "cancelled"}, True), ({"id": 5, "label": "Complet"}, False),
                                              ("{pas du json", False), (1, False), (None, False)])
def test_openagenda_statuses(status, cancelled):
    read = openagenda(record("Concert", status=status), record("Autre"), branches=None)
    assert ([e.title for e in read.events] == ["Autre"]) is cancelled


def test_a_record_that_is_no_object_is_skipped_with_its_reason():
    read = openagenda(["pas", "un objet"], record("Bon"), branches=None)
    assert read.skipped == [("enregistrement n° 1", "ce n'est pas un événement (objet JSON attendu)")]
    assert [e.title for e in read.events] == ["Bon"]


def test_responses_wrapped_in_records_results_events_or_a_single_record():
    one = record("Un")
    for doc in ({"records": [{"fields": one}]}, {"results": [one]}, {"events": [one]}, {"fields": one},
                {"uid": "u", **one}):
        read = read_events("", data=json.dumps(doc).encode(), name="a.json")
        assert [e.title for e in read.events] == ["Un"], doc


def series(rule, start="DTSTART:20261205T140000"):
    """A calendar with one recurring event and one plain event after it."""
    return (f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:s\r\nSUMMARY:Club\r\n{start}\r\nRRULE:{rule}\r\n"
            "END:VEVENT\r\nBEGIN:VEVENT\r\nUID:o\r\nSUMMARY:Autre\r\nDTSTART:20261205T140000\r\nEND:VEVENT\r\n"
            "END:VCALENDAR\r\n").encode()


SERIES_FIX = ("Un événement de médiathèque se répète au plus chaque jour : corrigez sa règle de répétition (RRULE) ou "
              "donnez ses dates une à une.")


@pytest.mark.parametrize("rule,problem", [
    ("FREQ=MINUTELY", "la série se répète chaque seconde ou chaque minute."),
    ("FREQ=secondly;COUNT=2", "la série se répète chaque seconde ou chaque minute."),
    ("FREQ=HOURLY", "la série donne plus de 5000 dates."),
])
def test_a_series_too_costly_to_expand_refuses_the_file_naming_the_event(rule, problem):
    with pytest.raises(InputError) as err:
        read_events("", data=series(rule), name="agenda.ics")
    assert str(err.value) == f"agenda.ics — événement n° 1 « Club », règle de répétition (RRULE) : {problem} {SERIES_FIX}"


def test_a_series_of_exactly_the_most_dates_allowed_is_read(monkeypatch):
    import outreach.sources.events as events

    monkeypatch.setattr(events, "MAX_OCCURRENCES", 3)  # the real bound (5,000) behaves alike, only slower
    assert len(read_events("", data=series("FREQ=DAILY;COUNT=3"), name="agenda.ics").events) == 3 + 1
    with pytest.raises(InputError, match="la série donne plus de 3 dates"):
        read_events("", data=series("FREQ=DAILY;COUNT=4"), name="agenda.ics")


def test_a_series_without_any_date_is_skipped_with_its_reason():
    read = read_events("", data=series("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30"), name="agenda.ics")
    assert [e.id for e in read.events] == ["o"]
    assert read.skipped == [("événement n° 1 « Club »", "valeur illisible (sa règle de répétition ne donne aucune "
                                                         "date)")]


def test_a_series_without_end_is_read_up_to_a_year_after_today_or_after_its_start():
    today = date.today()
    past = read_events("", data=series("FREQ=MONTHLY", start=f"DTSTART;VALUE=DATE:{today.year - 2}0101"),
                       name="a.ics").events[:-1]
    assert past[0].start == datetime(today.year - 2, 1, 1) and past[0].end == datetime(today.year - 2, 1, 2)
    assert past[0].id == f"s/{today.year - 2}-01-01T00:00:00"
    horizon = datetime.combine(today, datetime.min.time()) + timedelta(days=366)
    assert horizon - timedelta(days=31) < past[-1].start <= horizon + timedelta(days=1)
    assert len(past) >= 24 + 12
    later = today.year + 3
    future = read_events("", data=series("FREQ=MONTHLY", start=f"DTSTART:{later}0115T100000"), name="a.ics").events
    assert [e.start for e in future[:-1]] == [datetime(later + (m // 12), m % 12 + 1, 15, 10) for m in range(13)]


def test_an_icalendar_event_gives_every_field_and_a_lone_moved_occurrence_is_kept():
    ics = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
           "BEGIN:VEVENT\r\nSUMMARY:<b>Club</b> &amp; lecture\r\nDESCRIPTION:<p>Venez&nbsp;lire</p>\r\n"
           "DTSTART:20261212T140000\r\nDTEND:20261212T160000\r\n"
           "LOCATION:Bibliothèque de l'Alcazar\\, 58 cours Belsunce\\, Marseille\r\nGEO:43.2996;5.3795\r\n"
           "URL:https://bib/club\r\nCATEGORIES:lecture,club\r\nCATEGORIES:adultes\r\nEND:VEVENT\r\n"
           "BEGIN:VEVENT\r\nUID: u2 \r\nSUMMARY:Conte\r\nDTSTART:20261213T100000\r\nX-BRANCH-ID: aubagne \r\n"
           "CATEGORIES:jeunesse\r\nEND:VEVENT\r\n"
           "BEGIN:VEVENT\r\nUID:u3\r\nSUMMARY:Seul\r\nRECURRENCE-ID:20261214T100000\r\nDTSTART:20261214T110000\r\n"
           "END:VEVENT\r\nEND:VCALENDAR\r\n").encode()
    read = read_events("", data=ics, name="a.ics", branches=BRANCHES)
    club, conte, moved = read.events
    assert club.model_dump() == {
        "id": "ics-1", "title": "Club & lecture", "description": "Venez lire", "start": datetime(2026, 12, 12, 14),
        "end": datetime(2026, 12, 12, 16), "branch_id": "alcazar",
        "location_name": "Bibliothèque de l'Alcazar, 58 cours Belsunce, Marseille", "lat": 43.2996, "lon": 5.3795,
        "url": "https://bib/club", "keywords": ["lecture", "club", "adultes"], "demo": False}
    assert (conte.id, conte.branch_id, conte.end, conte.keywords, conte.url) == ("u2", "aubagne", None,
                                                                                 ["jeunesse"], "")
    assert (moved.id, moved.start) == ("u3/2026-12-14T10:00:00", datetime(2026, 12, 14, 11))
    assert read.notes == ["a.ics : 1 événement(s) sans bibliothèque reconnue (ni identifiant, ni nom, ni adresse, ni "
                          "coordonnées à moins de 300 m d'une bibliothèque) : « Seul »."]
    assert read.format == "iCalendar"


def test_a_calendar_whose_only_event_has_no_start_says_why_it_reads_nothing():
    ics = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nSUMMARY:Sans date\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    with pytest.raises(InputError) as err:
        read_events("", data=ics, name="a.ics")
    assert str(err.value) == ("a.ics : aucun événement lisible (événement n° 1 « Sans date » : sans titre (SUMMARY) "
                              "ou sans date de début (DTSTART)). Chaque événement doit avoir un titre et une date de "
                              "début lisibles.")


@pytest.mark.parametrize("fields,keywords", [
    ({}, []), ({"keywords_fr": None}, []), ({"tags": "conte, jeunesse ,"}, ["conte", "jeunesse"]),
    ({"tags": "conte, jeunesse;lecture"}, ["conte, jeunesse", "lecture"]), ({"keywords_fr": ""}, []),
    ({"keywords": {"en": ["tale"]}}, []), ({"keywords_fr": ["a", 2]}, ["a", "2"]),
])
def test_openagenda_keywords_in_a_list_or_a_text_separated_by_semicolons_or_commas(fields, keywords):
    [event] = openagenda(record("Atelier", **fields), branches=None).events
    assert event.keywords == keywords


def test_openagenda_dates_from_each_field_that_gives_them():
    read = openagenda(
        record("Exposition", lastdate_end="2027-03-20T18:00:00+01:00", firstdate_end="2027-03-06T18:00:00+01:00"),
        {"title": "Horaires", "timetable": "2027-03-06T10:00:00 2027-03-06T12:00:00;2027-03-07T10:00:00 "
                                           "2027-03-07T12:00:00"},
        {"title": "Début seul", "timetable": "2027-03-08T10:00:00"},
        {"title": "Horaires en texte", "timings": '[{"begin": "2027-03-09T10:00:00", "end": "2027-03-09T11:00:00"}]'},
        {"title": "Horaires start", "timings": [{"start": "2027-03-10T10:00:00"}, {"start": "2027-03-11T10:00:00"}]},
        branches=None)
    assert [(e.title, e.start, e.end) for e in read.events] == [
        ("Exposition", datetime(2027, 3, 6, 10), datetime(2027, 3, 20, 18)),
        ("Horaires", datetime(2027, 3, 6, 10), datetime(2027, 3, 6, 12)),  # the first slot of the timetable
        ("Début seul", datetime(2027, 3, 8, 10), None),
        ("Horaires en texte", datetime(2027, 3, 9, 10), datetime(2027, 3, 9, 11)),
        ("Horaires start", datetime(2027, 3, 10, 10), None), ("Horaires start", datetime(2027, 3, 11, 10), None)]
    assert read.skipped == []
    assert [e.id for e in read.events][3:] == ["openagenda-4", "openagenda-5/2027-03-10T10:00:00",
                                               "openagenda-5/2027-03-11T10:00:00"]


def test_an_openagenda_record_with_more_timings_than_allowed_is_skipped_with_the_bound(monkeypatch):
    import outreach.sources.events as events

    monkeypatch.setattr(events, "MAX_OCCURRENCES", 3)  # the real bound (5,000) behaves alike, only slower
    timings = [{"begin": f"2027-01-0{d}T10:00:00"} for d in range(1, 5)]
    read = openagenda({"title": "Trop", "timings": timings}, {"title": "Assez", "timings": timings[:-1]},
                      branches=None)
    assert [e.title for e in read.events] == ["Assez"] * 3
    assert read.skipped == [("enregistrement n° 1 « Trop »", "valeur illisible (plus de 3 horaires)")]


def test_openagenda_places_in_every_shape_find_their_branch():
    read = openagenda(
        record("API adresse", location={"name": "Salle", "address": "Place de l'Hôtel de ville",
                                        "postalCode": "13400"}),
        record("API commune", location={"name": "Médiathèque municipale", "city": "Aubagne"}),
        {"title": "Ancien adresse", "date_start": "2027-03-06T10:00:00", "placename": "Salle",
         "address": "58 cours Belsunce", "city": "Marseille"},
        {"title": "Ancien commune", "date_start": "2027-03-06T10:00:00", "placename": "Médiathèque municipale",
         "city": "Aubagne"},
        record("Nouveau", location_name="Salle", location_address="Place de l'Hôtel de ville",
               location_city="Aubagne", canonicalurl="https://openagenda.com/e/1", link="https://autre"),
    )
    assert [e.branch_id for e in read.events] == ["aubagne", "aubagne", "alcazar", "aubagne", "aubagne"]
    assert read.events[-1].url == "https://openagenda.com/e/1" and read.events[0].url == ""


def test_without_a_network_an_event_without_branch_id_stays_unplaced():
    [event] = openagenda(record("Atelier"), branches=None).events
    assert (event.branch_id, event.url, event.location_name, event.lat) == (None, "", "", None)


def test_multilingual_values_give_the_french_else_the_first_text_given():
    start = "2027-03-06T10:00:00"
    read = openagenda(
        {"title": {"en": "Workshop", "fr": "Atelier"}, "description": {"fr": ["Un", "Deux"]}, "date_start": start},
        {"title": {"en": "", "de": "Werkstatt"}, "date_start": start},
        {"title": {"fr": "", "en": ""}, "date_start": start},
        branches=None)
    assert [(e.title, e.description) for e in read.events] == [("Atelier", "Un;Deux"), ("Werkstatt", "")]
    assert read.skipped == [("enregistrement n° 3", "sans titre ou sans date")]


def test_a_broken_json_agenda_is_refused_with_its_line_and_what_to_do():
    with pytest.raises(InputError) as err:
        read_events("/tmp/upload-81", data=b'{"records": [', name="agenda.json")
    assert str(err.value) == ("agenda.json — ligne 1, colonne 14 : JSON invalide (valeur attendue). Vérifiez que le "
                              "fichier est l'export JSON complet de l'agenda.")


def test_the_french_description_of_the_current_export_is_read():
    [event] = openagenda(record("Atelier", description_fr="<p>Atelier d'écriture</p>", description="Autre"),
                         branches=None).events
    assert event.description == "Atelier d'écriture"


def test_openagenda_coordinates_in_each_shape():
    read = openagenda(
        record("Liste", location_coordinates=[43.2996, 5.3795]),
        record("Objet", latlon={"lat": "43.2996", "lon": "5.3795"}),
        record("API", location={"name": "Salle", "latitude": 43.2996, "longitude": 5.3795}),
        record("API sans point", location={"name": "Salle", "latitude": None, "longitude": None}),
        record("Liste incomplète", location_coordinates=[43.2996]),
        branches=None)
    assert [(e.lat, e.lon) for e in read.events] == [(43.2996, 5.3795)] * 3 + [(None, None)] * 2


def test_unreadable_timings_are_told_in_french():
    read = openagenda({"title": "Début illisible", "timings": [{"begin": "bientôt"}]},
                      {"title": "Fin illisible", "timings": [{"begin": "2027-03-06T10:00:00", "end": "tard"}]},
                      record("Bon"), branches=None)
    assert read.skipped == [("enregistrement n° 1 « Début illisible »", "valeur illisible (date de début illisible "
                                                                         "« bientôt »)"),
                            ("enregistrement n° 2 « Fin illisible »", "valeur illisible (date de fin illisible "
                                                                       "« tard »)")]


def test_a_spreadsheet_export_row_by_row():
    text = ("Identifiant;Titre;Horaires ISO;Nom du lieu;Ville;Latitude;Longitude;État\n"
            ";Conte;2027-03-06T10:00:00+01:00 -> 2027-03-06T11:00:00+01:00;Médiathèque annexe;;43,2996;5,3795;"
            "Programmé\n"
            "e2;Concert;2027-03-07T20:00:00+01:00;Salle;;;;Annulé\n"
            "e3;Club;2027-03-08T10:00:00+01:00 | 2027-03-15T10:00:00+01:00;Médiathèque municipale;Aubagne;;;\n"
            "e4;Fin;2027-03-09T10:00:00+01:00 -> jamais;Salle;;;;\n")
    read = read_events("", data=text.encode(), name="agenda.csv", branches=BRANCHES, near=lambda *a: "alcazar")
    assert read.format == "OpenAgenda (CSV)"
    assert [(e.id, e.title, e.start, e.end, e.branch_id, e.lat) for e in read.events] == [
        ("openagenda-2", "Conte", datetime(2027, 3, 6, 10), datetime(2027, 3, 6, 11), "alcazar", 43.2996),
        ("e3/2027-03-08T10:00:00", "Club", datetime(2027, 3, 8, 10), None, "aubagne", None),
        ("e3/2027-03-15T10:00:00", "Club", datetime(2027, 3, 15, 10), None, "aubagne", None)]
    assert read.cancelled == ["Concert"]
    assert read.skipped == [("ligne 5 « Fin »", "valeur illisible (date de fin illisible « jamais »)")]


def test_spreadsheet_rows_cancelled_untimed_or_titled_in_html_are_told():
    text = ("Identifiant;Titre;Horaires ISO;État\n"
            "a;Concert;2027-03-07T20:00:00+01:00;6\n"
            "b;Conte;2027-03-08T10:00:00+01:00;Cancelled\n"
            "c;<b>Sans horaire</b>;;\n"
            "d;Club;2027-03-08T10:00:00+01:00 -> 2027-03-08T12:00:00+01:00 | "
            "2027-03-15T10:00:00+01:00 -> 2027-03-15T12:00:00+01:00;\n")
    read = read_events("", data=text.encode(), name="agenda.csv")
    assert (read.path, read.cancelled) == ("agenda.csv", ["Concert", "Conte"])
    assert read.skipped == [("ligne 4 « Sans horaire »", "sans titre ou sans date (colonnes Titre et Horaires ISO ou "
                                                         "Première date - Début)")]
    assert [(e.id, e.end) for e in read.events] == [("d/2027-03-08T10:00:00", datetime(2027, 3, 8, 12)),
                                                    ("d/2027-03-15T10:00:00", datetime(2027, 3, 15, 12))]
    assert openagenda(record("Un"), branches=None).path == "agenda.json"


def test_an_excel_export_without_a_title_column_is_refused_naming_the_file():
    import io

    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["Nom", "Horaires ISO"])
    book.active.append(["Conte", "2027-03-06T10:00:00"])
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(InputError) as err:
        read_events("", data=out.getvalue(), name="agenda.xlsx")
    assert err.value.file == "agenda.xlsx"
    assert str(err.value) == (
        "agenda.xlsx — ligne 1 (en-tête) : aucune colonne de titre (Titre, Titre - FR, title_fr) dans l'en-tête. "
        "Exportez l'agenda depuis OpenAgenda (Exporter > CSV ou Excel) sans retirer les colonnes Titre et Horaires "
        "ISO (ou Première date - Début).")


def test_spreadsheet_rows_give_their_branch_id_coordinates_page_and_at_most_the_bound_of_timings(monkeypatch):
    import outreach.sources.events as events

    monkeypatch.setattr(events, "MAX_OCCURRENCES", 2)  # the real bound (5,000) behaves alike, only slower
    text = ("Identifiant;Titre;Horaires ISO;Id bibliothèque;Latitude;Longitude;Permalien\n"
            "a;Conte;2027-03-06T10:00:00;aubagne;43.2927;5.5708;https://openagenda.com/e/a\n"
            "b;Trop;2027-03-06T10:00:00 | 2027-03-07T10:00:00 | 2027-03-08T10:00:00;;;;\n"
            "c;Assez;2027-03-06T10:00:00 | 2027-03-07T10:00:00;;;;\n")
    read = read_events("", data=text.encode(), name="agenda.csv", branches=BRANCHES)
    conte = read.events[0]
    assert (conte.branch_id, conte.lat, conte.lon, conte.url) == ("aubagne", 43.2927, 5.5708,
                                                                  "https://openagenda.com/e/a")
    assert [e.title for e in read.events[1:]] == ["Assez", "Assez"]
    assert read.skipped == [("ligne 3 « Trop »", "valeur illisible (plus de 2 horaires)")]


def test_two_exdate_lines_remove_both_dates():
    start = "DTSTART:20261205T140000\r\nEXDATE:20261206T140000\r\nEXDATE:20261208T140000"
    read = read_events("", data=series("FREQ=DAILY;COUNT=4", start=start), name="agenda.ics")
    assert [e.start.day for e in read.events if e.id.startswith("s/")] == [5, 7]


def test_the_series_generator_stops_the_year_after_the_horizon():
    """dateutil looks no further than the year after the horizon (up to 9999 without the ceiling)."""
    from outreach.sources.events import _occurrences

    years = [d.year for d in _occurrences("FREQ=YEARLY", datetime(2027, 1, 1), datetime(2027, 6, 1))]
    assert years == [2027, 2028]


def test_a_two_word_street_finds_its_branch_by_address():
    carli = Branch(id="carli", name="Bibliothèque Carli", address="Place Carli", postcode="13001", city="Marseille",
                   lat=43.3, lon=5.38)
    read = openagenda(record("Lecture", location_name="Salle", location_address="Place Carli",
                             location_postalcode="13001"), branches=[carli])
    assert [e.branch_id for e in read.events] == ["carli"]


def test_an_unaccented_cancelled_label_and_an_empty_end_are_read():
    read = openagenda(record("Concert", status={"id": 1, "label": {"fr": "Annule"}}),
                      {"title": "Sans fin", "timings": [{"begin": "2027-03-06T10:00:00", "end": ""}]}, branches=None)
    assert read.cancelled == ["Concert"] and read.skipped == []
    assert [(e.title, e.end) for e in read.events] == [("Sans fin", None)]


def test_a_bare_icalendar_event_has_no_keyword_description_or_branch_and_a_location_names_its_branch():
    ics = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
           "BEGIN:VEVENT\r\nUID:nu\r\nSUMMARY:Nu\r\nDTSTART:20270306T100000\r\nEND:VEVENT\r\n"
           "BEGIN:VEVENT\r\nUID:lieu\r\nSUMMARY:Lieu\r\nDTSTART:20270306T100000\r\n"
           "LOCATION:Bibliothèque de l'Alcazar\\, 58 cours Belsunce\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n").encode()
    bare = read_events("", data=ics, name="agenda.ics").events[0]
    assert (bare.keywords, bare.description, bare.branch_id, bare.url) == ([], "", None, "")
    placed = read_events("", data=ics, name="agenda.ics", branches=BRANCHES).events[1]
    assert placed.branch_id == "alcazar"


def test_a_series_without_end_keeps_its_date_exactly_a_year_and_a_day_after_a_future_start():
    read = read_events("", data=series("FREQ=DAILY", start="DTSTART:20400101T100000"), name="agenda.ics")
    days = [e.start for e in read.events if e.id.startswith("s/")]
    assert days[-1] == datetime(2040, 1, 1, 10) + timedelta(days=366) and len(days) == 367


def test_five_events_are_named_without_an_ellipsis_and_the_skipped_note_ends_with_a_full_stop():
    read = openagenda(*[record(f"Atelier {i}") for i in range(5)], *[record(f"Annulé {i}", status=6) for i in range(5)],
                      {"title_fr": "Sans date"})
    assert read.notes[0].endswith("« Atelier 3 », « Atelier 4 ».")
    assert read.notes[1] == ("agenda.json : 5 événement(s) annulé(s) écarté(s) : « Annulé 0 », « Annulé 1 », "
                             "« Annulé 2 », « Annulé 3 », « Annulé 4 ».")
    assert read.notes[2] == ("agenda.json : 1 événement(s) ignoré(s) — enregistrement n° 11 « Sans date » : sans titre "
                             "ou sans date.")


def test_an_icalendar_event_without_summary_is_skipped_by_its_number_and_the_read_names_its_file():
    ics = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART:20270306T100000\r\nEND:VEVENT\r\n"
           "BEGIN:VEVENT\r\nUID:b\r\nSUMMARY:Conte\r\nDTSTART:20270306T100000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
    read = read_events("", data=ics.encode(), name="agenda.ics")
    assert read.path == "agenda.ics" and [e.title for e in read.events] == ["Conte"]
    assert read.skipped == [("événement n° 1", "sans titre (SUMMARY) ou sans date de début (DTSTART)")]


def test_how_a_branch_was_found_and_a_place_given_alone():
    finder = BranchFinder(BRANCHES)
    assert finder.find(None, "Bibliothèque de l'Alcazar", None, None) == ("alcazar", "nom")
    assert finder.find(None, "Médiathèque municipale", None, None, place="Médiathèque municipale, Aubagne") == \
        ("aubagne", "nom et commune")
    # without a place, the name is read as the whole location
    assert finder.find(None, "Salle, 58 cours Belsunce 13001", None, None) == ("alcazar", "adresse")


def test_only_utc_itself_is_moved_to_paris_time():
    from zoneinfo import ZoneInfo

    from dateutil.tz import tzutc

    # London in winter is at UTC+0 but is a place: its wall-clock time stays
    assert to_local(datetime(2027, 1, 10, 14, tzinfo=ZoneInfo("Europe/London"))) == datetime(2027, 1, 10, 14)
    assert to_local(datetime(2027, 1, 10, 14, tzinfo=tzutc())) == datetime(2027, 1, 10, 15)


def test_a_calendar_after_blank_lines_is_read_and_a_broken_workbook_names_its_file():
    ics = b"\r\n\r\n" + series("FREQ=DAILY;COUNT=2")
    assert len(read_events("", data=ics, name="agenda.ics").events) == 3
    with pytest.raises(InputError) as err:
        read_events("", data=b"PK\x03\x04pas un classeur", name="agenda.xlsx")
    assert err.value.file == "agenda.xlsx"


def test_an_unknown_format_is_refused_in_french_and_a_file_read_from_its_path_is_named_by_it(tmp_path):
    with pytest.raises(InputError) as err:
        read_events("", data=b"ceci n'est pas un agenda", name="agenda.txt")
    assert (err.value.file, err.value.message, err.value.fix) == (
        "agenda.txt", "format d'agenda non reconnu.",
        "Donnez un fichier iCalendar (.ics, commençant par BEGIN:VCALENDAR) ou un export OpenAgenda en JSON, CSV ou "
        "Excel (avec une colonne Titre).")
    path = tmp_path / "agenda.json"
    path.write_text(json.dumps([record("Conte")]), encoding="utf-8")
    read = read_events(path)
    assert read.path == str(path) and [e.title for e in read.events] == ["Conte"]

"""OpenAgenda's spreadsheet exports (CSV, Excel) and agenda feeds read from their address.

The events are real (tests/data/openagenda-paris-extract.json: six records of OpenAgenda's public events
dataset, one at the Bibliothèque Forney, one with seventeen timings); the CSV and Excel files are written
from them in OpenAgenda's export layout by tests/support/agenda_exports.py (see its docstring)."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from outreach.cli import main
from outreach.datasets import shipped_branches
from outreach.errors import InputError
from outreach.sources.agenda_feed import fetch_agenda
from outreach.sources.events import read_events
from outreach.territory import branch_near
from tests.support import ROOT
from tests.support.agenda_exports import export_csv, export_table, export_xlsx
from tests.support.servers import AgendaServer

EXTRACT = ROOT / "tests" / "data" / "openagenda-paris-extract.json"
FORNEY = "18964"  # Bibliothèque Forney, 1 rue du Figuier, Paris 4e, a shipped branch


@pytest.fixture(scope="module")
def records() -> list[dict]:
    return json.loads(EXTRACT.read_text(encoding="utf-8"))["records"]


@pytest.fixture(scope="module")
def branches():
    return list(shipped_branches())


def _read(data: bytes, name: str, branches):
    return read_events(name, data=data, branches=branches, near=branch_near(branches))


def _check_the_six_records(read, records):
    timings = sum(len(json.loads(r["fields"]["timings"])) for r in records)
    assert timings == 28 and len(read.events) == timings  # one event per timing
    forney = [e for e in read.events if e.id == "29520188"]
    assert [e.branch_id for e in forney] == [FORNEY]  # placed by the location's name
    assert forney[0].start == datetime(2018, 1, 20, 20, 30)  # « 2018-01-20T20:30:00+01:00 »: the wall clock
    assert forney[0].end == datetime(2018, 1, 20, 22, 0)
    assert forney[0].keywords == ["lecture", "atelier musique"]
    assert forney[0].description.startswith("Déambulez dans les coulisses")
    open_house = sorted((e for e in read.events if e.id.startswith("92107297/")), key=lambda e: e.start)
    assert len(open_house) == 3 and len({e.start for e in open_house}) == 3
    repair = next(e for e in read.events if e.id.startswith("92107297/"))
    assert repair.keywords[:3] == ["Réparation Vêtement", "Textile", "Retouche"] and repair.branch_id is None
    # the long description (HTML with line breaks) follows the short one, as plain text
    book_fair = next(e for e in read.events if e.id.startswith("42683297/"))
    assert book_fair.description.startswith("Un des événements majeurs") and "<p>" not in book_fair.description
    assert "Salon du livre" in book_fair.description
    assert any("sans bibliothèque reconnue" in n for n in read.notes)


def test_the_csv_export_as_openagenda_writes_it(records, branches):
    read = _read(export_csv(records), "export.csv", branches)
    assert read.format == "OpenAgenda (CSV)" and not read.skipped
    _check_the_six_records(read, records)


def test_a_multilingual_agenda_saved_again_by_a_spreadsheet(records, branches):
    # « Titre - FR », « Titre - EN »…, « ; » and a BOM, as Excel or LibreOffice write a CSV in French
    data = export_csv(records, separator=";", bom=True, languages=("fr", "en"))
    assert data.startswith("\ufeffIdentifiant;Titre - FR;Titre - EN".encode())
    _check_the_six_records(_read(data, "export.csv", branches), records)


def test_the_excel_export(records, branches):
    read = _read(export_xlsx(records), "export.xlsx", branches)
    assert read.format == "OpenAgenda (Excel)"
    _check_the_six_records(read, records)


def test_an_event_without_a_library_name_is_placed_by_its_address(records, branches):
    forney = json.loads(json.dumps(records[0]))  # a copy, its place renamed as a room of the library
    forney["fields"]["location_name"] = "Salle d'exposition"
    forney["fields"].pop("location_coordinates")
    [event] = _read(export_csv([forney]), "export.csv", branches).events
    assert event.branch_id == FORNEY and event.location_name == "Salle d'exposition"


def test_bad_rows_are_skipped_with_their_line_and_reason(records, branches):
    table = export_table(records[:3])
    broken_date = list(table[2])
    broken_date[table[0].index("Horaires ISO")] = "2019-13-45T10:00:00+02:00 -> 2019-13-45T12:00:00+02:00"
    no_title = list(table[3])
    no_title[table[0].index("Titre")] = ""
    cancelled = list(table[1])
    cancelled[table[0].index("État")] = "Annulé"
    cancelled[0] = "cancelled-1"
    rows = [_csv_line(row) for row in [table[0], table[1], broken_date, no_title, cancelled, [""] * len(table[0])]]
    read = _read("".join(rows).encode(), "export.csv", branches)
    # the line each row starts on: long descriptions hold line breaks, so rows span several lines
    starts = [1 + sum(r.count("\n") for r in rows[:n]) for n in range(len(rows))]
    assert starts[2] > 3
    assert [e.id for e in read.events] == ["29520188"]
    [(where_date, why_date), (where_title, why_title)] = read.skipped
    assert where_date.startswith(f"ligne {starts[2]} « ") and "date de début illisible « 2019-13-45T10:00" in why_date
    assert where_title == f"ligne {starts[3]}" and why_title.startswith("sans titre")
    assert read.cancelled == [records[0]["fields"]["title_fr"]]
    assert any("2 événement(s) ignoré(s)" in n for n in read.notes)


def _csv_line(row: list) -> str:
    import csv
    import io

    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(row)
    return out.getvalue()


def test_exports_it_cannot_read_are_refused_in_french():
    with pytest.raises(InputError, match="format d'agenda non reconnu"):
        read_events("a.csv", data=b"Date;Lieu\n2026-01-01;Paris\n")
    with pytest.raises(InputError, match="aucun événement lisible"):
        read_events("a.csv", data=b"Titre;Horaires ISO\nClub manga;demain\n")
    with pytest.raises(InputError, match="ligne illisible") as err:  # a quote never closed swallows the rest
        read_events("a.csv", data=b'Titre;Horaires ISO\nClub;2026-01-01\n"Atelier' + b" manga" * 30_000 + b"\n")
    assert err.value.where == "ligne 3"
    with pytest.raises(InputError, match="classeur Excel illisible|archive endommagée"):
        read_events("a.xlsx", data=b"PK\x03\x04 not a workbook")


def test_feeds_are_read_from_their_address(records, branches, tmp_path, capsys, monkeypatch):
    ics = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:a\r\nSUMMARY:Club manga\r\n"
           "DTSTART;TZID=Europe/Paris:20261212T150000\r\nLOCATION:Bibliothèque Forney\r\nEND:VEVENT\r\n"
           "END:VCALENDAR\r\n").encode()
    server = AgendaServer({"/agenda.ics": ics, "/events.csv": export_csv(records)})
    server.start()
    try:
        [event] = read_events(f"{server.url}/agenda.ics", branches=branches).events
        assert (event.title, event.branch_id) == ("Club manga", FORNEY)
        assert len(read_events(f"{server.url}/events.csv", branches=branches).events) == 28
        with pytest.raises(InputError, match="HTTP 404") as err:
            read_events(f"{server.url}/agenda-2025.ics")
        assert f"{server.url}/agenda-2025.ics" in str(err.value)
        # the network's agenda address in its settings, read by `themes match` without --events
        settings = tmp_path / "network.yaml"
        settings.write_text(f"agenda_url: {server.url}/events.csv\n", encoding="utf-8")
        monkeypatch.setenv("OUTREACH_SETTINGS", str(settings))
        out = tmp_path / "m.csv"
        sample = ROOT / "data" / "samples" / "roubaix-unimarc-sample-2383.mrc"
        assert main(["themes", "match", "--catalogue", str(sample), "--out", str(out)]) == 0
        assert "28 événement(s)" in capsys.readouterr().err
        assert any(line.startswith("event:") for line in out.read_text(encoding="utf-8").splitlines())
    finally:
        server.stop()
    with pytest.raises(InputError, match="injoignable"):
        read_events(f"{server.url}/agenda.ics")


def test_a_feed_larger_than_the_bound_is_refused_while_it_is_read():
    body = b"BEGIN:VCALENDAR\r\n" + b"X" * 5000
    for announce in (True, False):  # announced by Content-Length, or only found while reading
        server = AgendaServer({"/agenda.ics": body}, announce=announce)
        server.start()
        try:
            with pytest.raises(InputError, match="flux d'agenda trop volumineux"):
                fetch_agenda(f"{server.url}/agenda.ics", max_bytes=1000)
            assert fetch_agenda(f"{server.url}/agenda.ics", max_bytes=10_000) == body
        finally:
            server.stop()

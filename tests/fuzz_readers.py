"""Property-based fuzzing of every reader: whatever the bytes, a result or a French InputError, nothing else.

Not collected on its own (the name does not start with test_): tests/test_fuzz_readers.py runs this file
in a child process whose address space is capped at 1 GB, so an input that makes a reader swell fails the
run instead of slowing the machine. Each example must also finish within the deadline.
"""

from __future__ import annotations

import io
import json
import string
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from outreach.errors import InputError

FUZZ = settings(max_examples=60, deadline=timedelta(seconds=10), derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def refused_or_read(read, data: bytes) -> None:
    """`read(data)` returns, or raises an InputError whose text is French prose (never a traceback)."""
    try:
        read(data)
    except InputError as exc:
        assert str(exc) and "Traceback" not in str(exc)


# ------------------------------------------------------------------------------------------------ YAML

YAML_TOKENS = ["a: ", "- ", "&x ", "*x", "&y ", "*y", "[", "]", "{", "}", ", ", "\n", "  ", "'", '"', "!!str ",
               "!!python/object:os.system ", "<<: ", "~", "1e9999", "0x1F", "name: ", "budget_eur: ", "%YAML 1.1\n"]
yaml_texts = st.one_of(st.text(max_size=300), st.lists(st.sampled_from(YAML_TOKENS), max_size=60).map("".join))


@FUZZ
@given(yaml_texts)
def test_campaign_yaml(text):
    from outreach.campaign import campaign_from_yaml

    refused_or_read(lambda d: campaign_from_yaml(d.decode("utf-8", "surrogatepass"), file="c.yaml"),
                    text.encode("utf-8", "surrogatepass"))


@FUZZ
@given(yaml_texts)
def test_themes_yaml(text):
    from outreach.themes import load_themes

    refused_or_read(lambda d: load_themes(data=d, name="themes.yaml"), text.encode("utf-8", "surrogatepass"))


# ------------------------------------------------------------------------------------------------ JSON

json_values = st.recursive(
    st.none() | st.booleans() | st.floats(allow_nan=False) | st.integers() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=8), children, max_size=5),
    max_leaves=60)
features = st.fixed_dictionaries({
    "type": st.just("Feature"),
    "properties": st.dictionaries(st.sampled_from(["code", "nom", "id", "name", "population", "insee"]),
                                  json_values, max_size=4),
    "geometry": st.one_of(st.none(), st.fixed_dictionaries({
        "type": st.sampled_from(["Point", "Polygon", "MultiPolygon", "LineString"]),
        "coordinates": json_values}))})
geojson_docs = st.one_of(json_values, st.fixed_dictionaries({"type": st.just("FeatureCollection"),
                                                             "features": st.lists(features, max_size=4)}))
json_bytes = st.one_of(geojson_docs.map(lambda d: json.dumps(d).encode()),
                       st.builds(lambda depth, tail: b"[" * depth + tail, st.integers(0, 5000), st.binary(max_size=40)),
                       st.binary(max_size=400))


@FUZZ
@given(json_bytes)
def test_areas_geojson(data):
    from outreach.sources.areas import read_areas_geojson

    refused_or_read(lambda d: read_areas_geojson("communes.geojson", data=d), data)


@FUZZ
@given(json_bytes)
def test_branches_geojson(data):
    from outreach.sources.branches import read_branches_geojson

    refused_or_read(lambda d: read_branches_geojson("bibliotheques.geojson", data=d), data)


@FUZZ
@given(json_bytes)
def test_openagenda_json(data):
    from outreach.sources.events import read_events

    refused_or_read(lambda d: read_events("agenda.json", data=d), b"[" + data if data[:1] not in (b"[", b"{") else data)


# ------------------------------------------------------------------------------------------------ iCalendar

rrules = st.builds(
    lambda freq, extra: f"FREQ={freq}" + "".join(f";{part}" for part in extra),
    st.sampled_from(["SECONDLY", "MINUTELY", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY", "BOGUS"]),
    st.lists(st.one_of(
        st.integers(-3, 1000).map(lambda n: f"INTERVAL={n}"),
        st.integers(-1, 100_000).map(lambda n: f"COUNT={n}"),
        st.integers(-13, 14).map(lambda n: f"BYMONTH={n}"),
        st.integers(-32, 32).map(lambda n: f"BYMONTHDAY={n}"),
        st.integers(-400, 400).map(lambda n: f"BYYEARDAY={n}"),
        st.integers(-60, 60).map(lambda n: f"BYWEEKNO={n}"),
        st.integers(-10, 10).map(lambda n: f"BYSETPOS={n}"),
        st.sampled_from(["MO", "TU", "2WE", "-1FR", "5SA", "53SU"]).map(lambda d: f"BYDAY={d}"),
        st.sampled_from(["20270101", "20270101T000000Z", "19000101", "99991231"]).map(lambda u: f"UNTIL={u}"),
        st.integers(-1, 25).map(lambda n: f"BYHOUR={n}")), max_size=4))


@FUZZ
@given(rrules, st.sampled_from(["20260105T140000", "20260105", "19000101T000000", "20260105T140000Z"]),
       st.text(alphabet=string.printable, max_size=30))
def test_icalendar(rule, start, summary):
    from outreach.sources.events import read_events

    summary = summary.replace("\r", " ").replace("\n", " ")
    ics = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:f@test\r\n"
           f"SUMMARY:{summary or 'Atelier'}\r\nDTSTART:{start}\r\nRRULE:{rule}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
    refused_or_read(lambda d: read_events("agenda.ics", data=d), ics.encode())


@FUZZ
@given(st.binary(max_size=300))
def test_icalendar_bytes(data):
    from outreach.sources.events import read_events

    refused_or_read(lambda d: read_events("agenda.ics", data=d), b"BEGIN:VCALENDAR\r\n" + data)


# ------------------------------------------------------------------------------------------------ CSV, MARC

csv_texts = st.lists(st.lists(st.text(max_size=12), min_size=1, max_size=6), min_size=0, max_size=12).map(
    lambda rows: "\n".join(";".join(r) for r in rows))


@FUZZ
@given(st.one_of(csv_texts.map(lambda t: ("id;name;lat;lon\n" + t).encode("utf-8", "surrogatepass")),
                 st.binary(max_size=400)))
def test_branches_csv(data):
    from outreach.sources.branches import read_branches

    refused_or_read(lambda d: read_branches("bibliotheques.csv", data=d), data)


@FUZZ
@given(st.one_of(csv_texts.map(lambda t: ("code,name,lat,lon,population\n" + t).encode("utf-8", "surrogatepass")),
                 st.binary(max_size=400)))
def test_areas_csv(data):
    from outreach.sources.areas import read_areas

    refused_or_read(lambda d: read_areas("communes.csv", data=d), data)


@FUZZ
@given(st.binary(max_size=2000))
def test_marc(tail):
    from outreach.sources.catalogue import read_catalogue

    # a leader that looks like ISO 2709, so that the MARC reader (not the CSV one) gets the rest
    refused_or_read(lambda d: read_catalogue("catalogue.mrc", data=d), b"00714cam  2200205 a 4500" + tail + b"\x1d")


MARCXML_TOKENS = ['<collection xmlns="http://www.loc.gov/MARC21/slim">', "</collection>", "<record>", "</record>",
                  '<record xmlns="info:lc/xmlns/marcxchange-v2" format="UNIMARC">', "<leader>", "</leader>",
                  '<controlfield tag="001">', "</controlfield>", '<datafield tag="200" ind1="1" ind2=" ">',
                  '<datafield tag="245">', '<datafield tag="995">', "<datafield>", "</datafield>",
                  '<subfield code="a">', "<subfield>", "</subfield>", "Titre é", "&amp;", "&x;", "<![CDATA[x]]>",
                  "<!-- c -->", '<?xml version="1.0" encoding="latin-1"?>', "\x00", "\n"]


@FUZZ
@given(st.one_of(st.lists(st.sampled_from(MARCXML_TOKENS), max_size=40).map(lambda t: "".join(t).encode()),
                 st.binary(max_size=400).map(lambda b: b"<" + b)))
def test_marcxml(data):
    from outreach.sources.catalogue import read_catalogue

    refused_or_read(lambda d: read_catalogue("catalogue.xml", data=d), data)


@FUZZ
@given(st.one_of(csv_texts.map(lambda t: ("titre;auteur;cote;bibliotheque\n" + t).encode("utf-8", "surrogatepass")),
                 st.binary(max_size=400)))
def test_catalogue_csv(data):
    from outreach.sources.catalogue import read_catalogue

    refused_or_read(lambda d: read_catalogue("catalogue.csv", data=d), data)


# ------------------------------------------------------------------------------------------------ Ads Manager

cells = st.one_of(st.none(), st.integers(), st.floats(allow_nan=True), st.text(max_size=20).map(
    lambda t: "".join(c for c in t if c.isprintable())))


def workbook(rows: list[list]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


REPORT_HEADER = ["Campaign name", "Ad set name", "Reach", "Impressions", "Amount spent (EUR)", "Reporting starts",
                 "Reporting ends"]


@FUZZ
@given(st.lists(st.lists(cells, max_size=8), max_size=10), st.booleans())
def test_ads_report_xlsx(rows, with_header):
    from outreach.sources.ads_reports import read_ads_report

    refused_or_read(lambda d: read_ads_report("rapport.xlsx", data=d),
                    workbook(([REPORT_HEADER] if with_header else []) + rows))


@FUZZ
@given(st.one_of(csv_texts.map(lambda t: (",".join(REPORT_HEADER) + "\n" + t.replace(";", ",")).encode()),
                 st.binary(max_size=400), st.binary(max_size=400).map(lambda b: b"PK\x03\x04" + b)))
def test_ads_report_bytes(data):
    from outreach.sources.ads_reports import read_ads_report

    refused_or_read(lambda d: read_ads_report("rapport.csv", data=d), data)


@FUZZ
@given(st.one_of(st.binary(max_size=400).map(lambda b: b"PK\x03\x04" + b),
                 st.lists(st.lists(cells, max_size=5), max_size=3).map(workbook)))
def test_template_xlsx(data):
    from outreach.meta.sheet import read_template

    refused_or_read(lambda d: read_template("modele.xlsx", data=d), data)

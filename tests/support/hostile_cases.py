"""Hostile inputs: small files built to exhaust memory or time, each with the reader it is fed to.

Shared by tests/test_hostile_inputs.py (each must end in an InputError, fast) and bench/bench_hostile.py
(each is run in a child process under a 1 GB memory cap; its peak memory and time go into
docs/security.md). Built here rather than shipped, so that the repository holds no bomb.
"""

from __future__ import annotations

import gzip
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Case:
    name: str  # as the docs table shows it
    reader: str  # a key of READERS
    build: Callable[[], bytes]
    file_name: str


def yaml_alias_bomb() -> bytes:
    """The classic « billion laughs » in YAML: nine levels of nine aliases (342 bytes, 387 million items)."""
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(8):
        name, previous = chr(98 + level), chr(97 + level)
        lines.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    return ("\n".join(lines) + "\n").encode()


def themes_alias_bomb() -> bytes:
    return b"- id: bombe\n  label: Bombe\n  keywords: &k0 [a, a, a, a, a, a, a, a, a, a]\n" + b"".join(
        b"  x%d: &k%d [*k%d, *k%d, *k%d, *k%d, *k%d, *k%d, *k%d, *k%d, *k%d, *k%d]\n" % ((i + 1, i + 1) + (i,) * 10)
        for i in range(8))


def ics(rule: str) -> bytes:
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//FR\r\nBEGIN:VEVENT\r\nUID:bombe@test\r\n"
            "SUMMARY:Club manga\r\nDTSTART:20260105T140000\r\n"
            f"RRULE:{rule}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n").encode()


def deep_geojson(depth: int = 100_000) -> bytes:
    return b'{"type": "FeatureCollection", "features": [' + b"[" * depth + b"]" * depth + b"]}"


def long_number_json() -> bytes:
    return b'{"type": "FeatureCollection", "features": [], "n": ' + b"9" * 5000 + b"}"


def gzip_bomb(size: int = 1024 * 1024 * 1024) -> bytes:
    """A gzip of `size` zero bytes (1 GB packs into about 1 MB): one member of 8 MiB of zeros, repeated. A gzip
    file may hold several members, which readers decompress one after the other, so this is the same 1 GB to
    the reader as one long member, without compressing 1 GB in each test run."""
    chunk = 8 * 1024 * 1024
    return gzip.compress(b"0" * chunk, compresslevel=9) * (size // chunk)


def _workbook(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return out.getvalue()


def _minimal_parts(sheet_xml: bytes, shared: bytes | None = None) -> dict[str, bytes]:
    ns = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    ct = (b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
          b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
          b'<Default Extension="xml" ContentType="application/xml"/>'
          b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
          b'spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
          b'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
          + (b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
             b'officedocument.spreadsheetml.sharedStrings+xml"/>' if shared else b"") + b"</Types>")
    parts = {
        "[Content_Types].xml": ct,
        "_rels/.rels": b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                       b'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                       b'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": b'<?xml version="1.0"?><workbook ' + ns + b" " + rel
                           + b'><sheets><sheet name="Ads" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                                      b'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
                                      b'openxmlformats.org/officeDocument/2006/relationships/worksheet" '
                                      b'Target="worksheets/sheet1.xml"/>'
                                      + (b'<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/'
                                         b'officeDocument/2006/relationships/sharedStrings" '
                                         b'Target="sharedStrings.xml"/>' if shared else b"")
                                      + b"</Relationships>",
        "xl/worksheets/sheet1.xml": sheet_xml,
    }
    if shared:
        parts["xl/sharedStrings.xml"] = shared
    return parts


def _sheet(rows: list[list[str]]) -> bytes:
    body = b"".join(b"<row>" + b"".join(b'<c t="inlineStr"><is><t>' + v.encode() + b"</t></is></c>" for v in row)
                    + b"</row>" for row in rows)
    return (b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            b"<sheetData>" + body + b"</sheetData></worksheet>")


def xlsx_huge_cells() -> bytes:
    """About 1 MB zipped: rows whose cells each hold 5 million characters (Excel allows 32,767)."""
    header = ["Campaign Name", "Ad Set Name", "Reach", "Impressions", "Amount spent (EUR)", "Reporting starts",
              "Reporting ends"]
    big = "A" * 5_000_000
    rows = [header] + [[big, big, "1", "1", "1", "2026-01-01", "2026-01-31"] for _ in range(10)]
    return _workbook(_minimal_parts(_sheet(rows)))


def xlsx_unpacked_bomb() -> bytes:
    """A sheet of 200 MB of XML (blank padding) packed into a few hundred kB."""
    return _workbook(_minimal_parts(_sheet([["Campaign Name", "Ad Set Name", "Ad Name"]])
                                    .replace(b"<sheetData>", b"<sheetData>" + b" " * 200_000_000)))


def xlsx_with_dtd() -> bytes:
    """An Ads Manager template whose sheet declares entities (a billion laughs)."""
    entities = b'<!ENTITY a "aaaaaaaaaa">' + b"".join(
        b'<!ENTITY %s "%s">' % (bytes([98 + i]), (b"&%s;" % bytes([97 + i])) * 10) for i in range(9))
    sheet = _sheet([["Campaign Name", "Ad Set Name", "Ad Name"], ["&j;", "b", "c"]]).replace(
        b'<?xml version="1.0"?>', b'<?xml version="1.0"?><!DOCTYPE worksheet [' + entities + b"]>")
    return _workbook(_minimal_parts(sheet))


def big_csv(size: int = 80 * 1024 * 1024) -> bytes:
    row = b"1,Bibliotheque,43.3,5.4\n"
    return b"id,name,lat,lon\n" + row * (size // len(row))


CASES = [
    Case("YAML alias bomb as a campaign (342 bytes)", "campaign", yaml_alias_bomb, "bombe.yaml"),
    Case("YAML alias bomb in the themes file", "themes", themes_alias_bomb, "themes.yaml"),
    Case("recursive YAML alias", "campaign", lambda: b"a: &a [*a]\nname: x\n", "boucle.yaml"),
    Case("iCalendar RRULE:FREQ=SECONDLY", "events", lambda: ics("FREQ=SECONDLY"), "agenda.ics"),
    Case("iCalendar RRULE:FREQ=MINUTELY;INTERVAL=1", "events", lambda: ics("FREQ=MINUTELY;INTERVAL=1"), "agenda.ics"),
    Case("iCalendar FREQ=HOURLY without end (8,784 dates a year)", "events", lambda: ics("FREQ=HOURLY"),
         "agenda.ics"),
    Case("iCalendar rule with no possible date (30 February, daily)", "events",
         lambda: ics("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30"), "agenda.ics"),
    Case("GeoJSON nested 100,000 levels", "areas", deep_geojson, "communes.geojson"),
    Case("OpenAgenda JSON nested 100,000 levels", "events", deep_geojson, "agenda.json"),
    Case("JSON with a 5,000-digit number", "areas", long_number_json, "communes.geojson"),
    Case("gzip bomb (1 GB of zeros in 1 MB)", "branches_gz", gzip_bomb, "bibliotheques.csv.gz"),
    Case("xlsx report with 5-million-character cells", "ads_report", xlsx_huge_cells, "rapport.xlsx"),
    Case("xlsx with 200 MB of XML in a few hundred kB", "ads_report", xlsx_unpacked_bomb, "rapport.xlsx"),
    Case("xlsx template whose sheet declares entities (DTD)", "template", xlsx_with_dtd, "modele.xlsx"),
    Case("CSV of 80 MB", "branches", big_csv, "bibliotheques.csv"),
]


def read(reader: str, data: bytes, file_name: str, tmp_dir) -> object:
    """Feed `data` to the reader named `reader` the way a user would (a path for the CLI's readers)."""
    from pathlib import Path

    path = Path(tmp_dir) / file_name
    path.write_bytes(data)
    if reader == "campaign":
        from outreach.campaign import load_campaign

        return load_campaign(path)
    if reader == "themes":
        from outreach.themes import load_themes

        return load_themes(data=data, name=file_name)
    if reader == "events":
        from outreach.sources.events import read_events

        return read_events(path)
    if reader == "areas":
        from outreach.sources.areas import read_areas

        return read_areas(path)
    if reader in ("branches", "branches_gz"):
        from outreach.sources.branches import read_branches

        return read_branches(path)
    if reader == "ads_report":
        from outreach.sources.ads_reports import read_ads_report

        return read_ads_report(path)
    if reader == "template":
        from outreach.meta.sheet import read_template

        return read_template(path)
    raise ValueError(reader)

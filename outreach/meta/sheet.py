"""The Ads Manager bulk-import file: one row per ad, `.xlsx` (`outreach.meta.workbook`) and tab-separated `.txt`.

The columns are those of Ads Manager exports (English headers, as third-party parsers of real 2025–26
exports list them). Meta does not publish the import format, so the safest path is the one Meta's help
suggests: export one ad from your own account and give that file as the template — its header row is
then used as is, and the columns this tool does not know stay empty.

Values are taken from the Marketing API payloads (`outreach.meta.payloads`), so that the file and the
API push say exactly the same thing, and written in the formats of Ads Manager's own exports: objectives as
"Outcome Traffic", times as "04/01/2027 12:00:00 am" (the account's time zone), numbers as number cells,
Flexible Inclusions as the flexible_spec's JSON with the interests' ids, the creative type and the image's
file name (the file itself is in the export's images/ folder). A template given by the user also gives its
value formats: those its first rows show are followed (`formats_from_samples`).
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from outreach import cells
from outreach.bounds import MAX_XLSX_BYTES
from outreach.errors import InputError
from outreach.meta.payloads import campaigns_of, creative_texts
from outreach.meta.workbook import write_xlsx
from outreach.sources.tabular import decode, read_bytes, sniff_separator
from outreach.sources.xlsx import open_workbook
from outreach.sources.xlsx import rows as sheet_rows

# The header of an Ads Manager export, in its order (the subset a campaign of this tool fills, plus the
# id columns Ads Manager uses to tell new objects from edits: left empty, they mean "create").
DEFAULT_COLUMNS = [
    "Campaign ID", "Campaign Name", "Special Ad Categories", "Special Ad Category Country", "Campaign Status",
    "Campaign Objective", "Buying Type", "Campaign Spend Limit", "Campaign Daily Budget",
    "Campaign Lifetime Budget", "Campaign Bid Strategy", "Campaign Start Time", "Campaign Stop Time",
    "Ad Set ID", "Ad Set Run Status", "Ad Set Name", "Ad Set Time Start", "Ad Set Time Stop",
    "Ad Set Daily Budget", "Destination Type", "Ad Set Lifetime Budget", "Link Object ID", "Link",
    "Countries", "Cities", "Regions", "Zip", "Addresses", "Gender", "Age Min", "Age Max", "Locales",
    "Custom Audiences", "Excluded Custom Audiences", "Flexible Inclusions", "Flexible Exclusions",
    "Advantage Audience", "Age Range", "Beneficiary", "Payer", "Publisher Platforms", "Facebook Positions",
    "Instagram Positions", "Device Platforms", "Optimization Goal", "Billing Event", "Bid Amount",
    "Ad Set Bid Strategy", "Regional Regulated Categories", "Ad ID", "Ad Status", "Ad Name", "Creative Type",
    "Title", "Body",
    "Display Link", "Link Description", "Image Hash", "Image File Name", "URL Tags", "Instagram Account ID",
    "Call to Action", "Call to Action Link", "Video ID",
]

Value = str | int | float | None


@dataclass(frozen=True)
class ValueFormats:
    """How an export writes its values. The defaults are those of Ads Manager's own 2025–26 exports
    ("Outcome Traffic", "04/01/2027 12:00:00 am", numbers as numbers, `o:` and `x:` prefixes); a user's
    export given as template overrides them with what it shows (`formats_of`)."""

    objective: str = "title"  # "title": Outcome Traffic; "api": OUTCOME_TRAFFIC
    time: str = "us12"  # "us12": 04/01/2027 12:00:00 am; "US12": … AM; "iso": 2027-04-01 00:00:00;
    #                     "eu24": 01/04/2027 00:00:00; "cell": a date cell of the workbook
    decimal: str = "."  # the budget's decimal separator in a text file ("," in some French exports)
    numeric: bool = True  # numbers as number cells in the workbook (False: as text, as the template does)
    page_prefix: str = "o:"
    instagram_prefix: str = "x:"


DEFAULT_FORMATS = ValueFormats()
CREATIVE_TYPE = "Link Page Post Ad"  # a link ad with an image, as Ads Manager exports name it


class Template(list):
    """A user's export read as a template: its header (this list, in order) and its value formats."""

    def __init__(self, columns: list[str], formats: ValueFormats = DEFAULT_FORMATS):
        super().__init__(columns)
        self.formats = formats


def formats_of(columns) -> ValueFormats:
    return getattr(columns, "formats", None) or DEFAULT_FORMATS


def _objective(value: str, formats: ValueFormats) -> str:
    # OUTCOME_TRAFFIC → "Outcome Traffic"
    return value if formats.objective == "api" else value.replace("_", " ").title()


def _when(meta_time: str, formats: ValueFormats) -> Value | datetime:
    """A payload time ("2027-03-01T00:00:00+0100", Paris) as the export writes it, in the account's zone."""
    if not meta_time:
        return None
    moment = datetime.strptime(meta_time, "%Y-%m-%dT%H:%M:%S%z").replace(tzinfo=None)
    if formats.time == "cell":
        return moment
    if formats.time == "iso":
        return moment.strftime("%Y-%m-%d %H:%M:%S")
    if formats.time == "eu24":
        return moment.strftime("%d/%m/%Y %H:%M:%S")
    hour = moment.hour % 12 or 12
    half = "am" if moment.hour < 12 else "pm"
    text = f"{moment:%m/%d/%Y} {hour}:{moment:%M:%S} {half}"
    return text.upper() if formats.time == "US12" else text


def _location_cells(geo: dict, addresses: dict[int, str]) -> dict[str, Value]:
    """`addresses`: the Addresses cell of each list of circles already written, by the list's id (the ad sets
    of one group share their list, `outreach.meta.payloads._circles`; the payloads hold every list meanwhile)."""
    cells: dict[str, Value] = {}
    circles = geo.get("custom_locations")
    if circles:
        if id(circles) not in addresses:
            # the export's Addresses column: "(lat, lon) +Nkm" per circle, separated by "; "
            addresses[id(circles)] = "; ".join(f"({loc['latitude']}, {loc['longitude']}) +{loc['radius']:g}km"
                                               for loc in circles)
        cells["Addresses"] = addresses[id(circles)]
    if geo.get("zips"):
        cells["Zip"] = ", ".join(z["key"] for z in geo["zips"])
    return cells


def unresolved(payloads: dict) -> list[str]:
    """Interests the sheet can only name, without their Meta id: Ads Manager's import matches interests by
    id, so these must be resolved first (the themes file's ids, or a push that resolves and records them)."""
    return sorted({i["name"] for a in payloads["ad_sets"] for g in a["targeting"].get("flexible_spec", [])
                   for i in g.get("interests", []) if not i.get("id")})


def rows(payloads: dict, formats: ValueFormats = DEFAULT_FORMATS) -> list[dict[str, Value]]:
    """One dict per ad, keyed by Ads Manager column name; numbers are numbers."""
    campaigns = {c["ref"]: c for c in campaigns_of(payloads)}
    ad_sets = {a["ref"]: a for a in payloads["ad_sets"]}
    creatives = {c["ref"]: c for c in payloads["creatives"]}
    out = []
    times: dict[str, Value | datetime] = {}  # the ad sets of a campaign share their start and end
    addresses: dict[int, str] = {}

    def when(meta_time: str) -> Value | datetime:
        if meta_time not in times:
            times[meta_time] = _when(meta_time, formats)
        return times[meta_time]

    for ad in payloads["ads"]:
        ad_set = ad_sets[ad["adset_id"].removeprefix("ref:")]
        creative = creatives[ad["creative"]["creative_id"].removeprefix("ref:")]
        story = creative["object_story_spec"]
        link = creative_texts(creative)
        t = ad_set["targeting"]
        image = link["image_hash"]
        budget = ad_set.get("daily_budget")
        campaign = campaigns[str(ad_set["campaign_id"]).removeprefix("ref:")]
        row = {
            "Campaign Name": campaign["name"],
            "Special Ad Categories": ", ".join(campaign["special_ad_categories"]) or "None",
            "Special Ad Category Country": ", ".join(campaign.get("special_ad_category_country", [])),
            "Campaign Status": campaign["status"],
            "Campaign Objective": _objective(campaign["objective"], formats),
            "Buying Type": "AUCTION",
            "Ad Set Run Status": ad_set["status"],
            "Ad Set Name": ad_set["name"],
            "Ad Set Time Start": when(ad_set["start_time"]),
            "Ad Set Time Stop": when(ad_set["end_time"]),
            "Ad Set Daily Budget": None if budget in (None, "") else round(int(budget) / 100, 2),
            "Destination Type": ad_set.get("destination_type", ""),
            "Link Object ID": f"{formats.page_prefix}{story['page_id']}",
            "Link": link["link"],
            "Age Min": int(t["age_min"]),
            "Age Max": int(t["age_max"]),
            "Custom Audiences": ", ".join(f"{a['id']}:{a.get('name', '')}" for a in t.get("custom_audiences", [])),
            # the flexible_spec's JSON, as Ads Manager writes it: ids with names
            "Flexible Inclusions": json.dumps(t["flexible_spec"], ensure_ascii=False) if t.get("flexible_spec")
            else "",
            "Advantage Audience": int(t["targeting_automation"]["advantage_audience"]),
            "Beneficiary": ad_set["dsa_beneficiary"],
            "Payer": ad_set["dsa_payor"],
            "Optimization Goal": ad_set["optimization_goal"],
            "Billing Event": ad_set["billing_event"],
            "Ad Set Bid Strategy": "Lowest Cost" if ad_set["bid_strategy"] == "LOWEST_COST_WITHOUT_CAP"
            else ad_set["bid_strategy"],
            "Ad Status": ad["status"],
            "Ad Name": ad["name"],
            "Creative Type": CREATIVE_TYPE,
            "Title": link["name"],
            "Body": link["message"],
            "Link Description": link["description"],
            # the file is in the export's images/ folder; its hash is known once uploaded (outreach push)
            "Image File Name": image.removeprefix("ref:image/") if image.startswith("ref:image/") else "",
            "Image Hash": image if image and not image.startswith("ref:") else "",
            "URL Tags": creative.get("url_tags", ""),
            "Instagram Account ID": f"{formats.instagram_prefix}{story['instagram_user_id']}"
            if story.get("instagram_user_id") else "",
            "Call to Action": link["call_to_action"],
            "Call to Action Link": link["link"],
        }
        row.update(_location_cells(t["geo_locations"], addresses))
        out.append(row)
    return out


def read_template(path: str | Path | None = None, *, data: bytes | None = None, name: str | None = None
                  ) -> Template:
    """The header row of an Ads Manager export (.xlsx, .csv or tab-separated .txt) from the user's account,
    with the value formats its first rows show (a header alone keeps Ads Manager's default formats)."""
    label = name or str(path)
    if data is None:
        data = read_bytes(path, MAX_XLSX_BYTES)  # says « fichier introuvable » in French when it is missing
    if label.lower().endswith(".xlsx"):
        with open_workbook(data, label, "Exportez une publicité depuis le Gestionnaire de publicités au format "
                                        ".xlsx.") as book:
            table = list(sheet_rows(book.active, label, max_rows=1 + SAMPLE_ROWS))
        workbook = True
    else:
        text, _ = decode(data, label)
        lines = text.lstrip("\ufeff").splitlines()[: 1 + SAMPLE_ROWS] if text.strip() else []
        table = list(csv.reader(lines, delimiter=sniff_separator(text)))
        workbook = False
    header = table[0] if table else ()
    columns = [str(c).strip() if c is not None else "" for c in header]
    named = [c for c in columns if c]
    if not named or not {"Campaign Name", "Ad Set Name", "Ad Name"} <= set(named):
        raise InputError("la première ligne n'est pas l'en-tête d'un export du Gestionnaire de publicités "
                         "(colonnes « Campaign Name », « Ad Set Name », « Ad Name » attendues).", file=label,
                         fix="Exportez une publicité existante en anglais (Exporter → Exporter les lignes "
                             "sélectionnées) et utilisez ce fichier tel quel.")
    samples = [{c: v for c, v in zip(columns, row, strict=False) if c and v not in (None, "")} for row in table[1:]]
    return Template(named, formats_from_samples(samples, workbook=workbook))


SAMPLE_ROWS = 20  # rows of the template read to learn its value formats
TIME_COLUMNS = ("Ad Set Time Start", "Ad Set Time Stop", "Campaign Start Time", "Campaign Stop Time")
NUMBER_COLUMNS = ("Ad Set Daily Budget", "Ad Set Lifetime Budget", "Campaign Daily Budget", "Age Min", "Age Max",
                  "Advantage Audience")
_TIME_STYLES = [  # the first that matches a sample names the style
    ("us12", re.compile(r"\d{2}/\d{2}/\d{4} \d{1,2}:\d{2}(:\d{2})? [ap]m")),
    ("US12", re.compile(r"\d{2}/\d{2}/\d{4} \d{1,2}:\d{2}(:\d{2})? [AP]M")),
    ("iso", re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?")),
    ("eu24", re.compile(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}(:\d{2})?")),
]


def formats_from_samples(samples: list[dict], *, workbook: bool) -> ValueFormats:
    """The value formats a user's export shows; what its rows do not show keeps Ads Manager's default."""
    formats = DEFAULT_FORMATS

    def first(columns) -> object | None:
        return next((row[c] for row in samples for c in columns if c in row), None)

    objective = first(["Campaign Objective"])
    if isinstance(objective, str) and objective.strip():
        formats = replace(formats, objective="api" if re.fullmatch(r"[A-Z_]+", objective.strip()) else "title")
    when = first(TIME_COLUMNS)
    if isinstance(when, datetime):
        formats = replace(formats, time="cell")
    elif isinstance(when, str):
        style = next((name for name, pattern in _TIME_STYLES if pattern.fullmatch(when.strip())), None)
        formats = replace(formats, time=style or formats.time)
    number = first(NUMBER_COLUMNS)
    if workbook and number is not None:
        formats = replace(formats, numeric=not isinstance(number, str))
    budget = first(["Ad Set Daily Budget", "Ad Set Lifetime Budget", "Campaign Daily Budget"])
    if isinstance(budget, str) and re.fullmatch(r"\d+,\d+", budget.strip()):
        formats = replace(formats, decimal=",")
    for key, column in (("page_prefix", "Link Object ID"), ("instagram_prefix", "Instagram Account ID")):
        value = first([column])
        if value is not None:
            prefix = re.match(r"([a-z]+:)?", str(value).strip()).group(1) or ""
            formats = replace(formats, **{key: prefix})
    return formats


def unmapped(rows_: list[dict[str, Value]], columns: list[str]) -> list[str]:
    """Columns this tool fills that the template lacks: said to the user, never dropped silently."""
    filled = {k for row in rows_ for k, v in row.items() if v not in (None, "")}
    return sorted(filled - set(columns))


def _cell(value: Value | datetime, formats: ValueFormats) -> Value | datetime:
    """What the workbook holds: a number cell when the formats say so, a date-time cell, otherwise text
    (`outreach.meta.workbook` writes every string as text, never as a formula); None writes no cell."""
    if value in (None, ""):
        return None
    if isinstance(value, (int, float)) and formats.numeric:
        return value
    if isinstance(value, datetime):
        return value
    return _text(value, formats) or None


def _text(value: Value | datetime, formats: ValueFormats) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%m/%d/%Y %H:%M:%S")
    if isinstance(value, float):
        return f"{value:.2f}".replace(".", formats.decimal)
    return str(value)


def _columns(rows_: list[dict[str, Value]], columns: list[str], convert) -> list[list]:
    """Each column's cells through `convert`, column by column: most columns of a national plan hold one value
    (of one type: 1 == 1.0) in every row, converted once; the other columns value by value."""
    out = []
    for c in columns:
        values = [row.get(c) for row in rows_]
        first = values[0] if values else None
        if values and values.count(first) == len(values) and len(set(map(type, values))) == 1:
            out.append([convert(first)] * len(values))
        else:
            out.append([convert(v) for v in values])
    return out


def to_xlsx(rows_: list[dict[str, Value]], columns: list[str] | None = None) -> bytes:
    columns = columns or DEFAULT_COLUMNS
    formats = formats_of(columns)

    def cell(v):  # an empty value writes no cell
        return None if v is None or v == "" else _cell(v, formats)

    return write_xlsx([list(columns), *zip(*_columns(rows_, columns, cell), strict=True)], "Ads")


def to_txt(rows_: list[dict[str, Value]], columns: list[str] | None = None) -> bytes:
    """Tab-separated, UTF-8 with a BOM so that Excel and Ads Manager read the accents right."""
    columns = columns or DEFAULT_COLUMNS
    formats = formats_of(columns)
    buffer = io.StringIO()
    writer = cells.writer(buffer, delimiter="\t", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(list(columns))

    def text(v):
        return "" if v is None else _text(v, formats).replace("\t", " ")

    writer.writerows(zip(*_columns(rows_, columns, text), strict=True))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")

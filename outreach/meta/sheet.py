"""The Ads Manager bulk-import file: one row per ad, `.xlsx` (openpyxl) and tab-separated `.txt`.

The columns are those of Ads Manager exports (English headers, as third-party parsers of real 2025–26
exports list them). Meta does not publish the import format, so the safest path is the one Meta's help
suggests: export one ad from your own account and give that file as the template — its header row is
then used as is, and the columns this tool does not know stay empty.

Values are taken from the Marketing API payloads (`outreach.meta.payloads`), so that the file and the
API push say exactly the same thing.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from outreach import cells
from outreach.bounds import MAX_XLSX_BYTES
from outreach.errors import InputError
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
    "Ad Set Bid Strategy", "Regional Regulated Categories", "Ad ID", "Ad Status", "Ad Name", "Title", "Body",
    "Display Link", "Link Description", "Image Hash", "Image File Name", "URL Tags", "Instagram Account ID",
    "Call to Action", "Call to Action Link", "Video ID",
]

def _money(cents) -> str:
    return "" if cents in (None, "") else f"{int(cents) / 100:.2f}"


def _sheet_time(meta_time: str) -> str:
    # Ads Manager exports write "2027-03-01 00:00:00" in the account's time zone (Paris here)
    return meta_time[:19].replace("T", " ") if meta_time else ""


def _location_cells(geo: dict) -> dict[str, str]:
    cells = {}
    if geo.get("custom_locations"):
        # the export's Addresses column: "(lat, lon) radius km" per circle, separated by "; "
        cells["Addresses"] = "; ".join(f"({loc['latitude']}, {loc['longitude']}) {loc['radius']:g}km"
                                       for loc in geo["custom_locations"])
    if geo.get("zips"):
        cells["Zip"] = ", ".join(z["key"] for z in geo["zips"])
    return cells


def rows(payloads: dict) -> list[dict[str, str]]:
    """One dict per ad, keyed by Ads Manager column name."""
    campaign = payloads["campaign"]
    ad_sets = {a["ref"]: a for a in payloads["ad_sets"]}
    creatives = {c["ref"]: c for c in payloads["creatives"]}
    out = []
    for ad in payloads["ads"]:
        ad_set = ad_sets[ad["adset_id"].removeprefix("ref:")]
        creative = creatives[ad["creative"]["creative_id"].removeprefix("ref:")]
        story = creative["object_story_spec"]
        link = story["link_data"]
        t = ad_set["targeting"]
        flexible = t.get("flexible_spec")
        row = {
            "Campaign Name": campaign["name"],
            "Special Ad Categories": ", ".join(campaign["special_ad_categories"]) or "None",
            "Special Ad Category Country": ", ".join(campaign.get("special_ad_category_country", [])),
            "Campaign Status": campaign["status"],
            "Campaign Objective": campaign["objective"],
            "Buying Type": "AUCTION",
            "Ad Set Run Status": ad_set["status"],
            "Ad Set Name": ad_set["name"],
            "Ad Set Time Start": _sheet_time(ad_set["start_time"]),
            "Ad Set Time Stop": _sheet_time(ad_set["end_time"]),
            "Ad Set Daily Budget": _money(ad_set.get("daily_budget")),
            "Destination Type": ad_set.get("destination_type", ""),
            "Link Object ID": f"o:{story['page_id']}",
            "Link": link["link"],
            "Age Min": str(t["age_min"]),
            "Age Max": str(t["age_max"]),
            "Custom Audiences": ", ".join(f"{a['id']}:{a.get('name', '')}" for a in t.get("custom_audiences", [])),
            "Flexible Inclusions": json.dumps(flexible, ensure_ascii=False) if flexible else "",
            "Advantage Audience": str(t["targeting_automation"]["advantage_audience"]),
            "Beneficiary": ad_set["dsa_beneficiary"],
            "Payer": ad_set["dsa_payor"],
            "Optimization Goal": ad_set["optimization_goal"],
            "Billing Event": ad_set["billing_event"],
            "Ad Set Bid Strategy": "Lowest Cost" if ad_set["bid_strategy"] == "LOWEST_COST_WITHOUT_CAP"
            else ad_set["bid_strategy"],
            "Ad Status": ad["status"],
            "Ad Name": ad["name"],
            "Title": link["name"],
            "Body": link["message"],
            "Link Description": link.get("description", ""),
            "URL Tags": creative.get("url_tags", ""),
            "Instagram Account ID": story.get("instagram_user_id", ""),
            "Call to Action": link["call_to_action"]["type"],
            "Call to Action Link": link["call_to_action"]["value"]["link"],
        }
        row.update(_location_cells(t["geo_locations"]))
        out.append(row)
    return out


def read_template(path: str | Path | None = None, *, data: bytes | None = None, name: str | None = None
                  ) -> list[str]:
    """The header row of an Ads Manager export (.xlsx, .csv or tab-separated .txt) from the user's account."""
    label = name or str(path)
    if data is None:
        data = read_bytes(path, MAX_XLSX_BYTES)  # says « fichier introuvable » in French when it is missing
    if label.lower().endswith(".xlsx"):
        with open_workbook(data, label, "Exportez une publicité depuis le Gestionnaire de publicités au format "
                                        ".xlsx.") as book:
            header = next(sheet_rows(book.active, label, max_rows=1), ())
        columns = [str(c).strip() for c in header if c is not None and str(c).strip()]
    else:
        text, _ = decode(data, label)
        first = text.lstrip("\ufeff").splitlines()[0] if text.strip() else ""
        header = next(csv.reader([first], delimiter=sniff_separator(text)), [])
        columns = [c.strip() for c in header if c.strip()]
    if not columns or not {"Campaign Name", "Ad Set Name", "Ad Name"} <= set(columns):
        raise InputError("la première ligne n'est pas l'en-tête d'un export du Gestionnaire de publicités "
                         "(colonnes « Campaign Name », « Ad Set Name », « Ad Name » attendues).", file=label,
                         fix="Exportez une publicité existante en anglais (Exporter → Exporter les lignes "
                             "sélectionnées) et utilisez ce fichier tel quel.")
    return columns


def unmapped(rows_: list[dict[str, str]], columns: list[str]) -> list[str]:
    """Columns this tool fills that the template lacks: said to the user, never dropped silently."""
    filled = {k for row in rows_ for k, v in row.items() if v}
    return sorted(filled - set(columns))


def text_cell(sheet, value):
    """A cell typed as text: openpyxl would store a string starting with « = » as a live formula (a campaign
    named =HYPERLINK(…) would become a link); None writes no cell at all."""
    if not value:
        return None
    cell = WriteOnlyCell(sheet, value=str(value))
    cell.data_type = "s"
    return cell


def to_xlsx(rows_: list[dict[str, str]], columns: list[str] | None = None) -> bytes:
    columns = columns or DEFAULT_COLUMNS
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Ads")
    sheet.append(columns)
    for row in rows_:
        sheet.append([text_cell(sheet, row.get(c)) for c in columns])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def to_txt(rows_: list[dict[str, str]], columns: list[str] | None = None) -> bytes:
    """Tab-separated, UTF-8 with a BOM so that Excel and Ads Manager read the accents right."""
    columns = columns or DEFAULT_COLUMNS
    buffer = io.StringIO()
    writer = cells.writer(buffer, delimiter="\t", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(columns)
    for row in rows_:
        writer.writerow([str(row.get(c, "")).replace("\t", " ") for c in columns])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")

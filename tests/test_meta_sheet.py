"""The Ads Manager sheet: Ads Manager's own value formats by default, a user's export's formats and columns
with --template, and a realistic export round-tripped."""

import csv
import io
import json
import re

import pytest
from openpyxl import Workbook, load_workbook

from outreach.campaign import load_campaign
from outreach.meta import sheet
from outreach.meta.files import plan_campaign, render_outputs
from outreach.settings import NetworkSettings
from tests.support import ROOT

EXAMPLE = ROOT / "campaigns" / "exemple-sf-bouches-du-rhone.yaml"

# One ad as a 2025–26 Ads Manager export writes it (values in the formats public tools built from such
# exports observe); more columns than this tool fills, some it does not know at all.
REALISTIC_EXPORT = {
    "Campaign ID": 120210000000001, "Campaign Name": "Heure du conte — printemps",
    "Special Ad Categories": "None", "Special Ad Category Country": "", "Campaign Status": "ACTIVE",
    "Campaign Objective": "Outcome Traffic", "Buying Type": "AUCTION", "Campaign Spend Limit": None,
    "Campaign Daily Budget": None, "Campaign Lifetime Budget": None, "Campaign Bid Strategy": "",
    "Campaign Start Time": "06/17/2025 1:09:54 pm", "Campaign Stop Time": "", "Ad Set ID": 120210000000002,
    "Ad Set Run Status": "ACTIVE", "Ad Set Name": "Alcazar | Contes | 25-45",
    "Ad Set Time Start": "06/17/2025 1:09:54 pm", "Ad Set Time Stop": "07/01/2025 11:59:00 pm",
    "Ad Set Daily Budget": 5.0, "Destination Type": "WEBSITE", "Ad Set Lifetime Budget": 0,
    "Link Object ID": "o:1234567890", "Link": "https://www.bmvr.marseille.fr/contes", "Countries": "",
    "Cities": "", "Regions": "", "Zip": "", "Addresses": "(43.2988, 5.3806) +10mi", "Location Types": "home, recent",
    "Gender": "", "Age Min": 25, "Age Max": 45, "Locales": "", "Custom Audiences": "",
    "Excluded Custom Audiences": "", "Flexible Inclusions": '[{"interests":[{"id":"6003139266461","name":"Books"}]}]',
    "Flexible Exclusions": "", "Advantage Audience": 0, "Age Range": "", "Beneficiary": "Ville de Marseille",
    "Payer": "Ville de Marseille", "Publisher Platforms": "facebook, instagram", "Facebook Positions": "feed, story",
    "Instagram Positions": "stream, story", "Device Platforms": "mobile, desktop", "Optimization Goal": "LINK_CLICKS",
    "Billing Event": "IMPRESSIONS", "Bid Amount": None, "Ad Set Bid Strategy": "Highest volume or value",
    "Regional Regulated Categories": "", "Ad ID": 120210000000003, "Ad Status": "ACTIVE",
    "Ad Name": "Contes — visuel 1", "Creative Type": "Link Page Post Ad", "Title": "L'heure du conte",
    "Body": "Chaque mercredi à 10 h.", "Display Link": "", "Link Description": "", "Image Hash":
    "0d500843a1d4699a0b41e99f4137a5c3", "Image File Name": "conte.jpg", "URL Tags": "utm_source=facebook",
    "Instagram Account ID": "x:17841400000000000", "Call to Action": "LEARN_MORE",
    "Call to Action Link": "https://www.bmvr.marseille.fr/contes", "Video ID": "",
    "Story ID": "s:1234567890_987654321", "Instagram Preview Link": "https://www.instagram.com/p/xyz",
}


@pytest.fixture(scope="module")
def planned():
    campaign = load_campaign(EXAMPLE, settings=NetworkSettings())
    return plan_campaign(campaign)


def export_xlsx(values: dict) -> bytes:
    book = Workbook()
    book.active.title = "Ads"
    book.active.append(list(values))
    book.active.append([None if v == "" else v for v in values.values()])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def read_xlsx(data: bytes) -> list[dict]:
    table = list(load_workbook(io.BytesIO(data), read_only=True).active.iter_rows(values_only=True))
    header = list(table[0])
    return [dict(zip(header, list(row) + [None] * (len(header) - len(row)), strict=True)) for row in table[1:]]


US12 = re.compile(r"\d{2}/\d{2}/\d{4} \d{1,2}:\d{2}:\d{2} (am|pm)")


def test_default_values_follow_ads_manager_exports(planned):
    plan, payloads = planned
    files = render_outputs(plan, payloads)
    rows = read_xlsx(files["ads-manager.xlsx"])
    assert len(rows) == len(payloads["ads"])
    for row, ad_set in zip(rows, payloads["ad_sets"], strict=True):
        assert row["Campaign Objective"] == "Outcome Awareness"
        assert US12.fullmatch(row["Ad Set Time Start"]) and US12.fullmatch(row["Ad Set Time Stop"])
        # numbers are number cells, and say what the payload says
        assert row["Ad Set Daily Budget"] * 100 == pytest.approx(ad_set["daily_budget"])
        assert (row["Age Min"], row["Age Max"], row["Advantage Audience"]) == (18, 65, 0)
        assert row["Creative Type"] == "Link Page Post Ad"
        assert f"images/{row['Image File Name']}" in files
        assert row["Image Hash"] is None  # known once the image is uploaded
        assert json.loads(row["Flexible Inclusions"]) == ad_set["targeting"]["flexible_spec"]


def test_resolved_interest_ids_go_into_flexible_inclusions(planned):
    _, payloads = planned
    resolved = json.loads(json.dumps(payloads))
    for a in resolved["ad_sets"]:
        for group in a["targeting"]["flexible_spec"]:
            group["interests"] = [dict(i, id="6003") for i in group["interests"]]
    assert sheet.unresolved(payloads) and sheet.unresolved(resolved) == []
    cell = sheet.rows(resolved)[0]["Flexible Inclusions"]
    assert all(i["id"] == "6003" and i["name"] for g in json.loads(cell) for i in g["interests"])


def test_realistic_export_round_trips(planned):
    plan, payloads = planned
    template = sheet.read_template(data=export_xlsx(REALISTIC_EXPORT), name="export.xlsx")
    assert template == list(REALISTIC_EXPORT)
    assert template.formats == sheet.DEFAULT_FORMATS  # Ads Manager's formats, as the defaults assume
    files = render_outputs(plan, payloads, template)
    rows = read_xlsx(files["ads-manager.xlsx"])
    assert list(rows[0]) == list(REALISTIC_EXPORT)  # every column, in the export's order
    first = rows[0]
    assert first["Campaign Objective"] == "Outcome Awareness" and US12.fullmatch(first["Ad Set Time Start"])
    assert first["Story ID"] is None and first["Location Types"] is None  # unknown or unwanted: left empty
    assert isinstance(first["Ad Set Daily Budget"], float) and first["Age Min"] == 18
    # what we wrote, read as a template, gives the same columns and formats: a fixed point
    again = sheet.read_template(data=files["ads-manager.xlsx"], name="ads-manager.xlsx")
    assert again == template and again.formats == template.formats
    # and the text file read back has the same cells as the workbook
    text = list(csv.reader(io.StringIO(files["ads-manager.txt"].decode("utf-8-sig")), delimiter="\t"))
    assert text[0] == list(REALISTIC_EXPORT)
    assert text[1][text[0].index("Age Min")] == "18"
    assert text[1][text[0].index("Ad Set Daily Budget")] == f"{first['Ad Set Daily Budget']:.2f}"


def test_template_value_formats_are_followed(planned):
    """An export in other formats (API objectives, ISO times, numbers as text, decimal comma, no prefixes):
    the sheet writes its values the same way."""
    plan, payloads = planned
    other = dict(REALISTIC_EXPORT, **{
        "Campaign Objective": "OUTCOME_TRAFFIC", "Ad Set Time Start": "2025-06-17 13:09:54",
        "Ad Set Daily Budget": "5,00", "Age Min": "25", "Age Max": "45", "Link Object ID": "1234567890",
        "Instagram Account ID": "17841400000000000"})
    header = "\t".join(other) + "\r\n"
    line = "\t".join("" if v is None else str(v) for v in other.values()) + "\r\n"
    template = sheet.read_template(data=(header + line).encode("utf-16"), name="export.txt")
    assert template.formats == sheet.ValueFormats(objective="api", time="iso", decimal=",", numeric=True,
                                                  page_prefix="", instagram_prefix="")
    files = render_outputs(plan, payloads, template)
    text = list(csv.reader(io.StringIO(files["ads-manager.txt"].decode("utf-8-sig")), delimiter="\t"))
    row = dict(zip(text[0], text[1], strict=True))
    assert row["Campaign Objective"] == "OUTCOME_AWARENESS"
    assert row["Ad Set Time Start"] == "2027-03-01 00:00:00"
    assert re.fullmatch(r"\d+,\d{2}", row["Ad Set Daily Budget"])
    assert row["Link Object ID"] == "1234567890"
    # a workbook whose numbers are text gets text cells
    book_template = sheet.read_template(data=export_xlsx(other), name="export.xlsx")
    assert book_template.formats.numeric is False
    first = read_xlsx(render_outputs(plan, payloads, book_template)["ads-manager.xlsx"])[0]
    assert first["Age Min"] == "18"

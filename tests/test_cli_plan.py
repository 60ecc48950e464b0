"""`outreach plan` and `outreach push` end to end, and the Ads Manager sheet they write."""

import csv
import io
import json

import pytest
import yaml
from openpyxl import Workbook, load_workbook

from outreach.cli import main
from outreach.meta import sheet
from tests.support import ROOT
from tests.support.compliance_helpers import NETWORK_YAML, attested_copy
from tests.support.graph_server import TOKEN, GraphServer

EXAMPLE = ROOT / "campaigns" / "exemple-sf-bouches-du-rhone.yaml"
HEADER = "adset_name,branch_id,branch_name,theme_id,areas,population,radius_km,daily_budget_eur,interests"


@pytest.fixture(autouse=True)
def settings_minimum(tmp_path, monkeypatch):
    # a known network minimum, whatever network.yaml the checkout has
    path = tmp_path / "network.yaml"
    path.write_text(NETWORK_YAML, encoding="utf-8")  # with the controller and DPO the checklist needs
    monkeypatch.setenv("OUTREACH_SETTINGS", str(path))


@pytest.fixture(scope="module")
def planned(tmp_path_factory):
    import os

    out = tmp_path_factory.mktemp("plan") / "out"
    settings = out.parent / "network.yaml"
    settings.write_text(NETWORK_YAML, encoding="utf-8")
    old = os.environ.get("OUTREACH_SETTINGS")
    os.environ["OUTREACH_SETTINGS"] = str(settings)
    try:
        # the GDPR checklist lets the files out once its manual items are attested
        assert main(["plan", str(attested_copy(EXAMPLE, out.parent / "campaign")), "--out", str(out)]) == 0
    finally:
        if old is None:
            os.environ.pop("OUTREACH_SETTINGS")
        else:
            os.environ["OUTREACH_SETTINGS"] = old
    return out


def test_plan_writes_the_four_files(planned):
    assert sorted(p.name for p in planned.iterdir()) == ["ads-manager.txt", "ads-manager.xlsx", "checklist.html",
                                                        "checklist.json", "checklist.md", "images",
                                                        "meta-api.json", "plan.csv", "registre-art30.md"]
    payloads = json.loads((planned / "meta-api.json").read_text(encoding="utf-8"))
    # two visuals per ad set (drawn: the example gives none), 4:5 for feeds and 9:16 for stories and reels,
    # beside the sheet that names them
    assert sorted(p.name for p in (planned / "images").iterdir()) == \
        sorted(i["file"].removeprefix("images/") for i in payloads["images"])
    assert len(payloads["images"]) == 2 * len(payloads["ad_sets"])
    assert sum(i.get("placement") == "story" for i in payloads["images"]) == len(payloads["ad_sets"])
    lines = (planned / "plan.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == HEADER
    rows = list(csv.DictReader(lines))
    assert len(rows) == len(payloads["ad_sets"])
    assert [r["adset_name"] for r in rows] == [a["name"] for a in payloads["ad_sets"]]
    assert sum(float(r["daily_budget_eur"]) for r in rows) * 31 <= 300
    assert all(r["theme_id"] == "science-fiction" and r["areas"] for r in rows)


def test_sheet_one_row_per_ad_with_ads_manager_headers(planned):
    payloads = json.loads((planned / "meta-api.json").read_text(encoding="utf-8"))
    book = load_workbook(planned / "ads-manager.xlsx", read_only=True)
    rows = list(book.active.iter_rows(values_only=True))
    header, body = list(rows[0]), rows[1:]
    assert header == sheet.DEFAULT_COLUMNS and len(body) == len(payloads["ads"])
    first = dict(zip(header, list(body[0]) + [None] * (len(header) - len(body[0])), strict=True))
    # the value formats of Ads Manager's own exports
    assert first["Campaign Objective"] == "Outcome Awareness" and first["Ad Set Run Status"] == "PAUSED"
    assert first["Link Object ID"] == "o:1234567890"
    assert first["Beneficiary"].startswith("Ville de") and first["Payer"].startswith("Ville de")
    assert first["Advantage Audience"] == 0 and first["Age Min"] == 18 and first["Age Max"] == 65
    assert isinstance(first["Ad Set Daily Budget"], float) and first["Ad Set Daily Budget"] > 0
    assert json.loads(first["Flexible Inclusions"])[0]["interests"][0]["name"] == "Science fiction"
    assert first["Addresses"].startswith("(") and "km" in first["Addresses"]
    assert first["Ad Set Time Start"] == "03/01/2027 12:00:00 am"
    assert first["Ad Set Time Stop"] == "03/31/2027 11:59:00 pm"
    # the visual: its file is in images/ beside the sheet
    assert first["Creative Type"] == "Link Page Post Ad"
    assert (planned / "images" / first["Image File Name"]).is_file()
    # the text file: same cells, tab-separated, UTF-8 with BOM
    raw = (planned / "ads-manager.txt").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    text_rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter="\t"))
    assert text_rows[0] == header and len(text_rows) == len(rows)
    assert text_rows[1][header.index("Body")] == first["Body"]


def test_template_header_from_the_users_export(tmp_path):
    template = tmp_path / "export.xlsx"
    book = Workbook()
    book.active.append(["Campaign Name", "Ad Set Name", "Ad Name", "Body", "Some Future Column", "Beneficiary"])
    book.active.append(["old", "old", "old", "old", "x", "old"])
    book.save(template)
    out = tmp_path / "out"
    assert main(["plan", str(attested_copy(EXAMPLE, tmp_path / "c")), "--out", str(out), "--template",
                 str(template)]) == 0
    rows = list(load_workbook(out / "ads-manager.xlsx", read_only=True).active.iter_rows(values_only=True))
    assert list(rows[0]) == ["Campaign Name", "Ad Set Name", "Ad Name", "Body", "Some Future Column", "Beneficiary"]
    assert rows[1][4] in (None, "") and rows[1][5].startswith("Ville de")
    txt_template = tmp_path / "export.txt"
    txt_template.write_text("Campaign Name\tAd Set Name\tAd Name\tTitle\n", encoding="utf-16")
    assert sheet.read_template(txt_template) == ["Campaign Name", "Ad Set Name", "Ad Name", "Title"]
    # an upload (the app): bytes and a name
    assert sheet.read_template(data=template.read_bytes(), name="export.xlsx")[:3] == ["Campaign Name",
                                                                                       "Ad Set Name", "Ad Name"]
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b,c\n1,2,3\n", encoding="utf-8")
    assert main(["plan", str(EXAMPLE), "--out", str(tmp_path / "o2"), "--template", str(bad)]) == 2
    assert not (tmp_path / "o2").exists()


def write_campaign(tmp_path, **changes):
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    data.update(changes)
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize(("changes", "words"), [
    ({"themes": ["astrologie"]}, "thème inconnu"),
    ({"territory": {"areas": ["13999"]}}, "13999"),
    ({"budget_eur": 10}, "budget trop faible"),
    ({"period": {"start": "2027-03-31", "end": "2027-03-01"}}, "period"),
    ({"landing_url": "http://www.bmvr.marseille.fr/"}, "https://"),
    ({"advertiser": {"page_id": "1", "payer": "Ville de Marseille"}}, "advertiser.beneficiary"),
])
def test_bad_input_exit_2_nothing_written(tmp_path, capsys, changes, words):
    out = tmp_path / "out"
    assert main(["plan", str(write_campaign(tmp_path, **changes)), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err
    assert not out.exists()


def test_existing_outputs_untouched_on_error(planned, tmp_path):
    before = {str(p): p.read_bytes() for p in planned.rglob("*") if p.is_file()}
    assert main(["plan", str(write_campaign(tmp_path, budget_eur=1)), "--out", str(planned)]) == 2
    assert {str(p): p.read_bytes() for p in planned.rglob("*") if p.is_file()} == before


def test_push_then_dry_run(planned, tmp_path, monkeypatch, capsys):
    import shutil

    folder = tmp_path / "plan"
    shutil.copytree(planned, folder)
    server = GraphServer()
    server.start()
    try:
        monkeypatch.setenv("META_ACCESS_TOKEN", TOKEN)
        monkeypatch.setenv("META_GRAPH_URL", server.url)
        assert main(["push", str(folder), "--account", "act_1234567", "--dry-run", "--estimates"]) == 0
        assert server.objects == {} and not (folder / "meta-ids.json").exists()
        estimates = list(csv.DictReader((folder / "estimates.csv").open(encoding="utf-8")))
        assert len(estimates) == len(json.loads((folder / "meta-api.json").read_text())["ad_sets"])
        assert all(0 < int(e["estimate_lower"]) < int(e["estimate_upper"]) for e in estimates)
        assert main(["push", str(folder), "--account", "act_1234567"]) == 0
        ids = json.loads((folder / "meta-ids.json").read_text())
        payloads = json.loads((folder / "meta-api.json").read_text())
        assert set(ids) >= {a["ref"] for a in payloads["ad_sets"]}
        assert len(server.objects) == 1 + 3 * len(payloads["ad_sets"])
        out = capsys.readouterr()
        assert TOKEN not in out.out + out.err and "en pause" in out.out
        # planning again into the pushed folder says that the push will bring the objects in line
        assert main(["plan", str(attested_copy(EXAMPLE, tmp_path / "again")), "--out", str(folder)]) == 0
        assert "les mettra à jour" in capsys.readouterr().err
        # without a token: a clear message, exit 2
        monkeypatch.delenv("META_ACCESS_TOKEN")
        monkeypatch.chdir(tmp_path)
        assert main(["push", str(folder), "--account", "act_1234567"]) == 2
        assert "outreach meta token" in capsys.readouterr().err
    finally:
        server.stop()


def test_out_must_be_a_folder(tmp_path, capsys):
    target = tmp_path / "file.txt"
    target.write_text("keep me", encoding="utf-8")
    assert main(["plan", str(EXAMPLE), "--out", str(target)]) == 2
    assert "dossier" in capsys.readouterr().err and target.read_text(encoding="utf-8") == "keep me"


def test_push_without_plan(tmp_path, capsys):
    assert main(["push", str(tmp_path), "--account", "act_1"]) == 2
    assert "outreach plan" in capsys.readouterr().err
    (tmp_path / "meta-api.json").write_text('{"campaign": {}}', encoding="utf-8")
    assert main(["push", str(tmp_path), "--account", "act_1"]) == 2
    assert "ad_sets" in capsys.readouterr().err

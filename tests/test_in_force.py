"""The catalogue and agenda in force (outreach.themes.in_force): what a network loaded is what its ads, posts and
recommendations cite; without it, generic copy and checklist item AD-06 flags the plan.

The real catalogue is the Roubaix UNIMARC export (../shared/data/catalogue, shipped in data/samples; see
data/SOURCES.md), loaded as a network loads its own export: its copies carry the owner code « MED » (and a few
« BUS »), which the network's settings place at Le Merlan (Marseille 14e), a branch of the example campaign's
département. Loaded this way, the records are no demonstration data: nothing marks them so."""

from __future__ import annotations

import re
import shutil
import threading
from datetime import date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from outreach import pipeline
from outreach.channels import campaign_brief
from outreach.community import build_recommender
from outreach.community.config import QuestionnaireConfig
from outreach.community.offer import build_offer
from outreach.datasets import example_campaign_path
from outreach.errors import InputError
from outreach.model import Branch
from outreach.themes import (
    agenda_in_force,
    catalogue_in_force,
    forget_catalogue_file,
    keep_agenda_file,
    keep_catalogue_file,
    kept_files,
    load_themes,
    owner_codes,
    summarise,
)
from tests.support import ROOT
from tests.support.compliance_helpers import NETWORK_YAML, attested_copy

ROUBAIX = ROOT / "data" / "samples" / "roubaix-unimarc-sample-2383.mrc"
MERLAN = "5425"
PLACED = NETWORK_YAML + f"catalogue_branches: {{MED: '{MERLAN}', BUS: '{MERLAN}'}}\n"
ICS = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Médiathèques//Agenda//FR
BEGIN:VEVENT
UID:club-sf-merlan@example.fr
DTSTAMP:20261101T090000Z
DTSTART;TZID=Europe/Paris:20270310T180000
DTEND;TZID=Europe/Paris:20270310T200000
SUMMARY:Club de lecture science-fiction
DESCRIPTION:Rencontre autour des romans de science-fiction du moment.
LOCATION:Bibliothèque Le Merlan, avenue Raimu, Marseille
END:VEVENT
END:VCALENDAR
"""

@pytest.fixture
def network(tmp_path, monkeypatch):
    """Settings that place Roubaix's owner codes at Le Merlan, and an attested copy of the example campaign."""
    settings = tmp_path / "settings" / "network.yaml"
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text(PLACED, encoding="utf-8")
    monkeypatch.setenv("OUTREACH_SETTINGS", str(settings))
    return attested_copy(example_campaign_path(), tmp_path / "campaigns")


def merlan_count(items, start: date) -> int:
    """Science-fiction works at Le Merlan, counted apart from the planner."""
    sf = [t for t in load_themes() if t.id == "science-fiction"]
    return summarise(items, [], sf, [MERLAN], start)[("science-fiction", MERLAN)].n_items


def test_nothing_loaded_gives_generic_copy_and_ad06_flags(network):
    assert catalogue_in_force().items is None and agenda_in_force().events == []
    prepared = pipeline.prepare_file(network)
    assert prepared.plan.catalogue.demo
    assert all(not re.search(r"\d+ titres?", a.copy.primary_text) for a in prepared.plan.ad_sets)
    # nor any demonstration event: the shipped agenda never reaches copy
    assert all(a.generic_copy for a in prepared.plan.ad_sets)
    assert prepared.verdict.checklist.item("AD-06").status == "flag"


def test_a_plan_on_the_kept_roubaix_catalogue_cites_its_figures_and_ad06_passes(network):
    kept = keep_catalogue_file("Export Roubaix 2024.mrc", ROUBAIX.read_bytes(), today=date(2026, 11, 20))
    assert kept.records == 2383 and kept_files() == [kept]
    in_force = catalogue_in_force()
    assert {i.branch_id for i in in_force.items} == {MERLAN, ""}  # 67 records have no 995$b at all
    prepared = pipeline.prepare_file(network)
    plan = prepared.plan
    assert not plan.catalogue.demo and plan.catalogue.records == 2383
    assert "Export Roubaix 2024.mrc" in plan.catalogue.label and plan.catalogue.as_of == date(2026, 11, 20)
    n = merlan_count(in_force.items, plan.campaign.period.start)
    assert n > 0
    [merlan] = [a for a in plan.ad_sets if MERLAN in a.branch_ids]
    assert not merlan.generic_copy and f"{n} titre" in merlan.copy.primary_text, merlan.copy.primary_text
    # the branches the catalogue does not cover: generic copy, no figure
    others = [a for a in plan.ad_sets if MERLAN not in a.branch_ids]
    assert others and all(a.generic_copy and not re.search(r"\d+ titres?", a.copy.primary_text) for a in others)
    assert prepared.verdict.checklist.item("AD-06").status == "pass"
    assert any("sans code" in note for note in plan.notes)  # the 67 records placed nowhere are said
    forget_catalogue_file(kept.file)
    assert catalogue_in_force().items is None and not (kept_files())


def test_owner_codes_and_a_bad_file(network, tmp_path):
    keep_catalogue_file("roubaix.mrc", ROUBAIX.read_bytes())
    codes = {c: (n, b) for c, n, b in owner_codes(catalogue_in_force().items)}
    assert codes["MED"] == (2306, MERLAN) and codes["BUS"] == (10, MERLAN) and codes[""] == (67, "")
    with pytest.raises(InputError, match="vide.mrc"):
        keep_catalogue_file("vide.mrc", b"")
    assert [f.name for f in kept_files()] == ["roubaix.mrc"]  # a refused file is not kept


def test_the_cli_option_the_kept_file_and_the_app_give_the_same_folder(network, tmp_path, capsys):
    from outreach import cli
    from outreach.campaign import load_campaign
    from tests.test_app_exporter import META_FILES, content

    assert cli.main(["plan", str(network), "--out", str(tmp_path / "option"), "--catalogue", str(ROUBAIX)]) == 0
    keep_catalogue_file(ROUBAIX.name, ROUBAIX.read_bytes())
    assert cli.main(["plan", str(network), "--out", str(tmp_path / "kept")]) == 0
    # the Exporter page's files: its cached plan (app.state.planned is pipeline.plan_in_force), then prepare
    campaign = load_campaign(network)
    app = tmp_path / "app"
    app.mkdir()
    for name, data in pipeline.prepare(campaign, campaign_path=network,
                                       planned=pipeline.plan_in_force(campaign)).outputs().items():
        (app / name).parent.mkdir(parents=True, exist_ok=True)
        (app / name).write_bytes(data)
    for name in META_FILES:
        assert content(tmp_path / "option" / name) == content(tmp_path / "kept" / name) == content(app / name), name
    assert re.search(r"\d+ titres? de science-fiction", (tmp_path / "kept" / "meta-api.json").read_text("utf-8"))
    capsys.readouterr()
    assert cli.main(["plan", str(network), "--out", str(tmp_path / "x"), "--catalogue", str(tmp_path / "absent.mrc")]) == 2
    err = capsys.readouterr().err
    assert "absent.mrc" in err and "--catalogue" in err and "Traceback" not in err


def test_the_app_plans_on_the_catalogue_the_cli_uses(network, tmp_path):
    """The Campagne page's plan (app.state.planned) is the CLI's, figures and banner included."""
    from streamlit.testing.v1 import AppTest

    keep_catalogue_file(ROUBAIX.name, ROUBAIX.read_bytes())
    at = AppTest.from_file(str(ROOT / "app/pages/exporter.py"), default_timeout=120)
    at.session_state["campaign_path"] = str(network)
    at.run()
    assert not at.exception, at.exception
    assert any(ROUBAIX.name in c.value and "2\u202f383 notices" in c.value for c in at.caption)
    plan = pipeline.prepare_file(network).plan
    [merlan] = [a for a in plan.ad_sets if MERLAN in a.branch_ids]
    assert re.search(r"\d+ titres?", merlan.copy.primary_text)


def test_posts_and_recommendations_draw_from_the_catalogue_in_force(network):
    from outreach.campaign import load_campaign

    campaign = load_campaign(network)
    before = campaign_brief(campaign, site_url="")
    assert all(b.n_items == 0 and not b.top_items for t in before.themes for b in t.branches)
    keep_catalogue_file(ROUBAIX.name, ROUBAIX.read_bytes())
    items = catalogue_in_force().items
    after = campaign_brief(campaign, site_url="")
    [sf] = after.themes
    assert [b.branch_id for b in sf.stocked] == [MERLAN]
    assert sf.stocked[0].n_items == merlan_count(items, campaign.period.start)

    merlan = Branch(id=MERLAN, name="Bibliothèque Le Merlan", city="Marseille", lat=43.33, lon=5.41)
    offer = build_offer(load_themes(), QuestionnaireConfig())
    reco = build_recommender(offer, [merlan], [MERLAN], date(2027, 3, 1))
    titles = {i.title for s in reco.summaries.values() for i in s.top_items}
    assert titles and titles <= {i.title for i in items if i.branch_id == MERLAN}


class FeedHandler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - http.server's name
        if self.path != "/agenda.ics":
            self.send_error(404)
            return
        body = ICS.encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "text/calendar; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def feed():
    server = ThreadingHTTPServer(("127.0.0.1", 0), FeedHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_the_networks_agenda_feeds_copy_and_posts(network, feed, tmp_path):
    from outreach.campaign import load_campaign
    from outreach.settings import load_settings, save_settings

    settings = load_settings()
    save_settings(settings.model_copy(update={"agenda_sources": [f"{feed}/agenda.ics", f"{feed}/absent.ics"]}))
    agenda = agenda_in_force()
    [event] = agenda.events
    assert event.branch_id == MERLAN and event.start.replace(tzinfo=None) == datetime(2027, 3, 10, 18, 0)
    assert any("absent.ics" in n and "404" in n for n in agenda.notes)  # a feed down is said, not fatal
    plan = pipeline.prepare_file(network).plan
    [merlan] = [a for a in plan.ad_sets if MERLAN in a.branch_ids]
    assert "Club de lecture science-fiction" in merlan.copy.primary_text and "10 mars" in merlan.copy.primary_text
    posts = campaign_brief(load_campaign(network), site_url="")
    assert [e.title for e in posts.themes[0].events()] == ["Club de lecture science-fiction"]
    # an agenda file kept on the Thèmes page joins the settings' sources
    target = keep_agenda_file("Agenda mars.ics", ICS.encode("utf-8"))
    assert str(target) in load_settings().agenda_sources and target.read_bytes() == ICS.encode("utf-8")
    shutil.rmtree(target.parent)


def test_an_unwritable_cache_folder_only_costs_speed_when_a_catalogue_is_kept(network, tmp_path, monkeypatch):
    (tmp_path / "file").write_text("not a folder")  # as root, a read-only mode would not stop the write
    monkeypatch.setenv("OUTREACH_CACHE_DIR", str(tmp_path / "file"))
    keep_catalogue_file("roubaix.mrc", ROUBAIX.read_bytes())
    assert len(catalogue_in_force().items) == 2383

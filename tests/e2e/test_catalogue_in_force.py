"""In a real browser: the network's catalogue uploaded and kept on Thèmes is what the Campagne page's copy cites.

Before the upload, the copy is generic and the banner names the demonstration sample; after it, the banner
names the kept file with its record count, and the first ad set's text states its true count of titles. The
Roubaix export's owner code « MED » is placed, in the network's settings, at the branch of that first ad set
(the Thèmes page's code form writes the same key; tests/test_in_force.py covers the figures themselves)."""

from __future__ import annotations

import re

import pytest

from outreach.datasets import example_campaign_path
from tests.support import ROOT
from tests.support.app_page import TIMEOUT, go, settle
from tests.support.browser import screenshot
from tests.support.compliance_helpers import NETWORK_YAML

ROUBAIX = ROOT / "data" / "samples" / "roubaix-unimarc-sample-2383.mrc"


def first_branch() -> str:
    """The branch of the example campaign's first ad set, planned as the app plans it."""
    from outreach import pipeline
    from outreach.campaign import load_campaign
    plan, _ = pipeline.plan_in_force(load_campaign(example_campaign_path()))
    return plan.ad_sets[0].branch_id


@pytest.fixture
def network(app_server, restored_home):
    """The shared server (its home holds the attested example campaign the Campagne page opens), its network's
    settings placing the catalogue's owner code at the first ad set's branch; put back afterwards."""
    settings = restored_home / "network.yaml"
    settings.write_text(NETWORK_YAML + f"catalogue_branches: {{MED: '{first_branch()}'}}\n", encoding="utf-8")
    return app_server


def primary_text(page) -> str:
    return page.get_by_label("Texte principal", exact=True).input_value(timeout=TIMEOUT)


def test_a_catalogue_kept_on_themes_gives_the_campaign_its_figures(network, page):
    page.goto(network["url"])
    page.get_by_role("heading", name="outreach — faire connaître la médiathèque").wait_for(timeout=TIMEOUT)
    go(page, "Campagne", "Campagne")
    page.get_by_text("échantillon de démonstration").first.wait_for(timeout=TIMEOUT)
    assert not re.search(r"\d+ titres? de science-fiction", primary_text(page))

    go(page, "Thèmes", "Thèmes")
    page.get_by_role("tab", name="Vos fichiers").click()
    uploader = page.locator("[data-testid='stFileUploader']").first.locator("input[type='file']")
    uploader.set_input_files(str(ROUBAIX))
    page.get_by_role("button", name="Garder ce catalogue pour les campagnes").click(timeout=TIMEOUT)
    page.get_by_text(f"Catalogue « {ROUBAIX.name} » gardé").wait_for(timeout=TIMEOUT)
    settle(page)
    screenshot(page, "catalogue-garde-themes")

    go(page, "Campagne", "Campagne")
    page.get_by_text(f"catalogue du réseau (« {ROUBAIX.name} »)").first.wait_for(timeout=TIMEOUT)
    banner = page.get_by_text("Chiffres issus du catalogue du réseau").first.inner_text()
    assert "2\u202f383 notices" in banner or "2 383 notices" in banner, banner
    text = primary_text(page)
    assert re.search(r"\d+ titres? de science-fiction", text), text
    screenshot(page, "catalogue-garde-campagne")

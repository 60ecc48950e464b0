"""Fixtures shared by the Meta and planner tests: the local Graph server, and the shipped example campaign
with variants of it. A test module imports the ones it uses (`from tests.support.meta_fixtures import graph`)."""

from __future__ import annotations

import pytest

from outreach.campaign import Campaign, campaign_from_dict, load_campaign
from outreach.settings import NetworkSettings
from tests.support import ROOT
from tests.support.graph_server import serving_meta

EXAMPLE = ROOT / "campaigns" / "exemple-sf-bouches-du-rhone.yaml"
SETTINGS = NetworkSettings()  # the defaults, whatever the developer's own network.yaml says


@pytest.fixture
def graph(monkeypatch):
    """The local Graph server, with the SDK's token and address pointing at it."""
    with serving_meta(monkeypatch) as server:
        yield server


@pytest.fixture(scope="module")
def example() -> Campaign:
    return load_campaign(EXAMPLE, settings=SETTINGS)


def variant(example: Campaign, **changes) -> Campaign:
    """The example with some keys changed, validated as a campaign file would be."""
    return campaign_from_dict(example.model_dump() | changes, settings=SETTINGS)

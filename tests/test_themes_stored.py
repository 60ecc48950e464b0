"""A harvested store as the catalogue in force (outreach.themes.stored): read from its kept matches, never whole,
it gives the plans, posts, recommendations and Thèmes page figures of the same items read whole.

The store holds the real Roubaix records harvested from the local OAI-PMH server, with works beside them that
exercise what the kept matches alone cannot say: works without clues that take the theme of their author or
series, a record listed twice under one ISBN (one work), and a copy of a record under another owner code that
the settings place in the same branch (one work once placed)."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import date

import pymarc
import pytest

from outreach.campaign import load_campaign
from outreach.channels import campaign_brief
from outreach.community import build_recommender
from outreach.community.config import QuestionnaireConfig
from outreach.community.offer import build_offer
from outreach.datasets import example_campaign_path
from outreach.meta.files import plan_campaign
from outreach.model import Branch
from outreach.paths import harvest_store_path
from outreach.sources import read_store
from outreach.sources.harvest_store import fetch
from outreach.sources.oai import identify
from outreach.themes import (
    LargeCatalogue,
    StoreMatcher,
    catalogue_in_force,
    load_themes,
    match_items,
    owner_codes,
    summarise,
)
from outreach.themes.stored import placed
from tests.support import DATA
from tests.support.compliance_helpers import NETWORK_YAML
from tests.support.oai_server import OaiServer, served
from tests.test_themes_store_matching import _renamed, _without_clues

MRC = DATA / "samples" / "roubaix-unimarc-sample-2383.mrc"
MERLAN = "5425"
MAPPING = {"MED": MERLAN, "BUS": MERLAN}
DAY = date(2027, 3, 1)
SHARE = 800


def _records() -> list[pymarc.Record]:
    """A third of the Roubaix records (fast enough for the suite; the whole file: bench/bench_in_force.py),
    those the works below are kin of, and those works."""
    with MRC.open("rb") as f:
        records = list(pymarc.MARCReader(f, to_unicode=True, force_utf8=True))
    by_id = {r["001"].data: r for r in records}
    kin_of = ("60547", "149309", "285733", "11296")
    records = records[:SHARE] + [by_id[i] for i in kin_of if by_id[i] not in records[:SHARE]]
    elsewhere = _renamed(by_id["11296"], "thorgal-bus")  # the same ISBN under the owner code BUS
    for f in elsewhere.get_fields("995"):
        f.delete_subfield("b")
        f.add_subfield("b", "BUS")
    return records + [
        _without_clues(by_id["60547"], "kin-sedley-1"), _without_clues(by_id["149309"], "kin-sedley-2"),
        _without_clues(by_id["285733"], "kin-tan-1"),
        _renamed(by_id["11296"], "kin-thorgal-8", "Thorgal. 8"),
        _without_clues(by_id["11296"], "kin-thorgal-9", "Thorgal. 9"),
        _renamed(by_id["60547"], "sedley-again"),  # listed twice: the same work under another 001
        elsewhere,
    ]


@pytest.fixture(scope="module")
def harvested(tmp_path_factory):
    """The store harvested with the matches of every theme, and the same store without them (as harvested
    without a matcher)."""
    folder = tmp_path_factory.mktemp("stored")
    records = _records()
    with OaiServer(served(records), page_size=500) as server:
        fetch(identify(server.url), folder / "matched.sqlite", prefix="marcxml", match=StoreMatcher(load_themes()))
    shutil.copyfile(folder / "matched.sqlite", folder / "bare.sqlite")
    with sqlite3.connect(folder / "bare.sqlite") as db:
        db.execute("DELETE FROM matched")
    return folder, len(records)


@pytest.fixture
def network(tmp_path, monkeypatch):
    settings = tmp_path / "settings" / "network.yaml"
    settings.parent.mkdir(parents=True)
    settings.write_text(NETWORK_YAML + f"catalogue_branches: {{MED: '{MERLAN}', BUS: '{MERLAN}'}}\n", encoding="utf-8")
    monkeypatch.setenv("OUTREACH_SETTINGS", str(settings))
    monkeypatch.setenv("OUTREACH_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path


def _install(harvested, name: str):
    store = harvest_store_path()
    store.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(harvested[0] / name, store)
    return store


def _whole(store) -> list:
    """The same items read whole, as the catalogue in force read them before."""
    return [placed(i, MAPPING) for i in read_store(store).items]


def test_plans_posts_and_recommendations_on_a_store_are_those_of_its_items_read_whole(harvested, network):
    store = _install(harvested, "matched.sqlite")
    in_force = catalogue_in_force()
    items = in_force.items
    assert isinstance(items, LargeCatalogue) and len(items) == in_force.provenance.records == harvested[1]
    whole = _whole(store)
    assert items.branch_ids() == {i.branch_id for i in whole} and MERLAN in items.branch_ids()
    assert owner_codes(items) == owner_codes(whole)

    themes = load_themes()
    # every theme, and a few: kinship depends on which themes are matched
    for chosen in (themes, [t for t in themes if t.id in ("polar", "bande-dessinee", "manga")]):
        on_store = summarise(items, [], chosen, [MERLAN, ""], DAY)
        assert on_store == summarise(whole, [], chosen, [MERLAN, ""], DAY)
    polar = summarise(items, [], themes, [MERLAN], DAY)[("polar", MERLAN)]
    # listed twice, or under two owner codes of one branch: one work, read whole and merged
    twice = {"sedley-again", "thorgal-bus"}
    assert twice <= {r.id for r in items.rows} and not twice & {w.id for w in items.works}
    assert polar.n_items > 0

    campaign = load_campaign(example_campaign_path())
    plan, payloads = plan_campaign(campaign, items=items)
    assert (plan, payloads) == plan_campaign(campaign, items=whole)
    assert any(not a.generic_copy for a in plan.ad_sets)
    assert campaign_brief(campaign, items=items, site_url="") == campaign_brief(campaign, items=whole, site_url="")

    merlan = Branch(id=MERLAN, name="Bibliothèque Le Merlan", city="Marseille", lat=43.33, lon=5.41)
    offer = build_offer(themes, QuestionnaireConfig())
    on_store = build_recommender(offer, [merlan], [MERLAN], DAY, items=items, events=[])
    assert on_store.summaries == build_recommender(offer, [merlan], [MERLAN], DAY, items=whole, events=[]).summaries
    assert any(s.top_items for s in on_store.summaries.values())

    # the Thèmes page's matched rows: the file's matches, kinship included
    rows, matches = items.matched_rows(themes)
    reference = match_items(whole, themes)
    assert sorted(matches) == sorted((m.item_id, m.theme_id, m.score, m.reason) for m in reference)
    assert {m.item_id for m in matches if m.reason.startswith("même ")} >= {"kin-sedley-1", "kin-thorgal-9"}
    assert [i.id for i in items.items_of(rows[:5])] == [r.id for r in rows[:5]]


def test_a_store_kept_under_other_themes_or_none_is_matched_again_with_the_same_results(harvested, network):
    themes = load_themes()
    store = _install(harvested, "bare.sqlite")  # harvested without matches: all made now, then kept
    items = catalogue_in_force().items
    key = StoreMatcher(themes).key
    with sqlite3.connect(store) as db:
        assert db.execute("SELECT count(*) FROM matched WHERE themes = ?", (key,)).fetchone()[0] == harvested[1]
    whole = _whole(store)
    assert summarise(items, [], themes, [MERLAN], DAY) == summarise(whole, [], themes, [MERLAN], DAY)

    # kept under other themes (another matcher key) and in a store made before the columns the catalogue reads
    store = _install(harvested, "matched.sqlite")
    with sqlite3.connect(store) as db:
        db.execute("UPDATE matched SET themes = 'older-themes', found = '[]'")
        db.execute("ALTER TABLE matched DROP COLUMN work")
    items = catalogue_in_force().items
    assert summarise(items, [], themes, [MERLAN], DAY) == summarise(whole, [], themes, [MERLAN], DAY)

    # a theme edited since the matches were kept: the items are read whole, and the figures follow the edit
    polar = next(t for t in themes if t.id == "polar")
    edited = [polar.model_copy(update={"keywords": [*polar.keywords, "thorgal"]})]
    assert summarise(items, [], edited, [MERLAN], DAY) == summarise(whole, [], edited, [MERLAN], DAY)
    assert summarise(items, [], edited, [MERLAN], DAY) != summarise(items, [], [polar], [MERLAN], DAY)


def test_the_themes_page_shows_a_stores_figures_and_matched_rows_as_read_whole(harvested, network):
    from streamlit.testing.v1 import AppTest

    from tests.support import ROOT

    store = _install(harvested, "matched.sqlite")
    whole = _whole(store)
    themes = load_themes()
    at = AppTest.from_file(str(ROOT / "app/pages/themes.py"), default_timeout=120).run()
    assert not at.exception, at.exception
    assert at.selectbox(key="themes_branch").value == MERLAN
    first = at.selectbox(key="themes_branch_theme").value
    reference = summarise(whole, [], themes, [MERLAN], date.today())
    table = at.dataframe[0].value
    label = next(t.label for t in themes if t.id == first)
    assert table.loc[table["Thème"] == label, "Titres"].iloc[0] == reference[(first, MERLAN)].n_items
    # the theme's rows, whole: their authors too (a store's matched rows are read when shown)
    matched = {m.item_id for m in match_items(whole, themes) if m.theme_id == first}
    shown = at.dataframe[1].value
    expected = [i for i in whole if i.branch_id == MERLAN and i.id in matched]
    assert expected and sorted(shown["Notice"]) == sorted(i.id for i in expected)
    assert sorted(shown["Auteur"]) == sorted(i.author for i in expected)

"""Theme summaries kept across plans (outreach.themes.summary_cache): the same question read back, never a
stale answer when a record, the shelf map or the day changes."""

from __future__ import annotations

from datetime import date

import pytest

from outreach.model import CatalogueItem
from outreach.paths import cache_dir
from outreach.themes import load_themes, save_shelf_map, summarise, summary_cache

TODAY = date(2027, 3, 1)


def item(i: int, title: str, shelf: str = "") -> CatalogueItem:
    return CatalogueItem(id=f"r{i}", title=title, branch_id="B1", shelves=[shelf] if shelf else [])


@pytest.fixture
def themes():
    return [t for t in load_themes() if t.id in ("science-fiction", "polar", "cuisine")]


@pytest.fixture
def fresh(monkeypatch):
    """An empty memory cache: what a new process sees."""
    monkeypatch.setattr(summary_cache, "_KEPT", {})


def test_a_new_process_reads_the_summaries_back(themes, fresh, monkeypatch):
    items = [item(1, "Fondation : roman de science-fiction"), item(2, "Recettes de cuisine du Nord")]
    first = summary_cache.summaries(items, [], themes, ["B1"], TODAY)
    assert first == summarise(items, [], themes, ["B1"], TODAY)
    assert first[("science-fiction", "B1")].n_items == 1
    assert len(list(cache_dir().glob("theme-summaries-*.pickle"))) == 1

    def no_matching(*args, **kwargs):
        raise AssertionError("matched again")

    monkeypatch.setattr(summary_cache, "_KEPT", {})
    monkeypatch.setattr(summary_cache, "summarise", no_matching)
    assert summary_cache.summaries(items, [], themes, ["B1"], TODAY) == first


@pytest.mark.parametrize("change", ["record", "day", "branches", "shelf map"])
def test_any_change_is_a_new_question(themes, fresh, change):
    items = [item(1, "Fondation : roman de science-fiction"), item(2, "Le Crime de l'Orient-Express", "ZQX")]
    before = summary_cache.summaries(items, [], themes, ["B1"], TODAY)
    today, branches = TODAY, ["B1"]
    if change == "record":  # the second record's title edited: now a science-fiction book too
        items = [items[0], item(2, "Dune : roman de science-fiction", "ZQX")]
    elif change == "day":
        today = date(2027, 3, 2)
    elif change == "branches":
        branches = ["B1", "B2"]
    else:  # the network shelves ZQX as detective fiction
        save_shelf_map({"ZQX": ["polar"]})
    after = summary_cache.summaries(items, [], themes, branches, today)
    assert after == summarise(items, [], themes, branches, today)
    assert len(list(cache_dir().glob("theme-summaries-*.pickle"))) == 2
    if change in ("record", "shelf map"):
        assert after != before


def test_an_unwritable_cache_folder_only_costs_speed(themes, fresh, monkeypatch, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("OUTREACH_CACHE_DIR", str(blocker / "cache"))
    items = [item(1, "Fondation : roman de science-fiction")]
    assert summary_cache.summaries(items, [], themes, ["B1"], TODAY) == summarise(items, [], themes, ["B1"], TODAY)

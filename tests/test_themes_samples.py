"""The demonstration catalogue's parsed copy in the cache folder is a speed-up, never a condition."""

from __future__ import annotations

from outreach.themes import samples


def test_an_unwritable_cache_folder_only_costs_speed(monkeypatch, tmp_path):
    (tmp_path / "file").write_text("not a folder")  # as root, a read-only mode would not stop the write
    monkeypatch.setenv("OUTREACH_CACHE_DIR", str(tmp_path / "file"))
    samples._shipped_catalogue.cache_clear()
    try:
        items = samples.shipped_catalogue()
    finally:
        samples._shipped_catalogue.cache_clear()
    assert len(items) == 2383
    assert all(samples.DEMO_MARK in item.extra for item in items)

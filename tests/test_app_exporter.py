import json

import pytest
from streamlit.testing.v1 import AppTest

from app import state
from outreach.datasets import example_campaign_path
from outreach.meta import token_store
from tests.support import ROOT
from tests.support.compliance_helpers import NETWORK_YAML, attested_copy
from tests.support.graph_server import TOKEN, GraphServer, serving_meta

PAGE = str(ROOT / "app/pages/exporter.py")
META_FILES = ("meta-api.json", "ads-manager.xlsx", "ads-manager.txt", "plan.csv")


@pytest.fixture
def ready(tmp_path, monkeypatch):
    settings = tmp_path / "network.yaml"
    settings.write_text(NETWORK_YAML + "ad_account_id: act_1234567\n", encoding="utf-8")
    monkeypatch.setenv("OUTREACH_SETTINGS", str(settings))
    monkeypatch.setenv("OUTREACH_OUTPUT_DIR", str(tmp_path / "sorties"))
    return attested_copy(example_campaign_path(), tmp_path / "campaigns")


def open_page(campaign_path) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state[state.CAMPAIGN_PATH] = str(campaign_path)
    return at.run()


def push_from_page(at: AppTest, *, dry_run: bool) -> AppTest:
    """Validate (and create unless dry_run) with the account the network's settings hold."""
    at.button(key="push_dry_run").click().run()
    if not dry_run:
        at.button(key="push_create").click().run()
    return at


def cli(*args):
    """`outreach …` in a new process, with this test's environment (its settings, Meta stand-in)."""
    import os
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "outreach", *args], capture_output=True, text=True, cwd=ROOT,
                          env=dict(os.environ), timeout=300)


def content(path):
    """A file's bytes; an xlsx's cells (its zip holds the time it was written)."""
    if path.suffix != ".xlsx":
        return path.read_bytes()
    import openpyxl

    return [list(row) for row in openpyxl.load_workbook(path, read_only=True).active.iter_rows(values_only=True)]


def test_refused_export_offers_only_the_checklist(tmp_path, monkeypatch):
    monkeypatch.setenv("OUTREACH_SETTINGS", str(tmp_path / "network.yaml"))  # empty settings: no DPO
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    assert not at.exception
    names = {b.label for b in at.get("download_button")}
    assert "checklist.json" in names and "meta-api.json" not in names
    assert any("RIGHTS-01" in e.value for e in at.error)


def test_draft_files_are_marked(tmp_path, monkeypatch):
    monkeypatch.setenv("OUTREACH_SETTINGS", str(tmp_path / "network.yaml"))
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    at.toggle(key="export_draft").set_value(True).run()
    names = {b.label for b in at.get("download_button")}
    assert "BROUILLON-meta-api.json" in names and "meta-api.json" not in names


def test_attested_campaign_exports_the_cli_files_and_pushes_paused(ready, tmp_path, monkeypatch):
    at = open_page(ready)
    assert not at.exception and not at.error, [e.value for e in at.error]
    names = {b.label for b in at.get("download_button")}
    assert {"meta-api.json", "ads-manager.xlsx", "ads-manager.txt", "plan.csv", "checklist.json"} <= names

    server = GraphServer()
    server.start()
    try:
        # the token pasted on the Paramètres page, no META_ACCESS_TOKEN: what a user without IT has
        monkeypatch.delenv("META_ACCESS_TOKEN", raising=False)
        token_store.save_token(TOKEN)
        monkeypatch.setenv("META_GRAPH_URL", server.url)
        assert "act_1234567" in " ".join(m.value for m in at.markdown)
        assert at.button(key="push_create").disabled  # creation only after a validation
        at.button(key="push_dry_run").click().run()
        assert not at.exception and not at.error, [e.value for e in at.error]
        assert server.objects == {}
        at.button(key="push_create").click().run()
        assert not at.error, [e.value for e in at.error]
        folder = tmp_path / "sorties" / "exemple-sf-bouches-du-rhone"  # the campaign's identity
        payloads = json.loads((folder / "meta-api.json").read_text(encoding="utf-8"))
        ids = json.loads((folder / "meta-ids.json").read_text(encoding="utf-8"))
        assert set(ids) >= {a["ref"] for a in payloads["ad_sets"]}
        assert all(o.get("status", "PAUSED") == "PAUSED" for o in server.objects.values())
        assert TOKEN not in str([m.value for m in at.markdown]) + str([m.value for m in at.caption])
    finally:
        server.stop()


def everything_on_screen(at: AppTest) -> str:
    """Every element and container of the page as its protobuf text: labels, bodies, help, status titles."""
    return "\n".join(str(getattr(node, "proto", "")) for node in at._tree)


def test_drafts_can_be_downloaded_but_never_pushed(tmp_path, monkeypatch):
    monkeypatch.setenv("OUTREACH_SETTINGS", str(tmp_path / "network.yaml"))
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    at.toggle(key="export_draft").set_value(True).run()
    assert not at.exception
    labels = [b.label for b in at.get("download_button")]
    assert "BROUILLON-meta-api.json" in labels and not [name for name in labels if name.startswith("meta-")]
    keys = {b.key for b in at.button}
    assert not keys & {"push_dry_run", "push_create"} and not at.text_input
    assert any("brouillons ne s'envoient pas" in i.value for i in at.info)


def test_the_token_never_reaches_the_screen_even_when_meta_echoes_it(ready, monkeypatch):
    server = GraphServer()
    server.fail(r"/campaigns", {"error": {"message": f"Error validating access token {TOKEN}: session expired",
                                          "type": "OAuthException", "code": 190}}, times=5)
    with serving_meta(monkeypatch, server):
        at = push_from_page(open_page(ready), dry_run=True)
        assert not at.exception
        assert at.error, "Meta's refusal is shown"
        assert TOKEN not in everything_on_screen(at)
        assert at.button(key="push_create").disabled  # a failed validation does not open the creation


def test_an_output_folder_that_cannot_be_written_is_an_error_not_a_traceback(ready, tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the output folder should be", encoding="utf-8")
    monkeypatch.setenv("OUTREACH_OUTPUT_DIR", str(blocker))
    monkeypatch.setenv("META_ACCESS_TOKEN", TOKEN)
    at = open_page(ready)
    at.button(key="push_dry_run").click().run()
    assert not at.exception
    assert any("not-a-folder" in e.value and "impossible d'écrire ici (un fichier porte le nom d'un dossier du chemin)"
               in e.value for e in at.error), [e.value for e in at.error]
    assert TOKEN not in everything_on_screen(at)


def test_the_app_writes_and_pushes_the_folder_the_cli_writes(ready, tmp_path, monkeypatch):
    campaign = ready
    with serving_meta(monkeypatch):
        at = push_from_page(open_page(campaign), dry_run=True)
        assert not at.exception and not at.error, [e.value for e in at.error]
        app_dir = tmp_path / "sorties" / "exemple-sf-bouches-du-rhone"  # the campaign's identity
        result = cli("plan", str(campaign), "--out", str(tmp_path / "cli"))
        assert result.returncode == 0, result.stderr
        for name in META_FILES:
            assert content(app_dir / name) == content(tmp_path / "cli" / name), name
        assert {p.name for p in app_dir.iterdir()} == {p.name for p in (tmp_path / "cli").iterdir()}
        # and the CLI pushes the folder the app wrote, as the app did
        pushed = cli("push", str(app_dir), "--account", "act_1234567", "--dry-run")
        assert pushed.returncode == 0, pushed.stderr


def test_the_app_warns_about_an_earlier_push_in_its_folder_as_the_cli_does(ready, tmp_path):
    campaign = ready
    folder = tmp_path / "sorties" / "exemple-sf-bouches-du-rhone"  # the campaign's identity
    folder.mkdir(parents=True)
    (folder / "meta-ids.json").write_text('{"campagne": "120200000000001"}', encoding="utf-8")
    at = open_page(campaign)
    assert not at.exception
    assert any("meta-ids.json" in w.value and "les mettra à jour" in w.value for w in at.warning)
    from outreach import pipeline

    prepared = pipeline.prepare_file(campaign, out_dir=folder)
    assert any("meta-ids.json" in n for n in prepared.plan.notes)

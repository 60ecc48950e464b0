"""The Meta connection: the stored token (private file, never echoed) and what the local Graph server says of it."""

from __future__ import annotations

import stat
from datetime import UTC, datetime, timedelta

import pytest

from outreach.errors import InputError
from outreach.meta import connection, token_store
from outreach.meta.client import MetaError, access_token
from tests.support.graph_server import TOKEN, GraphServer


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("OUTREACH_SETTINGS", str(tmp_path / "network.yaml"))
    monkeypatch.delenv("META_ACCESS_TOKEN", raising=False)
    monkeypatch.delenv("META_GRAPH_URL", raising=False)
    return tmp_path


@pytest.fixture
def graph(home):
    server = GraphServer()
    server.start()
    token_store.save_token(TOKEN)
    yield server
    server.stop()


def test_token_is_stored_privately_beside_the_settings_and_keeps_other_secrets(home):
    secrets = home / ".streamlit" / "secrets.toml"
    secrets.parent.mkdir()
    secrets.write_text('OTHER = "kept"\n\n[connections.db]\nurl = "x"\n', encoding="utf-8")
    assert token_store.save_token("  EAAB" + "x" * 40 + "\n") == secrets
    assert stat.S_IMODE(secrets.stat().st_mode) == 0o600
    assert token_store.stored_token() == "EAAB" + "x" * 40
    token_store.save_token("EAAC" + "y" * 40)  # replaced, not added twice
    text = secrets.read_text(encoding="utf-8")
    assert text.count("META_ACCESS_TOKEN") == 1 and 'OTHER = "kept"' in text and "[connections.db]" in text
    assert access_token() == "EAAC" + "y" * 40
    assert token_store.token_source() == token_store.SOURCE_FILE
    assert token_store.forget_token() and token_store.stored_token() is None and 'OTHER = "kept"' in secrets.read_text()


@pytest.mark.parametrize("pasted", ["", "   ", 'EAAB"; rm -rf', "EAAB xxx yyy zzz " * 3, "court"])
def test_what_is_not_a_token_is_refused_and_nothing_is_written(home, pasted):
    with pytest.raises(InputError) as caught:
        token_store.save_token(pasted)
    assert caught.value.field == "jeton"
    assert not (home / ".streamlit" / "secrets.toml").exists()


def test_no_token_anywhere_says_where_to_paste_it(home, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    with pytest.raises(MetaError, match="Paramètres"):
        access_token()


def test_a_good_system_user_token_is_ready(graph):
    status = connection.check(graph_url=graph.url)
    assert status.ready and status.valid and status.expires_at is None and not status.missing
    assert "n'expire pas" in status.lines()[0] and TOKEN not in " ".join(status.lines())
    assert graph.calls("GET", "debug_token")[0]["params"]["input_token"] == TOKEN


def test_missing_scopes_are_named(graph):
    graph.connection.scopes = ["ads_read", "pages_show_list"]
    status = connection.check(graph_url=graph.url)
    assert status.valid and not status.ready
    assert status.missing == ["ads_management", "pages_read_engagement"]
    assert any(line.startswith("ads_management : MANQUANT") for line in status.lines())


def test_expiry_is_read_and_a_near_one_warned(graph):
    soon = datetime.now(UTC) + timedelta(days=3)
    graph.connection.expires_at = int(soon.timestamp())
    status = connection.check(graph_url=graph.url)
    assert status.ready and "utilisateur système" in status.expiry_text() and f"{soon:%d/%m/%Y}" in status.expiry_text()


def test_expired_or_wrong_token_is_not_valid(graph):
    graph.connection.expired = True
    status = connection.check(graph_url=graph.url)
    assert not status.valid and status.problem == "jeton expiré."
    graph.connection.expired = False
    status = connection.check(token="EAAB" + "z" * 40, graph_url=graph.url)
    assert not status.valid and not status.ready


def test_debug_token_refused_for_another_app_leaves_the_expiry_unknown(graph):
    graph.connection.same_app = False
    status = connection.check(graph_url=graph.url)
    assert status.valid and not status.expiry_known and status.ready


def test_lists_come_from_meta_through_every_page(graph):
    accounts = connection.ad_accounts(graph_url=graph.url)
    assert [a.id for a in accounts] == ["act_1234567890", "act_2222222222"]
    assert accounts[0].usable and not accounts[1].usable and "fermé" in accounts[1].label
    pages = connection.pages(graph_url=graph.url)  # 3 Pages, 2 per answer: the cursor is followed
    assert [p.label for p in pages] == ["Conservatoire", "Festival du livre", "Médiathèques de la Ville"]
    assert [c.label for c in connection.instagram_accounts("act_1234567890", graph_url=graph.url)] == \
        ["@mediatheques_ville"]


def test_listing_pages_without_the_permission_names_it(graph):
    graph.connection.scopes = ["ads_management", "ads_read"]
    with pytest.raises(MetaError, match="pages_show_list"):
        connection.pages(graph_url=graph.url)

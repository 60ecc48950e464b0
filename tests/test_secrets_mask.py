"""Every secret the tool reads is masked the same way (•••) in messages, in the networks' error texts and
in logs, whichever of them is read."""

from __future__ import annotations

import logging

import httpx
import pytest

from outreach.channels.publishing import secret
from outreach.channels.publishing.base import PublishError, call
from outreach.errors import MASK, SECRET_NAMES, InputError, mask_secrets, register_secret
from outreach.meta.client import RedactToken
from outreach.secret_store import save_secret, stored_secret


@pytest.mark.parametrize("name", ["WORDPRESS_APP_PASSWORD", "MASTODON_TOKEN"])
def test_a_network_secret_read_from_the_environment_is_masked(monkeypatch, name):
    value = f"{name.lower()}-Zq81xWv0pL"
    monkeypatch.setenv(name, value)
    assert secret(name) == value
    assert str(InputError(f"le serveur a répondu : jeton {value} refusé")) == f"le serveur a répondu : jeton {MASK} refusé"


def test_a_secret_kept_in_the_secrets_file_is_masked_once_read(tmp_path, monkeypatch):
    monkeypatch.setenv("OUTREACH_SETTINGS", str(tmp_path / "network.yaml"))
    save_secret("SMTP_PASSWORD", "smtp-Kx7Qp2Lm9")
    assert stored_secret("SMTP_PASSWORD") == "smtp-Kx7Qp2Lm9"
    assert mask_secrets("AUTH failed for smtp-Kx7Qp2Lm9") == f"AUTH failed for {MASK}"
    assert "SMTP_PASSWORD" in SECRET_NAMES


def test_a_network_echoing_the_token_shows_the_one_mask():
    token = "mastodon-echo-9Fh3Kd02"
    transport = httpx.MockTransport(lambda request: httpx.Response(
        401, json={"error": f"bad token {token}; url ?access_token={token}&password=hunter22"}))
    register_secret(token)
    with httpx.Client(transport=transport) as client, pytest.raises(PublishError) as err:
        call(client, "POST", "https://social.example/api", network="Mastodon", post_id="p1", what="publier",
             fix="Vérifiez le jeton.")
    shown = str(err.value)
    assert token not in shown and "hunter22" not in shown and "***" not in shown and MASK in shown


def test_the_log_filter_uses_the_same_mask():
    record = logging.LogRecord("urllib3.connectionpool", logging.DEBUG, __file__, 1,
                               "GET /v21.0/act_1?access_token=%s&fields=id", ("EAAB-secret-value-1",), None)
    assert RedactToken().filter(record)
    assert record.getMessage() == f"GET /v21.0/act_1?access_token={MASK}&fields=id"

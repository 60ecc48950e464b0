"""`outreach questionnaire`: purge, exports, audience file and audit, digests, stats; refusal to serve
without a complete notice."""

from __future__ import annotations

import csv
import io

import pytest
import yaml

from outreach.cli import main
from tests.support import community_support as cs


@pytest.fixture
def env(tmp_path, monkeypatch):
    store = cs.configured(tmp_path, monkeypatch)
    (tmp_path / "questionnaire.yaml").write_text(yaml.safe_dump({"public_url": cs.PUBLIC_URL}), encoding="utf-8")
    tokens = [cs.add_confirmed(store, body) for body in (
        cs.with_email(email="Lea@Example.fr", meta_matching=True) | {"postcode": "13014"},
        cs.with_email(email="ado@example.fr", age="15-17") | {"postcode": "13015"})]
    tokens.append(cs.add(store, cs.answer(postcode="75011")))
    return tmp_path, store, tokens


def test_export_community_has_no_email_and_proofs_are_complete(env, capsys):
    tmp, _, _ = env
    assert main(["questionnaire", "export", "community"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert len(rows) == 3 and not any("@" in v for r in rows for v in r.values())
    assert {r["branch_id"] for r in rows if r["postcode"] == "13014"} == {"5425"}
    assert main(["questionnaire", "export", "proofs", "--out", str(tmp / "proofs.csv")]) == 0
    proofs = list(csv.DictReader(io.StringIO((tmp / "proofs.csv").read_text(encoding="utf-8"))))
    assert len(proofs) == 5 and all(p["notice_hash"] and p["ts_utc"] and p["mechanism"] for p in proofs)


def test_audience_then_audit(env, capsys):
    tmp, store, tokens = env
    out = tmp / "audience.csv"
    assert main(["questionnaire", "audience", "--out", str(out)]) == 0
    assert out.read_text().count("\n") == 2  # header + the one adult who granted meta_matching
    assert main(["questionnaire", "audit", str(out)]) == 0
    assert "conforme" in capsys.readouterr().out
    store.erase(tokens[0])
    assert main(["questionnaire", "audit", str(out)]) == 1
    assert "CA-01" in capsys.readouterr().err
    (tmp / "bad.csv").write_text("nom;email\n", encoding="utf-8")
    assert main(["questionnaire", "audit", str(tmp / "bad.csv")]) == 2
    assert "bad.csv" in capsys.readouterr().err


def test_purge_and_stats(env, capsys):
    assert main(["questionnaire", "purge"]) == 0
    assert "0 personne(s)" in capsys.readouterr().out  # everyone answered today
    assert main(["questionnaire", "stats"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert sum(int(r["members"]) for r in rows if r["theme_id"] == cs.offered_ids()[0]) == 3


def test_digests(env, capsys):
    tmp, _, _ = env
    assert main(["questionnaire", "digests", "--out", str(tmp / "digests"), "--today", "2026-11-22"]) == 0
    assert "2 e-mail(s)" in capsys.readouterr().out
    assert len(list((tmp / "digests" / "members").glob("*.eml"))) == 2


def test_serve_refuses_without_a_complete_notice(env, capsys):
    tmp, _, _ = env
    (tmp / "network.yaml").write_text(yaml.safe_dump({"controller_name": "Ville de Marseille"}), encoding="utf-8")
    assert main(["questionnaire", "serve", "--port", "1"]) == 2
    assert "dpo_contact" in capsys.readouterr().err


def test_a_wrong_database_is_said_in_french_and_its_password_never_shown(env, capsys):
    tmp, _, _ = env
    assert main(["questionnaire", "--database", "nosuchdriver://somewhere/base", "stats"]) == 2
    assert "OUTREACH_DATABASE_URL" in capsys.readouterr().err
    out = tmp / "audience.csv"
    url = "postgresql+psycopg://outreach:motdepasse-secret@127.0.0.1:1/absente"
    assert main(["questionnaire", "--database", url, "audience", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "base de données" in err and "motdepasse-secret" not in err and not out.exists()


def test_digests_are_sent_by_the_mail_server_of_the_settings(env, capsys, monkeypatch):
    from tests.support.smtp_server import PASSWORD, SENDER, USER, StrictSmtp

    tmp, _, tokens = env
    with StrictSmtp(tmp) as server:
        settings = yaml.safe_load((tmp / "network.yaml").read_text(encoding="utf-8")) | dict(
            smtp_host="127.0.0.1", smtp_port=server.port, smtp_security="starttls", smtp_user=USER,
            smtp_sender=f"Médiathèques <{SENDER}>")
        (tmp / "network.yaml").write_text(yaml.safe_dump(settings, allow_unicode=True), encoding="utf-8")
        monkeypatch.setenv("SMTP_PASSWORD", PASSWORD)
        monkeypatch.setenv("SSL_CERT_FILE", str(tmp / "smtp-cert.pem"))  # the system's trust, as OpenSSL reads it
        assert main(["questionnaire", "digests", "--out", str(tmp / "digests"), "--send", "--today",
                     "2026-11-22"]) == 0
        assert "2 e-mail(s) envoyé(s)" in capsys.readouterr().out
        assert sorted(r.rcpt_tos[0] for r in server.received) == ["Lea@Example.fr", "ado@example.fr"]
        raw = server.received[0].raw
        assert b"\r\nList-Unsubscribe: <https://" in raw and b"List-Unsubscribe-Post: List-Unsubscribe=One-Click" in raw
        monkeypatch.setenv("SMTP_PASSWORD", "pas-le-bon-mot-de-passe")
        assert main(["questionnaire", "digests", "--out", str(tmp / "digests2"), "--send"]) == 2
        err = capsys.readouterr().err
        assert "mot de passe refusé" in err and "pas-le-bon-mot-de-passe" not in err and "Traceback" not in err

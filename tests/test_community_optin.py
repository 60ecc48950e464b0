"""Double opt-in over SMTP against a strict local server, answers without consent kept as counts only, proofs
that name no one, and an erasure after which nothing of the person is left on disk."""

from __future__ import annotations

import html
import re
import smtplib
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from outreach.community.audience import audience_rows
from outreach.community.digests import within_age
from outreach.community.mailer import Mailer, MailError
from outreach.community.service import build_service, create_app
from outreach.community.store import Confirmation, email_sha256, proofs, respondents, utcnow
from outreach.settings import NetworkSettings
from tests.support import community_support as cs
from tests.support.community_support import sqlite_store  # noqa: F401 (the `store` fixture)
from tests.support.smtp_server import PASSWORD, SENDER, USER, StrictSmtp

SAME_SITE = {"Origin": cs.PUBLIC_URL, "Sec-Fetch-Site": "same-origin"}


def mail_settings(server: StrictSmtp, **overrides) -> NetworkSettings:
    values = cs.settings().model_dump() | dict(smtp_host="127.0.0.1", smtp_port=server.port,
                                               smtp_security=server.security, smtp_user=USER,
                                               smtp_sender=f"Médiathèques de Marseille <{SENDER}>")
    return NetworkSettings(**(values | overrides))


def mailer(server: StrictSmtp, password: str = PASSWORD, **overrides) -> Mailer:
    return Mailer.from_settings(mail_settings(server, **overrides), password=password,
                                ssl_context=server.client_context)


@pytest.fixture
def smtp(tmp_path):
    with StrictSmtp(tmp_path) as server:
        yield server


@pytest.fixture
def client(store, smtp):
    service = build_service(store=store, config=cs.config(), settings=mail_settings(smtp), themes=cs.themes(),
                            resolver=cs.resolver(), mailer=mailer(smtp))
    return TestClient(create_app(service), raise_server_exceptions=False)


def link_in(server: StrictSmtp, index: int = -1) -> str:
    text = server.received[index].message.get_body(("plain",)).get_content()
    return re.search(r"https?://\S+/confirmation/\S+", text).group(0)


def path_of(url: str) -> str:
    return url.removeprefix(cs.PUBLIC_URL)


def test_answer_mail_link_then_the_consent_is_usable(client, store, smtp):
    body = cs.answer(email="Elodie.Martin@exemple.fr", age_band="35-49",
                     consents={"email_recommendations": True, "meta_matching": True})
    r = client.post("/api/responses", json=body)
    assert r.status_code == 201 and r.json()["confirmation_sent_to"] == "Elodie.Martin@exemple.fr"
    token = r.json()["token"]
    # the mail is there, sent over STARTTLS with the account's own envelope, its French headers encoded
    [mail] = smtp.received
    assert mail.mail_from == SENDER and mail.rcpt_tos == ["Elodie.Martin@exemple.fr"]
    assert mail.message["Subject"] == "Confirmez votre adresse e-mail — Médiathèques de Marseille et de Paris"
    assert b"=?utf-8?" in mail.raw.partition(b"\r\n\r\n")[0]  # RFC 2047: no SMTPUTF8 for an ASCII address
    assert all(b < 128 for b in mail.raw.partition(b"\r\n\r\n")[0])
    # until the link is followed, the consent is used nowhere: not in the audience file, not in the digests
    member = store.by_token(token)
    assert member.awaiting_confirmation and not member.usable_consents["meta_matching"]
    assert audience_rows(store) == [] and within_age(store.members()) == []
    link = link_in(smtp)
    page = client.get(path_of(link))
    assert page.status_code == 200 and "Confirmer mon adresse" in page.text
    assert store.by_token(token).awaiting_confirmation  # opening the link (a mail filter does) confirms nothing
    assert client.post(path_of(link), headers={"Origin": "https://evil.example"}).status_code == 403
    done = client.post(path_of(link), headers=SAME_SITE)
    assert done.status_code == 200 and "Adresse confirmée" in done.text
    assert audience_rows(store) == [email_sha256("elodie.martin@exemple.fr")]
    assert [m.email for m in within_age(store.members())] == ["Elodie.Martin@exemple.fr"]
    assert store.proofs()[-1]["event"] == "confirmed" and store.proofs()[-1]["mechanism"] == "double-opt-in:email"
    assert client.post(path_of(link), headers=SAME_SITE).status_code == 404  # a link works once


def test_expired_link_resend_and_a_new_address(client, store, smtp):
    token = client.post("/api/responses", json=cs.with_email(email="lea@exemple.fr")).json()["token"]
    old_link = link_in(smtp)
    later = utcnow() + timedelta(days=8)
    assert store.confirm(old_link.rpartition("/")[2], timedelta(days=7), now=later) is Confirmation.EXPIRED
    r = client.post(f"/preferences/{token}", data={"action": "resend"}, headers=SAME_SITE)
    assert r.status_code == 200 and "envoyé à lea@exemple.fr" in r.text
    assert len(smtp.received) == 2 and link_in(smtp) != old_link
    assert client.post(path_of(old_link), headers=SAME_SITE).status_code == 404  # replaced by the new one
    assert client.post(path_of(link_in(smtp)), headers=SAME_SITE).status_code == 200
    assert store.by_token(token).email_confirmed
    # another address is another person's until confirmed: a link goes to it, the consent waits again
    r = client.post(f"/preferences/{token}", json={"email": "lea.nouvelle@exemple.fr"})
    assert r.status_code == 200 and r.json()["email_confirmed"] is False
    assert r.json()["usable_consents"]["email_recommendations"] is False
    assert smtp.received[-1].rcpt_tos == ["lea.nouvelle@exemple.fr"]


def test_the_strict_server_refuses_what_a_real_one_refuses(tmp_path, smtp):
    # a password is never offered on a clear connection: AUTH is not even advertised before STARTTLS
    with smtplib.SMTP("127.0.0.1", smtp.port, timeout=10) as raw:
        raw.ehlo()
        assert not raw.has_extn("auth")
        with pytest.raises(smtplib.SMTPNotSupportedError):
            raw.login(USER, PASSWORD)
    msg = lambda: __import__("outreach.community.confirmation", fromlist=["x"]).confirmation_email(  # noqa: E731
        "a@exemple.fr", {"email_recommendations": True}, "https://x/confirmation/t", "https://x/p", "Réseau", 7,
        f"Réseau <{SENDER}>")
    with pytest.raises(MailError, match="mot de passe refusé"):
        mailer(smtp, password="faux-mot-de-passe").send([msg()])
    with pytest.raises(MailError, match="expéditeur refusée"):
        mailer(smtp, smtp_sender="Autre <autre@ville.example.fr>").send([msg()])
    with pytest.raises(MailError) as clear:  # "none" never logs in: the server wants TLS first
        mailer(smtp, smtp_security="none").send([msg()])
    assert PASSWORD not in str(clear.value)
    with pytest.raises(MailError, match="aucun serveur"):
        Mailer.from_settings(cs.settings(), password="").send([msg()])
    assert mailer(smtp).send([msg()]) == 1


def test_implicit_tls(tmp_path):
    from outreach.community.confirmation import confirmation_email

    with StrictSmtp(tmp_path, security="tls") as server:
        sent = mailer(server).send([confirmation_email("zoé@exemple.fr", {"meta_matching": True},
                                                       "https://x/confirmation/t", "https://x/p", "Réseau", 7,
                                                       f"Réseau <{SENDER}>")])
        # an accented address needs SMTPUTF8 (RFC 6531), which the client asks for and the server checks
        assert sent == 1 and server.received[0].rcpt_tos == ["zoé@exemple.fr"]
        assert server.received[0].message["Subject"].strip() == "Confirmez votre adresse e-mail — Réseau"


def test_an_answer_without_consent_keeps_counts_only(client, store, tmp_path):
    r = client.post("/api/responses", json=cs.unconsented(postcode="13014", age_band="35-49",
                                                          interests=cs.offered_ids()[:2]))
    assert r.status_code == 201 and r.json()["token"] is None and r.json()["preferences_url"] is None
    assert store.count() == 0 and store.proofs() == []
    assert store.counted_answers() == 1
    counted = {(row["theme_id"], row["answers"]) for row in store.counts_by_day()}
    assert counted == {("", 1), (cs.offered_ids()[0], 1), (cs.offered_ids()[1], 1)}
    assert {row["branch_id"] for row in store.counts_by_day()} == {"5425"}
    stats = {r["theme_id"]: r for r in store.stats()}
    assert stats[cs.offered_ids()[0]]["counted_only"] == 1 and stats[cs.offered_ids()[0]]["members"] == 0
    disk = b"".join(p.read_bytes() for p in tmp_path.glob("community.sqlite*"))
    assert b"inscription-cantine" not in disk and b"35-49" not in disk


def test_after_erasure_nothing_of_the_person_remains(client, store, smtp, tmp_path):
    token = client.post("/api/responses", json=cs.with_email(email="disparaitre@exemple.fr")).json()["token"]
    client.post(path_of(link_in(smtp)), headers=SAME_SITE)
    with store.engine.connect() as conn:
        row = conn.execute(select(respondents).where(respondents.c.token == token)).mappings().one()
    traces = [row["email"], row["email_sha256"], row["token"], row["id"], row["consent_id"]]
    assert client.delete(f"/api/responses/{token}").status_code == 204
    # the proofs still say that someone consented, confirmed and was erased; nothing says who
    events = [p["event"] for p in store.proofs()]
    assert events == ["given", "confirmed", "erased"]
    assert all(not any(t in str(v) for t in traces[:4] for v in p.values()) for p in store.proofs())
    with store.engine.connect() as conn:
        assert conn.execute(select(respondents.c.id).where(respondents.c.consent_id == row["consent_id"])).all() == []
        assert {p.consent_id for p in conn.execute(select(proofs.c.consent_id))} == {row["consent_id"]}
    disk = b"".join(p.read_bytes() for p in tmp_path.glob("community.sqlite*"))  # the log is checkpointed
    for trace in traces[:4]:
        assert trace.encode() not in disk, trace
    assert not any(t in " ".join(map(str, store.counts_by_day())) for t in traces)


def test_confirmation_mails_are_limited_per_address_whoever_asks(store, smtp):
    """Three links an hour to one address, however many clients ask (each client here has a bucket of its own
    and is never limited): the fourth is refused in French, sends nothing and leaves the last link working."""
    from outreach.community.store import confirmation_limit_key, rate_buckets

    service = build_service(store=store, config=cs.config(confirmation_mails_per_hour=3),
                            settings=mail_settings(smtp), themes=cs.themes(), resolver=cs.resolver(),
                            mailer=mailer(smtp))
    client = TestClient(create_app(service), raise_server_exceptions=False)
    first = client.post("/api/responses", json=cs.with_email(email="Cible@Exemple.fr")).json()["token"]
    # a second answer with the same address, from « elsewhere »: it shares the address's bucket
    second = client.post("/api/responses", json=cs.with_email(email="cible@exemple.fr")).json()["token"]
    r = client.post(f"/preferences/{first}", data={"action": "resend"}, headers=SAME_SITE)
    assert r.status_code == 200 and "vient d'être envoyé" in html.unescape(r.text)
    assert len(smtp.received) == 3
    last_link = link_in(smtp)
    refused = client.post(f"/preferences/{second}", data={"action": "resend"}, headers=SAME_SITE)
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 60
    assert "Trop de liens de confirmation envoyés à cette adresse en une heure : réessayez dans 20 minutes" in \
        html.unescape(refused.text)
    by_api = client.post(f"/preferences/{first}", json={"action": "resend"})
    assert by_api.status_code == 429 and by_api.json()["detail"].startswith("Trop de liens de confirmation")
    assert len(smtp.received) == 3  # nothing more left for that address
    # the refused resend did not replace the link already sent: it still confirms
    assert client.post(path_of(last_link), headers=SAME_SITE).status_code == 200
    # another address has its own share
    other = client.post("/api/responses", json=cs.with_email(email="autre@exemple.fr")).json()["token"]
    assert smtp.received[-1].rcpt_tos == ["autre@exemple.fr"] and other
    # the address is nowhere in the buckets, neither in clear nor as the digest the audience file uses
    with store.engine.connect() as conn:
        keys = {row.client for row in conn.execute(select(rate_buckets.c.client))}
    assert confirmation_limit_key("cible@exemple.fr") in keys
    assert not any("cible" in k.lower() or k == email_sha256("cible@exemple.fr") for k in keys)
    # once full again (an hour), the purge forgets the bucket
    with store.engine.begin() as conn:
        conn.execute(rate_buckets.update().values(updated=rate_buckets.c.updated - 3601))
    store.purge(retention_months=36, proof_retention_years=5)
    with store.engine.connect() as conn:
        assert conn.execute(select(rate_buckets.c.client)).all() == []

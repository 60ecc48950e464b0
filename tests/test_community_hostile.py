"""The questionnaire service against hostile requests: bodies that used to give a 500, invisible characters
in e-mails, page addresses that carry personal data, forged X-Forwarded-For, cross-site forms, one person
answering twice with two age bands, and the digests' List-Unsubscribe header."""

from __future__ import annotations

import email
import email.policy

import pytest
from fastapi.testclient import TestClient

from outreach.community.audience import audience_rows, audit_audience_file, write_audience_file
from outreach.community.digests import write_digests
from outreach.community.limits import RateLimit
from outreach.community.service import build_service, create_app
from outreach.community.validation import page_without_personal_data
from tests.support import community_support as cs
from tests.support.community_support import sqlite_store  # noqa: F401 (the `store` fixture)


@pytest.fixture
def client(store):
    service = build_service(store=store, config=cs.config(), settings=cs.settings(), themes=cs.themes(),
                            resolver=cs.resolver())
    return TestClient(create_app(service), raise_server_exceptions=False)


def post_raw(client, body: bytes):
    return client.post("/api/responses", content=body, headers={"Content-Type": "application/json"})


@pytest.mark.parametrize("body", [b"[" * 1000 + b"]" * 1000, b'{"interests": ' + b"9" * 5000 + b"}",
                                  b'{"interests": ["\\ud800"], "postcode": "13001"}', b'{"a": "\xff"}',
                                  b'{"page_url": "https://x.fr:99999/", "postcode": "13001"}'])
def test_bodies_that_gave_a_500_are_a_400_or_422_in_french(client, store, body):
    r = post_raw(client, body)
    assert r.status_code in (400, 422), r.text
    assert r.json()["detail"].startswith("réponse refusée") and store.count() == 0


@pytest.mark.parametrize("address", ["alice\x00@exemple.fr", "alice\u202e@exemple.fr", "al\u200bice@exemple.fr",
                                     "alice@exemple.fr\r\nBcc: x@y.fr", "\ufeffalice@exemple.fr"])
def test_emails_with_invisible_characters_are_refused(client, store, address):
    r = client.post("/api/responses", json=cs.with_email(email=address))
    assert r.status_code == 422 and "invisible" in r.text and store.count() == 0


def test_emails_are_nfc_normalised(client, store):
    decomposed = "he\u0301le\u0300ne@exemple.fr"  # « hélène » typed with combining accents
    token = client.post("/api/responses", json=cs.with_email(email=decomposed)).json()["token"]
    assert store.by_token(token).email == "hélène@exemple.fr"


def test_page_url_keeps_no_personal_data(client, store):
    url = ("https://alice:motdepasse@www.marseille.fr/e-services/dossier/20240123/alice.martin%40exemple.fr/"
           "etat?nom=Martin#suivi")
    token = client.post("/api/responses", json=cs.answer(page_url=url)).json()["token"]
    [proof] = store.proofs()
    assert proof["page_url"] == "https://www.marseille.fr/e-services/dossier/…/…/etat"
    assert store.by_token(token) is not None
    assert page_without_personal_data("https://www.marseille.fr/bibliotheques/agenda/") == \
        "https://www.marseille.fr/bibliotheques/agenda/"
    assert page_without_personal_data("https://x.fr/s/550e8400-e29b-41d4-a716-446655440000/p") == "https://x.fr/s/…/p"


def test_forwarded_for_is_read_from_the_right_past_trusted_proxies():
    limit = RateLimit(None, 60, trust_forwarded_for=True, trusted_proxies=["10.0.0.0/8"])

    def client_of(peer, *headers):
        return limit.client_of({"client": (peer, 1), "headers": [(b"x-forwarded-for", h.encode()) for h in headers]})

    # the client may write anything on the left; our proxy appends the address it saw
    assert client_of("10.0.0.2", "1.2.3.4, 198.51.100.9") == "198.51.100.9"
    assert client_of("10.0.0.2", "1.2.3.4, 198.51.100.9, 10.0.0.7") == "198.51.100.9"  # two proxies of ours
    assert client_of("10.0.0.2", "1.2.3.4", "198.51.100.9") == "198.51.100.9"  # header sent twice
    assert client_of("10.0.0.2", "unknown, 198.51.100.9") == "198.51.100.9"
    # a peer that is not one of our proxies: its header is ignored
    assert client_of("203.0.113.5", "1.2.3.4") == "203.0.113.5"
    # rotating the leftmost address no longer gives a fresh bucket
    limit = RateLimit(None, 5, trust_forwarded_for=True, trusted_proxies=["10.0.0.0/8"])
    allowed = [limit.allow(limit.client_of({"client": ("10.0.0.2", 1), "headers": [
        (b"x-forwarded-for", f"192.0.2.{i}, 198.51.100.9".encode())]}))[0] for i in range(10)]
    assert allowed.count(True) == 5


def test_a_bad_trusted_proxy_is_a_french_error():
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="ni une adresse IP"):
        cs.config(trusted_proxies=["mon-proxy"])


def test_preferences_form_refuses_cross_site_posts(client, store):
    token = client.post("/api/responses", json=cs.answer()).json()["token"]
    form = {"action": "delete"}
    for headers in ({"Origin": "https://attaquant.example"}, {"Sec-Fetch-Site": "cross-site"}):
        r = client.post(f"/preferences/{token}", data=form, headers=headers)
        assert r.status_code == 403 and "Demande refusée" in r.text
        assert store.by_token(token) is not None
    r = client.post(f"/preferences/{token}", data=form,
                    headers={"Origin": cs.PUBLIC_URL, "Sec-Fetch-Site": "same-origin"})
    assert r.status_code == 200 and store.by_token(token) is None


@pytest.mark.parametrize("minor_first", [True, False])
def test_the_youngest_age_band_wins_whatever_the_order(store, tmp_path, minor_first):
    """One address given as 15-17 (e-mails only) and as 18-24 with Meta matching: never in the audience
    file, and the audit's verdict on a file holding it is the same in both orders."""
    minor = cs.with_email(email="camille@exemple.fr", age="15-17")
    adult = cs.answer(email="camille@exemple.fr", age_band="18-24", consents={"meta_matching": True})
    for body in ([minor, adult] if minor_first else [adult, minor]):
        cs.add_confirmed(store, body)
    assert audience_rows(store) == []
    path = tmp_path / "audience.csv"
    write_audience_file(store, path)
    from outreach.community.store import email_sha256

    path.write_text(f"email\n{email_sha256('camille@exemple.fr')}\n", encoding="utf-8")
    audit = audit_audience_file(path, store)
    assert audit.minors == [2] and audit.without_consent == []


def test_list_unsubscribe_is_a_plain_url(store, tmp_path):
    from tests.test_community_data import recommender

    token = cs.add_confirmed(store, cs.with_email(email="dominique@exemple.fr") | {"postcode": "13014"})
    offer, reco = recommender()
    out = tmp_path / "digests"
    names = {b.id: b.name for b in cs.resolver().branches}
    write_digests(out, store.members(), reco, offer, cs.PUBLIC_URL, names, "Médiathèques",
                  "Médiathèques <ne-pas-repondre@example.fr>")
    [eml] = (out / "members").glob("*.eml")
    raw = eml.read_bytes()
    assert f"\nList-Unsubscribe: <{cs.PUBLIC_URL}/unsubscribe/{token}>\n".encode() in raw
    assert b"\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\n" in raw
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert all(len(line) <= 998 for line in raw.split(b"\n"))
    assert msg.get_body(("plain",))["Content-Transfer-Encoding"] in ("quoted-printable", "base64", "7bit")


def on_disk(tmp_path) -> bytes:
    return b"".join(p.read_bytes() for p in tmp_path.glob("community.sqlite*"))


def test_a_reader_cannot_block_an_erasure_and_the_address_leaves_the_disk(client, store, tmp_path):
    import sqlite3
    import time

    token = client.post("/api/responses", json=cs.with_email(email="effacez.moi@exemple.fr")).json()["token"]
    assert b"effacez.moi@exemple.fr" in on_disk(tmp_path)
    reader = sqlite3.connect(tmp_path / "community.sqlite")
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM community_respondents").fetchone()  # holds a snapshot of the log
    try:
        started = time.perf_counter()
        r = client.post(f"/preferences/{token}", data={"action": "delete"})
        # a blocked erasure waits for the 30 s busy timeout; the p99 < 1 s figure is measured in
        # bench/bench_erasure.py, so this bound only tells "not blocked" apart, even on a loaded machine
        assert r.status_code == 200 and time.perf_counter() - started < 10.0
        assert store.by_token(token) is None
    finally:
        reader.rollback()
        reader.close()
    deadline = time.monotonic() + 5
    while b"effacez.moi@exemple.fr" in on_disk(tmp_path) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert b"effacez.moi@exemple.fr" not in on_disk(tmp_path)


def test_an_address_change_leaves_no_trace_of_the_old_one(client, store, tmp_path):
    token = client.post("/api/responses", json=cs.with_email(email="ancienne.adresse@exemple.fr")).json()["token"]
    r = client.post(f"/preferences/{token}", json={"email": "nouvelle.adresse@exemple.fr"})
    assert r.status_code == 200, r.text
    assert store.by_token(token).email == "nouvelle.adresse@exemple.fr"
    disk = on_disk(tmp_path)
    assert b"ancienne.adresse@exemple.fr" not in disk and b"nouvelle.adresse@exemple.fr" in disk


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_rate_limit_buckets_in_the_database_are_shared_by_workers(kind, tmp_path):
    """Two workers (two bucket objects, as two processes would hold) on one database: 5 a minute in all."""
    from concurrent.futures import ThreadPoolExecutor

    from outreach.community.limits import DatabaseBuckets

    db = cs.fresh_store(kind, tmp_path)
    now = [1_000_000.0]
    workers = [DatabaseBuckets(db.engine, per_minute=5, clock=lambda: now[0]) for _ in range(2)]
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda i: workers[i % 2].allow("198.51.100.9")[0], range(20)))
    assert results.count(True) == 5
    allowed, wait = workers[0].allow("198.51.100.9")
    assert not allowed and 0 < wait <= 12
    assert workers[1].allow("203.0.113.1")[0]  # another client has its own bucket
    now[0] += 12.0  # one token back every 12 s
    assert workers[1].allow("198.51.100.9")[0] and not workers[0].allow("198.51.100.9")[0]
    db.dispose()


def test_the_service_on_a_server_database_limits_through_the_database(tmp_path):
    """The app uses the shared buckets when the store is not SQLite (checked here by the middleware's state)."""
    db = cs.fresh_store("postgresql", tmp_path)
    service = build_service(store=db, config=cs.config(rate_limit_per_minute=3), settings=cs.settings(),
                            themes=cs.themes(), resolver=cs.resolver())
    client = TestClient(create_app(service), raise_server_exceptions=False)
    codes = [client.get("/api/questionnaire").status_code for _ in range(5)]
    assert codes == [200, 200, 200, 429, 429]
    from outreach.community.store import rate_buckets

    with db.engine.connect() as conn:
        assert conn.execute(rate_buckets.select()).mappings().one()["allowed"] is False
    db.dispose()


def test_several_workers_need_postgresql(tmp_path, monkeypatch, capsys):
    from outreach.cli import main

    cs.configured(tmp_path, monkeypatch)
    assert main(["questionnaire", "serve", "--workers", "4", "--port", "1"]) == 2
    assert "PostgreSQL" in capsys.readouterr().err

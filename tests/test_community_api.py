"""The questionnaire API on a real database (SQLite, and PostgreSQL when available): consent rules, proofs,
refusals that name the field, limits, erasure."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, func, select

from outreach.community.service import build_service, create_app
from outreach.community.store import email_sha256, interests, proofs, respondents
from outreach.territory import assign
from tests.support import community_support as cs

ADMIN = "jeton-admin-de-test-0123456789"


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    store = cs.fresh_store(request.param, tmp_path)
    yield store
    store.dispose()


def make_client(store, **config) -> TestClient:
    service = build_service(store=store, config=cs.config(**config), settings=cs.settings(), themes=cs.themes(),
                            resolver=cs.resolver())
    return TestClient(create_app(service), raise_server_exceptions=False)


@pytest.fixture
def client(store, monkeypatch):
    monkeypatch.setenv("OUTREACH_ADMIN_TOKEN", ADMIN)
    return make_client(store)


def count(store, table) -> int:
    with store.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def fields_of(response) -> list[str]:
    return [e["field"] for e in response.json()["errors"]]


def test_questionnaire_offers_only_non_sensitive_themes_and_a_complete_notice(client):
    data = client.get("/api/questionnaire").json()
    offered = [t["id"] for t in data["themes"]]
    assert offered == cs.offered_ids() and offered
    assert not set(offered) & set(cs.flagged_ids()) and cs.flagged_ids(), "flag themes exist and are not offered"
    text = " ".join(s["text"] for s in data["notice"]["sections"])
    for needed in ("Ville de Marseille", "dpo@marseille.fr", "Meta Platforms Ireland", "CNIL", "3 ans",
                   "retirer", "facultatif", "États-Unis"):
        assert needed in text, needed
    assert [p["id"] for p in data["purposes"]] == ["email_recommendations", "personalisation", "meta_matching"]


def test_an_answer_is_stored_with_its_branch_and_proof(client, store):
    r = client.post("/api/responses", json=cs.answer(postcode="75001"))
    assert r.status_code == 201, r.text
    token = r.json()["token"]
    assert len(token) >= 40 and r.json()["preferences_url"].endswith(token)
    member = store.by_token(token)
    # the nearest branch of Paris 1er, as the territory engine computes it on the shipped data
    from outreach.datasets import shipped_areas, shipped_branches
    table = assign([b for b in shipped_branches() if b.open_to_public], list(shipped_areas()))
    paris1 = table[table.area_name.str.startswith("Paris 1er")].iloc[0]
    assert (member.area_code, member.branch_id) == (paris1.area_code, paris1.branch_id)
    assert member.email is None and member.email_sha256 is None and member.interests == sorted(cs.offered_ids()[:2])
    [proof] = store.proofs()
    notice = client.get("/api/questionnaire").json()["notice"]
    assert proof["event"] == "given" and proof["notice_hash"] == notice["hash"] and proof["notice_version"] == "1"
    # every purpose refused unless ticked (FORM-03), the page and the mechanism recorded (FORM-06)
    assert proof["purposes"] == {"email_recommendations": "refused", "meta_matching": "refused",
                                 "personalisation": "granted"}
    assert proof["page_url"].endswith("inscription-cantine") and proof["mechanism"].startswith("widget:consent-")
    assert store.notice_text("1") and "Ville de Marseille" in store.notice_text("1")


def test_email_kept_as_given_and_as_normalised_sha256(client, store):
    from facebook_business.adobjects.customaudience import CustomAudience

    r = client.post("/api/responses", json=cs.with_email(email="  Alice.Martin@Example.FR "))
    member = store.by_token(r.json()["token"])
    assert member.email == "Alice.Martin@Example.FR"
    # the SDK's own hashing of an e-mail key is the reference for Meta's normalisation
    expected = CustomAudience.format_params(CustomAudience.Schema.email_hash, ["Alice.Martin@Example.FR"])
    assert member.email_sha256 == expected["payload"]["data"][0] == email_sha256("alice.martin@example.fr")


@pytest.mark.parametrize("body, field", [
    (cs.answer(email="a@b.fr"), "email"),  # an e-mail without an e-mail purpose (FORM-07)
    (cs.answer(age_band="25-34", consents={"email_recommendations": True}), "email"),  # purpose, no e-mail
    (cs.answer(email="a@b.fr", age_band=None, consents={"email_recommendations": True}), "age_band"),  # no age
    (cs.with_email(age="15-17", meta_matching=True), "consents.meta_matching"),  # minors: no Meta (CA-06)
    (cs.with_email(age="15-17", personalisation=True), "consents.personalisation"),  # 18+ (MIN-02)
    (cs.with_email(age="moins-de-15"), "consents.email_recommendations"),  # under 15: parental consent
    (cs.answer(interests=["science-fiction", "theme-inexistant"]), "interests[1]"),
    (cs.answer(interests=[]), "interests"),
    (cs.answer(postcode="1300"), "postcode"),
    (cs.answer(postcode="00000"), "postcode"),
    (cs.answer(age_band="42"), "age_band"),
    (cs.answer(consents={"email_recommendations": "oui"}), "consents.email_recommendations"),
    (cs.answer(consents={"newsletter_partenaires": True}), "consents.newsletter_partenaires"),
    (cs.answer(address="1 rue de la République"), "address"),  # never a postal address
    (cs.answer(birth_date="1990-01-01"), "birth_date"),
    (cs.answer(notice_version="0"), "notice_version"),  # an old form: the notice changed (FORM-08)
    (cs.answer(notice_version=None), "notice_version"),
    (cs.answer(page_url="javascript:alert(1)"), "page_url"),
    (cs.with_email(email="pas-une-adresse"), "email"),
])
def test_invalid_answers_are_refused_naming_the_field_and_nothing_is_stored(client, store, body, field):
    r = client.post("/api/responses", json=body)
    assert r.status_code == 422, r.text
    assert field in fields_of(r)
    assert all(len(e["message"]) > 20 for e in r.json()["errors"])  # a French sentence saying what to do
    assert count(store, respondents) == count(store, proofs) == count(store, interests) == 0


def test_flagged_theme_cannot_be_answered(client, store):
    r = client.post("/api/responses", json=cs.answer(interests=[cs.flagged_ids()[0]]))
    assert r.status_code == 422 and fields_of(r) == ["interests[0]"]


def test_unknown_addresses_and_methods_answer_in_french(client):
    assert client.get("/api/nope").json()["detail"] == "adresse inconnue."
    r = client.put("/api/responses", json={})
    assert r.status_code == 405 and "méthode" in r.json()["detail"]


def test_malformed_json_and_wrong_shapes_are_refused(client, store):
    r = client.post("/api/responses", content=b'{"interests": ["science-fiction"', headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and fields_of(r) == ["body"] and "JSON" in r.json()["detail"]
    r = client.post("/api/responses", content="\xff\xfe".encode("latin-1"), headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    r = client.post("/api/responses", json=["science-fiction"])
    assert r.status_code == 400 and fields_of(r) == ["body"]
    # a text/plain "simple request" would skip the CORS preflight: refused
    r = client.post("/api/responses", content=json.dumps(cs.answer()), headers={"Content-Type": "text/plain"})
    assert r.status_code == 415
    assert count(store, respondents) == 0


def test_oversized_bodies_are_refused_before_reading_them(client, store):
    big = cs.answer(page_url="https://www.marseille.fr/?" + "x" * 20_000)
    r = client.post("/api/responses", json=big)
    assert r.status_code == 413 and "volumineuse" in r.json()["detail"]

    def chunks():  # no Content-Length: the limit counts the bytes as they come
        yield json.dumps(cs.answer())[:-1].encode() + b', "pad": "'
        for _ in range(40):
            yield b"y" * 1000
        yield b'"}'
    r = client.post("/api/responses", content=chunks(), headers={"Content-Type": "application/json"})
    assert r.status_code == 413
    assert count(store, respondents) == 0


def test_script_in_text_is_never_echoed_nor_executed(client, store):
    r = client.post("/api/responses", json=cs.with_email(email="<script>alert(1)</script>@x.fr"))
    assert r.status_code == 422 and "<script>" not in r.text and fields_of(r) == ["email"]
    r = client.post("/api/responses", json=cs.answer(postcode="<img src=x onerror=alert(1)>"))
    assert r.status_code == 422 and "<img" not in r.text
    # a page address keeps its path only: the query string may hold a file number or a name
    r = client.post("/api/responses", json=cs.answer(page_url="https://www.marseille.fr/cantine?q=<script>alert(1)</script>&nom=Dupont"))
    assert r.status_code == 201
    assert store.proofs()[0]["page_url"] == "https://www.marseille.fr/cantine"
    page = client.get(f"/preferences/{r.json()['token']}").text
    assert "<script>" not in page


def test_theme_labels_with_markup_are_escaped_in_pages(store):
    from outreach.model import Theme

    evil = Theme(id="jeux-video", label="Jeux <script>alert('x')</script> vidéo", keywords=["jeu vidéo"])
    service = build_service(store=store, config=cs.config(), settings=cs.settings(), themes=[evil],
                            resolver=cs.resolver())
    client = TestClient(create_app(service))
    token = client.post("/api/responses", json=cs.answer(interests=["jeux-video"])).json()["token"]
    page = client.get(f"/preferences/{token}").text
    assert "Jeux &lt;script&gt;" in page and "<script>alert" not in page


def test_nothing_is_stored_half_way_when_the_database_fails(client, store):
    def fail_on_proof(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("INSERT INTO COMMUNITY_CONSENT_PROOFS"):
            raise RuntimeError("disk full")
    event.listen(store.engine, "before_cursor_execute", fail_on_proof)
    try:
        r = client.post("/api/responses", json=cs.with_email())
        assert r.status_code == 500
    finally:
        event.remove(store.engine, "before_cursor_execute", fail_on_proof)
    assert count(store, respondents) == count(store, interests) == count(store, proofs) == 0


def test_erasure_removes_the_person_and_keeps_a_proof_without_email(client, store):
    token = client.post("/api/responses", json=cs.with_email(meta_matching=True)).json()["token"]
    assert client.delete(f"/api/responses/{token}").status_code == 204
    assert store.by_token(token) is None
    assert count(store, respondents) == count(store, interests) == 0
    rows = store.proofs()
    assert [p["event"] for p in rows] == ["given", "erased"]
    assert all(p["withdrawn_at"] is not None for p in rows) and rows[0]["withdrawal_channel"] == "api"
    assert "alice" not in json.dumps(rows, default=str).lower()  # no address left anywhere, only its digest
    assert client.delete(f"/api/responses/{token}").status_code == 404
    assert client.get(f"/preferences/{token}").status_code == 404


def test_erased_and_withdrawn_addresses_leave_the_sqlite_files_at_once(tmp_path):
    """Not only gone from the tables: gone from the database file and its write-ahead log, while the
    service is still running (no restart, no later checkpoint to wait for)."""
    store = cs.fresh_store("sqlite", tmp_path)
    client = make_client(store)
    erased = client.post("/api/responses", json=cs.with_email(email="Zoe.Efface@Example.FR")).json()["token"]
    withdrawn = client.post("/api/responses", json=cs.with_email(email="Yann.Retire@Example.FR")).json()["token"]
    for i in range(40):
        client.post("/api/responses", json=cs.with_email(email=f"membre{i}@example.fr"))
    assert client.delete(f"/api/responses/{erased}").status_code == 204
    assert client.post(f"/preferences/{withdrawn}", json={"action": "withdraw"}).status_code == 200

    on_disk = b"".join(f.read_bytes() for f in tmp_path.iterdir() if f.name.startswith("community.sqlite")).lower()
    assert b"membre39@example.fr" in on_disk  # the scan does see the addresses that are kept
    assert b"zoe.efface" not in on_disk and erased.lower().encode() not in on_disk
    assert b"yann.retire" not in on_disk
    store.dispose()


def test_preferences_show_change_and_withdraw(client, store):
    token = client.post("/api/responses", json=cs.with_email(personalisation=True)).json()["token"]
    page = client.get(f"/preferences/{token}")
    assert page.status_code == 200 and "Alice.Martin@Example.FR" in page.text and "no-store" in page.headers["cache-control"]
    # the page carries a token: never cached, never sent as referrer, runs no script, never framed
    assert page.headers["referrer-policy"] == "no-referrer"
    assert "script-src 'none'" in page.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    seen = client.get(f"/preferences/{token}", headers={"Accept": "application/json"}).json()
    assert seen["consents"] == {"email_recommendations": True, "personalisation": True, "meta_matching": False}

    new_interests = cs.offered_ids()[2:4]
    r = client.post(f"/preferences/{token}", json={"interests": new_interests, "postcode": "75011"})
    assert r.status_code == 200 and r.json()["interests"] == sorted(new_interests)
    assert r.json()["postcode"] == "75011" and r.json()["area_name"].startswith("Paris 11")
    for bad in ("7501", "99999", 75011):  # refused, named, and nothing changes
        r = client.post(f"/preferences/{token}", json={"postcode": bad, "interests": cs.offered_ids()[:1]})
        assert r.status_code == 422 and fields_of(r) == ["postcode"]
    assert store.by_token(token).postcode == "75011" and store.by_token(token).interests == sorted(new_interests)

    # a purpose granted later, under the current notice; the others withdrawn; the address stays for Meta
    r = client.post(f"/preferences/{token}", json={"consents": {"meta_matching": True}})
    assert r.status_code == 200 and r.json()["consents"] == {"email_recommendations": False,
                                                             "personalisation": False, "meta_matching": True}
    assert r.json()["email"] == "Alice.Martin@Example.FR"
    r = client.post(f"/preferences/{token}", json={"action": "withdraw"})
    assert r.status_code == 200
    member = store.by_token(token)
    assert not any(member.consents.values()) and member.email is None and member.email_sha256 is None
    events = [p["event"] for p in store.proofs()]
    assert events[-1] == "withdrawn" and store.proofs()[0]["withdrawn_at"] is not None


def test_preferences_form_works_without_javascript(client, store):
    token = client.post("/api/responses", json=cs.with_email()).json()["token"]
    theme = cs.offered_ids()[5]
    form = f"action=update&interests={theme}&postcode=13005&age_band=25-34&email=alice%40example.fr&consent_email_recommendations=on"
    r = client.post(f"/preferences/{token}", content=form, headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 200 and "Vos choix sont enregistrés" in r.text
    member = store.by_token(token)
    assert member.interests == [theme] and member.email == "alice@example.fr" and member.postcode == "13005"
    # a new address without any e-mail purpose: refused, the page says why, nothing changes
    form = f"action=update&interests={theme}&postcode=13005&age_band=25-34&email=bob%40example.fr"
    r = client.post(f"/preferences/{token}", content=form, headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 422 and "role=\"alert\"" in r.text and store.by_token(token).email == "alice@example.fr"
    # unticking every e-mail purpose while the form sends back the address it showed: that is a withdrawal,
    # as easy as giving (FORM-05): accepted, the address is gone at once and the withdrawal proved
    form = f"action=update&interests={theme}&postcode=13005&age_band=25-34&email=Alice%40Example.fr"
    r = client.post(f"/preferences/{token}", content=form, headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 200 and "Vos choix sont enregistrés" in r.text
    member = store.by_token(token)
    assert not any(member.consents.values()) and member.email is None and member.email_sha256 is None
    assert store.proofs()[-1]["event"] == "withdrawn"
    r = client.post(f"/preferences/{token}", content="action=delete", headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 200 and "effacées" in r.text and store.by_token(token) is None


def test_one_click_unsubscribe(client, store):
    token = client.post("/api/responses", json=cs.with_email(personalisation=True)).json()["token"]
    assert client.post(f"/unsubscribe/{token}", content="List-Unsubscribe=One-Click").status_code == 200
    member = store.by_token(token)
    assert member.consents == {"email_recommendations": False, "personalisation": False, "meta_matching": False}
    assert member.email is None
    proof = store.proofs()[-1]
    assert proof["event"] == "withdrawn" and proof["withdrawal_channel"] == "email"


def test_admin_stats_and_exports_need_the_token(client, store, monkeypatch):
    themes = cs.offered_ids()
    tokens = [client.post("/api/responses", json=body).json()["token"] for body in (
        cs.answer(interests=themes[:2], postcode="13001"),
        cs.with_email(meta_matching=True) | {"interests": themes[:1]},
        cs.with_email(email="bob@example.fr", age="15-17") | {"interests": themes[:1]})]
    client.post("/api/responses", json=cs.with_email(email="sans-confirmation@example.fr", meta_matching=True)
                | {"interests": themes[:1]})  # never confirmed: counted as a member, never as a usable consent
    for token in tokens[1:]:
        cs.confirm(store, token)
    assert client.get("/api/stats").status_code == 401
    assert client.get("/api/stats", headers={"Authorization": "Bearer faux"}).status_code == 401
    stats = client.get("/api/stats", headers={"Authorization": f"Bearer {ADMIN}"}).json()
    assert stats["members"] == 4
    first = next(r for r in stats["by_theme_and_branch"] if r["theme_id"] == themes[0])
    assert first["members"] == 4 and first["email_recommendations"] == 2 and first["meta_matching"] == 1
    community = client.get("/api/exports/community.csv", headers={"Authorization": f"Bearer {ADMIN}"}).text
    assert community.count("\n") == 5 and "@" not in community
    proofs_csv = client.get("/api/exports/proofs.csv", headers={"Authorization": f"Bearer {ADMIN}"}).text
    # 4 answers and 2 confirmations; a proof names no one, not even by an e-mail digest
    assert proofs_csv.count("\n") == 7 and "@" not in proofs_csv and email_sha256("bob@example.fr") not in proofs_csv
    assert not any(t in community or t in proofs_csv for t in tokens)  # a token is a key to someone's data
    audience = client.get("/api/exports/meta-audience.csv", headers={"Authorization": f"Bearer {ADMIN}"}).text
    assert audience == f"email\n{email_sha256('alice.martin@example.fr')}\n"  # the minor is not there
    monkeypatch.delenv("OUTREACH_ADMIN_TOKEN")
    assert client.get("/api/stats", headers={"Authorization": "Bearer "}).status_code == 503


def test_cors_only_for_municipal_origins(client):
    ok = client.options("/api/responses", headers={"Origin": cs.ORIGIN, "Access-Control-Request-Method": "POST",
                                                   "Access-Control-Request-Headers": "content-type"})
    assert ok.status_code == 200 and ok.headers["access-control-allow-origin"] == cs.ORIGIN
    bad = client.options("/api/responses", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in bad.headers
    r = client.post("/api/responses", json=cs.answer(), headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in r.headers


def test_rate_limit_per_client(store):
    client = make_client(store, rate_limit_per_minute=5)
    codes = [client.post("/api/responses", json=cs.answer()).status_code for _ in range(7)]
    assert codes[:5] == [201] * 5 and codes[5:] == [429, 429]
    assert client.get("/widget.js").status_code == 200  # the script itself is never limited
    assert count(store, respondents) == 5


def test_a_changed_notice_needs_a_new_version(store):
    from outreach.errors import InputError

    make_client(store)
    changed = cs.settings().model_copy(update={"dpo_contact": "rgpd@marseille.fr"})
    with pytest.raises(InputError, match="nouveau numéro de version"):
        build_service(store=store, config=cs.config(), settings=changed, themes=cs.themes(), resolver=cs.resolver())
    build_service(store=store, config=cs.config(notice_version="2"), settings=changed, themes=cs.themes(),
                  resolver=cs.resolver())
    assert "rgpd@marseille.fr" in store.notice_text("2") and "dpo@marseille.fr" in store.notice_text("1")


def test_no_questionnaire_without_controller_and_dpo(store):
    from outreach.errors import InputError
    from outreach.settings import NetworkSettings

    with pytest.raises(InputError, match="dpo_contact"):
        build_service(store=store, config=cs.config(), settings=NetworkSettings(controller_name="Ville de Marseille"),
                      themes=cs.themes(), resolver=cs.resolver())


def test_sensitive_theme_cannot_be_configured(store):
    from outreach.errors import InputError

    with pytest.raises(InputError, match="SEN-04"):
        build_service(store=store, config=cs.config(offered_themes=[cs.flagged_ids()[0]]), settings=cs.settings(),
                      themes=cs.themes(), resolver=cs.resolver())


def test_rate_limit_refills_and_can_trust_a_proxy():
    from outreach.community.limits import RateLimit

    now = [0.0]
    limit = RateLimit(None, per_minute=60, trust_forwarded_for=True, clock=lambda: now[0],
                      trusted_proxies=["127.0.0.1", "10.0.0.0/8"])
    assert all(limit.allow("a")[0] for _ in range(60))
    allowed, wait = limit.allow("a")
    assert not allowed and 0 < wait <= 1
    assert limit.allow("b")[0]  # another visitor has its own bucket
    now[0] += 2.0  # one request per second comes back
    assert limit.allow("a")[0] and limit.allow("a")[0] and not limit.allow("a")[0]
    scope = {"headers": [(b"x-forwarded-for", b"203.0.113.7, 10.0.0.1")], "client": ("127.0.0.1", 1)}
    assert limit.client_of(scope) == "203.0.113.7"
    assert RateLimit(None, 60).client_of(scope) == "127.0.0.1"  # not behind a proxy: the header is ignored

"""The community's outputs on real data: retention purge, the Meta audience file and its audit,
recommendations from the shipped catalogue and agenda, HTML digests with unsubscribe links."""

from __future__ import annotations

import csv
import email
import email.policy
from datetime import date, timedelta
from functools import cache

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from outreach.community.audience import audience_rows, audit_audience_file, write_audience_file
from outreach.community.digests import MERGE_FIELD, write_digests
from outreach.community.notice import render_notice
from outreach.community.offer import build_offer
from outreach.community.recommend import build_recommender
from outreach.community.service import build_service, create_app
from outreach.community.store import email_sha256, respondents, utcnow
from outreach.errors import InputError
from outreach.themes import shipped_catalogue, shipped_events
from tests.support import community_support as cs

TODAY = date(2026, 11, 22)
MERLAN = "5425"  # Le Merlan (Marseille 14e), a branch of the demonstration catalogue
CANOPEE = "17615"  # Médiathèque de la Canopée (Paris 1er)


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    store = cs.fresh_store(request.param, tmp_path)
    yield store
    store.dispose()


def test_purge_erases_people_without_active_contact_for_36_months(store):
    now = utcnow()
    old = cs.add(store, cs.with_email(email="ancien@example.fr"), now=now - timedelta(days=37 * 30))
    recent = cs.add(store, cs.answer(), now=now - timedelta(days=30 * 30))
    touched = cs.add(store, cs.answer(), now=now - timedelta(days=40 * 30))
    store.touch(touched, now=now - timedelta(days=10))  # opening the preference page is an active contact
    report = store.purge(retention_months=36, proof_retention_years=5, now=now)
    assert report.respondents == 1 and report.proofs == 0
    assert store.by_token(old) is None and store.by_token(recent) and store.by_token(touched)
    gone = [p for p in store.proofs() if p["event"] == "purged"]
    assert len(gone) == 1 and gone[0]["withdrawal_channel"] == "retention"
    # the proofs of people who left go once their own retention is over; the others stay
    later = store.purge(retention_months=36, proof_retention_years=5, now=now + timedelta(days=5 * 366))
    assert later.respondents == 2 and later.proofs == 2  # the first person's "given" + "purged"
    assert {p["event"] for p in store.proofs()} == {"given", "purged"}


def test_audience_file_holds_only_adults_who_granted_meta_matching(store, tmp_path):
    from facebook_business.adobjects.customaudience import CustomAudience

    cs.add_confirmed(store, cs.with_email(email=" Claire.Dupont@Example.FR ", meta_matching=True))
    cs.add_confirmed(store, cs.with_email(email="sans-meta@example.fr"))  # e-mails only
    cs.add_confirmed(store, cs.with_email(email="ado@example.fr", age="15-17"))  # a minor: never
    cs.add_confirmed(store, cs.answer(email="pub@example.fr", age_band="65-plus", consents={"meta_matching": True}))
    # granted but the address never confirmed (double opt-in): never used
    cs.add(store, cs.answer(email="pas-confirme@example.fr", age_band="65-plus", consents={"meta_matching": True}))
    path = tmp_path / "audience.csv"
    assert write_audience_file(store, path) == 2
    lines = path.read_text(encoding="utf-8").splitlines()
    expected = CustomAudience.format_params(CustomAudience.Schema.email_hash,
                                            ["Claire.Dupont@Example.FR", "pub@example.fr"])["payload"]["data"]
    assert lines[0] == "email" and sorted(lines[1:]) == sorted(expected)
    assert "@" not in path.read_text()
    assert audit_audience_file(path, store).ok

    # someone withdraws: the old file is now wrong (CA-04), the next one is right
    claire = next(m for m in store.members() if m.email_sha256 == email_sha256("claire.dupont@example.fr"))
    store.withdraw_all(claire.token, render_notice(cs.config(), cs.settings()), channel="preferences")
    audit = audit_audience_file(path, store)
    assert not audit.ok and len(audit.without_consent) == 1 and "CA-01" in audit.problems()[0]
    assert audience_rows(store) == [email_sha256("pub@example.fr")]

    # a member recorded as a minor is never in the file, even with meta_matching set (a row written by
    # hand or by an older version: the file's own filter holds, and the audit names the line, CA-06)
    with store.engine.begin() as conn:
        conn.execute(update(respondents).where(respondents.c.email_sha256 == email_sha256("pub@example.fr"))
                     .values(age_band="15-17"))
    assert audience_rows(store) == []
    pub_line = 2 + sorted(expected).index(email_sha256("pub@example.fr"))
    assert audit_audience_file(path, store).minors == [pub_line]

    path.write_text("email\nclaire.dupont@example.fr\n", encoding="utf-8")
    assert audit_audience_file(path, store).plaintext == [2]
    path.write_text("phone\n0600000000\n", encoding="utf-8")
    with pytest.raises(InputError, match="colonne « email »"):
        audit_audience_file(path, store)


@cache
def recommender():
    offer = build_offer(cs.themes(), cs.config())
    # the demonstration sample stands in for a network's loaded catalogue and agenda: given explicitly, as the
    # recommender never draws on it by itself
    return offer, build_recommender(offer, cs.resolver().branches, [MERLAN, CANOPEE], TODAY,
                                    items=shipped_catalogue(), events=shipped_events(TODAY))


def member_at(tmp_path, postcode: str, interests: list[str], personalisation: bool):
    store = cs.fresh_store("sqlite", tmp_path)
    body = cs.with_email(personalisation=personalisation) | {"postcode": postcode, "interests": interests}
    return store.by_token(cs.add(store, body))


def test_recommendations_are_the_members_themes_at_their_branch_ranked(tmp_path):
    offer, reco = recommender()
    member = member_at(tmp_path, "13014", ["musiques-urbaines", "sciences"], personalisation=True)
    assert member.branch_id == MERLAN
    recos = reco.recommend(member)
    kinds = [r.kind for r in recos]
    assert kinds == sorted(kinds)  # "animation" before "document": events first
    events = [r for r in recos if r.kind == "animation"]
    assert events and [r.when for r in events] == sorted(r.when for r in events)
    assert all(r.when.date() >= TODAY for r in events)
    assert {r.theme_id for r in recos} == {"musiques-urbaines", "sciences"}
    assert all(r.branch_id == MERLAN for r in recos)
    docs = [r for r in recos if r.kind == "document"]
    # the themes take turns, and within a theme the most loaned item comes first
    assert [r.theme_id for r in docs[:2]] == ["musiques-urbaines", "sciences"]
    top = reco.summaries[("sciences", MERLAN)].top_items
    assert [r.title for r in docs if r.theme_id == "sciences"] == [i.title for i in top][:len([r for r in docs if r.theme_id == "sciences"])]
    assert [r.rank for r in recos] == list(range(1, len(recos) + 1))


def test_without_personalisation_interests_are_not_used(tmp_path):
    offer, reco = recommender()
    member = member_at(tmp_path, "13014", ["science-fiction"], personalisation=False)
    themes = {r.theme_id for r in reco.recommend(member)}
    assert len(themes) > 1 and themes != {"science-fiction"}


def test_nearest_branch_with_content_replaces_an_empty_branch(tmp_path):
    offer, reco = recommender()
    member = member_at(tmp_path, "75001", ["science-fiction"], personalisation=True)
    assert member.branch_id not in (CANOPEE, MERLAN)
    recos = reco.recommend(member)
    assert recos and {r.branch_id for r in recos} == {CANOPEE}  # in Paris, not in Marseille or Aix


def test_digests_per_member_and_segment_with_unsubscribe_links(tmp_path):
    store = cs.fresh_store("sqlite", tmp_path)
    service = build_service(store=store, config=cs.config(), settings=cs.settings(), themes=cs.themes(),
                            resolver=cs.resolver())
    client = TestClient(create_app(service))
    perso = client.post("/api/responses", json=cs.with_email(email="perso@example.fr", personalisation=True)
                        | {"postcode": "13014", "interests": ["musiques-urbaines", "sciences"]}).json()["token"]
    general = client.post("/api/responses",
                          json=cs.with_email(email="general@example.fr") | {"postcode": "13015"}).json()["token"]
    client.post("/api/responses", json=cs.answer(postcode="13014"))  # no e-mail: no digest
    client.post("/api/responses", json=cs.with_email(email="jamais-confirme@example.fr"))  # not confirmed: none
    cs.confirm(store, perso)
    cs.confirm(store, general)
    offer, reco = recommender()
    names = {b.id: b.name for b in cs.resolver().branches}
    out = tmp_path / "digests"
    report = write_digests(out, store.members(), reco, service.offer, cs.PUBLIC_URL, names, "Médiathèques",
                           "Médiathèques <ne-pas-repondre@example.fr>")
    assert report.members == 2 and report.segments == 3  # 2 themes at Le Merlan + the general news
    emls = sorted((out / "members").glob("*.eml"))
    assert len(emls) == 2
    member = store.by_token(perso)
    msg = email.message_from_bytes((out / "members" / f"{member.id}.eml").read_bytes(), policy=email.policy.default)
    assert msg["To"] == "perso@example.fr"
    assert msg["List-Unsubscribe"] == f"<{cs.PUBLIC_URL}/unsubscribe/{perso}>"
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html = msg.get_body(("html",)).get_content()
    assert f"{cs.PUBLIC_URL}/preferences/{perso}#desinscription" in html and "Se désinscrire" in html
    assert "Prochaines animations" in html and "À emprunter" in html
    segment_files = sorted(p.name for p in (out / "segments").glob("*.html"))
    assert segment_files == ["musiques-urbaines--5425.html", "sciences--5425.html", "toutes--5425.html"]
    assert all(MERGE_FIELD in p.read_text() for p in (out / "segments").glob("*.html"))
    with open(out / "recipients.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert {r["email"] for r in rows} == {"perso@example.fr", "general@example.fr"}
    assert all(r["unsubscribe_url"].startswith(f"{cs.PUBLIC_URL}/unsubscribe/") for r in rows)
    with open(out / "recommendations.csv", encoding="utf-8") as f:
        assert len(list(csv.DictReader(f))) == report.recommendations > 0
    # the link works: one click and the person receives nothing more
    assert client.post(f"/unsubscribe/{perso}").status_code == 200
    report = write_digests(tmp_path / "again", store.members(), reco, service.offer, cs.PUBLIC_URL, names,
                           "Médiathèques", "x@example.fr")
    assert report.members == 1

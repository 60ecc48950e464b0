"""The consent store's promises to the people who answer, pinned on small cases (issue 19's mutation run of
store.py): an erasure leaves nothing linked to the person, an unconfirmed address is never used, an answer
without consent is only counted, a confirmation link expires, and the store's French message is exact."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from outreach.community.notice import Notice, render_notice
from outreach.community.store import (
    Confirmation,
    answer_counts,
    interests,
    respondents,
    token_sha256,
)
from outreach.errors import InputError
from tests.support import community_support as cs
from tests.support.community_support import sqlite_store  # noqa: F401 (the `store` fixture)

T0 = datetime(2026, 3, 2, 9, 30)
WEEK = timedelta(days=7)


def notice() -> Notice:
    return render_notice(cs.config(), cs.settings())


def rows(store, table) -> list[dict]:
    with store.engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(table)).mappings()]


def set_row(store, token_: str, **values) -> None:
    with store.engine.begin() as conn:
        conn.execute(update(respondents).where(respondents.c.token == token_).values(**values))


# --- erasure ---------------------------------------------------------------------------------------------

def test_erasure_deletes_only_that_person_and_its_proof_says_when_and_how(store):
    gone = cs.add(store, cs.with_email(email="efface@exemple.fr", meta_matching=True), now=T0)
    kept = cs.add(store, cs.answer(interests=cs.offered_ids()[2:4]), now=T0)
    kept_id = store.by_token(kept).id
    erased_at = T0 + timedelta(days=3)
    assert store.erase(gone, now=erased_at) is True
    assert store.by_token(gone) is None and store.erase(gone) is False and store.erase("inconnu") is False
    # the other person keeps their row, interests and live proof
    assert [r["id"] for r in rows(store, respondents)] == [kept_id]
    assert {r["respondent_id"] for r in rows(store, interests)} == {kept_id}
    assert sorted(r["theme_id"] for r in rows(store, interests)) == sorted(cs.offered_ids()[2:4])
    given_gone, given_kept, erased = store.proofs()
    assert given_kept["withdrawn_at"] is None and given_kept["withdrawal_channel"] is None
    assert given_gone["withdrawn_at"] == erased_at and given_gone["withdrawal_channel"] == "preferences"
    assert erased == {**erased, "event": "erased", "ts_utc": erased_at, "withdrawn_at": erased_at,
                      "withdrawal_channel": "preferences", "mechanism": "erased:preferences", "language": "fr",
                      "consent_id": given_gone["consent_id"], "notice_version": notice().version,
                      "notice_hash": notice().hash, "page_url": None}
    # the proof of an erasure grants nothing
    assert erased["purposes"] == {"email_recommendations": "refused", "personalisation": "refused",
                                  "meta_matching": "refused"}


def test_erasure_channel_is_recorded(store):
    token = cs.add(store, cs.answer())
    store.erase(token, channel="api", now=T0)
    assert [(p["event"], p["withdrawal_channel"]) for p in store.proofs()] == [("given", "api"), ("erased", "api")]
    assert store.proofs()[-1]["mechanism"] == "erased:api"


def test_purge_erases_at_the_cutoff_not_before(store):
    months, years = 36, 5
    cutoff_days, proof_days = round(months * 30.4375), round(years * 365.25)
    assert (cutoff_days, proof_days) == (1096, 1826)
    now = T0 + timedelta(days=cutoff_days)
    on_the_day = cs.add(store, cs.answer(), now=T0)  # exactly at the cutoff: still within retention
    older = cs.add(store, cs.answer(), now=T0 - timedelta(seconds=1))
    report = store.purge(months, years, now=now)
    assert (report.respondents, report.proofs) == (1, 0)
    assert report.cutoff == T0 and report.proof_cutoff == now - timedelta(days=proof_days)
    assert store.by_token(on_the_day) and store.by_token(older) is None
    purged = store.proofs()[-1]
    assert (purged["event"], purged["mechanism"], purged["withdrawal_channel"], purged["ts_utc"]) == (
        "purged", "purged:retention", "retention", now)
    # the purged person's proofs go when their last event is older than the proof retention, not at it
    at_the_limit = store.purge(months, years, now=now + timedelta(days=proof_days))
    assert (at_the_limit.respondents, at_the_limit.proofs) == (1, 0)  # the person on the day, past retention now
    later = store.purge(months, years, now=now + timedelta(days=proof_days, seconds=1))
    assert (later.respondents, later.proofs) == (0, 2)  # the first person's "given" and "purged"
    assert [p["event"] for p in store.proofs()] == ["given", "purged"]


# --- double opt-in: unconfirmed consents are never used ----------------------------------------------------

def test_unconfirmed_and_address_less_consents_are_not_usable(store):
    token = cs.add(store, cs.with_email(email="att@exemple.fr", meta_matching=True, personalisation=True))
    member = store.by_token(token)
    assert member.consents == {"email_recommendations": True, "personalisation": True, "meta_matching": True}
    # personalisation needs no address; the e-mail purposes wait for the link
    assert member.usable_consents == {"email_recommendations": False, "personalisation": True,
                                      "meta_matching": False}
    assert member.awaiting_confirmation and not member.email_confirmed
    confirmed = dataclasses.replace(member, email_confirmed=True)
    assert confirmed.usable_consents == member.consents and not confirmed.awaiting_confirmation
    # a confirmed flag without an address (an old row) uses nothing by e-mail
    assert dataclasses.replace(confirmed, email=None).usable_consents["email_recommendations"] is False
    assert not dataclasses.replace(member, email=None).awaiting_confirmation
    refused = dataclasses.replace(member, consents={"email_recommendations": False, "personalisation": True,
                                                    "meta_matching": False})
    assert not refused.awaiting_confirmation  # nothing by e-mail granted: nothing to confirm


def test_stats_count_email_and_meta_only_for_confirmed_addresses(store):
    theme = cs.offered_ids()[0]
    body = cs.with_email(email="a@exemple.fr", meta_matching=True) | {"interests": [theme]}
    cs.add_confirmed(store, body)
    cs.add(store, body | {"email": "b@exemple.fr"})  # never confirmed
    cs.add(store, cs.answer(interests=[theme]))  # personalisation only
    [row] = [r for r in store.stats() if r["theme_id"] == theme]
    assert (row["members"], row["email_recommendations"], row["meta_matching"], row["counted_only"]) == (3, 1, 1, 0)


def test_no_link_for_someone_with_nothing_to_confirm(store):
    assert store.new_confirmation("inconnu") is None
    assert store.new_confirmation(cs.add(store, cs.answer())) is None  # personalisation only
    token = cs.add_confirmed(store, cs.with_email(email="deja@exemple.fr"))
    assert store.new_confirmation(token) is None  # already confirmed


# --- token expiry --------------------------------------------------------------------------------------------

def test_a_link_expires_after_its_validity_and_only_then(store):
    token = cs.add(store, cs.with_email(email="delai@exemple.fr"), now=T0)
    member, link = store.new_confirmation(token, now=T0)
    assert member.email == "delai@exemple.fr" and len(link) >= 40
    assert store.confirm(link, WEEK, now=T0 + WEEK + timedelta(seconds=1)) is Confirmation.EXPIRED
    assert store.by_token(token).awaiting_confirmation  # an expired link confirms nothing
    assert [p["event"] for p in store.proofs()] == ["given"]
    assert store.confirm(link, WEEK, now=T0 + WEEK) is Confirmation.CONFIRMED  # the last instant still counts
    confirmed = store.by_token(token)
    assert confirmed.email_confirmed and confirmed.last_interaction_at == T0 + WEEK
    assert confirmed.usable_consents["email_recommendations"]
    proof = store.proofs()[-1]
    assert (proof["event"], proof["ts_utc"], proof["mechanism"], proof["language"]) == (
        "confirmed", T0 + WEEK, "double-opt-in:email", "fr")
    assert proof["purposes"] == {"email_recommendations": "granted", "personalisation": "refused",
                                 "meta_matching": "refused"}
    assert proof["consent_id"] == store.proofs()[0]["consent_id"]
    assert store.confirm(link, WEEK, now=T0 + WEEK) is Confirmation.UNKNOWN  # used once


def test_unknown_links_and_a_link_without_its_sending_time(store):
    token = cs.add(store, cs.with_email(email="lien@exemple.fr"), now=T0)
    first = store.new_confirmation(token, now=T0)[1]
    second = store.new_confirmation(token, now=T0 + timedelta(hours=1))[1]
    assert store.confirm(first, WEEK, now=T0) is Confirmation.UNKNOWN  # a resend replaces the old link
    for bad in ("", "x" * 65, second + "x"):
        assert store.confirm(bad, WEEK, now=T0) is Confirmation.UNKNOWN
    # a 64-character link is still looked up (the column's width), not refused unread
    set_row(store, token, confirmation_sha256=token_sha256("y" * 64))
    assert store.confirm("y" * 64, WEEK, now=T0) is Confirmation.CONFIRMED
    other = cs.add(store, cs.with_email(email="sans-date@exemple.fr"))
    set_row(store, other, confirmation_sha256=token_sha256("z" * 43), confirmation_sent_at=None)
    assert store.confirm("z" * 43, WEEK) is Confirmation.EXPIRED


def test_a_new_address_loses_its_confirmation_and_the_same_one_keeps_it(store):
    token = cs.add_confirmed(store, cs.with_email(email="Meme@Exemple.fr"))
    state = store.by_token(token).state()
    state.email = "meme@exemple.fr"  # the same address, other case: the same digest
    assert store.change(token, state, notice(), "preferences").email_confirmed
    state.email = "autre@exemple.fr"
    changed = store.change(token, state, notice(), "preferences")
    assert not changed.email_confirmed and changed.awaiting_confirmation
    with store.engine.connect() as conn:
        pending = conn.execute(select(respondents.c.confirmation_sha256, respondents.c.confirmation_sent_at)
                               .where(respondents.c.token == token)).one()
    assert tuple(pending) == (None, None)


# --- answers without consent: counts only --------------------------------------------------------------------

def test_answers_without_consent_are_counted_per_day_branch_and_theme(store):
    a, b = cs.offered_ids()[:2]
    day2 = T0 + timedelta(days=1)
    assert cs.add(store, cs.unconsented(postcode="13014", interests=[a, b]), now=T0) is None
    assert cs.add(store, cs.unconsented(postcode="13014", interests=[a]), now=T0) is None
    assert cs.add(store, cs.unconsented(postcode="13014", interests=[b]), now=day2) is None
    assert store.count() == 0 and store.proofs() == [] and store.members() == []
    assert store.counted_answers() == 3
    assert [(r["day"], r["theme_id"], r["answers"]) for r in store.counts_by_day()] == sorted([
        (T0.date(), "", 2), (T0.date(), a, 2), (T0.date(), b, 1), (day2.date(), "", 1), (day2.date(), b, 1)])
    assert {r["branch_id"] for r in store.counts_by_day()} == {"5425"}
    counted = {r["theme_id"]: r for r in store.stats()}
    assert "" not in counted  # the answers' own count is no theme
    assert counted[a] == {"theme_id": a, "branch_id": "5425", "members": 0, "email_recommendations": 0,
                          "meta_matching": 0, "counted_only": 2}
    assert counted[b]["counted_only"] == 2


def test_an_empty_store_counts_zero(store):
    assert store.counted_answers() == 0 and store.stats() == [] and store.counts_by_day() == []
    assert store.members() == [] and store.count() == 0


def test_stats_rows_are_sorted_by_theme_then_branch(store):
    ids = sorted(cs.offered_ids()[:3])
    cs.add(store, cs.answer(postcode="75001", interests=ids[::-1]))
    cs.add(store, cs.answer(postcode="13014", interests=ids[:1]))
    keys = [(r["theme_id"], r["branch_id"]) for r in store.stats()]
    assert keys == sorted(keys) and len(keys) == 4


# --- changes and their proofs --------------------------------------------------------------------------------

def test_a_change_is_proved_with_its_event_channel_and_notice(store):
    token = cs.add(store, cs.with_email(email="c@exemple.fr", personalisation=True), now=T0)
    assert store.change("inconnu", store.by_token(token).state(), notice(), "api") is None
    state = store.by_token(token).state()
    state.consents["personalisation"] = False
    later = T0 + timedelta(days=1)
    changed = store.change(token, state, notice(), "api", now=later)
    assert changed.consents["personalisation"] is False and changed.last_interaction_at == later
    given, withdrawn = store.proofs()
    assert given["withdrawn_at"] == later and given["withdrawal_channel"] == "api"
    assert withdrawn == {**withdrawn, "event": "withdrawn", "ts_utc": later, "mechanism": "preferences:api",
                         "withdrawal_channel": "api", "withdrawn_at": later, "language": "fr",
                         "consent_id": given["consent_id"]}
    # granting one purpose while withdrawing another is a change, under the current notice
    newer = Notice("2", notice().sections + (("Ajout", "Un paragraphe de plus."),))
    state.consents.update(personalisation=True, email_recommendations=False, meta_matching=True)
    store.change(token, state, newer, "api", now=later)
    last = store.proofs()[-1]
    assert (last["event"], last["notice_version"], last["notice_hash"]) == ("changed", "2", newer.hash)
    assert store.by_token(token).notice_version == "2"
    # only interests changed: nothing to prove
    state.interests = cs.offered_ids()[3:5]
    store.change(token, state, newer, "api", now=later)
    assert len(store.proofs()) == 3 and store.by_token(token).interests == sorted(cs.offered_ids()[3:5])
    # an age change is proved and keeps the notice the consents were given under
    state.age_band = "50-64"
    store.change(token, state, notice(), "api", now=later)
    assert store.proofs()[-1]["event"] == "changed" and store.proofs()[-1]["notice_version"] == "2"
    assert store.proofs()[-1]["withdrawn_at"] is None and store.proofs()[-1]["withdrawal_channel"] is None


def test_a_move_changes_the_branch_and_a_touch_restarts_the_clock(store):
    token = cs.add(store, cs.answer(postcode="13001"), now=T0)
    moved = store.by_token(token).state()
    target = store.by_token(cs.add(store, cs.answer(postcode="75001"))).state().placement
    moved.placement = target
    member = store.change(token, moved, notice(), "preferences", now=T0)
    assert (member.postcode, member.area_code, member.area_name, member.branch_id) == (
        "75001", target.area_code, target.area_name, target.branch_id)
    store.touch(token, now=T0 + timedelta(days=100))
    assert store.by_token(token).last_interaction_at == T0 + timedelta(days=100)
    assert member.state("Canopée").placement.branch_name == "Canopée"


def test_unsubscribing_keeps_the_address_only_for_meta(store):
    both = cs.add(store, cs.with_email(email="meta@exemple.fr", meta_matching=True, personalisation=True))
    member = store.unsubscribe(both, notice(), now=T0)
    assert member.consents == {"email_recommendations": False, "personalisation": False, "meta_matching": True}
    assert member.email == "meta@exemple.fr"
    assert store.proofs()[-1]["withdrawal_channel"] == "email"
    assert store.unsubscribe("inconnu", notice()) is None and store.withdraw_all("inconnu", notice(), "api") is None
    gone = store.withdraw_all(both, notice(), "api", now=T0)
    assert not any(gone.consents.values()) and gone.email is None and gone.email_sha256 is None


def test_tokens_are_looked_up_up_to_the_columns_width(store):
    token = cs.add(store, cs.answer())
    assert store.by_token("") is None and store.by_token("t" * 65) is None
    set_row(store, token, token="t" * 64)
    assert store.by_token("t" * 64) is not None


# --- notices and the French message --------------------------------------------------------------------------

def test_a_changed_notice_text_under_the_same_version_is_refused_in_french(store):
    first = notice()
    store.record_notice(first)
    store.record_notice(first)  # the same text again: nothing to do
    assert store.notice_text(first.version) == first.text and store.notice_text("9") is None
    changed = Notice(first.version, first.sections + (("Ajout", "Un paragraphe de plus."),))
    with pytest.raises(InputError) as refused:
        store.record_notice(changed)
    error = refused.value
    assert error.message == (f"le texte de la notice a changé mais sa version est toujours "
                             f"« {first.version} ».")
    assert (error.where, error.field) == ("questionnaire", "notice_version")
    assert str(error).startswith("questionnaire : le texte de la notice")
    assert error.fix == ("Donnez-lui un nouveau numéro de version : les consentements donnés sous l'ancienne "
                         "notice restent prouvés par son texte exact (règle FORM-08).")
    assert store.notice_text(first.version) == first.text
    with store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(answer_counts)).scalar_one() == 0


def test_what_each_change_stores_and_proves(store):
    token = cs.add(store, cs.with_email(email="avant@exemple.fr", meta_matching=True), now=T0)
    given = store.proofs()[0]
    assert given["language"] == "fr" and given["withdrawn_at"] is None and given["withdrawal_channel"] is None
    assert given["mechanism"] == ("widget:consent-email_recommendations,consent-personalisation,"
                                  "consent-meta_matching")
    old_link = store.new_confirmation(token, now=T0)[1]
    state = store.by_token(token).state()
    state.email, state.age_band = "apres@exemple.fr", "50-64"  # consents unchanged: still a proved change
    store.change(token, state, notice(), "preferences", now=T0)
    assert store.by_token(token).age_band == "50-64" and store.proofs()[-1]["event"] == "changed"
    assert store.confirm(old_link, WEEK, now=T0) is Confirmation.UNKNOWN  # the old address's link is dead
    later = T0 + timedelta(days=2)
    store.unsubscribe(token, notice(), now=later)
    assert (store.proofs()[-1]["ts_utc"], store.proofs()[-1]["withdrawal_channel"]) == (later, "email")
    store.withdraw_all(token, notice(), "courrier", now=later + WEEK)
    assert (store.proofs()[-1]["ts_utc"], store.proofs()[-1]["withdrawal_channel"]) == (later + WEEK, "courrier")


def test_counts_of_two_branches_stay_apart_and_in_order(store):
    theme = cs.offered_ids()[0]
    cs.add(store, cs.unconsented(postcode="75001", interests=[theme]), now=T0)
    cs.add(store, cs.unconsented(postcode="13014", interests=[theme]), now=T0)
    cs.add(store, cs.unconsented(postcode="13014", interests=[theme]), now=T0)
    by_day = [(r["branch_id"], r["theme_id"], r["answers"]) for r in store.counts_by_day()]
    assert by_day == sorted(by_day) and len(by_day) == 4
    assert sorted((r["branch_id"], r["counted_only"]) for r in store.stats()) == sorted(
        (b, n) for b, t, n in by_day if t == theme)


def test_a_withdrawal_keeps_its_time_when_the_person_is_erased_later(store):
    token = cs.add(store, cs.with_email(email="w@exemple.fr", personalisation=True), now=T0)
    store.withdraw_all(token, notice(), "api", now=T0 + WEEK)
    store.erase(token, now=T0 + 2 * WEEK)
    assert (store.proofs()[0]["withdrawn_at"], store.proofs()[0]["withdrawal_channel"]) == (T0 + WEEK, "api")


def test_members_each_have_their_own_interests_once(store):
    ids = cs.offered_ids()
    tokens = [cs.add(store, cs.answer(interests=ids[i:i + 2])) for i in range(3)]
    by_token = {m.token: m.interests for m in store.members()}
    assert [by_token[t] for t in tokens] == [sorted(ids[i:i + 2]) for i in range(3)]


def test_purge_keeps_the_proofs_of_people_still_here(store):
    token = cs.add(store, cs.answer(), now=T0)
    six_years = T0 + timedelta(days=6 * 366)
    store.touch(token, now=six_years)  # still in contact, though the proof is six years old
    report = store.purge(36, 5, now=six_years)
    assert (report.respondents, report.proofs) == (0, 0) and [p["event"] for p in store.proofs()] == ["given"]


def test_times_are_utc_whatever_the_servers_time_zone(monkeypatch):
    import time

    from outreach.community.store import utcnow

    monkeypatch.setenv("TZ", "Pacific/Kiritimati")  # UTC+14: a local clock would be half a day off
    time.tzset()
    try:
        assert abs(utcnow() - datetime.now(UTC).replace(tzinfo=None)) < timedelta(minutes=5)
    finally:
        monkeypatch.undo()
        time.tzset()

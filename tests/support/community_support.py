"""Shared pieces of the community tests: settings, a store on SQLite or PostgreSQL, a client, answers."""

from __future__ import annotations

import os
from functools import cache

import pytest
from sqlalchemy import text

from outreach.community.config import QuestionnaireConfig
from outreach.community.offer import PostcodeResolver
from outreach.community.store import Store, metadata
from outreach.settings import NetworkSettings

POSTGRES_ENV = "OUTREACH_TEST_POSTGRES_URL"
ORIGIN = "https://www.marseille.fr"
PUBLIC_URL = "https://questionnaire.mediatheques.example"


def settings() -> NetworkSettings:
    return NetworkSettings(network_name="Médiathèques de Marseille et de Paris", controller_name="Ville de Marseille",
                           dpo_contact="dpo@marseille.fr")


def config(**overrides) -> QuestionnaireConfig:
    values = dict(allowed_origins=[ORIGIN], public_url=PUBLIC_URL, rate_limit_per_minute=10_000)
    values.update(overrides)
    return QuestionnaireConfig(**values)


@cache
def resolver() -> PostcodeResolver:
    from outreach.datasets import shipped_areas, shipped_branches

    return PostcodeResolver(shipped_branches(), shipped_areas())


@cache
def themes():
    from outreach.themes import load_themes

    return tuple(load_themes())


def offered_ids() -> list[str]:
    return [t.id for t in themes() if t.sensitivity == "none"]


def flagged_ids() -> list[str]:
    return [t.id for t in themes() if t.sensitivity != "none"]


def fresh_store(kind: str, tmp_path) -> Store:
    if kind == "sqlite":
        return Store(f"sqlite:///{tmp_path / 'community.sqlite'}")
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        if os.environ.get("OUTREACH_REQUIRE_E2E") == "1":
            pytest.fail(f"{POSTGRES_ENV} is not set: CI must run the PostgreSQL tests")
        pytest.skip(f"PostgreSQL tests need {POSTGRES_ENV} (a server on 127.0.0.1; .ci/run starts one)")
    store = Store(url)  # creates the tables when missing
    with store.engine.begin() as conn:  # each test starts from empty tables (faster than dropping them)
        names = ", ".join(t.name for t in metadata.sorted_tables)
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    return store


def add(store: Store, body: dict, now=None) -> str:
    """Check an answer as the service does and store it under the current notice; its token."""
    from outreach.community.notice import render_notice
    from outreach.community.offer import build_offer
    from outreach.community.validation import validate_answer

    notice = render_notice(config(), settings())
    store.record_notice(notice)
    answer_ = validate_answer(body, build_offer(themes(), config()), resolver(), notice.version)
    return store.add_answer(answer_, notice, now=now)


def configured(tmp_path, monkeypatch) -> Store:
    """The network settings, the questionnaire settings and the database of the CLI and the app all in
    tmp_path (through their environment variables); the database's store."""
    import yaml

    (tmp_path / "network.yaml").write_text(yaml.safe_dump(settings().model_dump(mode="json")), encoding="utf-8")
    monkeypatch.setenv("OUTREACH_SETTINGS", str(tmp_path / "network.yaml"))
    monkeypatch.setenv("OUTREACH_QUESTIONNAIRE", str(tmp_path / "questionnaire.yaml"))
    url = f"sqlite:///{tmp_path / 'community.sqlite'}"
    monkeypatch.setenv("OUTREACH_DATABASE_URL", url)
    return Store(url)


def answer(**overrides) -> dict:
    """A valid answer that is kept: two interests in Marseille 1er, an adult who granted personalisation
    only (an answer granting nothing is only counted: see unconsented)."""
    body = {"interests": offered_ids()[:2], "postcode": "13001", "age_band": "25-34",
            "consents": {"personalisation": True}, "notice_version": "1",
            "page_url": "https://www.marseille.fr/services/inscription-cantine", "mechanism": "widget"}
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


def unconsented(**overrides) -> dict:
    """A valid answer that grants nothing: it is counted, nothing about the person is kept."""
    return answer(**({"consents": {}, "age_band": None} | overrides))


def with_email(email="Alice.Martin@Example.FR", age="25-34", **consents) -> dict:
    granted = {"email_recommendations": True} | consents
    return answer(email=email, age_band=age, consents=granted)


def confirm(store: Store, token: str) -> None:
    """Follow the confirmation link the person would receive (double opt-in), as the service does."""
    from datetime import timedelta

    made = store.new_confirmation(token)
    assert made is not None, "nothing to confirm for this token"
    assert store.confirm(made[1], timedelta(days=7)).value == "confirmed"


def add_confirmed(store: Store, body: dict, now=None) -> str:
    """An answer stored and its address confirmed by the link sent to it."""
    token = add(store, body, now=now)
    confirm(store, token)
    return token


@pytest.fixture(name="store")
def sqlite_store(tmp_path):
    """A fresh SQLite consent store, disposed after the test: import it into a test module to use it."""
    store = fresh_store("sqlite", tmp_path)
    yield store
    store.dispose()

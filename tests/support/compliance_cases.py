"""Evaluating the checklist on the campaign files of tests/fixtures/compliance (planned for real)."""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import date
from functools import lru_cache

from outreach.campaign import load_campaign
from outreach.compliance import build_context, evaluate
from outreach.compliance.community_facts import ConsentOption, QuestionnaireFacts
from outreach.meta.files import plan_campaign
from outreach.model import Theme
from outreach.settings import NetworkSettings
from outreach.themes import load_themes
from tests.support import FIXTURES

CASES = FIXTURES / "compliance"
# no calendar of elections: each check is tested alone (AD-03 is tested with the dates its cases give)
SETTINGS = NetworkSettings(controller_name="Ville de Marseille", dpo_contact="dpo@mairie.example.fr",
                           min_daily_budget_eur=1.0, elections=[])
TODAY = date(2027, 2, 1)

# what the community capability's questionnaire says of itself (one consent per purpose, unticked…)
GOOD_QUESTIONNAIRE = QuestionnaireFacts(
    notice_text=(CASES / "notice.txt").read_text(encoding="utf-8"),
    consents=[ConsentOption("email_recommendations"), ConsentOption("personalisation"),
              ConsentOption("meta_matching")],
    fields=["interests", "postcode", "age_band", "email", "consents", "notice_version"],
    min_age=15, withdrawal_url="https://questionnaire.mairie.example.fr/preferences", origin="tests")


@lru_cache(maxsize=1)
def shipped_themes():
    return tuple(load_themes())


@lru_cache(maxsize=1)
def themes_with_blocked():
    """The shipped catalogue plus a theme the DPO marked `block` (a real extension of data/themes.yaml)."""
    themes = list(shipped_themes())
    themes.append(Theme(id="spiritualites", label="Religions et spiritualités", sensitivity="block",
                        meta_interests=[{"name": "Spirituality"}], keywords=["spiritualité"]))
    return tuple(themes)


@lru_cache(maxsize=32)
def planned(name: str):
    campaign = load_campaign(CASES / name, settings=SETTINGS)
    themes = themes_with_blocked() if name == "theme-bloque.yaml" else None
    plan, payloads = plan_campaign(campaign, themes=list(themes or shipped_themes()))
    return campaign, plan, payloads


def checklist(name: str, *, settings=SETTINGS, questionnaire=None, edit=None, plan=True, attestations=None):
    campaign, built_plan, payloads = planned(name)
    payloads = copy.deepcopy(payloads)
    if edit:
        edit(payloads)
    themes = themes_with_blocked() if name == "theme-bloque.yaml" else shipped_themes()
    ctx = build_context(campaign, built_plan if plan else None, payloads, themes=themes, settings=settings,
                        questionnaire=questionnaire if questionnaire is not None else GOOD_QUESTIONNAIRE,
                        today=TODAY, campaign_path=CASES / name)
    if questionnaire is False:
        ctx.questionnaire = None
    return evaluate(ctx, attestations)


def facts(**changes) -> QuestionnaireFacts:
    return replace(GOOD_QUESTIONNAIRE, **changes)

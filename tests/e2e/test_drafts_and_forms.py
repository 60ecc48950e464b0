"""Small things a user meets in a real browser, on the shared server (tests/e2e/conftest.py): the Thèmes page's
draft ad never announces an event of the demonstration agenda; « Nouvelle campagne » starts from an empty form;
an empty date reads as empty, in French.
"""

from __future__ import annotations

import re

import pytest

from outreach.themes import DEMO_BRANCHES, load_themes, shipped_events, summarise
from tests.e2e.test_walkthrough_new_network import choose
from tests.support.app_page import TIMEOUT, go, settle


def demo_event_of(theme_label: str, branch_id: str) -> str:
    """The title of the demonstration agenda's next event for this theme at this branch (the page's date)."""
    from datetime import date

    themes = [t for t in load_themes() if t.label == theme_label]
    summary = summarise([], shipped_events(date.today()), themes, [branch_id], date.today())
    events = summary[(themes[0].id, branch_id)].next_events
    if not events:
        pytest.fail(f"l'agenda de démonstration n'a plus de rendez-vous « {theme_label} » à {branch_id}")
    return events[0].title


def test_the_per_branch_draft_announces_no_event_of_the_demonstration_agenda(app_page):
    page = app_page
    branch = DEMO_BRANCHES[0]  # the tab's first branch
    title = demo_event_of("Jeux vidéo", branch)
    go(page, "Thèmes", "Thèmes")
    page.get_by_role("tab", name="Par bibliothèque").click()
    choose(page, "Détail du thème", "Jeux vidéo")
    # the demonstration agenda is shown as such, under its caption...
    page.get_by_text("Prochains rendez-vous").first.wait_for(timeout=TIMEOUT)
    assert title in page.locator("[data-testid='stMain']").inner_text()
    # ...but the draft, text that could be pasted into an ad or a post, names none of its events
    page.get_by_text("Brouillon d'annonce").first.wait_for(timeout=TIMEOUT)
    boxes = page.locator("[data-testid='stAlert']").all_inner_texts()
    assert not [b for b in boxes if title in b], boxes
    page.get_by_text("ceux de l'agenda de démonstration n'ont lieu dans aucune de vos bibliothèques").wait_for(
        timeout=TIMEOUT)
    settle(page)


def test_a_new_campaign_starts_from_an_empty_form(app_page):
    from playwright.sync_api import expect

    from outreach.campaign import load_campaign
    from outreach.datasets import example_campaign_path

    page = app_page
    example = load_campaign(example_campaign_path())
    go(page, "Campagne", "Campagne")
    name = page.get_by_label("Nom de la campagne", exact=True)
    expect(name).to_have_value(example.name, timeout=TIMEOUT)
    form = page.locator("[data-testid='stForm']").first
    chips = form.locator("[data-testid='stMultiSelect'] [data-tag]")  # the themes chosen
    assert chips.first.get_attribute("aria-label") == "Science-fiction" and example.themes == ["science-fiction"]
    assert re.search(r"\d", page.get_by_label("Début", exact=True).inner_text())
    choose(page, "Fichier de campagne", "Nouvelle campagne")
    expect(name).to_have_value("", timeout=TIMEOUT)
    assert chips.count() == 0  # no theme of the example kept
    for field in ("Bibliothèques (identifiants, facultatif)", "Zones (codes INSEE, facultatif)",
                  "Centres d'intérêt Meta en plus (séparés par des virgules)"):
        expect(page.get_by_label(field, exact=True)).to_have_value("", timeout=TIMEOUT)
    for field in ("Début", "Fin"):  # no date of the example's period
        assert not re.search(r"\d", page.get_by_label(field, exact=True).inner_text())


# what a date field shows: each segment's text, or the text drawn in its place when it is empty
SHOWN_DATE = """field => Array.from(field.querySelectorAll('[role=group] > span')).map(s => {
    const drawn = getComputedStyle(s, '::after').content;
    const own = parseFloat(getComputedStyle(s).fontSize) > 0 ? s.textContent : '';
    return own + (drawn && drawn !== 'none' ? JSON.parse(drawn) : '');
}).join('')"""


def test_an_empty_date_reads_in_french_and_can_still_be_typed(app_page):
    from tests.e2e.test_walkthrough_new_network import type_date

    page = app_page
    go(page, "Tableau de bord", "Tableau de bord")
    since = page.locator("[data-testid='stDateInput']").filter(has_text="Du").first
    since.wait_for(timeout=TIMEOUT)
    assert since.evaluate(SHOWN_DATE) == "jj/mm/aaaa"
    type_date(page, "Du", "15032027")
    settle(page)
    assert since.evaluate(SHOWN_DATE) == "15/03/2027"

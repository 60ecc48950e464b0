"""Every page of the app in a real browser, as a user sees it with every tab and expander opened: no English
nor developer word (tests/support/french_screen.py); each form's error under the field it is about; the
Questionnaire page's preview of the real pop-up, usable with the keyboard and axe-clean.

Runs on the shared server (tests/e2e/conftest.py): nothing here is saved, only refused or previewed.
"""

from __future__ import annotations

import re

import pytest

from tests.e2e.test_accessibility import AXE, axe_violations
from tests.support import ROOT
from tests.support.app_page import TIMEOUT, go, settle
from tests.support.browser import screenshot
from tests.support.french_screen import english_words, screen_text

# every page of the navigation, read from the entry point so that a page added there is checked too
PAGES = re.findall(r'page\("[\w_]+\.py", "([^"]+)"', (ROOT / "streamlit_app.py").read_text(encoding="utf-8"))


# the main area's text unchanged for 200 ms (kept on the window between two polls of the browser)
TEXT_STILL = """() => {
    const text = document.querySelector('[data-testid=stMain]').innerText, now = performance.now();
    if (window.__textStill?.text !== text) { window.__textStill = {text, since: now}; return false; }
    return now - window.__textStill.since >= 200;
}"""


def open_expanders(page) -> None:
    for summary in page.locator("[data-testid='stMain'] details:not([open]) > summary").all():
        if summary.is_visible():
            summary.click()
    settle(page)
    # what an expander holds is drawn once it opens: read the page once its text has stopped changing
    page.wait_for_function(TEXT_STILL, timeout=TIMEOUT)


def test_pages_list_every_page_of_the_navigation():
    assert len(PAGES) >= 10 and {"Territoire", "Paramètres", "Questionnaire & communauté"} <= set(PAGES)


def test_no_english_nor_developer_word_on_any_page_tabs_and_expanders_open(app_page):
    page, found = app_page, {}
    for label in PAGES:
        page.locator("[data-testid='stSidebar']").get_by_role("link", name=label, exact=True).click()
        page.wait_for_function("(t) => document.title.startsWith(t)", arg=label.split(" &")[0], timeout=TIMEOUT)
        settle(page)
        texts = []
        tabs = page.locator("[data-testid='stMain'] [role=tab]")
        for i in range(max(tabs.count(), 1)):
            if tabs.count():
                tabs.nth(i).click()
                settle(page)
            open_expanders(page)
            texts.append(screen_text(page))
        words = sorted(set(english_words("\n".join(texts))))
        if words:
            found[label] = words
    assert not found, f"mots anglais ou de développeur à l'écran : {found}"


def error_between(page, message: str, above: str, below: str) -> None:
    """The error `message` shows under the field labelled `above` and before the one labelled `below`."""
    error = page.locator("[data-testid='stAlert']", has_text=message).first
    error.wait_for(timeout=TIMEOUT)
    top = page.get_by_label(above, exact=True).bounding_box()
    bottom = page.get_by_label(below, exact=True).bounding_box()
    box = error.bounding_box()
    assert top["y"] < box["y"] < bottom["y"], (message, top, box, bottom)
    assert abs(box["x"] - top["x"]) < 40  # in the field's column, not across the page


def test_parametres_errors_sit_under_their_field(app_page):
    page = app_page
    go(page, "Paramètres", "Paramètres du réseau")
    website = page.get_by_label("Site web (page d'arrivée des publicités)", exact=True)
    website.fill("http://mediatheques.example.fr/")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    settle(page)
    error_between(page, "commence par https://", "Site web (page d'arrivée des publicités)",
                  "Adresse du blog (WordPress)")
    assert page.get_by_text("Paramètres enregistrés").count() == 0
    screenshot(page, "20-parametres-erreur")


def test_campagne_errors_sit_under_their_field(app_page):
    page = app_page
    go(page, "Campagne", "Campagne")
    page.get_by_text("Ensembles de publicités").first.wait_for(timeout=TIMEOUT)  # the example campaign, planned
    for label, value in (("Nom de la campagne", ""), ("Page d'arrivée (https://…)", "http://mediatheques.example.fr/")):
        field = page.get_by_label(label, exact=True)
        field.fill(value)
        field.press("Tab")
    page.get_by_role("button", name="Construire le plan", exact=True).click()
    settle(page)
    # an empty name and an http:// landing page: each problem under its own field, no field id nor file
    error_between(page, "Ne doit pas être vide", "Nom de la campagne", "Thèmes")
    error_between(page, "https://", "Page d'arrivée (https://…)", "Page Facebook")
    text = page.locator("[data-testid='stMain']").inner_text()
    assert "formulaire —" not in text and "landing_url" not in text and "name (" not in text
    screenshot(page, "21-campagne-erreurs")


def preview_frame(page):
    go(page, "Questionnaire & communauté", "Questionnaire & communauté")
    page.get_by_role("tab", name="Aperçu").click()
    frame_element = page.locator("iframe[title='Aperçu du questionnaire sur une page de services en ligne']")
    frame_element.wait_for(timeout=TIMEOUT)
    frame = frame_element.element_handle().content_frame()
    frame.get_by_role("button", name="Répondre").wait_for(timeout=TIMEOUT)
    return frame_element, frame


def test_questionnaire_preview_is_the_real_popup_with_the_networks_texts(app_page):
    if not AXE.exists():
        pytest.skip("axe-core absent (tests/vendor/axe.min.js)")
    page = app_page
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    frame_element, frame = preview_frame(page)
    # the keyboard reaches the invitation inside the frame and opens the form
    frame.get_by_role("button", name="Répondre").focus()
    page.keyboard.press("Enter")
    dialog = frame.get_by_role("dialog")
    dialog.wait_for(timeout=TIMEOUT)
    # the network's themes (Thèmes page) and its notice (controller from the settings)
    assert dialog.get_by_role("checkbox", name="Science-fiction").count() == 1
    dialog.get_by_text("Comment sont utilisées vos données").click()
    assert "Ville de Marseille" in dialog.inner_text()
    for _ in range(40):  # Tab stays inside the dialog
        page.keyboard.press("Tab")
        assert frame.locator("[role=dialog]").evaluate("d => d.contains(document.activeElement)")
    frame.get_by_role("checkbox", name="Science-fiction").check()
    frame.get_by_label("Code postal de votre domicile").fill("13001")
    frame.get_by_role("button", name="Valider").click()
    frame.get_by_role("heading", name="Aperçu : réponse non envoyée").wait_for(timeout=TIMEOUT)
    assert not [u for u in requests if "/api/" in u]  # nothing sent anywhere
    assert frame.evaluate("() => localStorage.getItem('outreach-questionnaire:choice')") is None
    # axe inside the frame, with the form open again, then on the page around it
    frame.get_by_role("button", name="Fermer", exact=True).click()
    frame.get_by_role("button", name="Revoir l'invitation").click()
    frame.get_by_role("button", name="Répondre").click()
    frame.get_by_role("dialog").wait_for(timeout=TIMEOUT)
    frame.add_script_tag(path=str(AXE))
    violations = frame.evaluate("""async () => {
        const r = await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
        return r.violations.map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '));
    }""")
    assert violations == []
    screenshot(page, "22-questionnaire-apercu")
    page.keyboard.press("Escape")
    assert axe_violations(page) == []

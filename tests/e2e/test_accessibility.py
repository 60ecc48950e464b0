"""RGAA / WCAG 2.1 AA on every page of the app, in Chromium, with axe-core (as the widget's test does).

Every page: no axe violation (WCAG 2.1 A and AA rules), its own document title, the document in French,
headings in order, a focus ring that shows. The dashboard, with the demonstration results loaded, names its
charts by what they show and gives their data as tables.
"""

from __future__ import annotations

import pytest

from tests.support import ROOT
from tests.support.app_page import TIMEOUT, new_page, settle
from tests.support.browser import unavailable

AXE = ROOT / "tests" / "vendor" / "axe.min.js"
PAGES = ["Accueil", "Territoire", "Thèmes", "Campagne", "RGPD", "Multicanal", "Exporter",
         "Questionnaire & communauté", "Tableau de bord", "Paramètres"]


def axe_violations(page) -> list[dict]:
    # elements of the previous run fade (data-stale) until the new one replaces them: judge the page as it stays
    page.wait_for_function("() => !document.querySelector('[data-stale=\"true\"]')", timeout=TIMEOUT)
    page.add_script_tag(path=str(AXE))
    return page.evaluate("""async () => {
        const r = await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
        return r.violations.map(v => ({id: v.id, nodes: v.nodes.map(n => n.target.join(' ') + ' — ' + n.failureSummary)}));
    }""")


def headings(page) -> list[int]:
    return page.evaluate("() => [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')]"
                         ".filter(h => h.offsetParent !== null).map(h => Number(h.tagName[1]))")


@pytest.fixture
def a11y_page(browser, app_server):
    if not AXE.exists():
        unavailable(f"axe-core absent ({AXE.relative_to(ROOT)}) : npm pack axe-core, puis extraire axe.min.js")
    page = new_page(browser, viewport={"width": 1400, "height": 2000}, bypass_csp=True)
    app_server["visited"] = True  # the walkthrough's cold-start timing then starts from its own visit
    page.goto(app_server["url"])
    page.get_by_role("heading", name="outreach — faire connaître la médiathèque").wait_for(timeout=TIMEOUT)
    settle(page)
    yield page
    page.context.close()


def test_every_page_passes_axe_with_its_own_title_french_and_ordered_headings(a11y_page):
    page, titles = a11y_page, set()
    for label in PAGES:
        page.locator("[data-testid='stSidebar']").get_by_role("link", name=label, exact=True).click()
        page.wait_for_function("(t) => document.title.startsWith(t)", arg=label.split(" &")[0], timeout=TIMEOUT)
        settle(page)
        page.wait_for_function("() => document.documentElement.lang === 'fr'", timeout=TIMEOUT)
        assert axe_violations(page) == [], label
        titles.add(page.title())
        levels = headings(page)
        assert levels and levels[0] == 1, (label, levels)
        assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False)), (label, levels)
    assert len(titles) == len(PAGES)


def test_focus_is_visible(a11y_page):
    page = a11y_page
    page.wait_for_function("() => [...document.querySelectorAll('style')]"
                           ".some(s => s.textContent.includes(':focus-visible { outline: 3px'))", timeout=TIMEOUT)
    stops = []
    for _ in range(40):
        page.keyboard.press("Tab")
        stops.append(page.evaluate("() => document.activeElement.tagName"))
        if page.evaluate("() => document.activeElement.dataset.testid === 'stPageLink-NavLink'"):
            break
    else:
        raise AssertionError(f"no page link reached with the keyboard: {stops}")
    assert "IFRAME" not in stops  # no invisible stop on the way
    style = page.evaluate("() => { const s = getComputedStyle(document.activeElement); "
                          "return [s.outlineStyle, parseFloat(s.outlineWidth), s.outlineColor]; }")
    assert style[0] != "none" and style[1] >= 2, style


def test_dashboard_charts_say_what_they_show_and_give_their_data(a11y_page):
    page = a11y_page
    page.locator("[data-testid='stSidebar']").get_by_role("link", name="Tableau de bord", exact=True).click()
    settle(page)
    page.get_by_role("button", name="Charger la démonstration").click()
    page.get_by_text("Données du graphique").first.wait_for(state="attached", timeout=TIMEOUT)
    page.wait_for_selector(".vega-embed[role=graphics-document]", timeout=TIMEOUT)
    settle(page)
    labels = page.evaluate("() => [...document.querySelectorAll('[role=graphics-document]')]"
                           ".map(e => e.getAttribute('aria-label'))")
    assert labels and "Vega visualization" not in labels and any("thème" in (x or "") for x in labels), labels
    assert axe_violations(page) == []

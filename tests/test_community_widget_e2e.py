"""The embeddable pop-up in a real browser (Debian's Chromium through Playwright), on a municipal page
served from another origin, talking to the real service started by `outreach questionnaire serve`.

Checks A11Y-01 (RGAA: keyboard use, focus kept inside and given back, labelled fields, « Non merci » as
visible as « Valider », dismissible, never blocking the page) and runs axe-core (WCAG 2.1 A/AA rules).
Skipped without /usr/bin/chromium or axe.min.js, except in CI (OUTREACH_REQUIRE_E2E=1) where it fails.
"""

from __future__ import annotations

import os
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
import yaml

from tests.support import ROOT
from tests.support.browser import require_browser, unavailable
from tests.support.questionnaire_service import serving

pytestmark = pytest.mark.e2e

AXE = ROOT / "tests" / "vendor" / "axe.min.js"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


HOST_PAGE = """<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Inscription à la cantine — Ville</title></head>
<body><header><a href="#contenu" id="skip">Aller au contenu</a></header>
<main id="contenu"><h1>Inscription à la cantine scolaire</h1>
<label for="child">Nom de l'enfant</label> <input id="child" type="text">
<button id="host-button" type="button" onclick="document.getElementById('out').textContent='ok'">Continuer</button>
<p id="out"></p></main>
<script src="SERVICE/widget.js" defer></script></body></html>"""


class HostPage:
    """A municipal e-service page on its own origin that embeds the widget."""

    def __init__(self, service_url: str):
        html = HOST_PAGE.replace("SERVICE", service_url).encode("utf-8")

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(html)))
                self.end_headers()
                self.wfile.write(html)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    require_browser()
    if not AXE.exists():
        unavailable(f"axe-core absent ({AXE.relative_to(ROOT)}) : npm pack axe-core, puis extraire axe.min.js")
    tmp = tmp_path_factory.mktemp("widget")
    port = free_port()
    service_url = f"http://127.0.0.1:{port}"
    host = HostPage(service_url)
    (tmp / "network.yaml").write_text(yaml.safe_dump({"network_name": "Médiathèques de Marseille",
                                                      "controller_name": "Ville de Marseille",
                                                      "dpo_contact": "dpo@marseille.fr"}), encoding="utf-8")
    (tmp / "questionnaire.yaml").write_text(yaml.safe_dump({"public_url": service_url,
                                                            "allowed_origins": [host.url],
                                                            "rate_limit_per_minute": 1000}), encoding="utf-8")
    env = os.environ | {"OUTREACH_SETTINGS": str(tmp / "network.yaml"),
                        "OUTREACH_QUESTIONNAIRE": str(tmp / "questionnaire.yaml"),
                        "OUTREACH_DATABASE_URL": f"sqlite:///{tmp / 'community.sqlite'}",
                        "OUTREACH_ADMIN_TOKEN": "admin-e2e"}
    with serving(tmp, port, env):
        yield {"service": service_url, "host": host.url}
    host.stop()


@pytest.fixture
def page(browser, servers):
    context = browser.new_context(locale="fr-FR", bypass_csp=True)  # lets axe-core be injected
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(servers["host"])
    page.wait_for_selector("#oq-open")
    yield page
    assert not errors, errors
    context.close()


def axe_violations(page, selector: str) -> list:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("""async (sel) => {
        const r = await axe.run(document.querySelector(sel),
            {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
        return r.violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' '))}));
    }""", selector)
    return result


def focus_in(page, selector: str) -> bool:
    return page.evaluate("(sel) => !!document.querySelector(sel) && document.querySelector(sel).contains(document.activeElement)", selector)


def test_invitation_never_blocks_the_page(page):
    (ROOT / "test-artifacts").mkdir(exist_ok=True)
    page.screenshot(path=str(ROOT / "test-artifacts" / "widget-invitation.png"))
    page.fill("#child", "Camille")  # the host page stays usable while the invitation is shown
    page.click("#host-button")
    assert page.text_content("#out") == "ok"
    assert page.get_attribute(".oq-invite", "role") == "region"
    assert axe_violations(page, ".oq-invite") == []


def test_keyboard_opens_traps_and_returns_focus(page):
    page.focus("#oq-open")
    page.keyboard.press("Enter")
    page.wait_for_selector(".oq-dialog")
    assert page.get_attribute(".oq-dialog", "aria-modal") == "true"
    assert focus_in(page, ".oq-dialog")
    for _ in range(45):  # more presses than there are controls: focus never leaves the dialog
        page.keyboard.press("Tab")
        assert focus_in(page, ".oq-dialog")
    for _ in range(10):
        page.keyboard.press("Shift+Tab")
        assert focus_in(page, ".oq-dialog")
    page.keyboard.press("Escape")
    assert page.query_selector(".oq-dialog") is None
    assert page.evaluate("document.activeElement.id") == "oq-open"  # focus given back


def test_dialog_passes_axe_and_non_merci_looks_like_valider(page):
    page.click("#oq-open")
    page.wait_for_selector(".oq-dialog")
    (ROOT / "test-artifacts").mkdir(exist_ok=True)
    page.screenshot(path=str(ROOT / "test-artifacts" / "widget-dialog.png"))
    assert axe_violations(page, ".oq-dialog") == []
    styles = page.evaluate("""() => ['oq-submit', 'oq-refuse'].map(id => {
        const el = document.getElementById(id), s = getComputedStyle(el), box = el.getBoundingClientRect();
        return [s.backgroundColor, s.color, s.fontSize, s.fontWeight, s.borderColor, s.padding, Math.round(box.height),
                box.width >= 100];
    })""")
    assert styles[0] == styles[1]
    # every purpose unticked by default, every field labelled
    assert page.evaluate("[...document.querySelectorAll('#oq-consents input')].every(i => !i.checked)")
    assert page.evaluate("""[...document.querySelectorAll('.oq-dialog input, .oq-dialog select')]
                            .every(i => i.labels && i.labels.length === 1 && i.labels[0].textContent.trim())""")


def test_errors_are_announced_next_to_their_fields(page):
    page.click("#oq-open")
    page.click("#oq-submit")
    page.wait_for_selector("#oq-errors:not([hidden])")
    assert page.evaluate("document.activeElement.id") == "oq-errors"
    assert page.get_attribute("#oq-postcode", "aria-invalid") == "true"
    assert "5 chiffres" in page.text_content("#oq-errors")
    assert axe_violations(page, ".oq-dialog") == []


def test_answer_with_the_keyboard_only(page, servers):
    page.focus("#oq-open")
    page.keyboard.press("Enter")
    page.wait_for_selector(".oq-dialog")
    page.focus("#oq-theme-science-fiction")
    page.keyboard.press("Space")
    page.focus("#oq-postcode")
    page.keyboard.type("13001")
    page.select_option("#oq-age", "25-34")
    page.focus("#consent-email_recommendations")
    page.keyboard.press("Space")
    page.focus("#oq-email")
    page.keyboard.type("lecteur@example.fr")
    page.focus("#oq-submit")
    page.keyboard.press("Enter")
    page.wait_for_selector(".oq-ok")
    (ROOT / "test-artifacts").mkdir(exist_ok=True)
    page.screenshot(path=str(ROOT / "test-artifacts" / "widget-thanks.png"))
    assert "Merci" in page.text_content(".oq-ok") and focus_in(page, ".oq-dialog")
    assert "e-mail de confirmation vient d'être envoyé à lecteur@example.fr" in page.text_content(".oq-ok")
    link = page.get_attribute(".oq-ok a", "href")
    assert link.startswith(servers["service"] + "/preferences/")
    page.click("#oq-done")
    assert page.query_selector(".oq-invite") is None
    stats = httpx.get(f"{servers['service']}/api/stats", headers={"Authorization": "Bearer admin-e2e"}).json()
    # stored, its e-mail consent waiting for the address to be confirmed (double opt-in): not usable yet
    assert any(r["theme_id"] == "science-fiction" and r["members"] >= 1 and r["email_recommendations"] == 0
               for r in stats["by_theme_and_branch"])
    # the preference page it links to is accessible too
    page.goto(link)
    page.screenshot(path=str(ROOT / "test-artifacts" / "preferences.png"), full_page=True)
    assert axe_violations(page, "body") == []


def test_non_merci_dismisses_and_is_remembered(page, servers):
    page.click("#oq-invite-refuse")
    assert page.query_selector(".oq-invite") is None
    assert "refused" in page.evaluate("localStorage.getItem('outreach-questionnaire:choice')")
    page.reload()
    page.wait_for_function("window.__outreachQuestionnaire === true")  # the script ran…
    page.wait_for_load_state("networkidle")
    assert page.query_selector(".oq-invite") is None  # …and did not nag on the next page


def test_non_merci_inside_the_form_closes_everything(page):
    page.focus("#oq-open")
    page.keyboard.press("Enter")
    page.wait_for_selector(".oq-dialog")
    page.focus("#oq-refuse")
    page.keyboard.press("Enter")
    assert page.query_selector(".oq-dialog") is None and page.query_selector(".oq-invite") is None
    page.fill("#child", "Camille")  # the page is as it was


def test_questionnaire_page_is_the_same_form(browser, servers):
    strict = browser.new_context(locale="fr-FR")  # the page's Content-Security-Policy applies
    page = strict.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{servers['service']}/questionnaire")
    page.wait_for_selector("#oq-submit")
    assert not errors, errors
    strict.close()
    context = browser.new_context(locale="fr-FR", bypass_csp=True)  # lets axe-core be injected
    page = context.new_page()
    page.goto(f"{servers['service']}/questionnaire")
    page.wait_for_selector("#oq-submit")
    assert page.text_content("#oq-refuse") == "Non merci"
    assert axe_violations(page, "body") == []
    context.close()


def test_text_from_the_server_is_never_parsed_as_html(browser, servers):
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    evil = '<img src=x onerror="window.__pwned=1">Science-fiction'

    def tamper(route):
        data = route.fetch().json()
        data["themes"][0]["label"] = evil
        data["notice"]["sections"][0]["text"] = "<script>window.__pwned=2</script>"
        route.fulfill(json=data)

    page.route("**/api/questionnaire", tamper)
    page.goto(servers["host"])
    page.click("#oq-open")
    page.wait_for_selector(".oq-dialog")
    assert page.text_content(f"label[for=oq-theme-{'science-fiction'}]") == evil
    assert page.query_selector(".oq-dialog img, .oq-dialog script") is None
    assert page.evaluate("window.__pwned") is None
    context.close()

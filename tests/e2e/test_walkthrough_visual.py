"""(Named to run after test_walkthrough.py, whose first test times the app's cold start from the session's
shared server.) The Campagne page's preview in a real browser: the ad shown as a feed post, its visual replaced by an
upload (checked as Meta would), then the default one back; the campaign file keeps the choice. On the shared
server, whose home (the campaign changed, the visuals saved) is put back afterwards for the other walks."""

import io
import re

from PIL import Image

from tests.support.app_page import TIMEOUT, go, settle, upload
from tests.support.browser import screenshot


def jpeg(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (20, 110, 70)).save(out, "JPEG")
    return out.getvalue()


def preview_image(page) -> str:
    return page.locator(".feed-post img").first.get_attribute("src")


def test_replace_the_visual_of_an_ad_then_go_back(app_server, restored_home, page):
    page.goto(app_server["url"])
    page.get_by_role("heading", name="outreach — faire connaître la médiathèque").wait_for(timeout=TIMEOUT)
    go(page, "Campagne", "Campagne")
    page.get_by_role("heading", name="Aperçu de la publicité").wait_for(timeout=TIMEOUT)
    post = page.locator(".feed-post").first
    post.wait_for(timeout=TIMEOUT)
    assert "Sponsorisé" in post.inner_text() and "En savoir plus" in post.inner_text()
    drawn = preview_image(page)
    assert drawn.startswith("data:image/png;base64,")
    assert re.match(r"Affiche : « .+ », .+\.", post.locator("img").get_attribute("alt"))

    uploader = page.locator("[data-testid='stFileUploader']").filter(has_text="Remplacer le visuel") \
        .locator("input[type='file']")
    # a story-format image is refused beside the input, in French, and nothing changes
    upload(page, uploader, {"name": "story.jpg", "mimeType": "image/jpeg", "buffer": jpeg(1080, 1920)})
    page.get_by_role("button", name="Utiliser cette image").click()
    page.get_by_text("stories et reels").wait_for(timeout=TIMEOUT)
    assert preview_image(page) == drawn

    upload(page, uploader, {"name": "salle.jpg", "mimeType": "image/jpeg", "buffer": jpeg(1080, 1350)})
    page.get_by_role("button", name="Utiliser cette image").click()
    page.wait_for_function("(src) => { const i = document.querySelector('.feed-post img');"
                           " return i && i.src !== src; }", arg=drawn, timeout=TIMEOUT)
    settle(page)
    assert preview_image(page).startswith("data:image/jpeg;base64,")
    saved = list((restored_home / "campaigns" / "visuels").glob("*.jpg"))
    assert len(saved) == 1 and Image.open(saved[0]).size == (1080, 1350)
    screenshot(page, "03b-campagne-visuel")

    page.get_by_role("button", name="Revenir au visuel par défaut").click()
    page.wait_for_function("(src) => { const i = document.querySelector('.feed-post img');"
                           " return i && i.src === src; }", arg=drawn, timeout=TIMEOUT)

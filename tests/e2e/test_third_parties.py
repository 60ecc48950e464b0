"""What the browser fetches while the app opens: nothing from another site than the app's own server.

Streamlit turns a Material page icon into the tab's icon by fetching its image from fonts.gstatic.com
(Google): the pages are declared without one (their links in the sidebar draw theirs with the font the app
serves), so opening the app tells no third party about the user.
"""

from __future__ import annotations

from tests.support.app_page import TIMEOUT, settle


def test_the_first_page_fetches_nothing_from_another_site(app_server, page):
    fetched = []
    page.on("request", lambda request: fetched.append(request.url))
    page.goto(app_server["url"])
    page.get_by_role("heading", name="outreach — faire connaître la médiathèque").wait_for(timeout=TIMEOUT)
    settle(page)
    assert fetched, "no request seen"
    assert [url for url in fetched if not url.startswith((app_server["url"], "data:", "blob:"))] == []

"""The app's first page shows its heading before anything heavy is loaded (issue #17, the cold start).

Runs the whole app (streamlit_app.py) in a fresh interpreter with Streamlit's AppTest, the background warm-up
turned off (it would load everything a second after the page), and notes which modules were loaded when the
page's heading was written and once the page was done. bench/bench_app.py measures the times themselves.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.support import ROOT

RUN = """
import json, sys
import streamlit
from streamlit.testing.v1 import AppTest
from app import warmup

warmup.start = lambda: None  # measured here: the first page alone
seen = {}
title = streamlit.title

def noting_title(*args, **kwargs):
    seen.setdefault("at the heading", sorted(sys.modules))
    return title(*args, **kwargs)

streamlit.title = noting_title
order = []  # the elements whose code a browser loads only when the first of them arrives, and the heading
page_link, html = streamlit.page_link, streamlit.html

def noting_link(*args, **kwargs):
    order.append("page link")
    return page_link(*args, **kwargs)

def noting_html(*args, **kwargs):
    order.append("scripted html" if kwargs.get("unsafe_allow_javascript") else "style")
    return html(*args, **kwargs)

streamlit.page_link, streamlit.html = noting_link, noting_html
title_before = noting_title

def ordered_title(*args, **kwargs):
    order.append("heading")
    return title_before(*args, **kwargs)

streamlit.title = ordered_title
at = AppTest.from_file("streamlit_app.py", default_timeout=120).run()
print(json.dumps({"exception": [e.value for e in at.exception], "titles": [t.value for t in at.title],
                  "order": order,
                  "notices": [i.value for i in at.info], "at the heading": seen.get("at the heading", []),
                  "at the end": sorted(sys.modules)}))
"""


def first_page(tmp_path) -> dict:
    env = {"OUTREACH_SETTINGS": str(tmp_path / "network.yaml"), "OUTREACH_CACHE_DIR": str(tmp_path / "cache")}
    done = subprocess.run([sys.executable, "-c", RUN], cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env={**os.environ, **env}, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def loaded(modules: list[str], names: tuple[str, ...]) -> list[str]:
    return sorted({n for m in modules for n in names if m == n or m.startswith(n + ".")})


def test_the_heading_is_written_before_pydantic_yaml_the_emojis_and_the_data_libraries(tmp_path):
    page = first_page(tmp_path)
    assert page["exception"] == []
    assert page["titles"] == ["outreach — faire connaître la médiathèque"]
    # the heading first; the settings (pydantic, YAML) and Streamlit's table of emojis (the tab's 📚, the
    # notices' icons) follow it; no data library
    assert loaded(page["at the heading"], ("pydantic", "yaml", "pandas", "numpy", "outreach.settings",
                                           "streamlit.emojis")) == []
    assert loaded(page["at the end"], ("pydantic", "yaml", "outreach.settings")) == ["outreach.settings", "pydantic",
                                                                                     "yaml"]
    # the page is whole: its next step, read from the (empty) settings, is there
    assert any("page Facebook" in notice for notice in page["notices"])
    assert loaded(page["at the end"], ("pandas", "numpy")) == []


def test_the_heading_comes_before_the_elements_a_new_browser_loads_code_for(tmp_path):
    """A browser that has just opened the app fetches the code of page links and of scripted HTML when their
    first element arrives, and drew nothing of the page until then: the sidebar's links and the language
    script come after the page (bench/bench_app.py measured 0.15 s of the cold start)."""
    order = first_page(tmp_path)["order"]
    assert "heading" in order and "page link" in order and "scripted html" in order
    assert order.index("heading") < order.index("page link")
    assert order.index("heading") < order.index("scripted html")

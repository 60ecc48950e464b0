"""Loading in the background, while the user reads the first page, what the other pages will need.

The first page needs almost nothing, so it is shown quickly; meanwhile one thread per process imports the
modules of the other pages (pandas, scipy, the Meta SDK, the compliance and channels packages…) and reads
the shipped data into the library's own caches (keyed on the files' modification times). A page opened
afterwards finds them ready. A failure here is ignored: the page that needs the data reports it where the
user acts.
"""

from __future__ import annotations

import threading
import time

FIRST_PAGE_SECONDS = 1.0

_started = threading.Event()
done = threading.Event()  # set when the warm-up has finished (the benchmark waits for it)


def start() -> None:
    """Start the warm-up once per process (later calls do nothing), from a page: the thread shares the page's
    context, so that it fills the app's own caches (st.cache_resource) as a page would."""
    if _started.is_set():
        return
    _started.set()
    thread = threading.Thread(target=_load, name="outreach-warm-up", daemon=True)
    try:
        from streamlit.runtime.scriptrunner import add_script_run_ctx

        add_script_run_ctx(thread)
    except ImportError:
        pass
    thread.start()


def _load() -> None:
    # let the server send the first page to the browser before taking the interpreter's time
    time.sleep(FIRST_PAGE_SECONDS)
    try:
        import importlib

        for module in ("pandas", "pandas.io.formats.style", "pydeck", "outreach.territory", "outreach.campaign", "outreach.meta.files",
                       "outreach.meta.sheet", "outreach.compliance.gate", "outreach.compliance.evaluate",
                       "outreach.channels", "outreach.channels.campaign", "outreach.themes",
                       "outreach.reporting", "outreach.community.overview", "app.campaign_view",
                       "app.territory_view", "app.themes_state", "app.dashboard_state", "app.dashboard_charts"):
            importlib.import_module(module)
        from outreach import datasets
        from outreach.themes import load_themes, shipped_catalogue, shipped_events

        datasets.shipped_branches()
        datasets.shipped_areas()
        datasets.departement_names()
        themes = load_themes()
        shipped_catalogue()
        shipped_events()
        # what the pages show first: the example campaign planned and its posts, the demonstration sample
        from datetime import date

        from app import state, themes_state
        from outreach.campaign import campaign_to_yaml, load_campaign
        from outreach.settings import load_settings

        example = campaign_to_yaml(load_campaign(datasets.example_campaign_path()))
        settings = load_settings()
        _, plan, _ = state._planned(example, settings.model_dump_json(), state.data_version(),
                                    state.in_force_version())
        from outreach.meta import visual_files

        visual_files(plan.ad_sets)  # drawn once (then read from the cache folder): the preview and export
        state.posts(example, settings.blog_url.strip())
        key = themes_state.freeze(themes)
        shelves = themes_state.shelf_key()  # the page's own key: a different one would warm another entry
        themes_state.demo_matches(key, shelves)
        themes_state.demo_summaries(key, date.today(), shelves)
        themes_state.themes_yaml(key)  # the download, and the editor's first theme (the page's first choice)
        themes_state.themes_yaml(key[:1], header=False)
    except Exception:  # noqa: BLE001, S110 - see the module docstring
        pass
    finally:
        done.set()

"""Starting the app's server: `python -m app`, which is `streamlit run streamlit_app.py` with a faster start.

Two changes to Streamlit's start, both on the path to the first page (bench/bench_app.py times it):
- Since version 1.51 (streamlit/streamlit#12637), Streamlit's runtime reads the metadata of every installed
  package before the server listens, looking for "v2 components" that packages may declare: 0.2 s of the
  start on the Intel Xeon with this project's 111 packages. The app uses no such component: skipped.
- Once the server listens, the browser spends about half a second loading Streamlit's JavaScript while the
  server waits; a thread then imports what the first page's script imports after its heading (pydantic and
  the settings, Streamlit's emoji table for the tab's icon), which its run no longer waits for.
Everything else is Streamlit's own `streamlit run`; options after `python -m app` go to it (`--server.port
8502`). If a later Streamlit renames what is replaced here, the start is as slow as `streamlit run`, never
wrong (tests/test_app_launch.py notices).
"""
from __future__ import annotations

import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "streamlit_app.py"


def skip_component_search() -> None:
    """Make Streamlit's search for installed v2 components find none without reading any package's metadata.
    The runtime imports the scanner from its module when it starts, so replacing it there is enough."""
    from streamlit.components.v2 import manifest_scanner

    manifest_scanner.scan_component_manifests = lambda max_workers=None: []


# What the first page's script imports after sending its heading: loaded by a thread as soon as the server
# listens, while the browser loads Streamlit's JavaScript (about 0.5 s, during which the server is idle).
FIRST_PAGE_MODULES = ("outreach.settings", "streamlit.emojis")


def preload_first_page() -> None:
    """Import FIRST_PAGE_MODULES in a thread of their own."""
    import importlib
    import threading

    def load() -> None:
        # the interpreter is handed over to a waiting thread after 0.2 ms instead of 5 ms meanwhile: the server's
        # thread that sends the JavaScript files waits for it at each step of each file
        usual = sys.getswitchinterval()
        sys.setswitchinterval(0.0002)
        try:
            for module in FIRST_PAGE_MODULES:
                importlib.import_module(module)
        except Exception:  # the page imports it again and shows the error where the user is
            pass
        finally:
            sys.setswitchinterval(usual)

    threading.Thread(target=load, name="outreach-first-page", daemon=True).start()


def prepare() -> None:
    """Everything `python -m app` changes in Streamlit's start, before it runs."""
    from streamlit.web import bootstrap

    skip_component_search()
    started = bootstrap._on_server_start

    def on_server_start(server) -> None:
        started(server)
        preload_first_page()

    bootstrap._on_server_start = on_server_start


def main(options: list[str]) -> int:
    from streamlit.web import cli

    prepare()
    sys.argv = ["streamlit", "run", str(SCRIPT), *options]
    return cli.main()

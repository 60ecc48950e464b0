"""Starting the app's server: `python -m app`, which is `streamlit run streamlit_app.py` minus one step.

Since version 1.51 (streamlit/streamlit#12637), Streamlit's runtime reads the metadata of every installed
package at start-up, looking for "v2 components" that packages may declare, before the server listens: 0.2 s
of the start on the Intel Xeon with this project's 111 packages (0.7 s under a profiler), on the path to
the first page. The app uses no such component, so `python -m app` skips the search; everything else is
Streamlit's own `streamlit run` (options after `python -m app` go to it, e.g. `--server.port 8502`).
"""

from __future__ import annotations

import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "streamlit_app.py"


def skip_component_search() -> None:
    """Make Streamlit's search for installed v2 components find none without reading any package's metadata.
    The runtime imports the scanner from its module when it starts, so replacing it there is enough; if a
    later Streamlit moves it, this does nothing and the start is as slow as `streamlit run`, never wrong
    (tests/test_app_launch.py says so)."""
    from streamlit.components.v2 import manifest_scanner

    manifest_scanner.scan_component_manifests = lambda max_workers=None: []


def main(options: list[str]) -> int:
    from streamlit.web import cli

    skip_component_search()
    sys.argv = ["streamlit", "run", str(SCRIPT), *options]
    return cli.main()

"""`python -m app` starts Streamlit's server without reading every installed package's metadata (app/launch.py)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Streamlit's server made as `streamlit run` makes it (bootstrap.run → Server), in a process of its own: the
# runtime is a singleton. It prints how many times the installed packages were listed while it was made.
MAKE_SERVER = textwrap.dedent("""
    import importlib.metadata, json, sys
    listed = []
    listing = importlib.metadata.distributions
    importlib.metadata.distributions = lambda *a, **k: listed.append(1) or listing(*a, **k)
    if sys.argv[1] == "launcher":
        from app.launch import skip_component_search
        skip_component_search()
    from streamlit.web.server import Server
    Server("streamlit_app.py", is_hello=False)
    print(json.dumps(len(listed)))
""")


def packages_listed(how: str) -> int:
    done = subprocess.run([sys.executable, "-c", MAKE_SERVER, how], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_launcher_skips_the_search_for_installed_components():
    # the control: Streamlit's own start lists the packages (if a later version stops doing so, the launcher's
    # reason is gone and this test says it)
    assert packages_listed("streamlit run") > 0
    assert packages_listed("launcher") == 0


def test_the_launcher_runs_the_apps_script_with_the_options_given(monkeypatch):
    from streamlit.web import bootstrap, cli

    import app.launch

    monkeypatch.setattr(bootstrap, "_on_server_start", bootstrap._on_server_start)  # put back afterwards

    seen = {}

    def streamlit_cli():
        seen["argv"] = list(sys.argv)
        return 0

    monkeypatch.setattr(cli, "main", streamlit_cli)
    monkeypatch.setattr(sys, "argv", list(sys.argv))
    from streamlit.components.v2 import manifest_scanner

    monkeypatch.setattr(manifest_scanner, "scan_component_manifests", manifest_scanner.scan_component_manifests)
    assert app.launch.main(["--server.port", "8502"]) == 0
    assert seen["argv"] == ["streamlit", "run", str(ROOT / "streamlit_app.py"), "--server.port", "8502"]
    assert manifest_scanner.scan_component_manifests() == []


def test_the_readme_starts_the_app_with_the_launcher():
    readme = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    start = readme[readme.index(next(line for line in readme if line.startswith("# 1."))) + 1]
    assert start.endswith(".venv/bin/python -m app")


def test_once_the_server_listens_a_thread_loads_what_the_first_page_imports(monkeypatch):
    from streamlit.web import bootstrap

    import app.launch

    steps = []
    monkeypatch.setattr(bootstrap, "_on_server_start", lambda server: steps.append(("streamlit", server)))
    monkeypatch.setattr(app.launch, "preload_first_page", lambda: steps.append(("preload", None)))
    app.launch.prepare()
    server = object()
    bootstrap._on_server_start(server)
    assert steps == [("streamlit", server), ("preload", None)]


def test_the_first_pages_modules_are_loaded_and_the_interpreter_left_as_it_was():
    done = subprocess.run([sys.executable, "-c", textwrap.dedent("""
        import json, sys, threading
        from app.launch import FIRST_PAGE_MODULES, preload_first_page
        before = sys.getswitchinterval()
        preload_first_page()
        for thread in threading.enumerate():
            if thread.name == "outreach-first-page":
                thread.join(60)
        print(json.dumps([all(m in sys.modules for m in FIRST_PAGE_MODULES), sys.getswitchinterval() == before]))
    """)], cwd=ROOT, capture_output=True, text=True, timeout=120, check=True)
    assert json.loads(done.stdout.strip().splitlines()[-1]) == [True, True]

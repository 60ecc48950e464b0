"""The app's server with a timeline: how bench_app.py starts it to see where its start goes.

    python bench/app_server_timed.py TIMELINE.jsonl streamlit_app.py [streamlit options…]

Run in a checkout's folder, exactly what `python -m app` does there (app/launch.py), or `streamlit run` in a
checkout older than that launcher (bench_app.py --against), plus one JSON line per event written to TIMELINE.jsonl: the wall clock (epoch
seconds, comparable with the browser's performance.timeOrigin on the same machine) and the process's CPU
seconds so far. Events: the interpreter ready (site imported), Streamlit imported, the server listening, a
browser session connected, each script run started and finished, the first message the session sends after
a run starts (the page's first element). Only Streamlit's functions are wrapped; the app is not touched.
"""

from __future__ import annotations

import functools
import json
import sys
import threading
import time

_lock = threading.Lock()


def main() -> None:
    log_path, script, *options = sys.argv[1:]
    log = open(log_path, "a", encoding="utf-8")  # noqa: SIM115 - open for the life of the process

    def mark(event: str, **details) -> None:
        with _lock:
            log.write(json.dumps({"event": event, "wall": time.time(), "cpu": time.process_time(), **details}) + "\n")
            log.flush()

    mark("interpreter ready")
    from streamlit.runtime import app_session, runtime
    from streamlit.runtime.scriptrunner import script_runner
    from streamlit.web import bootstrap, cli

    mark("streamlit imported")

    def after(owner, name: str, event: str) -> None:
        original = getattr(owner, name)

        @functools.wraps(original)
        def wrapped(*args, **kwargs):
            result = original(*args, **kwargs)
            mark(event)
            return result

        setattr(owner, name, wrapped)

    after(bootstrap, "_on_server_start", "server listening")
    after(runtime.Runtime, "connect_session", "session connected")

    run_script = script_runner.ScriptRunner._run_script

    def timed_run(self, rerun_data):
        mark("script run started", page=str(rerun_data.page_script_hash or ""))
        sent_first[0] = False
        try:
            return run_script(self, rerun_data)
        finally:
            mark("script run finished")

    script_runner.ScriptRunner._run_script = timed_run

    sent_first = [True]
    enqueue = app_session.AppSession._enqueue_forward_msg

    def timed_enqueue(self, msg):
        if not sent_first[0] and msg.WhichOneof("type") == "delta":
            sent_first[0] = True
            mark("first element sent")
        return enqueue(self, msg)

    app_session.AppSession._enqueue_forward_msg = timed_enqueue
    sys.path.insert(0, ".")  # the checkout's own launcher, if it has one
    try:
        from app import launch
    except ImportError:
        pass
    else:  # an earlier launcher only skipped the search for components
        (getattr(launch, "prepare", None) or launch.skip_component_search)()
    sys.argv = ["streamlit", "run", script, *options]
    cli.main()


if __name__ == "__main__":
    main()

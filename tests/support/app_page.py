"""A browser page on the Streamlit app that knows when the app has finished answering the last action.

Streamlit runs the page's script again after each action (a click, a choice, a field left); the browser says
little about it: the « running » widget shows only after half a second of running, and a page that reruns
itself (st.rerun) stops running for a moment between its two runs. A fixed pause misses slow runs on a busy
machine and wastes time on quick ones, and an action taken during a run can be lost (a form saved before the run
that filled it has reached the browser writes back the old values).

So the page watches the app's own messages on its WebSocket (Streamlit's protocol, protobuf): it counts the
run requests it sends (BackMsg.rerun_script) and the runs the server says are over (ForwardMsg.script_finished,
except FINISHED_EARLY_FOR_RERUN, which a rerun chain sends between its runs). `settle` waits until a run has
ended after the last request, the app says it is not running, and nothing on the page is left stale.
"""

from __future__ import annotations

import json

TIMEOUT = 60_000

# protobuf field numbers (streamlit/proto/BackMsg.proto, ForwardMsg.proto), checked by tests/test_app_page_support.py
RERUN_SCRIPT = 11
SCRIPT_FINISHED = 6
FINISHED_EARLY_FOR_RERUN = 2

_WATCH = """(numbers) => {
  const runs = window.__appRuns = {event: 0, requested: 0, finished: 0, quietSince: 0};
  // the top-level fields of a protobuf message: [field number, wire type, varint value or null]
  const fields = (bytes) => {
    const out = [];
    let i = 0;
    const varint = () => { let v = 0, m = 1, b; do { b = bytes[i++]; v += (b & 127) * m; m *= 128; } while (b & 128); return v; };
    while (i < bytes.length) {
      const tag = varint(), number = Math.floor(tag / 8), type = tag & 7;
      if (type === 0) { out.push([number, type, varint()]); }
      else if (type === 2) { const n = varint(); out.push([number, type, null]); i += n; }
      else if (type === 1) { i += 8; } else if (type === 5) { i += 4; } else { break; }
    }
    return out;
  };
  const asBytes = (data) => data instanceof ArrayBuffer ? new Uint8Array(data)
    : ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : null;
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (e) => {
        const bytes = asBytes(e.data);
        if (bytes && fields(bytes).some(([n, t, v]) => n === numbers.finished && t === 0 && v !== numbers.early)) {
          runs.finished = ++runs.event;
        }
      });
    }
    send(data) {
      const bytes = asBytes(data);
      if (bytes && fields(bytes).some(([n]) => n === numbers.rerun)) runs.requested = ++runs.event;
      return super.send(data);
    }
  };
}"""
WATCH_RUNS = f"({_WATCH})({json.dumps({'rerun': RERUN_SCRIPT, 'finished': SCRIPT_FINISHED, 'early': FINISHED_EARLY_FOR_RERUN})});"

# settled for 100 ms in a row: an action whose request leaves a moment after it (a field committed on blur) is
# still awaited
SETTLED = """() => {
  const runs = window.__appRuns, app = document.querySelector('[data-testid=stApp]');
  const settled = runs && app && runs.finished > runs.requested
    && app.getAttribute('data-test-script-state') === 'notRunning' && !document.querySelector('[data-stale=true]');
  if (!settled) { runs && (runs.quietSince = 0); return false; }
  runs.quietSince = runs.quietSince || performance.now();
  return performance.now() - runs.quietSince >= 100;
}"""


def new_page(browser, **options):
    """A page in a context of its own (French locale), watching the app's runs; close its `.context` after."""
    context = browser.new_context(locale="fr-FR", **options)
    context.add_init_script(WATCH_RUNS)
    # clicks and fills get the waits' patience too (Playwright's own default is 30 s): on a loaded machine the
    # page's renderer, busy drawing a map in software, can take longer to take a click
    context.set_default_timeout(TIMEOUT)
    return context.new_page()


def settle(page) -> None:
    """Wait until the app has finished answering the last action, then check it shows no error box."""
    page.evaluate("() => { if (window.__appRuns) window.__appRuns.quietSince = 0; }")  # a quiet time of its own
    page.wait_for_function(SETTLED, timeout=TIMEOUT)
    # with showErrorDetails = "none" an uncaught exception shows a redacted box, not a traceback: look for both
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.get_by_text("Traceback").count() == 0


def go(page, label: str, heading: str) -> None:
    """Open a page from the sidebar, as a user does, and wait until it is drawn."""
    page.locator("[data-testid='stSidebar']").get_by_role("link", name=label, exact=True).click()
    page.get_by_role("heading", name=heading).first.wait_for(timeout=TIMEOUT)
    settle(page)


def upload(page, file_input, files) -> None:
    """Give a file uploader its file(s) and wait until the app has them. The upload is asynchronous: the file's
    name shows in the widget before it is on the server, and the widget's new value reaches the script only with
    the run request sent once the upload is over; an action taken before that run uses the previous file."""
    before = page.evaluate("() => window.__appRuns.requested")
    file_input.set_input_files(files)
    page.wait_for_function("(n) => window.__appRuns.requested > n", arg=before, timeout=TIMEOUT)
    settle(page)

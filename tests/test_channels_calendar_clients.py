"""calendar.ics read by two independent clients: every post shows at its time, in summer and in winter.

ical.js (web calendars) and vobject read only the first transition of a VTIMEZONE written as RDATE lists,
and then applied winter time all year: a 09:00 post on 1 June showed at 10:00. The file now carries the
yearly rules, and this test reads it as those clients do.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import vobject

from outreach.channels.exports import calendar_ics
from tests.support.channels_fixtures import example_pack

PARIS = ZoneInfo("Europe/Paris")
ICAL_JS = Path(__file__).parent / "vendor" / "ical.es5.cjs"
READER = Path(__file__).parent / "support" / "calendar_clients.js"


def pack_in_both_seasons():
    """The example's posts, the first half moved to June (summer time), the rest to January (winter time)."""
    pack = example_pack()
    posts = []
    for i, post in enumerate(pack.posts):
        local = post.when.astimezone(PARIS)
        month, year = (6, 2027) if i % 2 == 0 else (1, 2028)
        posts.append(post.model_copy(update={"when": local.replace(year=year, month=month, day=1 + i % 28)}))
    return pack.model_copy(update={"posts": posts})


def expected_utc(pack) -> dict[str, datetime]:
    return {p.id: p.when.astimezone(UTC) for p in pack.posts}


def test_the_timezone_is_written_as_yearly_rules():
    text = calendar_ics(pack_in_both_seasons()).decode()
    zone = text[text.index("BEGIN:VTIMEZONE"):text.index("END:VTIMEZONE")]
    assert "RDATE" not in zone
    assert "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3" in zone and "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10" in zone


def test_vobject_reads_every_post_at_its_time():
    pack = pack_in_both_seasons()
    cal = vobject.readOne(calendar_ics(pack).decode())
    by_summary_and_start = sorted(ev.dtstart.value.astimezone(UTC) for ev in cal.vevent_list)
    assert by_summary_and_start == sorted(expected_utc(pack).values())
    summer = [ev.dtstart.value for ev in cal.vevent_list if ev.dtstart.value.month == 6]
    winter = [ev.dtstart.value for ev in cal.vevent_list if ev.dtstart.value.month == 1]
    assert summer and winter
    assert {d.utcoffset().total_seconds() for d in summer} == {7200}
    assert {d.utcoffset().total_seconds() for d in winter} == {3600}


def _node_reader() -> str | None:
    node = shutil.which("node")
    if node and ICAL_JS.exists():
        return node
    reason = "ical.js absent (tests/vendor/ical.es5.cjs, fetched from npm by .ci/run) ou node absent"
    if os.environ.get("OUTREACH_REQUIRE_E2E") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


def test_ical_js_reads_every_post_at_its_time(tmp_path):
    node = _node_reader()
    pack = pack_in_both_seasons()
    path = tmp_path / "calendar.ics"
    path.write_bytes(calendar_ics(pack))
    out = subprocess.run([node, str(READER), str(ICAL_JS), str(path)], capture_output=True, text=True, check=True,
                         timeout=60)
    shown = sorted(datetime.fromisoformat(v.replace("Z", "+00:00")) for v in json.loads(out.stdout).values())
    assert shown == sorted(expected_utc(pack).values())
    # one June post and one January post, checked by hand as a reader would see them
    june = next(p for p in pack.posts if p.when.month == 6)
    assert june.when.astimezone(UTC).hour == june.when.hour - 2

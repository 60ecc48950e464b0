"""Every hostile input of tests/support/hostile_cases.py ends in a French InputError, quickly and within memory.

bench/bench_hostile.py runs the same cases one per child process and measures their memory and time for
docs/security.md; here each is checked for its outcome and a time bound.
"""

from __future__ import annotations

import time

import pytest

from outreach.errors import InputError
from tests.support.hostile_cases import CASES, read


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_input_refused_in_french(case, tmp_path):
    data = case.build()
    started = time.perf_counter()
    with pytest.raises(InputError) as refused:
        read(case.reader, data, case.file_name, tmp_path)
    elapsed = time.perf_counter() - started
    assert elapsed < 10, f"{case.name}: {elapsed:.1f} s"
    message = str(refused.value)
    assert case.file_name in message and "Traceback" not in message
    # French prose with a fix: every refusal ends with what to do
    assert refused.value.fix or refused.value.message.endswith(".")


def test_real_files_still_read():
    """The limits leave the shipped data and the usual shapes alone (a weekly series, aliases used sparingly)."""
    from outreach.campaign import campaign_from_yaml
    from outreach.sources.areas import read_areas
    from outreach.sources.events import read_events
    from outreach.yamlfile import parse_yaml

    assert len(read_areas("data/areas.geojson").areas) > 100
    assert parse_yaml("base: &b {budget: 10}\nune: *b\ndeux: *b\n") == {"base": {"budget": 10}, "une": {"budget": 10},
                                                                     "deux": {"budget": 10}}
    weekly = (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:w\r\nSUMMARY:Club\r\nDTSTART:20260105T140000\r\n"
              b"RRULE:FREQ=WEEKLY;BYDAY=MO\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
    assert len(read_events("a.ics", data=weekly).events) >= 52
    with pytest.raises(InputError, match="nom"):
        campaign_from_yaml("name: ''\n", file="c.yaml")

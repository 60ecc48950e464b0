"""The cyclic collector paused for a plan's many acyclic objects (outreach.sources.gc_pause), and always
resumed: after the block, after an error in it, and never resumed when the caller had paused it."""

import gc

import pytest

from outreach.sources.gc_pause import no_cycle_collection


@pytest.fixture(autouse=True)
def collector_running():
    gc.enable()
    yield
    gc.enable()


def test_paused_inside_and_resumed_after_even_on_error():
    with no_cycle_collection():
        assert not gc.isenabled()
        with no_cycle_collection():  # nested: the outer block resumes it, not the inner one
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(InterruptedError), no_cycle_collection():
        raise InterruptedError("plan stopped")
    assert gc.isenabled()


def test_a_collector_paused_by_the_caller_stays_paused():
    gc.disable()
    with no_cycle_collection():
        pass
    assert not gc.isenabled()


def test_a_plan_and_its_files_leave_the_collector_running(monkeypatch):
    from outreach.meta import files
    from tests.test_meta_payloads import plan_of

    seen = []
    build = files.build_plan
    monkeypatch.setattr(files, "build_plan", lambda *a, **k: seen.append(gc.isenabled()) or build(*a, **k))
    campaign = plan_of().campaign
    plan, payloads = files.plan_campaign(campaign, min_daily_budget_eur=1.0)
    assert seen == [False] and gc.isenabled()
    assert files.META_API_FILE in files.render_outputs(plan, payloads) and gc.isenabled()

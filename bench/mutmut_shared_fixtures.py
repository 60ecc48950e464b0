"""pytest plugin for the mutation runs (bench/mutation.sh): credit a shared fixture's calls to every test using it.

mutmut 3 runs, for each mutant, only the tests that called the mutated function while its statistics were
gathered, and it credits a call to the test being set up or run at that moment. A module- or session-scoped
fixture (the shipped network analysed once, a plan built once) is set up during the first test that uses it,
so the tests after it, which assert on what it returned, would never be run against a mutant: mutants that
they kill would be counted as survivors. This plugin records the functions each shared fixture called while
it was set up and adds them to every test that uses the fixture, before mutmut files the test's calls away.
"""

from __future__ import annotations

import pytest

try:
    from mutmut.state import state
except ImportError:  # outside a mutation run the plugin does nothing
    state = None

_calls_by_fixture: dict[int, set[str]] = {}


@pytest.hookimpl(hookwrapper=True)
def pytest_fixture_setup(fixturedef, request):
    if state is None or fixturedef.scope == "function":
        yield
        return
    outer = state()._stats
    state()._stats = set()
    try:
        yield
    finally:
        calls = state()._stats
        _calls_by_fixture[id(fixturedef)] = set(calls)
        state()._stats = outer | calls


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_teardown(item, nextitem):
    if state is None or not _calls_by_fixture:
        return
    for name in item.fixturenames:
        for fixturedef in item._fixtureinfo.name2fixturedefs.get(name, ()):
            state()._stats.update(_calls_by_fixture.get(id(fixturedef), ()))

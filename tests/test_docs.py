"""The manual in docs/ keeps up with the code: every sub-command, every option and every OUTREACH_* variable is
named there (as datasette's tests/test_docs.py does for its settings and commands)."""

import argparse
import re

import pytest

from outreach.cli import build_parser
from outreach.paths import VARIABLES
from tests.support import ROOT

DOCS = "\n".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "docs").glob("*.md")))
README = (ROOT / "README.md").read_text(encoding="utf-8")


def commands(parser: argparse.ArgumentParser, prefix: str = "outreach"):
    """(`outreach report import`, its parser) for every sub-command, however deep."""
    for action in parser._actions:  # argparse keeps its tree here; there is no public walk
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield f"{prefix} {name}", sub
                yield from commands(sub, f"{prefix} {name}")


COMMANDS = dict(commands(build_parser()))
OPTIONS = sorted({(command, option) for command, parser in COMMANDS.items() for action in parser._actions
                  for option in action.option_strings if option.startswith("--") and option != "--help"})


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_sub_command_is_documented(command):
    assert re.search(rf"(?<![\w-]){re.escape(command)}(?![\w-])", DOCS), f"« {command} » is not in docs/"


@pytest.mark.parametrize(("command", "option"), OPTIONS)
def test_every_option_is_documented(command, option):
    assert re.search(rf"{re.escape(option)}(?![\w-])", DOCS), f"{command} {option} is not in docs/"


@pytest.mark.parametrize("variable", sorted(VARIABLES))
def test_every_environment_variable_is_documented(variable):
    assert f"`{variable}`" in DOCS, f"{variable} is not in docs/"


def test_no_other_module_reads_an_outreach_variable():
    """paths.py declares them all: a variable read elsewhere would escape the test above."""
    readers = {p.relative_to(ROOT).as_posix() for p in (ROOT / "outreach").rglob("*.py")
               if re.search(r"environ(?:\.get)?[\[(]\s*[\"']OUTREACH_", p.read_text(encoding="utf-8"))}
    assert readers == set()


def test_the_readme_stays_a_landing_page():
    assert len(README.encode("utf-8")) <= 16_000

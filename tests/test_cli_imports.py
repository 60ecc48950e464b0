"""Each sub-command imports only what it uses: `nearest` and `themes` load neither the Meta SDK, FastAPI,
the channels nor the compliance packages, and `outreach --help` loads no data library at all.

Each case runs in a fresh interpreter (a test process has long imported everything) and lists the modules
loaded once the command has finished.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import DATA

ROOT = Path(__file__).resolve().parent.parent
# what `nearest` and `themes` must never pay for
NOT_FOR_DATA_COMMANDS = ("facebook_business", "fastapi", "uvicorn", "outreach.channels", "outreach.compliance",
                         "outreach.community", "outreach.meta")
# what `outreach --help` must not pay for: it only prints the sub-commands
NOT_FOR_HELP = NOT_FOR_DATA_COMMANDS + ("pandas", "numpy", "pydantic", "scipy", "pyproj", "shapely", "sqlalchemy",
                                        "yaml", "outreach.sources", "outreach.themes", "outreach.territory")

RUN = """
import contextlib, io, json, sys
from outreach.cli import main
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    try:
        code = main(json.loads(sys.argv[1]))
    except SystemExit as exc:  # --help exits through argparse
        code = exc.code
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def loaded_by(*argv: str) -> set[str]:
    done = subprocess.run([sys.executable, "-c", RUN, json.dumps(list(argv))], cwd=ROOT, capture_output=True,
                          text=True, check=True, timeout=120)
    result = json.loads(done.stdout)
    assert result["code"] == 0, done.stderr
    return set(result["modules"])


def offending(modules: set[str], forbidden: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == f or m.startswith(f + ".") for f in forbidden))


def test_help_loads_only_the_command_line_parser():
    assert offending(loaded_by("--help"), NOT_FOR_HELP) == []


@pytest.mark.parametrize("argv", [
    ("nearest", "--departement", "13", "--out", "{tmp}/nearest.csv"),
    ("themes", "list"),
    ("themes", "match", "--catalogue", str(DATA / "samples" / "roubaix-unimarc-sample-2383.mrc"),
     "--events", str(DATA / "samples" / "agenda-demo.json"), "--out", "{tmp}/matches.csv"),
], ids=["nearest", "themes-list", "themes-match"])
def test_data_commands_do_not_load_the_meta_sdk_the_api_the_channels_or_the_compliance(tmp_path, argv):
    modules = loaded_by(*(a.format(tmp=tmp_path) for a in argv))
    assert ("outreach.territory" if argv[0] == "nearest" else "outreach.themes") in modules  # it did its work
    assert offending(modules, NOT_FOR_DATA_COMMANDS) == []


def test_nearest_on_csv_files_builds_no_model(tmp_path):
    """The national lists go from the files to the CSV column by column: not even pydantic is loaded."""
    modules = loaded_by("nearest", "--branches", str(DATA / "national" / "bibliotheques.csv.gz"), "--areas",
                        str(DATA / "national" / "communes.csv.gz"), "--departement", "2A", "--out",
                        str(tmp_path / "n.csv"))
    assert "outreach.territory" in modules
    assert offending(modules, ("pydantic", "outreach.model", "geopy", "shapely")) == []


def test_a_command_that_needs_the_compliance_package_loads_it(tmp_path):
    """The check above can fail: `attest` lists a campaign's attestations through the compliance package."""
    campaign = tmp_path / "c.yaml"
    campaign.write_text("name: x\n", encoding="utf-8")
    assert offending(loaded_by("attest", str(campaign)), NOT_FOR_DATA_COMMANDS) != []


def test_report_choices_are_the_reporting_dimensions():
    from outreach.cli import report
    from outreach.reporting import DIMENSIONS

    assert tuple(DIMENSIONS) == report.BY_CHOICES

"""Every OUTREACH_* environment variable and every default location, declared once.

No other module reads an OUTREACH_* variable: they call the functions below, so that the docs test can check
that each variable in `VARIABLES` is documented, and a new one cannot appear unnoticed.

Where the user's own files go (network.yaml, questionnaire.yaml, the database, campaigns, exports):
- run from a checkout of the repository (a git clone, an editable install), the checkout, as before, so
  that the files already there stay in use;
- installed (`pip install .`, a wheel), the user's data folder (XDG on Linux, through platformdirs), never
  the site-packages folder.
Caches go to the user's cache folder in both cases.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

from outreach.errors import register_secret

PACKAGE_PARENT = Path(__file__).resolve().parent.parent
APP_NAME = "outreach"

# name → what it sets (English: the docs test checks that docs/ mentions each name)
VARIABLES = {
    "OUTREACH_DATA_DIR": "folder of the shipped data (branches, areas, national lists, samples)",
    "OUTREACH_CACHE_DIR": "caches: geocoded addresses, Meta interests, parsed samples, the demo database",
    "OUTREACH_CAMPAIGNS_DIR": "folder of the campaign files",
    "OUTREACH_SETTINGS": "the network's settings file (network.yaml)",
    "OUTREACH_QUESTIONNAIRE": "the questionnaire's settings file (questionnaire.yaml)",
    "OUTREACH_DATABASE_URL": "SQLAlchemy URL of the results and consent store",
    "OUTREACH_OUTPUT_DIR": "where the Exporter page writes what it exports and pushes",
    "OUTREACH_GEOCODER_URL": "a self-hosted BAN (addok) or Nominatim instance",
    "OUTREACH_ADMIN_TOKEN": "bearer token of the questionnaire service's admin endpoints",
}


def _env(name: str) -> str | None:
    assert name in VARIABLES, name  # declare a variable above before reading it
    return os.environ.get(name) or None


def pass_to_child_processes(name: str, value: str) -> None:
    """Set a variable for the processes started from now on (the questionnaire service's workers build
    their app from the environment): the one place besides _env that touches an OUTREACH_* variable."""
    assert name in VARIABLES, name
    os.environ[name] = value


def checkout() -> Path | None:
    """The repository's root when the package runs from a checkout, else None."""
    return PACKAGE_PARENT if (PACKAGE_PARENT / "pyproject.toml").is_file() else None


def home() -> Path:
    """Where the user's own files go by default (see the module docstring)."""
    return checkout() or platformdirs.user_data_path(APP_NAME)


def data_dir() -> Path:
    # the shipped data is in the checkout; an installed package is pointed at a copy by OUTREACH_DATA_DIR
    return Path(_env("OUTREACH_DATA_DIR") or (checkout() or home()) / "data")


def cache_dir() -> Path:
    return Path(_env("OUTREACH_CACHE_DIR") or platformdirs.user_cache_path(APP_NAME))


def campaigns_dir() -> Path:
    return Path(_env("OUTREACH_CAMPAIGNS_DIR") or home() / "campaigns")


def shipped_campaigns_dir() -> Path:
    """The example campaigns that come with the repository."""
    return (checkout() or home()) / "campaigns"


def settings_path() -> Path:
    return Path(_env("OUTREACH_SETTINGS") or home() / "network.yaml")


def shelf_map_path() -> Path:
    """The network's shelf map (call-number and shelf codes → themes), beside its settings file."""
    return settings_path().with_name("shelf-map.yaml")


def shipped_shelf_map_path() -> Path:
    """The shelf map of common French conventions, shipped with the data."""
    return data_dir() / "shelf-map.yaml"


def questionnaire_path() -> Path:
    return Path(_env("OUTREACH_QUESTIONNAIRE") or home() / "questionnaire.yaml")


def database_url() -> str:
    return _env("OUTREACH_DATABASE_URL") or f"sqlite:///{home() / 'outreach.sqlite'}"


def output_dir() -> Path:
    return Path(_env("OUTREACH_OUTPUT_DIR") or home() / "sorties")


def geocoder_url() -> str | None:
    return _env("OUTREACH_GEOCODER_URL")


def admin_token() -> str:
    return register_secret(_env("OUTREACH_ADMIN_TOKEN")) or ""


META_GRAPH_URL_ENV = "META_GRAPH_URL"  # not an OUTREACH_* variable: the name Meta's tooling and our tests use
DEFAULT_GRAPH_URL = "https://graph.facebook.com"


def meta_graph_url() -> str:
    """The Graph API's address: META_GRAPH_URL (the tests' local server), else Meta's own; read here only, by
    the Marketing API client, the Insights import and the Page publishers alike."""
    return (os.environ.get(META_GRAPH_URL_ENV) or DEFAULT_GRAPH_URL).rstrip("/")


def network_catalogue_dir() -> Path:
    """The network's own catalogue (harvested, or files the officer kept), beside its settings file: each
    network, and each test, has its own, never the shipped data folder."""
    return settings_path().with_name("catalogue")


def network_agenda_dir() -> Path:
    """The agenda files the officer kept (iCalendar, OpenAgenda), beside the network's settings file."""
    return settings_path().with_name("agenda")


def harvest_store_path() -> Path:
    """The catalogue harvested over OAI-PMH (`outreach catalogue fetch`), in the network's catalogue folder."""
    return network_catalogue_dir() / "harvest.sqlite"

"""Meta (Facebook/Instagram): Marketing API payloads, the Ads Manager file, the facebook-business client.

The client and the Insights import load facebook-business (a second or more): they are resolved on first use
(PEP 562), so that planning, the CLI's help and the app's pages that never push do not pay for it.
"""

from typing import TYPE_CHECKING

from outreach.meta.files import EXPORT_FILES, IDS_FILE, META_API_FILE, plan_campaign, render_outputs
from outreach.meta.sheet import read_template

if TYPE_CHECKING:
    from outreach.meta.client import MetaClient, unknown_interest_fix
    from outreach.meta.insights import fetch_insights, standard_queries
    from outreach.meta.interests import check_themes, checks_table, meta_account_for_checks

_LAZY = {"MetaClient": "outreach.meta.client", "fetch_insights": "outreach.meta.insights",
         "standard_queries": "outreach.meta.insights", "unknown_interest_fix": "outreach.meta.client",
         "check_themes": "outreach.meta.interests", "checks_table": "outreach.meta.interests",
         "meta_account_for_checks": "outreach.meta.interests"}

# `connection` (token check, Meta's lists) and `token_store` (the pasted token) are submodules, imported by name
# (`from outreach.meta import connection`) when the Paramètres page or `outreach meta` need them: they load the SDK
__all__ = ["EXPORT_FILES", "IDS_FILE", "META_API_FILE", "MetaClient", "check_themes", "checks_table", "connection",
           "fetch_insights", "meta_account_for_checks", "plan_campaign", "read_template", "render_outputs",
           "standard_queries", "token_store", "unknown_interest_fix"]


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

"""Meta (Facebook/Instagram): Marketing API payloads, the Ads Manager file, the facebook-business client."""

from outreach.meta.client import MetaClient
from outreach.meta.files import EXPORT_FILES, IDS_FILE, META_API_FILE, plan_campaign, render_outputs
from outreach.meta.insights import fetch_insights, standard_queries
from outreach.meta.sheet import read_template

__all__ = ["EXPORT_FILES", "IDS_FILE", "META_API_FILE", "MetaClient", "fetch_insights", "plan_campaign",
           "read_template", "render_outputs", "standard_queries"]

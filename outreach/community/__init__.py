"""The community of interest: questionnaire service, consent store, recommendations, digests, audience file.

This is the one place where the library holds personal data. The rules it follows are those of the GDPR
checklist (FORM-01…09, CA-01…06, MIN-01/02, RET-01, SEN-04, A11Y-01): one consent per purpose, none ticked
by default, e-mail only for an e-mail purpose, a proof per consent, withdrawal and erasure at once.
"""

from typing import TYPE_CHECKING

from outreach.community import exports, hosting, overview
from outreach.community.audience import audit_audience_file, write_audience_file
from outreach.community.config import QuestionnaireConfig, load_config, save_config
from outreach.community.digests import member_emails, write_digests
from outreach.community.exports import csv_text
from outreach.community.mailer import SMTP_PASSWORD, Mailer, MailError, save_smtp_password, smtp_password
from outreach.community.notice import Notice, missing_fields, render_notice
from outreach.community.offer import build_offer
from outreach.community.recommend import build_recommender
from outreach.community.store import Store

if TYPE_CHECKING:  # FastAPI: loaded when the service starts, not by every page that reads the store
    from outreach.community.service import build_service, create_app

_LAZY = {"build_service": "outreach.community.service", "create_app": "outreach.community.service"}

__all__ = ["SMTP_PASSWORD", "MailError", "Mailer", "Notice", "QuestionnaireConfig", "Store", "audit_audience_file", "build_offer",
           "build_recommender", "build_service", "member_emails", "create_app", "csv_text", "exports", "hosting", "load_config",
           "missing_fields", "overview", "render_notice", "save_config", "save_smtp_password", "smtp_password", "write_audience_file",
           "write_digests"]


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

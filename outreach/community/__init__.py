"""The community of interest: questionnaire service, consent store, recommendations, digests, audience file.

This is the one place where the library holds personal data. The rules it follows are those of the GDPR
checklist (FORM-01…09, CA-01…06, MIN-01/02, RET-01, SEN-04, A11Y-01): one consent per purpose, none ticked
by default, e-mail only for an e-mail purpose, a proof per consent, withdrawal and erasure at once.
"""

from outreach.community.config import QuestionnaireConfig, load_config, save_config
from outreach.community.notice import Notice, render_notice

__all__ = ["Notice", "QuestionnaireConfig", "load_config", "render_notice", "save_config"]

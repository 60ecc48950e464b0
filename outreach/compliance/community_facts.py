"""The questionnaire as the community capability (`outreach.community`) configures it, seen by the checklist.

Everything is read from that capability: the notice is the exact text it renders, the purposes and their
minimum ages are its closed lists, the accepted fields are those its API takes. Only two facts are its
design rather than its settings: the pop-up always has a « Non merci » and never blocks the page (checked by
its own accessibility tests in Chromium).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from outreach.community import load_config, render_notice
from outreach.community.validation import RESPONSE_FIELDS
from outreach.community.vocabulary import MIN_AGE, PURPOSES
from outreach.settings import NetworkSettings


@dataclass(frozen=True)
class ConsentOption:
    purpose: str
    default_checked: bool = False
    required: bool = False


@dataclass
class QuestionnaireFacts:
    """What the checklist needs to know of the interest questionnaire (items FORM-*, SEN-04, MIN-02, CA-03)."""

    notice_text: str
    consents: list[ConsentOption]
    fields: list[str]
    min_age: int | None
    withdrawal_url: str = ""
    dismissible: bool = True
    blocks_service: bool = False
    offered_themes: list[str] = field(default_factory=list)  # empty: every non-sensitive theme
    origin: str = ""  # where these facts were read, said in the details



# fields of the API that carry no personal data of their own: how the answer was given
_TECHNICAL_FIELDS = ("page_url", "mechanism")


def facts_from_community(settings: NetworkSettings) -> QuestionnaireFacts:
    config = load_config()
    notice = render_notice(config, settings)
    return QuestionnaireFacts(
        notice_text=notice.text,
        # the form shows one unticked, optional box per purpose (vocabulary.PURPOSES)
        consents=[ConsentOption(purpose) for purpose in PURPOSES],
        fields=[f for f in RESPONSE_FIELDS if f not in _TECHNICAL_FIELDS],
        min_age=min(MIN_AGE.values()),
        withdrawal_url=f"{config.public_url}/preferences",
        dismissible=True,
        blocks_service=False,
        offered_themes=list(config.offered_themes),
        origin=f"questionnaire, notice version {config.notice_version}",
    )

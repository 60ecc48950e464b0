"""The embeddable pop-up (static/widget.js): its source, the data it asks the service for, and a preview page.

The preview is a sample e-services page of a town that runs the very same widget.js, in its preview mode
(`data-preview="true"`): the questionnaire's data are written into the page instead of fetched, and nothing is
sent, stored or remembered. The app shows it in a frame, so that the communication officer sees the real pop-up
with the network's themes and notice before the IT team hosts it. No FastAPI here: the app imports this module.
"""

from __future__ import annotations

import json
from html import escape
from importlib import resources

from outreach.community.config import QuestionnaireConfig
from outreach.community.notice import Notice
from outreach.community.offer import Offer
from outreach.community.vocabulary import AGE_BANDS, PURPOSE_LABELS, PURPOSES
from outreach.settings import NetworkSettings

PREVIEW_FRAME_TITLE = "Aperçu du questionnaire sur une page de services en ligne"


def widget_source() -> str:
    return resources.files("outreach.community").joinpath("static/widget.js").read_text(encoding="utf-8")


def questionnaire_data(config: QuestionnaireConfig, settings: NetworkSettings, notice: Notice, offer: Offer) -> dict:
    """What GET /api/questionnaire returns, and what the preview writes into its page."""
    return {"title": config.title, "intro": config.intro, "themes": offer.as_json(), "notice": notice.as_json(),
            "purposes": [{"id": p, "label": PURPOSE_LABELS[p]} for p in PURPOSES],
            "age_bands": [{"id": k, "label": v} for k, v in AGE_BANDS.items()],
            "controller": settings.controller_name, "dpo_contact": settings.dpo_contact}


def _script_text(text: str) -> str:
    """Text safe inside <script>: no '</script' or '<!--' can end or bend it (JSON and JavaScript read \\u003c
    as '<' in strings; the widget has no '<' outside strings and comments that matter here)."""
    return text.replace("</", "<\\/").replace("<!--", "<\\!--")


def preview_page(data: dict, town: str) -> str:
    """A town's e-services page (a school-canteen form) that shows the real pop-up, in preview mode."""
    payload = json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")
    town = escape(town or "la commune")
    return f"""<!doctype html><html lang="fr"><head><meta charset="utf-8">
<title>{PREVIEW_FRAME_TITLE}</title>
<style>body{{font-family:system-ui,Arial,sans-serif;margin:0;color:#161616;background:#f6f6f6}}
header{{background:#fff;border-bottom:4px solid #000091;padding:.75rem 1.5rem}} header p{{margin:0;font-weight:700}}
main{{padding:1rem 1.5rem;max-width:34rem}} h1{{font-size:1.4rem}} label{{display:block;margin:.5rem 0 .2rem}}
input{{font:inherit;padding:.35rem;border:1px solid #3a3a3a;border-radius:4px}}
.note{{font-size:.9rem;color:#3a3a3a}} button.host{{font:inherit;margin-top:.75rem;padding:.45rem 1rem}}</style>
</head><body>
<header><p>{town} — services en ligne</p></header>
<main><h1>Inscription à la cantine scolaire</h1>
<p class="note">Page d'exemple : l'invitation du questionnaire apparaît en bas à droite, comme sur les pages de la
commune. Aperçu seulement : rien n'est envoyé ni enregistré.</p>
<label for="enfant">Nom de l'enfant</label><input id="enfant" type="text" autocomplete="off">
<p><button class="host" type="button" onclick="location.reload()">Revoir l'invitation</button></p></main>
<script type="application/json" id="oq-preview-data">{payload}</script>
<script data-preview="true">{_script_text(widget_source())}</script>
</body></html>"""

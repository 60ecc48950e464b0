"""Minors: why a Meta campaign starts at 18, what reaches 15–17-year-olds instead, and when a campaign's name
or themes aim at youths whom its audience cannot reach.

Since the DSA (art. 28(2)) no advertising based on profiling may be shown to a person the platform knows to be
a minor, and Meta shows no ads to under-18s in the EU at all: a « 15–25 ans » campaign reaches 18–25-year-olds.
"""

from __future__ import annotations

import re

from outreach.compliance.sensitive import normalise

ADULT_AGE = 18

FLOOR_EXPLAINED = ("18 ans minimum : le DSA (art. 28) interdit la publicité ciblée vers les mineurs et Meta ne "
                   "montre plus aucune publicité aux moins de 18 ans dans l'Union européenne.")

TEENS_ADVICE = [
    "publications organiques (sans ciblage payant) sur Instagram, TikTok ou YouTube, que les 15–17 ans voient "
    "comme tout le monde",
    "partenariats avec les CDI des collèges et lycées, les professeurs documentalistes et le Pass Culture "
    "(offres collectives)",
    "le questionnaire de la communauté, ouvert dès 15 ans, sans rapprochement avec Meta ni audience "
    "personnalisée avant 18 ans",
    "affiches et animations dans les lieux qu'ils fréquentent (maisons des jeunes, clubs, salles de sport)",
]

# words of a name or theme that aim at teenagers (accents and case folded by normalise)
TEEN_WORDS = ("ado", "ados", "adolescent", "adolescents", "adolescence", "jeune", "jeunes", "lyceen", "lyceens",
              "collegien", "collegiens", "teen", "teens", "young adult", "young adults", "15 17", "moins de 18")
# « 15–25 ans », « 16-20 », « 12/17 ans »: a range whose lower bound is under 18
AGE_RANGE = re.compile(r"\b(1[0-7])\s*(?:-|–|—|/|à|a)\s*(\d{2})\b")


def youth_aim(texts: list[str]) -> list[str]:
    """What in these texts (campaign name, theme labels) aims at under-18s, as quoted evidence."""
    found = []
    for text in texts:
        range_hit = AGE_RANGE.search(text)
        if range_hit:
            found.append(f"« {range_hit.group(0)} »")
            continue
        words = " " + " ".join(normalise(text)) + " "
        hit = next((w for w in TEEN_WORDS if f" {w} " in words), None)
        if hit:
            found.append(f"« {hit} » dans « {text} »")
    return found

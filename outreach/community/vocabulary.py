"""The closed lists of the questionnaire: purposes, age bands, and their French labels.

Keeping them in one place makes the user-facing strings easy to find and the allow-list (FORM-07) explicit.
"""

from __future__ import annotations

# One consent per purpose (FORM-02); the keys are those of the API's `consents` object.
EMAIL_RECOMMENDATIONS = "email_recommendations"
PERSONALISATION = "personalisation"
META_MATCHING = "meta_matching"
PURPOSES = (EMAIL_RECOMMENDATIONS, PERSONALISATION, META_MATCHING)

# purposes that need an e-mail address: the address is collected only when one of them is granted (FORM-07)
EMAIL_PURPOSES = (EMAIL_RECOMMENDATIONS, META_MATCHING)

PURPOSE_LABELS = {
    EMAIL_RECOMMENDATIONS: "Je souhaite recevoir par e-mail des recommandations de documents et l'agenda des "
                           "animations de ma médiathèque (à partir de 15 ans).",
    PERSONALISATION: "J'accepte que ces recommandations soient choisies d'après les centres d'intérêt que je "
                     "déclare ici (18 ans et plus).",
    META_MATCHING: "J'accepte que mon adresse e-mail, chiffrée (SHA-256) avant tout envoi, soit rapprochée des "
                   "comptes Facebook et Instagram pour m'y montrer des publicités de la médiathèque "
                   "(18 ans et plus ; Meta Platforms Ireland est alors destinataire et responsable conjoint).",
}

PURPOSE_SHORT = {
    EMAIL_RECOMMENDATIONS: "Recommandations par e-mail",
    PERSONALISATION: "Personnalisation selon mes centres d'intérêt",
    META_MATCHING: "Publicités de la médiathèque sur Facebook et Instagram",
}

# Age bands, not birth dates (FORM-07). The bands follow the ages the rules need: 15 (digital majority in
# France, MIN-02) and 18 (profiling-based ads and custom audiences, MIN-01, CA-06).
AGE_BANDS = {
    "moins-de-15": "Moins de 15 ans",
    "15-17": "15 à 17 ans",
    "18-24": "18 à 24 ans",
    "25-34": "25 à 34 ans",
    "35-49": "35 à 49 ans",
    "50-64": "50 à 64 ans",
    "65-plus": "65 ans et plus",
}
UNDER_15 = {"moins-de-15"}
MINORS = {"moins-de-15", "15-17"}

# the minimum age band for each purpose
MIN_AGE = {EMAIL_RECOMMENDATIONS: 15, PERSONALISATION: 18, META_MATCHING: 18}


def is_adult(age_band: str | None) -> bool:
    return age_band is not None and age_band in AGE_BANDS and age_band not in MINORS


def youngest_band(bands) -> str | None:
    """The most restrictive of the age bands one person gave (answers with the same e-mail address): a
    person who once said 15-17 is treated as 15-17 everywhere, whatever the order of the answers; a
    missing band counts as unknown, which allows nothing that needs an age."""
    order = list(AGE_BANDS)
    bands = list(bands)
    if not bands or any(b not in AGE_BANDS for b in bands):
        return None
    return min(bands, key=order.index)


def allowed_for_age(purpose: str, age_band: str) -> bool:
    if MIN_AGE[purpose] >= 18:
        return is_adult(age_band)
    return age_band not in UNDER_15


# Fields a questionnaire must never collect (FORM-07): named so that the refusal can say why.
FORBIDDEN_FIELDS = {"address", "adresse", "birth_date", "date_naissance", "birthdate", "free_text",
                    "comment", "commentaire", "phone", "telephone", "gender", "genre", "sexe", "name", "nom"}

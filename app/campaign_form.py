"""The Campagne form's starting values: those of the campaign file chosen, or, for a new campaign, the empty
form with the network's settings.

Why they are written into st.session_state rather than passed as each widget's default: a widget keeps the
value the browser holds for its key from one run to the next. Removing the key from the session state does not
reset what the browser shows (only an assignment through the session state does), so « Nouvelle campagne » kept
the previous file's name, themes and dates in a real browser.
"""

from __future__ import annotations

FROM_SETTINGS = ""  # the Page or Instagram account of the Paramètres


def identity_options(in_file: str | None, setting_id: str) -> list[str]:
    """The Page (or Instagram account) choices: the settings' one, and the file's when it names another."""
    return [FROM_SETTINGS] + ([in_file] if in_file and in_file != setting_id else [])


def field_of(campaign, path: str):
    """A campaign's field by its dotted path (`advertiser.page_id`); None without a campaign."""
    value = campaign
    for part in path.split("."):
        value = getattr(value, part, None) if value is not None else None
    return value


def form_values(campaign, network, themes: dict[str, str], departements: list[str]) -> dict[str, object]:
    """Every form field's value, by widget key, for `campaign` (None: a new campaign)."""
    # a new campaign starts from the network's settings, never from the example's Page, payer or landing page
    new_defaults = {"budget_eur": network.default_budget_eur, "landing_url": network.website,
                    "advertiser.beneficiary": network.dsa_beneficiary, "advertiser.payer": network.dsa_payer}

    def get(path: str, fallback):
        value = field_of(campaign, path)
        if value in (None, "", []) and campaign is None:
            value = new_defaults.get(path)
        return fallback if value in (None, "", []) else value

    departement = get("territory.departement", "13")
    return {
        "c_name": get("name", ""),
        "c_themes": [t for t in get("themes", []) if t in themes],
        "c_departement": departement if departement in departements else departements[0],
        "c_branches": " ".join(get("territory.branches", [])),
        "c_areas": " ".join(get("territory.areas", [])),
        "c_start": get("period.start", None),
        "c_end": get("period.end", None),
        "c_budget": float(get("budget_eur", 300.0)),
        "c_objective": get("objective", "awareness"),
        "c_ages": (get("audience.age_min", 18), get("audience.age_max", 65)),
        "c_geo": get("geo", "radius"),
        "c_extra": ", ".join(get("extra_interests", [])),
        "c_landing": get("landing_url", ""),
        "c_page": identity_options(get("advertiser.page_id", None), network.facebook_page_id)[-1],
        "c_ig": identity_options(get("advertiser.instagram_user_id", None), network.instagram_user_id)[-1],
        "c_beneficiary": get("advertiser.beneficiary", ""),
        "c_payer": get("advertiser.payer", ""),
    }

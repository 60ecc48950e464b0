"""The daily budget floor a plan is built on: the ad account's own, read from Meta when a token is set.

Meta's floor depends on the account, its currency and the optimisation goal (`act_…/minimum_budgets`:
impressions for awareness, clicks for traffic, several times higher). With a token and an ad account in the
settings, the plan uses the account's floor; otherwise the settings' per-objective defaults, and the plan
says which one it used.
"""

from __future__ import annotations

import os

from outreach.errors import InputError
from outreach.meta.payloads import OBJECTIVES
from outreach.settings import NetworkSettings


def account_floor(objective: str, settings: NetworkSettings) -> tuple[float | None, str | None]:
    """(floor in euros, where it comes from) for an ad set of this objective; (None, why) when the account's
    own floor cannot be read, so that the caller falls back on the settings."""
    from outreach.meta.client import TOKEN_ENV, MetaClient, streamlit_secret

    account = (settings.ad_account_id or "").strip()
    if not account or not (os.environ.get(TOKEN_ENV) or streamlit_secret(TOKEN_ENV)):
        return None, None
    goal = OBJECTIVES[objective][1]
    try:
        client = MetaClient(account, retries=1)
        budgets = client.minimum_budgets()
        cents = client.floor_cents(goal)
    except InputError as exc:
        return None, f"minimum du compte {account} illisible ({exc.message}) : valeur par défaut des paramètres"
    currency = budgets.get("currency", "EUR")
    if currency != "EUR" or cents <= 0:
        return None, (f"le compte {account} est en {currency} : valeur par défaut des paramètres, en euros")
    return cents / 100, f"minimum lu chez Meta pour le compte {account} ({goal})"

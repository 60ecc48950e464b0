"""The Meta connection as the Paramètres page and `outreach meta` see it: is the token good, and what may it use.

- `check()`: `debug_token` (validity, expiry, scopes) on the token itself, then `me/permissions` (which
  permissions are granted, declined or expired). Meta answers `debug_token` only to a token of the same app;
  when it refuses, the permissions alone decide and the expiry is reported as unknown.
- `ad_accounts()`, `pages()`, `instagram_accounts(account)`: the lists Meta returns (`me/adaccounts`,
  `me/accounts`, `act_…/instagram_accounts`), so that the officer chooses by name and never types an id.

Every call goes through the facebook-business SDK session of outreach.meta.insights (same base URL, same
redaction of the token in logs); Meta's refusals become French messages (outreach.meta.client).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import requests
from facebook_business.exceptions import FacebookRequestError

from outreach.meta.client import MetaError, french_error, hide_token_from_logs
from outreach.meta.insights import insights_api

# what each permission is needed for, in the words of the Paramètres page
NEEDED_SCOPES = {
    "ads_management": "créer les campagnes (en pause) et valider les paramètres",
    "ads_read": "lire les comptes publicitaires et les résultats (Insights)",
    "pages_read_engagement": "publier au nom de la Page Facebook",
    "pages_show_list": "proposer la liste des Pages",
}
# Meta's account_status codes (AdAccount reference)
ACCOUNT_STATUS = {1: "actif", 2: "désactivé", 3: "impayé", 7: "en cours d'examen", 8: "en attente de règlement",
                  9: "en période de grâce", 100: "fermeture en attente", 101: "fermé", 201: "actif",
                  202: "fermé"}
EXPIRY_WARNING_DAYS = 14


@dataclass
class ConnectionStatus:
    valid: bool
    expires_at: datetime | None = None  # None: never (system-user token) or unknown (see expiry_known)
    expiry_known: bool = True
    scopes: list[str] = field(default_factory=list)
    name: str = ""  # the user or system user behind the token
    problem: str = ""  # why it is not valid, in French

    @property
    def missing(self) -> list[str]:
        return [s for s in NEEDED_SCOPES if s not in self.scopes]

    @property
    def ready(self) -> bool:
        return self.valid and not self.missing and not self.expired

    @property
    def expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= datetime.now(UTC)

    def expiry_text(self) -> str:
        if not self.expiry_known:
            return "date d'expiration inconnue (Meta ne la donne qu'à un jeton de la même application)"
        if self.expires_at is None:
            return "n'expire pas (jeton d'utilisateur système)"
        days = (self.expires_at - datetime.now(UTC)).days
        when = f"{self.expires_at:%d/%m/%Y}"
        if self.expired:
            return f"expiré depuis le {when}"
        if days < EXPIRY_WARNING_DAYS:
            return f"expire le {when}, dans {days} jour(s) : préparez un jeton d'utilisateur système"
        return f"expire le {when}"

    def lines(self) -> list[str]:
        """The status in French, one fact per line (the CLI prints them, the page shows them)."""
        if not self.valid:
            return [f"Jeton refusé par Meta : {self.problem}"]
        out = [f"Jeton valide{f' ({self.name})' if self.name else ''}, {self.expiry_text()}."]
        for scope, use in NEEDED_SCOPES.items():
            mark = "accordé" if scope in self.scopes else "MANQUANT"
            out.append(f"{scope} : {mark} — pour {use}.")
        return out


def _get(api, what: str, path: tuple, params: dict | None = None) -> dict:
    try:
        return api.call("GET", path, params=params or {}).json()
    except FacebookRequestError as exc:
        if exc.api_error_code() in (10, 200):
            raise MetaError(f"{what} : Meta refuse, il manque un droit au jeton ({exc.api_error_message()}).",
                            field="jeton", fix="Dans le Business Manager, donnez ce droit à l'utilisateur "
                                               "système et générez un nouveau jeton (guide ci-dessous).") from None
        raise french_error(exc, what) from None
    except requests.RequestException as exc:
        # requests' text holds the URL, and the URL holds the token: only the kind of failure
        raise MetaError(f"{what} : le serveur de Meta ne répond pas ({type(exc).__name__}).",
                        fix="Vérifiez la connexion à Internet du poste, puis réessayez.") from None


def _session(token: str | None, graph_url: str | None):
    hide_token_from_logs()
    return insights_api(token, graph_url)


def check(token: str | None = None, graph_url: str | None = None) -> ConnectionStatus:
    api = _session(token, graph_url)
    own = api._session.access_token
    try:
        me = api.call("GET", ("me",), params={"fields": "id,name"}).json()
    except FacebookRequestError as exc:
        if exc.api_error_code() == 190:
            return ConnectionStatus(valid=False, problem=_invalid_reason(exc))
        raise french_error(exc, "vérification du jeton") from None
    except requests.RequestException as exc:
        raise MetaError(f"vérification du jeton : le serveur de Meta ne répond pas ({type(exc).__name__}).",
                        fix="Vérifiez la connexion à Internet du poste, puis réessayez.") from None
    status = ConnectionStatus(valid=True, name=str(me.get("name") or ""))
    granted = _get(api, "lecture des droits du jeton", ("me", "permissions"))
    status.scopes = sorted(p["permission"] for p in granted.get("data", []) if p.get("status") == "granted")
    try:
        debug = api.call("GET", ("debug_token",), params={"input_token": own}).json().get("data", {})
    except FacebookRequestError:
        status.expiry_known = False  # not a token of an app the token may inspect: permissions decide
        return status
    except requests.RequestException:
        status.expiry_known = False
        return status
    if not debug.get("is_valid", True):
        return ConnectionStatus(valid=False, problem=str((debug.get("error") or {}).get("message")
                                                         or "jeton invalide."))
    expires = int(debug.get("expires_at") or 0)
    status.expires_at = datetime.fromtimestamp(expires, UTC) if expires else None
    return status


def _invalid_reason(exc: FacebookRequestError) -> str:
    subcode = exc.api_error_subcode()
    return {463: "jeton expiré.", 460: "jeton invalidé (mot de passe changé).",
            458: "l'application a été retirée du compte.", 467: "jeton invalidé (déconnexion)."}.get(
        subcode, "jeton invalide ou expiré.")


@dataclass(frozen=True)
class Choice:
    """One thing the officer picks from a list: Meta's id and what the list shows."""

    id: str
    label: str
    usable: bool = True


def _all(api, what: str, path: tuple, params: dict) -> list[dict]:
    """Every row of a Graph list, following `paging.next` cursors (a business may have many Pages)."""
    rows, params = [], dict(params, limit=100)
    for _ in range(50):
        data = _get(api, what, path, params)
        rows.extend(data.get("data", []))
        after = ((data.get("paging") or {}).get("cursors") or {}).get("after")
        if not after or not (data.get("paging") or {}).get("next"):
            break
        params = dict(params, after=after)
    return rows


def ad_accounts(token: str | None = None, graph_url: str | None = None) -> list[Choice]:
    api = _session(token, graph_url)
    rows = _all(api, "liste des comptes publicitaires", ("me", "adaccounts"),
                {"fields": "id,account_id,name,account_status,currency"})
    out = []
    for row in rows:
        status = int(row.get("account_status") or 0)
        state = ACCOUNT_STATUS.get(status, f"état {status}")
        label = f"{row.get('name') or row['id']} ({row['id']}, {row.get('currency', '')}, {state})"
        out.append(Choice(id=str(row["id"]), label=label.replace(", )", ")"), usable=status in (1, 201)))
    return sorted(out, key=lambda c: (not c.usable, c.label.casefold()))


def pages(token: str | None = None, graph_url: str | None = None) -> list[Choice]:
    api = _session(token, graph_url)
    rows = _all(api, "liste des Pages Facebook", ("me", "accounts"), {"fields": "id,name"})
    return sorted((Choice(id=str(r["id"]), label=f"{r.get('name') or r['id']}") for r in rows),
                  key=lambda c: c.label.casefold())


def instagram_accounts(account_id: str, token: str | None = None, graph_url: str | None = None) -> list[Choice]:
    """The Instagram accounts the ad account may advertise as (Marketing API, AdAccount/instagram_accounts)."""
    api = _session(token, graph_url)
    rows = _all(api, "liste des comptes Instagram", (account_id, "instagram_accounts"), {"fields": "id,username"})
    return sorted((Choice(id=str(r["id"]), label=f"@{r['username']}" if r.get("username") else str(r["id"]))
                   for r in rows), key=lambda c: c.label.casefold())

"""The Marketing API through the facebook-business SDK: interests, estimates, and the push.

- Interests: an id kept in the themes file is used as is; a name alone is looked up with
  `search?type=adinterest&locale=en_US` (Meta answers names in the locale asked for, and the themes file
  holds Meta's English names). Hits are cached; a miss is cached for a day only and comes back with Meta's
  suggestions (`adinterestsuggestion`), explained in French. Every id is checked with `targetingoptionstatus`
  before a push (Meta retires interests a few times a year, and an ad set with a retired one stops delivering).
- Budget floors: `act_…/minimum_budgets` per account (cached a day, with its currency); each ad set's budget
  is checked against the floor of its optimisation goal before anything is sent.
- Rate limits (codes 4, 17, 32, 613, 80000–80014): the wait Meta gives in `x-business-use-case-usage` /
  `x-ad-account-usage` (`estimated_time_to_regain_access`, in minutes) is honoured, at least a minute.
- Delivery estimates per ad set: Meta gives a range; both bounds are kept, never a single figure.
- The push: campaign → ad sets → creatives → ads (a hand-edited status other than PAUSED, or a parameter
  the GDPR checklist blocks, is refused before anything is sent), each first sent with
  `execution_options=["validate_only"]`, then created PAUSED (never ACTIVE: the officer starts the
  campaign in Ads Manager after Meta's review). Every created id is written at once to `meta-ids.json`
  beside the payloads, so a re-run after a failure carries on where it stopped instead of duplicating;
  when a create fails in a way that may have happened anyway (a 5xx), the object is looked up by name
  (and creation time, so that last month's namesake is not taken for it) before it is sent again. Transient errors are retried with exponential backoff.
- Meta's errors become French messages that name the field to fix.
- The token comes from META_ACCESS_TOKEN, the one stored from the Paramètres page (outreach.meta.token_store)
  or the Streamlit secrets file; it is never printed, logged or
  written (the SDK's own exception text contains request details, so it is never shown as is). The
  SDK's crash reporter, which would post tracebacks to Meta, stays off. META_GRAPH_URL points the SDK at
  another Graph server (the tests' local one).
"""

from __future__ import annotations

import io
import json
import logging
import os
import time
import tomllib
from collections.abc import Callable
from copy import deepcopy
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests
from facebook_business.adobjects.adaccount import AdAccount
from facebook_business.adobjects.targetingsearch import TargetingSearch
from facebook_business.api import FacebookAdsApi
from facebook_business.exceptions import FacebookRequestError

from outreach import atomic, paths
from outreach.compliance.gate import refuse_unsafe_payloads
from outreach.errors import InputError, mask_secrets, register_secret
from outreach.meta.names import IDS_FILE, META_API_FILE
from outreach.meta.payloads import API_VERSION, REF, REF_PREFIX, campaigns_of, without_ref
from outreach.model import is_ad_account
from outreach.visuals import check_image

DEFAULT_GRAPH_URL = paths.DEFAULT_GRAPH_URL
# meta-ids.json maps each ref to its Meta id, and records which account and which campaign file the folder's
# objects belong to, under keys that no ref can take (refs never start with "_")
META_KEY_PREFIX = "_"
ACCOUNT_KEY = "_account"
IDENTITY_KEY = "_campaign_identity"
BATCH_SIZE = 50  # Meta's limit of calls per batch request
IMAGES_PER_UPLOAD = 10  # files sent together to act_…/adimages, up to UPLOAD_BYTES (Meta's limit is 30 MB each)
UPLOAD_BYTES = 8 * 1024 * 1024
# what each object was last sent with (ref → params), to bring the objects in line when the plan changes
SENT_FILE = "meta-sent.json"
# fields Meta does not let an existing object change (a new campaign is needed); status is never updated
FROZEN = {"campaigns": {"objective", "special_ad_categories", "special_ad_category_country", "buying_type"},
          "adsets": {"campaign_id", "optimization_goal", "billing_event", "destination_type"},
          "ads": {"adset_id"}}
NEVER_UPDATED = {"status", "execution_options"}
TOKEN_ENV = "META_ACCESS_TOKEN"
GRAPH_URL_ENV = paths.META_GRAPH_URL_ENV
# Graph error codes Meta documents as temporary: unknown, service, rate limits, too many calls
TRANSIENT_CODES = {1, 2, 4, 17, 32, 341, 613, 80004}
# the rate-limit codes: app, user, page, custom and business-use-case limits (ads management is 80004)
RATE_LIMIT_CODES = {4, 17, 32, 613} | set(range(80000, 80015))
RATE_LIMIT_MIN_WAIT_S = 60.0  # Meta counts its windows in minutes: a few seconds' wait only fails again
USAGE_HEADERS = ("x-business-use-case-usage", "x-ad-account-usage", "x-app-usage")
INTEREST_LOCALE = "en_US"  # the themes file holds Meta's English names
MISS_TTL = timedelta(days=1)  # an unknown name is asked again after a day (Meta adds and renames interests)
BUDGETS_TTL = timedelta(days=1)
# act_…/minimum_budgets field that applies to each optimisation goal (clicks are "high frequency" events)
GOAL_FLOOR_FIELD = {"REACH": "min_daily_budget_imp", "IMPRESSIONS": "min_daily_budget_imp",
                    "AD_RECALL_LIFT": "min_daily_budget_imp", "THRUPLAY": "min_daily_budget_video_views",
                    "LINK_CLICKS": "min_daily_budget_high_freq", "LANDING_PAGE_VIEWS": "min_daily_budget_high_freq"}
# how far this machine's clock may be behind Meta's when telling a lost create from an older namesake
CLOCK_SKEW = timedelta(minutes=5)


class MetaError(InputError):
    """Meta refused something: the message says which field and what to change."""


class NotJsonAnswer(requests.RequestException):
    """The Graph API's address answered something else than a JSON object (a proxy's HTML error page, a
    captive portal): handled like a connection failure, retried, then explained in French."""


# ------------------------------------------------------------------------------------------ token

def streamlit_secret(name: str, roots: list[Path] | None = None) -> str | None:
    """Read a value from Streamlit's secrets.toml (project folder, then home) without importing streamlit."""
    roots = roots if roots is not None else [Path.cwd(), Path.home()]
    for root in roots:
        path = root / ".streamlit" / "secrets.toml"
        if path.is_file():
            try:
                value = tomllib.loads(path.read_text(encoding="utf-8")).get(name)
            except (tomllib.TOMLDecodeError, UnicodeDecodeError):
                continue
            if value:
                return str(value)
    return None


def access_token(explicit: str | None = None) -> str:
    """The token to use: given, else the environment, else the one stored from the Paramètres page (or
    `outreach meta token`), else Streamlit's secrets in the working folder or the home folder."""
    from outreach.meta.token_store import stored_token

    token = explicit or os.environ.get(TOKEN_ENV) or stored_token() or streamlit_secret(TOKEN_ENV)
    if not token:
        raise MetaError("aucun jeton d'accès Meta n'est enregistré.", field="jeton",
                        fix="Collez-le sur la page Paramètres, rubrique « Connexion à Meta » (ou « outreach meta "
                            "token » en ligne de commande) : un jeton d'utilisateur système ayant les droits "
                            "ads_management et ads_read.")
    register_secret(token)
    return token


class RedactToken(logging.Filter):
    """urllib3 logs every request's URL at DEBUG level, and the SDK sends the token in the query string: the
    token is masked in those records, whatever logging level the user or Streamlit sets."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        shown = mask_secrets(message)
        if shown != message:
            record.msg, record.args = shown, None
        return True


REDACT_TOKEN = RedactToken()


def hide_token_from_logs() -> None:
    logger = logging.getLogger("urllib3.connectionpool")
    if REDACT_TOKEN not in logger.filters:
        logger.addFilter(REDACT_TOKEN)


# ------------------------------------------------------------------------------------------ errors

@dataclass(frozen=True)
class _Rule:
    field: str
    message: str
    fix: str


# by error_subcode first, then by words of Meta's message or blamed field (WORD_RULES)
SUBCODE_RULES = {
    3858081: _Rule("advertiser.beneficiary (dsa_beneficiary)", "Meta refuse l'ensemble de publicités : le "
                   "bénéficiaire exigé par le DSA manque ou n'est pas accepté.",
                   "Renseignez advertiser.beneficiary (par ex. « Ville de Marseille — Bibliothèques »)."),
    3858079: _Rule("advertiser.payer (dsa_payor)", "Meta refuse l'ensemble de publicités : le payeur exigé "
                   "par le DSA manque ou n'est pas accepté.", "Renseignez advertiser.payer (par ex. « Ville de "
                   "Marseille »)."),
    1870227: _Rule("targeting.targeting_automation.advantage_audience", "Meta exige d'indiquer si l'audience "
                   "Advantage+ est activée.", "Envoyez targeting_automation.advantage_audience = 0 (les "
                   "payloads d'outreach le font ; vérifiez un fichier modifié à la main)."),
    2490408: _Rule("optimization_goal", "l'objectif d'optimisation ne convient pas à l'objectif de la "
                   "campagne.", "Notoriété (awareness) → REACH, trafic (traffic) → LINK_CLICKS : changez "
                   "« objective » dans le fichier de campagne et refaites le plan."),
    1487694: _Rule("interests", "un centre d'intérêt a été retiré par Meta et ne peut plus être ciblé.",
                   "Retirez-le du thème ou de extra_interests, ou remplacez-le (outreach vérifie les "
                   "identifiants avant l'envoi : relancez la vérification)."),
    1885272: _Rule("budget_eur (daily_budget)", "le budget quotidien d'un ensemble de publicités est sous le "
                   "minimum de Meta pour ce compte.", "Augmentez budget_eur, raccourcissez la période ou "
                   "retirez des thèmes, puis refaites le plan."),
    1870199: _Rule("targeting.geo_locations.location_types", "Meta n'accepte plus le champ location_types.",
                   "Retirez location_types du ciblage."),
    1870128: _Rule("targeting (catégorie spéciale)", "ce ciblage n'est pas permis dans la catégorie spéciale de "
                   "la campagne (âges 18–65+, pas de codes postaux, rayons d'au moins 15 miles, pas de centres "
                   "d'intérêt).", "Refaites le plan : outreach applique ces règles au thème de la catégorie."),
    1885611: _Rule("frequency_control_specs", "Meta n'accepte un plafond de fréquence qu'en optimisation de la "
                   "couverture (REACH, campagne de notoriété).", "Refaites le plan (outreach ne met le plafond que "
                   "sur les campagnes awareness) ou retirez frequency_control_specs du fichier."),
    1487756: _Rule("targeting (placements)", "un emplacement de diffusion n'est pas accepté par Meta.",
                   "Refaites le plan : outreach envoie les fils, stories et reels de Facebook et d'Instagram."),
    1487212: _Rule("images", "Meta refuse une publicité sans visuel (« Missing Image »).",
                   "Refaites le plan avec « outreach plan » : chaque publicité y reçoit une image (la vôtre, "
                   "donnée dans « images » du fichier de campagne, ou une image dessinée par outreach)."),
    4834011: _Rule("is_adset_budget_sharing_enabled", "Meta exige de dire si le budget peut être partagé "
                   "entre ensembles de publicités.", "Envoyez is_adset_budget_sharing_enabled = false."),
}

# in order: the first word found decides ("is_adset_budget_sharing_enabled" before the plain "budget")
WORD_RULES = [
    ("is_adset_budget_sharing_enabled", SUBCODE_RULES[4834011]),
    ("location_types", SUBCODE_RULES[1870199]),
    ("beneficiar", SUBCODE_RULES[3858081]),
    ("payor", SUBCODE_RULES[3858079]),
    ("advantage audience", SUBCODE_RULES[1870227]),
    ("optimization goal", SUBCODE_RULES[2490408]),
    ("optimization_goal", SUBCODE_RULES[2490408]),
    ("no longer available", SUBCODE_RULES[1487694]),
    ("budget", SUBCODE_RULES[1885272]),
    ("instagram_actor_id", _Rule("advertiser.instagram_user_id", "Meta n'accepte plus instagram_actor_id.",
                                 "Utilisez instagram_user_id (l'identifiant du compte Instagram).")),
]


def french_error(exc: FacebookRequestError, what: str) -> MetaError:
    """A clear French message for one of Meta's errors, naming the field; never Meta's raw request, never the
    token (even when Meta's text quotes the URL it was sent to: MetaError masks it, see outreach.errors)."""
    code, subcode = exc.api_error_code(), exc.api_error_subcode()
    body = exc.body() if isinstance(exc.body(), dict) else {}
    error = body.get("error", {}) if isinstance(body, dict) else {}
    meta_says = error.get("error_user_msg") or error.get("error_user_title") or exc.api_error_message() or ""
    if code == 190:
        return MetaError("jeton d'accès Meta invalide ou expiré.", field="jeton",
                         fix="Générez un nouveau jeton (droit ads_management) et collez-le sur la page "
                             "Paramètres, rubrique « Connexion à Meta ».")
    if code in (10, 200) or (code and 200 <= code < 300):
        return MetaError(f"{what} : le jeton n'a pas le droit de gérer ce compte publicitaire ({meta_says}).",
                         field="account", fix="Vérifiez que le jeton a ads_management et accès au compte.")
    rule = SUBCODE_RULES.get(subcode)
    if rule is None:
        blamed = " ".join(" ".join(map(str, spec)) for spec in (exc.api_blame_field_specs() or []))
        haystack = f"{meta_says} {exc.api_error_message() or ''} {blamed}".casefold()
        rule = next((r for word, r in WORD_RULES if word in haystack), None)
    if code in RATE_LIMIT_CODES:
        return MetaError(f"{what} : Meta limite le nombre d'appels pour ce compte (code {code}).", field=None,
                         fix="Relancez plus tard : ce qui a été créé est noté et ne sera pas recréé.")
    if rule is None:
        return MetaError(f"{what} : Meta a refusé la demande (code {code}"
                         f"{f', sous-code {subcode}' if subcode else ''}) : {meta_says}", field=None)
    return MetaError(f"{what} : {rule.message} (Meta : {meta_says})", where=rule.field, field=rule.field,
                     fix=rule.fix)


def is_transient(exc: Exception) -> bool:
    if isinstance(exc, requests.RequestException):
        return True
    if isinstance(exc, FacebookRequestError):
        return bool(exc.api_transient_error()) or (exc.http_status() or 0) >= 500 or \
            exc.api_error_code() in TRANSIENT_CODES
    return False


def rate_limit_wait_s(exc: Exception) -> float | None:
    """Seconds to wait before calling again when Meta says a rate limit is reached; None otherwise.

    Meta puts `estimated_time_to_regain_access` (minutes) in its usage headers, per use case; the longest
    one wins, and never less than a minute."""
    if not isinstance(exc, FacebookRequestError) or exc.api_error_code() not in RATE_LIMIT_CODES:
        return None
    return max(RATE_LIMIT_MIN_WAIT_S, 60.0 * usage_wait_minutes(exc.http_headers() or {}))


def usage_wait_minutes(headers) -> float:
    """The longest `estimated_time_to_regain_access` found in Meta's usage headers (0 when none)."""
    lowered = {str(k).lower(): v for k, v in (headers.items() if hasattr(headers, "items") else
                                              ((h.get("name"), h.get("value")) for h in headers))}
    longest = 0.0
    for name in USAGE_HEADERS:
        try:
            usage = json.loads(lowered.get(name) or "{}")
        except ValueError:
            continue
        entries = [e for values in usage.values() if isinstance(values, list) for e in values] \
            if isinstance(usage, dict) and "estimated_time_to_regain_access" not in usage else [usage]
        for entry in entries:
            if isinstance(entry, dict):
                try:
                    longest = max(longest, float(entry.get("estimated_time_to_regain_access") or 0))
                except (TypeError, ValueError):
                    continue
    return longest


# ------------------------------------------------------------------------------------------ client

@dataclass
class PushReport:
    ids: dict[str, str] = field(default_factory=dict)  # ref → Meta id
    validated: list[str] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)  # already created by an earlier run, unchanged
    updated: list[str] = field(default_factory=list)  # already created, brought in line with the plan
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """What the push did, in French (the CLI and the Exporter page say the same)."""
        return (f"{len(self.created)} objet(s) créé(s) en pause, {len(self.updated)} mis à jour, "
                f"{len(self.reused)} inchangé(s).")


class MetaClient:
    def __init__(self, account_id: str, *, token: str | None = None, graph_url: str | None = None,
                 api_version: str = API_VERSION, cache_dir: str | Path | None = None,
                 retries: int = 4, backoff_s: float = 1.0, sleep: Callable[[float], None] = time.sleep,
                 timeout_s: float = 60):
        account_id = str(account_id).strip()
        if not is_ad_account(account_id):
            raise MetaError(f"identifiant de compte publicitaire « {account_id} » invalide.", where="--account",
                            field="account", fix="Écrivez-le act_ suivi des chiffres (Gestionnaire de "
                                                 "publicités → Paramètres du compte).")
        self.account_id = account_id
        hide_token_from_logs()
        self._secret = access_token(token)
        self.api = FacebookAdsApi.init(access_token=self._secret, api_version=api_version,
                                       timeout=timeout_s, crash_log=False)
        # per-session base URL: the SDK joins it with the version for every call made through this api
        self.api._session.GRAPH = (graph_url or paths.meta_graph_url()).rstrip("/")
        self.account = AdAccount(account_id, api=self.api)
        self.retries, self.backoff_s, self.sleep = retries, backoff_s, sleep
        self.cache_path = Path(cache_dir or paths.cache_dir()) / "meta-interests.json"
        self.budgets_path = self.cache_path.with_name("meta-minimum-budgets.json")
        self.now: Callable[[], datetime] = lambda: datetime.now(UTC)

    # -- low level -----------------------------------------------------------------------------------

    def _with_retries(self, what: str, call: Callable, *, after_transient: Callable | None = None):
        """`call()`, retried with exponential backoff on transient errors; Meta's refusals in French.

        `after_transient()` runs after each transient failure, before the retry: when it returns something,
        that is the answer (a create whose answer was lost is found instead of being sent again)."""
        for attempt in range(self.retries + 1):
            try:
                return call()
            except (FacebookRequestError, requests.RequestException) as exc:
                if attempt < self.retries and is_transient(exc):
                    wait = rate_limit_wait_s(exc)
                    self.sleep(wait if wait is not None else self.backoff_s * 2 ** attempt)
                    found = after_transient() if after_transient else None
                    if found is not None:
                        return found
                    continue
                if isinstance(exc, FacebookRequestError):
                    raise french_error(exc, what) from None
                if isinstance(exc, NotJsonAnswer):
                    raise MetaError(f"{what} : l'adresse de l'API de Meta a répondu autre chose que du JSON "
                                    f"({exc}).", where=GRAPH_URL_ENV,
                                    fix="Panne passagère de Meta ou d'un proxy : relancez plus tard ; si cela "
                                        f"dure, vérifiez {GRAPH_URL_ENV}.") from None
                raise MetaError(f"{what} : le serveur de Meta ne répond pas ({type(exc).__name__}).",
                                fix="Vérifiez la connexion et relancez : ce qui a été créé ne le sera pas deux "
                                    "fois.") from None
        raise AssertionError("unreachable")

    def _call(self, method: str, path: tuple, params: dict) -> dict:
        """One Graph API call whose answer must be a JSON object; anything else raises NotJsonAnswer."""
        response = self.api.call(method, path, params=params)
        answer = response.json()
        if not isinstance(answer, dict):
            raise NotJsonAnswer(f"HTTP {response.status()}, {response.headers().get('Content-Type', '?')}")
        return answer

    def _get(self, what: str, path: tuple, params: dict) -> dict:
        return self._with_retries(what, lambda: self._call("GET", path, params))

    # -- interests -----------------------------------------------------------------------------------

    def _cache(self) -> dict:
        try:
            return json.loads(self.cache_path.read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return {}

    def search_interests(self, query: str, limit: int = 25, locale: str = INTEREST_LOCALE) -> list[dict]:
        # the SDK's TargetingSearch.search ignores the session's base URL: call /search on our api instead
        data = self._get(f"recherche du centre d'intérêt « {query} »", ("search",), {
            "type": TargetingSearch.TargetingSearchTypes.interest, "q": query, "locale": locale,
            "limit": limit})
        return data.get("data", [])

    def suggest_interests(self, names: list[str], limit: int = 5) -> list[dict]:
        """Meta's suggestions near `names` (`adinterestsuggestion`), in English like the themes file."""
        data = self._get("suggestions de centres d'intérêt", ("search",), {
            "type": "adinterestsuggestion", "interest_list": list(names), "locale": INTEREST_LOCALE,
            "limit": limit})
        return [_interest_row(r) for r in data.get("data", []) if r.get("id")]

    def resolve_interests(self, names: list[str]) -> dict[str, dict | None]:
        """Name → {id, name, audience bounds, resolved_at} (None when Meta knows no such interest).

        Hits stay cached; a miss is cached with Meta's suggestions for a day (`MISS_TTL`), then asked again."""
        cache = self._cache()
        now = self.now()
        out, changed = {}, False
        for name in names:
            key = name.casefold()
            entry = cache.get(key)
            if entry is None or (entry.get("missing") and now - _when(entry.get("checked_at")) > MISS_TTL):
                rows = self.search_interests(name)
                exact = next((r for r in rows if r.get("name", "").casefold() == key), None)
                stamp = now.isoformat(timespec="seconds")
                entry = _interest_row(exact) | {"resolved_at": stamp} if exact else \
                    {"missing": True, "checked_at": stamp, "suggestions": self.suggest_interests([name])}
                cache[key] = entry
                changed = True
            out[name] = None if entry.get("missing") else entry
        if changed:
            atomic.write_text(self.cache_path, json.dumps(cache, ensure_ascii=False, indent=1, sort_keys=True))
        return out

    def cached_suggestions(self, name: str) -> list[dict]:
        return (self._cache().get(name.casefold()) or {}).get("suggestions") or []

    def interest_status(self, ids: list[str]) -> dict[str, str]:
        """Id → NORMAL, DEPRECATING, NON_DELIVERABLE… (targetingoptionstatus)."""
        if not ids:
            return {}
        data = self._get("vérification des centres d'intérêt", ("search",), {
            "type": "targetingoptionstatus", "targeting_option_list": [str(i) for i in ids]})
        return {str(r["id"]): r.get("current_status", "") for r in data.get("data", [])}

    # -- budget floors -------------------------------------------------------------------------------

    def minimum_budgets(self) -> dict:
        """This account's floors (`act_…/minimum_budgets`): {currency, min_daily_budget_imp, …} in cents of
        the account's currency; cached a day per account and currency."""
        try:
            cache = json.loads(self.budgets_path.read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            cache = {}
        entry = cache.get(self.account_id)
        if entry and self.now() - _when(entry.get("fetched_at")) <= BUDGETS_TTL:
            return entry
        data = self._get("lecture des budgets minimaux du compte", (self.account_id, "minimum_budgets"), {})
        rows = data.get("data") or []
        if not rows:
            raise MetaError("Meta n'a pas donné les budgets minimaux de ce compte.", field="account",
                            fix="Vérifiez le compte publicitaire (act_…) et relancez.")
        entry = dict(rows[0], fetched_at=self.now().isoformat(timespec="seconds"))
        cache[self.account_id] = entry
        atomic.write_text(self.budgets_path, json.dumps(cache, indent=1, sort_keys=True))
        return entry

    def floor_cents(self, optimization_goal: str) -> int:
        """The smallest daily budget Meta accepts for an ad set optimised for this goal, in cents."""
        budgets = self.minimum_budgets()
        return int(budgets.get(GOAL_FLOOR_FIELD.get(optimization_goal, "min_daily_budget_imp")) or 0)

    def check_floors(self, payloads: dict) -> None:
        """Refuse, before anything is sent, an ad set whose daily budget is under its goal's floor."""
        under = []
        for ad_set in payloads["ad_sets"]:
            floor = self.floor_cents(ad_set.get("optimization_goal", "REACH"))
            if int(ad_set.get("daily_budget") or 0) < floor:
                under.append((ad_set, floor))
        if under:
            currency = self.minimum_budgets().get("currency", "EUR")
            first, floor = under[0]
            raise MetaError(f"{len(under)} ensemble(s) de publicités sous le budget quotidien minimal de Meta pour "
                            f"ce compte ({floor / 100:.2f} {currency} par jour en {first.get('optimization_goal')}), "
                            f"dont « {first.get('name')} » ({int(first.get('daily_budget') or 0) / 100:.2f} "
                            f"{currency}).", where="budget_eur (daily_budget)", field="budget_eur (daily_budget)",
                            fix="Refaites le plan avec ce minimum (« outreach plan » le lit quand un jeton est "
                                "défini) : les petits bassins seront regroupés ; ou augmentez budget_eur.")

    # -- estimates -----------------------------------------------------------------------------------

    def delivery_estimate(self, targeting: dict, optimization_goal: str) -> tuple[int | None, int | None]:
        rows = self._with_retries("estimation d'audience", lambda: list(self.account.get_delivery_estimate(
            params={"optimization_goal": optimization_goal, "targeting_spec": targeting})))
        if not rows:
            return None, None
        row = rows[0]
        return row.get("estimate_mau_lower_bound"), row.get("estimate_mau_upper_bound")

    def estimates(self, payloads: dict) -> dict[str, tuple[int | None, int | None]]:
        """Ref → (lower, upper) monthly reach Meta estimates for each ad set."""
        prepared = self.prepare(payloads)
        return {a[REF]: self.delivery_estimate(a["targeting"], a["optimization_goal"])
                for a in prepared["ad_sets"]}

    # -- preparing payloads --------------------------------------------------------------------------

    def prepare(self, payloads: dict, *, file: str | Path | None = None) -> dict:
        """Fill the interests' ids (by name) and refuse interests Meta does not know or has retired.

        First the GDPR gate once more, on the parameters themselves, before anything reaches Meta (a look-up
        or an estimate included): a meta-api.json edited by hand after the gate let it out is checked too."""
        refuse_unsafe_payloads(payloads, file=file or META_API_FILE)
        prepared = deepcopy(payloads)
        names = sorted({i["name"] for a in prepared["ad_sets"] for g in a["targeting"].get("flexible_spec", [])
                        for i in g.get("interests", []) if not i.get("id")})
        resolved = self.resolve_interests(names) if names else {}
        unknown = [n for n, hit in resolved.items() if hit is None]
        if unknown:
            raise MetaError(f"centre(s) d'intérêt inconnu(s) de Meta : {', '.join(unknown)}.", where="interests",
                            field="interests", fix=unknown_interest_fix(
                                {n: self.cached_suggestions(n) for n in unknown}))
        for ad_set in prepared["ad_sets"]:
            for group in ad_set["targeting"].get("flexible_spec", []):
                group["interests"] = [i if i.get("id") else {"id": resolved[i["name"]]["id"], "name": i["name"]}
                                      for i in group.get("interests", [])]
        ids = sorted({i["id"] for a in prepared["ad_sets"] for g in a["targeting"].get("flexible_spec", [])
                      for i in g.get("interests", [])})
        status = self.interest_status(ids)
        retired = [i for i in ids if status.get(i, "NORMAL") != "NORMAL"]
        if retired:
            names_by_id = {i["id"]: i["name"] for a in prepared["ad_sets"]
                           for g in a["targeting"].get("flexible_spec", []) for i in g.get("interests", [])}
            shown = ", ".join(f"{names_by_id[i]} ({status[i]})" for i in retired)
            raise MetaError(f"centre(s) d'intérêt retiré(s) ou en cours de retrait par Meta : {shown}.",
                            where="interests", field="interests",
                            fix="Remplacez-les dans le thème ou dans extra_interests, puis refaites le plan.")
        return prepared

    # -- push ----------------------------------------------------------------------------------------

    def push(self, payloads: dict, out_dir: str | Path, *, dry_run: bool = False,
             progress: Callable[[str], None] | None = None) -> PushReport:
        """Validate then create, paused, everything not created yet; through the Batch API, 50 calls per
        request, each step's ids written to meta-ids.json as soon as Meta gives them (resumable)."""
        out_dir = Path(out_dir)
        ids_path = out_dir / IDS_FILE
        folder = _read_ids(ids_path)
        identity = payloads.get("campaign_identity")
        _check_folder(folder, self.account_id, identity, ids_path)
        report = PushReport(ids={k: v for k, v in folder.items() if not k.startswith(META_KEY_PREFIX)})
        prepared = self.prepare(_paused(payloads), file=out_dir / META_API_FILE)
        self.check_floors(prepared)
        say = progress or (lambda _msg: None)
        steps = [("campaigns", campaigns_of(prepared), "la campagne"),
                 ("adsets", prepared["ad_sets"], "l'ensemble de publicités"),
                 ("adcreatives", prepared["creatives"], "la publicité (visuel)"),
                 ("ads", prepared["ads"], "la publicité")]
        owner = {ACCOUNT_KEY: self.account_id} | ({IDENTITY_KEY: identity} if identity else {})

        def save() -> None:
            atomic.write_text(ids_path, json.dumps(owner | report.ids, indent=1, sort_keys=True))

        self.upload_images(prepared, out_dir, report, dry_run=dry_run, say=say, save=save)

        sent_path = out_dir / SENT_FILE
        sent = _read_sent(sent_path)
        _refuse_frozen_changes(steps, report.ids, sent)
        planned = {obj[REF] for _, objects, _ in steps for obj in objects}
        waiting = 0
        for edge, objects, label in steps:
            todo, updates = [], []
            for obj in objects:
                ref = obj[REF]
                params = _resolve_refs(without_ref(obj), report.ids)
                if params is None:  # a parent does not exist yet (dry run): Meta cannot validate it
                    waiting += 1
                    continue
                what = f"{label} « {obj.get('name', ref)} »"
                if ref in report.ids:
                    before = sent.get(ref)
                    changes = {} if before is None else \
                        {k: v for k, v in params.items() if before.get(k) != v and k not in NEVER_UPDATED}
                    if before is None:  # pushed before outreach kept what it sent: taken as the reference
                        sent[ref] = params
                    if not changes:
                        report.reused.append(ref)
                    elif edge == "adcreatives":  # Meta's creatives cannot be edited: a new one, then the ad
                        todo.append((ref, params, what))
                    else:
                        updates.append((ref, changes, what))
                else:
                    todo.append((ref, params, what))
            for start in range(0, len(todo), BATCH_SIZE):
                chunk = todo[start:start + BATCH_SIZE]
                self._send(edge, [(ref, dict(params, execution_options=["validate_only"]), what)
                                  for ref, params, what in chunk], lost=None)
                report.validated += [ref for ref, _, _ in chunk]
                say(f"validé : {len(chunk)} × {label}")
                if dry_run:
                    continue

                def keep(got: dict, chunk=chunk) -> None:
                    report.ids.update(got)
                    report.created.extend(r for r in got if r not in report.created)
                    sent.update({ref: params for ref, params, _ in chunk if ref in got})
                    save()
                    atomic.write_text(sent_path, json.dumps(sent, ensure_ascii=False, sort_keys=True))

                keep(self._send(edge, chunk, lost=self._find_existing, on_partial=keep))
                say(f"créé (en pause) : {len(chunk)} × {label}")
            for start in range(0, len(updates), BATCH_SIZE):
                chunk = updates[start:start + BATCH_SIZE]
                nodes = {ref: report.ids[ref] for ref, _, _ in chunk}
                self._send(edge, [(ref, dict(changes, execution_options=["validate_only"]), what)
                                  for ref, changes, what in chunk], lost=None, nodes=nodes)
                if dry_run:
                    report.notes.append(f"{len(chunk)} × {label} à mettre à jour : "
                                        + ", ".join(sorted({k for _, c, _ in chunk for k in c})) + ".")
                    continue

                def kept(got: dict, chunk=chunk) -> None:
                    for ref, changes, _ in chunk:
                        if ref in got:
                            sent[ref] = {k: v for k, v in sent.get(ref, {}).items()} | changes
                            report.updated.append(ref)
                    atomic.write_text(sent_path, json.dumps(sent, ensure_ascii=False, sort_keys=True))

                kept(self._send(edge, chunk, lost=None, nodes=nodes, on_partial=kept))
                say(f"mis à jour : {len(chunk)} × {label} (" + ", ".join(sorted({k for _, c, _ in chunk
                                                                                  for k in c})) + ")")
        if not dry_run and sent:
            atomic.write_text(sent_path, json.dumps(sent, ensure_ascii=False, sort_keys=True))
        gone = sorted(r for r in report.ids if r not in planned)
        if gone:
            report.notes.append(f"{len(gone)} objet(s) créé(s) par un envoi précédent ne sont plus dans le plan "
                                f"({', '.join(gone[:5])}{' …' if len(gone) > 5 else ''}) : outreach ne touche pas "
                                "à leur diffusion ; mettez-les en pause ou supprimez-les dans le Gestionnaire de "
                                "publicités.")
        if waiting:
            report.notes.append(f"{waiting} objet(s) non validé(s) : Meta ne valide un ensemble de publicités, "
                                "un visuel ou une publicité qu'une fois créés la campagne et les images dont il "
                                "dépend (lancez l'envoi sans --dry-run).")
        return report

    # -- images (AdImage) ----------------------------------------------------------------------------

    def upload_images(self, payloads: dict, out_dir: Path, report: PushReport, *, dry_run: bool,
                      say: Callable[[str], None], save: Callable[[], None]) -> None:
        """Upload each visual of the folder's images/ once (`POST act_…/adimages`) and record its hash under
        the image's ref, which the creatives name in `image_hash`. Every file is checked first, as Meta
        would, so that a visual replaced by hand after the plan is refused before anything is created; a
        dry run uploads nothing (an upload is a creation in the account's image library)."""
        images = payloads.get("images") or []
        files = {}
        for image in images:
            path = out_dir / image["file"]
            try:
                data = path.read_bytes()
            except FileNotFoundError:
                raise MetaError("image absente du dossier.", where=str(path), field="images",
                                fix="Refaites « outreach plan » dans ce dossier : il y écrit les visuels.") from None
            check_image(data, label=str(path), placement=image.get("placement", "feed"))
            files[image[REF]] = (path.name, data)
        reused = [image[REF] for image in images if image[REF] in report.ids]
        report.reused += reused
        todo = [] if dry_run else [image[REF] for image in images if image[REF] not in report.ids]
        # several files to a request (Meta answers each under its file name): a national plan has hundreds
        group: list[str] = []
        for n, ref in enumerate(todo):
            group.append(ref)
            size = sum(len(files[r][1]) for r in group)
            if len(group) < IMAGES_PER_UPLOAD and size < UPLOAD_BYTES and n < len(todo) - 1:
                continue
            hashes = self._upload_images({files[r][0]: files[r][1] for r in group})
            for r in group:
                report.ids[r] = hashes[files[r][0]]
                report.created.append(r)
            save()  # with the folder's account and campaign identity, like every other id
            say(f"image(s) envoyée(s) : {', '.join(files[r][0] for r in group)}")
            group = []

    def _upload_images(self, named: dict[str, bytes]) -> dict[str, str]:
        """File name → hash; each sent as a file of that name, as the SDK's AdImage does, so that the account's
        image library shows the same name as the sheet's Image File Name. Uploading the same bytes again
        gives the same hash, so a retry after a lost answer is harmless."""
        what = f"l'image « {next(iter(named))} »" if len(named) == 1 else f"{len(named)} images"
        answer = self._with_retries(what, lambda: self.api.call(
            "POST", (self.account_id, "adimages"),
            files={name: io.BytesIO(data) for name, data in named.items()}).json())
        images = answer.get("images") or {}
        hashes = {}
        for name in named:
            found = images.get(name) or (next(iter(images.values()), None) if len(named) == 1 else None)
            if not found or not found.get("hash"):
                raise MetaError(f"l'image « {name} » : Meta n'a pas renvoyé d'empreinte (hash).", field="images",
                                fix="Relancez l'envoi ; si cela se répète, envoyez l'image dans la médiathèque "
                                    "du compte depuis le Gestionnaire de publicités.")
            hashes[name] = str(found["hash"])
        return hashes

    def _send(self, edge: str, calls: list[tuple[str, dict, str]], *, lost: Callable | None,
              on_partial: Callable[[dict], object] | None = None, nodes: dict[str, str] | None = None
              ) -> dict[str, str]:
        """POST each call to act_…/<edge> in one batch request; ref → id of what Meta created.

        Calls that fail for a passing reason (5xx, rate limit, no answer) are sent again after the wait;
        before a create is sent again, `lost(edge, params, what, since)` looks for the object its lost answer
        may have made. The first refusal stops everything, after the ids obtained are kept (`on_partial`).
        With `nodes` (ref → Meta id), each call updates that object instead (POST /{id}: idempotent)."""
        since = datetime.now(UTC) - CLOCK_SKEW
        pending, done = list(calls), {}
        for attempt in range(self.retries + 1):
            try:
                answers = self._batch(edge, pending, nodes)
            except (FacebookRequestError, requests.RequestException) as exc:
                if not is_transient(exc):
                    raise (french_error(exc, pending[0][2]) if isinstance(exc, FacebookRequestError)
                           else MetaError(f"{pending[0][2]} : le serveur de Meta ne répond pas.")) from None
                # the whole request failed on the way: each call may or may not have been run
                answers = [(False, exc)] * len(pending)
            retry, refused, waits = [], None, []
            for (ref, params, what), (ok, value) in zip(pending, answers, strict=True):
                if ok:
                    done[ref] = (nodes or {}).get(ref) or (str(value.get("id", "")) if isinstance(value, dict)
                                                           else "")
                elif value is None or is_transient(value):
                    retry.append((ref, params, what))
                    waits.append(rate_limit_wait_s(value) if value is not None else None)
                elif refused is None:
                    refused = french_error(value, what)
            if refused is not None or (retry and attempt == self.retries):
                if on_partial and done:
                    on_partial(done)
                if refused is not None:
                    raise refused
                first = next(v for (ok, v) in answers if not ok)
                if isinstance(first, FacebookRequestError):
                    raise french_error(first, retry[0][2])
                raise MetaError(f"{retry[0][2]} : le serveur de Meta ne répond pas.",
                                fix="Vérifiez la connexion et relancez : ce qui a été créé ne le sera pas deux fois.")
            if not retry:
                return done
            known = [w for w in waits if w is not None]
            self.sleep(max(known) if known else self.backoff_s * 2 ** attempt)
            pending = []
            for ref, params, what in retry:
                found = lost(edge, params, what, since) if lost else None
                if found:
                    done[ref] = found
                else:
                    pending.append((ref, params, what))
            if not pending:
                return done
        return done

    def _batch(self, edge: str, calls: list[tuple[str, dict, str]], nodes: dict[str, str] | None = None
               ) -> list[tuple[bool, object]]:
        """One Batch API request (≤ 50 calls): (True, answer) or (False, FacebookRequestError | None) per
        call, None when Meta gave no answer for it (it ran out of time: the call is sent again)."""
        answers: list = [(False, None)] * len(calls)
        batch = self.api.new_batch()
        for n, (ref, params, _what) in enumerate(calls):
            path = (nodes[ref],) if nodes else (self.account_id, edge)
            batch.add("POST", path, params=params,
                      success=lambda r, n=n: answers.__setitem__(n, (True, r.json())),
                      failure=lambda r, n=n: answers.__setitem__(n, (False, r.error())))
        batch.execute()
        return answers

    def _find_existing(self, edge: str, params: dict, what: str, since: datetime) -> str | None:
        """The object a lost create may have made: same name, under the same parent when it has one, created
        since `since`; the latest one when several match."""
        if not params.get("name"):
            return None
        filtering = [{"field": "name", "operator": "EQUAL", "value": params["name"]}]
        for parent_field, filter_field in (("campaign_id", "campaign.id"), ("adset_id", "adset.id")):
            if params.get(parent_field):
                filtering.append({"field": filter_field, "operator": "EQUAL", "value": params[parent_field]})
        data = self._get(what, (self.account_id, edge), {"fields": "id,name,created_time", "filtering": filtering})
        recent = [(created, str(row["id"])) for row in data.get("data", [])
                  if (created := _created_at(row)) is None or created >= since]
        return max(recent, key=lambda r: r[0] or since)[1] if recent else None


def _created_at(row: dict) -> datetime | None:
    """Meta's `created_time` ("2027-03-01T10:00:00+0000"); None when absent or unreadable."""
    try:
        return datetime.strptime(str(row["created_time"]), "%Y-%m-%dT%H:%M:%S%z")
    except (KeyError, ValueError):
        return None


PAUSED = "PAUSED"
STATUS_KEYS = ("campaign", "ad_sets", "ads")  # the objects that have a delivery status (creatives do not)


def _paused(payloads: dict) -> dict:
    """The payloads with every campaign, ad set and ad PAUSED; refused before anything is sent when a file
    edited by hand asks for another status, since the officer starts delivery in Ads Manager after review."""
    checked = deepcopy(payloads)
    for key in STATUS_KEYS:
        for obj in campaigns_of(checked) if key == "campaign" else checked[key]:
            status = obj.setdefault("status", PAUSED)
            if status != PAUSED:
                raise MetaError(f"« {obj.get('name', obj.get(REF))} » a le statut {status} : outreach ne crée "
                                "chez Meta que des objets en pause (PAUSED).", where=f"{META_API_FILE} ({key})",
                                field="status", fix="Refaites le plan avec « outreach plan » (tout y est PAUSED), "
                                                    "puis lancez la diffusion dans le Gestionnaire de publicités.")
    return checked


def _read_folder_json(path: Path, unreadable: str, fix: str) -> dict:
    """A JSON object the push keeps in the folder; {} when the file is not there yet."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except ValueError as exc:
        raise InputError(unreadable, file=path, fix=fix) from exc
    return data if isinstance(data, dict) else {}


def _read_ids(path: Path) -> dict[str, str]:
    data = _read_folder_json(path, "fichier d'identifiants Meta illisible.",
                             "Supprimez-le seulement si rien n'a été créé chez Meta ; sinon corrigez le JSON.")
    return {str(k): str(v) for k, v in data.items()}


def _read_sent(path: Path) -> dict[str, dict]:
    return _read_folder_json(path, "fichier des paramètres envoyés à Meta illisible.",
                             "Supprimez-le : le prochain envoi le réécrit (sans pouvoir comparer cette fois).")


def _refuse_frozen_changes(steps, ids: dict[str, str], sent: dict[str, dict]) -> None:
    """Before anything is sent: a change Meta does not allow on an existing object (objective, optimisation
    goal…) asks for a new campaign, in a new folder."""
    for edge, objects, label in steps:
        for obj in objects:
            before = sent.get(obj[REF])
            if obj[REF] not in ids or before is None:
                continue
            params = _resolve_refs({k: v for k, v in obj.items() if k != REF}, ids) or {}
            frozen = sorted(k for k in FROZEN.get(edge, ()) if k in params and params[k] != before.get(k))
            if frozen:
                raise MetaError(f"{label} « {obj.get('name', obj[REF])} » existe déjà chez Meta et ne peut plus "
                                f"changer de {', '.join(frozen)}.", field=frozen[0], where=frozen[0],
                                fix="Remettez la valeur envoyée, ou écrivez le plan dans un nouveau dossier pour "
                                    "créer une nouvelle campagne.")


def _check_folder(folder: dict[str, str], account: str, identity: str | None, path: Path) -> None:
    """A folder's objects live in one ad account and belong to one campaign file: pushing them elsewhere would
    report success and create nothing there (every ref is already known)."""
    recorded = folder.get(ACCOUNT_KEY)
    refs = [k for k in folder if not k.startswith(META_KEY_PREFIX)]
    if refs and recorded is None:
        raise MetaError("ce dossier a déjà été envoyé à Meta par une version d'outreach qui ne notait pas le "
                        "compte publicitaire.", file=path, field="account",
                        fix=f"Ajoutez \"{ACCOUNT_KEY}\": \"act_…\" (le compte de cet envoi) dans le fichier, ou "
                            "refaites le plan dans un nouveau dossier pour un nouvel envoi.")
    if recorded is not None and recorded != account:
        raise MetaError(f"ce dossier a été envoyé au compte publicitaire {recorded}, pas à {account} : les "
                        "objets qu'il note n'existent pas dans ce compte.", file=path, where="--account",
                        field="account", fix=f"Relancez avec --account {recorded}, ou refaites le plan dans un "
                                             "nouveau dossier pour envoyer la campagne à un autre compte.")
    theirs = folder.get(IDENTITY_KEY)
    if theirs and identity and theirs != identity:
        raise MetaError(f"ce dossier contient les objets Meta de la campagne « {theirs} », pas de « {identity} ».",
                        file=path, field="id", fix="Écrivez le plan de cette campagne dans son propre dossier "
                                                   "(« outreach plan CAMPAGNE.yaml --out AUTRE_DOSSIER »).")


def _resolve_refs(value, ids: dict[str, str]):
    """Replace every "ref:<ref>" by the created object's id; None when one is not created yet."""
    missing = False

    def walk(v):
        nonlocal missing
        if isinstance(v, str) and v.startswith(REF_PREFIX):
            found = ids.get(v[len(REF_PREFIX):])
            if found is None:
                missing = True
            return found
        if isinstance(v, dict):
            return {k: walk(x) for k, x in v.items()}
        if isinstance(v, list):
            return [walk(x) for x in v]
        return v

    resolved = walk(value)
    return None if missing else resolved


def _when(stamp) -> datetime:
    try:
        return datetime.fromisoformat(str(stamp))
    except ValueError:
        return datetime.min.replace(tzinfo=UTC)


def _interest_row(row: dict) -> dict:
    return {"id": str(row["id"]), "name": row.get("name", ""),
            "audience_size_lower_bound": row.get("audience_size_lower_bound"),
            "audience_size_upper_bound": row.get("audience_size_upper_bound"),
            "path": row.get("path") or []}


def audience_fr(row: dict) -> str:
    """« 60,0 à 71,0 millions de personnes »: Meta's range, never a single figure."""
    low, high = row.get("audience_size_lower_bound"), row.get("audience_size_upper_bound")
    if not low or not high:
        return "audience inconnue"
    return (f"{low / 1e6:.1f} à {high / 1e6:.1f} millions de personnes".replace(".", ",") if high >= 1e6 else
            f"{low:,} à {high:,} personnes".replace(",", "\u202f"))


def unknown_interest_fix(suggestions: dict[str, list[dict]]) -> str:
    """What to do about interests Meta does not know: its suggestions for each, in French."""
    parts = []
    for name, rows in suggestions.items():
        if rows:
            shown = " ; ".join(f"« {r['name']} » (id {r['id']}, {audience_fr(r)})" for r in rows[:5])
            parts.append(f"Pour « {name} », Meta propose : {shown}.")
        else:
            parts.append(f"Pour « {name} », Meta ne propose rien d'approchant.")
    return ("Écrivez le nom anglais exact du Gestionnaire de publicités dans le thème (data/themes.yaml) ou dans "
            "extra_interests. " + " ".join(parts) + " Une recherche sans résultat est refaite après un jour.")

"""The Marketing API through the facebook-business SDK: interests, estimates, and the push.

- Interest names → Meta ids with `search?type=adinterest&locale=fr_FR`, cached in a JSON file so that a
  name is looked up once; ids checked with `adinterestvalid` and `targetingoptionstatus` (Meta retires
  interests a few times a year, and an ad set with a retired one stops delivering).
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

import json
import logging
import os
import re
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
from outreach.errors import InputError, register_secret
from outreach.meta.files import IDS_FILE, META_API_FILE
from outreach.meta.payloads import API_VERSION, REF, REF_PREFIX, without_ref
from outreach.model import is_ad_account

DEFAULT_GRAPH_URL = "https://graph.facebook.com"
TOKEN_ENV = "META_ACCESS_TOKEN"
GRAPH_URL_ENV = "META_GRAPH_URL"
# Graph error codes Meta documents as temporary: unknown, service, rate limits, too many calls
TRANSIENT_CODES = {1, 2, 4, 17, 32, 341, 613, 80004}
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

    SECRET = re.compile(r"\b(access_token|appsecret_proof)=[^&\s\"']+")

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "access_token=" in message or "appsecret_proof=" in message:
            record.msg, record.args = self.SECRET.sub(r"\1=***", message), None
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
    """A clear French message for one of Meta's errors, naming the field; never Meta's raw request."""
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


# ------------------------------------------------------------------------------------------ client

@dataclass
class PushReport:
    ids: dict[str, str] = field(default_factory=dict)  # ref → Meta id
    validated: list[str] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)  # already created by an earlier run
    notes: list[str] = field(default_factory=list)


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
        self.api = FacebookAdsApi.init(access_token=access_token(token), api_version=api_version,
                                       timeout=timeout_s, crash_log=False)
        # per-session base URL: the SDK joins it with the version for every call made through this api
        self.api._session.GRAPH = (graph_url or os.environ.get(GRAPH_URL_ENV) or DEFAULT_GRAPH_URL).rstrip("/")
        self.account = AdAccount(account_id, api=self.api)
        self.retries, self.backoff_s, self.sleep = retries, backoff_s, sleep
        self.cache_path = Path(cache_dir or paths.cache_dir()) / "meta-interests.json"

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
                    self.sleep(self.backoff_s * 2 ** attempt)
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

    def search_interests(self, query: str, limit: int = 25) -> list[dict]:
        # the SDK's TargetingSearch.search ignores the session's base URL: call /search on our api instead
        data = self._get(f"recherche du centre d'intérêt « {query} »", ("search",), {
            "type": TargetingSearch.TargetingSearchTypes.interest, "q": query, "locale": "fr_FR",
            "limit": limit})
        return data.get("data", [])

    def resolve_interests(self, names: list[str]) -> dict[str, dict | None]:
        """Name → {id, name, audience bounds} (None when Meta knows no such interest); cached on disk."""
        cache = self._cache()
        out, changed = {}, False
        for name in names:
            key = name.casefold()
            if key not in cache:
                rows = self.search_interests(name)
                exact = next((r for r in rows if r.get("name", "").casefold() == key), None)
                cache[key] = None if exact is None else {
                    "id": str(exact["id"]), "name": exact["name"],
                    "audience_size_lower_bound": exact.get("audience_size_lower_bound"),
                    "audience_size_upper_bound": exact.get("audience_size_upper_bound"),
                    "resolved_at": datetime.now(UTC).isoformat(timespec="seconds")}
                changed = True
            out[name] = cache[key]
        if changed:
            atomic.write_text(self.cache_path, json.dumps(cache, ensure_ascii=False, indent=1, sort_keys=True))
        return out

    def interest_status(self, ids: list[str]) -> dict[str, str]:
        """Id → NORMAL, DEPRECATING, NON_DELIVERABLE… (targetingoptionstatus)."""
        if not ids:
            return {}
        data = self._get("vérification des centres d'intérêt", ("search",), {
            "type": "targetingoptionstatus", "targeting_option_list": [str(i) for i in ids]})
        return {str(r["id"]): r.get("current_status", "") for r in data.get("data", [])}

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
                            field="interests", fix="Corrigez le nom (tel qu'il apparaît dans le Gestionnaire de "
                                                   "publicités) dans le thème ou dans extra_interests.")
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
        out_dir = Path(out_dir)
        ids_path = out_dir / IDS_FILE
        report = PushReport(ids=_read_ids(ids_path))
        prepared = self.prepare(_paused(payloads), file=out_dir / META_API_FILE)
        say = progress or (lambda _msg: None)
        steps = [("campaigns", [prepared["campaign"]], "la campagne"),
                 ("adsets", prepared["ad_sets"], "l'ensemble de publicités"),
                 ("adcreatives", prepared["creatives"], "la publicité (visuel)"),
                 ("ads", prepared["ads"], "la publicité")]
        waiting: list[str] = []
        for edge, objects, label in steps:
            for obj in objects:
                ref = obj[REF]
                what = f"{label} « {obj.get('name', ref)} »"
                if ref in report.ids:
                    report.reused.append(ref)
                    continue
                params = _resolve_refs(without_ref(obj), report.ids)
                if params is None:  # a parent does not exist yet (dry run): Meta cannot validate it
                    waiting.append(label)
                    continue
                self._create(edge, dict(params, execution_options=["validate_only"]), what)
                report.validated.append(ref)
                say(f"validé : {what}")
                if dry_run:
                    continue
                new_id = self._create_once(edge, params, what)
                report.ids[ref] = new_id
                report.created.append(ref)
                atomic.write_text(ids_path, json.dumps(report.ids, indent=1, sort_keys=True))
                say(f"créé (en pause) : {what} → {new_id}")
        if waiting:
            report.notes.append(f"{len(waiting)} objet(s) non validé(s) : Meta ne valide un ensemble de publicités "
                                "ou une publicité qu'une fois sa campagne créée (lancez l'envoi sans --dry-run).")
        return report

    def _create(self, edge: str, params: dict, what: str) -> dict:
        return self._with_retries(what, lambda: self._call("POST", (self.account_id, edge), params))

    def _create_once(self, edge: str, params: dict, what: str) -> str:
        """Create, retrying transient failures; a create whose answer was lost is found by name, not redone."""
        # objects of that name created before this call belong to an earlier push (last month's campaign…)
        since = datetime.now(UTC) - CLOCK_SKEW

        def lost_answer():
            existing = self._find_existing(edge, params, what, since)
            return {"id": existing} if existing else None

        answer = self._with_retries(what, lambda: self._call("POST", (self.account_id, edge), params),
                                    after_transient=lost_answer)
        return str(answer["id"])

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
        for obj in checked[key] if isinstance(checked[key], list) else [checked[key]]:
            status = obj.setdefault("status", PAUSED)
            if status != PAUSED:
                raise MetaError(f"« {obj.get('name', obj.get(REF))} » a le statut {status} : outreach ne crée "
                                "chez Meta que des objets en pause (PAUSED).", where=f"{META_API_FILE} ({key})",
                                field="status", fix="Refaites le plan avec « outreach plan » (tout y est PAUSED), "
                                                    "puis lancez la diffusion dans le Gestionnaire de publicités.")
    return checked


def _read_ids(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except ValueError as exc:
        raise InputError("fichier d'identifiants Meta illisible.", file=path,
                         fix="Supprimez-le seulement si rien n'a été créé chez Meta ; sinon corrigez le JSON.") from exc
    return {str(k): str(v) for k, v in data.items()}


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

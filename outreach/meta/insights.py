"""Results straight from Meta: the Insights API through the facebook-business SDK.

    rows = fetch_insights(InsightsQuery("act_123", level="adset", since="2027-03-01", until="2027-03-31"))

- `level` "adset" (one row per ad set, the reach per theme and branch) or "campaign" (the campaign's own,
  de-duplicated reach: the only exact total over several ad sets);
- a date range (`since`/`until`) or a preset (`maximum`: everything Meta keeps, 37 months);
- `time_increment=1` for one row per day, `None` for one row over the whole range (whose reach is exact);
- pagination follows Meta's cursors (`paging.next` / `after`);
- long or daily queries run as asynchronous report jobs (POST …/insights → report_run_id, polled until
  "Job Completed", then read page by page), as Meta asks for heavy reports.

The rows come back as `ResultRows`, the same shape as an Ads Manager export, so the store takes them alike.
The token comes from META_ACCESS_TOKEN (or Streamlit's secrets) and is never printed: SDK and network
errors are turned into French messages without their request details (which carry the token).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
import requests
from facebook_business.adobjects.adaccount import AdAccount
from facebook_business.adobjects.adreportrun import AdReportRun
from facebook_business.adobjects.adsinsights import AdsInsights
from facebook_business.adobjects.campaign import Campaign
from facebook_business.api import FacebookAdsApi
from facebook_business.exceptions import FacebookError, FacebookRequestError

from outreach import paths
from outreach.errors import InputError
from outreach.meta.client import (
    MetaError,
    access_token,
    french_error,
    is_transient,
)
from outreach.meta.payloads import API_VERSION
from outreach.model import is_ad_account
from outreach.sources.ads_reports import ACCOUNT_CURRENCY, ROW_COLUMNS, ResultRows

F = AdsInsights.Field
FIELDS = [F.campaign_id, F.campaign_name, F.adset_id, F.adset_name, F.reach, F.impressions, F.spend,
          F.inline_link_clicks, F.clicks, F.account_currency]
LEVELS = (AdsInsights.Level.adset, AdsInsights.Level.campaign)
PRESETS = set(AdsInsights.DatePreset.__dict__.values())
PAGE_SIZE = 500
ASYNC_AFTER_DAYS = 31  # a daily report longer than a month is heavy enough for a report job
DONE, FAILED = "Job Completed", ("Job Failed", "Job Skipped")


@dataclass
class InsightsQuery:
    object_id: str  # an ad account (act_…) or a campaign id
    level: str = "adset"
    since: str | None = None  # ISO days, both or neither
    until: str | None = None
    date_preset: str | None = None  # e.g. "maximum"; used when no range is given
    time_increment: int | None = 1  # 1: one row per day; None: one row over the whole range
    mode: str = "auto"  # auto | sync | async

    def check(self) -> None:
        oid = str(self.object_id).strip()
        if not is_ad_account(oid) and not oid.isdigit():
            raise InputError(f"« {self.object_id} » n'est ni un compte publicitaire (act_…) ni un identifiant de "
                             "campagne.", field="object_id",
                             fix="Donnez act_ suivi des chiffres du compte, ou l'identifiant numérique de la campagne.")
        if self.level not in LEVELS:
            raise InputError(f"niveau « {self.level} » non pris en charge.", field="level",
                             fix="Choisissez adset (par thème et bibliothèque) ou campaign (total sans double compte).")
        if (self.since is None) != (self.until is None):
            raise InputError("période incomplète : donnez le début et la fin.", field="since/until")
        if self.since is not None:
            try:
                start, end = date.fromisoformat(self.since), date.fromisoformat(self.until)
            except ValueError as exc:
                raise InputError(f"date invalide ({exc}).", field="since/until",
                                 fix="Écrivez les dates AAAA-MM-JJ.") from None
            if start > end:
                raise InputError(f"la période finit ({self.until}) avant de commencer ({self.since}).",
                                 field="since/until")
        elif self.date_preset not in PRESETS:
            raise InputError(f"période « {self.date_preset} » inconnue de Meta.", field="date_preset",
                             fix="Donnez --since et --until, ou --preset maximum (tout l'historique).")
        if self.mode not in ("auto", "sync", "async"):
            raise InputError(f"mode « {self.mode} » inconnu.", field="mode", fix="auto, sync ou async.")

    def params(self) -> dict:
        params: dict = {"level": self.level, "limit": PAGE_SIZE}
        if self.since is not None:
            params["time_range"] = {"since": self.since, "until": self.until}
        else:
            params["date_preset"] = self.date_preset
        if self.time_increment:
            params["time_increment"] = str(self.time_increment)
        return params

    def use_async(self) -> bool:
        if self.mode != "auto":
            return self.mode == "async"
        if not self.time_increment:
            return False
        if self.since is None:
            return True  # "maximum" and the other presets can span years of daily rows
        return (date.fromisoformat(self.until) - date.fromisoformat(self.since)).days + 1 > ASYNC_AFTER_DAYS

    def describe(self) -> str:
        span = f"{self.since} → {self.until}" if self.since else self.date_preset
        step = "par jour" if self.time_increment == 1 else "sur la période"
        level = "ensembles de publicités" if self.level == "adset" else "campagne"
        return f"Insights {self.object_id} ({level}, {span}, {step})"


def insights_api(token: str | None = None, graph_url: str | None = None,
                 api_version: str = API_VERSION, timeout_s: float = 60) -> FacebookAdsApi:
    """An SDK session on META_GRAPH_URL (graph.facebook.com by default), crash reporter off."""
    api = FacebookAdsApi.init(access_token=access_token(token), api_version=api_version, timeout=timeout_s,
                              crash_log=False)
    api._session.GRAPH = (graph_url or paths.meta_graph_url()).rstrip("/")
    return api


def _call(what: str, fn: Callable, retries: int, sleep: Callable[[float], None]):
    for attempt in range(retries + 1):
        try:
            return fn()
        except (FacebookRequestError, requests.RequestException) as exc:
            if attempt < retries and is_transient(exc):
                sleep(2 ** attempt)
                continue
            if isinstance(exc, FacebookRequestError):
                raise french_error(exc, what) from None
            # requests' message holds the URL, and the URL holds the token: only the kind of failure is shown
            raise MetaError(f"{what} : le serveur de Meta ne répond pas ({type(exc).__name__}).",
                            fix="Vérifiez la connexion et relancez.") from None
        except FacebookError as exc:
            raise MetaError(f"{what} : réponse inattendue de Meta ({type(exc).__name__}).") from None
    raise AssertionError("unreachable")


def fetch_insights(query: InsightsQuery, *, api: FacebookAdsApi | None = None, poll_s: float = 2.0,
                   timeout_s: float = 900, retries: int = 3, sleep: Callable[[float], None] = time.sleep,
                   progress: Callable[[int], None] | None = None) -> ResultRows:
    """Run one Insights query and return its rows; raise a MetaError/InputError in French on failure."""
    query.check()
    api = api or insights_api()
    oid = str(query.object_id).strip()
    node = AdAccount(oid, api=api) if oid.startswith("act_") else Campaign(oid, api=api)
    what = "lecture des résultats Meta"
    if query.use_async():
        run = _call(what, lambda: node.get_insights(fields=list(FIELDS), params=query.params(), is_async=True),
                    retries, sleep)
        run = _wait(run, what, poll_s, timeout_s, retries, sleep, progress)
        cursor = _call(what, lambda: run.get_insights(params={"limit": PAGE_SIZE}), retries, sleep)
    else:
        cursor = _call(what, lambda: node.get_insights(fields=list(FIELDS), params=query.params()), retries, sleep)
    records = []
    iterator = iter(cursor)
    while True:  # every page is a call: each gets the same retries and error translation
        row = _call(what, lambda: next(iterator, None), retries, sleep)
        if row is None:
            break
        records.append(row.export_all_data() if hasattr(row, "export_all_data") else dict(row))
    return _rows(records, query)


def _wait(run: AdReportRun, what: str, poll_s: float, timeout_s: float, retries: int, sleep, progress) -> AdReportRun:
    waited = 0.0
    while True:
        run = _call(what, lambda r=run: r.api_get(fields=[AdReportRun.Field.async_status,
                                                          AdReportRun.Field.async_percent_completion]), retries, sleep)
        status = run.get(AdReportRun.Field.async_status)
        if progress:
            progress(int(run.get(AdReportRun.Field.async_percent_completion) or 0))
        if status == DONE:
            return run
        if status in FAILED:
            raise MetaError(f"{what} : le rapport asynchrone de Meta a échoué (« {status} »).",
                            fix="Relancez avec une période plus courte (--since/--until).")
        if waited >= timeout_s:
            raise MetaError(f"{what} : le rapport de Meta n'est pas prêt après {int(timeout_s)} s.",
                            fix="Relancez plus tard, ou demandez une période plus courte.")
        sleep(poll_s)
        waited += poll_s


def _rows(records: list[dict], query: InsightsQuery) -> ResultRows:
    source = query.describe()
    currencies = {r.get("account_currency") for r in records if r.get("account_currency")}
    if len(currencies) > 1:
        raise MetaError(f"{source} : plusieurs devises ({', '.join(sorted(currencies))}).",
                        fix="Interrogez un compte publicitaire à la fois.")
    currency = next(iter(currencies), ACCOUNT_CURRENCY)
    if currency != ACCOUNT_CURRENCY:
        raise MetaError(f"{source} : les montants sont en {currency} ; les tableaux de bord comptent en euros.",
                        fix="Interrogez un compte publicitaire en EUR.")
    frame = pd.DataFrame(records)
    out = pd.DataFrame(index=frame.index)
    out["level"] = query.level
    for name in ("campaign_id", "campaign_name", "adset_id", "adset_name", "date_start", "date_stop"):
        out[name] = frame[name].fillna("").astype(str) if name in frame else ""
    if query.level == "campaign":
        out["adset_id"], out["adset_name"] = "", ""
    for name, source_name in (("reach", "reach"), ("impressions", "impressions"), ("spend", "spend"),
                              ("link_clicks", "inline_link_clicks"), ("clicks", "clicks")):
        values = pd.to_numeric(frame[source_name], errors="coerce") if source_name in frame \
            else pd.Series(np.nan, index=frame.index)
        out[name] = values.astype("float64")
    for name in ("reach", "impressions"):
        out[name] = out[name].fillna(0).astype("int64")
    out["spend"] = out["spend"].fillna(0.0)
    # Meta leaves link clicks out of rows that had none
    out["link_clicks"] = out["link_clicks"].fillna(0.0)
    out["clicks"] = out["clicks"].fillna(0.0)
    frame = out[ROW_COLUMNS] if len(out) else pd.DataFrame(columns=ROW_COLUMNS)
    notes = [] if len(frame) else [f"{source} : aucune ligne (rien n'a été diffusé sur cette période)."]
    return ResultRows(source=source, frame=frame.reset_index(drop=True), currency=currency, notes=notes)


# the three reads that make every figure of the dashboard exact where Meta allows it
STANDARD_QUERIES = {
    "adset-daily": ("adset", 1),  # per day: charts by day, additive figures
    "adset-period": ("adset", None),  # per ad set over the range: exact reach per ad set
    "campaign-period": ("campaign", None),  # the campaign over the range: exact total reach
}


def standard_queries(object_id: str, since: str | None, until: str | None, preset: str = "maximum",
                     names: list[str] | None = None, mode: str = "auto") -> list[InsightsQuery]:
    queries = []
    for name in names or list(STANDARD_QUERIES):
        level, increment = STANDARD_QUERIES[name]
        q = InsightsQuery(object_id, level=level, since=since, until=until,
                          date_preset=None if since else preset, time_increment=increment, mode=mode)
        q.check()
        queries.append(q)
    return queries

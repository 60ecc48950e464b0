"""The local Graph server with Insights: results of campaigns, as graph.facebook.com reports them.

Delivery is simulated person by person: each ad set reaches a set of (fictitious, numbered) people each
day, so reach behaves as Meta's does — counted once per person over a period and across the ad sets of a
campaign, never the sum of daily or per-ad-set reach. What the server answers:

- GET /{v}/act_{id}/insights and /{v}/{campaign_id}/insights with `level` (campaign, adset), `fields`,
  `time_range` {since, until} or `date_preset` (maximum, last_30d…), `time_increment` (1, or all_days),
  `limit` and `after`: `{"data": [...], "paging": {"cursors": {"before", "after"}, "next": url}}`, numbers
  as strings, rows without delivery left out;
- POST to the same paths: an asynchronous report run → `{"report_run_id"}`; GET /{v}/{run_id} →
  `async_status` / `async_percent_completion` (advancing at each poll); GET /{v}/{run_id}/insights → the
  rows, paginated the same way;
- errors in Meta's shape for an unknown level, a bad range, an unknown object.
"""

from __future__ import annotations

import base64
import itertools
import json
import random
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlencode

from tests.support.graph_server import GraphServer, graph_error


@dataclass
class Delivery:
    account: str
    campaign_id: str
    campaign_name: str
    adset_id: str
    adset_name: str
    day: str
    people: frozenset[int]
    impressions: int
    spend: float
    link_clicks: int
    clicks: int


class InsightsGraphServer(GraphServer):
    def __init__(self, *args, today: str = "2027-04-15", async_step: int = 50, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = date.fromisoformat(today)
        self.async_step = async_step  # percent of completion gained at each poll
        self.deliveries: list[Delivery] = []
        self.runs: dict[str, dict] = {}
        self.failing_runs = False
        self.currency = "EUR"
        self._run_ids = itertools.count(9100000000001)

    # -- test data ---------------------------------------------------------------------------------

    def deliver(self, *, account: str, campaign_id: str, campaign_name: str, adset_id: str, adset_name: str,
                day: str, people, impressions: int, spend: float, link_clicks: int = 0, clicks: int = 0) -> None:
        people = frozenset(people)
        assert impressions >= len(people)
        self.deliveries.append(Delivery(account, campaign_id, campaign_name, adset_id, adset_name, day, people,
                                        impressions, round(spend, 2), link_clicks, clicks))

    def simulate(self, *, account: str, campaign_id: str, campaign_name: str, adsets: list[tuple[str, str]],
                 start: str, end: str, population: int = 20000, seed: int = 7) -> None:
        """Deliver every ad set every day to people drawn from one population: ad sets overlap (the same
        person can see two themes) and days repeat people, as in a real campaign."""
        rng = random.Random(seed)
        first, last = date.fromisoformat(start), date.fromisoformat(end)
        for i, (adset_id, adset_name) in enumerate(adsets):
            pool = range(i * population // 4, i * population // 4 + population)  # overlapping audiences
            day = first
            while day <= last:
                people = rng.sample(pool, 150 + 20 * i + rng.randrange(60))
                impressions = int(len(people) * (1.3 + rng.random()))
                self.deliver(account=account, campaign_id=campaign_id, campaign_name=campaign_name,
                             adset_id=adset_id, adset_name=adset_name, day=day.isoformat(), people=people,
                             impressions=impressions, spend=impressions * 0.0045,
                             link_clicks=rng.randrange(0, 6), clicks=rng.randrange(3, 12))
                day += timedelta(days=1)

    def true_reach(self, *, adset_id: str | None = None, campaign_id: str | None = None,
                   since: str | None = None, until: str | None = None) -> int:
        people: set[int] = set()
        for d in self.deliveries:
            if (adset_id and d.adset_id != adset_id) or (campaign_id and d.campaign_id != campaign_id):
                continue
            if (since and d.day < since) or (until and d.day > until):
                continue
            people |= d.people
        return len(people)

    # -- routing -----------------------------------------------------------------------------------

    def route(self, request: dict):
        path = request["path"].split("/")
        # ['', 'v25.0', node, edge?]
        if len(path) >= 3 and path[1].startswith("v"):
            node, edge = path[2], (path[3] if len(path) > 3 else "")
            method, params = request["method"], request["params"]
            if edge == "insights" and node in self.runs and method == "GET":
                return self._run_rows(node, params)
            if edge == "" and node in self.runs and method == "GET":
                return self._run_status(node)
            if edge == "insights" and (node.startswith("act_") or self._is_campaign(node)):
                if method == "GET":
                    return self._insights(node, params, request)
                if method == "POST":
                    return self._start_run(node, params)
        return super().route(request)

    def _is_campaign(self, node: str) -> bool:
        return any(d.campaign_id == node for d in self.deliveries) or \
            (node in self.objects and self.objects[node]["kind"] == "campaign")

    # -- queries -----------------------------------------------------------------------------------

    def _range(self, params: dict) -> tuple[str, str] | dict:
        time_range = params.get("time_range")
        preset = params.get("date_preset")
        if time_range:
            if not isinstance(time_range, dict) or not {"since", "until"} <= set(time_range):
                return graph_error("(#100) time_range must have since and until", code=100)
            since, until = time_range["since"], time_range["until"]
            try:
                if date.fromisoformat(since) > date.fromisoformat(until):
                    return graph_error("(#100) Please make sure that 'since' is before 'until'", code=100)
            except ValueError:
                return graph_error("(#100) Invalid date format in time_range", code=100)
            return since, until
        preset = preset or "last_30d"
        if preset in ("maximum", "data_maximum"):
            return (self.today - timedelta(days=37 * 30)).isoformat(), self.today.isoformat()
        if preset.startswith("last_") and preset.endswith("d"):
            days = int(preset[5:-1])
            return (self.today - timedelta(days=days)).isoformat(), (self.today - timedelta(days=1)).isoformat()
        return graph_error(f"(#100) date_preset must be one of the following values: maximum, last_30d… ({preset})",
                           code=100)

    def _compute(self, node: str, params: dict) -> list[dict] | dict:
        level = params.get("level") or ("account" if node.startswith("act_") else "campaign")
        if level not in ("campaign", "adset"):
            return graph_error(f"(#100) level must be one of campaign, adset (got {level})", code=100)
        span = self._range(params)
        if isinstance(span, dict):
            return span
        since, until = span
        increment = str(params.get("time_increment") or "all_days")
        if increment not in ("1", "all_days"):
            return graph_error("(#100) time_increment: only 1 and all_days are simulated here", code=100)
        rows = [d for d in self.deliveries if since <= d.day <= until and
                (d.account == node if node.startswith("act_") else d.campaign_id == node)]
        fields = params.get("fields") or []
        if isinstance(fields, str):
            fields = [f for f in fields.split(",") if f]
        groups: dict[tuple, list[Delivery]] = {}
        for d in rows:
            obj = (d.campaign_id, d.campaign_name) + ((d.adset_id, d.adset_name) if level == "adset" else ())
            bucket = (d.day, d.day) if increment == "1" else (since, until)
            groups.setdefault(obj + bucket, []).append(d)
        out = []
        for key, ds in sorted(groups.items(), key=lambda kv: (kv[0][-2], kv[0][:-2])):
            values = {
                "campaign_id": key[0], "campaign_name": key[1],
                "reach": str(len(frozenset().union(*(d.people for d in ds)))),
                "impressions": str(sum(d.impressions for d in ds)),
                "spend": f"{sum(d.spend for d in ds):.2f}",
                "clicks": str(sum(d.clicks for d in ds)), "account_currency": self.currency,
            }
            link = sum(d.link_clicks for d in ds)
            if link:  # Meta leaves the field out of rows without any
                values["inline_link_clicks"] = str(link)
            if level == "adset":
                values["adset_id"], values["adset_name"] = key[2], key[3]
            row = {k: v for k, v in values.items() if k in fields}
            row["date_start"], row["date_stop"] = key[-2], key[-1]
            out.append(row)
        return out

    def _page(self, rows: list[dict], params: dict, request: dict, path: str):
        limit = int(params.get("limit") or 25)
        after = params.get("after")
        start = int(base64.b64decode(after).decode()) if after else 0
        page = rows[start:start + limit]
        body: dict = {"data": page}
        if page:
            body["paging"] = {"cursors": {"before": base64.b64encode(str(start).encode()).decode(),
                                          "after": base64.b64encode(str(start + len(page)).encode()).decode()}}
            if start + limit < len(rows):
                query = {k: (json.dumps(v) if isinstance(v, dict | list) else v) for k, v in params.items()}
                query["after"] = body["paging"]["cursors"]["after"]
                body["paging"]["next"] = f"{self.url}{path}?{urlencode(query)}"
        return 200, body

    def _insights(self, node: str, params: dict, request: dict):
        rows = self._compute(node, params)
        if isinstance(rows, dict):
            return 400, rows
        return self._page(rows, params, request, request["path"])

    # -- asynchronous report runs --------------------------------------------------------------------

    def _start_run(self, node: str, params: dict):
        rows = self._compute(node, params)
        if isinstance(rows, dict):
            return 400, rows
        run_id = str(next(self._run_ids))
        self.runs[run_id] = {"rows": rows, "percent": 0, "polls": 0, "account": node}
        return 200, {"report_run_id": run_id}

    def _run_status(self, run_id: str):
        run = self.runs[run_id]
        run["polls"] += 1
        if self.failing_runs:
            status = "Job Failed"
        else:
            run["percent"] = min(100, run["percent"] + self.async_step)
            status = "Job Completed" if run["percent"] == 100 else "Job Running"
        return 200, {"id": run_id, "account_id": run["account"].removeprefix("act_"), "async_status": status,
                     "async_percent_completion": run["percent"]}

    def _run_rows(self, run_id: str, params: dict):
        run = self.runs[run_id]
        if run["percent"] < 100:
            return 400, graph_error("(#100) The report is not ready yet", code=100)
        return self._page(run["rows"], params, {}, f"/{self._version()}/{run_id}/insights")

    def _version(self) -> str:
        paths = [r["path"] for r in self.requests if r["path"].startswith("/v")]
        return paths[-1].split("/")[1] if paths else "v25.0"

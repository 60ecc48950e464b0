"""A local stand-in for graph.facebook.com, answering the Marketing API calls outreach makes.

It speaks the Graph API's formats: form-encoded POST bodies whose lists and dicts are JSON (as the
facebook-business SDK sends them), `{"data": [...]}` lists, `{"id": ...}` on create, `{"success": true}`
for `execution_options=["validate_only"]`, and errors as `{"error": {message, type, code, error_subcode,
error_user_title, error_user_msg, is_transient, fbtrace_id}}`. It enforces the rules Meta enforces on the
fields this tool sends (DSA names, advantage audience flag, objective/goal pairs, minimum budget, retired
interests, `location_types`, `instagram_actor_id`, a link ad without an image, an image hash not uploaded to
the account), so that a payload mistake fails here as it would there. `POST act_…/adimages` takes files
(multipart, as the SDK's AdImage sends them) or base64 `bytes` and answers `{"images": {name: {hash, url}}}`.

Like Meta, it also answers interest names in the locale asked for (en_US by default), gives budget floors
per optimisation goal (`act_…/minimum_budgets`), checks placements and frequency caps, runs batch requests
(at most 50 calls), sends usage headers (`x-business-use-case-usage`) and, when told to throttle, answers the
rate-limit codes (17, 613, 80004) with the wait in those headers.

Reusable: subclass it and extend `route(request)` (call `super().route(request)` for the paths you do not
handle), e.g. to add Insights for reporting tests.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import io
import itertools
import json
import re
import threading
from datetime import UTC, datetime
from email.parser import BytesParser
from email.policy import HTTP as email_policy
from urllib.parse import parse_qs

from PIL import Image, UnidentifiedImageError

from tests.support.servers import LocalServer

TOKEN = "TEST-TOKEN-not-a-real-one"

# Interests as Meta's `adinterest` search returns them. The ids (999…) and sizes are made up, so that
# nobody mistakes them for real Meta ids.
DEFAULT_INTERESTS = [
    {"id": "9990000000001", "name": "Science fiction", "audience_size_lower_bound": 310000000,
     "audience_size_upper_bound": 364000000, "path": ["Interests", "Entertainment", "Science fiction"],
     "topic": "Entertainment"},
    {"id": "9990000000002", "name": "Science fiction film", "audience_size_lower_bound": 90000000,
     "audience_size_upper_bound": 106000000, "path": ["Interests", "Movies", "Science fiction film"]},
    {"id": "9990000000008", "name": "Science fiction books", "audience_size_lower_bound": 60000000,
     "audience_size_upper_bound": 71000000, "path": ["Interests", "Books", "Science fiction books"]},
    {"id": "9990000000009", "name": "Anime", "audience_size_lower_bound": 280000000,
     "audience_size_upper_bound": 330000000, "path": ["Interests", "Entertainment", "Anime"]},
    {"id": "9990000000010", "name": "Crime fiction", "audience_size_lower_bound": 70000000,
     "audience_size_upper_bound": 82000000, "path": ["Interests", "Books", "Crime fiction"]},
    {"id": "9990000000003", "name": "Manga", "audience_size_lower_bound": 250000000,
     "audience_size_upper_bound": 294000000, "path": ["Interests", "Hobbies", "Manga"]},
    {"id": "9990000000004", "name": "Street art", "audience_size_lower_bound": 40000000,
     "audience_size_upper_bound": 47000000, "path": ["Interests", "Arts", "Street art"]},
    {"id": "9990000000005", "name": "Reading", "audience_size_lower_bound": 500000000,
     "audience_size_upper_bound": 588000000, "path": ["Interests", "Hobbies", "Reading"]},
    {"id": "9990000000006", "name": "Books", "audience_size_lower_bound": 600000000,
     "audience_size_upper_bound": 705000000, "path": ["Interests", "Entertainment", "Books"]},
    {"id": "9990000000007", "name": "Comics", "audience_size_lower_bound": 200000000,
     "audience_size_upper_bound": 235000000, "path": ["Interests", "Entertainment", "Comics"]},
]

# the same interests as Meta names them for a French-speaking user (`locale=fr_FR`)
LOCALISED_NAMES = {"fr_FR": {
    "9990000000001": "Science-fiction", "9990000000002": "Film de science-fiction",
    "9990000000008": "Livres de science-fiction", "9990000000009": "Anime", "9990000000010": "Roman policier",
    "9990000000003": "Manga", "9990000000004": "Art urbain", "9990000000005": "Lecture",
    "9990000000006": "Livres", "9990000000007": "Bandes dessinées"}}

# act_…/minimum_budgets, in cents of EUR: the floor depends on how often the optimised event happens
DEFAULT_MINIMUM_BUDGETS = {"min_daily_budget_imp": 100, "min_daily_budget_high_freq": 500,
                           "min_daily_budget_low_freq": 2500, "min_daily_budget_video_views": 100}
GOAL_FLOOR = {"REACH": "min_daily_budget_imp", "IMPRESSIONS": "min_daily_budget_imp",
              "AD_RECALL_LIFT": "min_daily_budget_imp", "THRUPLAY": "min_daily_budget_video_views",
              "LINK_CLICKS": "min_daily_budget_high_freq", "LANDING_PAGE_VIEWS": "min_daily_budget_high_freq"}
# positions Meta accepts per platform (v26: Instagram Explore removed)
POSITIONS = {"facebook_positions": ("facebook", {"feed", "right_hand_column", "marketplace", "video_feeds", "story",
                                                 "search", "instream_video", "facebook_reels", "profile_feed",
                                                 "notification"}),
             "instagram_positions": ("instagram", {"stream", "story", "reels", "profile_feed", "ig_search",
                                                   "profile_reels"}),
             "audience_network_positions": ("audience_network", {"classic", "rewarded_video"})}
MAX_BATCH = 50
RATE_LIMIT_CODES = {17: "User request limit reached", 613: "Calls to this api have exceeded the rate limit.",
                    80004: "There have been too many calls to this ad-account. Wait a bit and try again."}

OUTCOME_GOALS = {  # objective → goals Meta accepts for it (the pairs this tool may send)
    "OUTCOME_AWARENESS": {"REACH", "IMPRESSIONS", "AD_RECALL_LIFT", "THRUPLAY"},
    "OUTCOME_TRAFFIC": {"LINK_CLICKS", "LANDING_PAGE_VIEWS", "REACH", "IMPRESSIONS"},
}

KINDS = {"campaigns": "campaign", "adsets": "adset", "adcreatives": "creative", "ads": "ad"}


def graph_error(message: str, *, code: int = 100, subcode: int | None = None, title: str = "",
                user_msg: str = "", transient: bool = False, kind: str = "OAuthException",
                blame_field: str | None = None) -> dict:
    error = {"message": message, "type": kind, "code": code, "is_transient": transient,
             "fbtrace_id": "AbCdEfGhIjK"}
    if subcode is not None:
        error["error_subcode"] = subcode
    if title:
        error["error_user_title"] = title
    if user_msg:
        error["error_user_msg"] = user_msg
    if blame_field:
        error["error_data"] = json.dumps({"blame_field_specs": [[blame_field]]})
    return {"error": error}


# -- the connection: who the token is, what it may do, what it may reach ------------------------------------


class ConnectionState:
    """The token's side of Graph as the Paramètres page reads it: `me`, `me/permissions`, `debug_token`,
    `me/adaccounts`, `me/accounts` (Pages) and `act_…/instagram_accounts`.

    As Meta does: `debug_token` answers only a token of the same app (`same_app=False` refuses it with
    #100); listing Pages needs `pages_show_list` and listing ad accounts `ads_read` or `ads_management`
    (#200 otherwise); lists are paged with `paging.cursors.after` and `next`."""

    def __init__(self):
        self.name = "Système Médiathèques"
        self.scopes = ["ads_management", "ads_read", "pages_read_engagement", "pages_show_list", "public_profile"]
        self.expires_at = 0  # 0: never, as for a system user's token
        self.expired = False
        self.same_app = True
        self.page_size = 2  # small, so that the client must follow the cursors
        self.ad_accounts = [
            {"id": "act_1234567890", "account_id": "1234567890", "name": "Médiathèques — communication",
             "account_status": 1, "currency": "EUR"},
            {"id": "act_2222222222", "account_id": "2222222222", "name": "Ancien compte", "account_status": 101,
             "currency": "EUR"},
        ]
        self.pages = [{"id": "104857600000001", "name": "Médiathèques de la Ville"},
                      {"id": "104857600000002", "name": "Festival du livre"},
                      {"id": "104857600000003", "name": "Conservatoire"}]
        self.instagram = {"act_1234567890": [{"id": "17841400000000001", "username": "mediatheques_ville"}]}

    def route(self, parts: list[str], method: str, params: dict, token: str):
        if method != "GET":
            return None
        if parts == ["me"]:
            return 200, {"id": "61550000000001", "name": self.name}
        if parts == ["me", "permissions"]:
            return 200, {"data": [{"permission": s, "status": "granted"} for s in self.scopes]}
        if parts == ["debug_token"]:
            if not self.same_app:
                return 400, graph_error("(#100) You must provide an app access token, or a user access token "
                                        "that is an owner or developer of the app", code=100)
            if params.get("input_token") != token:
                return 200, {"data": {"is_valid": False, "error": {"code": 190, "message": "Invalid OAuth access "
                                                                                           "token."}}}
            return 200, {"data": {"app_id": "1000000000001", "type": "SYSTEM_USER", "application": "Outreach",
                                  "is_valid": True, "expires_at": self.expires_at, "issued_at": 1700000000,
                                  "scopes": list(self.scopes), "user_id": "61550000000001"}}
        if parts == ["me", "adaccounts"]:
            if not {"ads_read", "ads_management"} & set(self.scopes):
                return 400, graph_error("(#200) Requires ads_read or ads_management permission", code=200,
                                        kind="OAuthException")
            return 200, self._paged(self.ad_accounts, params)
        if parts == ["me", "accounts"]:
            if "pages_show_list" not in self.scopes:
                return 400, graph_error("(#200) Requires pages_show_list permission to manage the object",
                                        code=200)
            return 200, self._paged(self.pages, params)
        if len(parts) == 2 and parts[0].startswith("act_") and parts[1] == "instagram_accounts":
            if parts[0] not in {a["id"] for a in self.ad_accounts}:
                return 400, graph_error(f"(#100) Object with ID '{parts[0]}' does not exist, cannot be loaded "
                                        "due to missing permissions, or does not support this operation", code=100,
                                        subcode=33)
            return 200, self._paged(self.instagram.get(parts[0], []), params)
        return None

    def _paged(self, rows: list[dict], params: dict) -> dict:
        fields = str(params.get("fields", "id")).split(",")
        start = int(params.get("after") or 0)
        size = min(int(params.get("limit", 25)), self.page_size)
        chunk = [{f: r[f] for f in fields if f in r} | {"id": r["id"]} for r in rows[start:start + size]]
        body = {"data": chunk, "paging": {"cursors": {"before": str(start), "after": str(start + len(chunk))}}}
        if start + size < len(rows):
            body["paging"]["next"] = "https://graph.facebook.com/next-page"
        return body


class GraphServer(LocalServer):
    def __init__(self, token: str = TOKEN, currency: str = "EUR"):
        super().__init__()
        self.token = token
        self.currency = currency
        self.minimum_budgets = dict(DEFAULT_MINIMUM_BUDGETS)
        self.throttled: list[dict] = []  # pending rate-limit answers (see `throttle`)
        self.call_count = 0  # what the usage header last reported, in % of the allowance
        self.interests = [dict(i) for i in DEFAULT_INTERESTS]
        self.option_status: dict[str, str] = {}  # interest id → NORMAL | DEPRECATING | NON_DELIVERABLE
        self.objects: dict[str, dict] = {}  # id → {"kind", "account", "params"}
        self.images: dict[str, dict[str, dict]] = {}  # account → image hash → {name, width, height}
        self._ids = itertools.count(120200000000001)
        self._faults: list[dict] = []
        self._lock = threading.Lock()
        self.connection = ConnectionState()
        # poll faster than serve_forever's default 0.5 s so that stopping the server does not slow tests
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02},
                                       daemon=True)

    # -- test controls ------------------------------------------------------------------------------

    def fail(self, path_pattern: str, payload: dict, *, status: int = 400, times: int = 1,
             method: str | None = None, after_create: bool = False, real_only: bool = False) -> None:
        """Answer the next `times` requests whose path matches with this error.

        `after_create=True` performs the create and then answers the error: the response is lost on the
        way back, as with the 502s people report, and a naive retry would create a duplicate.
        `real_only=True` leaves `validate_only` calls alone.
        """
        self._faults.append({"pattern": re.compile(path_pattern), "payload": payload, "status": status,
                             "times": times, "method": method, "after_create": after_create,
                             "real_only": real_only})

    def throttle(self, *, code: int = 80004, minutes: int = 1, times: int = 1) -> None:
        """Answer the next `times` calls with a rate-limit error whose usage header says to wait `minutes`."""
        self.throttled.append({"code": code, "minutes": minutes, "times": times})

    def created(self, kind: str) -> list[dict]:
        return [dict(o["params"], id=i) for i, o in self.objects.items() if o["kind"] == kind]

    def calls(self, method: str | None = None, path_part: str = "") -> list[dict]:
        return [r for r in self.requests if (method is None or r["method"] == method) and path_part in r["path"]]

    # -- HTTP ----------------------------------------------------------------------------------------

    def handle(self, request: dict):
        request["files"] = self._files(request)
        request["params"] = self._params(request)
        if request["params"].get("access_token") != self.token:
            return 400, graph_error("Invalid OAuth access token - Cannot parse access token", code=190)
        if self.connection.expired:
            return 400, graph_error("Error validating access token: Session has expired.", code=190, subcode=463)
        wait = self._throttle_for()
        if wait:
            return 400, graph_error(RATE_LIMIT_CODES[wait["code"]], code=wait["code"], transient=True,
                                    kind="OAuthException"), self.usage_headers(wait["minutes"])
        if request["method"] == "POST" and re.fullmatch(r"/v\d+\.\d+/?", request["path"]):
            status, payload = self.batch(request)
            return status, payload, self.usage_headers()
        status, payload = self._answer(request)
        return status, payload, self.usage_headers()

    def usage_headers(self, minutes: int = 0) -> dict:
        """`x-business-use-case-usage` as Meta sends it: per business, per use case, percentages and the wait."""
        self.call_count = 100 if minutes else 4
        usage = {"123456789": [{"type": "ads_management", "call_count": self.call_count, "total_cputime": 1,
                                "total_time": 1, "estimated_time_to_regain_access": minutes}]}
        return {"x-business-use-case-usage": json.dumps(usage),
                "x-ad-account-usage": json.dumps({"acc_id_util_pct": self.call_count, "reset_time_duration": 0})}

    def _throttle_for(self):
        with self._lock:
            for wait in self.throttled:
                if wait["times"] > 0:
                    wait["times"] -= 1
                    return wait
        return None

    def batch(self, request: dict):
        """The Batch API: `batch` = JSON list of {method, relative_url, body}; one answer per call, each
        {code, headers, body (JSON text)}; more than 50 calls is refused as a whole."""
        calls = request["params"].get("batch")
        if not isinstance(calls, list) or not calls:
            return 400, graph_error("(#100) The parameter batch is required", code=100)
        if len(calls) > MAX_BATCH:
            return 400, graph_error(f"(#1) Too many requests in batch message. Maximum batch size is {MAX_BATCH}",
                                    code=1)
        version = request["path"].strip("/")
        answers = []
        for call in calls:
            url = str(call.get("relative_url", "")).lstrip("/")
            path, _, query = url.partition("?")
            if not re.match(r"v\d+\.\d+/", path):
                path = f"{version}/{path}"
            sub = {"method": str(call.get("method", "GET")).upper(), "path": f"/{path}",
                   "query": {k: v[0] for k, v in parse_qs(query).items()} | {"access_token": self.token},
                   "body": str(call.get("body", "")).encode("utf-8"), "headers": {}, "files": None, "in_batch": True}
            self.requests.append(sub)
            sub["params"] = self._params(sub)
            status, payload = self._answer(sub)
            answers.append({"code": status, "headers": [{"name": "Content-Type", "value": "application/json"}],
                            "body": json.dumps(payload)})
        return 200, answers

    def _answer(self, request: dict):
        fault = self._fault_for(request)
        if fault and not fault["after_create"]:
            return fault["status"], fault["payload"]
        status, payload = self.route(request)
        if fault:
            return fault["status"], fault["payload"]
        return status, payload

    def _fault_for(self, request):
        with self._lock:
            for fault in self._faults:
                validating = "validate_only" in (request["params"].get("execution_options") or [])
                if fault["times"] > 0 and fault["pattern"].search(request["path"]) and \
                        (fault["method"] is None or fault["method"] == request["method"]) and \
                        not (fault["real_only"] and validating):
                    fault["times"] -= 1
                    return fault
        return None

    @staticmethod
    def _params(request: dict) -> dict:
        params = dict(request["query"])
        if request.get("files") is not None:  # multipart: the form's plain fields are parameters too
            params.update({k: v.decode("utf-8") for k, (filename, v) in request["files"].items() if filename is None})
            request["files"] = {k: v for k, v in request["files"].items() if v[0] is not None}
        elif request["method"] == "POST" and request["body"]:
            for key, values in parse_qs(request["body"].decode("utf-8"), keep_blank_values=True).items():
                params[key] = values[0]
        decoded = {}
        for key, value in params.items():
            if isinstance(value, str) and value[:1] in "[{":
                with contextlib.suppress(ValueError):
                    value = json.loads(value)
            decoded[key] = value
        return decoded

    @staticmethod
    def _files(request: dict) -> dict | None:
        """A multipart/form-data body (what the SDK sends with `files=`): field → (file name or None, bytes)."""
        content_type = next((v for k, v in request["headers"].items() if k.lower() == "content-type"), "")
        if request["method"] != "POST" or not content_type.startswith("multipart/form-data"):
            return None
        message = BytesParser(policy=email_policy).parsebytes(
            f"Content-Type: {content_type}\r\n\r\n".encode("latin-1") + request["body"])
        return {part.get_param("name", header="content-disposition"): (part.get_filename(),
                                                                        part.get_payload(decode=True))
                for part in message.iter_parts()}

    def route(self, request: dict):
        match = re.fullmatch(r"/v\d+\.\d+/(.+)", request["path"])
        if not match:
            return 404, graph_error("Unknown path components", code=2500)
        parts = match.group(1).split("/")
        method, params = request["method"], request["params"]
        answer = self.connection.route(parts, method, params, self.token)
        if answer is not None:
            return answer
        if parts == ["search"] and method == "GET":
            return self.search(params)
        if len(parts) == 2 and parts[0].startswith("act_"):
            account, edge = parts
            if edge in KINDS and method == "POST":
                return self.create(account, KINDS[edge], params)
            if edge in KINDS and method == "GET":
                return self.list_objects(account, KINDS[edge], params)
            if edge == "delivery_estimate" and method == "GET":
                return self.delivery_estimate(params)
            if edge == "minimum_budgets" and method == "GET":
                return 200, {"data": [dict(self.minimum_budgets, currency=self.currency)]}
            if edge == "adimages" and method == "POST":
                return self.upload_images(account, request)
        if len(parts) == 1 and parts[0] in self.objects and method == "GET":
            obj = self.objects[parts[0]]
            return 200, dict(obj["params"], id=parts[0])
        if len(parts) == 1 and parts[0] in self.objects and method == "POST":
            return self.update(parts[0], params)
        return 400, graph_error(f"Unsupported {method} request. Object with ID '{'/'.join(parts)}' does not "
                                "exist, cannot be loaded due to missing permissions, or does not support this "
                                "operation.", code=100, subcode=33)

    # -- /search -------------------------------------------------------------------------------------

    def localised(self, interest: dict, locale: str | None) -> dict:
        """The interest as Meta shows it in `locale` (Meta's default is en_US)."""
        name = LOCALISED_NAMES.get(locale or "en_US", {}).get(interest["id"], interest["name"])
        return dict(interest, name=name)

    def search(self, params: dict):
        kind = params.get("type")
        locale = params.get("locale")
        if kind == "adinterest":
            q = str(params.get("q", "")).casefold()
            shown = [self.localised(i, locale) for i in self.interests
                     if self.option_status.get(i["id"], "NORMAL") == "NORMAL"]
            found = [i for i in shown if q and q in i["name"].casefold()]
            found.sort(key=lambda i: (i["name"].casefold() != q, -i["audience_size_upper_bound"]))
            return 200, {"data": found[: int(params.get("limit", 25))]}
        if kind == "adinterestsuggestion":
            # interests near the ones given: here, those sharing a word or a category with them
            given = [str(n).casefold() for n in params.get("interest_list") or []]
            if not given:
                return 400, graph_error("(#100) The parameter interest_list is required", code=100)
            words = {w for n in given for w in n.split() if len(w) > 3}
            rows = [self.localised(i, locale) for i in self.interests if i["name"].casefold() not in given and
                    (words & set(i["name"].casefold().split()) or
                     any(w in " ".join(i["path"]).casefold() for w in words))]
            return 200, {"data": rows[: int(params.get("limit", 5))]}
        if kind == "adinterestvalid":
            names = params.get("interest_list") or []
            ids = params.get("interest_fbid_list") or []
            rows = []
            for name in names:
                hit = next((i for i in self.interests if i["name"].casefold() == str(name).casefold()), None)
                rows.append({"name": name, "valid": hit is not None, **({"id": hit["id"]} if hit else {})})
            for fbid in ids:
                hit = next((i for i in self.interests if i["id"] == str(fbid)), None)
                ok = hit is not None and self.option_status.get(str(fbid), "NORMAL") == "NORMAL"
                rows.append({"id": str(fbid), "name": hit["name"] if hit else "", "valid": ok})
            return 200, {"data": rows}
        if kind == "targetingoptionstatus":
            ids = params.get("targeting_option_list") or []
            known = {i["id"] for i in self.interests}
            return 200, {"data": [{"id": str(i), "current_status":
                                   self.option_status.get(str(i), "NORMAL" if str(i) in known else
                                                          "NON_DELIVERABLE")} for i in ids]}
        return 400, graph_error(f"(#100) Invalid parameter type: {kind}", code=100)

    # -- creates -------------------------------------------------------------------------------------

    def create(self, account: str, kind: str, params: dict):
        problem = getattr(self, f"check_{kind}")(account, params)
        if problem:
            return 400, problem
        if "validate_only" in (params.get("execution_options") or []):
            return 200, {"success": True}
        params = {k: v for k, v in params.items() if k not in ("access_token", "execution_options")}
        with self._lock:
            new_id = str(next(self._ids))
            self.objects[new_id] = {"kind": kind, "account": account, "params": params,
                                    "created_time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S%z")}
        return 200, {"id": new_id}

    # fields Meta does not let an existing object change: a new object is needed
    IMMUTABLE = {"campaign": {"objective", "special_ad_categories"},
                 "adset": {"campaign_id", "optimization_goal", "billing_event"},
                 "creative": {"object_story_spec", "url_tags"}, "ad": {"adset_id"}}

    def update(self, object_id: str, params: dict):
        """POST /{id}: the fields given replace the object's; checked as a create would be."""
        obj = self.objects[object_id]
        changes = {k: v for k, v in params.items() if k not in ("access_token", "execution_options")}
        frozen = sorted(set(changes) & self.IMMUTABLE[obj["kind"]])
        if frozen:
            return 400, graph_error("Invalid parameter", code=100, subcode=1487390,
                                    title="Field cannot be edited",
                                    user_msg=f"{', '.join(frozen)} cannot be changed once the object is created.",
                                    blame_field=frozen[0])
        merged = dict(obj["params"], **changes)
        problem = getattr(self, f"check_{obj['kind']}")(obj["account"], merged)
        if problem:
            return 400, problem
        if "validate_only" not in (params.get("execution_options") or []):
            with self._lock:
                obj["params"] = merged
                obj.setdefault("updates", []).append(changes)
        return 200, {"success": True}

    def _exists(self, kind: str, object_id) -> bool:
        obj = self.objects.get(str(object_id))
        return obj is not None and obj["kind"] == kind

    def check_campaign(self, account, p):
        if not p.get("name"):
            return graph_error("(#100) The parameter name is required", code=100)
        if "special_ad_categories" not in p:
            return graph_error("(#100) The parameter special_ad_categories is required", code=100)
        if not str(p.get("objective", "")).startswith("OUTCOME_"):
            return graph_error("Invalid parameter", code=100, subcode=2490487, title="Objective not supported",
                               user_msg="Only outcome-driven objectives (OUTCOME_*) can be used.",
                               blame_field="objective")
        if "daily_budget" not in p and "lifetime_budget" not in p and \
                p.get("is_adset_budget_sharing_enabled") not in (True, False, "true", "false", "0", "1"):
            return graph_error("Invalid parameter", code=100, subcode=4834011,
                               title="Must specify True or False in is_adset_budget_sharing_enabled field",
                               user_msg="Must specify True or False in is_adset_budget_sharing_enabled field",
                               blame_field="is_adset_budget_sharing_enabled")
        if p.get("status") == "ACTIVE":
            return None  # allowed by Meta; outreach never sends it (tests check the recorded requests)
        return None

    def check_adset(self, account, p):
        if not self._exists("campaign", p.get("campaign_id")):
            return graph_error("(#100) Param campaign_id must be a valid campaign id", code=100)
        campaign = self.objects[str(p["campaign_id"])]["params"]
        targeting = p.get("targeting") or {}
        geo = targeting.get("geo_locations") or {}
        if "location_types" in geo:
            return graph_error("Invalid parameter", code=100, subcode=1870199, title="Location types removed",
                               user_msg="Please remove all values from the location_types field.",
                               blame_field="targeting")
        if not any(geo.get(k) for k in ("countries", "custom_locations", "zips", "cities", "regions")):
            return graph_error("Invalid parameter", code=100, subcode=1487079, title="No location",
                               user_msg="You must specify at least one location in targeting.",
                               blame_field="targeting")
        for loc in geo.get("custom_locations", []):
            if not 1 <= float(loc.get("radius", 0)) <= 80 or loc.get("distance_unit") != "kilometer":
                return graph_error("Invalid parameter", code=100, subcode=1487651, title="Invalid radius",
                                   user_msg="Radius must be between 1 and 80 kilometers.", blame_field="targeting")
        if int(targeting.get("age_min", 18)) < 18:
            return graph_error("Invalid parameter", code=100, subcode=2446173, title="Minimum age",
                               user_msg="Ads can't be shown to people under 18 in the EU.",
                               blame_field="targeting")
        automation = targeting.get("targeting_automation") or {}
        if "advantage_audience" not in automation:
            return graph_error("Invalid parameter", code=100, subcode=1870227,
                               title="Advantage Audience Flag Required",
                               user_msg="To save your audience, you must turn Advantage+ audience on or off.",
                               blame_field="targeting")
        for group in targeting.get("flexible_spec", []):
            for interest in group.get("interests", []):
                if "id" not in interest:
                    return graph_error("(#100) Invalid interest: id required", code=100)
                status = self.option_status.get(str(interest["id"]), "NORMAL")
                if status != "NORMAL" or all(i["id"] != str(interest["id"]) for i in self.interests):
                    return graph_error("Invalid parameter", code=100, subcode=1487694,
                                       title="Targeting option no longer available",
                                       user_msg=f"The interest {interest.get('name', interest['id'])} is no "
                                                "longer available.", blame_field="targeting")
        if not p.get("dsa_beneficiary"):
            return graph_error("Invalid parameter", code=100, subcode=3858081, title="Beneficiary missing",
                               user_msg="Please enter who benefits from this ad (EU).",
                               blame_field="dsa_beneficiary")
        if not p.get("dsa_payor"):
            return graph_error("Invalid parameter", code=100, subcode=3858079, title="Payor missing",
                               user_msg="Please enter who pays for this ad (EU).", blame_field="dsa_payor")
        goal = p.get("optimization_goal")
        if goal not in OUTCOME_GOALS.get(campaign.get("objective"), set()):
            return graph_error("Invalid parameter", code=100, subcode=2490408,
                               title="Performance goal isn't available",
                               user_msg="The optimization goal is not valid for this campaign objective.",
                               blame_field="optimization_goal")
        special = self.check_special_category(campaign, targeting)
        if special:
            return special
        floor = self.minimum_budgets[GOAL_FLOOR.get(goal, "min_daily_budget_imp")]
        if int(p.get("daily_budget", 0)) < floor:
            return graph_error("Invalid parameter", code=100, subcode=1885272, title="Your budget is too low",
                               user_msg=f"The minimum daily budget for {goal} is {floor / 100:.2f} €.",
                               blame_field="daily_budget")
        return self.check_delivery(goal, targeting, p)

    def check_special_category(self, campaign: dict, targeting: dict):
        """Special ad categories (employment, housing, credit): ages 18–65+ untouched, no postcodes, circles of
        at least 15 miles, no detailed targeting by interests; the campaign names the country."""
        categories = [c for c in campaign.get("special_ad_categories") or [] if c != "NONE"]
        if not categories:
            return None

        def refuse(why: str):
            return graph_error("Invalid parameter", code=100, subcode=1870128,
                               title="Targeting not available for special ad category",
                               user_msg=f"Ads in the {categories[0]} category {why}.", blame_field="targeting")

        if not campaign.get("special_ad_category_country"):
            return refuse("need special_ad_category_country")
        if int(targeting.get("age_min", 18)) != 18 or int(targeting.get("age_max", 65)) != 65:
            return refuse("can't narrow age")
        excluded = targeting.get("excluded_geo_locations") or {}
        if (targeting.get("geo_locations") or {}).get("zips") or excluded.get("zips"):
            return refuse("can't target or exclude postcodes")
        for loc in (targeting.get("geo_locations") or {}).get("custom_locations", []):
            km = float(loc.get("radius", 0)) * (1.609344 if loc.get("distance_unit") == "mile" else 1.0)
            if km < 15 * 1.609344 - 1e-6:
                return refuse("need a radius of at least 15 miles")
        if any(g.get("interests") for g in targeting.get("flexible_spec") or []):
            return refuse("can't use these detailed targeting options")
        if any((targeting.get("exclusions") or {}).get(k) for k in ("interests", "behaviors")):
            return refuse("can't exclude detailed targeting options")
        return None

    def check_delivery(self, goal: str, targeting: dict, p: dict):
        """Placements (each position list needs its platform, and only known positions) and the frequency
        cap (writable only when optimising for REACH or THRUPLAY, since v20)."""
        platforms = targeting.get("publisher_platforms")
        for key, (platform, known) in POSITIONS.items():
            positions = targeting.get(key)
            if positions is None:
                continue
            if platforms is not None and platform not in platforms:
                return graph_error("Invalid parameter", code=100, subcode=1487756, title="Placement mismatch",
                                   user_msg=f"{key} needs {platform} in publisher_platforms.",
                                   blame_field="targeting")
            unknown = [x for x in positions if x not in known]
            if unknown:
                return graph_error("Invalid parameter", code=100, subcode=1487756, title="Invalid placement",
                                   user_msg=f"Invalid {key}: {', '.join(unknown)}.", blame_field="targeting")
        specs = p.get("frequency_control_specs")
        if specs:
            if goal not in ("REACH", "THRUPLAY"):
                return graph_error("Invalid parameter", code=100, subcode=1885611,
                                   title="Frequency control not available",
                                   user_msg="Frequency controls are only available with reach or ThruPlay "
                                            "optimization.", blame_field="frequency_control_specs")
            for spec in specs:
                if spec.get("event") != "IMPRESSIONS" or not 1 <= int(spec.get("interval_days", 0)) <= 90 or \
                        int(spec.get("max_frequency", 0)) < 1:
                    return graph_error("Invalid parameter", code=100, subcode=1885611,
                                       title="Invalid frequency control",
                                       user_msg="Frequency control needs event IMPRESSIONS, 1-90 days and at "
                                                "least 1 impression.", blame_field="frequency_control_specs")
        return None

    def check_creative(self, account, p):
        spec = p.get("object_story_spec") or {}
        if "instagram_actor_id" in spec:
            return graph_error("(#100) Param instagram_actor_id must be a valid Instagram account id", code=100)
        if not spec.get("page_id"):
            return graph_error("(#100) Param object_story_spec[page_id] is required", code=100)
        feed = p.get("asset_feed_spec") or {}
        if feed.get("asset_customization_rules") is not None:
            return self.check_placement_customization(account, spec, feed)
        link = spec.get("link_data") or {}
        if not str(link.get("link", "")).startswith("https://"):
            return graph_error("Invalid parameter", code=100, subcode=1487901, title="Invalid link",
                               user_msg="The link must be a valid URL.", blame_field="link")
        return self.check_creative_image(account, link) or self.check_text_options(p)

    PLACEMENT_KEYS = {"publisher_platforms", "facebook_positions", "instagram_positions", "messenger_positions",
                      "audience_network_positions"}

    def check_placement_customization(self, account, spec: dict, feed: dict):
        """Placement asset customization: an asset feed of SINGLE_IMAGE optimised per PLACEMENT, more than one
        rule, each naming placements Meta knows and an image label that an image of the feed carries, every
        image one uploaded to this account; the texts come from the feed, not from link_data."""
        def refuse(why: str, subcode: int = 1885998):
            return graph_error("Invalid parameter", code=100, subcode=subcode, title="Invalid asset feed",
                               user_msg=why, blame_field="asset_feed_spec")

        if spec.get("link_data"):
            return refuse("An asset feed ad can't also have object_story_spec[link_data].")
        if feed.get("optimization_type") != "PLACEMENT" or feed.get("ad_formats") != ["SINGLE_IMAGE"]:
            return refuse("Placement asset customization needs optimization_type PLACEMENT and ad_formats "
                          "[SINGLE_IMAGE].")
        rules = feed.get("asset_customization_rules") or []
        if len(rules) < 2:
            return refuse("An asset feed needs at least two asset customization rules.")
        images = feed.get("images") or []
        if not images:
            return graph_error("Invalid parameter", code=100, subcode=1487212, title="Missing Image",
                               user_msg="Your ad needs an image. Please add an image to your ad.",
                               blame_field="images")
        labels = {}
        for image in images:
            if str(image.get("hash", "")) not in self.images.get(account, {}):
                return graph_error(f"(#100) Image with hash {image.get('hash')} not found in this ad account",
                                   code=100, blame_field="image_hash")
            for label in image.get("adlabels") or []:
                labels[label.get("name")] = image["hash"]
        texts = {label.get("name") for key in ("bodies", "titles", "link_urls") for asset in feed.get(key) or []
                 for label in asset.get("adlabels") or []}
        for rule in rules:
            placements = rule.get("customization_spec") or {}
            unknown = set(placements) - self.PLACEMENT_KEYS
            if not placements or unknown:
                return refuse(f"Invalid customization_spec: {', '.join(sorted(unknown)) or 'empty'}.")
            for key, (platform, known) in POSITIONS.items():
                if key in placements and (platform not in placements.get("publisher_platforms", [])
                                          or set(placements[key]) - known):
                    return refuse(f"Invalid {key} in customization_spec.", subcode=1487756)
            if (rule.get("image_label") or {}).get("name") not in labels:
                return refuse(f"The image label {rule.get('image_label')} matches no image of the asset feed.")
            for key in ("body_label", "title_label", "link_url_label"):
                if key in rule and rule[key].get("name") not in texts:
                    return refuse(f"The {key} {rule[key]} matches no text of the asset feed.")
        if len(feed.get("descriptions") or []) > 1:
            return refuse("Only one link description: it can't be customised per placement.")
        if not all(str(u.get("website_url", "")).startswith("https://") for u in feed.get("link_urls") or [{}]):
            return graph_error("Invalid parameter", code=100, subcode=1487901, title="Invalid link",
                               user_msg="The link must be a valid URL.", blame_field="link")
        if not feed.get("call_to_action_types"):
            return refuse("asset_feed_spec[call_to_action_types] is required")
        return None

    # -- images (AdImage) ----------------------------------------------------------------------------

    def check_creative_image(self, account, link: dict):
        """Meta refuses a link ad without a visual ("Missing Image", subcode 1487212); an image_hash must be
        one uploaded to this ad account (hashes are scoped to the account)."""
        if not any(link.get(k) for k in ("image_hash", "picture", "child_attachments", "video_id")):
            return graph_error("Invalid parameter", code=100, subcode=1487212, title="Missing Image",
                               user_msg="Your ad needs an image. Please add an image to your ad.",
                               blame_field="image_hash")
        image_hash = link.get("image_hash")
        if image_hash and str(image_hash) not in self.images.get(account, {}):
            return graph_error(f"(#100) Image with hash {image_hash} not found in this ad account", code=100,
                               blame_field="image_hash")
        return None

    MAX_TEXT_OPTIONS = 5  # primary texts, headlines and descriptions each, in Meta's multiple text options

    def check_text_options(self, p: dict):
        """An asset_feed_spec of text options: at most 5 of each text, none empty, with the link and the
        call to action Meta requires of an asset feed."""
        spec = p.get("asset_feed_spec")
        if spec is None:
            return None
        for key in ("bodies", "titles", "descriptions"):
            texts = spec.get(key) or []
            if len(texts) > self.MAX_TEXT_OPTIONS:
                return graph_error(f"(#100) asset_feed_spec[{key}] must contain at most {self.MAX_TEXT_OPTIONS} "
                                   "elements", code=100, blame_field="asset_feed_spec")
            if any(not str((t or {}).get("text", "")).strip() for t in texts):
                return graph_error(f"(#100) asset_feed_spec[{key}] text must not be empty", code=100,
                                   blame_field="asset_feed_spec")
        if not spec.get("link_urls"):
            return graph_error("(#100) asset_feed_spec[link_urls] is required", code=100,
                               blame_field="asset_feed_spec")
        if not spec.get("call_to_action_types"):
            return graph_error("(#100) asset_feed_spec[call_to_action_types] is required", code=100,
                               blame_field="asset_feed_spec")
        return None

    def upload_images(self, account: str, request: dict):
        """`POST act_…/adimages`: files (multipart, keyed by file name) or `bytes` (base64), answered as
        `{"images": {<file name or "bytes">: {"hash", "url", "width", "height", "name"}}}`."""
        uploads = {name: data for name, (_filename, data) in (request["files"] or {}).items()}
        if request["params"].get("bytes"):
            try:
                uploads["bytes"] = base64.b64decode(request["params"]["bytes"], validate=True)
            except ValueError:
                return 400, graph_error("(#100) Param bytes must be a base64 encoded image", code=100)
        if not uploads:
            return 400, graph_error("(#100) No image was uploaded: send a file or bytes", code=100)
        answer = {}
        for name, data in uploads.items():
            try:
                with Image.open(io.BytesIO(data)) as image:
                    kind, (width, height) = image.format, image.size
            except (UnidentifiedImageError, OSError):
                return 400, graph_error(f"(#100) Invalid image file: {name}", code=100, title="Invalid image",
                                        user_msg="The image you uploaded could not be read.")
            if kind not in ("JPEG", "PNG", "GIF", "BMP", "TIFF", "WEBP"):
                return 400, graph_error(f"(#100) Unsupported image format: {kind}", code=100)
            image_hash = hashlib.md5(data).hexdigest()  # same bytes, same hash, as at Meta
            with self._lock:
                self.images.setdefault(account, {})[image_hash] = {"name": name, "width": width, "height": height}
            answer[name] = {"hash": image_hash, "url": f"{self.url}/images/{image_hash}", "width": width,
                            "height": height, "name": name}
        return 200, {"images": answer}

    def check_ad(self, account, p):
        if not self._exists("adset", p.get("adset_id")):
            return graph_error("(#100) Param adset_id must be a valid ad set id", code=100)
        creative = p.get("creative") or {}
        if not self._exists("creative", creative.get("creative_id")):
            return graph_error("(#100) Param creative must contain a valid creative_id", code=100)
        return None

    # -- lists and estimates -------------------------------------------------------------------------

    def list_objects(self, account: str, kind: str, params: dict):
        rows = [dict(o["params"], id=i, created_time=o["created_time"]) for i, o in self.objects.items()
                if o["kind"] == kind and o["account"] == account]
        for rule in params.get("filtering") or []:
            if rule.get("operator") == "EQUAL":
                field = {"campaign.id": "campaign_id", "adset.id": "adset_id"}.get(rule["field"], rule["field"])
                rows = [r for r in rows if str(r.get(field)) == str(rule["value"])]
        fields = str(params.get("fields", "id,name")).split(",")
        return 200, {"data": [{f: r.get(f) for f in fields if f in r} | {"id": r["id"]} for r in rows]}

    def delivery_estimate(self, params: dict):
        spec = params.get("targeting_spec") or {}
        circles = spec.get("geo_locations", {}).get("custom_locations", [])
        # a deterministic figure that grows with the circles' area, so tests can compare ad sets
        area = sum(float(c.get("radius", 1)) ** 2 for c in circles) or 1.0
        lower = int(1000 * area)
        return 200, {"data": [{"estimate_mau_lower_bound": lower,
                               "estimate_mau_upper_bound": int(lower * 1.18), "estimate_ready": True}]}


@contextlib.contextmanager
def serving_meta(monkeypatch, server: GraphServer | None = None):
    """`server` (a plain GraphServer by default) started, with the SDK's token and address pointing at it."""
    server = server or GraphServer()
    server.start()
    try:
        monkeypatch.setenv("META_ACCESS_TOKEN", TOKEN)
        monkeypatch.setenv("META_GRAPH_URL", server.url)
        yield server
    finally:
        server.stop()

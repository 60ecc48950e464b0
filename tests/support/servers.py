"""Local HTTP servers on 127.0.0.1 that answer like outside services, for tests that never go online."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse


class LocalServer:
    """A threaded HTTP server on a free loopback port; subclasses implement `handle(handler)`."""

    def __init__(self):
        self.requests: list[dict] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output clean
                pass

            def do_GET(self):
                outer._dispatch(self, "GET")

            def do_POST(self):
                outer._dispatch(self, "POST")

            def do_DELETE(self):
                outer._dispatch(self, "DELETE")

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self.httpd.server_address[1]

    @property
    def domain(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"http://{self.domain}"

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def _dispatch(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        url = urlparse(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        request = {"method": method, "path": url.path, "query": {k: v[0] for k, v in parse_qs(url.query).items()},
                   "body": body, "headers": dict(handler.headers)}
        self.requests.append(request)
        # a stand-in answers (status, payload) or (status, payload, extra headers)
        status, payload, *extra = self.handle(request)
        # bytes are sent as an HTML page: what a proxy or a load balancer in front of the service answers
        html = isinstance(payload, bytes)
        data = payload if html else json.dumps(payload).encode("utf-8")
        handler.send_response(status)
        handler.send_header("Content-Type", "text/html; charset=utf-8" if html else "application/json; charset=utf-8")
        for name, value in (extra[0] if extra else {}).items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    def handle(self, request: dict) -> tuple[int, object]:
        raise NotImplementedError


class BanServer(LocalServer):
    """Answers /search like the Base Adresse Nationale (api-adresse.data.gouv.fr): a GeoJSON
    FeatureCollection whose features carry `label`, `score`, `postcode`, `citycode`…"""

    def __init__(self):
        super().__init__()
        self.addresses: dict[str, tuple[float, float, float]] = {}  # normalised query → (lat, lon, score)
        self.fail = False

    def add(self, query: str, lat: float, lon: float, score: float = 0.95) -> None:
        self.addresses[" ".join(query.lower().split())] = (lat, lon, score)

    def handle(self, request):
        if self.fail:
            return 503, {"code": 503, "message": "Service Unavailable"}
        if request["path"] != "/search":
            return 404, {"code": 404, "message": "Not found"}
        query = request["query"].get("q", "")
        found = self.addresses.get(" ".join(query.lower().split()))
        features = []
        if found:
            lat, lon, score = found
            features.append({
                "type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]},
                "properties": {"label": query, "score": score, "type": "housenumber", "postcode": "",
                               "citycode": "", "city": "", "context": "", "importance": 0.6}})
        return 200, {"type": "FeatureCollection", "version": "draft", "features": features,
                     "attribution": "BAN", "licence": "ETALAB-2.0", "query": query,
                     "limit": int(request["query"].get("limit", 5))}


class AgendaServer(LocalServer):
    """A library portal publishing its agenda as files (an iCal feed, OpenAgenda export links): 404 for an
    address it does not publish, the Content-Type a web server gives each kind, and, with `announce` off, no
    Content-Length (the body ends when the connection closes, as a streamed export does)."""

    TYPES = {".ics": "text/calendar; charset=utf-8", ".csv": "text/csv; charset=utf-8",
             ".json": "application/json; charset=utf-8",
             ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}

    def __init__(self, files: dict[str, bytes], *, announce: bool = True):
        super().__init__()
        self.files, self.announce = files, announce

    def _dispatch(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        path = urlparse(handler.path).path
        self.requests.append({"method": method, "path": path})
        body = self.files.get(path)
        if method != "GET" or body is None:
            handler.send_error(404 if method == "GET" else 405)
            return
        handler.send_response(200)
        handler.send_header("Content-Type", self.TYPES.get(path[path.rfind("."):], "application/octet-stream"))
        if self.announce:
            handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)
        handler.close_connection = True

"""Protection of the service: a request size limit and a rate limit per client, as ASGI middleware; and the
buckets that also limit the confirmation e-mails per address (`DatabaseBuckets`, used by the service).

The middleware answers before the application sees the request, so an oversized or abusive request never
reaches the store. It is plain ASGI so that it costs little on the hot path (the load test measures it).
"""

from __future__ import annotations

import ipaddress
import json
import threading
import time

import anyio.to_thread

from outreach.community.store import BUCKETS_FULL_AFTER_S

SIZE_LIMITED_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


async def _send_json(send, status: int, payload: dict, headers: list[tuple[bytes, bytes]] = ()) -> None:
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json; charset=utf-8"),
                            (b"content-length", str(len(body)).encode()), *headers]})
    await send({"type": "http.response.body", "body": body})


class BodySizeLimit:
    """Reads the body up to `max_bytes` before the app does; more is refused with 413, nothing stored."""

    def __init__(self, app, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] not in SIZE_LIMITED_METHODS:
            return await self.app(scope, receive, send)
        too_big = {"detail": f"requête trop volumineuse : {self.max_bytes} octets au plus.",
                   "errors": [{"field": "body", "message": "requête trop volumineuse"}]}
        for name, value in scope["headers"]:
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = self.max_bytes + 1
                if declared > self.max_bytes:
                    return await _send_json(send, 413, too_big, [(b"connection", b"close")])
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                return await _send_json(send, 413, too_big, [(b"connection", b"close")])
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        replayed = False

        async def replay():
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        return await self.app(scope, replay, send)


class DatabaseBuckets:
    """Token buckets kept in the database, so that several workers or instances behind a load balancer
    share them: each request is one atomic upsert (INSERT … ON CONFLICT DO UPDATE) that refills the
    client's bucket for the time elapsed and takes a token when there is one. PostgreSQL and SQLite both
    run it in one statement, so two workers never both spend the last token.

    `per_minute` tokens a minute by default; `per_hour` instead for slow buckets (the confirmation e-mails of
    one address). Their rows share the table: keys never meet (an address, or a 64-digit digest)."""

    FORGET_AFTER_S = BUCKETS_FULL_AFTER_S  # a bucket untouched that long is full again: its row goes

    def __init__(self, engine, per_minute: int | None = None, clock=time.time, *, per_hour: int | None = None,
                 forget_every: int = 1000):
        from outreach.community.store import rate_buckets

        self.engine, self.table, self.clock = engine, rate_buckets, clock
        if (per_minute is None) == (per_hour is None):
            raise ValueError("give per_minute or per_hour")
        self.capacity = float(per_minute or per_hour)
        self.rate = per_minute / 60.0 if per_minute else per_hour / 3600.0
        # either way a bucket is full again within FORGET_AFTER_S: forgetting its row never gives tokens early
        self.forget_every = forget_every  # old rows are deleted once every this many calls
        if engine.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        self.insert = insert
        self.calls = 0

    def allow(self, client: str) -> tuple[bool, float]:
        from sqlalchemy import case, delete, func

        now, t = self.clock(), self.table
        refilled = func.min(self.capacity, t.c.tokens + (now - t.c.updated) * self.rate) \
            if self.engine.dialect.name == "sqlite" else \
            func.least(self.capacity, t.c.tokens + (now - t.c.updated) * self.rate)
        statement = self.insert(t).values(client=client[:64], tokens=self.capacity - 1, updated=now, allowed=True)
        statement = statement.on_conflict_do_update(index_elements=[t.c.client], set_={
            "tokens": case((refilled >= 1, refilled - 1), else_=refilled), "updated": now,
            "allowed": refilled >= 1}).returning(t.c.tokens, t.c.allowed)
        with self.engine.begin() as conn:
            tokens, allowed = conn.execute(statement).one()
            self.calls += 1
            if self.calls % self.forget_every == 0:
                conn.execute(delete(t).where(t.c.updated < now - self.FORGET_AFTER_S))
        return bool(allowed), 0.0 if allowed else (1 - tokens) / self.rate


class RateLimit:
    """A token bucket per client address: `per_minute` requests, refilled continuously; then 429.

    The static files (the widget, the page) are not counted: they are cached and harmless. The client is
    the socket's peer; behind a reverse proxy (`trust_forwarded_for`), when the peer is one of
    `trusted_proxies`, X-Forwarded-For is read from the right, past the trusted proxies, and the first
    address no proxy of ours added is the client. The leftmost address is whatever the client wrote: taking
    it, as before, let anyone get a fresh bucket per request.
    """

    EXEMPT = ("/widget.js", "/questionnaire", "/healthz")
    MAX_CLIENTS = 50_000

    def __init__(self, app, per_minute: int, trust_forwarded_for: bool = False, clock=time.monotonic,
                 trusted_proxies: list[str] | tuple[str, ...] = ("127.0.0.1", "::1"),
                 shared: DatabaseBuckets | None = None):
        self.app = app
        self.shared = shared  # buckets in the database (several workers); None: in this process's memory
        self.trusted = [ipaddress.ip_network(p, strict=False) for p in trusted_proxies]
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self.trust_forwarded_for = trust_forwarded_for
        self.clock = clock
        self.buckets: dict[str, tuple[float, float]] = {}
        self.lock = threading.Lock()

    def is_trusted(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False  # not an address at all (a forged "unknown"): never one of our proxies
        return any(ip in network for network in self.trusted)

    def client_of(self, scope) -> str:
        client = scope.get("client")
        peer = client[0] if client else "?"
        if not self.trust_forwarded_for or not self.is_trusted(peer):
            return peer
        # several X-Forwarded-For headers read as one list, in order (RFC 7230 §3.2.2)
        hops = [h.strip() for name, value in scope["headers"] if name == b"x-forwarded-for"
                for h in value.decode("latin-1").split(",") if h.strip()]
        for hop in reversed(hops):
            if not self.is_trusted(hop):
                return hop
        return hops[0] if hops else peer

    def allow(self, client: str) -> tuple[bool, float]:
        now = self.clock()
        with self.lock:
            tokens, last = self.buckets.get(client, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self.rate)
            if tokens >= 1:
                self.buckets[client] = (tokens - 1, now)
                allowed, wait = True, 0.0
            else:
                self.buckets[client] = (tokens, now)
                allowed, wait = False, (1 - tokens) / self.rate
            if len(self.buckets) > self.MAX_CLIENTS:
                # forget clients whose bucket is full again: they would start full anyway
                self.buckets = {k: v for k, v in self.buckets.items()
                                if min(self.capacity, v[0] + (now - v[1]) * self.rate) < self.capacity}
        return allowed, wait

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] == "OPTIONS" or scope["path"] in self.EXEMPT:
            return await self.app(scope, receive, send)
        client = self.client_of(scope)
        if self.shared is not None:
            allowed, wait = await anyio.to_thread.run_sync(self.shared.allow, client)
        else:
            allowed, wait = self.allow(client)
        if not allowed:
            return await _send_json(send, 429, {"detail": "trop de requêtes : réessayez dans quelques secondes."},
                                    [(b"retry-after", str(max(1, round(wait))).encode())])
        return await self.app(scope, receive, send)

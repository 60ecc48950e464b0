"""A local OAI-PMH 2.0 repository on 127.0.0.1 serving real MARCXML records, the way Koha's oai.pl does.

It refuses what the protocol refuses (openarchives.org/OAI/openarchivesprotocol.html, §3.6 and §4):
  badVerb              a missing or unknown verb
  badArgument          an unknown or repeated argument, a missing metadataPrefix, a resumptionToken given with
                       other arguments, a from/until not in the repository's granularity or of two granularities
  cannotDisseminateFormat  a metadataPrefix it does not serve (only marcxml, as Koha)
  noSetHierarchy       a set, when the repository has none
  noRecordsMatch       a selective harvest that selects nothing
  badResumptionToken   a token it did not give, or one that has expired
Errors come, as the protocol says, in an HTTP 200 answer with an <error> element. Pages end with a
<resumptionToken> carrying completeListSize and cursor; the last page's token is empty. Datestamps are the
records' own 005 (date and time of latest transaction), compared at the repository's granularity.
"""

from __future__ import annotations

import itertools
import re
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse
from xml.sax.saxutils import escape

import pymarc

DAY, SECONDS = "YYYY-MM-DD", "YYYY-MM-DDThh:mm:ssZ"
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SECONDS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
ARGUMENTS = {
    "Identify": (set(), set()),
    "ListMetadataFormats": (set(), {"identifier"}),
    "ListRecords": ({"metadataPrefix"}, {"from", "until", "set"}),
    "ListIdentifiers": ({"metadataPrefix"}, {"from", "until", "set"}),
}


@dataclass
class ServedRecord:
    identifier: str
    datestamp: str  # YYYY-MM-DDThh:mm:ssZ
    xml: str | None  # None: deleted


def datestamp_of(record: pymarc.Record) -> str:
    """The record's 005 (yyyymmddhhmmss.f) as an OAI datestamp."""
    stamp = next((f.data for f in record.get_fields("005")), "") or "20000101000000"
    return datetime.strptime(stamp[:14], "%Y%m%d%H%M%S").strftime("%Y-%m-%dT%H:%M:%SZ")


def served(records: list[pymarc.Record], *, copies: int | None = None, prefix: str = "oai:koha:") -> list[ServedRecord]:
    """The records as the repository serves them; `copies` > len(records) repeats them with new 001s (for
    volume), each repetition a distinct record."""
    templates = []
    for record in records:
        xml = pymarc.record_to_xml(record, namespace=True).decode()
        templates.append((record["001"].data if record.get_fields("001") else "", datestamp_of(record), xml))
    out = []
    for n in range(copies or len(records)):
        rid, stamp, xml = templates[n % len(templates)]
        turn = n // len(templates)
        if turn:
            xml = xml.replace(f'<controlfield tag="001">{rid}</controlfield>',
                              f'<controlfield tag="001">{rid}-{turn}</controlfield>', 1)
            rid = f"{rid}-{turn}"
        out.append(ServedRecord(f"{prefix}{rid or n}", stamp, xml))
    return out


class OaiServer:
    def __init__(self, records: list[ServedRecord], *, granularity: str = SECONDS, page_size: int = 50,
                 name: str = "Médiathèques (test)", announce_length: bool = True):
        self.records = records
        self.announce_length = announce_length  # False: the body ends when the connection closes (HTTP/1.0)
        self.granularity = granularity
        self.page_size = page_size
        self.name = name
        self.tokens: dict[str, tuple[list[ServedRecord], int]] = {}
        self.requests: list[dict[str, list[str]]] = []
        # the repository's clock (its responseDate): a test moves it on instead of waiting for the real one
        self.now = lambda: datetime.now(UTC)
        self._counter = itertools.count(1)
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                query = parse_qs(urlparse(self.path).query, keep_blank_values=True)
                outer.requests.append(query)
                body = outer.answer(query)  # text, or bytes rendered beforehand (bench/bench_harvest.py)
                body = body if isinstance(body, bytes) else body.encode("utf-8")
                self.send_response(200)
                self.send_header("Content-Type", "text/xml; charset=utf-8")
                if outer.announce_length:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/cgi-bin/koha/oai.pl"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()

    def expire_tokens(self) -> None:
        self.tokens.clear()

    # ---------- the protocol ----------

    def answer(self, query: dict[str, list[str]]) -> str:
        if any(len(v) > 1 for v in query.values()):
            return self._error("badArgument", "repeated argument")
        args = {k: v[0] for k, v in query.items()}
        verb = args.pop("verb", None)
        if verb not in ARGUMENTS:
            return self._error("badVerb", f"illegal verb {verb!r}")
        if verb == "Identify":
            return self._identify() if not args else self._error("badArgument", "Identify takes no argument")
        if verb == "ListMetadataFormats":
            return self._wrap(verb, args, '<ListMetadataFormats><metadataFormat><metadataPrefix>marcxml'
                              '</metadataPrefix><schema>http://www.loc.gov/MARC21/slim http://www.loc.gov/standards/'
                              'marcxml/schema/MARC21slim.xsd</schema><metadataNamespace>http://www.loc.gov/MARC21/'
                              'slim</metadataNamespace></metadataFormat></ListMetadataFormats>')
        return self._list(verb, args)

    def _list(self, verb: str, args: dict[str, str]) -> str:
        if "resumptionToken" in args:
            if len(args) > 1:
                return self._error("badArgument", "resumptionToken is an exclusive argument")
            state = self.tokens.pop(args["resumptionToken"], None)
            if state is None:
                return self._error("badResumptionToken", "the token is invalid or has expired")
            selected, cursor = state
            return self._page(verb, args, selected, cursor)
        required, optional = ARGUMENTS[verb]
        unknown = set(args) - required - optional
        if unknown or required - set(args):
            return self._error("badArgument", f"illegal or missing arguments: {sorted(unknown or required - set(args))}")
        if args["metadataPrefix"] != "marcxml":
            return self._error("cannotDisseminateFormat", f"{args['metadataPrefix']} is not supported")
        if "set" in args:
            return self._error("noSetHierarchy", "this repository does not support sets")
        bounds = [args.get("from"), args.get("until")]
        kinds = set()
        for value in filter(None, bounds):
            if _DAY.match(value):
                kinds.add(DAY)
            elif _SECONDS.match(value) and self.granularity == SECONDS:
                kinds.add(SECONDS)
            else:
                return self._error("badArgument", f"{value} is not a valid datestamp at granularity {self.granularity}")
        if len(kinds) > 1:
            return self._error("badArgument", "from and until have different granularities")
        low, high = bounds
        width = 10 if kinds == {DAY} else 20
        selected = self.records if low is None and high is None else [  # (records may be made on demand)
            r for r in self.records
            if (low is None or r.datestamp[:width] >= low) and (high is None or r.datestamp[:width] <= high)]
        if not selected:
            return self._error("noRecordsMatch", "no record matches the request")
        return self._page(verb, args, selected, 0)

    def _page(self, verb: str, args: dict[str, str], selected: list[ServedRecord], cursor: int) -> str:
        page = selected[cursor: cursor + self.page_size]
        parts = []
        for r in page:
            status = ' status="deleted"' if r.xml is None else ""
            header = (f'<header{status}><identifier>{escape(r.identifier)}</identifier>'
                      f'<datestamp>{r.datestamp[:10] if self.granularity == DAY else r.datestamp}</datestamp></header>')
            if verb == "ListIdentifiers":
                parts.append(header)
            else:
                metadata = f"<metadata>{r.xml}</metadata>" if r.xml is not None else ""
                parts.append(f"<record>{header}{metadata}</record>")
        following = cursor + len(page)
        if following < len(selected):
            token = f"tok{next(self._counter)}"
            self.tokens[token] = (selected, following)
            parts.append(f'<resumptionToken completeListSize="{len(selected)}" cursor="{cursor}">{token}'
                         '</resumptionToken>')
        elif cursor:
            parts.append(f'<resumptionToken completeListSize="{len(selected)}" cursor="{cursor}"/>')
        return self._wrap(verb, args, f"<{verb}>{''.join(parts)}</{verb}>")

    def _identify(self) -> str:
        earliest = min((r.datestamp for r in self.records), default="2000-01-01T00:00:00Z")
        return self._wrap("Identify", {}, (
            f"<Identify><repositoryName>{escape(self.name)}</repositoryName><baseURL>{self.url}</baseURL>"
            "<protocolVersion>2.0</protocolVersion><adminEmail>sigb@example.org</adminEmail>"
            f"<earliestDatestamp>{earliest[:10] if self.granularity == DAY else earliest}</earliestDatestamp>"
            f"<deletedRecord>persistent</deletedRecord><granularity>{self.granularity}</granularity></Identify>"))

    def _wrap(self, verb: str, args: dict[str, str], body: str) -> str:
        attributes = "".join(f' {k}="{escape(v)}"' for k, v in {"verb": verb, **args}.items())
        return self._envelope(f"<request{attributes}>{self.url}</request>{body}")

    def _error(self, code: str, text: str) -> str:
        return self._envelope(f"<request>{self.url}</request><error code=\"{code}\">{escape(text)}</error>")

    def _envelope(self, inner: str) -> str:
        now = self.now().strftime("%Y-%m-%dT%H:%M:%SZ")
        return ('<?xml version="1.0" encoding="UTF-8"?>\n<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/" '
                'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://www.openarchives.org/'
                'OAI/2.0/ http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd">'
                f"<responseDate>{now}</responseDate>{inner}</OAI-PMH>")

"""Harvesting a library system's catalogue over OAI-PMH 2.0.

Koha (`/cgi-bin/koha/oai.pl`), PMB, Decalog/Syracuse and Orphée expose their records this way, usually
as MARCXML (UNIMARC or MARC21). Sickle asks the repository what it is (Identify, ListMetadataFormats) and
lends its exceptions for the protocol's errors; this module follows the resumption tokens of ListRecords,
picks the MARC element out of each record, turns the protocol's errors into French `InputError`s, and
writes the `from` date in the granularity the repository declares (a finer one is a badArgument).
Incremental harvests start from the `responseDate` of the previous harvest's first answer: a record
changed while that harvest ran has a later datestamp and comes back next time.

ListRecords pages are fetched by `Harvest.pages` as raw bytes and parsed by `page_records`, so that a large
harvest can parse its pages on every core while this process fetches the next ones (harvest_store.fetch):
the fetching process reads only the envelope of each answer (its error, its responseDate, its resumption
token), from the answer's first and last few kilobytes, and the parser checks that token against the one
it reads from the whole page.
"""

from __future__ import annotations

import html
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property

import requests
from lxml import etree
from sickle import Sickle, oaiexceptions
from sickle.response import OAIResponse

from outreach.bounds import MAX_OAI_PAGE_BYTES, MB, read_limited
from outreach.errors import InputError
from outreach.sources.marc_fields import READ_TAGS, MarcFields, native_walk, python_fields_of_element

try:  # pages read by expat without a tree, built at install where a compiler is there (setup.py, _oai_page.pyx)
    from outreach.sources import _oai_page as native_page
except ImportError:  # lxml's tree and the walks below do the same, slower
    native_page = None

OAI = "{http://www.openarchives.org/OAI/2.0/}"
MARC_PREFIXES = ("marcxml", "marc21", "MARC21-xml", "unimarc", "marcxchange", "pmb_xml_unimarc")
URL_FIX = "Vérifiez l'adresse du serveur OAI-PMH du SIGB (pour Koha : https://…/cgi-bin/koha/oai.pl)."
TIMEOUT_S = 60
NOT_OAI = "la réponse n'est pas du XML OAI-PMH."


@dataclass
class Harvested:
    """One record of a ListRecords answer: deleted ones have no MARC record."""

    identifier: str
    datestamp: str
    deleted: bool
    record: MarcFields | None


@dataclass
class Repository:
    url: str
    name: str
    granularity: str  # "YYYY-MM-DD" or "YYYY-MM-DDThh:mm:ssZ"
    formats: list[str] = field(default_factory=list)

    def stamp(self, moment: datetime) -> str:
        """`moment` as a from/until value in the repository's granularity (UTC)."""
        moment = moment.astimezone(UTC) if moment.tzinfo else moment
        return moment.strftime("%Y-%m-%d" if self.granularity == "YYYY-MM-DD" else "%Y-%m-%dT%H:%M:%SZ")

    def marc_prefix(self) -> str:
        found = next((p for p in MARC_PREFIXES if p in self.formats), None)
        if found is None:
            raise InputError(f"le serveur ne propose aucun format MARC (formats : {', '.join(self.formats) or 'aucun'}).",
                             file=self.url, fix="Indiquez le format MARCXML du SIGB avec --format (ex. marcxml).")
        return found


class _ParsedOnce(OAIResponse):
    """Sickle's response parses its XML again at every look (error, token, records: three times a page)."""

    @cached_property
    def xml(self):
        return super().xml


class _Sickle(Sickle):
    def harvest(self, **kwargs):
        response = super().harvest(**kwargs)
        return _ParsedOnce(response.http_response, response.params)


def _client(url: str) -> Sickle:
    return _Sickle(url, max_retries=MAX_RETRIES, default_retry_after=RETRY_AFTER_S, timeout=TIMEOUT_S)


def _translated(url: str, call: Callable):
    """Run `call`, turning the network's and the protocol's failures into InputErrors naming the server."""
    try:
        return call()
    except requests.exceptions.ConnectionError as exc:
        raise InputError("serveur OAI-PMH injoignable.", file=url, fix=URL_FIX) from exc
    except requests.exceptions.Timeout as exc:
        raise InputError(f"le serveur n'a pas répondu en {TIMEOUT_S} s.", file=url,
                         fix="Réessayez plus tard ; la moisson reprendra depuis la dernière moisson complète.") from exc
    except requests.exceptions.HTTPError as exc:
        raise InputError(f"le serveur répond HTTP {exc.response.status_code}.", file=url, fix=URL_FIX) from exc
    except requests.exceptions.RequestException as exc:
        raise InputError(f"requête refusée ({exc.__class__.__name__}).", file=url, fix=URL_FIX) from exc
    except etree.XMLSyntaxError as exc:
        raise InputError(NOT_OAI, file=url, fix=URL_FIX) from exc
    except oaiexceptions.BadResumptionToken as exc:
        raise InputError(f"le serveur a refusé le jeton de reprise ({exc}) : il a sans doute expiré pendant la "
                         "moisson.", file=url,
                         fix="Relancez la commande : les notices déjà reçues sont gardées et la moisson reprend "
                             "depuis la dernière moisson complète.") from exc
    except oaiexceptions.NoSetHierarchy as exc:
        raise InputError("le serveur ne connaît pas les ensembles (sets).", file=url,
                         fix="Retirez l'option --set.") from exc
    except oaiexceptions.BadArgument as exc:
        raise InputError(f"requête refusée par le serveur (badArgument : {exc}).", file=url,
                         fix="Vérifiez la date --since (AAAA-MM-JJ) et l'ensemble --set.") from exc


def identify(url: str) -> Repository:
    """What the repository says of itself: name, datestamp granularity and metadata formats."""
    client = _client(url)
    try:
        info = _translated(url, client.Identify)
    except (AttributeError, TypeError) as exc:  # Sickle's lenient parser read an HTML page: no Identify in it
        raise InputError(NOT_OAI, file=url, fix=URL_FIX) from exc
    formats = _translated(url, lambda: [f.metadataPrefix for f in client.ListMetadataFormats()])
    return Repository(url, getattr(info, "repositoryName", ""), getattr(info, "granularity", "YYYY-MM-DD"), formats)


ENVELOPE_BYTES = 4096  # an OAI-PMH answer's error and responseDate come first, its resumptionToken last
_PREFIX = rb"(?:[\w.-]+:)?"  # an element may carry a namespace prefix (oai:resumptionToken)
_ERROR = re.compile(rb"<" + _PREFIX + rb"error\b[^>]*\bcode\s*=\s*[\"']([A-Za-z]+)[\"'][^>]*(?:/>|>([^<]*))")
_RESPONSE_DATE = re.compile(rb"<" + _PREFIX + rb"responseDate>\s*([^<\s]+)\s*<")
_TOKEN = re.compile(rb"<" + _PREFIX + rb"resumptionToken\b([^>]*?)(?:/>|>([^<]*)</" + _PREFIX + rb"resumptionToken>)")
_LIST_SIZE = re.compile(rb"completeListSize\s*=\s*[\"'](\d+)[\"']")


@dataclass
class Page:
    """One ListRecords answer as received, with its resumption token as read from its envelope."""

    raw: bytes
    token: str | None
    number: int


def _envelope_error(raw: bytes) -> None:
    """Raise Sickle's exception for an OAI-PMH <error> (badResumptionToken, noRecordsMatch…) in the answer."""
    found = _ERROR.search(raw, 0, ENVELOPE_BYTES)
    if found:
        code = found.group(1).decode()
        error = getattr(oaiexceptions, code[0].upper() + code[1:], None)
        message = html.unescape((found.group(2) or b"").decode("utf-8", "replace")).strip()
        if error is None:
            raise InputError(f"le serveur répond par une erreur OAI-PMH inconnue ({code} : {message}).",
                             fix=URL_FIX)
        raise error(message)


def _token(raw: bytes) -> tuple[str | None, int | None]:
    """(the resumption token closing the answer or None when it is the last page, completeListSize)."""
    found = _TOKEN.search(raw, max(0, len(raw) - ENVELOPE_BYTES))
    if not found:
        return None, None
    size = _LIST_SIZE.search(found.group(1))
    token = html.unescape((found.group(2) or b"").decode("utf-8", "replace")).strip()
    return token or None, int(size.group(1)) if size else None


class Harvest:
    """The ListRecords answers of a request, page after page (`pages`); `total` is the repository's
    completeListSize when it gives one, `response_date` the date of its first answer. The first page is
    asked for at once, so that a refusal (cannotDisseminateFormat, noSetHierarchy…) is raised here."""

    def __init__(self, repository: Repository, prefix: str, *, set_spec: str | None = None,
                 since: datetime | None = None):
        self.repository, self.prefix = repository, prefix
        params = {"verb": "ListRecords", "metadataPrefix": prefix}
        if set_spec:
            params["set"] = set_spec
        if since is not None:
            params["from"] = repository.stamp(since)
        self.response_date: str = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        self.total: int | None = None
        self._session = requests.Session()
        self._first: Page | None = None
        try:
            raw = self._get(params)
        except oaiexceptions.NoRecordsMatch:
            return  # nothing changed since the last harvest: an empty harvest, not an error
        except oaiexceptions.CannotDisseminateFormat as exc:
            raise InputError(f"le serveur ne diffuse pas le format « {prefix} ».", file=repository.url,
                             fix=f"Formats proposés : {', '.join(repository.formats) or 'aucun'} ; choisissez-en un "
                                 "avec --format.") from exc
        stamp = _RESPONSE_DATE.search(raw, 0, ENVELOPE_BYTES)
        self.response_date = stamp.group(1).decode() if stamp else self.response_date
        token, self.total = _token(raw)
        self._first = Page(raw, token, 1)

    def _get(self, params: dict[str, str]) -> bytes:
        """One answer's bytes; the protocol's errors raised as Sickle's exceptions, the network's translated."""
        def call() -> bytes:
            for attempt in range(MAX_RETRIES + 1):
                response = self._session.get(self.repository.url, params=params, timeout=TIMEOUT_S, stream=True)
                if response.status_code == 503 and attempt < MAX_RETRIES:  # busy: Retry-After, as Sickle did
                    response.close()
                    wait = response.headers.get("Retry-After", "")
                    time.sleep(min(int(wait) if wait.isdigit() else RETRY_AFTER_S, MAX_RETRY_AFTER_S))
                    continue
                if not response.ok:
                    response.close()
                response.raise_for_status()
                raw = _bounded_body(response, self.repository.url)
                _envelope_error(raw)
                return raw
            raise AssertionError("unreachable")

        return _translated(self.repository.url, call)

    def pages(self) -> Iterator[Page]:
        page = self._first
        while page is not None:
            yield page
            if page.token is None:
                return
            raw = self._get({"verb": "ListRecords", "resumptionToken": page.token})
            token, size = _token(raw)
            self.total = size or self.total
            page = Page(raw, token, page.number + 1)


def _bounded_body(response: requests.Response, url: str) -> bytes:
    """The answer's bytes, refused beyond MAX_OAI_PAGE_BYTES: a server that sends without end must not fill the
    fetching process's memory. Read in chunks of a megabyte: `content` reads 10 kB at a time, and a page of a
    thousand records (5 MB) then cost the fetching process as much as writing the page into the store."""
    return read_limited(response, MAX_OAI_PAGE_BYTES, lambda size: _too_large(size, url), READ_CHUNK_BYTES)


def _too_large(size: int, url: str) -> InputError:
    return InputError(f"page de la moisson trop volumineuse (plus de {size / MB:.0f} Mo).", file=url,
                      fix=f"La limite est de {MAX_OAI_PAGE_BYTES // MB} Mo par page : demandez à l'administrateur "
                          "du SIGB moins de notices par page (Koha : préférence système OAI-PMH:MaxCount).")


MAX_RETRIES = 2
READ_CHUNK_BYTES = 1 << 20
RETRY_AFTER_S = 5
MAX_RETRY_AFTER_S = 60


def _parser():
    # nothing fetched from outside, no entity expanded: a harvested page is data, never instructions
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True, collect_ids=False)


def page_records(page: Page, url: str) -> list[Harvested]:
    """The records of one ListRecords answer, parsed whole; InputError when it is not OAI-PMH XML or when
    its resumption token is not the one its envelope seemed to carry (the pages would be followed wrongly)."""
    if native_page is not None:  # None where it declines the page: lxml then reads it, or says what is wrong
        read = native_page.page_records(page.raw, READ_TAGS, MarcFields, Harvested)
        if read is not None and read[0] == page.token:
            return read[1]
    try:
        root = etree.fromstring(page.raw, _parser())
    except etree.XMLSyntaxError as exc:
        raise InputError(NOT_OAI, file=url, where=f"page {page.number}", fix=URL_FIX) from exc
    if root.tag != OAI + "OAI-PMH":
        raise InputError(NOT_OAI, file=url, where=f"page {page.number}", fix=URL_FIX)
    listed = root.find(OAI + "ListRecords")
    if listed is None:
        raise InputError(NOT_OAI, file=url, where=f"page {page.number}", fix=URL_FIX)
    token = listed.find(OAI + "resumptionToken")
    if ((token.text or "").strip() or None if token is not None else None) != page.token:
        raise InputError("jeton de reprise illisible dans la réponse du serveur.", file=url,
                         where=f"page {page.number}", fix=URL_FIX)
    if native_walk is not None:  # the same walk in C (marc_fields), None when it declines the page
        records = native_walk.page_records(listed, READ_TAGS, MarcFields, Harvested)
        if records is not None:
            return records
    return [_harvested(element) for element in listed.iterchildren(OAI + "record")]


_HEADER, _METADATA = OAI + "header", OAI + "metadata"
_IDENTIFIER, _DATESTAMP = OAI + "identifier", OAI + "datestamp"


def _first(element, tag: str):
    """The first child of `element` named `tag`, or None: `find` without its path parsing (it costs as much as
    the header it reads)."""
    return next(element.iterchildren(tag), None)


def _text(element, tag: str) -> str:
    found = _first(element, tag)
    return (found.text or "").strip() if found is not None else ""


def _harvested(element) -> Harvested:
    header = _first(element, _HEADER)
    deleted = header is not None and header.get("status") == "deleted"
    identifier = _text(header, _IDENTIFIER) if header is not None else ""
    datestamp = _text(header, _DATESTAMP) if header is not None else ""
    metadata = _first(element, _METADATA)
    marc = next(metadata.iterchildren(etree.Element), None) if metadata is not None else None
    return Harvested(identifier, datestamp, deleted, python_fields_of_element(marc) if marc is not None and not deleted else None)

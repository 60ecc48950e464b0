"""Harvesting a library system's catalogue over OAI-PMH 2.0, through Sickle.

Koha (`/cgi-bin/koha/oai.pl`), PMB, Decalog/Syracuse and Orphée expose their records this way, usually
as MARCXML (UNIMARC or MARC21). Sickle follows the resumption tokens; this module picks the MARC
element out of each record (Sickle's own record class would turn every record into a dict first, which
costs more than the rest of the harvest), turns the protocol's errors into French `InputError`s, and
writes the `from` date in the granularity the repository declares (a finer one is a badArgument).
Incremental harvests start from the `responseDate` of the previous harvest's first answer: a record
changed while that harvest ran has a later datestamp and comes back next time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property

import requests
from lxml import etree
from sickle import Sickle, oaiexceptions
from sickle.models import Header
from sickle.response import OAIResponse

from outreach.errors import InputError
from outreach.sources.marcxml import HarvestedRecord, record_of_element

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
    record: HarvestedRecord | None


class _MarcRecord:
    """Sickle's class for ListRecords items: the header and the MARC record, nothing else."""

    def __init__(self, element):
        header = Header(element.find(OAI + "header"))
        metadata = element.find(OAI + "metadata")
        marc = next((child for child in metadata if isinstance(child.tag, str)), None) if metadata is not None else None
        self.deleted = header.deleted
        self.harvested = Harvested(header.identifier or "", header.datestamp or "", header.deleted,
                                   record_of_element(marc) if marc is not None and not header.deleted else None)


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
    return _Sickle(url, class_mapping={"ListRecords": _MarcRecord, **_DEFAULT_MAP}, max_retries=2,
                   default_retry_after=5, timeout=TIMEOUT_S)


def _default_map() -> dict:
    from sickle.app import DEFAULT_CLASS_MAP

    return {k: v for k, v in DEFAULT_CLASS_MAP.items() if k != "ListRecords"}


_DEFAULT_MAP = _default_map()


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
        raise InputError(f"requête refusée ({exc}).", file=url, fix=URL_FIX) from exc
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


class Harvest:
    """The records of a ListRecords request, page after page; `total` is the repository's
    completeListSize when it gives one, `response_date` the date of its first answer."""

    def __init__(self, repository: Repository, prefix: str, *, set_spec: str | None = None,
                 since: datetime | None = None):
        self.repository, self.prefix = repository, prefix
        params = {"metadataPrefix": prefix}
        if set_spec:
            params["set"] = set_spec
        if since is not None:
            params["from"] = repository.stamp(since)
        self.response_date: str = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        self.total: int | None = None
        self._pages = None
        try:
            self._pages = _translated(repository.url, lambda: _client(repository.url).ListRecords(**params))
        except oaiexceptions.NoRecordsMatch:
            return  # nothing changed since the last harvest: an empty harvest, not an error
        except oaiexceptions.CannotDisseminateFormat as exc:
            raise InputError(f"le serveur ne diffuse pas le format « {prefix} ».", file=repository.url,
                             fix=f"Formats proposés : {', '.join(repository.formats) or 'aucun'} ; choisissez-en un "
                                 "avec --format.") from exc
        stamp = self._pages.oai_response.xml.findtext(OAI + "responseDate")
        self.response_date = stamp or self.response_date
        self._size()

    def _size(self) -> None:
        token = self._pages.resumption_token if self._pages is not None else None
        if token is not None and token.complete_list_size and str(token.complete_list_size).isdigit():
            self.total = int(token.complete_list_size)

    def __iter__(self) -> Iterator[Harvested]:
        if self._pages is None:
            return
        while True:
            item = _translated(self.repository.url, lambda: next(self._pages, None))
            if item is None:
                return
            self._size()
            yield item.harvested

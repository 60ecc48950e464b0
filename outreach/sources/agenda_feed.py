"""An agenda read from its address: the iCalendar feed of a library portal, or an OpenAgenda export link.

Portals publish their agenda at an address that calendar applications subscribe to (https://…/agenda.ics,
or webcal://…, the same address for calendar applications), and OpenAgenda gives export links for each
agenda (…/events.v2.ics, …/events.csv, …/events.json). The answer is read as a downloaded file would be, within
the same bounds (outreach/bounds.py: at most MAX_AGENDA_BYTES, refused as soon as it is passed, whatever the
server announces), and every failure is a French InputError naming the address.
"""

from __future__ import annotations

import requests

from outreach.bounds import MAX_AGENDA_BYTES, MB, read_limited
from outreach.errors import InputError

TIMEOUT_S = 30
_SCHEMES = ("http://", "https://", "webcal://", "webcals://")
URL_FIX = ("Vérifiez l'adresse du flux d'agenda (celle du bouton « S'abonner » ou « Exporter » du portail ou "
           "d'OpenAgenda), ou téléchargez le fichier et donnez-le tel quel.")


def is_url(text: str) -> bool:
    return str(text).strip().lower().startswith(_SCHEMES)


def fetch_agenda(url: str, *, max_bytes: int = MAX_AGENDA_BYTES) -> bytes:
    """The bytes of the agenda published at `url` (webcal:// read as https://)."""
    address = url.strip()
    lowered = address.lower()
    if lowered.startswith("webcal"):  # webcal:// is https:// for calendar applications
        address = "https" + address[len("webcals" if lowered.startswith("webcals") else "webcal"):]
    try:
        with requests.get(address, timeout=TIMEOUT_S, stream=True,
                          headers={"Accept": "text/calendar, application/json, text/csv, */*"}) as response:
            response.raise_for_status()
            received = read_limited(response, max_bytes, lambda size: _too_large(url, size, max_bytes), 64 * 1024)
    except requests.exceptions.HTTPError as exc:
        raise InputError(f"le serveur de l'agenda répond HTTP {exc.response.status_code}.", file=url,
                         fix=URL_FIX) from exc
    except requests.exceptions.ConnectionError as exc:
        raise InputError("serveur de l'agenda injoignable.", file=url, fix=URL_FIX) from exc
    except requests.exceptions.Timeout as exc:
        raise InputError(f"le serveur de l'agenda n'a pas répondu en {TIMEOUT_S} s.", file=url,
                         fix="Réessayez plus tard, ou téléchargez le fichier et donnez-le tel quel.") from exc
    except requests.exceptions.RequestException as exc:
        raise InputError(f"adresse d'agenda refusée ({exc.__class__.__name__}).", file=url, fix=URL_FIX) from exc
    if not received.strip():
        raise InputError("le flux d'agenda est vide.", file=url, fix=URL_FIX)
    return received


def _too_large(url: str, size: int, limit: int) -> InputError:
    return InputError(f"flux d'agenda trop volumineux (plus de {size / MB:.1f} Mo).", file=url,
                      fix=f"La limite est de {limit // MB} Mo : demandez au portail un flux limité aux "
                          "événements à venir (OpenAgenda : ajoutez relative[]=upcoming à l'adresse).")

"""What every network's publisher shares: the error a user reads, one HTTP call with its French messages.

Each network (WordPress, Facebook, Mastodon, Instagram) answers errors its own way; `call` turns a refused
or failed request into a `PublishError` that names the network, the post and what to do, and never shows a
credential (tokens travel in headers, except the Graph API's; every quoted text goes through mask_secrets).
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from outreach.errors import InputError, mask_secrets

TIMEOUT = httpx.Timeout(30.0, connect=10.0)


class PublishError(InputError):
    """A network refused a post, or could not be reached: which network, which post, what to do."""


def checked_secret(value: str, name: str) -> str:
    """A token or password as HTTP can carry it; one pasted with an accent or a non-breaking space is refused."""
    value = value.strip()
    if not value.isascii() or any(c.isspace() for c in value.replace(" ", "")):
        raise PublishError(f"{name} contient des caractères qu'un en-tête HTTP ne peut pas porter (accents, espaces "
                           "insécables…).", where=name, fix="Copiez-le à nouveau depuis le réseau, sans le retaper.")
    return value


@dataclass(frozen=True)
class Remote:
    """What a network gave back for a post: its id there, its address when it has one, its media."""

    remote_id: str
    url: str = ""
    media_id: str = ""


def call(client: httpx.Client, method: str, url: str, *, network: str, post_id: str, what: str,
         fix: str, **kwargs) -> httpx.Response:
    """One request; a refusal or a network failure becomes a French PublishError naming the post."""
    try:
        response = client.request(method, url, **kwargs)
    except httpx.HTTPError as exc:
        raise PublishError(f"{network} injoignable pendant « {what} » ({type(exc).__name__}).",
                           where=f"{network} — publication {post_id}",
                           fix="Vérifiez l'adresse du service et la connexion, puis relancez : ce qui est déjà "
                               "programmé ne sera pas envoyé deux fois.") from None
    if response.status_code >= 400:
        raise PublishError(f"{network} a refusé « {what} » (HTTP {response.status_code}) : "
                           f"{mask_secrets(_reason(response))}", where=f"{network} — publication {post_id}", fix=fix)
    return response


def _reason(response: httpx.Response) -> str:
    """The network's own explanation, whichever of the usual JSON shapes it uses."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:200].strip() or response.reason_phrase
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict):  # Graph API
            return str(error.get("error_user_msg") or error.get("message") or error)[:300]
        for key in ("message", "error_description", "error"):  # WordPress, Mastodon
            if body.get(key):
                return str(body[key])[:300]
    return str(body)[:300]

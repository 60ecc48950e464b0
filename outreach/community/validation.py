"""Checking an answer before anything is stored: allow-listed fields, closed lists, the consent rules.

Hand-written rather than generated so that every refusal names the field and says, in French, what to do.
Every problem is collected, so the person fixes them in one go; nothing is stored unless all pass.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

from outreach.community.offer import Offer, Placement, PostcodeResolver
from outreach.community.vocabulary import (
    AGE_BANDS,
    EMAIL_PURPOSES,
    FORBIDDEN_FIELDS,
    MIN_AGE,
    PURPOSE_SHORT,
    PURPOSES,
    allowed_for_age,
)
from outreach.text import hidden_characters

RESPONSE_FIELDS = ("interests", "postcode", "age_band", "email", "consents", "notice_version", "page_url",
                   "mechanism")
PREFERENCE_FIELDS = ("interests", "postcode", "age_band", "email", "consents")
MECHANISMS = ("widget", "page", "api")
POSTCODE = re.compile(r"^[0-9]{5}$")
# deliberately simple: one @, no spaces or angle brackets, a dot in the domain, labels of 63 characters at most
# (RFC 1035); the address is checked for real by the person receiving the first e-mail
EMAIL = re.compile(r"^[^\s@<>\"'(),;:\\\[\]]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                   r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")
MAX_URL = 2000


@dataclass
class FieldError:
    field: str
    message: str

    def as_json(self) -> dict:
        return {"field": self.field, "message": self.message}


class AnswerRejected(Exception):
    def __init__(self, errors: list[FieldError]):
        self.errors = errors
        super().__init__("; ".join(f"{e.field} : {e.message}" for e in errors))


@dataclass
class Answer:
    """A valid answer: what will be stored, nothing more (FORM-07)."""

    interests: list[str]
    placement: Placement
    age_band: str | None
    email: str | None
    consents: dict[str, bool]
    notice_version: str = ""
    page_url: str | None = None
    mechanism: str = "api"
    checkboxes: list[str] = field(default_factory=list)


def _interests(value: Any, offer: Offer, errors: list[FieldError]) -> list[str]:
    if not isinstance(value, list) or not value:
        errors.append(FieldError("interests", "choisissez au moins un centre d'intérêt dans la liste."))
        return []
    chosen: list[str] = []
    for i, theme_id in enumerate(value):
        if not isinstance(theme_id, str) or theme_id not in offer.ids:
            errors.append(FieldError(f"interests[{i}]", "ce centre d'intérêt n'est pas proposé par le "
                                     "questionnaire : choisissez-en un dans la liste."))
        elif theme_id not in chosen:
            chosen.append(theme_id)
    return chosen


def _consents(value: Any, errors: list[FieldError]) -> dict[str, bool]:
    # a purpose not sent is a purpose refused: nothing is ever granted by default (FORM-03)
    consents = dict.fromkeys(PURPOSES, False)
    if value is None:
        return consents
    if not isinstance(value, dict):
        errors.append(FieldError("consents", "les consentements doivent être donnés finalité par finalité."))
        return consents
    for key, granted in value.items():
        if key not in PURPOSES:
            errors.append(FieldError(f"consents.{key}", "finalité inconnue : seules "
                                     + ", ".join(PURPOSES) + " existent."))
        elif not isinstance(granted, bool):
            errors.append(FieldError(f"consents.{key}", "répondez par oui (true) ou non (false)."))
        else:
            consents[key] = granted
    return consents


def _email(value: Any, errors: list[FieldError]) -> str | None:
    """The address NFC-normalised (an « é » typed in two ways is one address); invisible characters refused:
    a NUL, a bidi override or a zero-width space makes an address that looks like another one."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str) and hidden_characters(value.strip()):
        errors.append(FieldError("email", "l'adresse e-mail contient un caractère invisible ou de contrôle "
                                 f"({', '.join(hidden_characters(value.strip())[:3])}) : retapez-la."))
        return None
    value = unicodedata.normalize("NFC", value.strip()) if isinstance(value, str) else value
    if not isinstance(value, str) or len(value) > 254 or not EMAIL.match(value):
        errors.append(FieldError("email", "adresse e-mail invalide : écrivez-la sous la forme nom@exemple.fr."))
        return None
    return value


# a path segment that may name or identify someone: an e-mail, a number of 4 digits or more (a file or
# account number), a long hexadecimal or mixed token (a session, a UUID)
_PERSONAL_SEGMENT = re.compile(r"@|%40|\d{4,}|^[0-9a-f-]{16,}$|^(?=.*\d)(?=.*[a-z])[\w-]{20,}$", re.I)
HIDDEN_SEGMENT = "…"


def page_without_personal_data(url: str) -> str:
    """The page an answer came from, kept to prove where consent was given (FORM-06), without what could
    identify the person (FORM-07): no user name or password, no query string or fragment (e-service URLs
    carry file numbers and names there), and each path segment that looks like an e-mail or an identifier
    replaced by « … »."""
    parts = urlsplit(url)
    if not parts.hostname:  # « https:///agenda »: no page anyone could open
        raise ValueError(f"no host in {url!r}")
    host = parts.hostname
    if parts.port:
        host = f"{host}:{parts.port}"
    segments = [HIDDEN_SEGMENT if _PERSONAL_SEGMENT.search(unquote(s)) else s for s in parts.path.split("/")]
    return urlunsplit((parts.scheme, host, "/".join(segments), "", ""))


def _placement(value: Any, resolver: PostcodeResolver, errors: list[FieldError]) -> Placement | None:
    """The area and nearest branch of a postcode, or None with the error said."""
    if not isinstance(value, str) or not POSTCODE.match(value.strip()):
        errors.append(FieldError("postcode", "le code postal doit compter 5 chiffres (par exemple 13001)."))
        return None
    placement = resolver.resolve(value.strip())
    if placement is None:
        errors.append(FieldError("postcode", "code postal inconnu : vérifiez-le (5 chiffres, commune française)."))
    return placement


def check_consent_rules(consents: dict[str, bool], email: str | None, age_band: str | None,
                        errors: list[FieldError]) -> None:
    """E-mail only for an e-mail purpose; an age attestation for any purpose; the minimum age of each."""
    wants_email = any(consents[p] for p in EMAIL_PURPOSES)
    if email and not wants_email:
        errors.append(FieldError("email", "nous ne demandons votre adresse e-mail que si vous acceptez de "
                                 "recevoir nos recommandations par e-mail ou nos publicités sur Facebook et "
                                 "Instagram : cochez l'un de ces choix ou effacez l'adresse."))
    if wants_email and not email:
        errors.append(FieldError("email", "indiquez votre adresse e-mail pour recevoir ce que vous avez accepté "
                                 "(ou décochez ce choix)."))
    granted = [p for p in PURPOSES if consents[p]]
    if granted and age_band is None:
        errors.append(FieldError("age_band", "indiquez votre tranche d'âge : certains choix ne sont possibles "
                                 "qu'à partir de 15 ou 18 ans."))
        return
    for purpose in granted:
        if age_band is not None and not allowed_for_age(purpose, age_band):
            errors.append(FieldError(f"consents.{purpose}", f"« {PURPOSE_SHORT[purpose]} » n'est possible qu'à "
                                     f"partir de {MIN_AGE[purpose]} ans."))


def _unknown_fields(payload: dict, allowed: tuple[str, ...], errors: list[FieldError]) -> None:
    for key in payload:
        if key in allowed:
            continue
        why = (" : ce questionnaire ne collecte ni adresse, ni date de naissance, ni téléphone, ni texte libre."
               if key.lower() in FORBIDDEN_FIELDS else ".")
        errors.append(FieldError(str(key)[:64], "champ non prévu" + why))


def validate_answer(payload: Any, offer: Offer, resolver: PostcodeResolver, notice_version: str) -> Answer:
    if not isinstance(payload, dict):
        raise AnswerRejected([FieldError("body", "le corps de la requête doit être un objet JSON.")])
    errors: list[FieldError] = []
    _unknown_fields(payload, RESPONSE_FIELDS, errors)
    interests = _interests(payload.get("interests"), offer, errors)

    placement = _placement(payload.get("postcode"), resolver, errors)

    age_band = payload.get("age_band")
    if age_band is not None and age_band not in AGE_BANDS:
        errors.append(FieldError("age_band", "tranche d'âge inconnue : choisissez-en une dans la liste."))
        age_band = None
    email = _email(payload.get("email"), errors)
    consents = _consents(payload.get("consents"), errors)
    if not any(e.field in ("email", "age_band") or e.field.startswith("consents") for e in errors):
        check_consent_rules(consents, email, age_band, errors)

    version = payload.get("notice_version")
    if not isinstance(version, str) or not version:
        errors.append(FieldError("notice_version", "la version de la notice affichée est obligatoire."))
    elif version != notice_version:
        # FORM-08: a consent is valid for the notice that was shown; an old form must be reloaded
        errors.append(FieldError("notice_version", "la notice d'information a changé depuis l'affichage du "
                                 "formulaire : rechargez la page et relisez-la avant de répondre."))

    page_url = payload.get("page_url")
    if page_url is not None and (not isinstance(page_url, str) or len(page_url) > MAX_URL
                                 or not page_url.startswith(("http://", "https://")) or hidden_characters(page_url)):
        errors.append(FieldError("page_url", "adresse de page invalide (http:// ou https://)."))
        page_url = None
    elif page_url is not None:
        try:
            page_url = page_without_personal_data(page_url)
        except ValueError:  # no host, a port out of range, a malformed IPv6 host
            errors.append(FieldError("page_url", "adresse de page invalide (http:// ou https://)."))
            page_url = None
    mechanism = payload.get("mechanism", "api")
    if mechanism not in MECHANISMS:
        errors.append(FieldError("mechanism", "mécanisme inconnu : widget, page ou api."))

    if errors:
        raise AnswerRejected(errors)
    assert placement is not None
    return Answer(interests=interests, placement=placement, age_band=age_band, email=email, consents=consents,
                  notice_version=version, page_url=page_url, mechanism=mechanism,
                  checkboxes=[f"consent-{p}" for p in PURPOSES])


@dataclass
class PreferenceChange:
    """The person's state after a change: every field, merged with what was stored."""

    interests: list[str]
    placement: Placement
    age_band: str | None
    email: str | None
    consents: dict[str, bool]


def validate_change(payload: Any, offer: Offer, resolver: PostcodeResolver, current: PreferenceChange) -> PreferenceChange:
    """A change from the preference page: only the fields sent change; the consent rules still hold.

    Withdrawing never needs anything: when no e-mail purpose is left, the address is dropped at once.
    """
    if not isinstance(payload, dict):
        raise AnswerRejected([FieldError("body", "le corps de la requête doit être un objet JSON.")])
    errors: list[FieldError] = []
    _unknown_fields(payload, PREFERENCE_FIELDS, errors)
    interests = _interests(payload["interests"], offer, errors) if "interests" in payload else current.interests
    placement = current.placement
    if "postcode" in payload:
        placement = _placement(payload["postcode"], resolver, errors) or current.placement
    age_band = current.age_band
    if "age_band" in payload:
        age_band = payload["age_band"] or None
        if age_band is not None and age_band not in AGE_BANDS:
            errors.append(FieldError("age_band", "tranche d'âge inconnue : choisissez-en une dans la liste."))
            age_band = current.age_band
    consents = _consents(payload["consents"], errors) if "consents" in payload else dict(current.consents)
    email = _email(payload["email"], errors) if "email" in payload else current.email
    unchanged = email is not None and current.email is not None and email.lower() == current.email.lower()
    if not any(consents[p] for p in EMAIL_PURPOSES) and ("email" not in payload or unchanged):
        # no e-mail purpose left: the address goes (FORM-07), even when the form sent it back as it was
        # shown, so unticking is enough to withdraw (FORM-05); a new address without a purpose is refused
        email = None
    if not errors:
        check_consent_rules(consents, email, age_band, errors)
    if errors:
        raise AnswerRejected(errors)
    return PreferenceChange(interests=interests, placement=placement, age_band=age_band, email=email,
                            consents=consents)

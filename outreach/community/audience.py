"""The Meta custom audience file: hashed e-mails of adults who granted `meta_matching`, nobody else.

Format: the customer-list CSV that Ads Manager accepts, one identifier column named `email`, one value per
line, each the SHA-256 hex digest of the normalised address (trimmed, lower case), never the address itself
(CA-02). Only members aged 18 or more (CA-06, MIN-01) with `meta_matching` granted (CA-01) and their
address confirmed by the link sent to it (double opt-in: an unconfirmed consent is never used); someone who
withdraws is simply absent from the next file (CA-04). `audit_audience_file` checks a file against the store.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from outreach import atomic
from outreach.community.store import Store
from outreach.community.vocabulary import is_adult, youngest_band
from outreach.errors import InputError
from outreach.sources.tabular import read_bytes

HEADER = "email"
SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")


@dataclass
class Person:
    """Everything the store holds under one e-mail digest, seen as one person."""

    meta_matching: bool  # granted, and the address confirmed, in at least one of the answers still stored
    age_band: str | None  # the youngest band given in any of them


def people(store: Store) -> dict[str, Person]:
    """One Person per e-mail digest: the most restrictive age band wins, so neither the audience file nor
    its audit depends on the order in which the answers came."""
    answers: dict[str, list] = {}
    for m in store.members():
        if m.email_sha256:
            answers.setdefault(m.email_sha256, []).append(m)
    return {digest: Person(any(m.usable_consents["meta_matching"] for m in ms),
                           youngest_band(m.age_band for m in ms))
            for digest, ms in answers.items()}


def audience_rows(store: Store) -> list[str]:
    """Sorted, de-duplicated digests of the people who may be matched: consent given, and an adult by
    every answer they gave."""
    return sorted(d for d, p in people(store).items() if p.meta_matching and is_adult(p.age_band))


def audience_csv(digests: list[str]) -> str:
    return HEADER + "\n" + "".join(f"{d}\n" for d in digests)


def write_audience_file(store: Store, path: str | Path) -> int:
    digests = audience_rows(store)
    atomic.write_text(path, audience_csv(digests))
    return len(digests)


@dataclass
class AudienceAudit:
    """The checklist's view of an audience file: CA-01 (consent), CA-02 (hashed), CA-06 (adults)."""

    rows: int = 0
    plaintext: list[int] = field(default_factory=list)  # line numbers that are not a SHA-256 digest
    without_consent: list[int] = field(default_factory=list)  # digests of nobody who granted meta_matching
    minors: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.plaintext or self.without_consent or self.minors)

    def problems(self) -> list[str]:
        out = []
        if self.plaintext:
            out.append(f"CA-02 : {len(self.plaintext)} ligne(s) non chiffrée(s) (lignes {self.plaintext[:5]}) — "
                       "chaque valeur doit être une empreinte SHA-256.")
        if self.without_consent:
            out.append(f"CA-01 : {len(self.without_consent)} personne(s) sans consentement « meta_matching » en "
                       f"cours et confirmé (lignes {self.without_consent[:5]}) — régénérez le fichier.")
        if self.minors:
            out.append(f"CA-06 : {len(self.minors)} personne(s) mineure(s) (lignes {self.minors[:5]}).")
        return out


def audit_audience_file(path: str | Path, store: Store) -> AudienceAudit:
    path = Path(path)
    try:
        text = read_bytes(path).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"le fichier n'est pas en UTF-8 (octet {exc.start}).", file=path,
                         fix="Donnez le fichier produit par « outreach questionnaire audience ».") from exc
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header != [HEADER]:
        raise InputError(f"en-tête inattendu {header!r} : une seule colonne « email » est attendue.", file=path,
                         where="ligne 1", fix="Régénérez le fichier avec « outreach questionnaire audience ».")
    members = people(store)
    audit = AudienceAudit()
    for line, row in enumerate(reader, start=2):
        if not row:
            continue
        audit.rows += 1
        value = row[0]
        if not SHA256_HEX.match(value):
            audit.plaintext.append(line)
            continue
        member = members.get(value)
        if member is None or not member.meta_matching:
            audit.without_consent.append(line)
        elif not is_adult(member.age_band):
            audit.minors.append(line)
    return audit

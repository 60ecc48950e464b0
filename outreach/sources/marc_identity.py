"""An identifier for a MARC record that has no 001.

Some exports leave 001 out (PMB, records copied from another catalogue). One such record must not refuse
the file: it is identified, in this order, by its system control number (035$a), by UNIMARC 003 (the
record's permanent identifier, often its URL) or by its position in the file. MARC21's 003 names the
agency that assigned 001, not the record, so it identifies nothing on its own.
"""

from __future__ import annotations

from outreach.sources.marc_fields import MarcFields

SOURCES_FR = {"035": "numéro 035", "003": "identifiant 003", "position": "position dans le fichier"}


def identify(record: MarcFields, position: int) -> tuple[str, str]:
    """(identifier, where it comes from: "035", "003" or "position")."""
    value = record.first("035", "a")  # the first non-blank 035$a
    if value:
        return value, "035"
    unimarc = record.has("200") and not record.has("245")
    own = record.control("003")
    if unimarc and own:
        return own, "003"
    return f"notice-{position}", "position"


def identified_note(label: str, sources: list[str]) -> list[str]:
    if not sources:
        return []
    counts = {s: sources.count(s) for s in SOURCES_FR if s in sources}
    return [f"{label} : {len(sources)} notice(s) sans numéro 001, identifiée(s) par "
            + ", ".join(f"{SOURCES_FR[s]} ({n})" for s, n in counts.items())
            + " ; ajoutez le 001 à l'export pour des identifiants stables d'un import à l'autre."]

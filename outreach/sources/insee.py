"""INSEE codes: the département of a commune code or a postcode.

Apart from the models, so that the readers of the national lists use it without loading pydantic.
"""

from __future__ import annotations


def departement_of(insee_code: str) -> str:
    """Département of an INSEE commune code (2 characters, 3 overseas 971…976, 2A/2B in Corsica) or, when
    that is all a file gives, of a postcode: Corsican postcodes start with 20, 200xx–201xx in Corse-du-Sud
    and 202xx–206xx in Haute-Corse (true of every commune in the national list)."""
    code = insee_code.strip()
    if code.startswith("97"):
        return code[:3]
    if code.startswith("20") and code.isdigit():
        return "2A" if code < "20200" else "2B"
    return code[:2]

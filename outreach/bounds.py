"""What reading one input may cost: its size, its unpacked size, its nesting, its number of items.

Every reader checks its input against these limits before the work that grows with it, so that a file
of a few hundred bytes (a YAML alias bomb, a zip bomb, an endless recurrence) cannot take the machine's
memory or minutes of time: it is refused with a French InputError instead. The limits are generous for
real files (a whole national list, a large network's catalogue) and far below what would hurt: the target
is that any input uses at most 1 GB and 30 s (docs/security.md lists what was tried).
"""

from __future__ import annotations

import json
import re
import zlib

from outreach.errors import InputError

MB = 1024 * 1024

# the largest file each kind of reader accepts, read from disk or uploaded
MAX_YAML_BYTES = 2 * MB  # settings, campaigns, themes, checklist: the largest shipped is 35 kB
MAX_CSV_BYTES = 64 * MB  # the Ministry's national list is 3.6 MB, the communes 3.5 MB
MAX_GEOJSON_BYTES = 64 * MB
MAX_MARC_BYTES = 256 * MB  # ~150,000 UNIMARC records; the shipped 2,383 records take 4 MB
MAX_OAI_PAGE_BYTES = 64 * MB  # one harvested answer: Koha sends 50 records a page (~250 kB) by default
MAX_AGENDA_BYTES = 16 * MB  # iCalendar or OpenAgenda JSON
MAX_XLSX_BYTES = 16 * MB  # the zip itself
MAX_XLSX_UNPACKED_BYTES = 100 * MB  # its XML parts together (zip packs XML 1:10 and up to 1:1000)
MAX_REPORT_BYTES = 64 * MB  # Ads Manager exports as CSV
MAX_UNZIPPED_BYTES = 256 * MB  # a .gz input once decompressed

# shapes inside a document
MAX_JSON_DEPTH = 64  # GeoJSON multipolygons need 6 levels, OpenAgenda exports about 5
MAX_YAML_NODES = 1_000_000  # nodes once every alias is expanded (an alias bomb has billions)
MAX_XLSX_ROWS = 1_000_000
MAX_CELL_CHARS = 32_767  # Excel's own limit for one cell
MAX_OCCURRENCES = 5_000  # dates one recurring event may give (a daily event over a year is 366)


def _size_fix(limit: int) -> str:
    return (f"La limite est de {limit // MB} Mo : découpez le fichier, ou retirez ce qui ne sert pas "
            "(colonnes, années anciennes).")


def check_size(size: int, limit: int, label: str) -> None:
    """InputError when `size` bytes exceed `limit`."""
    if size > limit:
        raise InputError(f"fichier trop volumineux ({size / MB:.1f} Mo).", file=label, fix=_size_fix(limit))


def gunzip(raw: bytes, label: str, limit: int = MAX_UNZIPPED_BYTES) -> bytes:
    """A gzip file's content, decompressed at most up to `limit` bytes (a gzip bomb stops there)."""
    decompressor = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        out = decompressor.decompress(raw, limit + 1)
    except zlib.error as exc:
        raise InputError("ce n'est pas une archive gzip complète.", file=label,
                         fix="Compressez-le avec gzip, ou retirez « .gz » de son nom s'il n'est pas compressé.") \
            from exc
    if len(out) > limit:
        raise InputError(f"une fois décompressé, le fichier dépasse {limit // MB} Mo.", file=label,
                         fix=_size_fix(limit))
    if not decompressor.eof:
        raise InputError("ce n'est pas une archive gzip complète.", file=label,
                         fix="Compressez-le avec gzip, ou retirez « .gz » de son nom s'il n'est pas compressé.")
    return out


def read_limited(response, limit: int, too_large, chunk_bytes: int) -> bytes:
    """The body of an HTTP answer (a `requests` response opened with stream=True), refused beyond `limit` bytes
    whether the server announces them (Content-Length) or only sends them: `too_large(size)` is the InputError
    raised, the connection closed first."""
    announced = response.headers.get("Content-Length", "")
    if announced.isdigit() and int(announced) > limit:
        response.close()
        raise too_large(int(announced))
    chunks, size = [], 0
    for chunk in response.iter_content(chunk_bytes):
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:  # a server that announces nothing, or less than it sends
            response.close()
            raise too_large(size)
    return b"".join(chunks)


DEPTH_FIX = "Un fichier exporté par un logiciel n'a jamais autant de niveaux : exportez-le de nouveau."


def too_deep(depth: int, label: str, where: str | None = None) -> InputError:
    return InputError(f"imbrication trop profonde (plus de {depth} niveaux).", file=label, where=where,
                      fix=DEPTH_FIX)


def parse_json(text: str, label: str, *, max_depth: int = MAX_JSON_DEPTH,
               fix: str = "Corrigez la syntaxe (un validateur JSON aide à la trouver)."):
    """json.loads with the depth bounded, numbers too long to read refused, and French errors only.

    The depth is measured on the text before parsing (Python's parser raises RecursionError near 1,000
    levels, and code walking a deep result would too); an integer of more than 4,300 digits makes
    json.loads raise ValueError. Both are a user's file, not a bug, so both become InputErrors.
    """
    if json_depth(text) > max_depth:
        raise too_deep(max_depth, label)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"JSON invalide ({json_problem(exc.msg)}).", file=label,
                         where=f"ligne {exc.lineno}, colonne {exc.colno}",
                         fix=fix) from exc
    except RecursionError as exc:
        raise too_deep(max_depth, label) from exc
    except ValueError as exc:  # "Exceeds the limit (4300 digits) for integer string conversion"
        raise InputError("nombre trop long pour être lu.", file=label,
                         fix="Un nombre ne devrait pas dépasser quelques dizaines de chiffres.") from exc


# a string, escapes included; unrolled ("normal* (special normal*)*") so that it runs in C without backtracking
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)
_CHUNK = 8 * MB


# Python's JSON messages (json/decoder.py and the C scanner) in the officer's language; any other
# message keeps a neutral French text rather than English.
_JSON_PROBLEMS = {
    "Expecting value": "valeur attendue",
    "Expecting property name enclosed in double quotes": "nom de clé entre guillemets droits attendu",
    "Expecting ':' delimiter": "deux-points attendu",
    "Expecting ',' delimiter": "virgule attendue",
    "Extra data": "données après la fin du JSON",
    "Unterminated string starting at": "texte entre guillemets non refermé",
    "Invalid control character at": "caractère de contrôle dans un texte",
    "Invalid \\escape": "échappement « \\ » invalide",
    "Invalid \\uXXXX escape": "échappement « \\u » invalide",
    "Illegal trailing comma before end of object": "virgule en trop avant « } »",
    "Illegal trailing comma before end of array": "virgule en trop avant « ] »",
}


def json_problem(message: str) -> str:
    return _JSON_PROBLEMS.get(message, "syntaxe incorrecte")


def json_depth(text: str) -> int:
    """How deep arrays and objects nest in a JSON text, brackets inside strings aside.

    Counted with numpy over the text once its strings are removed: about 0.5 s for 10 MB of GeoJSON, where
    walking the parsed document in Python takes five times longer.
    """
    import numpy as np  # here, not at the top: every YAML reader imports this module, the app's first page too

    skeleton = _JSON_STRING.sub("", text).encode("utf-8", "replace")
    deepest, level = 0, 0
    for start in range(0, len(skeleton), _CHUNK):
        chunk = np.frombuffer(skeleton, np.uint8, count=min(_CHUNK, len(skeleton) - start), offset=start)
        steps = ((chunk == 0x5B) | (chunk == 0x7B)).astype(np.int32) - ((chunk == 0x5D) | (chunk == 0x7D))
        if steps.size:
            levels = np.cumsum(steps) + level
            deepest, level = max(deepest, int(levels.max())), int(levels[-1])
    return deepest

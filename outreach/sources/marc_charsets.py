"""Character sets of ISO 2709 records: what a record declares, what its bytes are, and a count of what
could not be read.

Declarations: MARC21 says it in leader/09 (`a` UTF-8, blank MARC-8); UNIMARC in 100$a/26-29 (two
two-digit codes for the G0 and G1 sets: `50` Unicode, `03` ISO 5426, `01` ISO 646 i.e. plain ASCII).
Exports often lie: Koha writes `50` over Latin-1 bytes converted from an old system, and many UNIMARC
files carry no 100 at all. So the bytes decide first (bytes that are valid UTF-8 with accents are UTF-8,
whatever the label says), the declaration second, and a guess between ISO 5426 and Latin-1 last.
Nothing is dropped silently: every byte that has no character becomes U+FFFD and is counted.
"""

from __future__ import annotations

import contextlib
import io
import re
import unicodedata
from dataclasses import dataclass

import pymarc

UTF8, MARC8, ISO5426, LATIN1 = "UTF-8", "MARC-8", "ISO 5426", "Latin-1"
REPLACEMENT = "\ufffd"

# ISO 5426 (ISO-IR 53): bytes C0–DF are non-spacing diacritics written *before* their letter; Unicode
# writes the combining mark after it, and NFC then composes "e" + U+0301 into "é".
_ISO5426_MARKS = {
    0xC0: "\u0309", 0xC1: "\u0300", 0xC2: "\u0301", 0xC3: "\u0302", 0xC4: "\u0303", 0xC5: "\u0304",
    0xC6: "\u0306", 0xC7: "\u0307", 0xC8: "\u0308", 0xC9: "\u0308", 0xCA: "\u030a", 0xCB: "\u0315",
    0xCC: "\u0312", 0xCD: "\u030b", 0xCE: "\u031b", 0xCF: "\u030c", 0xD0: "\u0327", 0xD1: "\u031c",
    0xD2: "\u0326", 0xD3: "\u0328", 0xD4: "\u0325", 0xD5: "\u032e", 0xD6: "\u0323", 0xD7: "\u0324",
    0xD8: "\u0332", 0xD9: "\u0333", 0xDA: "\u0329", 0xDB: "\u032d", 0xDD: "\ufe20", 0xDE: "\ufe21",
    0xDF: "\ufe23",
}
# its spacing characters (columns 10–11 and 14–15); every other byte above 0x7F has no character
_ISO5426_SPACING = {
    0xA1: "¡", 0xA2: "„", 0xA3: "£", 0xA4: "$", 0xA5: "¥", 0xA6: "†", 0xA7: "§", 0xA8: "′", 0xA9: "‘",
    0xAA: "“", 0xAB: "«", 0xAC: "♭", 0xAD: "©", 0xAE: "℗", 0xAF: "®", 0xB0: "ʿ", 0xB1: "ʾ", 0xB2: "‚",
    0xB6: "‡", 0xB7: "·", 0xB8: "″", 0xB9: "’", 0xBA: "”", 0xBB: "»", 0xBC: "♯", 0xBD: "ʹ", 0xBE: "ʺ",
    0xBF: "¿", 0xE1: "Æ", 0xE2: "Đ", 0xE6: "Ĳ", 0xE8: "Ł", 0xE9: "Ø", 0xEA: "Œ", 0xEC: "Þ", 0xF1: "æ",
    0xF2: "đ", 0xF3: "ð", 0xF5: "ı", 0xF6: "ĳ", 0xF8: "ł", 0xF9: "ø", 0xFA: "œ", 0xFB: "ß", 0xFC: "þ",
}
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]+")
_HIGH = re.compile(rb"[\x80-\xff]")
_ISO5426_PREFIX = re.compile(rb"[\xc0-\xdf][A-Za-z]")


def decode_iso5426(data: bytes) -> tuple[str, int]:
    """ISO 5426 bytes as text, with the number of bytes that had no character."""
    out, marks, replaced = [], [], 0
    for byte in data:
        if byte < 0x80:
            out.append(chr(byte) + "".join(marks))
            marks = []
        elif byte in _ISO5426_MARKS:
            marks.append(_ISO5426_MARKS[byte])
        elif byte in _ISO5426_SPACING:
            out.append(_ISO5426_SPACING[byte] + "".join(marks))
            marks = []
        else:
            out.append(REPLACEMENT)
            replaced += 1
    replaced += len(marks)  # a diacritic with no letter after it
    out.extend(REPLACEMENT for _ in marks)
    return unicodedata.normalize("NFC", "".join(out)), replaced


def decode_marc8(data: bytes) -> tuple[str, int]:
    """MARC-8 bytes through pymarc's converter; it writes a byte it cannot map as a space and says so on
    stderr, which is where the count comes from."""
    from pymarc.marc8 import MARC8ToUnicode

    complaints = io.StringIO()
    with contextlib.redirect_stderr(complaints):
        text = MARC8ToUnicode(quiet=False).translate(data)
    return text, complaints.getvalue().count("Unable to parse character")


def decode_latin1(data: bytes) -> tuple[str, int]:
    """Windows-1252, the Latin-1 that Windows exports really write (œ and ’ live in 0x80–0x9F)."""
    text = data.decode("cp1252", errors="replace")
    return text, text.count(REPLACEMENT)


def decode_utf8(data: bytes) -> tuple[str, int]:
    text = data.decode("utf-8", errors="replace")
    return text, text.count(REPLACEMENT) - data.count(REPLACEMENT.encode())


DECODERS = {UTF8: decode_utf8, MARC8: decode_marc8, ISO5426: decode_iso5426, LATIN1: decode_latin1}


def declared(record: pymarc.Record, leader: str, unimarc: bool) -> str | None:
    """The character set a record declares, or None when it declares none that we read."""
    if not unimarc:
        return UTF8 if leader[9:10] == "a" else MARC8
    coded = next((v for f in record.get_fields("100") for v in f.get_subfields("a")), "")
    sets = {coded[26:28], coded[28:30]} - {"", "  "}
    if "50" in sets:
        return UTF8
    if "03" in sets:
        return ISO5426
    return None  # absent, or 01 (ASCII) although the bytes are not


_NOT_ISO5426 = re.compile(b"[" + b"".join(re.escape(bytes([b])) for b in range(0x80, 0x100)
                                          if b not in _ISO5426_MARKS and b not in _ISO5426_SPACING) + b"]")
_MARK_WITHOUT_LETTER = re.compile(rb"[\xc0-\xdf](?![\xc0-\xdfA-Za-z])")


def guess(raw: bytes) -> str | None:
    """ISO 5426 or Latin-1 for a record that declares neither, None when its bytes fit both.

    ISO 5426 writes a diacritic byte (C0–DF) before a letter and leaves many bytes without a character,
    among them Latin-1's à ç î ô; Latin-1 puts its capitals (À–ß) in C0–DF, followed by anything."""
    if _NOT_ISO5426.search(raw) or _MARK_WITHOUT_LETTER.search(raw):
        return LATIN1
    if _ISO5426_PREFIX.search(raw):
        return ISO5426
    return None  # only characters both read (é/Ø, ú/œ…): the file's other records decide


@dataclass
class Decoded:
    record: pymarc.Record
    charset: str  # what the text was read as
    declared: str | None
    replaced: int  # characters that became U+FFFD (or a space, for MARC-8)


def decode_record(chunk: bytes, guessed: dict | None = None) -> Decoded:
    """One ISO 2709 record (ending with 0x1D) read in its real character set.

    `guessed` carries, from one record of a file to the next, the set guessed for records that declare
    none: a record whose bytes fit both ISO 5426 and Latin-1 takes the set of the file's last clear one.

    The common case, valid UTF-8, goes straight through pymarc. Otherwise the record is parsed with every
    byte kept (Latin-1 maps bytes one to one, and leader/09 is blanked so that pymarc does not force
    UTF-8), then each value is decoded again in the set chosen."""
    try:
        chunk.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        record = pymarc.Record(data=chunk, to_unicode=True, force_utf8=True)
        unimarc = bool(record.get_fields("200")) and not record.get_fields("245")
        return Decoded(record, UTF8, declared(record, str(record.leader), unimarc), 0)
    leader = chunk[:24].decode("ascii", errors="replace")
    record = pymarc.Record(data=chunk[:9] + b" " + chunk[10:], to_unicode=True, file_encoding="latin-1")
    unimarc = bool(record.get_fields("200")) and not record.get_fields("245")
    said = declared(record, leader, unimarc)
    charset = _charset(chunk, said, {} if guessed is None else guessed)
    replaced = _redecode(record, DECODERS[charset])
    record.leader = pymarc.Leader(leader)
    return Decoded(record, charset, said, replaced)


def _charset(chunk: bytes, said: str | None, guessed: dict) -> str:
    if said == UTF8:  # damaged UTF-8 keeps some valid accents; a Latin-1 file under a UTF-8 label has none
        return UTF8 if _UTF8_MULTIBYTE.search(chunk) else LATIN1
    if said:
        return said
    clear = guess(chunk)
    if clear:
        guessed["charset"] = clear
    return clear or guessed.get("charset", LATIN1)


def _redecode(record: pymarc.Record, decoder) -> int:
    """Decode again every value that was read byte for byte; the number of characters replaced."""
    replaced = 0

    def again(value: str) -> str:
        nonlocal replaced
        text, bad = decoder(value.encode("latin-1"))
        replaced += bad
        return text

    for f in record.fields:
        if f.is_control_field():
            f.data = again(f.data or "")
        else:
            f.subfields = [pymarc.Subfield(sf.code, again(sf.value)) for sf in f.subfields]
    return replaced


GARBLED_SHARE = 0.01
"""A file whose records carry unreadable characters in more than 1 % of them (and in more than one) is
refused: below that, a few damaged records are reported; above, the character set was misread and every
match would be unreliable."""


class CharsetReport:
    """What a file's records were read as, and where characters were replaced."""

    def __init__(self):
        self.read_as: dict[str, int] = {}
        self.against_label: dict[tuple[str, str], int] = {}  # (declared, read as) → records
        self.damaged: list[tuple[int, int]] = []  # (position, characters replaced)

    def add(self, decoded: Decoded, position: int) -> None:
        self.read_as[decoded.charset] = self.read_as.get(decoded.charset, 0) + 1
        if decoded.declared and decoded.declared != decoded.charset:
            key = (decoded.declared, decoded.charset)
            self.against_label[key] = self.against_label.get(key, 0) + 1
        if decoded.replaced:
            self.damaged.append((position, decoded.replaced))

    def refuse_if_garbled(self, label: str, records: int) -> None:
        from outreach.errors import InputError

        if len(self.damaged) > max(1.0, GARBLED_SHARE * records):
            chars = sum(n for _, n in self.damaged)
            raise InputError(
                f"{len(self.damaged)} notice(s) sur {records} contiennent des caractères illisibles ({chars} "
                f"remplacé(s) par « {REPLACEMENT} », premières : {self._positions()}) ; lu en "
                f"{self._summary()}, le jeu de caractères du fichier n'est pas celui-là.", file=label,
                fix="Exportez à nouveau le catalogue en UTF-8 (Unicode) depuis le SIGB, ou en MARCXML.")

    def notes(self, label: str) -> list[str]:
        out = []
        if set(self.read_as) - {UTF8, "XML"} or self.against_label:
            out.append(f"{label} : jeu(x) de caractères lu(s) : {self._summary()}"
                       + "".join(f" ; {n} notice(s) déclarée(s) en {d} mais lue(s) en {r}"
                                 for (d, r), n in self.against_label.items()) + ".")
        if self.damaged:
            chars = sum(n for _, n in self.damaged)
            out.append(f"{label} : {chars} caractère(s) illisible(s) remplacé(s) par « {REPLACEMENT} » dans "
                       f"{len(self.damaged)} notice(s) ({self._positions()}) ; corrigez-les dans le SIGB.")
        return out

    def _summary(self) -> str:
        return ", ".join(f"{cs} ({n} notice(s))" for cs, n in sorted(self.read_as.items(), key=lambda kv: -kv[1]))

    def _positions(self) -> str:
        return ", ".join(f"n° {p}" for p, _ in self.damaged[:5]) + (" …" if len(self.damaged) > 5 else "")

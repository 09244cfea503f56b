"""Reading an uploaded CSV's bytes as text: UTF-8 (with or without BOM), UTF-16, or Windows-1252, and saying which.

Deterministic rather than a guessing library (charset-normalizer, chardet): these four are what spreadsheets save
("CSV UTF-8", "Unicode text", and a French Excel's plain "CSV"), and a guesser may name a neighbour (cp1250,
mac_roman) that reads a French name wrongly without any error.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

UNREADABLE = (
    "The file cannot be read as text: it is not UTF-8, UTF-16 or Windows-1252 ({where}). "
    "Save it from the spreadsheet as “CSV UTF-8” and try again."
)


class UnreadableText(ValueError):
    """The bytes are not text in any of the encodings read here; the message says where and what to do."""


@dataclass(frozen=True)
class Text:
    text: str
    encoding: str  # in words, for the report: "UTF-8", "UTF-8 with BOM", "UTF-16", "Windows-1252"


NEWLINE, NUL = "\n", "\x00"


def _where(data: bytes, position: int) -> str:
    line = data[:position].count(NEWLINE.encode()) + 1
    return f"byte {position + 1}, on line {line}"


def _utf16_without_bom(data: bytes) -> str | None:
    """Return the codec of UTF-16 text without a BOM (mostly-ASCII text has a zero in every other byte), or None."""
    head = data[:4096]
    even, odd = head[0::2].count(0), head[1::2].count(0)
    if odd > len(head) // 4 and even == 0:
        return "utf-16-le"
    if even > len(head) // 4 and odd == 0:
        return "utf-16-be"
    return None


def decode(data: bytes) -> Text:
    """Return the bytes as text with the encoding they were read in; raises UnreadableText."""
    if data.startswith(b"PK\x03\x04"):
        raise UnreadableText("This is a spreadsheet workbook (.xlsx or .ods), not a CSV: save it as “CSV UTF-8” first.")
    if data.startswith(codecs.BOM_UTF8):
        candidates = [("utf-8-sig", "UTF-8 with BOM")]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = [("utf-16", "UTF-16")]
    elif codec := _utf16_without_bom(data):
        candidates = [(codec, "UTF-16")]
    else:
        # UTF-8 first: a UTF-8 file is almost never also valid Windows-1252 with the same meaning, while any
        # Windows-1252 file with an accent fails as UTF-8.
        candidates = [("utf-8", "UTF-8"), ("cp1252", "Windows-1252")]
    error: UnicodeDecodeError | None = None
    for codec, name in candidates:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError as err:
            error = err
            continue
        if NUL in text:
            line = text[: text.index(NUL)].count(NEWLINE) + 1
            raise UnreadableText(UNREADABLE.format(where=f"a NUL character on line {line}"))
        return Text(text, name)
    raise UnreadableText(UNREADABLE.format(where=_where(data, error.start))) from error

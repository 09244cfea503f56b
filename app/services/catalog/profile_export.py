"""CSV export of profiles, in the import's own format (T-book field names, `|` between values), streamed."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from app.services.catalog.profile_admin import as_fields
from app.services.catalog.profiles import FIELD_ATTRS
from app.store import profiles as stored_profiles

# A spreadsheet runs a cell that starts with one of these as a formula (a phone number's "+33…" included): the
# export puts a quote before it, which spreadsheets hide, and the import takes it off again (`from_spreadsheet`).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def from_spreadsheet(value: str) -> str:
    """Undo `spreadsheet_safe`: an exported file imports back as it was."""
    return value[1:] if value.startswith("'") and value[1:].startswith(_FORMULA_START) else value


def export_csv(query: str = "", batch: int = 500) -> Iterator[str]:
    """Yield the profiles matching `query` as CSV text, by login, a batch at a time (there may be many)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(FIELD_ATTRS)
    last = ""
    while True:
        # Each batch is read apart and dropped: memory stays flat however many profiles there are.
        rows = stored_profiles.matching_after(query, last, limit=batch)
        for profile in rows:
            fields = as_fields(profile)
            writer.writerow([spreadsheet_safe(fields[name]) for name in FIELD_ATTRS])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        if len(rows) < batch:
            return
        last = rows[-1].login

"""CSV import of profiles: header row = T-book field names, `|` between values, upsert by login, one report."""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from app import store
from app.errors import Invalid
from app.services.audit import trail as audit
from app.services.catalog import csv_text
from app.services.catalog.profile_export import from_spreadsheet
from app.services.catalog.profiles import FIELD_ATTRS, REQUIRED, FieldError, clean_fields
from app.store import profiles as stored_profiles
from app.store.views import ProfileView

MAX_BYTES = 50 * 1024 * 1024
EMPTY = "The file is empty: expected a header row of T-book field names, then one row per profile."


class ImportFileError(Invalid):
    """The file as a whole cannot be imported (encoding, header, emptiness); nothing was written."""


SAMPLE_ROWS = 3  # names the report quotes as read, so that a wrongly decoded file shows at once


@dataclass
class RowError:
    line: int
    field: str
    message: str
    login: str = ""  # as the row gives it, when it gives one

    def __str__(self) -> str:
        return f"line {self.line}: {self.field}: {self.message}" + (f" (login {self.login})" if self.login else "")


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False
    encoding: str = ""
    sample: list[str] = field(default_factory=list)

    @property
    def imported(self) -> int:
        return self.created + self.updated + self.unchanged

    @property
    def rejected(self) -> int:
        """Rows rejected (a row may have several wrong fields)."""
        return len({error.line for error in self.errors})

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ImportReport:
        return cls(**{**data, "errors": [RowError(**e) for e in data.get("errors", [])]})


@dataclass
class _Writes:
    """What the valid rows change, written together once the whole file has been read."""

    created: list[dict] = field(default_factory=list)
    changed: dict[int, dict] = field(default_factory=dict)  # profile id -> new values


@dataclass(frozen=True)
class CsvFile:
    """An upload read as text: how it was decoded, and how many lines it has (the unit of progress)."""

    text: str
    encoding: str
    lines: int


def read(data: bytes) -> CsvFile:
    """Return the file as text, with its encoding and header checked; raises ImportFileError (nothing written)."""
    if not data.strip():
        raise ImportFileError(EMPTY)
    if len(data) > MAX_BYTES:
        raise ImportFileError(f"The file is larger than {MAX_BYTES // 1024 // 1024} MiB; split it.")
    try:
        decoded = csv_text.decode(data)
    except csv_text.UnreadableText as err:
        raise ImportFileError(str(err)) from err
    if not decoded.text.strip():
        raise ImportFileError(EMPTY)
    _reader(decoded.text)  # the header is right, or this says what is wrong with it
    return CsvFile(decoded.text, decoded.encoding, decoded.text.count("\n") + 1)


def _some(names: list[str], shown: int = 10) -> str:
    """Return the first `shown` names, and how many more: an error message stays readable whatever the file."""
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return ", ".join(name[:60] for name in names[:shown]) + more


def _reader(text: str) -> csv.DictReader:
    first_line = text.lstrip().splitlines()[0]
    # Spreadsheets in French locales write `;`; the header tells which separator this file uses.
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    header = [name.strip() for name in reader.fieldnames or []]
    # Counted once: a header of 100,000 columns must cost a pass, not a pass per column.
    counts = Counter(header)
    unknown = [name for name in counts if name not in FIELD_ATTRS]
    missing = [name for name in REQUIRED if name not in counts]
    duplicated = sorted(name for name, count in counts.items() if count > 1)
    if unknown or missing or duplicated:
        problems = []
        if unknown:
            problems.append(f"unknown column(s) {_some(unknown)}")
        if missing:
            problems.append(f"missing required column(s) {', '.join(missing)}")
        if duplicated:
            problems.append(f"repeated column(s) {_some(duplicated)}")
        raise ImportFileError(
            "The header row is wrong: " + "; ".join(problems) + f". Columns are T-book field names: "
            f"{', '.join(FIELD_ATTRS)}."
        )
    reader.fieldnames = header
    return reader


def import_profiles(
    data: bytes,
    *,
    dry_run: bool = False,
    actor: str | None = None,
    progress: Callable[[Iterable], Iterable] | None = None,
) -> ImportReport:
    """Import profiles from CSV bytes; valid rows are upserted in one transaction, bad rows reported.

    `progress` wraps the rows as they are read (the csv.DictReader, whose `line_num` says how far it is).
    Raises ImportFileError (nothing written) when the file cannot be read as a whole.
    """
    csv_file = read(data)
    reader = _reader(csv_file.text)
    report = ImportReport(dry_run=dry_run, encoding=csv_file.encoding)
    existing = stored_profiles.all_by_login()
    writes = _Writes()
    seen: dict[str, int] = {}
    # An existing profile keeps the fields the file has no column for.
    present = {FIELD_ATTRS[name] for name in reader.fieldnames or []}
    rows = reader if progress is None else progress(reader)
    try:
        for row in rows:
            # line_num is where the row ends; a quoted value may span lines, and the row starts that many earlier.
            line = reader.line_num - sum(v.count("\n") for v in row.values() if isinstance(v, str))
            given_login = (row.get("login") or "").strip().lower()
            if None in row:
                message = f"has {len(row[None])} value(s) more than the header"
                report.errors.append(RowError(line, "(row)", message, given_login))
                continue
            try:
                cleaned = clean_fields({k: from_spreadsheet(v) for k, v in row.items() if v is not None})
            except FieldError as err:
                report.errors.extend(RowError(line, p.field, p.message, given_login) for p in err.problems)
                continue
            login = cleaned["login"]
            if login in seen:
                report.errors.append(RowError(line, "login", f"{login} is already on line {seen[login]}", login))
                continue
            seen[login] = line
            if len(report.sample) < SAMPLE_ROWS:
                report.sample.append(f"{cleaned['firstname']} {cleaned['lastname']}")
            _upsert(existing, cleaned, present, report, writes)
    except csv.Error as err:
        store.rollback()
        raise ImportFileError(f"The CSV is malformed at line {reader.line_num}: {err}. Nothing was imported.") from err
    if dry_run:
        store.rollback()
        return report
    stored_profiles.create_many(writes.created)
    stored_profiles.change_many(writes.changed)
    audit.record(
        "profiles_import",
        "partial" if report.errors else "ok",
        actor=actor,
        detail={
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "rejected": report.rejected,
        },
        commit=False,
    )
    store.commit()
    return report


def _upsert(
    existing: dict[str, ProfileView], cleaned: dict, present: set[str], report: ImportReport, writes: _Writes
) -> None:
    profile = existing.get(cleaned["login"])
    if profile is None:
        writes.created.append(cleaned)
        report.created += 1
        return
    changes = {attr: value for attr, value in cleaned.items() if attr in present}
    # A view holds its lists as tuples.
    if any(getattr(profile, attr) != (tuple(v) if isinstance(v, list) else v) for attr, v in changes.items()):
        writes.changed[profile.id] = changes
        report.updated += 1
    else:
        report.unchanged += 1

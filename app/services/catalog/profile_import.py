"""CSV import of profiles: header row = T-book field names, `|` between values, upsert by login."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from app import store
from app.errors import Invalid
from app.services.audit import trail as audit
from app.services.catalog.profile_export import from_spreadsheet
from app.services.catalog.profiles import FIELD_ATTRS, REQUIRED, FieldError, clean_fields
from app.store import profiles as stored_profiles
from app.store.views import ProfileView

MAX_BYTES = 50 * 1024 * 1024
EMPTY = "The file is empty: expected a header row of T-book field names, then one row per profile."


class ImportFileError(Invalid):
    """The file as a whole cannot be imported (encoding, header, emptiness); nothing was written."""


@dataclass
class RowError:
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.field}: {self.message}"


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False

    @property
    def imported(self) -> int:
        return self.created + self.updated + self.unchanged


@dataclass
class _Writes:
    """What the valid rows change, written together once the whole file has been read."""

    created: list[dict] = field(default_factory=list)
    changed: dict[int, dict] = field(default_factory=dict)  # profile id -> new values


def _decode(data: bytes) -> str:
    if not data.strip():
        raise ImportFileError(EMPTY)
    if len(data) > MAX_BYTES:
        raise ImportFileError(f"The file is larger than {MAX_BYTES // 1024 // 1024} MiB; split it.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise ImportFileError(
            f"The file is not UTF-8 (byte {err.start + 1} cannot be read). Save it as “CSV UTF-8” and try again."
        ) from err
    if not text.strip():
        raise ImportFileError(EMPTY)
    return text


def _reader(text: str) -> csv.DictReader:
    first_line = text.lstrip().splitlines()[0]
    # Spreadsheets in French locales write `;`; the header tells which separator this file uses.
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    header = [name.strip() for name in reader.fieldnames or []]
    unknown = [name for name in header if name not in FIELD_ATTRS]
    missing = [name for name in REQUIRED if name not in header]
    duplicated = sorted({name for name in header if header.count(name) > 1})
    if unknown or missing or duplicated:
        problems = []
        if unknown:
            problems.append(f"unknown column(s) {', '.join(unknown)}")
        if missing:
            problems.append(f"missing required column(s) {', '.join(missing)}")
        if duplicated:
            problems.append(f"repeated column(s) {', '.join(duplicated)}")
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

    Raises ImportFileError (nothing written) when the file cannot be read as a whole.
    """
    text = _decode(data)
    reader = _reader(text)
    report = ImportReport(dry_run=dry_run)
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
            if None in row:
                report.errors.append(RowError(line, "(row)", f"has {len(row[None])} value(s) more than the header"))
                continue
            try:
                cleaned = clean_fields({k: from_spreadsheet(v) for k, v in row.items() if v is not None})
            except FieldError as err:
                report.errors.extend(RowError(line, problem.field, problem.message) for problem in err.problems)
                continue
            login = cleaned["login"]
            if login in seen:
                report.errors.append(RowError(line, "login", f"{login} is already on line {seen[login]}"))
                continue
            seen[login] = line
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
            "rejected": len(report.errors),
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

"""Uploads of profiles in the console: check, then import the same upload; large files run in the background.

The file stays in the database (every instance sees it) for GATEWAY_IMPORT_KEEP_MINUTES, named to the browser by a
signed token. A file of more than GATEWAY_IMPORT_BACKGROUND_LINES lines runs in a thread of the process that
received it, recording its progress for any instance's page to show; a worker stopped mid-run (a restart) loses
the run, and the import's single transaction leaves nothing half-written.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import timedelta

from flask import Flask, current_app
from itsdangerous import BadSignature, URLSafeSerializer

from app import store
from app.errors import NotFound
from app.services.catalog.profile_import import ImportFileError, ImportReport, import_profiles, read
from app.store import profile_uploads as stored_uploads
from app.store.models import utcnow

log = logging.getLogger(__name__)
SALT = "tbook-gateway.profile-upload"
PROGRESS_EVERY = 0.5  # seconds between two progress writes
# The run shares its worker with launches: under gevent (config/gunicorn.conf.py) it is a greenlet, which must
# step aside now and then or every click of that worker would wait for the whole file.
YIELD_EVERY = 200  # rows


class UploadNotFound(NotFound):
    """The token is forged, or its upload expired (or was never kept)."""


@dataclass(frozen=True)
class UploadStatus:
    """An upload as its page shows it."""

    token: str
    upload: stored_uploads.Upload

    @property
    def running(self) -> bool:
        return self.upload.state in stored_uploads.RUNNING

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.upload.done / max(self.upload.lines, 1)))

    @property
    def report(self) -> ImportReport | None:
        data = self.upload.report
        return ImportReport.from_dict(data) if data and "message" not in data else None

    @property
    def failure(self) -> str | None:
        data = self.upload.report
        return data.get("message") if data else None

    @property
    def can_import(self) -> bool:
        """Checked, without a file-level failure: the same upload may now be imported."""
        return self.upload.state == "checked" and self.report is not None


def _serializer() -> URLSafeSerializer:
    # No timestamp in the token: the upload's row holds its expiry, and one upload keeps one address.
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def _keep_for() -> timedelta:
    return timedelta(minutes=current_app.config["GATEWAY_IMPORT_KEEP_MINUTES"])


def status(token: str) -> UploadStatus:
    """Return the upload the token names; raises UploadNotFound when it is forged or expired."""
    try:
        upload_id = _serializer().loads(token)
    except BadSignature as err:
        raise UploadNotFound("This upload is unknown or has expired: upload the file again.") from err
    upload = stored_uploads.find(upload_id) if isinstance(upload_id, str) else None
    if upload is None:
        raise UploadNotFound("This upload is unknown or has expired: upload the file again.")
    return UploadStatus(token, upload)


def upload(data: bytes, filename: str, *, actor: str, dry_run: bool) -> UploadStatus:
    """Keep the file and check it (`dry_run`) or import it: at once when small, else in the background.

    The same file sent again by the same admin while its first run goes on is that run (no double import).
    Raises ImportFileError (nothing kept) when the file cannot be read as a whole.
    """
    csv_file = read(data)
    stored_uploads.purge_expired()
    store.commit()
    digest = hashlib.sha256(data).hexdigest()
    twin = stored_uploads.running_twin(actor, digest, "checking" if dry_run else "importing")
    if twin is not None:
        return status(_serializer().dumps(twin))
    upload_id = uuid.uuid4().hex
    stored_uploads.keep(
        upload_id,
        actor=actor,
        filename=filename[:255],
        digest=digest,
        data=data,
        lines=csv_file.lines,
        state="checking" if dry_run else "importing",
        expires_at=utcnow() + _keep_for(),
    )
    store.commit()
    return _run(upload_id, dry_run=dry_run)


def confirm(token: str) -> UploadStatus:
    """Import the checked upload the token names; once: a second confirmation finds it running or done.

    Raises UploadNotFound.
    """
    current = status(token)
    claimed = stored_uploads.claim(current.upload.id, before=("checked",), after="importing")
    store.commit()
    if not claimed:
        return current  # already importing or imported: this is the same request sent twice
    return _run(current.upload.id, dry_run=False)


def _run(upload_id: str, *, dry_run: bool) -> UploadStatus:
    """Run the check or import of an upload its caller has just moved to checking or importing."""
    token = _serializer().dumps(upload_id)
    upload = stored_uploads.find(upload_id)
    if upload.lines <= current_app.config["GATEWAY_IMPORT_BACKGROUND_LINES"]:
        _work(upload_id, dry_run=dry_run)
    else:
        app = current_app._get_current_object()
        threading.Thread(
            target=_work_in_background, args=(app, upload_id, dry_run), name=f"import-{upload_id[:8]}", daemon=True
        ).start()
    return status(token)


def _work_in_background(app: Flask, upload_id: str, dry_run: bool) -> None:
    with app.app_context():
        try:
            _work(upload_id, dry_run=dry_run)
        finally:
            store.release()


def _work(upload_id: str, *, dry_run: bool) -> None:
    upload = stored_uploads.find(upload_id)
    try:
        report = import_profiles(
            stored_uploads.data(upload_id), dry_run=dry_run, actor=upload.actor, progress=_tracking(upload_id)
        )
    except ImportFileError as err:
        _finish(upload_id, "failed", {"message": str(err)})
        return
    except Exception:
        log.exception("profile upload %s failed", upload_id)
        _finish(upload_id, "failed", {"message": "The import hit an unexpected error (logged); nothing was written."})
        return
    _finish(upload_id, "checked" if dry_run else "imported", report.to_dict())


def _finish(upload_id: str, state: str, report: dict) -> None:
    store.rollback()  # whatever a failed run left behind (an import commits all its rows, or none)
    stored_uploads.finish(upload_id, state, report)
    store.commit()


def _tracking(upload_id: str):
    def track(reader: Iterable) -> Iterator:
        # The first row shows that the run has started, then every PROGRESS_EVERY seconds; the last shows the
        # reading done while the rows are written (a fast machine reads 20,000 lines in under PROGRESS_EVERY).
        last = None
        for number, row in enumerate(reader):
            yield row
            if number % YIELD_EVERY == 0:
                time.sleep(0)  # under gevent, lets the worker's other requests in (a thread: lets go of the GIL)
            if last is None or time.monotonic() - last >= PROGRESS_EVERY:
                stored_uploads.set_progress(upload_id, reader.line_num)
                last = time.monotonic()
        stored_uploads.set_progress(upload_id, reader.line_num)

    return track

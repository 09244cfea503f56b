"""Admin views for the T-book credentials: shown masked, replaced but never read back, and checked."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for

from app.services.tbook_connection import credentials_admin
from app.settings import credentials
from app.store import console_settings as settings_store
from app.web.admin import bp
from app.web.admin.forms import ActionForm

LABELS = {
    "TBOOK_ENV": "Environment",
    "TBOOK_CLIENT_ID": "Client id",
    "TBOOK_CLIENT_SECRET": "Client secret",
    "TBOOK_LTI_KEY": "LTI consumer key",
    "TBOOK_LTI_SECRET": "LTI shared secret",
}


def _page(status: int = 200, errors: dict[str, str] | None = None):
    page = render_template(
        "admin/credentials.html",
        settings=credentials.resolve(),
        current=credentials.current(),
        labels=LABELS,
        environments=credentials.ENVIRONMENTS,
        encryption_problem=settings_store.encryption_problem(),
        key_hint=settings_store.KEY_HINT,
        errors=errors or {},
        form=ActionForm(),
    )
    return page, status


@bp.get("/credentials")
def credentials_page():
    return _page()


# Both POSTs carry a CSRF token; CSRFProtect refuses a missing or stale one before the view runs.
@bp.post("/credentials")
def credentials_save():
    values = {name: request.form.get(name, "") for name in credentials_admin.EDITABLE}
    remove = set(request.form.getlist("remove"))
    try:
        changed = credentials_admin.save(values, remove, actor=g.admin)
    except credentials_admin.CredentialsError as err:
        flash(f"Nothing was saved: {LABELS[err.name]}: {err.message}", "error")
        return _page(422, {err.name: err.message})
    if changed:
        flash("Saved: " + ", ".join(LABELS[n] for n in changed) + ".", "ok")
    else:
        flash("Nothing to save: every field was empty or unchanged.", "warn")
    return redirect(url_for("admin.credentials_page"), code=303)


@bp.post("/credentials/check")
def credentials_check():
    report = credentials_admin.check_connection(actor=g.admin, correlation_id=g.correlation_id)
    flash(report.message, "ok" if report.ok else "error")
    return redirect(url_for("admin.credentials_page"), code=303)

"""Admin views for the T-book credentials: shown masked, replaced but never read back, checked before saving."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for

from app.services.tbook_connection import connection_check, credentials_admin, credentials_review
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


def _page(status: int = 200, errors: dict[str, str] | None = None, report=None, review=None):
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
        report=review.report if review else report,
        review=review,
    )
    return page, status


def _form_values() -> tuple[dict[str, str], set[str]]:
    return {name: request.form.get(name, "") for name in credentials_admin.EDITABLE}, set(
        request.form.getlist("remove")
    )


@bp.get("/credentials")
def credentials_page():
    return _page()


# Every POST carries a CSRF token; CSRFProtect refuses a missing or stale one before the view runs.
@bp.post("/credentials")
def credentials_save():
    """First click: check the new values and save them if the check passes and the environment stays.
    Else show the check and the switch; the second click ("save anyway") sends the sealed values back."""
    review = None
    try:
        if request.form.get("sealed"):
            values, remove = credentials_review.unseal(request.form["sealed"], actor=g.admin)
        else:
            values, remove = _form_values()
            review = credentials_review.review(values, remove, actor=g.admin, correlation_id=g.correlation_id)
            if review is not None and review.needs_confirmation:
                return _page(review=review)
        changed = credentials_admin.save(values, remove, actor=g.admin)
    except credentials_admin.CredentialsError as err:
        flash(f"Nothing was saved: {LABELS[err.name]}: {err.message}", "error")
        return _page(422, {err.name: err.message})
    except credentials_review.ReviewExpired as err:
        flash(f"Nothing was saved: {err}", "error")
        return redirect(url_for("admin.credentials_page"), code=303)
    if changed:
        checked = " The connection check passed." if review is not None else ""
        flash("Saved: " + ", ".join(LABELS[n] for n in changed) + "." + checked, "ok")
    else:
        flash("Nothing to save: every field was empty or unchanged.", "warn")
    return redirect(url_for("admin.credentials_page"), code=303)


@bp.post("/credentials/check")
def credentials_check():
    return _page(report=connection_check.check(actor=g.admin, correlation_id=g.correlation_id))

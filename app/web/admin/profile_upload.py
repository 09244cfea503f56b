"""Admin views for the CSV import of profiles: upload, check, then import the same upload; progress of long runs."""

from __future__ import annotations

from flask import flash, g, jsonify, redirect, render_template, url_for

from app.services.catalog import profile_uploads
from app.services.catalog.profile_import import ImportFileError
from app.services.catalog.profiles import FIELD_ATTRS
from app.web.admin import bp
from app.web.admin.forms import ActionForm, UploadForm

SHOWN_ERRORS = 500  # rows listed on the page; the count says how many more


def _page(form: UploadForm, upload: profile_uploads.UploadStatus | None, status: int = 200):
    page = render_template(
        "admin/profile_upload.html",
        form=form,
        upload=upload,
        confirm_form=ActionForm(),
        fields=FIELD_ATTRS,
        shown_errors=SHOWN_ERRORS,
    )
    return page, status


@bp.route("/profiles/upload", methods=["GET", "POST"])
def profile_upload():
    form = UploadForm()
    if not form.validate_on_submit():
        return _page(form, None, (400 if "csrf_token" in form.errors else 422) if form.errors else 200)
    file = form.file.data
    try:
        upload = profile_uploads.upload(
            file.read(), file.filename or "profiles.csv", actor=g.admin, dry_run=form.dry_run.data
        )
    except ImportFileError as err:
        flash(str(err), "error")
        return _page(form, None, 422)
    if upload.running:  # a large file: its page shows the progress
        return redirect(url_for("admin.profile_upload_status", token=upload.token), code=303)
    return _page(UploadForm(formdata=None), upload)


@bp.get("/profiles/upload/<token>")
def profile_upload_status(token: str):
    return _page(UploadForm(formdata=None), profile_uploads.status(token))


@bp.get("/profiles/upload/<token>/progress")
def profile_upload_progress(token: str):
    upload = profile_uploads.status(token)
    return jsonify(
        state=upload.upload.state,
        running=upload.running,
        done=upload.upload.done,
        lines=upload.upload.lines,
        percent=upload.percent,
    )


@bp.post("/profiles/upload/<token>/import")
def profile_upload_confirm(token: str):
    # CSRFProtect refused the POST before the view when its token was missing or stale.
    upload = profile_uploads.confirm(token)
    return redirect(url_for("admin.profile_upload_status", token=upload.token), code=303)

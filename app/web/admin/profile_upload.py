"""Admin view for the CSV import of profiles: upload, check only or import, and a per-row report."""

from __future__ import annotations

from flask import flash, g, render_template

from app.services.catalog.profile_import import ImportFileError, import_profiles
from app.services.catalog.profiles import FIELD_ATTRS
from app.web.admin import bp
from app.web.admin.forms import UploadForm


@bp.route("/profiles/upload", methods=["GET", "POST"])
def profile_upload():
    form, report, status = UploadForm(), None, 200
    if form.validate_on_submit():
        try:
            report = import_profiles(form.file.data.read(), dry_run=form.dry_run.data, actor=g.admin)
        except ImportFileError as err:
            flash(str(err), "error")
            status = 422
    elif form.errors:
        status = 400 if "csrf_token" in form.errors else 422
    return render_template("admin/profile_upload.html", form=form, report=report, fields=FIELD_ATTRS), status

"""Admin views for profiles: search, view and edit (validated like the CSV import), and CSV upload."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for

from app.services.catalog import profile_admin
from app.services.catalog.profile_import import ImportFileError, import_profiles
from app.services.catalog.profiles import FIELD_ATTRS, LIST_FIELDS, REQUIRED, FieldError
from app.web.admin import bp
from app.web.admin.forms import ActionForm, UploadForm


@bp.get("/profiles")
def profile_list():
    query = request.args.get("q", "")
    results = profile_admin.search(query, request.args.get("page", 1, type=int))
    return render_template("admin/profiles.html", results=results, query=query)


@bp.route("/profiles/<int:profile_id>", methods=["GET", "POST"])
def profile_edit(profile_id: int):
    profile = profile_admin.get(profile_id)
    form, error = ActionForm(), None
    values = profile_admin.as_fields(profile)
    # A POST got here with a valid CSRF token: CSRFProtect refuses the others before the view.
    if request.method == "POST":
        values = {name: request.form.get(name, "") for name in FIELD_ATTRS if name != "login"}
        values["login"] = profile.login
        try:
            profile_admin.update(profile_id, values, actor=g.admin)
        except FieldError as err:
            error = err.problems[0]
        else:
            flash(f"Saved the profile of {profile.login}.", "ok")
            return redirect(url_for("admin.profile_edit", profile_id=profile_id), code=303)
    page = render_template(
        "admin/profile_form.html",
        profile=profile,
        values=values,
        fields=FIELD_ATTRS,
        list_fields=LIST_FIELDS,
        required=REQUIRED,
        error=error,
        form=form,
    )
    return page, 422 if error else 200


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

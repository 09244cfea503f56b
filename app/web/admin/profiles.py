"""Admin views for profiles: search and export, add, edit and delete (validated like the CSV import, audited)."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Response, flash, g, redirect, render_template, request, stream_with_context, url_for

from app.services.catalog import profile_admin, profile_export, profiles
from app.services.catalog.profiles import FIELD_ATTRS, FieldError
from app.web.admin import bp
from app.web.admin.forms import ActionForm


def _form_page(profile, values: dict, errors: FieldError | None):
    wrong: dict[str, str] = {}
    for problem in errors.problems if errors else ():
        wrong.setdefault(problem.field, problem.message)  # a field's first problem
    page = render_template(
        "admin/profile_form.html",
        profile=profile,
        values=values,
        errors=wrong,
        error_list=[(name, wrong[name]) for name in FIELD_ATTRS if name in wrong],
        fields=FIELD_ATTRS,
        labels=profiles.LABELS,
        hints=profiles.HINTS,
        choices=profiles.CHOICES,
        list_fields=profiles.LIST_FIELDS,
        required=profiles.REQUIRED,
        form=ActionForm(),
    )
    return page, 422 if errors else 200


def _posted(login: str | None = None) -> dict[str, str]:
    # CSRFProtect refused the POST before the view when its token was missing or stale.
    values = {name: request.form.get(name, "") for name in FIELD_ATTRS}
    if login is not None:
        values["login"] = login  # not editable: sign-in and T-book match people by it
    return values


@bp.get("/profiles")
def profile_list():
    query = request.args.get("q", "")
    results = profile_admin.search(query, request.args.get("page", 1, type=int))
    return render_template("admin/profiles.html", results=results, query=query)


@bp.get("/profiles/export.csv")
def profile_export_csv():
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    body = stream_with_context(profile_export.export_csv(request.args.get("q", "")))
    disposition = f'attachment; filename="profiles-{stamp}.csv"'
    return Response(body, mimetype="text/csv", headers={"Content-Disposition": disposition})


@bp.route("/profiles/new", methods=["GET", "POST"])
def profile_new():
    if request.method == "GET":
        return _form_page(None, {"civility": "mme", "testUser": "0", "assignation": "0", "userType": "learner"}, None)
    values = _posted()
    try:
        profile = profile_admin.create(values, actor=g.admin)
    except FieldError as err:
        return _form_page(None, values, err)
    flash(f"Added the profile of {profile.login}.", "ok")
    return redirect(url_for("admin.profile_edit", profile_id=profile.id), code=303)


@bp.route("/profiles/<int:profile_id>", methods=["GET", "POST"])
def profile_edit(profile_id: int):
    profile = profile_admin.get(profile_id)
    if request.method == "GET":
        return _form_page(profile, profile_admin.as_fields(profile), None)
    values = _posted(profile.login)
    try:
        profile_admin.update(profile_id, values, actor=g.admin)
    except FieldError as err:
        return _form_page(profile, values, err)
    flash(f"Saved the profile of {profile.login}.", "ok")
    return redirect(url_for("admin.profile_edit", profile_id=profile_id), code=303)


@bp.get("/profiles/<int:profile_id>/delete")
def profile_delete_confirm(profile_id: int):
    profile = profile_admin.get(profile_id)
    return render_template(
        "admin/confirm.html",
        title=f"Delete the profile of {profile.login}?",
        lines=profile_admin.consequences(profile_id).of_deleting(),
        action=url_for("admin.profile_delete", profile_id=profile_id),
        button="Delete the profile",
        cancel=url_for("admin.profile_edit", profile_id=profile_id),
    )


@bp.post("/profiles/<int:profile_id>/delete")
def profile_delete(profile_id: int):
    # CSRFProtect refused the POST before the view when its token was missing or stale.
    login = profile_admin.delete(profile_id, actor=g.admin)
    flash(f"Deleted the profile of {login}; the deletion is in the audit log.", "ok")
    return redirect(url_for("admin.profile_list"), code=303)

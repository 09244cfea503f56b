"""A refusal met inside the console stays in the console: the error in the admin layout, with a way back."""

from __future__ import annotations

from flask import g, render_template, request, url_for

from app.errors import GatewayError
from app.web import errors as web_errors
from app.web.admin import bp


def _way_back() -> tuple[str, str]:
    """Return (address, label) of the console page the failed request belongs to."""
    args = request.view_args or {}
    if "slug" in args:
        return url_for("admin.link_edit", slug=args["slug"]), "Back to the link"
    if "profile_id" in args:
        return url_for("admin.profile_edit", profile_id=args["profile_id"]), "Back to the profile"
    if "account_id" in args:
        return url_for("admin.account_page", account_id=args["account_id"]), "Back to the sign-in"
    return url_for("admin.dashboard_page"), "Back to the dashboard"


@bp.errorhandler(GatewayError)
def in_console(err: GatewayError):
    # Only an admin's page is drawn in the console; a learner refused at its door, or a client that wants JSON,
    # gets the gateway's one answer (app/web/errors.py).
    if g.get("admin") is None or web_errors.wants_json():
        return web_errors.gateway_error(err)
    back, label = _way_back()
    page = render_template(
        "admin/error.html",
        status=err.status,
        title=err.title,
        message=err.message,
        hint=err.hint,
        correlation_id=g.get("correlation_id"),
        back=back,
        back_label=label,
    )
    return page, err.status

"""The admin console at /admin/: links, credentials, profiles, sign-ins, sync, audit log and dashboard, for admins
only."""

import hashlib

from flask import Blueprint, current_app, g, redirect, url_for

from app.errors import Forbidden, SignInRefused
from app.services.audit.names import action_name
from app.services.identity import admins
from app.web.auth.identity import User, current_user, this_page
from app.web.headers import content_security_policy

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
def _admins_only():
    user = current_user()
    if user is None:
        if "local" in current_app.config["GATEWAY_AUTH"]:
            return redirect(url_for("auth.login", next=this_page()))
        raise SignInRefused("You are not signed in.", hint="Open the admin console from your intranet.")
    if not admins.is_admin(user.login, user.via):
        raise Forbidden(
            "The admin console is for gateway administrators.",
            hint="Ask an administrator to give your account the admin role.",
        )
    g.admin = user.login
    return None


@bp.after_request
def _admin_headers(response):
    # Admin pages show profiles and settings: never cached, never framed, never leaked in a Referer to
    # another site. Same-origin, not no-referrer: over HTTPS, Flask-WTF refuses a POST without a same-origin
    # Referer (WTF_CSRF_SSL_STRICT), so no-referrer would break every form of the console.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Content-Security-Policy"] = content_security_policy("frame-ancestors 'none'")
    response.headers["X-Frame-Options"] = "DENY"
    return response


bp.add_app_template_filter(action_name, "action_name")


@bp.app_template_filter("fingerprint")
def fingerprint(secret: str) -> str:
    """Return the first 8 hex digits of the secret's SHA-256: enough to tell two values apart, and for an admin to
    check which one is in force (`printf %s "$TBOOK_LTI_SECRET" | sha256sum`), nothing to sign with."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()[:8]


@bp.app_context_processor
def _admin_nav():
    def is_admin_user(user: User | None) -> bool:
        return bool(user and admins.is_admin(user.login, user.via))

    return {"is_admin_user": is_admin_user}


from app.web.admin import (  # noqa: E402,F401
    accounts,
    audit,
    credentials,
    dashboard,
    errors,
    links,
    profile_upload,
    profiles,
    sync,
)

"""Launch views: each parses the request, calls the launch service and renders."""

from __future__ import annotations

import json

from flask import current_app, g, make_response, render_template, request, url_for
from sqlalchemy import select

from app.errors import Forbidden
from app.extensions import db
from app.models import LaunchLink, Profile
from app.services import audit, launch, return_refs
from app.web.auth.identity import current_user, login_required
from app.web.launch import bp

LOCALES = {"fr": "fr-FR", "en": "en-US"}


def _launch_request(link: LaunchLink, *, preview: bool = False, profile: Profile | None = None) -> launch.LaunchRequest:
    cfg = current_app.config
    ref = return_refs.make(link.slug, g.correlation_id)
    best = request.accept_languages.best_match(LOCALES)
    return launch.LaunchRequest(
        link=link,
        login=current_user().login,
        correlation_id=g.correlation_id,
        return_url=url_for("launch.lti_return", ref=ref, _external=True),
        locale=LOCALES.get(best, cfg["GATEWAY_LOCALE"]),
        instance_guid=cfg.get("GATEWAY_INSTANCE_GUID") or request.host,
        instance_name=cfg["GATEWAY_INSTANCE_NAME"],
        preview=preview,
        profile=profile,
    )


def _no_store(page: str):
    response = make_response(page)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.get("/")
@login_required
def home():
    links = db.session.scalars(select(LaunchLink).where(LaunchLink.enabled).order_by(LaunchLink.title)).all()
    return render_template("launch/home.html", links=links, user=current_user())


@bp.get("/launch/<slug>")
@login_required
def launch_page(slug: str):
    link, profile = launch.find_link_and_profile(slug, current_user().login)
    signed = launch.sign_lti_launch(_launch_request(link, profile=profile))
    return _no_store(render_template("launch/launch.html", link=link, launch=signed))


@bp.get("/launch/<slug>/preview")
@login_required
def preview(slug: str):
    link = launch.find_link(slug)
    if not link.debug:
        raise Forbidden("The preview is open for debug links only.", hint="Turn debug on for this link.")
    signed = launch.sign_lti_launch(_launch_request(link, preview=True))
    custom_data = json.dumps(json.loads(dict(signed.params)["custom_data"]), indent=2, ensure_ascii=False)
    return _no_store(render_template("launch/preview.html", link=link, launch=signed, custom_data=custom_data))


@bp.get("/lti/return")
def lti_return():
    ref = return_refs.read(request.args.get("ref", ""))
    message, error = request.args.get("lti_msg", ""), request.args.get("lti_errormsg", "")
    user = current_user()
    audit.record(
        "lti_return",
        "error" if error else "ok",
        actor=user.login if user else None,
        link_slug=ref.slug if ref else None,
        correlation_id=ref.correlation_id if ref else g.correlation_id,
        detail={
            "lti_msg": message[:500],
            "lti_errormsg": error[:500],
            "verified": ref is not None,
            "lti_log": request.args.get("lti_log", "")[:500],
        },
    )
    return render_template(
        "launch/lti_return.html",
        message=message,
        error=error,
        ref=ref,
        correlation_id=ref.correlation_id if ref else g.correlation_id,
    ), 200

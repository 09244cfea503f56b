"""Launch views: each parses the request, calls the launch service and renders."""

from __future__ import annotations

import json
from urllib.parse import quote

from flask import current_app, g, redirect, render_template, request
from sqlalchemy import select

from app.errors import Forbidden
from app.services.audit import trail as audit
from app.services.identity import admins
from app.services.launch import flow as launch
from app.services.launch import return_refs
from app.store import db
from app.store.models import LaunchLink
from app.web.auth.identity import current_user, login_required
from app.web.launch import bp
from app.web.launch.templating import known_url
from app.web.responses import launching, no_store

LOCALES = {"fr": "fr-FR", "en": "en-US"}


def launch_request(
    link: LaunchLink, login: str, correlation_id: str, *, preview: bool = False, actor: str | None = None
) -> launch.LaunchRequest:
    """Return the LaunchRequest for this click, with the absolute URLs T-book comes back to.

    `actor` is who asked when it is not the learner (an admin's test launch)."""
    cfg = current_app.config
    ref = quote(return_refs.make(link.slug, correlation_id), safe="")
    best = request.accept_languages.best_match(LOCALES)
    return launch.LaunchRequest(
        link=link,
        login=login,
        correlation_id=correlation_id,
        return_url=f"{known_url('launch.lti_return', _external=True)}?ref={ref}",
        error_url=f"{known_url('sso.error', _external=True)}?ref={ref}",
        locale=LOCALES.get(best, cfg["GATEWAY_LOCALE"]),
        instance_guid=cfg.get("GATEWAY_INSTANCE_GUID") or request.host,
        instance_name=cfg["GATEWAY_INSTANCE_NAME"],
        preview=preview,
        actor=actor,
    )


@bp.get("/")
@login_required
def home():
    links = db.session.scalars(select(LaunchLink).where(LaunchLink.enabled).order_by(LaunchLink.title)).all()
    user = current_user()
    return render_template("launch/home.html", links=links, user=user, profile=launch.find_profile(user.login))


@bp.get("/launch/<slug>")
@login_required
def launch_page(slug: str):
    login = current_user().login
    link, profile = launch.find_link_and_profile(slug, login)
    outcome = launch.start(launch_request(link, login, g.correlation_id), profile)
    if isinstance(outcome, launch.Redirect):
        return launching(redirect(outcome.url, code=303))
    return launching(render_template("launch/launch.html", link=link, launch=outcome))


@bp.get("/launch/<slug>/preview")
@login_required
def preview(slug: str):
    link = launch.find_link(slug)
    user = current_user()
    if not link.debug and not admins.is_admin(user.login, user.via):
        raise Forbidden("The preview is open for debug links (and admins) only.", hint="Turn debug on for this link.")
    signed = launch.preview(launch_request(link, current_user().login, g.correlation_id, preview=True))
    custom_data = json.dumps(json.loads(dict(signed.params)["custom_data"]), indent=2, ensure_ascii=False)
    return no_store(render_template("launch/preview.html", link=link, launch=signed, custom_data=custom_data))


@bp.get("/lti/return")
def lti_return():
    ref = return_refs.read(request.args.get("ref", ""))
    message, error = request.args.get("lti_msg", "")[:500], request.args.get("lti_errormsg", "")[:500]
    user = current_user()
    correlation_id = ref.correlation_id if ref else g.correlation_id
    audit.record(
        "lti_return",
        "error" if error else "ok",
        actor=user.login if user else None,
        link_slug=ref.slug if ref else None,
        correlation_id=correlation_id,
        detail={
            "lti_msg": message,
            "lti_errormsg": error,
            "lti_log": request.args.get("lti_log", "")[:500],
            "verified": ref is not None,
        },
    )
    link = (
        db.session.execute(select(LaunchLink).where(LaunchLink.slug == ref.slug)).scalar_one_or_none() if ref else None
    )
    fell_back_already = False
    if error and user and link is not None and link.enabled and link.mode == "auto":
        outcome = launch.fallback_after_refusal(launch_request(link, user.login, correlation_id), error)
        if outcome is not None:
            return launching(redirect(outcome.url, code=303))
        fell_back_already = True
    return render_template(
        "launch/lti_return.html",
        message=message,
        error=error,
        ref=ref,
        correlation_id=correlation_id,
        fell_back_already=fell_back_already,
    )

"""Launch views: each parses the request, calls the launch service and renders."""

from __future__ import annotations

import html
import json
from urllib.parse import quote

from flask import current_app, g, make_response, redirect, render_template, request, url_for
from markupsafe import Markup
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


def known_url(endpoint: str, **values) -> str:
    """Return `url_for(endpoint, **values)`, built once per address the gateway is reached at (its root URL).

    Every click needs the same four URLs (return URL, errorUrl, two static files); each cost 5 to 7 µs through
    Flask's URL map, and all four as much as signing the launch (bench/README.md).
    """
    cache = current_app.extensions.setdefault("tbook_gateway.urls", {})
    key = (request.url_root, endpoint, *sorted(values.items()))
    url = cache.get(key)
    if url is None:
        if len(cache) > 1000:  # a gateway answers on a few addresses; never let forged Host headers grow it
            cache.clear()
        url = cache[key] = url_for(endpoint, **values)
    return url


bp.app_template_global("known_url")(known_url)


def no_store(response, referrer_policy: str = "same-origin"):
    """Never cache `response`; pages with a CSRF form keep a same-origin Referer (Flask-WTF checks it over HTTPS)."""
    response = make_response(response)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = referrer_policy
    return response


def launching(response):
    """The auto-submitting launch page and redirects to T-book: no Referer at all reaches T-book."""
    return no_store(response, referrer_policy="no-referrer")


@bp.app_template_filter("hidden_inputs")
def hidden_inputs(params: list[tuple[str, str]]) -> Markup:
    """Return the launch parameters as hidden form fields, every name and value escaped for an attribute.

    One Markup for the whole form: Jinja's autoescape made a Markup object per value (bench/README.md).
    `html.escape` (quotes included) makes every name and value inert inside a double-quoted attribute.
    """
    return Markup(  # noqa: S704  (every interpolated value goes through html.escape)
        "".join(
            f'<input type="hidden" name="{html.escape(name)}" value="{html.escape(value)}">\n' for name, value in params
        )
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

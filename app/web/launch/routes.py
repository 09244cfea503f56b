"""Launch views: each parses the request, calls the launch service and renders."""

from __future__ import annotations

from flask import g, redirect, render_template, request

from app.services.catalog import links as catalog_links
from app.services.identity import admins
from app.services.launch import flow as launch
from app.services.launch.lti_return import LOGGED_ONLY, handle_return
from app.web.auth.identity import current_user, login_required
from app.web.i18n import page_language
from app.web.launch import bp, templating
from app.web.launch.probe import allow_probe, probe_url
from app.web.responses import launching, no_store


def _click() -> launch.Click:
    """This request as the launch service needs it: T-book comes back under the root URL the browser used, and
    opens in the language of the gateway's pages."""
    return launch.Click(
        g.correlation_id, request.url_root, request.headers.get("Accept-Language", ""), language=page_language()
    )


@bp.get("/")
@login_required
def home():
    links = catalog_links.enabled_links()
    user = current_user()
    return render_template("launch/home.html", links=links, user=user, profile=launch.find_profile(user.login))


@bp.get("/launch/<slug>")
@login_required
def launch_page(slug: str):
    # ?via=sso: the launch page found T-book's launch host unreachable from this browser, and the learner chose
    # T-book's single sign-on instead (an `auto` link only; other modes ignore it).
    unreachable = request.args.get("via") == "sso"
    outcome = launch.start(slug, current_user().login, _click(), lti_unreachable=unreachable)
    if isinstance(outcome, launch.Redirect):
        return launching(redirect(outcome.url, code=303))
    page = templating.launch_page(outcome.link, outcome.signed, probe_url(outcome.signed.url))
    return allow_probe(launching(page), outcome.signed.url)


@bp.get("/launch/<slug>/preview")
@login_required
def preview(slug: str):
    user = current_user()
    shown = launch.preview(slug, user.login, _click(), trusted=admins.is_admin(user.login, user.via))
    page = render_template(
        "launch/preview.html", link=shown.link, launch=shown.signed, custom_data=shown.readable_custom_data()
    )
    return no_store(page)


@bp.get("/lti/return")
def lti_return():
    user = current_user()
    outcome = handle_return(
        request.args.get("ref", ""),
        lti_msg=request.args.get("lti_msg", ""),
        lti_errormsg=request.args.get("lti_errormsg", ""),
        lti_log=request.args.get("lti_log", ""),
        lti_errorlog=request.args.get("lti_errorlog", ""),
        login=user.login if user else None,
        click=_click(),
        address=request.remote_addr,
    )
    if isinstance(outcome, launch.Redirect):
        return launching(redirect(outcome.url, code=303))
    return render_template(
        "launch/lti_return.html",
        message=outcome.message,
        error=outcome.error,
        error_logged_only=outcome.error == LOGGED_ONLY,
        ref=outcome.ref,
        correlation_id=outcome.correlation_id,
        fell_back_already=outcome.fell_back_already,
    )

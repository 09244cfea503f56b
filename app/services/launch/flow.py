"""The launch use case: from (link, signed-in login) to a signed LTI launch or T-book's sign-in URL, audited."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from typing import NoReturn

from flask import current_app

from app import lti
from app.errors import (
    Forbidden,
    GatewayError,
    LinkDisabled,
    LinkNotFound,
    LtiNotConfigured,
    ProfileInvalid,
    ProfileMissing,
)
from app.services.audit import trail as audit
from app.services.catalog import links, profiles
from app.services.launch import authtoken as fallback
from app.services.launch import launch_request, return_refs
from app.services.launch.launch_request import Click, LaunchRequest
from app.settings import credentials
from app.store import launch_reads, nonces
from app.store import links as stored_links
from app.store import profiles as stored_profiles
from app.store.views import LinkView, ProfileView

VERSION = "0.1.0"


@dataclass(frozen=True)
class LtiLaunch:
    """POST `signed` from a page about `link` (the auto-submitting form, or the preview)."""

    link: LinkView
    signed: lti.SignedLaunch

    def readable_custom_data(self) -> str:
        """Return custom_data pretty-printed, for an integrator to read."""
        return json.dumps(json.loads(dict(self.signed.params)["custom_data"]), indent=2, ensure_ascii=False)


@dataclass(frozen=True)
class Redirect:
    """Send the browser to T-book's one-time sign-in URL (303, never stored)."""

    url: str


def find_link(slug: str) -> LinkView:
    """Return the enabled link named `slug`; raises LinkNotFound, or LinkDisabled when it is switched off."""
    return _enabled(stored_links.find(slug), slug)


def _enabled(link: LinkView | None, slug: str) -> LinkView:
    if link is None:
        raise LinkNotFound(f"There is no active launch link called “{slug}”.")
    if not link.enabled:
        # Fixed words (no title in them), so that the page says them in the learner's language.
        raise LinkDisabled(
            "This launch link is switched off for now, until your T-book administrator turns it back on."
        )
    return link


def find_link_and_profile(slug: str, login: str) -> tuple[LinkView, ProfileView | None]:
    """Return the enabled link named `slug` and the profile of `login` (or None), in one read.

    Raises LinkNotFound or LinkDisabled. Runs on the request's hot connection, which the click's audit event then
    uses too.
    """
    link, profile = launch_reads.link_and_profile(slug, login.lower())
    return _enabled(link, slug), profile


def find_profile(login: str) -> ProfileView | None:
    """Return the profile of `login`, or None."""
    return stored_profiles.by_login(login.lower())


def _on_behalf(req: LaunchRequest) -> dict:
    return {"learner": req.login} if req.actor and req.actor != req.login else {}


def _refuse(req: LaunchRequest, err: Exception, reason: str, **detail) -> NoReturn:
    audit.record(
        "launch_preview" if req.preview else "launch",
        "refused",
        actor=req.actor or req.login,
        link_slug=req.link.slug,
        mode=req.link.mode,
        correlation_id=req.correlation_id,
        detail={"reason": reason, **detail, **_on_behalf(req)},
    )
    raise err


_UNREAD = object()  # the caller did not read the profile: read it


def _profile(req: LaunchRequest, profile: ProfileView | None | object = _UNREAD) -> ProfileView:
    """Return `profile` (the clicker's, read now unless given); refuse (audited) when there is none."""
    if profile is _UNREAD:
        profile = find_profile(req.login)
    if profile is None:
        missing = ProfileMissing(f"There is no T-book profile for {req.login}.", hint="Ask your T-book administrator.")
        _refuse(req, missing, "no profile")
    return profile


def _lti_not_configured() -> LtiNotConfigured:
    return LtiNotConfigured(
        "The gateway has no LTI shared secret for T-book, so it cannot sign this launch.",
        hint="An administrator sets TBOOK_LTI_SECRET (or the LTI shared secret in the admin console).",
    )


def _sign(req: LaunchRequest, profile: ProfileView, creds: credentials.TBookCredentials) -> LtiLaunch:
    """Return the signed launch; raises lti.LaunchDataError naming a field T-book would refuse."""
    link = req.link
    custom_data = lti.build_custom_data(profiles.to_tbook(profile, link.connection_type))
    context = lti.LaunchContext(
        resource_link_id=f"link-{link.id}",
        resource_link_title=link.title,
        user_id=profile.lti_user_id,
        is_instructor=profile.user_type == "teacher",
        given_name=profile.firstname,
        family_name=profile.lastname,
        email=profile.login,
        custom_data=custom_data,
        return_url=req.return_url,
        locale=req.locale,
        document_target="window" if link.new_window else "frame",
        instance_guid=req.instance_guid,
        instance_name=req.instance_name,
        product_version=VERSION,
        debug=link.debug,
        # One context per link: T-book (or any Tool Provider) sees each link as its own place.
        context_id=f"link-{link.id}",
        context_title=link.title,
        context_label=link.slug,
        resource_link_description=link.description or "",
        contact_email=current_app.config["GATEWAY_CONTACT_EMAIL"],
        send_person=link.send_lis_person,
    )
    return LtiLaunch(link, lti.sign_launch(creds.lti_url, lti.build_launch(context), creds.lti_key, creds.lti_secret))


def _sso(req: LaunchRequest, profile: ProfileView, reason: str, *, fallback_: bool) -> Redirect:
    url = fallback.sign_in_url(
        profile,
        req.link,
        error_url=req.error_url,
        correlation_id=req.correlation_id,
        reason=reason,
        fallback=fallback_,
    )
    return Redirect(url)


def start(slug: str, login: str, click: Click, *, lti_unreachable: bool = False) -> LtiLaunch | Redirect:
    """Launch the link `slug` for `login` by the link's mode; audit what happened.

    `lti`: the signed launch. `authtoken`: T-book's sign-in URL. `auto`: LTI, unless LTI is not configured, the
    profile lacks what LTI needs, or the learner's browser could not reach T-book's launch host
    (`lti_unreachable`, which the launch page found out), then the sign-in URL. Raises LinkNotFound,
    LinkDisabled (audited), ProfileMissing, ProfileInvalid (nothing sent), LtiNotConfigured, TBookUnavailable or
    TBookRefused.
    """
    # One statement reads the link and the clicker's profile (bench/README.md).
    try:
        link, profile = find_link_and_profile(slug, login)
    except LinkDisabled:
        # A click on a paused link is the admin's to see: the reference on the learner's page finds this row.
        audit.record(
            "launch",
            "refused",
            actor=login,
            link_slug=slug,
            correlation_id=click.correlation_id,
            detail={"reason": "link disabled"},
        )
        raise
    req = launch_request.build(link, login, click)
    profile = _profile(req, profile)
    if link.mode == "authtoken":
        return _sso(req, profile, "authtoken link", fallback_=False)
    if link.mode == "auto" and lti_unreachable:
        return _sso(req, profile, "the browser could not reach T-book's launch host", fallback_=True)
    creds = credentials.current()
    if not creds.lti_configured:
        if link.mode == "auto":
            return _sso(req, profile, "LTI is not configured", fallback_=True)
        _refuse(req, _lti_not_configured(), "LTI is not configured")
    try:
        launch = _sign(req, profile, creds)
    except lti.LaunchDataError as err:
        if link.mode == "auto":
            return _sso(req, profile, f"the profile lacks what LTI needs ({err.field})", fallback_=True)
        _refuse(req, ProfileInvalid(err.field, err.message), "invalid profile", field=err.field)
    audit.record(
        "launch",
        "sent",
        actor=login,
        link_slug=link.slug,
        mode="lti",
        correlation_id=req.correlation_id,
        detail={"debug": link.debug},
    )
    return launch


def preview(slug: str, login: str, click: Click, *, trusted: bool = False, actor: str | None = None) -> LtiLaunch:
    """Return the signed LTI launch of the enabled link `slug` for `login` to read, audited as a preview.

    The preview is open for debug links, and for any link to a `trusted` caller (an admin, the operator's CLI).
    `actor` is who asked when it is not the learner (`cli`). Raises LinkNotFound, Forbidden, LtiNotConfigured,
    ProfileMissing or ProfileInvalid.
    """
    link = find_link(slug)
    if not link.debug and not trusted:
        raise Forbidden("The preview is open for debug links (and admins) only.", hint="Turn debug on for this link.")
    return _preview(launch_request.build(link, login, click, preview=True, actor=actor))


def admin_preview(slug: str, login: str, click: Click, *, admin: str) -> LtiLaunch:
    """Return the signed LTI launch of the link `slug` (enabled or not) for the learner `login`, asked by `admin`.

    Audited as a preview by the admin, on behalf of the learner. Raises LinkNotFound, Forbidden,
    LtiNotConfigured, ProfileMissing or ProfileInvalid.
    """
    link = links.find(slug)  # admins test a link before they enable it
    return _preview(launch_request.build(link, login, click, preview=True, actor=admin))


def _preview(req: LaunchRequest) -> LtiLaunch:
    """Return the signed launch with custom_debug as the link sets it, audited as a preview.

    Raises Forbidden for an authtoken link (it has no LTI launch), LtiNotConfigured, ProfileMissing, ProfileInvalid.
    """
    if req.link.mode == "authtoken":
        raise Forbidden("This link signs in through /authToken: it has no LTI launch to preview.")
    creds = credentials.current()
    if not creds.lti_configured:
        raise _lti_not_configured()
    profile = _profile(req)
    try:
        launch = _sign(req, profile, creds)
    except lti.LaunchDataError as err:
        _refuse(req, ProfileInvalid(err.field, err.message), "invalid profile", field=err.field)
    audit.record(
        "launch_preview",
        "signed",
        actor=req.actor or req.login,
        link_slug=req.link.slug,
        mode="lti",
        correlation_id=req.correlation_id,
        detail=_on_behalf(req),
    )
    return launch


def fallback_after_refusal(req: LaunchRequest, lti_errormsg: str) -> Redirect | None:
    """T-book refused an `auto` link's LTI launch: return the sign-in redirect, once per click.

    Returns None when this click already fell back (T-book refused twice: no loop).
    """
    # Kept as long as a return reference is valid.
    if not nonces.consume("fallback", req.correlation_id, keep_for=timedelta(seconds=return_refs.MAX_AGE)):
        return None
    try:
        return _sso(req, _profile(req), f"T-book refused the LTI launch: {lti_errormsg[:200]}", fallback_=True)
    except GatewayError:
        # It did not go through (T-book down, say): the learner's "Try again" may fall back once more.
        nonces.release("fallback", req.correlation_id)
        raise

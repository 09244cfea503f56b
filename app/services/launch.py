"""The launch use case: from (link, signed-in login) to a signed LTI launch, audited either way."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NoReturn

from sqlalchemy import select

from app import lti
from app.errors import LinkNotFound, ModeUnavailable, ProfileInvalid, ProfileMissing
from app.extensions import db
from app.models import LaunchLink, Profile
from app.services import audit, credentials, profiles

VERSION = "0.1.0"


@dataclass(frozen=True)
class LaunchRequest:
    """Who clicked which link, and what the web layer knows about the click."""

    link: LaunchLink
    login: str
    correlation_id: str
    return_url: str
    locale: str
    instance_guid: str
    instance_name: str
    preview: bool = False
    profile: Profile | None = None  # when the caller already loaded it (find_link_and_profile)


def find_link(slug: str) -> LaunchLink:
    """Return the enabled link named `slug`; raises LinkNotFound otherwise."""
    link = db.session.execute(select(LaunchLink).where(LaunchLink.slug == slug)).scalar_one_or_none()
    if link is None or not link.enabled:
        raise LinkNotFound(f"There is no active launch link called “{slug}”.")
    return link


def find_link_and_profile(slug: str, login: str) -> tuple[LaunchLink, Profile | None]:
    """Return the enabled link named `slug` and `login`'s profile (or None), in one round trip.

    Raises LinkNotFound when there is no such enabled link.
    """
    # A click needs both; asking for them together saves a round trip on every launch (bench/README.md).
    query = (
        select(LaunchLink, Profile).outerjoin(Profile, Profile.login == login.lower()).where(LaunchLink.slug == slug)
    )
    row = db.session.execute(query).first()
    if row is None or not row[0].enabled:
        raise LinkNotFound(f"There is no active launch link called “{slug}”.")
    return row[0], row[1]


def find_profile(login: str) -> Profile | None:
    return db.session.execute(select(Profile).where(Profile.login == login.lower())).scalar_one_or_none()


def _refuse(req: LaunchRequest, err: Exception, reason: str, **detail) -> NoReturn:
    audit.record(
        "launch_preview" if req.preview else "launch",
        "refused",
        actor=req.login,
        link_slug=req.link.slug,
        mode=req.link.mode,
        correlation_id=req.correlation_id,
        detail={"reason": reason, **detail},
    )
    raise err


def sign_lti_launch(req: LaunchRequest) -> lti.SignedLaunch:
    """Build, validate and sign the LTI launch for `req`, and audit it (as a preview for previews).

    Raises ProfileMissing (no local profile), ProfileInvalid (a field T-book would refuse, nothing sent),
    ModeUnavailable (the link's mode cannot launch by LTI).
    """
    link = req.link
    if link.mode != "lti":
        _refuse(req, ModeUnavailable(f"Launch links in “{link.mode}” mode are not available yet."), "mode")
    profile = req.profile or find_profile(req.login)
    if profile is None:
        _refuse(
            req,
            ProfileMissing(f"There is no T-book profile for {req.login}.", hint="Ask your T-book administrator."),
            "no profile",
        )
    creds = credentials.current()
    try:
        custom_data = lti.build_custom_data(profiles.to_tbook(profile, link.connection_type))
    except lti.LaunchDataError as err:
        _refuse(req, ProfileInvalid(err.field, err.message), "invalid profile", field=err.field)
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
    )
    signed = lti.sign_launch(creds.lti_url, lti.build_launch(context), creds.lti_key, creds.lti_secret)
    audit.record(
        "launch_preview" if req.preview else "launch",
        "signed" if req.preview else "sent",
        actor=req.login,
        link_slug=link.slug,
        mode="lti",
        correlation_id=req.correlation_id,
        detail={"debug": link.debug, "lti_url": creds.lti_url},
    )
    return signed

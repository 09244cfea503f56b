"""T-book's errorUrl: what most likely went wrong with an /authToken sign-in, and what to do about it, audited."""

from __future__ import annotations

from dataclasses import dataclass

from app.errors import LinkNotFound
from app.services.audit import trail as audit
from app.services.launch import flow, return_refs, return_throttle
from app.services.launch.return_refs import ReturnRef
from app.services.tbook_connection import provisioning

#: "This link expires after 60 seconds." (tbook-api.md, authToken)
URL_LIFETIME = 60
# What T-book may put in the errorUrl is shown and stored, never more than this.
MAX_TEXT = 300


@dataclass(frozen=True)
class SsoError:
    """What the errorUrl page says: the cause the facts point to, and who T-book was asked to sign in.

    ``cause``: ``expired`` (the one-time URL was opened after its 60 seconds, or a second time),
    ``refused`` (T-book turned a fresh URL down: it does not know the account, or the URL had been used),
    ``unverified`` (no valid reference: the page cannot tell which click it belongs to).
    """

    cause: str
    ref: ReturnRef | None
    correlation_id: str
    seconds: int | None
    tbook_message: str
    login: str | None = None
    connection_type: str | None = None
    external_id: str | None = None
    teacher: bool = False


def explain(
    token: str, *, login: str | None, tbook_message: str, correlation_id: str, address: str | None = None
) -> SsoError:
    """Return what the errorUrl page should say for the reference ``token``, and audit it.

    tbook-api.md only says "In the event of a problem, we will redirect the user to the errorUrl": T-book
    names no cause. The reference tells which link and click it was, and when the click was: a sign-in URL
    lasts 60 seconds, so landing here later means it expired, and sooner that T-book refused it.
    ``correlation_id`` is the request's, which stands when the reference is not valid. Raises TooManyReturns
    when `address` sent too many anonymous calls (no signed-in learner, or no valid reference) lately.
    """
    ref = return_refs.read(token)
    anonymous = login is None or ref is None
    if anonymous:  # anyone can call this page: a stranger's calls write a bounded number of rows
        return_throttle.admit(address)
    tbook_message = return_throttle.one_line(tbook_message, MAX_TEXT)
    if ref is None:
        found = SsoError("unverified", None, correlation_id, None, tbook_message, login)
    else:
        age = return_refs.age(token)
        seconds = int(age) if age is not None else None
        cause = "expired" if seconds is not None and seconds >= URL_LIFETIME else "refused"
        found = SsoError(cause, ref, ref.correlation_id, seconds, tbook_message, login, **_asked_for(ref, login))
    audit.record(
        "sso_error",
        "error",
        actor=login,
        link_slug=ref.slug if ref else None,
        mode="authtoken",
        correlation_id=found.correlation_id,
        detail={
            "verified": ref is not None,
            "cause": found.cause,
            "seconds_since_click": found.seconds,
            "connection_type": found.connection_type,
            "tbook_message": tbook_message,
            "anonymous": anonymous,
            "address": address,
        },
    )
    if found.cause == "refused":
        # T-book may not know the learner after all: its next click looks it up (and creates it) again.
        provisioning.forget_after_sign_in_error(found.correlation_id)
    return found


def _asked_for(ref: ReturnRef, login: str | None) -> dict:
    """Return how the click asked T-book to sign the learner in: by login or by ID, as learner or teacher."""
    asked: dict = {}
    try:
        asked["connection_type"] = flow.find_link(ref.slug).connection_type
    except LinkNotFound:  # disabled or removed since the click
        pass
    profile = flow.find_profile(login) if login else None
    if profile is not None:
        asked["external_id"] = profile.external_id
        asked["teacher"] = profile.user_type == "teacher"
    return asked

"""The /authToken sign-in: provision the learner, ask T-book for a one-minute URL, and send the browser there.

A click gives T-book at most GATEWAY_CLICK_DEADLINE seconds in all (calls, retries, waiting for the token);
past it the learner gets the "T-book is slow" page and the click is audited as a timeout.
"""

from __future__ import annotations

import re
from typing import NoReturn
from urllib.parse import urlsplit

from flask import current_app

from app.errors import ProfileInvalid, TBookRefused, TBookSlow, TBookUnavailable
from app.services.audit import trail as audit
from app.services.tbook_connection import clients as tbook_api
from app.services.tbook_connection import provisioning
from app.settings import credentials
from app.store.hot_path import release_hot_connection
from app.store.views import LinkView, ProfileView
from app.tbook import (
    DeadlineExceeded,
    ServerError,
    TBookConnectionError,
    TBookError,
    TBookNotFound,
    TBookProtocolError,
    TooManyRequests,
    Unauthorized,
    deadline,
)

# T-book's own hosts: its sign-in URLs may name the main domain while the API is on a subdomain.
TBOOK_DOMAIN = "t-book.fr"


def allowed_hosts() -> set[str]:
    creds = credentials.current()
    hosts = {urlsplit(creds.api_url).hostname, urlsplit(creds.lti_url).hostname}
    return {h.lower() for h in hosts if h}


_AMBIGUOUS = re.compile(r"[\\@\s\x00-\x1f\x7f]")


def is_tbook_url(url: str) -> bool:
    """True when `url` is http(s) on the configured T-book host (or, for test/live, on t-book.fr)."""
    # Python and browsers disagree on backslashes, user-info and control characters in the authority
    # (`https://evil.example\@t-book.fr/` is t-book.fr to urlsplit, evil.example to a browser): refuse them.
    if _AMBIGUOUS.search(url):
        return False
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host:
        return False
    try:
        parts.port  # noqa: B018  (`host:5050.evil.example` has host `host` to urlsplit, and no valid port)
    except ValueError:
        return False
    if host in allowed_hosts():
        return True
    return credentials.current().env in ("test", "live") and (host == TBOOK_DOMAIN or host.endswith("." + TBOOK_DOMAIN))


def _fail(err: TBookError, *, login: str, link: LinkView, correlation_id: str, reason: str) -> NoReturn:
    if isinstance(err, DeadlineExceeded):
        seconds = err.seconds or current_app.config["GATEWAY_CLICK_DEADLINE"]
        audit.record(
            "launch",
            "timeout",
            actor=login,
            link_slug=link.slug,
            mode="authtoken",
            correlation_id=correlation_id,
            detail={"reason": reason, "endpoint": err.endpoint, "deadline_seconds": seconds},
        )
        raise TBookSlow(seconds) from err
    audit.record(
        "launch",
        "error",
        actor=login,
        link_slug=link.slug,
        mode="authtoken",
        tbook_status=err.status,
        correlation_id=correlation_id,
        detail={"reason": reason, "tbook_code": err.code, "endpoint": err.endpoint},
    )
    if isinstance(err, TooManyRequests):
        wait = f"about {int(err.retry_after)} seconds" if err.retry_after else "a minute"
        raise TBookUnavailable(
            "T-book is receiving too many requests right now.", hint=f"Wait {wait}, then try again."
        ) from err
    if isinstance(err, TBookConnectionError | ServerError | TBookProtocolError):
        raise TBookUnavailable(
            "T-book did not answer the gateway properly, even after several tries.",
            hint="T-book may be busy or down. Wait a minute, then try again.",
        ) from err
    if isinstance(err, Unauthorized):
        raise TBookRefused(
            "T-book refused the gateway's API credentials.",
            hint="Your administrator should check the T-book client id and client secret.",
        ) from err
    if isinstance(err, TBookNotFound) and err.endpoint == "authToken":
        raise TBookRefused("T-book does not know your account.", hint="Ask your T-book administrator.") from err
    raise TBookRefused(f"T-book refused the sign-in: {err.message}", hint="Ask your T-book administrator.") from err


_NOT_THE_LEARNER = (Unauthorized, TooManyRequests, ServerError, TBookConnectionError, TBookProtocolError)


def _refused_learner(err: TBookError) -> bool:
    """Whether /authToken turned the learner down (unknown: a 404, or its error envelope), rather than the gateway's
    credentials (401), the moment (429, 5xx) or the network."""
    return err.endpoint == "authToken" and not isinstance(err, _NOT_THE_LEARNER)


def sign_in_url(
    profile: ProfileView, link: LinkView, *, error_url: str, correlation_id: str, reason: str, fallback: bool
) -> str:
    """Return T-book's one-time `authentificationUrl` for `profile` (never stored), and audit the redirect.

    Raises ProfileInvalid (no externalID for an id link), TBookUnavailable or TBookRefused.
    """
    if link.connection_type == "id" and not profile.external_id:
        raise ProfileInvalid("externalID", "is required when the link connects by id")
    client = tbook_api.client()
    user_type = 2 if profile.user_type == "teacher" else 1
    identifier = profile.login if link.connection_type == "login" else str(profile.external_id)
    # insertLearner creates learners only; teachers are T-book's to create.
    provisions = link.connection_type == "login" and user_type == 1
    known = provisions and provisioning.is_known(profile)
    # The click holds no database connection while T-book is asked: threads waiting on T-book never starve
    # the others of connections (a worker's pool is sized for its threads, one connection each at a time).
    release_hot_connection()
    try:
        with deadline.within(current_app.config["GATEWAY_CLICK_DEADLINE"]):
            if provisions and not known:
                provisioning.ensure_learner(client, profile, correlation_id=correlation_id, link_slug=link.slug)
                release_hot_connection()  # taken again by the provisioning's audit row
            auth = client.auth_token(user_type, link.connection_type, identifier, error_url)
    except TBookError as err:
        if provisions and _refused_learner(err):
            provisioning.forget(profile.login)
        _fail(err, login=profile.login, link=link, correlation_id=correlation_id, reason=reason)
    if not is_tbook_url(auth.authentification_url):
        audit.record(
            "launch",
            "error",
            actor=profile.login,
            link_slug=link.slug,
            mode="authtoken",
            correlation_id=correlation_id,
            detail={"reason": "authentificationUrl is not on the T-book host", "fallback": fallback},
        )
        raise TBookRefused(
            "T-book answered with a sign-in address outside T-book; the gateway did not follow it.",
            hint="Your administrator should check TBOOK_API_URL.",
        )
    audit.record(
        "fallback" if fallback else "launch",
        "redirected",
        actor=profile.login,
        link_slug=link.slug,
        mode="authtoken",
        tbook_status=200,
        correlation_id=correlation_id,
        detail={"reason": reason, "connection_type": link.connection_type},
    )
    return auth.authentification_url

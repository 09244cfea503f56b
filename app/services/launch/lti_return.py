"""T-book's way back to `launch_presentation_return_url`: audit it, and fall back to /authToken once for `auto`."""

from __future__ import annotations

from dataclasses import dataclass, replace

from app.errors import LinkNotFound
from app.services.audit import trail as audit
from app.services.launch import flow, launch_request, return_refs, return_throttle
from app.services.launch.return_refs import ReturnRef

# What T-book puts in the URL is stored (lti_log), or shown and stored (the messages), never more than this.
MAX_TEXT = 500
# LTI 1.1's lti_errorlog is a refusal meant for the consumer's log, not for the learner: the page says this instead.
LOGGED_ONLY = "it refused the launch, and gave its reason for the gateway's log only (your administrator can read it)"
MAX_SHOWN = 300


@dataclass(frozen=True)
class ReturnPage:
    """What the return page shows: T-book's message or error, and which click it was about (None: unverified)."""

    message: str
    error: str
    ref: ReturnRef | None
    correlation_id: str
    # T-book refused an `auto` launch that already fell back to /authToken once: the gateway stops there.
    fell_back_already: bool = False


def handle_return(
    token: str,
    *,
    lti_msg: str,
    lti_errormsg: str,
    lti_log: str,
    login: str | None,
    click: launch_request.Click,
    lti_errorlog: str = "",
    address: str | None = None,
) -> flow.Redirect | ReturnPage:
    """Audit T-book's return for the click `token` refers to; return the page to show, or the fallback redirect.

    A refusal is `lti_errormsg` (for the learner) or `lti_errorlog` (for the log), or both, as LTI 1.1 allows.
    When T-book refused the LTI launch of an `auto` link and the learner is signed in, the click falls back to
    /authToken, once (T-book refusing the same click again gets the page, not a loop). `click` is the request's:
    its correlation id stands when the reference is not verified. Raises TBookUnavailable or TBookRefused when
    the fallback fails (it may then be tried again), TooManyReturns when `address` sent too many anonymous
    returns (no signed-in learner, or no verified reference) lately.
    """
    ref = return_refs.read(token)
    anonymous = login is None or ref is None
    if anonymous:
        return_throttle.admit(address)
    message, error = return_throttle.one_line(lti_msg, MAX_SHOWN), return_throttle.one_line(lti_errormsg, MAX_SHOWN)
    error_log = return_throttle.one_line(lti_errorlog, MAX_TEXT)
    correlation_id = ref.correlation_id if ref else click.correlation_id
    audit.record(
        "lti_return",
        "error" if error or error_log else "ok",
        actor=login,
        link_slug=ref.slug if ref else None,
        correlation_id=correlation_id,
        detail={
            "lti_msg": message,
            "lti_errormsg": error,
            "lti_errorlog": error_log,
            "lti_log": return_throttle.one_line(lti_log, MAX_TEXT),
            "verified": ref is not None,
            "anonymous": anonymous,
            "address": address,
        },
    )
    page = ReturnPage(message, error or (LOGGED_ONLY if error_log else ""), ref, correlation_id)
    refusal = error or error_log  # also the fallback's audited reason
    if not (refusal and login and ref):
        return page
    try:
        link = flow.find_link(ref.slug)
    except LinkNotFound:  # disabled or removed since the click: nothing to fall back to
        return page
    if link.mode != "auto":
        return page
    req = launch_request.build(link, login, replace(click, correlation_id=correlation_id))
    redirect = flow.fallback_after_refusal(req, refusal)
    return redirect if redirect is not None else replace(page, fell_back_already=True)

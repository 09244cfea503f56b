"""What an error page tells a person, in their words and language: what happened, and what to do next."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from app import errors
from app.services.identity.signed_links import SignedLinkUnusable, SignedLinkUsed
from app.tbook.errors import Unauthorized


@dataclass(frozen=True)
class LearnerText:
    """What happened and what to do; `retry`: trying the same address again may work; `show_status`: the page
    shows the HTTP status (a paused link answers 404 by the contract, but must not read as a broken one)."""

    happened: object
    todo: object
    retry: bool = False
    show_status: bool = True


# Most specific first: the first kind an error is an instance of speaks for it.
_BY_KIND: tuple[tuple[type[errors.GatewayError], LearnerText], ...] = (
    (
        errors.LinkDisabled,
        LearnerText(
            _l("This link to T-book is temporarily unavailable: your T-book administrator has turned it off for now."),
            _l("Try again later. If you need T-book now, ask your T-book administrator."),
            show_status=False,
        ),
    ),
    (
        errors.LinkNotFound,
        LearnerText(
            _l("The link you followed is unknown, or it has been turned off."),
            _l("Go back to the start page and pick one of your links."),
        ),
    ),
    (
        errors.ProfileMissing,
        LearnerText(
            _l("The gateway has no T-book profile for your account, so it cannot open T-book for you."),
            _l("Ask your T-book administrator to add your profile."),
        ),
    ),
    (
        errors.ProfileInvalid,
        LearnerText(
            _l("Part of your profile is missing, or is not in a form T-book accepts, so nothing was sent to T-book."),
            _l("Your T-book administrator can correct your profile: tell them."),
        ),
    ),
    (
        errors.LtiNotConfigured,
        LearnerText(
            _l("The gateway is not fully set up to open T-book."),
            _l("This needs your administrator: tell them. Trying again will not help until it is fixed."),
        ),
    ),
    (
        errors.TBookSlow,
        LearnerText(
            _l("T-book took too long to answer, so the gateway stopped waiting. T-book was not opened."),
            _l("Wait a minute, then try again. If T-book stays slow, tell your administrator."),
            retry=True,
        ),
    ),
    (
        errors.TBookUnavailable,
        LearnerText(
            _l("T-book did not answer the gateway, or it is too busy right now."),
            _l("Wait a minute, then try again. If it goes on, tell your administrator."),
            retry=True,
        ),
    ),
    (
        errors.TBookRefused,
        LearnerText(
            _l("T-book answered, but would not sign you in."),
            _l("Try once more. If T-book refuses again, tell your T-book administrator."),
            retry=True,
        ),
    ),
    (
        SignedLinkUnusable,
        LearnerText(
            _l("The sign-in link you followed has expired or is not valid, so the gateway could not sign you in."),
            _l("Go back to the intranet and click again: each click makes a new link."),
        ),
    ),
    (
        SignedLinkUsed,
        LearnerText(
            _l("The sign-in link you followed has been used already: each link signs you in once only."),
            _l("Go back to the intranet and click again."),
        ),
    ),
    (
        errors.SignInRefused,
        LearnerText(
            _l("The gateway could not tell who you are."),
            _l("Open T-book again from your intranet page, which signs you in."),
        ),
    ),
    (
        errors.Throttled,
        LearnerText(
            _l("Signing in is paused for a while after too many tries."),
            _l("Wait a few minutes, then try again."),
        ),
    ),
    (
        errors.Forbidden,
        LearnerText(
            _l("Your account may not open this page."),
            _l("If you think it should, ask your administrator."),
        ),
    ),
)

_BY_STATUS = {
    400: LearnerText(
        _l("The form expired, or the address is incomplete."),
        _l("Go back, reload the page and try again."),
    ),
    401: LearnerText(
        _l("The gateway could not tell who you are."),
        _l("Open T-book again from your intranet page, which signs you in."),
    ),
    403: LearnerText(
        _l("Your account may not open this page."),
        _l("If you think it should, ask your administrator."),
    ),
    404: LearnerText(
        _l("There is nothing at this address."),
        _l("Go back to the start page."),
    ),
    405: LearnerText(
        _l("This page cannot be used that way."),
        _l("Go back to the start page."),
    ),
    409: LearnerText(
        _l("What you asked for contradicts what exists already."),
        _l("Go back, check, and try again."),
    ),
    413: LearnerText(
        _l("What you sent is larger than the gateway accepts; nothing was read or saved."),
        _l("Send something smaller."),
    ),
    422: LearnerText(
        _l("Part of what you sent is missing or not in the expected form."),
        _l("Go back, correct it and try again."),
    ),
    429: LearnerText(
        _l("Signing in is paused for a while after too many tries."),
        _l("Wait a few minutes, then try again."),
    ),
    502: LearnerText(
        _l("T-book answered, but would not sign you in."),
        _l("Try once more. If it happens again, tell your administrator."),
        retry=True,
    ),
    503: LearnerText(
        _l("The gateway cannot do this right now."),
        _l("Wait a minute, then try again. If it goes on, tell your administrator."),
        retry=True,
    ),
}
_UNEXPECTED = LearnerText(
    _l("The gateway hit an unexpected error. It has been logged."),
    _l("Wait a moment and try again. If it happens again, tell your administrator."),
)


def for_error(err: Exception | None, status: int) -> LearnerText:
    """Return what the page says about `err` (a GatewayError, or None for an HTTP error of `status`)."""
    if isinstance(err, errors.GatewayError):
        for kind, text in _BY_KIND:
            if isinstance(err, kind):
                return text
    return _BY_STATUS.get(status, _UNEXPECTED)


def is_admin_advice(err: Exception | None) -> bool:
    """True when the error's hint is advice for an administrator (settings, credentials), not for the learner.

    Such a hint is logged with the correlation id, and the audit row of the same id says what failed; the page
    only tells the learner to pass the reference on.
    """
    if isinstance(err, errors.LtiNotConfigured):
        return True
    # T-book refused the gateway's own API credentials: the client id and secret are the administrator's.
    return isinstance(err, errors.TBookRefused) and isinstance(err.__cause__, Unauthorized)


# The titles of the domain's kinds (app/errors.py and the services' errors) and of HTTP errors (werkzeug's names),
# listed here so that extraction finds them: the page shows `translated(err.title)`.
TITLES = (
    _l("Something went wrong"),
    _l("Not Found"),
    _l("Invalid input"),
    _l("Conflict"),
    _l("Not allowed"),
    _l("Service unavailable"),
    _l("Sign-in refused"),
    _l("Too many attempts"),
    _l("Too many sign-in attempts"),
    _l("T-book refused the sign-in"),
    _l("Unknown launch link"),
    _l("This link is temporarily unavailable"),
    _l("This sign-in link has been used"),
    _l("This sign-in link cannot be used"),
    _l("No T-book profile"),
    _l("Your profile cannot be sent to T-book"),
    _l("T-book launch is not configured"),
    _l("T-book is not answering"),
    _l("T-book is slow"),
    _l("Request too large"),
    _l("Bad Request"),
    _l("Unauthorized"),
    _l("Forbidden"),
    _l("Method Not Allowed"),
    _l("Request Entity Too Large"),
    _l("Unprocessable Entity"),
    _l("Too Many Requests"),
    _l("Internal Server Error"),
    _l("Bad Gateway"),
    _l("Service Unavailable"),
)


# The services' fixed messages and hints a learner may read among the details (app/services, app/web/auth): said
# in the page's language when listed here; a message built with a name or a field in it stays as the service
# wrote it. tests/web/test_error_pages.py checks that each is still the service's own words.
MESSAGES = (
    _l("Ask your T-book administrator."),
    _l("If you forgot your password, ask your T-book administrator."),
    _l("Open T-book from your intranet page, which signs you in."),
    _l("Signed links are valid for a short time only."),
    _l("T-book answered with a sign-in address outside T-book; the gateway did not follow it."),
    _l("T-book did not answer in the time the gateway gives a click, so the gateway stopped waiting."),
    _l("T-book did not answer the gateway properly, even after several tries."),
    _l("T-book does not know your account."),
    _l("T-book is receiving too many requests right now."),
    _l("T-book is slow right now. Try again in a minute."),
    _l("T-book may be busy or down. Wait a minute, then try again."),
    _l("T-book refused the gateway's API credentials."),
    _l("The gateway has no LTI shared secret for T-book, so it cannot sign this launch."),
    _l("The preview is open for debug links (and admins) only."),
    _l("This launch link is switched off for now, until your T-book administrator turns it back on."),
    _l("This link signs in through /authToken: it has no LTI launch to preview."),
    _l("This sign-in link does not name a user."),
    _l("This sign-in link has been used already."),
    _l("This sign-in link has expired."),
    _l("This sign-in link is not valid (it was altered or signed with another key)."),
    _l("This sign-in link was made for another launch link."),
    _l("You are not signed in."),
)


def translated(text: str) -> str:
    """Return an error's title, message or hint in the page's language (as it is when the catalog lacks it)."""
    return gettext(text)

"""Signed links: an intranet portal vouches for its user with a short-lived itsdangerous token, used once."""

from __future__ import annotations

import json
import secrets
from datetime import timedelta

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from app.errors import SignInRefused
from app.services.identity import logins
from app.store import nonces

SALT = "tbook-gateway.signed-link"


class SignedLinkError(SignInRefused):
    """The token is expired, altered, used, made for another link or names no user; the message says which."""

    def __init__(self, message: str, *, hint: str | None = "Signed links are valid for a short time only.") -> None:
        super().__init__(message, hint=hint)


class SignedLinkUnusable(SignedLinkError):
    """The token has expired, or was altered or signed with another key: a new click on the intranet makes a good
    one (the page says so; the message says which)."""

    title = "This sign-in link cannot be used"


class SignedLinkUsed(SignedLinkError):
    """The token signed someone in already: a new click on the intranet makes a new one (the page says so)."""

    title = "This sign-in link has been used"

    def __init__(self) -> None:
        super().__init__("This sign-in link has been used already.", hint=None)


def _serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=SALT)


def make_token(secret: str, login: str, link: str | None = None) -> str:
    """Return a token that signs `login` in (for `link` only, when given).

    The nonce makes each token one of a kind: two links made for the same user and link within one second
    would otherwise be the same token, and the second would read as used.
    """
    payload = {"login": login, "nonce": secrets.token_urlsafe(12)}
    if link is not None:
        payload["link"] = link
    return _serializer(secret).dumps(payload)


def _login_of(payload: object) -> str:
    login = logins.normalise(payload.get("login") if isinstance(payload, dict) else None)
    if login is None:
        raise SignedLinkError("This sign-in link does not name a user.")
    return login


def read_token(secret: str, token: str, *, max_age: int, link: str | None = None) -> tuple[str, str]:
    """Return (the login the token vouches for, the token's identity for the one-time check).

    The identity is the verified content (payload and signing time), never the token's text: itsdangerous
    accepts several spellings of one token (base64 padding, trailing bytes, the signature's unused low bits),
    and each spelling would otherwise count as a new link.
    Raises SignedLinkUnusable when it is expired or altered, SignedLinkError when it was made for a different
    link or names no user.
    """
    try:
        payload, signed_at = _serializer(secret).loads(token, max_age=max_age, return_timestamp=True)
    except SignatureExpired as err:
        raise SignedLinkUnusable("This sign-in link has expired.") from err
    except BadSignature as err:
        raise SignedLinkUnusable("This sign-in link is not valid (it was altered or signed with another key).") from err
    login = _login_of(payload)
    if payload.get("link") not in (None, link):
        raise SignedLinkError("This sign-in link was made for another launch link.")
    identity = json.dumps([payload, signed_at.timestamp()], sort_keys=True, ensure_ascii=True)
    return login, identity


def sign_in_once(secret: str, token: str, *, max_age: int, link: str | None = None) -> str:
    """Return the login a valid, unused token vouches for, and mark the token used (for every instance).

    Raises SignedLinkError when the token is not valid (see read_token), SignedLinkUsed when it was used already.
    """
    login, identity = read_token(secret, token, max_age=max_age, link=link)
    # A link signs in once: copied from a proxy log or a shared screen, it is worth nothing. Kept a minute
    # past its validity, so that clocks a little apart between instances cannot reopen it.
    if not nonces.consume("signed-link", identity, keep_for=timedelta(seconds=max_age + 60)):
        raise SignedLinkUsed()
    return login

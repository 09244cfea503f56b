"""Signed links: an intranet portal vouches for its user with a short-lived itsdangerous token."""

from __future__ import annotations

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from app.errors import SignInRefused

SALT = "tbook-gateway.signed-link"


class SignedLinkError(SignInRefused):
    """The token is expired, altered or made for another link; the message says which."""

    def __init__(self, message: str) -> None:
        super().__init__(message, hint="Signed links are valid for a short time only.")


def _serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=SALT)


def make_token(secret: str, login: str, link: str | None = None) -> str:
    """Return a token that signs `login` in (for `link` only, when given)."""
    payload = {"login": login} if link is None else {"login": login, "link": link}
    return _serializer(secret).dumps(payload)


def read_token(secret: str, token: str, *, max_age: int, link: str | None = None) -> str:
    """Return the login the token vouches for.

    Raises SignedLinkError when it is expired, altered, or made for a different link.
    """
    try:
        payload = _serializer(secret).loads(token, max_age=max_age)
    except SignatureExpired as err:
        raise SignedLinkError("This sign-in link has expired. Go back to the intranet and click again.") from err
    except BadSignature as err:
        raise SignedLinkError("This sign-in link is not valid (it was altered or signed with another key).") from err
    if not isinstance(payload, dict) or not isinstance(payload.get("login"), str):
        raise SignedLinkError("This sign-in link does not name a user.")
    if payload.get("link") not in (None, link):
        raise SignedLinkError("This sign-in link was made for another launch link.")
    return payload["login"].strip().lower()

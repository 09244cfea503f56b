"""The reference a launch puts in the URLs T-book comes back to (return URL, errorUrl): which link and click."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from flask import current_app
from itsdangerous import BadSignature, TimestampSigner

SALT = "tbook-gateway.launch-ref"
MAX_AGE = 24 * 3600


@dataclass(frozen=True)
class ReturnRef:
    slug: str
    correlation_id: str


@lru_cache(maxsize=8)
def _signer(secret_key: str) -> TimestampSigner:
    # Built once per key: every click makes a reference. A signed "slug:correlation id" string, not a serialized
    # list: neither holds a colon (links.SLUG, the correlation id's pattern), and signing the string alone cost a
    # fifth of serializing (JSON, zlib, base64) and signing it.
    return TimestampSigner(secret_key, salt=SALT)


def make(slug: str, correlation_id: str) -> str:
    """Return a signed reference to this click; the return URL and the errorUrl both carry it."""
    return _signer(current_app.config["SECRET_KEY"]).sign(f"{slug}:{correlation_id}").decode("ascii")


def read(token: str) -> ReturnRef | None:
    """Return the reference, or None when it is missing, forged or older than a day."""
    try:
        value = _signer(current_app.config["SECRET_KEY"]).unsign(token, max_age=MAX_AGE).decode("utf-8")
    except (BadSignature, UnicodeDecodeError):
        return None
    slug, colon, correlation_id = value.partition(":")
    return ReturnRef(slug, correlation_id) if colon and slug and correlation_id else None

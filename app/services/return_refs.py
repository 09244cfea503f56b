"""The reference a launch puts in the URLs T-book comes back to (return URL, errorUrl): which link and click."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

SALT = "tbook-gateway.launch-ref"
MAX_AGE = 24 * 3600


@dataclass(frozen=True)
class ReturnRef:
    slug: str
    correlation_id: str


@lru_cache(maxsize=8)
def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    # Built once per key: every click makes a reference.
    return URLSafeTimedSerializer(secret_key, salt=SALT)


def make(slug: str, correlation_id: str) -> str:
    """Return a signed reference to this click; the return URL and the errorUrl both carry it."""
    return _serializer(current_app.config["SECRET_KEY"]).dumps([slug, correlation_id])


def read(token: str) -> ReturnRef | None:
    """Return the reference, or None when it is missing, forged or older than a day."""
    try:
        slug, correlation_id = _serializer(current_app.config["SECRET_KEY"]).loads(token, max_age=MAX_AGE)
    except (BadSignature, ValueError, TypeError):
        return None
    return ReturnRef(str(slug), str(correlation_id))

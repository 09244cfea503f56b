"""References that come back from T-book: which link and click a return URL or an errorUrl belongs to."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

MAX_AGE = 24 * 3600
PURPOSES = ("lti-return", "sso-error")


@dataclass(frozen=True)
class ReturnRef:
    slug: str
    correlation_id: str


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    if purpose not in PURPOSES:
        raise ValueError(f"unknown reference purpose {purpose!r}")
    return _cached_serializer(current_app.config["SECRET_KEY"], purpose)


@lru_cache(maxsize=8)
def _cached_serializer(secret_key: str, purpose: str) -> URLSafeTimedSerializer:
    # Built once per key: every click makes two references.
    return URLSafeTimedSerializer(secret_key, salt=f"tbook-gateway.{purpose}")


def make(slug: str, correlation_id: str, purpose: str = "lti-return") -> str:
    return _serializer(purpose).dumps([slug, correlation_id])


def read(token: str, purpose: str = "lti-return") -> ReturnRef | None:
    """Return the reference, or None when it is missing, forged, made for another purpose or older than a day."""
    try:
        slug, correlation_id = _serializer(purpose).loads(token, max_age=MAX_AGE)
    except (BadSignature, ValueError, TypeError):
        return None
    return ReturnRef(str(slug), str(correlation_id))

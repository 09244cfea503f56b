"""The reference a launch carries in its return URL: which link and click T-book is returning from."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

SALT = "tbook-gateway.return-ref"
MAX_AGE = 24 * 3600


@dataclass(frozen=True)
class ReturnRef:
    slug: str
    correlation_id: str


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def make(slug: str, correlation_id: str) -> str:
    return _serializer().dumps([slug, correlation_id])


def read(token: str) -> ReturnRef | None:
    """Return the reference, or None when it is missing, forged or older than a day."""
    try:
        slug, correlation_id = _serializer().loads(token, max_age=MAX_AGE)
    except (BadSignature, ValueError, TypeError):
        return None
    return ReturnRef(str(slug), str(correlation_id))

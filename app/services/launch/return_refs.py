"""The ways back from T-book (return URL, errorUrl): their addresses, and the reference to the click they carry."""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import unquote, urlsplit

from flask import current_app
from itsdangerous import BadSignature, TimestampSigner

SALT = "tbook-gateway.launch-ref"
MAX_AGE = 24 * 3600
# The gateway's own routes that T-book sends the browser back to.
RETURN_ENDPOINT = "launch.lti_return"
ERROR_ENDPOINT = "sso.error"
_CACHE = "tbook_gateway.return_urls"


@dataclass(frozen=True)
class ReturnRef:
    slug: str
    correlation_id: str


@dataclass(frozen=True)
class ReturnUrls:
    """The absolute URLs T-book comes back to under one base URL (without the reference)."""

    return_url: str
    error_url: str


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


def age(token: str) -> float | None:
    """Return the seconds since the click that made the reference, or None when it is not a valid one."""
    try:
        _, signed_at = _signer(current_app.config["SECRET_KEY"]).unsign(token, max_age=MAX_AGE, return_timestamp=True)
    except BadSignature:
        return None
    return max(0.0, time.time() - signed_at.timestamp())


def urls(base_url: str) -> ReturnUrls:
    """Return the return URL and errorUrl under `base_url`, the gateway's public root (`http://host[:port]/prefix/`).

    Built as `url_for` would for a request to that root, through the app's URL map, so that no request is needed
    (the CLI has none), and once per base URL: every click needs both, and each cost 5 to 7 µs through the URL
    map (bench/README.md).
    """
    cache = current_app.extensions.setdefault(_CACHE, {})
    found = cache.get(base_url)
    if found is None:
        if len(cache) > 1000:  # a gateway answers on a few addresses; never let forged Host headers grow it
            cache.clear()
        found = cache[base_url] = _build(base_url)
    return found


def _build(base_url: str) -> ReturnUrls:
    parts = urlsplit(base_url)
    # The root URL of a request spells its path prefix percent-encoded; the URL map takes it decoded, as the
    # request's SCRIPT_NAME.
    adapter = current_app.url_map.bind(parts.netloc, script_name=unquote(parts.path) or "/", url_scheme=parts.scheme)
    return ReturnUrls(
        return_url=adapter.build(RETURN_ENDPOINT, force_external=True),
        error_url=adapter.build(ERROR_ENDPOINT, force_external=True),
    )

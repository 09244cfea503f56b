"""The launch page's quick look at T-book's launch host before it posts the form, and the policy that allows it."""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit

from flask import current_app

from app.web.framing import frame_headers


@lru_cache(maxsize=64)
def probe_url(launch_url: str) -> str:
    """Return the address the page asks before posting: the root of the launch URL's host (scheme, host, port).

    Any answer, even an error page, shows the host is reachable; only a failed connection matters. Its root, not
    the LTI endpoint itself, so that a plain GET never reaches the endpoint that signs people in.
    """
    parts = urlsplit(launch_url)
    return f"{parts.scheme}://{parts.netloc}/"


@lru_cache(maxsize=64)
def _policy(launch_url: str, frame_ancestors: str) -> str:
    origin = probe_url(launch_url).rstrip("/")
    return f"default-src 'self'; connect-src 'self' {origin}; object-src 'none'; base-uri 'none'; {frame_ancestors}"


def allow_probe(response, launch_url: str):
    """Give the launch page its own Content-Security-Policy: the site's own files, and a connection to T-book.

    The page's script (static/launch.js) may connect to the launch host, and to nothing else; the form may post to
    it (form-action is not restricted: T-book's address is a setting). Framing stays as configured.
    """
    framing = frame_headers(current_app.config["GATEWAY_FRAME_ANCESTORS"])["Content-Security-Policy"]
    response.headers["Content-Security-Policy"] = _policy(launch_url, framing)
    return response

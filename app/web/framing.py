"""Who may show the gateway's pages in a frame: CSP frame-ancestors, and an X-Frame-Options that agrees with it."""

from __future__ import annotations

from collections.abc import Iterable


def frame_headers(ancestors: Iterable[str]) -> dict[str, str]:
    """Return the framing headers of the gateway's pages for GATEWAY_FRAME_ANCESTORS (checked origins).

    Without origins, only the gateway frames itself. With them, frame-ancestors names 'self' and those origins,
    and X-Frame-Options is left out: it cannot name another origin (ALLOW-FROM is obsolete, and browsers ignore
    it), so any value it could take would forbid what frame-ancestors allows. Browsers that know frame-ancestors
    (all current ones) go by it alone. The admin console sets its own headers: it is never framed.
    """
    allowed = " ".join(ancestors)
    if not allowed:
        return {"Content-Security-Policy": "frame-ancestors 'self'", "X-Frame-Options": "SAMEORIGIN"}
    return {"Content-Security-Policy": f"frame-ancestors 'self' {allowed}"}

"""Security headers on every response: a Content-Security-Policy, HSTS in production over HTTPS, and the rest."""

from __future__ import annotations

from flask import Flask, current_app, request

from app.web.framing import frame_headers

# This site's own files only: no inline script or style anywhere (the launch page submits itself from
# static/launch.js), no plugin, no <base> rewriting where relative URLs go. form-action is left open on
# purpose: the launch form posts to T-book, whose address is a setting.
_POLICY = "default-src 'self'; object-src 'none'; base-uri 'none'"
# A year, the usual preload minimum; no includeSubDomains: other intranet hosts under the same domain may
# still serve plain HTTP, and that is not the gateway's to decide.
HSTS = "max-age=31536000"


def content_security_policy(frame_ancestors: str = "frame-ancestors 'self'") -> str:
    """Return the policy, ending with who may frame the page (a `frame-ancestors` directive)."""
    return f"{_POLICY}; {frame_ancestors}"


def install(app: Flask) -> None:
    # Who may frame the gateway's pages is GATEWAY_FRAME_ANCESTORS's (app/web/framing.py); the rest is fixed.
    framing = frame_headers(app.config["GATEWAY_FRAME_ANCESTORS"])
    policy = content_security_policy(framing.pop("Content-Security-Policy"))

    @app.after_request
    def _security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Content-Security-Policy", policy)
        for name, value in framing.items():
            response.headers.setdefault(name, value)
        # Only over HTTPS (a browser ignores it over HTTP), and only in production: a development gateway on
        # https://localhost must not pin every other local service to HTTPS for a year.
        if current_app.config["PRODUCTION"] and request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        return response

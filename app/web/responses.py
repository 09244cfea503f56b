"""Response headers that several blueprints set: pages never cached, and what Referer they let out."""

from __future__ import annotations

from flask import make_response


def no_store(response, referrer_policy: str = "same-origin"):
    """Never cache `response`; pages with a CSRF form keep a same-origin Referer (Flask-WTF checks it over HTTPS)."""
    response = make_response(response)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = referrer_policy
    return response


def launching(response):
    """The auto-submitting launch page and redirects to T-book: no Referer at all reaches T-book."""
    return no_store(response, referrer_policy="no-referrer")

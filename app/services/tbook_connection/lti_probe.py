"""Posting a signed launch that signs no one in to T-book's LTI URL, and reading what T-book answered.

LTI 1.1 defines the launch as a form POST and nothing else: a GET or HEAD on the launch URL means nothing to a
Tool Provider (the sandbox answers 405), so it would only show that the host answers. The probe is a real,
signed `basic-lti-launch-request` without a user or `custom_data`: T-book checks its signature, then refuses it
by sending the browser back to `launch_presentation_return_url` with `lti_errormsg` (the sandbox does exactly
that). The probe never follows that redirect: it reads the message.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import httpx

from app import lti
from app.lti.probe import build_probe, refusal_kind

# Where T-book sends the probe back; never followed, and `.invalid` can never resolve (RFC 2606).
RETURN_URL = "https://connection-check.invalid/lti/return"
_MAX_MESSAGE = 300


@dataclass(frozen=True)
class ProbeAnswer:
    """What the LTI launch URL answered: `verdict` is verified, refused, unclear or unreachable."""

    verdict: str
    seconds: float
    status: int | None = None
    message: str = ""  # T-book's lti_errormsg, or what went wrong
    kind: str = ""  # for a refusal: timestamp, nonce, consumer_key or signature (app.lti.probe.refusal_kind)


def probe(http: httpx.Client, url: str, key: str, secret: str, *, timestamp: float) -> ProbeAnswer:
    """Post the signed probe to `url` and return how T-book answered (never raises for T-book's answer).

    Raises ValueError when `url` is not an absolute http(s) URL.
    """
    signed = lti.sign_launch(url, build_probe(RETURN_URL), key, secret, timestamp=str(int(timestamp)))
    began = time.perf_counter()
    try:
        response = http.post(signed.url, data=dict(signed.params), follow_redirects=False)
    except httpx.TransportError as err:
        return ProbeAnswer("unreachable", time.perf_counter() - began, message=type(err).__name__)
    seconds = time.perf_counter() - began
    status = response.status_code
    error = _lti_errormsg(response)
    if error:
        kind = refusal_kind(error)
        verdict = "verified" if kind == "other" else "refused"
        return ProbeAnswer(verdict, seconds, status, error[:_MAX_MESSAGE], "" if kind == "other" else kind)
    if status in (401, 403):
        return ProbeAnswer("refused", seconds, status, f"HTTP {status} without lti_errormsg", "signature")
    return ProbeAnswer("unclear", seconds, status)


def _lti_errormsg(response: httpx.Response) -> str | None:
    """Return the lti_errormsg (else lti_errorlog) of a redirect to the probe's return URL, or None/empty."""
    location = response.headers.get("Location", "")
    if not response.is_redirect or not location.startswith(RETURN_URL):
        return None
    query = parse_qs(urlsplit(location).query)
    for name in ("lti_errormsg", "lti_errorlog"):
        if query.get(name):
            return query[name][0]
    return ""

"""Build a `basic-lti-launch-request` and sign it with OAuth 1.0a HMAC-SHA1 (body signature)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import time
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import parse_qsl, quote, urlsplit, urlunsplit

from oauthlib.oauth1.rfc5849 import signature

PRODUCT_FAMILY_CODE = "tbook-gateway"
_OPTIONAL = frozenset(
    {
        "resource_link_description",
        "context_id",
        "context_title",
        "context_label",
        "tool_consumer_instance_contact_email",
    }
)
# A browser normalises line breaks in submitted values to CRLF and the HTML parser rewrites NUL: either
# would change a signed value in flight, so control characters become spaces before signing.
_UNRESERVED = re.compile(r"[A-Za-z0-9._~-]*")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def safe_form_value(value: str) -> str:
    """Return `value` with control characters and line breaks made into single spaces."""
    return _CONTROL.sub(" ", value).strip()


@dataclass(frozen=True)
class LaunchContext:
    """Everything a launch says about who clicked what, in the consumer's vocabulary.

    The optional values are left out of the launch when empty. `context_id` names the context the link sits in
    (the gateway has one per link); `send_person` False leaves out the `lis_person_*` fields (name and e-mail),
    for a link whose learners T-book knows from `custom_data` alone.
    """

    resource_link_id: str
    resource_link_title: str
    user_id: str
    is_instructor: bool
    given_name: str
    family_name: str
    email: str
    custom_data: str
    return_url: str
    locale: str = "fr-FR"
    document_target: str = "window"
    instance_guid: str = "tbook-gateway"
    instance_name: str = "T-book Gateway"
    product_version: str = "0.1.0"
    debug: bool = False
    resource_link_description: str = ""
    context_id: str = ""
    context_title: str = ""
    context_label: str = ""
    contact_email: str = ""
    send_person: bool = True


def build_launch(ctx: LaunchContext) -> list[tuple[str, str]]:
    """Return the unsigned LTI 1.1 launch parameters, in a stable order, with values made form-safe."""
    params = [
        ("lti_message_type", "basic-lti-launch-request"),
        ("lti_version", "LTI-1p0"),
        ("resource_link_id", ctx.resource_link_id),
        ("resource_link_title", ctx.resource_link_title),
        ("resource_link_description", ctx.resource_link_description),
        ("context_id", ctx.context_id),
        ("context_title", ctx.context_title),
        ("context_label", ctx.context_label),
        ("user_id", ctx.user_id),
        ("roles", "Instructor" if ctx.is_instructor else "Learner"),
    ]
    if ctx.send_person:
        params += [
            ("lis_person_name_given", ctx.given_name),
            ("lis_person_name_family", ctx.family_name),
            ("lis_person_name_full", f"{ctx.given_name} {ctx.family_name}".strip()),
            ("lis_person_contact_email_primary", ctx.email),
        ]
    params += [
        ("launch_presentation_locale", ctx.locale),
        ("launch_presentation_document_target", ctx.document_target),
        ("launch_presentation_return_url", ctx.return_url),
        ("tool_consumer_instance_guid", ctx.instance_guid),
        ("tool_consumer_instance_name", ctx.instance_name),
        ("tool_consumer_instance_contact_email", ctx.contact_email),
        ("tool_consumer_info_product_family_code", PRODUCT_FAMILY_CODE),
        ("tool_consumer_info_version", ctx.product_version),
        ("custom_data", ctx.custom_data),
    ]
    if ctx.debug:
        params.append(("custom_debug", "1"))
    # An optional parameter with no value is left out rather than sent empty: to a Tool Provider an empty
    # context_id or contact e-mail is still a value.
    return [(name, safe_form_value(value)) for name, value in params if value or name not in _OPTIONAL]


@dataclass(frozen=True)
class SignedLaunch:
    """A signed launch: POST `params` as a form to `url` (whose own query string is part of the signature)."""

    url: str
    params: list[tuple[str, str]]

    @property
    def signature(self) -> str:
        return dict(self.params)["oauth_signature"]

    def base_string(self) -> str:
        """Return the OAuth signature base string that `signature` signs (for the debug preview)."""
        collected = signature.collect_parameters(
            uri_query=urlsplit(self.url).query, body=self.params, exclude_oauth_signature=True
        )
        return signature.signature_base_string(
            "POST", signature.base_string_uri(self.url), signature.normalize_parameters(collected)
        )

    def normalized_url(self) -> str:
        """Return the URL as the signature sees it: scheme and host lower-cased, default port and query dropped."""
        return signature.base_string_uri(self.url)


@lru_cache(maxsize=16)
def _form_action(url: str) -> str:
    """Return the launch URL as the browser will send it (the same few URLs, every click).

    Raises ValueError when the URL is not absolute http(s).
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"the LTI launch URL must be an absolute http(s) URL, not {url!r}")
    # A configured URL may hold raw non-ASCII; the form action and the base string need what the browser
    # sends: an IDNA host (punycode) and a percent-encoded path and query.
    netloc = parts.netloc.encode("idna").decode("ascii")
    return urlunsplit(
        parts._replace(netloc=netloc, path=quote(parts.path, safe="/%"), query=quote(parts.query, safe="=&%+"))
    )


def sign_launch(
    url: str,
    params: list[tuple[str, str]],
    consumer_key: str,
    shared_secret: str,
    *,
    nonce: str | None = None,
    timestamp: str | None = None,
) -> SignedLaunch:
    """Sign `params` for a POST to `url` with HMAC-SHA1; a fresh nonce and timestamp unless given.

    Raises ValueError when the URL is not absolute http(s).
    """
    url = _form_action(url)
    oauth = [
        ("oauth_callback", "about:blank"),
        ("oauth_consumer_key", consumer_key),
        ("oauth_nonce", nonce or secrets.token_hex(16)),
        ("oauth_signature_method", "HMAC-SHA1"),
        ("oauth_timestamp", timestamp or str(int(time.time()))),
        ("oauth_version", "1.0"),
    ]
    params = list(params) + oauth
    base = _base_string(url, params)
    key = f"{_escape(shared_secret)}&".encode()
    digest = base64.b64encode(hmac.new(key, base.encode(), hashlib.sha1).digest()).decode()
    return SignedLaunch(url=url, params=params + [("oauth_signature", digest)])


# RFC 5849 section 3.4 written out rather than through oauthlib's Client.sign: on the launch path Client.sign
# rendered the body, parsed it back and escaped every value twice, and was the largest single cost of a click
# (bench/README.md). oauthlib still provides the base string shown in debug previews, and the tests verify
# every signature with oauthlib's server and with python-oauth2 (PyLTI), both independent of this code.
_SAFE_BYTES = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
# One entry per byte value: itself when unreserved, else %XX. Applied to UTF-8 bytes seen as Latin-1
# characters, str.translate percent-encodes in C what urllib's quote does byte by byte in Python.
_PERCENT = {byte: (chr(byte) if byte in _SAFE_BYTES else f"%{byte:02X}") for byte in range(256)}


def _escape(value: str) -> str:
    """Percent-encode as RFC 5849 section 3.6 says: everything but ALPHA, DIGIT, "-", ".", "_", "~"."""
    if _UNRESERVED.fullmatch(value):
        return value
    return value.encode("utf-8").decode("latin-1").translate(_PERCENT)


@lru_cache(maxsize=16)
def _url_parts(url: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    """Return the base string URI and the query parameters of a launch URL (the same few URLs, every click)."""
    query = tuple(parse_qsl(urlsplit(url).query, keep_blank_values=True))
    return _escape(signature.base_string_uri(url)), query


def _base_string(url: str, params: list[tuple[str, str]]) -> str:
    uri, query = _url_parts(url)
    pairs = sorted((_escape(name), _escape(value)) for name, value in (*query, *params))
    normalized = "&".join(f"{name}={value}" for name, value in pairs)
    # The normalized parameters are escaped once more (section 3.4.1.1). Made of escaped names and values
    # (unreserved characters and %XX) joined by "=" and "&", they hold only three characters to encode; three
    # replacements do in C what escaping the whole string did character by character.
    return f"POST&{uri}&{normalized.replace('%', '%25').replace('=', '%3D').replace('&', '%26')}"

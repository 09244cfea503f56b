"""Build a `basic-lti-launch-request` and sign it with OAuth 1.0a HMAC-SHA1 (body signature) via oauthlib."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, urlsplit, urlunsplit

from oauthlib.oauth1 import SIGNATURE_HMAC_SHA1, SIGNATURE_TYPE_BODY, Client
from oauthlib.oauth1.rfc5849 import signature

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
PRODUCT_FAMILY_CODE = "tbook-gateway"
# A browser normalises line breaks in submitted values to CRLF and the HTML parser rewrites NUL: either
# would change a signed value in flight, so control characters become spaces before signing.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def safe_form_value(value: str) -> str:
    """Return `value` with control characters and line breaks made into single spaces."""
    return _CONTROL.sub(" ", value).strip()


@dataclass(frozen=True)
class LaunchContext:
    """Everything a launch says about who clicked what, in the consumer's vocabulary."""

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


def build_launch(ctx: LaunchContext) -> list[tuple[str, str]]:
    """Return the unsigned LTI 1.1 launch parameters, in a stable order, with values made form-safe."""
    params = [
        ("lti_message_type", "basic-lti-launch-request"),
        ("lti_version", "LTI-1p0"),
        ("resource_link_id", ctx.resource_link_id),
        ("resource_link_title", ctx.resource_link_title),
        ("user_id", ctx.user_id),
        ("roles", "Instructor" if ctx.is_instructor else "Learner"),
        ("lis_person_name_given", ctx.given_name),
        ("lis_person_name_family", ctx.family_name),
        ("lis_person_name_full", f"{ctx.given_name} {ctx.family_name}".strip()),
        ("lis_person_contact_email_primary", ctx.email),
        ("launch_presentation_locale", ctx.locale),
        ("launch_presentation_document_target", ctx.document_target),
        ("launch_presentation_return_url", ctx.return_url),
        ("tool_consumer_instance_guid", ctx.instance_guid),
        ("tool_consumer_instance_name", ctx.instance_name),
        ("tool_consumer_info_product_family_code", PRODUCT_FAMILY_CODE),
        ("tool_consumer_info_version", ctx.product_version),
        ("custom_data", ctx.custom_data),
    ]
    if ctx.debug:
        params.append(("custom_debug", "1"))
    return [(name, safe_form_value(value)) for name, value in params]


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
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"the LTI launch URL must be an absolute http(s) URL, not {url!r}")
    # A configured URL may hold raw non-ASCII; the form action and the base string need what the browser
    # sends: an IDNA host (punycode) and a percent-encoded path and query.
    netloc = parts.netloc.encode("idna").decode("ascii")
    url = urlunsplit(
        parts._replace(netloc=netloc, path=quote(parts.path, safe="/%"), query=quote(parts.query, safe="=&%+"))
    )
    client = Client(
        consumer_key,
        client_secret=shared_secret,
        signature_method=SIGNATURE_HMAC_SHA1,
        signature_type=SIGNATURE_TYPE_BODY,
        callback_uri="about:blank",
        nonce=nonce,
        timestamp=timestamp,
    )
    _, _, body = client.sign(url, http_method="POST", body=params, headers={"Content-Type": FORM_CONTENT_TYPE})
    return SignedLaunch(url=url, params=parse_qsl(body, keep_blank_values=True, strict_parsing=True))

"""A launch that signs no one in, and what a Tool Provider's refusal of it says about the signature."""

from __future__ import annotations

from app.lti.launch import PRODUCT_FAMILY_CODE

PROBE_LINK_ID = "tbook-gateway-connection-check"

# What a refusal is about, from the words Tool Providers use (the sandbox's among them). LTI 1.1 gives refusals
# no codes, only the text of lti_errormsg, so this reads the text; checked in this order: a message about a stale
# timestamp or an unknown key usually names OAuth or the signature too.
_KINDS = (
    ("timestamp", ("timestamp", "clock", "expired")),
    ("nonce", ("nonce", "replay", "already used")),
    ("consumer_key", ("consumer key", "unknown key", "invalid key", "oauth_consumer_key")),
    ("signature", ("signature", "secret", "oauth", "authenticat", "unauthori")),
)


def build_probe(return_url: str, instance_guid: str = "") -> list[tuple[str, str]]:
    """Return the unsigned parameters of a `basic-lti-launch-request` with no user and no `custom_data`.

    A Tool Provider checks the signature first; T-book then needs `custom_data` to sign someone in, so it must
    refuse this launch without creating or signing in anyone, and its refusal tells whether the signature held.
    """
    params = [
        ("lti_message_type", "basic-lti-launch-request"),
        ("lti_version", "LTI-1p0"),
        ("resource_link_id", PROBE_LINK_ID),
        ("resource_link_title", "T-book Gateway connection check"),
        ("launch_presentation_return_url", return_url),
        ("tool_consumer_info_product_family_code", PRODUCT_FAMILY_CODE),
    ]
    if instance_guid:
        params.append(("tool_consumer_instance_guid", instance_guid))
    return params


def refusal_kind(message: str) -> str:
    """Return what a refusal's `lti_errormsg` is about: timestamp, nonce, consumer_key, signature, or other.

    "other" means the Tool Provider refused for a reason past the signature (for the probe: no learner in it).
    """
    text = message.lower()
    for kind, words in _KINDS:
        if any(word in text for word in words):
            return kind
    return "other"

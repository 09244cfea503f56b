"""Verification of LTI 1.1 launches: OAuth 1.0a HMAC-SHA1 body signature, timestamp and nonce."""

from __future__ import annotations

import hmac
import string
import threading
import time
from collections.abc import Mapping

from oauthlib.oauth1 import SIGNATURE_HMAC_SHA1, RequestValidator, SignatureOnlyEndpoint

#: Seconds a launch timestamp may differ from the sandbox's clock.
TIMESTAMP_WINDOW = 300


class LaunchRefused(Exception):
    """The launch is refused; the message is shown to the user and never contains a secret."""


class NonceRegistry:
    """Remembers (key, timestamp, nonce) triples inside the timestamp window, to refuse replays."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seen: dict[tuple[str, str, str], float] = {}

    def seen(self, client_key: str, timestamp: str, nonce: str) -> bool:
        """Return whether a triple was used already, without recording it."""
        with self._lock:
            return (client_key, timestamp, nonce) in self._seen

    def first_use(self, client_key: str, timestamp: str, nonce: str) -> bool:
        """Return True the first time a triple is seen, False on a replay."""
        now = time.time()
        with self._lock:
            # Timestamps older than the window are refused anyway, so their nonces can be forgotten.
            self._seen = {k: t for k, t in self._seen.items() if t > now - 2 * TIMESTAMP_WINDOW}
            if (client_key, timestamp, nonce) in self._seen:
                return False
            self._seen[(client_key, timestamp, nonce)] = now
            return True


class _LaunchValidator(RequestValidator):
    """Accepts only the sandbox's consumer key and shared secret, and fresh nonces."""

    # LTI consumer keys and nonces are not the 20-30 alphanumerics oauthlib expects of OAuth tokens.
    allowed_signature_methods = (SIGNATURE_HMAC_SHA1,)  # the only method LTI 1.1 allows
    safe_characters = set(string.ascii_letters + string.digits + "-._~")
    client_key_length = (1, 255)
    nonce_length = (8, 255)
    timestamp_lifetime = TIMESTAMP_WINDOW
    enforce_ssl = False  # the sandbox serves plain HTTP on localhost
    dummy_client = "dummy-client"

    def __init__(self, key: str, secret: str, nonces: NonceRegistry) -> None:
        super().__init__()
        self._key = key
        self._secret = secret
        self._nonces = nonces
        self.replayed = False

    def validate_client_key(self, client_key: str, request: object) -> bool:
        return hmac.compare_digest(client_key, self._key)

    def get_client_secret(self, client_key: str, request: object) -> str:
        # oauthlib swaps an unknown key for dummy_client and still computes a signature with
        # this dummy secret, so a wrong key costs as much time as a wrong secret.
        return self._secret if client_key == self._key else "dummy-secret"

    def validate_timestamp_and_nonce(
        self,
        client_key: str,
        timestamp: str,
        nonce: str,
        request: object,
        request_token: str | None = None,
        access_token: str | None = None,
    ) -> bool:
        # Only looked up here: oauthlib asks before it checks the signature, and a forged launch must not
        # burn the nonce of a genuine one. verify_launch records it once the signature holds.
        self.replayed = self._nonces.seen(client_key, timestamp, nonce)
        return not self.replayed


def verify_launch(
    url: str, body: str, headers: Mapping[str, str], *, key: str, secret: str, nonces: NonceRegistry
) -> None:
    """Check a launch's OAuth signature with oauthlib's server side; return None when valid.

    Raises LaunchRefused with a message saying what was wrong (missing parameters, stale timestamp,
    replayed nonce, unknown consumer key or bad signature).
    """
    validator = _LaunchValidator(key, secret, nonces)
    valid, request = SignatureOnlyEndpoint(validator).validate_request(url, "POST", body, dict(headers))
    if valid:
        if not nonces.first_use(request.client_key, request.timestamp, request.nonce):
            raise LaunchRefused("This launch was already used (OAuth nonce replayed): launch again.")
        return
    # oauthlib only answers valid or not; explain the refusal from what it recorded.
    if request is None:
        raise LaunchRefused("The launch is not signed: its OAuth 1.0 parameters are missing or duplicated.")
    if request.validator_log.get("client") is False:
        raise LaunchRefused("Unknown OAuth consumer key: use the LTI consumer key of your T-book account.")
    if request.validator_log.get("signature") is False:
        raise LaunchRefused(
            "Invalid OAuth signature: check the LTI shared secret (the one 'For LTI', "
            "not the client secret) and that the launch URL is signed exactly as posted."
        )
    if validator.replayed:
        raise LaunchRefused("This launch was already used (OAuth nonce replayed): launch again.")
    if _stale(request.timestamp):
        raise LaunchRefused(
            f"The OAuth timestamp is more than {TIMESTAMP_WINDOW} seconds away from "
            "T-book's clock: check the consumer's clock and launch again."
        )
    raise LaunchRefused(
        "Missing or malformed OAuth parameters (oauth_consumer_key, oauth_nonce, "
        "oauth_timestamp, oauth_signature_method, oauth_signature)."
    )


def _stale(timestamp: str | None) -> bool:
    try:
        return abs(time.time() - int(timestamp or "")) > TIMESTAMP_WINDOW
    except ValueError:
        return False

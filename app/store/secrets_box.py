"""Encryption of secrets at rest with Fernet keys from GATEWAY_ENCRYPTION_KEY (a comma list rotates keys)."""

from __future__ import annotations

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app

from app.errors import Unavailable

PREFIX = "fernet:"


class EncryptionUnavailable(Unavailable):
    """Secrets cannot be stored or read: GATEWAY_ENCRYPTION_KEY is missing or not a Fernet key."""


@lru_cache(maxsize=8)
def _cipher(raw: str) -> MultiFernet:
    keys = [k.strip() for k in raw.split(",") if k.strip()]
    if not keys:
        raise EncryptionUnavailable("GATEWAY_ENCRYPTION_KEY is not set, so secrets cannot be stored.")
    try:
        return MultiFernet([Fernet(k) for k in keys])
    except ValueError as err:
        raise EncryptionUnavailable(
            "GATEWAY_ENCRYPTION_KEY is not a valid Fernet key (32 url-safe base64-encoded bytes)."
        ) from err


def cipher() -> MultiFernet:
    """Return the cipher: the first key encrypts, every listed key decrypts. Raises EncryptionUnavailable."""
    return _cipher(str(current_app.config.get("GATEWAY_ENCRYPTION_KEY") or ""))


def has_key() -> bool:
    try:
        cipher()
    except EncryptionUnavailable:
        return False
    return True


def seal(value: str) -> str:
    """Return `value` encrypted (prefixed) when a key is set, else as it is: for caches, not for secrets."""
    return PREFIX + cipher().encrypt(value.encode()).decode() if has_key() else value


def unseal(stored: str) -> str | None:
    """Return the plain value of `seal`, or None when it was sealed with a key this gateway does not have."""
    if not stored.startswith(PREFIX):
        return stored
    try:
        return cipher().decrypt(stored[len(PREFIX) :].encode()).decode()
    except (EncryptionUnavailable, InvalidToken):
        return None

"""Encryption of secrets at rest with Fernet (GATEWAY_ENCRYPTION_KEY); plaintext only without a key."""

from __future__ import annotations

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app

PREFIX = "fernet:"


@lru_cache(maxsize=4)
def _fernet(key: str) -> Fernet:
    return Fernet(key.encode())


def key() -> str | None:
    return current_app.config.get("GATEWAY_ENCRYPTION_KEY") or None


def seal(value: str) -> str:
    """Return `value` encrypted when a key is set (prefixed), else as it is."""
    k = key()
    return PREFIX + _fernet(k).encrypt(value.encode()).decode() if k else value


def unseal(stored: str) -> str | None:
    """Return the plain value, or None when it was sealed with a key this gateway does not have."""
    if not stored.startswith(PREFIX):
        return stored
    k = key()
    if not k:
        return None
    try:
        return _fernet(k).decrypt(stored[len(PREFIX) :].encode()).decode()
    except InvalidToken:
        return None

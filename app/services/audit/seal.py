"""The audit log's seal: HMAC-SHA256 with GATEWAY_AUDIT_KEY (kept outside the database), and signed anchors.

An event's hash is an HMAC of its content and its link to the previous event, so someone who can write to the
database but lacks the key cannot edit an event and recompute the chain. What a database writer can still do
without the key is remove: a whole chain (events and head), everything, or a chain's newest events (setting its
head back). An anchor, taken with `flask audit anchor` and kept elsewhere, records every chain head (events
written, the hash of the last one, the key that seals it) under an HMAC; `flask audit verify --anchor FILE`
then finds each anchored chain again, at least as long, with the anchored event in its place.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app

ANCHOR_FORMAT = "tbook-gateway-audit-anchor/1"
_KEYS = "tbook_gateway.audit_keys"


class AnchorError(ValueError):
    """The anchor cannot be used: not an anchor, altered, or sealed with a key that is not configured."""


def key_id(key: bytes) -> str:
    """Return a short public name for `key` (it says which key, and nothing of it)."""
    return hmac.new(key, b"tbook-gateway audit key id", hashlib.sha256).hexdigest()[:16]


def keys() -> dict[str, bytes]:
    """Return the configured keys by key id, the signing one first (GATEWAY_AUDIT_KEY: `new,old`)."""
    raw = current_app.config.get("GATEWAY_AUDIT_KEY") or ""
    cached = current_app.extensions.get(_KEYS)
    if cached is None or cached[0] != raw:  # worked out once per process, not on every click
        found = [part.strip().encode() for part in raw.split(",") if part.strip()]
        cached = current_app.extensions[_KEYS] = (raw, {key_id(key): key for key in found})
    return cached[1]


def signing_key() -> tuple[str, bytes] | None:
    """Return (key id, key) that seals new events and anchors, or None when no key is configured."""
    return next(iter(keys().items()), None)


def digest(canonical: bytes, key: bytes | None) -> str:
    """Return the hex hash of an event's canonical form: HMAC-SHA256 with `key`, plain SHA-256 without."""
    if key is None:
        return hashlib.sha256(canonical).hexdigest()
    return hmac.new(key, canonical, hashlib.sha256).hexdigest()


def _canonical(body: Mapping[str, Any]) -> bytes:
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


@dataclass(frozen=True)
class AnchoredChain:
    """One chain head as anchored: events ever written to it, the last one's hash, the key that seals it."""

    count: int
    last_hash: str
    key_id: str | None


def make_anchor(heads: Iterable[tuple[int, AnchoredChain]], at: datetime) -> dict[str, Any]:
    """Return a signed anchor of `heads` (chain id, head), taken at `at`.

    Raises AnchorError when no key is configured: an unsigned anchor could be rewritten with the database.
    """
    signing = signing_key()
    if signing is None:
        raise AnchorError("GATEWAY_AUDIT_KEY is not set: an anchor must be signed with a key kept outside the database")
    body = {
        "format": ANCHOR_FORMAT,
        "at": at.isoformat(),
        "key_id": signing[0],
        "chains": {
            str(chain_id): {"count": head.count, "last_hash": head.last_hash, "key_id": head.key_id}
            for chain_id, head in heads
        },
    }
    return {**body, "mac": hmac.new(signing[1], _canonical(body), hashlib.sha256).hexdigest()}


def read_anchor(anchor: Any) -> dict[int, AnchoredChain]:
    """Return the chains an anchor vouches for; raises AnchorError when it is not a valid, signed anchor."""
    if not isinstance(anchor, dict) or anchor.get("format") != ANCHOR_FORMAT:
        raise AnchorError("this is not an audit anchor (made by `flask audit anchor`)")
    key = keys().get(str(anchor.get("key_id")))
    if key is None:
        raise AnchorError(f"the anchor was signed with key {anchor.get('key_id')!r}, which GATEWAY_AUDIT_KEY lacks")
    body = {name: value for name, value in anchor.items() if name != "mac"}
    expected = hmac.new(key, _canonical(body), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, str(anchor.get("mac"))):
        raise AnchorError("the anchor's signature does not match: it was altered, or is not this gateway's")
    try:
        return {
            int(chain_id): AnchoredChain(int(head["count"]), str(head["last_hash"]), head.get("key_id"))
            for chain_id, head in anchor["chains"].items()
        }
    except (KeyError, TypeError, ValueError, AttributeError) as err:
        raise AnchorError("the anchor's chains are malformed") from err


@dataclass(frozen=True)
class CurrentHead:
    """A chain head as the database holds it now."""

    count: int
    purged: int
    key_id: str | None


def compare(
    anchored: Mapping[int, AnchoredChain],
    heads: Mapping[int, CurrentHead],
    hash_of_event: Callable[[int, int], str | None],
) -> list[str]:
    """Return what changed since the anchor, one sentence per chain (empty: every anchored chain holds).

    `hash_of_event(chain_id, n)` returns the hash of the chain's n-th remaining event (1-based, in order of
    writing), or None when there is none.
    """
    problems = []
    for chain_id, then in sorted(anchored.items()):
        now = heads.get(chain_id)
        if now is None:
            problems.append(f"chain {chain_id} is gone (its {then.count} anchored event(s) and head were deleted)")
        elif now.key_id != then.key_id:
            problems.append(f"chain {chain_id} changed keys since the anchor (it was rewritten)")
        elif now.count < then.count:
            problems.append(
                f"chain {chain_id} was rolled back: its head counts {now.count} event(s), the anchor {then.count}"
            )
        elif then.count > now.purged:  # the anchored event is still there (else retention removed it)
            found = hash_of_event(chain_id, then.count - now.purged)
            if found is None:
                problems.append(f"chain {chain_id} was truncated: its anchored event #{then.count} is missing")
            elif not hmac.compare_digest(found, then.last_hash):
                problems.append(f"chain {chain_id} was rewritten: its event #{then.count} is not the anchored one")
    return problems

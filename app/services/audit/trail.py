"""The audit trail: every launch, fallback, error return and admin change, hash-chained, and logged as JSON.

The chain itself (an event's digest, the append, the chain reads) is the store's: `app/store/audit_log.py`.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from app import metrics
from app.services.audit import seal
from app.store import audit_log
from app.store.audit_log import GENESIS, Event
from app.store.models import utcnow

log = logging.getLogger("tbook_gateway.audit")
_SECRET_KEY = re.compile(r"secret|password|token|authentificationurl|signature|cookie|authorization", re.I)
MASK = "••••••"


def redact(value: Any) -> Any:
    """Return `value` with every entry whose name says secret masked, at any depth."""
    if isinstance(value, Mapping):
        return {k: (MASK if _SECRET_KEY.search(str(k)) and v else redact(v)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact(v) for v in value]
    return value


def record(
    action: str,
    outcome: str,
    *,
    actor: str | None = None,
    link_slug: str | None = None,
    mode: str | None = None,
    tbook_status: int | None = None,
    correlation_id: str | None = None,
    detail: Mapping[str, Any] | None = None,
    commit: bool = True,
) -> Event:
    """Append one event to the chain and log it as a JSON line; return the stored event.

    Secrets in `detail` are masked before anything is written. With `commit`, the event is committed with
    whatever the session holds; with `commit=False` it joins the session's transaction, for its caller to commit.
    """
    event = Event(
        actor=actor,
        action=action,
        link_slug=link_slug,
        mode=mode,
        outcome=outcome,
        tbook_status=tbook_status,
        correlation_id=correlation_id,
        detail=redact(dict(detail or {})),
    )
    try:
        audit_log.append(event, commit=commit, seal=seal.signing_key())
    except SQLAlchemyError:
        metrics.count_audit_failure(action)
        raise
    metrics.count_audit_event(action, outcome, mode)
    log.info(json.dumps(to_dict(event), ensure_ascii=False, default=str))
    return event


def to_dict(event: Event) -> dict[str, Any]:
    return {
        "audit_id": event.id,
        "at": event.created_at.isoformat(),
        "actor": event.actor,
        "action": event.action,
        "link": event.link_slug,
        "mode": event.mode,
        "outcome": event.outcome,
        "tbook_status": event.tbook_status,
        "correlation_id": event.correlation_id,
        "detail": event.detail,
    }


@dataclass(frozen=True)
class ChainBreak:
    """Where a chain stops holding: the event whose stored hash or link does not match."""

    event_id: int
    created_at: datetime
    reason: str


def _key_of(head: audit_log.ChainHead, keys: dict[str, bytes], allow_unkeyed: bool) -> tuple[bytes | None, str | None]:
    """Return (the key that seals the chain's events, None) or (None, why the chain cannot be trusted)."""
    if head.key_id is None:
        if keys and not allow_unkeyed:
            # Written without GATEWAY_AUDIT_KEY, or stripped of its seal by someone rewriting it.
            return None, f"chain {head.id} is not sealed with GATEWAY_AUDIT_KEY (unkeyed hashes)"
        return None, None
    key = keys.get(head.key_id)
    if key is None:
        return None, f"chain {head.id} is sealed with key {head.key_id}, which GATEWAY_AUDIT_KEY lacks"
    return key, None


def verify_chain(*, allow_unkeyed: bool = False) -> tuple[int, ChainBreak | None]:
    """Walk every process's chain from its oldest event; return how many events hold and the first break.

    Breaks: an event whose content does not match its hash (an HMAC with GATEWAY_AUDIT_KEY for a sealed chain),
    whose prev_hash is not the hash of the event before it in its chain (or, for a chain nothing was purged
    from, not the genesis), that belongs to no chain; a chain whose head's last event is missing, or with fewer
    events than its head counts (written less purged); with a key configured, a chain that is not sealed with it
    (unless `allow_unkeyed`: chains written before the key was set). One pass in id order (within a chain, ids
    grow with the order of writing); events written while it runs are checked too, against the heads as they
    were when it started. Removals that leave a consistent chain (a whole chain, or its newest events with the
    head set back) need an anchor to show: `verify_anchor`.
    """
    keys = seal.keys()
    heads = audit_log.chain_heads()
    newest: dict[int, str] = {}  # chain id -> hash of the last event seen in it
    counted: dict[int, int] = dict.fromkeys(heads, 0)  # events up to the head as read at the start
    reached: set[int] = set()
    checked = 0
    for event in audit_log.events_in_order():
        head = heads.get(event.chain_id) or audit_log.chain_head(event.chain_id)
        if head is None:
            return checked, ChainBreak(event.id, event.created_at, "it belongs to no known chain")
        key, untrusted = _key_of(head, keys, allow_unkeyed)
        if untrusted:
            return checked, ChainBreak(event.id, event.created_at, untrusted)
        expected = newest.get(event.chain_id, GENESIS if not head.purged else None)
        if expected is not None and event.prev_hash != expected:
            return checked, ChainBreak(event.id, event.created_at, "its prev_hash does not match the event before")
        if audit_log.digest(event, key) != event.hash:
            return checked, ChainBreak(event.id, event.created_at, "its content does not match its hash")
        newest[event.chain_id] = event.hash
        if event.chain_id in counted and event.chain_id not in reached:
            counted[event.chain_id] += 1
            if event.hash == head.last_hash:
                reached.add(event.chain_id)
        checked += 1
    for chain_id, head in sorted(heads.items()):
        if head.last_hash == GENESIS:
            continue  # a chain whose first event never committed
        if head.count == head.purged and chain_id not in newest:
            continue  # retention removed every event of this chain (and the anchor checks it was not more)
        started = head.started_at or utcnow()
        if chain_id not in reached:
            return checked, ChainBreak(0, started, f"chain {chain_id} does not end at its head (events were removed)")
        if counted[chain_id] != head.count - head.purged:
            written = head.count - head.purged
            reason = f"chain {chain_id} holds {counted[chain_id]} of its {written} events (events were removed)"
            return checked, ChainBreak(0, started, reason)
    return checked, None


def anchor() -> dict:
    """Return a signed anchor of every chain head, to keep outside the database (`flask audit anchor`).

    Raises seal.AnchorError when GATEWAY_AUDIT_KEY is not set.
    """
    heads = [head for head in audit_log.chain_heads().values() if head.last_hash != GENESIS]
    taken = seal.make_anchor(
        ((head.id, seal.AnchoredChain(head.count, head.last_hash, head.key_id)) for head in heads), utcnow()
    )
    log.info(json.dumps({"audit_anchor": taken}, ensure_ascii=False))
    return taken


def verify_anchor(anchored: object) -> list[str]:
    """Return what the log lost or changed since `anchored` was taken (empty: all of it is still there).

    Raises seal.AnchorError when it is not a valid anchor signed with a configured key.
    """
    chains = seal.read_anchor(anchored)
    heads = {
        chain_id: seal.CurrentHead(head.count, head.purged, head.key_id)
        for chain_id, head in audit_log.chain_heads().items()
        if chain_id in chains
    }
    return seal.compare(chains, heads, audit_log.hash_at)

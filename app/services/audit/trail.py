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
        audit_log.append(event, commit=commit)
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


def verify_chain() -> tuple[int, ChainBreak | None]:
    """Walk every process's chain from its oldest event; return how many events hold and the first break.

    Breaks: an event whose content does not match its hash, whose prev_hash is not the hash of the event
    before it in its chain (or, for a chain nothing was purged from, not the genesis), that belongs to no
    chain; a chain whose head's last event is missing, or with fewer events than its head counts (written less
    purged). One pass in id order (within a chain, ids grow with the order of writing); events written while
    it runs are checked too, against the heads as they were when it started.
    """
    heads = audit_log.chain_heads()
    newest: dict[int, str] = {}  # chain id -> hash of the last event seen in it
    counted: dict[int, int] = dict.fromkeys(heads, 0)  # events up to the head as read at the start
    reached: set[int] = set()
    checked = 0
    for event in audit_log.events_in_order():
        head = heads.get(event.chain_id) or audit_log.chain_head(event.chain_id)
        if head is None:
            return checked, ChainBreak(event.id, event.created_at, "it belongs to no known chain")
        expected = newest.get(event.chain_id, GENESIS if not head.purged else None)
        if expected is not None and event.prev_hash != expected:
            return checked, ChainBreak(event.id, event.created_at, "its prev_hash does not match the event before")
        if audit_log.digest(event) != event.hash:
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
        started = head.started_at or utcnow()
        if chain_id not in reached:
            return checked, ChainBreak(0, started, f"chain {chain_id} does not end at its head (events were removed)")
        if counted[chain_id] != head.count - head.purged:
            written = head.count - head.purged
            reason = f"chain {chain_id} holds {counted[chain_id]} of its {written} events (events were removed)"
            return checked, ChainBreak(0, started, reason)
    return checked, None

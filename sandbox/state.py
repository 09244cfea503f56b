"""Everything the sandbox remembers, bundled per app so several sandboxes can run in one process."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flask import current_app

from sandbox.faults import FaultRegistry
from sandbox.journal import RequestJournal
from sandbox.lti_verify import NonceRegistry
from sandbox.rate_limit import RateLimiter
from sandbox.sso import SsoGrants
from sandbox.store import Store
from sandbox.tokens import AccessTokens


@dataclass
class SandboxState:
    """The data, tokens, one-time URLs, launch nonces, faults, rate limit, request log and latency of one sandbox."""

    store: Store
    tokens: AccessTokens
    sso: SsoGrants
    nonces: NonceRegistry
    faults: FaultRegistry
    journal: RequestJournal
    rate_limiter: RateLimiter
    configured_latency: float = 0.0  # SANDBOX_LATENCY; `latency` may be changed at run time, reset restores it
    latency: float = field(init=False)

    def __post_init__(self) -> None:
        self.latency = self.configured_latency

    @classmethod
    def create(cls, config: dict, clock: Callable[[], float]) -> SandboxState:
        """Return a fresh state for the given SANDBOX_* settings."""
        return cls(
            store=Store(),
            tokens=AccessTokens(config["SANDBOX_CLIENT_ID"], config["SANDBOX_TOKEN_TTL"], clock),
            sso=SsoGrants(config["SANDBOX_AUTH_URL_TTL"], clock),
            nonces=NonceRegistry(),
            faults=FaultRegistry(),
            journal=RequestJournal(),
            rate_limiter=RateLimiter(),
            configured_latency=config["SANDBOX_LATENCY"],
        )

    def reset(self) -> None:
        """Clear faults, the rate limit, the request log and one-time URLs; restore the seed data and the latency."""
        self.latency = self.configured_latency
        self.faults.clear()
        self.rate_limiter.set(None)
        self.journal.clear()
        self.sso.clear()
        self.store.reset()


def sandbox_state() -> SandboxState:
    """Return the state of the sandbox app handling the current request."""
    return current_app.extensions["tbook_sandbox"]

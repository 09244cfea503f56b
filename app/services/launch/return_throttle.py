"""What anyone may make a return from T-book write: so many audit rows per address and in all, short one-line text.

/lti/return and /sso/error answer whoever calls them. A call from a signed-in learner with a reference the
gateway signed is a real return and always goes through; any other call (no sign-in, or a forged or expired
reference) is anonymous: it is audited, but at most PER_ADDRESS times per address and OVERALL times in all per
WINDOW, and then refused with 429 and no row. The counts come from the audit log, shared by every instance.
"""

from __future__ import annotations

import re
from datetime import timedelta

from app.errors import Throttled
from app.store import audit_counts
from app.store.models import utcnow

ACTIONS = ("lti_return", "sso_error")
WINDOW = timedelta(minutes=10)
PER_ADDRESS = 20
OVERALL = 300
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


class TooManyReturns(Throttled):
    title = "Too many requests"


def admit(address: str | None) -> None:
    """Raise TooManyReturns when anonymous returns from `address`, or from everywhere, reached their limit.

    As with sign-in throttling, concurrent calls may pass the check together: a burst can exceed the limit by
    the number of requests served at once, which the server's concurrency bounds.
    """
    from_there, overall = audit_counts.anonymous_returns(ACTIONS, address, utcnow() - WINDOW)
    if from_there >= PER_ADDRESS or overall >= OVERALL:
        raise TooManyReturns(
            "The gateway received too many returns from T-book that it cannot match to a launch.",
            hint="Go back to your intranet and click Open T-book again.",
        )


def one_line(text: str, limit: int) -> str:
    """Return `text` as one short line: control characters and line breaks become spaces, at most `limit` long."""
    return _CONTROL.sub(" ", text[: limit * 2]).strip()[:limit]

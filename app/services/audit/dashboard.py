"""The admin dashboard's figures: launches per day by outcome, LTI vs fallback share, latest errors."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from app.store import audit_counts
from app.store.audit_log import Event
from app.store.models import utcnow

# Fallback launches (the /authToken redirect) are audited as "launch" in mode authtoken, or as "fallback".
LAUNCH_ACTIONS = ("launch", "fallback")
OUTCOMES = ("succeeded", "refused", "failed")
_SUCCEEDED = frozenset({"sent", "ok", "redirected"})
ERROR_OUTCOMES = ("error", "refused", "failed")


@dataclass(frozen=True)
class Day:
    day: date
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class Dashboard:
    days: list[Day]
    lti: int
    fallback: int
    errors: list[Event]

    @property
    def peak(self) -> int:
        return max((d.total for d in self.days), default=0)

    @property
    def launches(self) -> int:
        return sum(d.total for d in self.days)

    @property
    def lti_share(self) -> int | None:
        """Percent of successful launches that went by LTI, or None when there were none."""
        total = self.lti + self.fallback
        return round(100 * self.lti / total) if total else None


def _bucket(outcome: str) -> str:
    if outcome in _SUCCEEDED:
        return "succeeded"
    return "refused" if outcome == "refused" else "failed"


def build(days: int = 30, today: date | None = None) -> Dashboard:
    """Return the dashboard over the last `days` days (UTC), today included."""
    today = today or utcnow().date()
    first = today - timedelta(days=days - 1)
    since = datetime.combine(first, time.min).replace(tzinfo=utcnow().tzinfo)
    by_day: dict[date, dict[str, int]] = {first + timedelta(days=i): dict.fromkeys(OUTCOMES, 0) for i in range(days)}
    for day, outcome, count in audit_counts.by_day_and_outcome(LAUNCH_ACTIONS, since):
        if day in by_day:
            by_day[day][_bucket(outcome)] += count
    modes = audit_counts.by_mode(LAUNCH_ACTIONS, _SUCCEEDED, since)
    errors = audit_counts.latest(ERROR_OUTCOMES, except_action="sign_in", limit=10)
    return Dashboard(
        days=[Day(d, c) for d, c in by_day.items()],
        lti=modes.get("lti", 0),
        fallback=sum(n for m, n in modes.items() if m != "lti"),
        errors=list(errors),
    )

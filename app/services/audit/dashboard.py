"""The admin dashboard's figures: launches per day by outcome, LTI vs fallback share, latest errors."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select

from app.store import db
from app.store.models import AuditEvent, utcnow

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
    errors: list[AuditEvent]

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
    launches = (AuditEvent.action.in_(LAUNCH_ACTIONS), AuditEvent.created_at >= since)
    by_day: dict[date, dict[str, int]] = {first + timedelta(days=i): dict.fromkeys(OUTCOMES, 0) for i in range(days)}
    day_col = func.date(AuditEvent.created_at)
    rows = db.session.execute(
        select(day_col, AuditEvent.outcome, func.count()).where(*launches).group_by(day_col, AuditEvent.outcome)
    )
    for day, outcome, count in rows:
        # SQLite gives the day as text, PostgreSQL as a date.
        key = day if isinstance(day, date) else date.fromisoformat(str(day))
        if key in by_day:
            by_day[key][_bucket(outcome)] += count
    modes = dict(
        db.session.execute(
            select(AuditEvent.mode, func.count())
            .where(*launches, AuditEvent.outcome.in_(_SUCCEEDED))
            .group_by(AuditEvent.mode)
        ).all()
    )
    errors = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.outcome.in_(ERROR_OUTCOMES), AuditEvent.action != "sign_in")
        .order_by(AuditEvent.id.desc())
        .limit(10)
    ).all()
    return Dashboard(
        days=[Day(d, c) for d, c in by_day.items()],
        lti=modes.get("lti", 0),
        fallback=sum(n for m, n in modes.items() if m != "lti"),
        errors=list(errors),
    )

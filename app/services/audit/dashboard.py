"""The admin dashboard's figures: launches per day by what became of them, their shares, the latest errors."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from app.store import audit_counts
from app.store.audit_log import Event
from app.store.models import utcnow

# What became of a launch attempt; every attempt lands in exactly one, so the parts add up to the total.
# A click of an `auto` link that T-book refuses is two attempts: the LTI launch (refused) and its fallback.
OUTCOMES = ("lti", "lti_refused", "authtoken", "fallback", "error")
LABELS = {
    "lti": "LTI launches sent, not refused",
    "lti_refused": "LTI launches refused by T-book",
    "authtoken": "/authToken sign-ins",
    "fallback": "fallbacks to /authToken",
    "error": "errors (nothing reached T-book, or T-book failed)",
}
ERROR_OUTCOMES = ("error", "refused", "failed")


@dataclass(frozen=True)
class Day:
    day: date
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class Share:
    outcome: str
    label: str
    count: int
    percent: int | None  # of all attempts; the shares of one board add up to exactly 100


@dataclass(frozen=True)
class Dashboard:
    days: list[Day]
    errors: list[Event]

    @property
    def peak(self) -> int:
        return max((d.total for d in self.days), default=0)

    @property
    def launches(self) -> int:
        return sum(d.total for d in self.days)

    def count(self, outcome: str) -> int:
        return sum(d.counts[outcome] for d in self.days)

    @property
    def lti_sent(self) -> int:
        """LTI launches sent, refused ones included (T-book's refusal comes back after the launch was sent)."""
        return self.count("lti") + self.count("lti_refused")

    @property
    def shares(self) -> list[Share]:
        counts = [self.count(outcome) for outcome in OUTCOMES]
        percents = _whole_percents(counts)
        return [
            Share(outcome, LABELS[outcome], count, percent)
            for outcome, count, percent in zip(OUTCOMES, counts, percents, strict=True)
        ]


def _whole_percents(counts: list[int]) -> list[int | None]:
    """Round each count's share to a whole percent so that they add up to 100 (largest remainders first)."""
    total = sum(counts)
    if not total:
        return [None] * len(counts)
    exact = [100 * count / total for count in counts]
    whole = [int(value) for value in exact]
    by_remainder = sorted(range(len(counts)), key=lambda i: exact[i] - whole[i], reverse=True)
    for i in by_remainder[: 100 - sum(whole)]:
        whole[i] += 1
    return whole


def _outcome(action: str, outcome: str, sent_back: bool) -> str:
    """Which of OUTCOMES a launch or fallback event is (`sent_back`: T-book returned its click with an error)."""
    if action == "launch" and outcome == "sent":
        return "lti_refused" if sent_back else "lti"
    if outcome == "redirected":
        return "authtoken" if action == "launch" else "fallback"
    return "error"


def build(days: int = 30, today: date | None = None) -> Dashboard:
    """Return the dashboard over the last `days` days (UTC), today included."""
    today = today or utcnow().date()
    first = today - timedelta(days=days - 1)
    since = datetime.combine(first, time.min).replace(tzinfo=utcnow().tzinfo)
    by_day: dict[date, dict[str, int]] = {first + timedelta(days=i): dict.fromkeys(OUTCOMES, 0) for i in range(days)}
    for day, action, outcome, sent_back, count in audit_counts.launch_attempts_by_day(since):
        if day in by_day:
            by_day[day][_outcome(action, outcome, sent_back)] += count
    errors = audit_counts.latest(ERROR_OUTCOMES, except_action="sign_in", limit=10)
    return Dashboard(days=[Day(d, c) for d, c in by_day.items()], errors=list(errors))

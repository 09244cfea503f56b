"""The domain-error root: a few kinds, each with its HTTP status and CLI exit code, and the launch's errors.

Framework-free: `app/web/errors.py` turns a GatewayError into a page or JSON, `app/cli/errors.py` into a click
error. A service raises a subclass of one kind; it never chooses a status or an exit code itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


class GatewayError(Exception):
    """An error the user should see as a clear page or message; its kind says how it is answered.

    `message` is for the person asking (never a secret); `hint` says what to do about it.
    """

    status = 500
    # Every kind exits 1 today, click's code for a refused command, which scripts and tests rely on;
    # 2 stays click's usage error. A kind that needs its own code changes it here, not in a command.
    exit_code = 1
    title = "Something went wrong"

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def details(self) -> dict[str, Any]:
        """Return what a JSON answer adds to status, title and message (nothing by default)."""
        return {}


# The kinds: one status and one exit code each, declared here and nowhere else.


class NotFound(GatewayError):
    """No such thing (a link, a profile, an admin)."""

    status, exit_code, title = 404, 1, "Not Found"


@dataclass(frozen=True)
class FieldProblem:
    """What is wrong with one field (a T-book field name, or a form's)."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class Invalid(GatewayError):
    """The input cannot be used as given; `problems` names each field at fault (there may be none)."""

    status, exit_code, title = 422, 1, "Invalid input"

    def __init__(
        self, message: str | None = None, *, problems: Iterable[FieldProblem] = (), hint: str | None = None
    ) -> None:
        self.problems = tuple(problems)
        super().__init__(message or "; ".join(map(str, self.problems)), hint=hint)

    @property
    def field(self) -> str | None:
        """The first field at fault, or None when the input is wrong as a whole."""
        return self.problems[0].field if self.problems else None

    def details(self) -> dict[str, Any]:
        if not self.problems:
            return {}
        return {"field": self.field, "fields": {p.field: p.message for p in self.problems}}


class Conflict(GatewayError):
    """The request contradicts what exists (a slug that is taken)."""

    status, exit_code, title = 409, 1, "Conflict"


class Forbidden(GatewayError):
    """The asker may not do this."""

    status, exit_code, title = 403, 1, "Not allowed"


class Unavailable(GatewayError):
    """The gateway cannot do this now: something it depends on is missing or down; trying later may work."""

    status, exit_code, title = 503, 1, "Service unavailable"


class SignInRefused(GatewayError):
    """The asker is not signed in, or the sign-in offered (a signed link) is refused."""

    status, exit_code, title = 401, 1, "Sign-in refused"


class Throttled(GatewayError):
    """Too many tries lately: wait, then try again."""

    status, exit_code, title = 429, 1, "Too many attempts"


class TBookRefused(GatewayError):
    """T-book answered, but refused what the gateway asked."""

    status, exit_code, title = 502, 1, "T-book refused the sign-in"


# The launch's errors (raised by app/services/launch).


class LinkNotFound(NotFound):
    title = "Unknown launch link"


class LinkDisabled(LinkNotFound):
    """The link exists but an admin switched it off: a pause, not a broken button (still 404 by the contract)."""

    title = "This link is temporarily unavailable"


class ProfileMissing(Forbidden):
    title = "No T-book profile"


class ProfileInvalid(Invalid):
    """The profile cannot be sent to T-book; `field` names the T-book field at fault."""

    title = "Your profile cannot be sent to T-book"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(
            problems=[FieldProblem(field, message)], hint="Ask your T-book administrator to fix this field."
        )


class LtiNotConfigured(Unavailable):
    title = "T-book launch is not configured"


class TBookUnavailable(Unavailable):
    """T-book could not be reached or kept failing; the learner should try again later."""

    title = "T-book is not answering"


class TBookSlow(TBookUnavailable):
    """T-book did not answer within the click's time limit: the click ended there, and can be tried again."""

    title = "T-book is slow"

    def __init__(self, seconds: float) -> None:
        # Fixed words, so that the page says them in the learner's language; the limit goes to JSON and the audit.
        super().__init__(
            "T-book did not answer in the time the gateway gives a click, so the gateway stopped waiting.",
            hint="T-book is slow right now. Try again in a minute.",
        )
        self.seconds = seconds

    def details(self) -> dict[str, Any]:
        return {"deadline_seconds": self.seconds}


KINDS: tuple[type[GatewayError], ...] = (
    NotFound,
    Invalid,
    Conflict,
    Forbidden,
    Unavailable,
    SignInRefused,
    Throttled,
    TBookRefused,
)

"""Local sign-in accounts: password checks (werkzeug's scrypt), and the console's create, reset, unlock (audited)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from werkzeug.security import check_password_hash, generate_password_hash

from app import store
from app.errors import Conflict, FieldProblem, Invalid, NotFound
from app.services.audit import trail as audit
from app.services.identity import signin_throttle
from app.store import accounts as stored_accounts
from app.store import profiles as stored_profiles
from app.store import sign_in_sessions
from app.store.views import AccountView
from app.tbook.fields import EMAIL

# Checked against when the login is unknown, so that a wrong login and a wrong password take the same time.
_DUMMY_HASH = generate_password_hash("not-a-password")
MIN_PASSWORD_LENGTH = 8


class AccountInvalid(Invalid):
    """An account cannot be saved as asked; `field` is login or password (never the password itself)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message, problems=[FieldProblem(field, message)])


def find(login: str) -> AccountView | None:
    return stored_accounts.find(login.strip().lower())


def authenticate(login: str, password: str) -> AccountView | None:
    """Return the account when `password` is right for `login`, else None."""
    account = find(login)
    if account is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    return account if check_password_hash(account.password_hash, password) else None


def set_account(login: str, password: str, *, is_admin: bool = False) -> AccountView:
    """Create the account or change its password (and admin flag), ending its sessions; returns it uncommitted.

    Raises AccountInvalid when the password is too short.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountInvalid("password", f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    login = login.strip().lower()
    existing = stored_accounts.find(login)
    if existing is not None and not check_password_hash(existing.password_hash, password):
        # A new password signs out every browser that knew the old one (a stolen cookie included).
        sign_in_sessions.end_all(login)
    return stored_accounts.save(login, password_hash=generate_password_hash(password), grant_admin=is_admin)


class AccountNotFound(NotFound):
    """No local sign-in has this login (or id)."""


class AccountExists(Conflict):
    """The login has a local sign-in already."""


PAGE_SIZE = 25


@dataclass(frozen=True)
class Listed:
    """One local sign-in as the console lists it."""

    id: int
    login: str
    is_admin: bool
    created_at: datetime
    has_profile: bool


@dataclass(frozen=True)
class AccountPage:
    accounts: list[Listed]
    number: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))


def search(query: str = "", number: int = 1) -> AccountPage:
    """Return page `number` of the local sign-ins whose login contains `query`, by login."""
    total = stored_accounts.count_containing(query)
    number = max(1, min(number, max(1, -(-total // PAGE_SIZE))))
    rows = stored_accounts.containing(query, offset=(number - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    listed = [Listed(a.id, a.login, a.is_admin, a.created_at, has_profile) for a, has_profile in rows]
    return AccountPage(listed, number, total)


def get(account_id: int) -> AccountView:
    """Return the account; raises AccountNotFound when there is none."""
    account = stored_accounts.get(account_id)
    if account is None:
        raise AccountNotFound(f"There is no local sign-in number {account_id}.")
    return account


def _existing(login: str) -> AccountView:
    account = find(login)
    if account is None:
        raise AccountNotFound(f"{login.strip().lower()} has no local sign-in.")
    return account


def create_learner(login: str, password: str, *, actor: str) -> AccountView:
    """Create the local sign-in `login` (not an admin) and commit, audited (never the password).

    Raises AccountInvalid when the login is not an e-mail address or the password is too short, AccountExists
    when the login has a sign-in already.
    """
    login = login.strip().lower()
    if not EMAIL.match(login) or len(login) > 254:
        raise AccountInvalid("login", "the login must be an e-mail address")
    if find(login) is not None:
        raise AccountExists(f"{login} has a local sign-in already: reset its password instead")
    account = set_account(login, password)
    has_profile = stored_profiles.by_login(login) is not None
    detail = {"login": login, "after": {"is_admin": False}, "has_profile": has_profile}
    audit.record("account_create", "ok", actor=actor, detail=detail, commit=False)
    store.commit()
    return account


def reset_password(login: str, password: str, *, actor: str) -> AccountView:
    """Give `login` a new password and commit, audited (never the password); lifts its sign-in pause too.

    Raises AccountNotFound when there is no such account, AccountInvalid when the password is too short.
    """
    account = set_account(_existing(login).login, password)
    audit.record("account_password_reset", "ok", actor=actor, detail={"login": account.login}, commit=False)
    # The person now knows the new password: the failures with the old one should not keep them out.
    audit.record(signin_throttle.UNLOCK, "ok", actor=actor, detail={"login": account.login}, commit=False)
    store.commit()
    return account


def unlock(login: str, *, actor: str) -> int:
    """Lift the sign-in pause of `login` (its failures so far stop counting) and end its open sessions, audited;
    return how many addresses it was paused from.

    The failures may have been someone else's guesses: whoever signs in next does so afresh. Raises
    AccountNotFound when there is no such account.
    """
    account = _existing(login)
    paused = signin_throttle.lockouts(account.login)
    ended = sign_in_sessions.end_all(account.login)
    detail = {"login": account.login, "paused_addresses": len(paused), "sessions": ended}
    audit.record(signin_throttle.UNLOCK, "ok", actor=actor, detail=detail, commit=False)
    store.commit()
    return len(paused)

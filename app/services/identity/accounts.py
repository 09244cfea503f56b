"""Local accounts: creation and password checks (hashed with werkzeug's scrypt)."""

from __future__ import annotations

from werkzeug.security import check_password_hash, generate_password_hash

from app.errors import FieldProblem, Invalid
from app.store import accounts as stored_accounts
from app.store import sign_in_sessions
from app.store.views import AccountView

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

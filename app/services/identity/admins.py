"""Who is an admin: local accounts flagged admin, or header sign-ins listed in GATEWAY_ADMINS."""

from __future__ import annotations

from flask import current_app

from app import store
from app.errors import NotFound
from app.services.audit import trail as audit
from app.services.identity import accounts
from app.store import accounts as stored_accounts
from app.store import sign_in_sessions
from app.store.views import AccountView


class NotAnAdmin(NotFound):
    """No local admin has this login."""


def is_admin(login: str, via: str) -> bool:
    """True when the user signed in by `via` as `login` may use the admin console."""
    if via == "header":
        return login.lower() in current_app.config["GATEWAY_ADMINS"]
    if via == "local":
        account = accounts.find(login)
        return bool(account and account.is_admin)
    return False


def create(login: str, password: str, *, actor: str) -> AccountView:
    """Create the local admin account `login` (or make an existing account admin, with this password).

    Raises AccountInvalid when the login is not an e-mail address or the password is too short.
    """
    login = login.strip().lower()
    if "@" not in login or len(login) > 254:
        raise accounts.AccountInvalid("login", "the login must be an e-mail address")
    was_admin = bool((existing := accounts.find(login)) and existing.is_admin)
    account = accounts.set_account(login, password, is_admin=True)
    audit.record(
        "admin_create",
        "ok",
        actor=actor,
        detail={"login": login, "before": {"is_admin": was_admin, "existed": existing is not None}},
        commit=False,
    )
    store.commit()
    return account


def revoke(login: str, *, actor: str) -> None:
    """Take the admin role from the local account `login`; raises NotAnAdmin when it is not an admin."""
    account = accounts.find(login)
    if account is None or not account.is_admin:
        raise NotAnAdmin(f"{login} is not a local admin")
    stored_accounts.set_admin(account.login, False)
    # Its open sessions were admin sessions: end them, so the role is gone now, not at their next sign-in.
    ended = sign_in_sessions.end_all(account.login)
    audit.record("admin_revoke", "ok", actor=actor, detail={"login": account.login, "sessions": ended}, commit=False)
    store.commit()


def local_admins() -> list[str]:
    return stored_accounts.admin_logins()

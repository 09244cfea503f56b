"""Local sign-in accounts in the database: reads as `AccountView`s, and writes (uncommitted)."""

from __future__ import annotations

from sqlalchemy import Select, func, insert, select, update

from app.store.database import db
from app.store.models import Account, Profile
from app.store.views import ACCOUNT_FIELDS, AccountView, account_view

_ACCOUNTS = Account.__table__
_COLUMNS = tuple(_ACCOUNTS.c[name] for name in ACCOUNT_FIELDS)


def find(login: str) -> AccountView | None:
    """Return the account whose login is `login` (compared as given: logins are stored lower-case), or None."""
    row = db.session.execute(select(*_COLUMNS).where(_ACCOUNTS.c.login == login)).first()
    return account_view(row) if row is not None else None


def get(account_id: int) -> AccountView | None:
    row = db.session.execute(select(*_COLUMNS).where(_ACCOUNTS.c.id == account_id)).first()
    return account_view(row) if row is not None else None


def _containing(query: Select, text: str) -> Select:
    text = text.strip().lower()
    return query.where(_ACCOUNTS.c.login.contains(text, autoescape=True)) if text else query


def count_containing(text: str) -> int:
    """How many accounts have `text` in their login (all of them for an empty text)."""
    return db.session.scalar(_containing(select(func.count()).select_from(_ACCOUNTS), text)) or 0


def containing(text: str, *, offset: int, limit: int) -> list[tuple[AccountView, bool]]:
    """The accounts `count_containing` counts, by login, from `offset`, each with whether its login has a profile."""
    has_profile = select(Profile.id).where(Profile.login == _ACCOUNTS.c.login).exists()
    query = _containing(select(*_COLUMNS, has_profile), text).order_by(_ACCOUNTS.c.login).offset(offset).limit(limit)
    return [(account_view(row[:-1]), bool(row[-1])) for row in db.session.execute(query)]


def save(login: str, *, password_hash: str, grant_admin: bool = False) -> AccountView:
    """Create the account `login` or set its password hash, uncommitted; return it as stored.

    With `grant_admin` the account becomes an admin; an admin stays one either way (see `set_admin`).
    """
    values = {"password_hash": password_hash, **({"is_admin": True} if grant_admin else {})}
    changed = update(_ACCOUNTS).where(_ACCOUNTS.c.login == login).values(values).returning(*_COLUMNS)
    row = db.session.execute(changed).first()
    if row is None:
        values.setdefault("is_admin", False)
        row = db.session.execute(insert(_ACCOUNTS).values(login=login, **values).returning(*_COLUMNS)).one()
    return account_view(row)


def set_admin(login: str, is_admin: bool) -> None:
    """Set the admin flag of the account `login`, uncommitted."""
    db.session.execute(update(_ACCOUNTS).where(_ACCOUNTS.c.login == login).values(is_admin=is_admin))


def admin_logins() -> list[str]:
    return list(db.session.scalars(select(_ACCOUNTS.c.login).where(_ACCOUNTS.c.is_admin).order_by(_ACCOUNTS.c.login)))

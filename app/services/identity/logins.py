"""What a login may be, whichever way it arrives (form, proxy header, signed link)."""

from __future__ import annotations

MAX_LENGTH = 254  # an e-mail address, as T-book's logins are


def normalise(value: object) -> str | None:
    """Return `value` as a login (trimmed, lower case), or None when it cannot be one.

    Control characters (NUL, CR, LF…) have no place in a login, and PostgreSQL cannot even store NUL: such a
    value is refused here rather than failing deeper down.
    """
    login = value.strip().lower() if isinstance(value, str) else ""
    if not login or len(login) > MAX_LENGTH or not login.isprintable():
        return None
    return login

"""Who is asking: resolves the signed-in user for this request from the configured sign-in methods."""

from __future__ import annotations

from dataclasses import dataclass
from functools import wraps
from urllib.parse import urlencode, urlsplit

from flask import current_app, redirect, request, session, url_for

from app.errors import SignInRefused
from app.services.identity import logins, sessions, signed_links

SIGNED_LINK_ARG = "auth"
_USER_KEY = "tbook_gateway.user"


@dataclass(frozen=True)
class User:
    login: str
    via: str  # local | header | signed-link


def _peer_address() -> str | None:
    # Behind ProxyFix, remote_addr is the client's; the header is trusted only from the proxy itself.
    orig = request.environ.get("werkzeug.proxy_fix.orig")
    return orig.get("REMOTE_ADDR") if orig else request.remote_addr


def _from_header() -> User | None:
    cfg = current_app.config
    if "header" not in cfg["GATEWAY_AUTH"] or _peer_address() not in cfg["GATEWAY_TRUSTED_PROXIES"]:
        return None
    login = logins.normalise(request.headers.get(cfg["GATEWAY_USER_HEADER"]))
    return User(login, "header") if login else None


def _from_session() -> User | None:
    login, via, token = session.get("login"), session.get("via"), session.get("sid")
    if not login:
        return None
    # The cookie is signed, but a copy of it is as good as the original: only a live server-side record makes
    # it a sign-in (ended by sign-out, a password change or an admin; expired when idle or old).
    if via in current_app.config["GATEWAY_AUTH"] and via != "header" and token and sessions.is_live(token, login, via):
        return User(login, via)
    session.clear()
    return None


def current_user() -> User | None:
    """Return the signed-in user, or None; the proxy header, when trusted, wins over the session."""
    # Cached per request (not on `g`, which an app context can share between requests in tests).
    if _USER_KEY not in request.environ:
        request.environ[_USER_KEY] = _from_header() or _from_session()
    return request.environ[_USER_KEY]


def sign_in(login: str, via: str) -> None:
    session.clear()
    login = login.strip().lower()
    session["sid"] = sessions.start(login, via)
    session["login"] = login
    session["via"] = via
    request.environ.pop(_USER_KEY, None)


def sign_out(user: User | None) -> None:
    """Forget this browser's sign-in, and end every other session of the same account (the caller commits)."""
    if user is not None and user.via != "header":
        sessions.end_all(user.login)
    session.clear()
    request.environ.pop(_USER_KEY, None)


def this_page() -> str:
    """This request's address as the browser knows it: the path prefix (SCRIPT_NAME) included, for `next`."""
    return request.script_root + request.full_path.rstrip("?")


def is_safe_next(target: str | None) -> bool:
    """True for a path on this site; an absolute or scheme-relative URL would be an open redirect.

    Control characters (CR, LF, tab, DEL, Unicode line separators) are refused outright: a browser drops some of
    them (`/\t/evil.example` is `//evil.example` to it), and CR/LF cannot go into a Location header at all.
    """
    if not target or not target.isprintable():
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith(("//", "/\\"))


def _consume_signed_link(link: str | None):
    cfg = current_app.config
    login = signed_links.sign_in_once(
        cfg["GATEWAY_LINK_SECRET"], request.args[SIGNED_LINK_ARG], max_age=cfg["GATEWAY_SIGNED_LINK_MAX_AGE"], link=link
    )
    sign_in(login, "signed-link")
    # Drop the token from the address bar and from history before anything else happens.
    rest = [(k, v) for k, v in request.args.items(multi=True) if k != SIGNED_LINK_ARG]
    return redirect(request.script_root + request.path + (f"?{urlencode(rest)}" if rest else ""), code=303)


def login_required(view):
    """Run `view` for a signed-in user; otherwise sign in first (and come back), or refuse clearly."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        methods = current_app.config["GATEWAY_AUTH"]
        if SIGNED_LINK_ARG in request.args and "signed-link" in methods:
            return _consume_signed_link(kwargs.get("slug"))
        if current_user() is None:
            if "local" in methods:
                return redirect(url_for("auth.login", next=this_page()))
            raise SignInRefused(
                "You are not signed in.", hint="Open T-book from your intranet page, which signs you in."
            )
        return view(*args, **kwargs)

    return wrapped

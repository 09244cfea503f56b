"""What a reverse proxy's forwarded headers may change: a path prefix, a listed public host, http or https."""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit

# One or more path segments of unreserved characters: no empty segment (`//host` would be a scheme-relative URL
# in every redirect and form action), no backslash, no `.` or `..`, no percent sign to decode into either.
_PREFIX = re.compile(r"(?:/[A-Za-z0-9_~!$&'()*+,;=:@.-]+)+")
_DEFAULT_PORTS = {"http": "80", "https": "443"}


def public_hosts(listed: Iterable[str], base_url: str | None) -> tuple[str, ...]:
    """Return the hosts (`host` or `host:port`, lower case) the gateway may call itself, the base URL's first."""
    hosts = [urlsplit(base_url).netloc.lower()] if base_url else []
    hosts += [host.strip().lower() for host in listed if host.strip()]
    return tuple(dict.fromkeys(host for host in hosts if host))


def _safe_prefix(prefix: str) -> bool:
    return bool(_PREFIX.fullmatch(prefix)) and not any(part in (".", "..") for part in prefix.split("/"))


class ForwardedGuard:
    """Undo what ProxyFix took from the forwarded headers when it is not the gateway's to say.

    Runs inside ProxyFix, which keeps the request's original values in `werkzeug.proxy_fix.orig`. A proxy
    that passes a client's own X-Forwarded-* through would otherwise let that client send sign-in redirects
    off-site (`X-Forwarded-Prefix: //evil.example`) or put any host in the return URL and errorUrl sent to
    T-book. The host must be one of `hosts`; any other becomes the first of them (the public base URL's), or,
    when none is configured, the Host the proxy itself connected with.
    """

    def __init__(self, wsgi_app, hosts: tuple[str, ...]) -> None:
        self.wsgi_app = wsgi_app
        self.hosts = hosts

    def __call__(self, environ, start_response):
        orig = environ.get("werkzeug.proxy_fix.orig", {})
        if environ.get("wsgi.url_scheme") not in _DEFAULT_PORTS:
            environ["wsgi.url_scheme"] = orig.get("wsgi.url_scheme", "http")
        prefix = environ.get("SCRIPT_NAME", "")
        if prefix != orig.get("SCRIPT_NAME", "") and not _safe_prefix(prefix):
            environ["SCRIPT_NAME"] = orig.get("SCRIPT_NAME", "")
        host = self._host(environ.get("HTTP_HOST", ""), environ["wsgi.url_scheme"])
        if host not in self.hosts:
            environ["HTTP_HOST"] = self.hosts[0] if self.hosts else orig.get("HTTP_HOST", "")
            environ["SERVER_NAME"], _, port = environ["HTTP_HOST"].partition(":")
            environ["SERVER_PORT"] = port or _DEFAULT_PORTS[environ["wsgi.url_scheme"]]
        return self.wsgi_app(environ, start_response)

    @staticmethod
    def _host(host: str, scheme: str) -> str:
        host = host.lower()
        name, _, port = host.rpartition(":") if host.count(":") == 1 else (host, "", "")
        return name if port == _DEFAULT_PORTS[scheme] else host

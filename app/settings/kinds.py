"""The kinds of value a setting can hold: each turns the environment's text into a typed value, or names the setting."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from app.errors import Unavailable


class ConfigError(Unavailable):
    """The settings cannot run the gateway; the message names the setting to fix."""


@dataclass(frozen=True)
class Kind:
    """A type of setting: `label` says it in words (for the docs), `parse(name, value)` returns the typed value.

    `parse` takes text from the environment, or any value create_app's config passes (an int, a list), and raises
    ConfigError naming `name` when the value does not fit.
    """

    label: str
    parse: Callable[[str, Any], Any]


def _text(name: str, value: Any) -> str:
    return str(value)


def _split(value: Any) -> list[str]:
    if isinstance(value, Iterable) and not isinstance(value, str):
        return [str(v).strip() for v in value if str(v).strip()]
    return [part.strip() for part in str(value).split(",") if part.strip()]


def integer(minimum: int = 0) -> Kind:
    def parse(name: str, value: Any) -> int:
        try:
            number = int(str(value).strip())
        except ValueError:
            number = minimum - 1
        if number < minimum:
            raise ConfigError(
                f"{name} must be a whole number, {minimum} or more ({minimum}, {minimum + 1}...), not {value!r}"
            )
        return number

    return Kind(f"whole number, {minimum} or more", parse)


def number(name: str, value: Any) -> float:
    try:
        result = float(str(value).strip())
    except ValueError:
        result = -1.0
    if not result >= 0:  # also refuses nan
        raise ConfigError(f"{name} must be a number of seconds, 0 or more, not {value!r}")
    return result


def positive(name: str, value: Any) -> float:
    result = number(name, value)
    if result == 0:
        raise ConfigError(f"{name} must be a number of seconds above 0, not {value!r}")
    return result


def flag(name: str, value: Any) -> bool:
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("", "0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name} is 1 (on) or 0 (off), not {value!r}")


def choice(*options: str) -> Kind:
    def parse(name: str, value: Any) -> str:
        text = str(value).strip().lower()
        if text not in options:
            raise ConfigError(f"{name} must be {', '.join(options[:-1])} or {options[-1]}, not {value!r}")
        return text

    return Kind(" | ".join(options), parse)


def choices(*options: str) -> Kind:
    """A non-empty comma list of some of `options`, kept in its order."""

    def parse(name: str, value: Any) -> list[str]:
        picked = _split(value)
        if not picked or any(item not in options for item in picked):
            raise ConfigError(f"{name} takes a comma list of {', '.join(options)}; got {value!r}")
        return picked

    return Kind(f"comma list of {', '.join(options)}", parse)


def url(name: str, value: Any) -> str:
    """An absolute http(s) URL whose query decodes, or "" (unset: worked out from other settings)."""
    text = str(value)
    if not text:
        return text
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{name} must be an absolute http(s) URL, not {text!r}")
    try:
        parse_qsl(parts.query, strict_parsing=bool(parts.query), errors="strict")
    except (ValueError, UnicodeDecodeError) as err:
        raise ConfigError(f"{name} has a malformed query string ({err}): {text!r}") from err
    if re.search(r"%(?![0-9A-Fa-f]{2})", text):
        raise ConfigError(f"{name} has a stray % (write %25 for a percent sign): {text!r}")
    return text


def base_url(name: str, value: Any) -> str:
    """A URL that paths are appended to: its trailing slash is dropped."""
    return url(name, str(value).rstrip("/"))


# An origin as CSP's frame-ancestors takes it: scheme, host (a leading *. for every subdomain), optional port.
_ORIGIN = re.compile(r"^https?://(\*\.)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*(:\d{1,5})?$")


def origins(name: str, value: Any) -> tuple[str, ...]:
    """A comma list of web origins (https://intranet.example.org), each checked: it goes into a response header."""
    found = tuple(item.rstrip("/") for item in _split(value))
    for item in found:
        if not _ORIGIN.match(item):
            raise ConfigError(
                f"{name} takes origins such as https://intranet.example.org (scheme, host, optional port; "
                f"no path), comma separated; not {item!r}"
            )
    return found


TEXT = Kind("text", _text)
INTEGER = integer()
NUMBER = Kind("number, 0 or more", number)
POSITIVE = Kind("number above 0", positive)
FLAG = Kind("1 or 0", flag)
URL = Kind("http(s) URL", url)
BASE_URL = Kind("http(s) URL, no trailing slash", base_url)
# Compared as sets: membership is all the gateway asks of them.
ADDRESSES = Kind("comma list of addresses", lambda name, value: frozenset(_split(value)))
ORIGINS = Kind("comma list of origins (https://host[:port])", origins)
LOGINS = Kind("comma list of logins", lambda name, value: frozenset(login.lower() for login in _split(value)))
# In their order: the first is where a refused forwarded host goes.
HOSTS = Kind("comma list of host or host:port", lambda name, value: tuple(host.lower() for host in _split(value)))

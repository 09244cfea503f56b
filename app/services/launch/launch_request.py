"""A click as the launch sees it: who clicked which link, and what the launch tells T-book about the gateway."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote

from flask import current_app
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from app.services.launch import consumer, return_refs
from app.store.views import LinkView

# The launch locales T-book offers, by the learner's language; GATEWAY_LOCALE otherwise.
LOCALES = {"fr": "fr-FR", "en": "en-US"}


@dataclass(frozen=True)
class Click:
    """What the caller knows of a click besides the link and the login.

    `base_url` is the gateway's public root URL, under which T-book comes back (the request's root URL, or the
    configured public URL for the CLI); `accept_language` is the browser's Accept-Language header, if any;
    `language` is the language the gateway's pages speak to this learner ("fr", "en"), which wins when given, so
    that T-book opens in the language the learner chose on the gateway.
    """

    correlation_id: str
    base_url: str
    accept_language: str = ""
    language: str = ""


@dataclass(frozen=True)
class LaunchRequest:
    """Who clicked which link, and the addresses and names the launch tells T-book."""

    link: LinkView
    login: str
    correlation_id: str
    return_url: str
    error_url: str
    locale: str
    instance_guid: str
    instance_name: str
    preview: bool = False
    # Who asked, when it is not the learner: an admin's test launch previews another learner's launch.
    actor: str | None = None


@lru_cache(maxsize=256)
def _locale(accept_language: str, default: str) -> str:
    # Learners' browsers send a few distinct headers, and parsing one and matching it cost 20 to 40 µs per click.
    best = parse_accept_header(accept_language, LanguageAccept).best_match(LOCALES)
    return LOCALES.get(best, default)


def build(
    link: LinkView, login: str, click: Click, *, preview: bool = False, actor: str | None = None
) -> LaunchRequest:
    """Return the LaunchRequest of this click, with the absolute URLs T-book comes back to.

    `actor` is who asked when it is not the learner (an admin's test launch).
    """
    cfg = current_app.config
    ref = quote(return_refs.make(link.slug, click.correlation_id), safe="")
    back = return_refs.urls(click.base_url)
    return LaunchRequest(
        link=link,
        login=login,
        correlation_id=click.correlation_id,
        return_url=f"{back.return_url}?ref={ref}",
        error_url=f"{back.error_url}?ref={ref}",
        locale=LOCALES.get(click.language) or _locale(click.accept_language, cfg["GATEWAY_LOCALE"]),
        instance_guid=consumer.instance_guid(),
        instance_name=cfg["GATEWAY_INSTANCE_NAME"],
        preview=preview,
        actor=actor,
    )

"""What the launch pages' templates use: URLs built once per root URL, the launch form's fields, links' words."""

from __future__ import annotations

import html

from flask import current_app, render_template, request, url_for
from flask_babel import lazy_gettext
from markupsafe import Markup

from app.web.i18n import page_language
from app.web.launch import bp

_FIELDS = "\x00launch-fields\x00"  # where the click's own fields go in a launch page rendered once


@bp.app_template_global("known_url")
def known_url(endpoint: str, **values) -> str:
    """Return `url_for(endpoint, **values)`, built once per address the gateway is reached at (its root URL).

    Every launch page needs the same two static file URLs; each cost 5 to 7 µs through Flask's URL map, and
    the four URLs of a click (with the return URL and errorUrl) as much as signing the launch (bench/README.md).
    """
    key = (request.url_root, endpoint, *sorted(values.items()))
    return _kept("tbook_gateway.urls", key, lambda: url_for(endpoint, **values))


def _kept(name: str, key: tuple, make):
    """Return what `make()` gives for `key` in this app's cache `name`, made on first use.

    Keyed on the root URL among other things: a gateway answers on a few addresses, two languages, its links;
    past 1000 entries the cache starts again, so that forged Host headers never grow it.
    """
    cache = current_app.extensions.setdefault(name, {})
    found = cache.get(key)
    if found is None:
        if len(cache) > 1000:
            cache.clear()
        found = cache[key] = make()
    return found


@bp.app_template_filter("hidden_inputs")
def hidden_inputs(params: list[tuple[str, str]]) -> Markup:
    """Return the launch parameters as hidden form fields, every name and value escaped for an attribute.

    One Markup for the whole form: Jinja's autoescape made a Markup object per value (bench/README.md).
    `html.escape` (quotes included) makes every name and value inert inside a double-quoted attribute.
    """
    return Markup(  # noqa: S704  (every interpolated value goes through html.escape)
        "".join(
            f'<input type="hidden" name="{html.escape(name)}" value="{html.escape(value)}">\n' for name, value in params
        )
    )


# What each mode means to the learner who clicks, in their words (the admin console names the modes).
_MODE_EXPLANATIONS = {
    "lti": lazy_gettext("Opens T-book already signed in, with your intranet profile."),
    "authtoken": lazy_gettext("Opens T-book through T-book's own single sign-on."),
    "auto": lazy_gettext("Opens T-book already signed in; uses T-book's single sign-on when it must."),
}


@bp.app_template_global("link_explanation")
def link_explanation(mode: str) -> str:
    """Return what a link of this mode does, in the page's language."""
    return str(_MODE_EXPLANATIONS.get(mode, ""))


def launch_page(link, launch, probe_url: str) -> str:
    """Return the launch page: the form of this click's signed fields, in the page's words around it.

    All but the fields depends only on the address the gateway was reached at, the language, the link and
    T-book's launch URL, so that part is rendered once and kept: rendering the whole template cost a click
    about 160 µs, a sixth of its CPU, for the same words every time (bench/README.md).
    """

    def render() -> tuple[str, str]:
        page = render_template("launch/launch.html", link=link, launch_url=launch.url, probe_url=probe_url)
        before, fields, after = page.partition(_FIELDS)
        if not fields:
            raise RuntimeError("templates/launch/launch.html must place launch_fields() in the form")
        return before, after

    key = (request.url_root, page_language(), link.slug, link.mode, launch.url, probe_url)
    before, after = _kept("tbook_gateway.launch_pages", key, render)
    return "".join((before, hidden_inputs(launch.params), after))  # not `+`: Markup's + would escape the page


@bp.app_template_global("launch_fields")
def launch_fields() -> Markup:
    """Where launch_page puts the click's fields (a marker no escaped value can contain)."""
    return Markup(_FIELDS)  # noqa: S704  (a constant)

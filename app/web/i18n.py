"""The pages' language: French or English, chosen by a cookie, the browser's Accept-Language, then GATEWAY_LANGUAGE."""

from __future__ import annotations

import logging
import os
import tempfile
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlencode

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Blueprint, Flask, current_app, has_request_context, redirect, request, url_for
from flask_babel import Babel, get_locale, get_translations
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

log = logging.getLogger(__name__)

LANGUAGES = {"fr": "Français", "en": "English"}
COOKIE = "tbook_gateway_lang"
# Blueprints whose pages are in English only, for now: the whole page then says so (`lang`, header, messages),
# rather than a French header above English content.
UNTRANSLATED = frozenset({"admin"})
TRANSLATIONS = Path(__file__).resolve().parents[2] / "translations"

# Parsed once: Flask-Babel parses what the selector returns on every request, unless it is a Locale already.
_LOCALES = {code: Locale.parse(code) for code in LANGUAGES}
_TRANSLATIONS = "tbook_gateway.translations"

babel = Babel()
bp = Blueprint("i18n", __name__)


def chosen_language() -> str | None:
    """Return the language the user picked with the switch, if any (a cookie: it outlives sign-in and sign-out)."""
    picked = request.cookies.get(COOKIE, "")
    return picked if picked in LANGUAGES else None


def select_language() -> Locale:
    """Return this request's language: the user's choice, else the browser's best, else GATEWAY_LANGUAGE."""
    if request.blueprint in UNTRANSLATED:
        return _LOCALES["en"]
    browser = _browser_language(request.headers.get("Accept-Language", ""))
    return _LOCALES[chosen_language() or browser or current_app.config["GATEWAY_LANGUAGE"]]


@lru_cache(maxsize=256)
def _browser_language(accept_language: str) -> str | None:
    # Every launch page is rendered in a language: browsers send a few distinct headers, and parsing one costs
    # tens of µs per click (as app/services/launch/launch_request.py found), so each is parsed once.
    return parse_accept_header(accept_language, LanguageAccept).best_match(LANGUAGES)


def page_language() -> str:
    """The language this page is rendered in ("fr" or "en"), for `<html lang>` and the launch's locale."""
    return get_locale().language


@bp.get("/language/<code>")
def switch(code: str):
    """Remember the language picked on the switch, and go back to the page it was picked on."""
    from app.web.auth.identity import is_safe_next

    target = request.args.get("next", "")
    response = redirect(target if is_safe_next(target) else url_for("launch.home"), code=303)
    if code in LANGUAGES:
        response.set_cookie(
            COOKIE,
            code,
            max_age=365 * 24 * 3600,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure,
            path=request.script_root or "/",
        )
    return response


def _switch_links() -> list[dict[str, str]]:
    """The other languages, each with the address that picks it and comes back to this page."""
    if request.blueprint in UNTRANSLATED:
        return []
    # This page again, less a signed link's token: a sign-in token never goes into a page.
    from app.web.auth.identity import SIGNED_LINK_ARG

    kept = [(name, value) for name, value in request.args.items(multi=True) if name != SIGNED_LINK_ARG]
    here = request.script_root + request.path + (f"?{urlencode(kept, safe='/')}" if kept else "")
    current = page_language()
    return [
        {"code": code, "name": name, "url": url_for("i18n.switch", code=code, next=here)}
        for code, name in LANGUAGES.items()
        if code != current
    ]


def _request_translations():
    """Return this request's translations, looked up once per request (outside a request: Flask-Babel's)."""
    if not has_request_context():
        return get_translations()
    found = request.environ.get(_TRANSLATIONS)
    if found is None:
        found = request.environ[_TRANSLATIONS] = get_translations()
    return found


def compile_catalogs(directory: Path = TRANSLATIONS) -> None:
    """Compile each translations/<lang>/LC_MESSAGES/messages.po whose .mo is missing or older than it.

    The .po files are the source (in git); the .mo files are built from them, here at start-up, so that a fresh
    clone runs (`make run`, `pytest`) without a build step. Written atomically: several workers may start at once.
    """
    for po_path in directory.glob("*/LC_MESSAGES/*.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=po_path.parents[1].name)
        handle, temporary = tempfile.mkstemp(dir=mo_path.parent, suffix=".mo.tmp")
        try:
            with os.fdopen(handle, "wb") as mo_file:
                write_mo(mo_file, catalog)
            os.replace(temporary, mo_path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


def init_app(app: Flask) -> None:
    compile_catalogs()
    babel.init_app(
        app,
        default_locale=app.config["GATEWAY_LANGUAGE"],
        default_translation_directories=str(TRANSLATIONS),
        locale_selector=select_language,
    )
    # `{% trans %}` blocks are written across lines; their text is looked up with its whitespace folded.
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    # Flask-Babel finds the request's translations again for every string (locale, domain, cache: about 15 µs
    # each, a tenth of the launch page's time with a dozen strings); the templates find them once per request.
    app.jinja_env.install_gettext_callables(
        gettext=lambda text: _request_translations().ugettext(text),
        ngettext=lambda text, plural, n: _request_translations().ungettext(text, plural, n),
        pgettext=lambda context, text: _request_translations().upgettext(context, text),
        npgettext=lambda context, text, plural, n: _request_translations().unpgettext(context, text, plural, n),
        newstyle=True,
    )
    app.register_blueprint(bp)
    app.jinja_env.globals.update(page_language=page_language, language_links=_switch_links)

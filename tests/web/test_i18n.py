"""French and English: the catalogs cover every string, the language is chosen as promised, the launch follows it."""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from app.services.identity import accounts
from app.store import db
from app.web.i18n import COOKIE
from tests.factories import make_link, make_profile
from tests.web.test_launch import form_of

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "translations" / "fr" / "LC_MESSAGES" / "messages.po"
# The templates whose every word is translated (the admin console's are not, yet).
LEARNER_TEMPLATES = ["base.html", "error.html", "auth/login.html", "launch/home.html", "launch/launch.html",
                     "launch/lti_return.html", "launch/preview.html", "sso/error.html"]  # fmt: skip
# Words that are the same in both languages: names, and the protocol's own terms shown on the preview.
SAME_IN_BOTH = {"T-book", "Gateway", "T", "custom_data"}


def extracted() -> dict[str, str]:
    """Every translatable string of the code and templates, as `make translations` extracts them."""
    method_map = [("app/**.py", "python"), ("templates/**.html", "jinja2")]
    options = {"templates/**.html": {"trimmed": "true"}}
    found = extract_from_dir(
        str(ROOT), method_map, options_map=options, keywords={"_": None, "gettext": None, "lazy_gettext": None,
                                                              "_l": None, "ngettext": (1, 2)}
    )  # fmt: skip
    return {(msg if isinstance(msg, str) else msg[0]): path for path, _, msg, _, _ in found}


def french() -> dict[str, object]:
    with CATALOG.open("rb") as po:
        catalog = read_po(po, locale="fr")
    # A plural is known by its singular, as extraction names it.
    return {(m.id[0] if isinstance(m.id, tuple) else m.id): m for m in catalog if m.id}


def test_every_string_of_the_code_and_templates_has_a_french_translation():
    catalog = french()
    missing = sorted(f"{where}: {text!r}" for text, where in extracted().items() if text not in catalog)
    assert not missing, "run `make translations`, then translate:\n" + "\n".join(missing)
    untranslated = sorted(repr(m.id) for m in catalog.values() if not all(m.string) or not m.string or m.fuzzy)
    assert not untranslated, "empty or fuzzy in translations/fr: " + ", ".join(untranslated)


def test_the_catalog_holds_no_string_the_code_no_longer_has():
    stale = sorted(set(french()) - set(extracted()))
    assert not stale, "run `make translations` to drop them: " + ", ".join(map(repr, stale))


def test_french_keeps_every_placeholder_of_the_english():
    for message in french().values():
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in strings:
            assert sorted(re.findall(r"%\(\w+\)[sd]", text)) == sorted(re.findall(r"%\(\w+\)[sd]", ids[0])), message.id


class _Text(HTMLParser):
    """Collects the words a person reads or hears: text, and the attributes that are read out or shown."""

    def __init__(self) -> None:
        super().__init__()
        self.words: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("script", "style")
        for name, value in attrs:
            if name in ("aria-label", "title", "placeholder", "alt") and value:
                self.words += re.findall(r"[A-Za-zÀ-ÿ][\w'’-]*", value)

    def handle_endtag(self, tag):
        self._skip -= tag in ("script", "style")

    def handle_data(self, data):
        if not self._skip:
            self.words += re.findall(r"[A-Za-zÀ-ÿ][\w'’-]*", data)


@pytest.mark.parametrize("name", LEARNER_TEMPLATES)
def test_a_learner_template_has_no_word_outside_a_translation(name):
    source = (ROOT / "templates" / name).read_text(encoding="utf-8")
    source = re.sub(r"\{#.*?#\}", " ", source, flags=re.S)
    source = re.sub(r"\{% block main_class %\}.*?\{% endblock %\}", " ", source)  # a class name, not text
    source = re.sub(r"\{%-?\s*trans\b.*?\{%-?\s*endtrans\s*-?%\}", " ", source, flags=re.S)
    source = re.sub(r"\{\{.*?\}\}|\{%.*?%\}", " ", source, flags=re.S)
    parser = _Text()
    parser.feed(source)
    assert [word for word in parser.words if word not in SAME_IN_BOTH] == []


def test_french_by_default_when_the_browser_asks_for_no_language_we_speak(make_gateway):
    client = make_gateway(GATEWAY_LANGUAGE="fr").test_client()
    page = client.get("/auth/login", headers={"Accept-Language": "de-DE,de;q=0.9"})
    assert '<html lang="fr">' in page.text
    assert "<title>Se connecter · T-book Gateway</title>" in page.text
    assert "Mot de passe" in page.text and "Password" not in page.text


@pytest.mark.parametrize(
    ("accept", "lang", "words"), [("en-GB,en;q=0.9", "en", "Sign in"), ("fr-CA", "fr", "Se connecter")]
)
def test_the_browsers_language_wins_over_the_default(make_gateway, accept, lang, words):
    client = make_gateway(GATEWAY_LANGUAGE="fr" if lang == "en" else "en").test_client()
    page = client.get("/auth/login", headers={"Accept-Language": accept})
    assert f'<html lang="{lang}">' in page.text and f"<h1>{words}</h1>" in page.text


def test_every_page_offers_the_other_language_and_the_choice_is_remembered(client):
    page = client.get("/auth/login?next=/launch/x", headers={"Accept-Language": "en"})
    assert '<a class="language" href="/language/fr?next=/auth/login?next%3D/launch/x" lang="fr" hreflang="fr">' in (
        page.text
    )
    switched = client.get("/language/fr?next=/auth/login?next%3D/launch/x")
    assert switched.status_code == 303 and switched.headers["Location"] == "/auth/login?next=/launch/x"
    assert f"{COOKIE}=fr" in switched.headers["Set-Cookie"] and "HttpOnly" in switched.headers["Set-Cookie"]
    # The choice wins over the browser's language, and survives signing in (the session is renewed then).
    again = client.get("/auth/login", headers={"Accept-Language": "en"})
    assert '<html lang="fr">' in again.text and 'hreflang="en">English</a>' in again.text


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example", "/\\evil.example"])
def test_the_switch_never_leaves_the_site(client, target):
    response = client.get("/language/en", query_string={"next": target})
    assert response.headers["Location"] == "/"


def test_an_unknown_language_changes_nothing(client):
    response = client.get("/language/de?next=/auth/login")
    assert response.status_code == 303 and "Set-Cookie" not in response.headers


def test_the_launch_opens_tbook_in_the_language_the_learner_chose(app, client, auth):
    with app.app_context():
        make_link()
        make_profile()
    auth.login()
    french_browser = {"Accept-Language": "fr-FR,fr;q=0.9"}
    french = client.get("/launch/open-tbook", headers=french_browser).text
    _, params = form_of(french)
    assert dict(params)["launch_presentation_locale"] == "fr-FR" and '<html lang="fr">' in french
    again = client.get("/launch/open-tbook", headers=french_browser).text  # the page's words are kept, not its fields
    assert '<html lang="fr">' in again and dict(form_of(again)[1])["oauth_nonce"] != dict(params)["oauth_nonce"]
    client.get("/language/en")
    page = client.get("/launch/open-tbook", headers=french_browser).text
    assert dict(form_of(page)[1])["launch_presentation_locale"] == "en-US"
    assert '<html lang="en">' in page and "<h1>Opening T-book…</h1>" in page


def test_the_launch_page_reads_naturally_in_french(app, client, auth):
    with app.app_context():
        make_link(title="Open T-book")
        make_profile()
    auth.login()
    client.get("/language/fr")
    page = client.get("/launch/open-tbook").text
    assert "<title>Ouverture de T-book…</title>" in page and "<h1>Ouverture de T-book…</h1>" in page
    shown = re.sub(r"<input [^>]*>", "", page)  # the form's fields carry the link's title to T-book, unseen
    assert "Opening" not in shown and "Open T-book" not in shown


def test_form_errors_and_flashes_speak_the_pages_language(client):
    client.get("/language/fr")
    page = client.get("/auth/login")
    from tests.conftest import csrf_token

    refused = client.post(
        "/auth/login", data={"login": "jane.doe@example.com", "password": "nope", "csrf_token": csrf_token(page.text)}
    )
    assert refused.status_code == 401 and "ne correspondent pas" in refused.text
    empty = client.post("/auth/login", data={"login": "", "password": "", "csrf_token": csrf_token(page.text)})
    assert empty.status_code == 400 and "Ce champ est requis." in empty.text


# What the sign-in form says as the pause nears (GATEWAY_SIGNIN_MAX_FAILURES=3 here), in each language.
PAUSE_WARNINGS = {
    "en": (
        "That e-mail and password do not match. Check them and try again.",
        "One attempt left before a 15-minute pause.",
        "Sign-in is now paused for 15 minutes after too many failed attempts.",
        "Sign-in is paused after too many failed attempts. Try again in 15 minutes.",
    ),
    "fr": (
        "Cette adresse e-mail et ce mot de passe ne correspondent pas. Vérifiez-les puis réessayez.",
        "Plus qu'un essai avant une pause de 15 minutes.",
        "La connexion est maintenant suspendue pour 15 minutes après trop d'échecs.",
        "La connexion est suspendue après trop d'échecs. Réessayez dans 15 minutes.",
    ),
}


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_sign_in_forms_warnings_before_and_at_the_pause_speak_the_browsers_language(make_gateway, language):
    from tests.conftest import csrf_token

    client = make_gateway(GATEWAY_SIGNIN_MAX_FAILURES="3", GATEWAY_LANGUAGE="en" if language == "fr" else "fr")
    client = client.test_client()
    headers = {"Accept-Language": {"en": "en-GB,en;q=0.9", "fr": "fr-FR,fr;q=0.9"}[language]}

    def wrong(n: int):
        token = csrf_token(client.get("/auth/login", headers=headers).text)
        data = {"login": "jane.doe@example.com", "password": f"wrong-{n}", "csrf_token": token}
        return client.post("/auth/login", data=data, headers=headers)

    refused, warning, paused_now, paused = PAUSE_WARNINGS[language]
    other_language = PAUSE_WARNINGS["fr" if language == "en" else "en"]
    first, second, third, fourth = (wrong(n) for n in range(4))
    assert first.status_code == 401 and refused in unescape(first.text) and warning not in unescape(first.text)
    assert second.status_code == 401 and f"{refused} {warning}" in unescape(second.text)
    assert third.status_code == 401 and paused_now in unescape(third.text)
    assert fourth.status_code == 429 and paused in unescape(fourth.text)
    for page in (first, second, third, fourth):
        assert f'<html lang="{language}">' in page.text
        assert not any(words in unescape(page.text) for words in other_language)


def test_a_signed_in_user_on_the_sign_in_page_is_told_so_and_shown_the_way_home(app, client, auth):
    with app.app_context():
        make_profile()
    auth.login()
    page = client.get("/auth/login")
    assert page.status_code == 200
    assert "You are signed in as jane.doe@example.com." in page.text and '<a href="/">Go to your T-book links</a>' in (
        page.text
    )
    client.get("/language/fr")
    assert "Votre session est ouverte avec le compte jane.doe@example.com." in client.get("/auth/login").text


def test_the_admin_console_stays_in_english_as_a_whole_until_it_is_translated(app, client, auth):
    with app.app_context():
        accounts.set_account("admin@example.com", "admin-password", is_admin=True)
        db.session.commit()
    auth.login("admin@example.com", "admin-password")
    page = client.get("/admin/", headers={"Accept-Language": "fr"})
    assert page.status_code == 200
    assert '<html lang="en">' in page.text and 'class="language"' not in page.text


def test_the_switch_never_carries_a_signed_links_token(make_gateway):
    client = make_gateway(GATEWAY_AUTH="local,signed-link").test_client()
    page = client.get("/launch/open-tbook?auth=not.a.valid.token&x=1")
    assert page.status_code == 401 and "not.a.valid.token" not in page.text.split("<main", 1)[0]
    assert 'href="/language/fr?next=/launch/open-tbook?x%3D1"' in page.text

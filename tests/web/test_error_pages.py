"""Error pages as a learner reads them: one reference (the audit log's), what happened, what to do, no admin advice."""

from __future__ import annotations

import logging
import re
import time
from html import unescape

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import select

from app.store import db
from app.store.models import AuditEvent
from tests.factories import make_link, make_profile
from tests.web.test_fallback import signed_in_client

REFERENCE = re.compile(r'<code class="reference">([0-9a-f]{32})</code>')
FRENCH = {"Accept-Language": "fr-FR,fr;q=0.9"}


def references(html: str) -> list[str]:
    """Every reference the page shows; a 32-hex string anywhere else would be a second one."""
    return sorted(set(re.findall(r"\b[0-9a-f]{32}\b", html)))


def visible(html: str) -> str:
    """The page's text as read, without its tags and attributes."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def audited(gateway, action: str = "launch") -> list[AuditEvent]:
    with gateway.app_context():
        return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def test_a_configuration_fault_asks_for_the_administrator_without_their_advice(make_gateway, sandbox):
    no_lti = make_gateway(TBOOK_LTI_SECRET="")
    page = signed_in_client(no_lti).get("/launch/open-tbook")
    assert page.status_code == 503
    assert "Trying again will not help until it is fixed" in page.text
    assert "TBOOK_LTI_SECRET" not in page.text and "console" not in page.text and "Try again" not in page.text
    (event,) = audited(no_lti)
    assert REFERENCE.findall(page.text) == [event.correlation_id] == references(page.text)


def test_refused_api_credentials_leave_the_secret_advice_to_the_log(make_gateway, sandbox, caplog):
    gateway = make_gateway(TBOOK_CLIENT_SECRET="not-the-secret")
    browser = signed_in_client(gateway, slug="sso", mode="authtoken")
    with caplog.at_level(logging.WARNING, logger="app.web.errors"):
        page = browser.get("/launch/sso")
    assert page.status_code == 502 and "client secret" not in page.text
    (event,) = [e for e in audited(gateway) if e.outcome == "error"]
    assert references(page.text) == [event.correlation_id]
    assert any(event.correlation_id in r.getMessage() and "client secret" in r.getMessage() for r in caplog.records)


def test_a_profile_problem_is_told_in_the_learners_words_with_the_field_as_a_detail(app, client, auth):
    with app.app_context():
        make_link("by-id", connection_type="id")
        make_profile(externalID="")
    auth.login()
    page = client.get("/launch/by-id")
    assert page.status_code == 422
    text = " ".join(page.text.split())
    assert "<h1>Your profile cannot be sent to T-book</h1>" in text
    assert "<p>Part of your profile is missing, or is not in a form T-book accepts" in text
    assert "<summary>Details from the gateway</summary> <p>externalID: is required" in text


def test_a_forged_return_says_one_thing_and_offers_only_the_start_page(client):
    page = client.get("/lti/return?ref=forged&lti_errormsg=Your+account+is+locked,+call+0800")
    text = visible(page.text)
    assert "did not come from a launch" in text
    assert "try again" not in text.lower() and "Open T-book again" not in text
    assert "0800" not in text  # anyone can write this address: what it carries is not repeated
    assert references(page.text) == []


def test_sso_error_without_a_reference_promises_no_button_it_lacks(client):
    page = client.get("/sso/error")
    assert page.status_code == 400
    assert "Try again" not in visible(page.text) and "button" not in visible(page.text)
    assert len(references(page.text)) == 1


def test_the_error_page_speaks_french_and_keeps_one_reference(make_gateway, unused_url):
    down = make_gateway(TBOOK_API_URL=unused_url + "/api")
    browser = signed_in_client(down, slug="sso", mode="authtoken")
    page = browser.get("/launch/sso", headers=FRENCH)
    assert page.status_code == 503 and '<html lang="fr">' in page.text
    assert "<title>T-book ne répond pas · T-book Gateway</title>" in page.text
    assert "Patientez une minute, puis réessayez." in page.text and ">Réessayer</a>" in page.text
    (event,) = [e for e in audited(down) if e.outcome == "error"]
    assert references(page.text) == [event.correlation_id]


def test_no_page_shows_the_request_id_beside_the_reference(app, client):
    page = client.get("/no-such-page")
    assert page.status_code == 404 and "<h1>Not Found</h1>" in page.text
    assert REFERENCE.findall(page.text) == references(page.text) and len(references(page.text)) == 1


def test_the_launch_page_may_connect_to_the_launch_host_and_nowhere_else(app, client, auth, sandbox):
    with app.app_context():
        make_link()
        make_profile()
    auth.login()
    page = client.get("/launch/open-tbook")
    policy = page.headers["Content-Security-Policy"]
    assert f"connect-src 'self' {sandbox.url};" in policy and "default-src 'self'" in policy
    assert "frame-ancestors 'self'" in policy
    assert f'data-probe="{sandbox.url}/"' in page.text


def test_single_sign_on_instead_is_for_auto_links_only(app, client, auth, sandbox):
    with app.app_context():
        make_link()
        make_link("auto", mode="auto")
        make_profile()
    auth.login()
    instead = client.get("/launch/auto?via=sso")
    assert instead.status_code == 303 and "/sso/" in instead.headers["Location"]
    (event,) = [e for e in audited(app, "fallback") if e.outcome == "redirected"]
    assert event.detail["reason"] == "the browser could not reach T-book's launch host"
    assert 'id="launch-form"' in client.get("/launch/open-tbook?via=sso").text  # an LTI link stays LTI


def test_each_message_the_error_page_translates_is_still_a_services_own_words():
    from pathlib import Path

    from app.web.error_texts import MESSAGES

    root = Path(__file__).resolve().parents[2] / "app"
    sources = " ".join(
        " ".join(path.read_text(encoding="utf-8").split())
        for path in root.rglob("*.py")
        if path.name != "error_texts.py"
    )
    stale = [str(message._args[0]) for message in MESSAGES if f'"{message._args[0]}"' not in sources]
    assert stale == [], "no longer raised: drop from app/web/error_texts.py MESSAGES"


def test_a_services_fixed_words_are_said_in_french_among_the_details(make_gateway, sandbox):
    gateway = make_gateway(TBOOK_CLIENT_SECRET="not-the-secret")
    browser = signed_in_client(gateway, slug="sso", mode="authtoken")
    page = browser.get("/launch/sso", headers=FRENCH)
    assert "T-book a refusé les identifiants API de la passerelle." in page.text


# The learner's words for three refusals, in each language: (title, what happened, what to do).
ENGLISH = {"Accept-Language": "en-GB,en;q=0.9"}
IN = {"en": ENGLISH, "fr": FRENCH}
DISABLED = {
    "en": (
        "This link is temporarily unavailable",
        "This link to T-book is temporarily unavailable: your T-book administrator has turned it off for now.",
        "Try again later. If you need T-book now, ask your T-book administrator.",
    ),
    "fr": (
        "Ce lien est temporairement indisponible",
        "Ce lien vers T-book est temporairement indisponible : votre administrateur T-book l'a désactivé pour le "
        "moment.",
        "Réessayez plus tard. Si vous avez besoin de T-book maintenant, demandez à votre administrateur T-book.",
    ),
}
SLOW = {
    "en": (
        "T-book is slow",
        "T-book took too long to answer, so the gateway stopped waiting. T-book was not opened.",
        "Wait a minute, then try again. If T-book stays slow, tell your administrator.",
    ),
    "fr": (
        "T-book est lent",
        "T-book a mis trop de temps à répondre : la passerelle a cessé d'attendre. T-book n'a pas été ouvert.",
        "Patientez une minute, puis réessayez. Si T-book reste lent, prévenez votre administrateur.",
    ),
}
USED = {
    "en": (
        "This sign-in link has been used",
        "The sign-in link you followed has been used already: each link signs you in once only.",
        "Go back to the intranet and click again.",
    ),
    "fr": (
        "Ce lien de connexion a déjà servi",
        "Le lien de connexion que vous avez suivi a déjà servi : chaque lien ne vous connecte qu'une seule fois.",
        "Retournez sur l'intranet et cliquez à nouveau.",
    ),
}


def says(html: str, words: tuple[str, str, str]) -> None:
    """The page's title, heading, what happened and what to do are the learner's words, as expected."""
    title, happened, todo = words
    html = unescape(html)
    assert f"<title>{title} · T-book Gateway</title>" in html and f"<h1>{title}</h1>" in html
    assert f"<p>{happened}</p>" in html and f"<p>{todo}</p>" in html


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_disabled_link_is_temporarily_unavailable_not_unknown(make_gateway, language):
    gateway = make_gateway()
    browser = signed_in_client(gateway, slug="paused", title="Formation T-book", enabled=False)
    page = browser.get("/launch/paused", headers=IN[language])
    assert page.status_code == 404  # the contract's status for a disabled link; the page does not say "404"
    says(page.text, DISABLED[language])
    assert f'<html lang="{language}">' in page.text and 'class="status"' not in page.text
    text = visible(page.text)
    assert "Unknown launch link" not in text and "Lien de lancement inconnu" not in text
    assert "unknown" not in text.lower() and "inconnu" not in text.lower()
    assert ("switched off for now" in text) == (language == "en")
    assert ("désactivé pour le moment, jusqu" in text) == (language == "fr")
    (event,) = audited(gateway)
    assert (event.outcome, event.link_slug, event.detail["reason"]) == ("refused", "paused", "link disabled")
    assert REFERENCE.findall(page.text) == [event.correlation_id] == references(page.text)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_slow_tbook_page_reads_in_the_learners_words(make_gateway, sandbox, language):
    gateway = make_gateway(GATEWAY_CLICK_DEADLINE="0.3")
    browser = signed_in_client(gateway, slug="sso", mode="authtoken")
    sandbox.set_fault(path="/api/authToken", latency=2.0)
    page = browser.get("/launch/sso", headers=IN[language])
    assert page.status_code == 503
    says(page.text, SLOW[language])
    details = {
        "en": "T-book did not answer in the time the gateway gives a click, so the gateway stopped waiting.",
        "fr": "T-book n'a pas répondu dans le temps que la passerelle accorde à un clic",
    }[language]
    assert details in unescape(page.text) and (">Try again</a>" if language == "en" else ">Réessayer</a>") in page.text
    (event,) = [e for e in audited(gateway) if e.outcome == "timeout"]
    assert REFERENCE.findall(page.text) == [event.correlation_id] == references(page.text)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_used_signed_link_says_to_click_again_on_the_intranet(make_gateway, gateway_config, language):
    from app.services.identity.signed_links import make_token

    gateway = make_gateway(GATEWAY_AUTH="signed-link")
    with gateway.app_context():
        make_link()
        make_profile(password=None)
    token = make_token(gateway_config["GATEWAY_LINK_SECRET"], "jane.doe@example.com", "open-tbook")
    assert gateway.test_client().get(f"/launch/open-tbook?auth={token}").status_code == 303
    page = gateway.test_client().get(f"/launch/open-tbook?auth={token}", headers=IN[language])
    assert page.status_code == 401
    says(page.text, USED[language])
    text = visible(page.text)
    assert "could not tell who you are" not in text and "pas pu savoir qui vous êtes" not in text
    assert len(references(page.text)) == 1 and REFERENCE.findall(page.text) == references(page.text)


UNUSABLE = {
    "en": (
        "This sign-in link cannot be used",
        "The sign-in link you followed has expired or is not valid, so the gateway could not sign you in.",
        "Go back to the intranet and click again: each click makes a new link.",
    ),
    "fr": (
        "Ce lien de connexion n'est pas utilisable",
        "Le lien de connexion que vous avez suivi a expiré ou n'est pas valide : la passerelle n'a pas pu vous "
        "connecter.",
        "Retournez sur l'intranet et cliquez à nouveau : chaque clic crée un nouveau lien.",
    ),
}
UNUSABLE_DETAILS = {
    ("expired", "en"): "This sign-in link has expired.",
    ("expired", "fr"): "Ce lien de connexion a expiré.",
    ("altered", "en"): "This sign-in link is not valid (it was altered or signed with another key).",
    ("altered", "fr"): "Ce lien de connexion n'est pas valide",
}


class _SignedTwoMinutesAgo(TimestampSigner):
    """A portal's signer whose clock reads two minutes ago: its links are old when they arrive."""

    def get_timestamp(self) -> int:
        return int(time.time()) - 120


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("case", ["expired", "altered"])
def test_an_expired_or_altered_signed_link_says_to_click_again_on_the_intranet(
    make_gateway, gateway_config, case, language
):
    from app.services.identity.signed_links import SALT, make_token

    secret = gateway_config["GATEWAY_LINK_SECRET"]
    gateway = make_gateway(GATEWAY_AUTH="signed-link", GATEWAY_SIGNED_LINK_MAX_AGE="60")
    with gateway.app_context():
        make_link()
        make_profile(password=None)
    if case == "expired":
        old = URLSafeTimedSerializer(secret, salt=SALT, signer=_SignedTwoMinutesAgo)
        token = old.dumps({"login": "jane.doe@example.com", "link": "open-tbook", "nonce": "n1"})
    else:
        token = make_token(secret, "jane.doe@example.com", "open-tbook")
        token = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    page = gateway.test_client().get(f"/launch/open-tbook?auth={token}", headers=IN[language])
    assert page.status_code == 401 and f'<html lang="{language}">' in page.text
    says(page.text, UNUSABLE[language])
    text = visible(unescape(page.text))
    assert UNUSABLE_DETAILS[case, language] in text
    assert "could not tell who you are" not in text and "pas pu savoir qui vous êtes" not in text
    assert len(references(page.text)) == 1 and REFERENCE.findall(page.text) == references(page.text)

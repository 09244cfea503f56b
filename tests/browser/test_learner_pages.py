"""Every learner page, in French and English, phone to desktop: no sideways scrolling, no serious axe violation."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from app.services.identity.signed_links import make_token
from tests.factories import make_link, make_profile
from tests.fixtures.browser import ARTIFACTS
from tests.fixtures.serving import serve

pytestmark = pytest.mark.browser

# A phone (375 CSS px, the narrowest common), a desktop at 200 % zoom (1280 px seen as 640), a desktop.
VIEWPORTS = {"phone": (375, 667), "zoom-200": (640, 400), "desktop": (1280, 800)}
LANGUAGES = {"fr": "fr-FR", "en": "en-GB"}
AXE = Axe()
# Where axe runs: the phone and the desktop.
AXE_VIEWPORTS = ("phone", "desktop")
# A reference as the pages show it (the correlation id, which names the audit row).
REFERENCE = re.compile(r"\b[0-9a-f]{32}\b")
# Words for administrators and developers, which no learner page shows.
NOT_FOR_LEARNERS = re.compile(r"TBOOK_|GATEWAY_|client secret|shared secret|Traceback|console", re.IGNORECASE)


@pytest.fixture
def gateway_config(gateway_config):
    """Signed links on too (a used one is a learner page); a short click deadline and sign-in limit, so that the
    slow-T-book and sign-in-paused pages come quickly."""
    return {
        **gateway_config,
        "GATEWAY_AUTH": "local,signed-link",
        "GATEWAY_CLICK_DEADLINE": "1",
        "GATEWAY_SIGNIN_MAX_FAILURES": "2",
    }


@pytest.fixture
def app(app):
    """The test's gateway, with one route that fails as no route of the gateway should: the 500 page."""

    @app.get("/_test/unexpected")
    def unexpected():
        raise RuntimeError("a bug")

    return app


@pytest.fixture
def seeded(app):
    with app.app_context():
        make_link(title="Open T-book")
        make_link("open-tbook-debug", title="Open T-book (debug)", debug=True)
        make_link("open-tbook-sso", title="Open T-book (single sign-on)", mode="authtoken")
        make_link("open-tbook-auto", title="Open T-book (automatic)", mode="auto")
        make_link("paused", title="Open T-book (paused)", enabled=False)
        make_profile(firstname="Amélie", lastname="Poulain-Ébène", entityID="25", location=["Lyon"], externalID="")


@pytest.fixture(params=list(LANGUAGES))
def learner(request, browser, live_gateway, seeded):
    """A signed-out learner's browser that speaks the language of the test; the launch page stays put."""
    context = browser.new_context(locale=LANGUAGES[request.param])
    page = context.new_page()
    page.set_default_timeout(15_000)
    # The launch page would leave for T-book at once: without its script it waits for the button, to be measured.
    page.route("**/static/launch.js", lambda route: route.fulfill(body="", content_type="text/javascript"))
    page.language = request.param
    yield page
    context.close()


def sign_in(page, base: str) -> None:
    page.goto(base + "/auth/login")
    page.locator("input[name=login]").fill("jane.doe@example.com")
    page.locator("input[name=password]").fill("correct-horse")
    page.locator("form button[type=submit]").click()
    expect(page).to_have_url(base + "/")
    page.wait_for_load_state("load")  # the stylesheet too: the focus ring is measured


def check(page, name: str) -> None:
    """The page fits every viewport without sideways scrolling, and axe finds nothing serious or critical."""
    assert page.locator("html").get_attribute("lang") == page.language, name
    for label, (width, height) in VIEWPORTS.items():
        page.set_viewport_size({"width": width, "height": height})
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        if scroll_width > width:
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"overflow-{name}-{page.language}-{label}.png"), full_page=True)
        assert scroll_width <= width, f"{name} ({page.language}) is {scroll_width} px wide at {label} ({width} px)"
    for label in AXE_VIEWPORTS:
        width, height = VIEWPORTS[label]
        page.set_viewport_size({"width": width, "height": height})
        results = AXE.run(page, options={"resultTypes": ["violations"]})
        serious = [
            f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']]}"
            for v in results.response["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        assert serious == [], f"{name} ({page.language}, {label}):\n" + "\n".join(serious)
    page.set_viewport_size({"width": 375, "height": 667})


def check_error(page, name: str, status: int, references: int = 1) -> None:
    """An error page: its status, `references` references (the one the audit log has), no words for admins, in the
    page's language; then `check`."""
    text = page.locator("body").inner_text()
    assert page.evaluate("performance.getEntriesByType('navigation')[0].responseStatus") == status, name
    assert len(set(REFERENCE.findall(text))) == references, f"{name} ({page.language}) shows references: {text}"
    assert not NOT_FOR_LEARNERS.search(page.locator("main").inner_text()), f"{name} ({page.language}): {text}"
    check(page, name)


def return_url_of_a_click(page, base: str, slug: str) -> str:
    page.goto(base + f"/launch/{slug}")
    return page.locator("input[name=launch_presentation_return_url]").get_attribute("value")


def test_every_learner_page_fits_a_phone_and_passes_axe(learner, live_gateway, gateway_config, sandbox):
    base = live_gateway.url
    learner.goto(base + "/auth/login")
    check(learner, "sign-in")
    for _ in range(3):  # the limit (2 in this test), then one more: sign-in is paused for that login
        learner.locator("input[name=login]").fill("someone.else@example.com")
        learner.locator("input[name=password]").fill("not-the-password")
        learner.locator("form button[type=submit]").click()
        learner.wait_for_load_state("load")
    check_error(learner, "sign-in-paused", 429, references=0)
    learner.goto(base + "/lti/return?ref=forged")
    check_error(learner, "forged-return", 200, references=0)
    learner.goto(base + "/sso/error")
    check_error(learner, "sso-error-without-reference", 400)
    learner.goto(base + "/no-such-page")
    check_error(learner, "not-found", 404)
    learner.goto(base + "/_test/unexpected")
    check_error(learner, "unexpected-error", 500)

    sign_in(learner, base)
    check(learner, "home")
    return_url = return_url_of_a_click(learner, base, "open-tbook")
    check(learner, "launch")
    learner.goto(base + "/launch/open-tbook-debug/preview")
    check(learner, "preview")
    learner.goto(return_url + "&lti_errormsg=Unknown+consumer+key")
    check_error(learner, "return-with-error", 200)
    learner.goto(return_url + "&lti_msg=See+you+soon")
    check(learner, "return")
    error_url = return_url.replace("/lti/return?", "/sso/error?")
    learner.goto(error_url)
    check_error(learner, "sso-error", 200)
    learner.goto(base + "/launch/no-such-link")
    check_error(learner, "unknown-link", 404)
    learner.goto(base + "/launch/paused")
    check_error(learner, "disabled-link", 404)
    learner.goto(base + "/launch/open-tbook/preview")  # not a debug link: a learner may not preview it
    check_error(learner, "forbidden", 403)
    with live_gateway.app.app_context():
        make_link("by-id", title="Open T-book (by id)", connection_type="id")
    learner.goto(base + "/launch/by-id")  # the profile has no externalID
    check_error(learner, "profile-cannot-be-sent", 422)
    sandbox.set_fault(path="/api/authToken", latency=3.0, count=1)
    learner.goto(base + "/launch/open-tbook-sso")
    check_error(learner, "tbook-slow", 503)
    sandbox.set_fault(path="/api/authToken", status=503, count=20)
    learner.goto(base + "/launch/open-tbook-sso")
    check_error(learner, "tbook-not-answering", 503)
    token = make_token(gateway_config["GATEWAY_LINK_SECRET"], "jane.doe@example.com", "open-tbook")
    learner.goto(base + f"/launch/open-tbook?auth={token}")  # signs in, once
    learner.goto(base + f"/launch/open-tbook?auth={token}")
    check_error(learner, "used-signed-link", 401)
    learner.goto(base + "/auth/login")
    check(learner, "sign-in-when-signed-in")


@pytest.fixture
def lti_host_down(app, live_gateway, seeded, make_gateway, unused_url):
    """The same gateway and database, but its launch URL names a host where nothing listens."""
    with serve(make_gateway(TBOOK_LTI_URL=unused_url + "/api/lti"), "gateway-lti-down") as url:
        yield url


def test_the_tbook_cannot_be_reached_page_fits_a_phone_and_passes_axe(learner, lti_host_down):
    sign_in(learner, lti_host_down)
    learner.unroute("**/static/launch.js")  # the page's own check of the launch host, this time
    for slug, name in (("open-tbook", "tbook-unreachable"), ("open-tbook-auto", "tbook-unreachable-auto")):
        learner.goto(lti_host_down + f"/launch/{slug}")
        expect(learner.locator("#launch-unreachable")).to_be_visible()
        check(learner, name)


def test_the_home_page_names_each_link_and_the_page(learner, live_gateway):
    sign_in(learner, live_gateway.url)
    opens = learner.locator("main a.button")
    names = [opens.nth(i).evaluate("a => a.textContent.replace(/\\s+/g, ' ').trim()") for i in range(opens.count())]
    assert len(names) == len(set(names)) == 5, names  # four links and the debug link's preview, each its own name
    title = learner.title()
    assert title.startswith("Vos liens T-book" if learner.language == "fr" else "Your T-book links"), title
    # No jargon: the modes are told in words.
    assert not re.search(r"\b(lti|authtoken|auto)\b", learner.locator("main").inner_text())


def test_the_skip_link_comes_first_and_focus_is_visible(learner, live_gateway):
    sign_in(learner, live_gateway.url)
    learner.keyboard.press("Tab")
    skip = learner.locator(":focus")
    assert skip.get_attribute("href") == "#main" and skip.is_visible()
    learner.keyboard.press("Enter")
    assert urlsplit(learner.url).fragment == "main"
    learner.keyboard.press("Tab")  # the first control of the page's content
    outline = learner.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    width = learner.evaluate("parseFloat(getComputedStyle(document.activeElement).outlineWidth)")
    assert outline != "none" and width >= 2


def test_the_switch_changes_the_language_and_comes_back_to_the_page(learner, live_gateway):
    learner.goto(live_gateway.url + "/auth/login")
    other = "en" if learner.language == "fr" else "fr"
    learner.locator(f"a[hreflang={other}]").click()
    expect(learner.locator("html")).to_have_attribute("lang", other)
    expect(learner).to_have_url(live_gateway.url + "/auth/login")

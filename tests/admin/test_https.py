"""Over HTTPS, Flask-WTF wants a same-origin Referer on each POST: pages with forms must let the browser send it."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.admin.conftest import ADMIN
from tests.conftest import csrf_token
from tests.factories import PASSWORD, make_link, make_profile

BASE = "https://gateway.example.org"


class HttpsBrowser:
    """A test client that sends the Referer a browser would, as the Referrer-Policy of the page it is on allows."""

    def __init__(self, client) -> None:
        self.client = client

    def open_page(self, path: str):
        self.page_url = BASE + path
        self.page = self.client.get(path, base_url=BASE)
        return self.page

    def _referer(self, target: str) -> str | None:
        policy = self.page.headers["Referrer-Policy"]
        if policy == "no-referrer":
            return None
        if policy == "same-origin":
            same = urlsplit(self.page_url)[:2] == urlsplit(target)[:2]
            return self.page_url if same else None
        raise AssertionError(f"policy {policy!r} is not emulated here")

    def submit(self, path: str, data: dict):
        referer = self._referer(BASE + path)
        headers = {"Referer": referer} if referer else {}
        data = {**data, "csrf_token": csrf_token(self.page.text)}
        return self.client.post(path, data=data, headers=headers, base_url=BASE)


@pytest.fixture
def browser_https(client, admin_account):
    browser = HttpsBrowser(client)
    browser.open_page("/auth/login")
    assert browser.submit("/auth/login", {"login": ADMIN, "password": PASSWORD}).status_code == 303
    return browser


def test_an_admin_form_works_over_https(app, browser_https):
    page = browser_https.open_page("/admin/links/new")
    assert page.headers["Referrer-Policy"] == "same-origin"
    response = browser_https.submit(
        "/admin/links/new", {"slug": "open-tbook", "title": "Open T-book", "mode": "lti", "connection_type": "login"}
    )
    assert response.status_code == 303, response.text
    assert response.headers["Location"].endswith("/admin/links/open-tbook")


def test_sign_out_from_the_preview_works_over_https(app, browser_https):
    with app.app_context():
        make_link("debug", debug=True)
        make_profile(login=ADMIN)
    page = browser_https.open_page("/launch/debug/preview")
    assert page.status_code == 200 and page.headers["Referrer-Policy"] == "same-origin"
    response = browser_https.submit("/auth/logout", {})
    assert response.status_code == 303, response.text


def test_the_strict_referer_check_stays_on_over_https(app, browser_https):
    page = browser_https.open_page("/admin/links/new")
    data = {"slug": "x", "title": "X", "mode": "lti", "csrf_token": csrf_token(page.text)}
    assert browser_https.client.post("/admin/links/new", data=data, base_url=BASE).status_code == 400

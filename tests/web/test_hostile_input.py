"""Odd or hostile input that once gave a 500, a lock-out or a leak (the attack review's finding 9): a clear answer."""

from __future__ import annotations

import json
import time

import pytest
from sqlalchemy import func, select

from app import create_app
from app.store import db
from app.store.models import Profile
from tests.factories import make_link, make_profile
from tests.fixtures.sandbox import serve_sandbox
from tests.fixtures.serving import serve


@pytest.fixture
def jane(app):
    with app.app_context():
        make_link()
        return make_profile()


@pytest.mark.parametrize(
    "target",
    ["/launch/open-tbook\r\nSet-Cookie: x=1", "/\r\n/evil.example", "/launch/open-tbook\n", "/\x7flaunch", "/\u2028x"],
)
def test_a_next_with_control_characters_goes_home_after_a_good_sign_in(auth, jane, target):
    response = auth.login(next_url=target)
    assert response.status_code == 303 and response.headers["Location"] == "/"


# --- Ids are ASCII digits: T-book's are ints, and `int("٢٤")` would quietly make them 24 ---

UNICODE_DIGITS = [("entityID", "２４"), ("entityID", "٢٤"), ("externalID", "１００１"), ("externalID", "²")]


@pytest.mark.parametrize(("field", "value"), UNICODE_DIGITS)
def test_unicode_digits_are_refused_as_ids_on_import(app, runner, tmp_path, field, value):
    row = {"login": "jane.doe@example.com", "entityID": "24", "externalID": "1001", "civility": "mme"}
    row.update({"lastname": "Doe", "firstname": "Jane", field: value})
    path = tmp_path / "profiles.csv"
    path.write_text(",".join(row) + "\n" + ",".join(row.values()) + "\n", encoding="utf-8")
    result = runner.invoke(args=["profiles", "import", str(path)])
    assert f"rejected line 2: {field}:" in result.output, result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Profile)) == 0


@pytest.mark.parametrize(("field", "value"), UNICODE_DIGITS)
def test_a_stored_profile_with_unicode_digits_is_a_422_naming_the_field(app, client, auth, jane, field, value):
    with app.app_context():
        profile = db.session.scalars(select(Profile)).one()
        setattr(profile, {"entityID": "entity_id", "externalID": "external_id"}[field], value)
        db.session.commit()
    auth.login()
    response = client.get("/launch/open-tbook", headers={"Accept": "application/json"})
    assert response.status_code == 422 and response.get_json()["error"]["field"] == field


# --- T-book (or something posing as it) answering with a sign-in URL off T-book's host ---


class _OffHostSignInUrls:
    """The sandbox, except that /authToken answers `http://<its host>:<port>.evil.example/...`."""

    def __init__(self, app) -> None:
        self.app = app

    def __call__(self, environ, start_response):
        if not environ["PATH_INFO"].endswith("/authToken"):
            return self.app(environ, start_response)
        captured = {}

        def keep(status, headers, exc_info=None):
            captured["status"], captured["headers"] = status, headers

        body = json.loads(b"".join(self.app(environ, keep)))
        if "authentificationUrl" in body:
            scheme, rest = body["authentificationUrl"].split("://", 1)
            authority, path = rest.split("/", 1)
            body["authentificationUrl"] = f"{scheme}://{authority}.evil.example/{path}"
        data = json.dumps(body).encode()
        headers = [(k, v) for k, v in captured["headers"] if k.lower() != "content-length"]
        start_response(captured["status"], [*headers, ("Content-Length", str(len(data)))])
        return [data]


def test_a_sign_in_url_whose_host_only_starts_like_t_book_s_is_refused_cleanly(gateway_config, app, jane):
    with serve_sandbox() as real, serve(_OffHostSignInUrls(real.app), "off-host-tbook") as url:
        settings = {**gateway_config, "TBOOK_API_URL": f"{url}/api", "TBOOK_LTI_URL": f"{url}/api/lti"}
        with app.app_context():
            make_link("sso", mode="authtoken")
        gateway = create_app(settings)
        from tests.conftest import AuthActions

        browser = gateway.test_client()
        AuthActions(browser).login()
        response = browser.get("/launch/sso")
        with gateway.app_context():
            db.engine.dispose()
    assert response.status_code == 502, response.text[:300]
    assert "outside T-book" in response.text and "evil.example" not in response.headers.get("Location", "")


# --- Work bounded by the input's size, not its square ---


def test_a_csv_header_of_100000_columns_is_refused_quickly_and_briefly(app, runner, tmp_path):
    path = tmp_path / "wide.csv"
    columns = ["login", "entityID", "civility", "lastname", "firstname"] + [f"c{i}" for i in range(100_000)]
    columns += ["login"] * 10  # and repeated ones
    path.write_text(",".join(columns) + "\n", encoding="utf-8")
    started = time.monotonic()
    result = runner.invoke(args=["profiles", "import", str(path)])
    elapsed = time.monotonic() - started
    assert (
        result.exit_code != 0
        and "unknown column(s) c0, c1" in result.output
        and "repeated column(s) login" in result.output
    )
    assert "and 99990 more" in result.output and len(result.output) < 2_000
    assert elapsed < 5, f"{elapsed:.1f} s"


# --- /readyz tells anyone whether it is ready, never what T-book said ---


def test_readyz_shows_no_t_book_error_text(make_gateway, sandbox):
    client = make_gateway(TBOOK_CLIENT_SECRET="not-the-secret").test_client()
    response = client.get("/readyz")
    assert response.status_code == 503
    tbook = response.get_json()["checks"]["tbook"]
    assert tbook.startswith("no access token:") and "401" in tbook
    assert "Invalid client credentials" not in response.text  # the sandbox's own words

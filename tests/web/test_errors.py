"""The web's one error mapping: each domain-error kind answers with its status, as JSON or as the error page."""

from __future__ import annotations

import pytest
from flask import Blueprint

from app.errors import KINDS, FieldProblem, GatewayError, Invalid
from app.services.identity import accounts
from app.services.identity.signed_links import make_token
from app.store import db
from tests.admin.conftest import form_token
from tests.conftest import AuthActions
from tests.factories import PASSWORD, make_link, make_profile

JSON = {"Accept": "application/json"}
HTML = {"Accept": "text/html"}


def _raising(app) -> None:
    """Give the test's gateway a route that raises what the test names (before its first request)."""
    bp = Blueprint("raising", __name__)
    kinds = {kind.__name__: kind for kind in KINDS}

    @bp.get("/_raise/<name>")
    def raise_kind(name: str):
        if name == "several":
            raise Invalid(problems=[FieldProblem("civility", "must be m or mme"), FieldProblem("login", "is empty")])
        raise kinds[name](f"{name} happened", hint=f"do something about {name}")

    app.register_blueprint(bp)


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.__name__)
def test_every_kind_answers_with_its_status_as_json_and_as_a_page(app, client, kind: type[GatewayError]):
    _raising(app)
    path = f"/_raise/{kind.__name__}"
    as_json = client.get(path, headers=JSON)
    assert as_json.status_code == kind.status and as_json.is_json
    error = as_json.json["error"]
    assert (error["status"], error["title"]) == (kind.status, kind.title)
    assert error["message"] == f"{kind.__name__} happened" and error["correlation_id"]
    page = client.get(path, headers=HTML)
    assert page.status_code == kind.status and page.mimetype == "text/html"
    assert kind.title in page.text and f"{kind.__name__} happened" in page.text
    assert f"do something about {kind.__name__}" in page.text and "Traceback" not in page.text
    # A T-book outage or refusal offers to try the same address again; nothing else does.
    assert ("Try again" in page.text) == (kind.status in (502, 503))


def test_each_kind_has_its_own_status_and_every_service_error_derives_from_one_kind(app):
    assert [kind.status for kind in KINDS] == [404, 422, 409, 403, 503, 401, 429, 502]
    assert all(kind.__bases__ == (GatewayError,) for kind in KINDS)
    # create_app imported every blueprint, service and command: their errors are all known by now.
    errors = _subclasses(GatewayError) - set(KINDS)
    assert {"LinkExists", "ProfileNotFound", "FieldError", "SignedLinkError", "EncryptionUnavailable"} <= {
        error.__name__ for error in errors
    }
    for error in errors:
        kinds = [kind for kind in KINDS if issubclass(error, kind)]
        assert len(kinds) == 1, f"{error.__name__} is of kinds {kinds}"
        assert "status" not in vars(error) and "exit_code" not in vars(error), error.__name__


def _subclasses(cls: type) -> set[type]:
    return {sub for direct in cls.__subclasses__() for sub in {direct, *_subclasses(direct)}}


def test_an_invalid_input_names_every_field_at_fault_in_json(app, client):
    _raising(app)
    error = client.get("/_raise/several", headers=JSON).json["error"]
    assert error["field"] == "civility"
    assert error["fields"] == {"civility": "must be m or mme", "login": "is empty"}
    assert error["message"] == "civility: must be m or mme; login: is empty"


# The services' errors, through the real routes.


@pytest.fixture
def admin(app, client, auth):
    """The test client, signed in through the form as an admin."""
    with app.app_context():
        accounts.set_account("admin@example.com", PASSWORD, is_admin=True)
        db.session.commit()
    assert auth.login("admin@example.com", PASSWORD).status_code == 303
    return client


def test_an_unknown_profile_or_link_in_the_console_is_a_404_page(app, admin):
    response = admin.get("/admin/profiles/999", headers=JSON)
    assert response.status_code == 404 and response.json["error"]["message"] == "There is no profile number 999."
    page = admin.get("/admin/links/nope")
    assert page.status_code == 404 and "There is no link called nope." in page.text
    token = form_token(admin, "/admin/links/new")
    refused = admin.post("/admin/links/nope/enabled", data={"csrf_token": token, "enabled": "0"})
    assert refused.status_code == 404


def test_a_profile_t_book_would_refuse_is_invalid_naming_the_field(app, client, auth):
    with app.app_context():
        make_link()
        make_profile().civility = "sir"
        db.session.commit()
    auth.login()
    error = client.get("/launch/open-tbook", headers=JSON).json["error"]
    assert error["status"] == 422 and error["title"] == "Your profile cannot be sent to T-book"
    assert error["field"] == "civility" and error["fields"] == {"civility": "must be m or mme, not 'sir'"}


def test_a_preview_of_a_link_without_debug_is_forbidden(app, client, auth):
    with app.app_context():
        make_link()
        make_profile()
    auth.login()
    error = client.get("/launch/open-tbook/preview", headers=JSON).json["error"]
    assert (error["status"], error["title"]) == (403, "Not allowed")


def test_an_lti_link_without_its_secret_is_unavailable(make_gateway):
    gateway = make_gateway(TBOOK_LTI_SECRET="")
    with gateway.app_context():
        make_link()
        make_profile()
    browser = gateway.test_client()
    AuthActions(browser).login()
    error = browser.get("/launch/open-tbook", headers=JSON).json["error"]
    assert (error["status"], error["title"]) == (503, "T-book launch is not configured")


def test_a_bad_signed_link_is_a_refused_sign_in_with_its_hint(make_gateway, gateway_config):
    gateway = make_gateway(GATEWAY_AUTH="signed-link")
    token = make_token("not-the-portal-key", "jane.doe@example.com", "open-tbook")
    page = gateway.test_client().get(f"/launch/open-tbook?auth={token}")
    assert page.status_code == 401 and "Signed links are valid for a short time only." in page.text
    assert "not-the-portal-key" not in page.text and gateway_config["GATEWAY_LINK_SECRET"] not in page.text


def test_t_book_refusing_the_credentials_is_a_502(make_gateway, sandbox):
    gateway = make_gateway(TBOOK_CLIENT_SECRET="not-the-secret")
    with gateway.app_context():
        make_link("sso", mode="authtoken")
        make_profile()
    browser = gateway.test_client()
    AuthActions(browser).login()
    error = browser.get("/launch/sso", headers=JSON).json["error"]
    assert (error["status"], error["title"]) == (502, "T-book refused the sign-in")
    assert "not-the-secret" not in str(error)


def test_a_form_without_its_csrf_token_is_a_400_that_says_to_reload(app, admin):
    page = admin.post("/admin/links/new", data={"slug": "x", "title": "X", "mode": "lti"})
    assert page.status_code == 400 and "reload the page and try again" in page.text
    as_json = admin.post("/admin/credentials", data={"TBOOK_ENV": "live"}, headers=JSON)
    assert as_json.status_code == 400 and as_json.json["error"]["title"] == "Bad Request"

"""The sandbox's LTI 1.1 endpoint: OAuth verification, custom_data, debug display and refusals."""

from __future__ import annotations

import json
import time
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from tests.sandbox.conftest import RETURN_URL, launch_params, profile

FORM = "application/x-www-form-urlencoded"


def post_launch(api, body: str, path: str = "/api/lti"):
    return api.post(path, data=body, content_type=FORM)


def refusal(response) -> str:
    """Return the lti_errormsg of a refused launch, checking it went back to the return URL."""
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location._replace(query="").geturl() == urlsplit(RETURN_URL)._replace(query="").geturl()
    query = parse_qs(location.query)
    assert query["link"] == ["demo"]  # the return URL's own query is kept
    assert query["lti_log"][0].endswith(query["lti_errormsg"][0])
    return query["lti_errormsg"][0]


def learner(api, auth, login: str) -> dict:
    return api.post("/api/getOneLearner", headers=auth, data={"identifierType": "email", "identifier": login})


def test_launch_creates_the_learner_and_signs_in(api, auth, sign_launch):
    response = post_launch(api, sign_launch(launch_params()))
    assert response.status_code == 303 and response.headers["Location"] == "/home"
    home = api.get("/home").get_data(as_text=True)
    assert "Welcome, Paul Martin" in home and "Lyon Campus" in home and "LTI" in home
    assert "Onboarding — Lyon" in home
    assert learner(api, auth, "paul.martin@example.com").json["entity"]["entityID"] == "25"


def test_launch_updates_an_existing_learner_by_external_id(api, auth, sign_launch):
    data = profile(
        connectionType="id",
        externalID="1001",
        login="jane.doe@example.com",
        entityID="24",
        civility="mme",
        lastname="Doe",
        firstname="Janet",
        filter=["Session 2"],
    )
    assert post_launch(api, sign_launch(launch_params(data))).status_code == 303
    jane = learner(api, auth, "jane.doe@example.com").json
    assert jane["learnerID"] == "1" and jane["firstname"] == "Janet"
    assert jane["filter"] == ["Session 1", "Session 2"]


def test_query_string_is_part_of_the_signature(api, sign_launch):
    url = "http://localhost/api/lti?tenant=demo"
    assert post_launch(api, sign_launch(launch_params(), url=url), "/api/lti?tenant=demo").status_code == 303
    unsigned_query = sign_launch(launch_params())
    assert "Invalid OAuth signature" in refusal(post_launch(api, unsigned_query, "/api/lti?tenant=demo"))


def test_wrong_secret_is_refused_without_echoing_secrets(api, sign_launch):
    response = post_launch(api, sign_launch(launch_params(), secret="sandbox-secret"))
    message = refusal(response)
    assert "Invalid OAuth signature" in message
    assert "sandbox-lti-secret" not in response.headers["Location"]
    assert "Not signed in" in api.get("/home").get_data(as_text=True)


def test_unknown_consumer_key_is_refused(api, sign_launch):
    assert "consumer key" in refusal(post_launch(api, sign_launch(launch_params(), key="someone-else")))


def test_stale_timestamp_is_refused(api, sign_launch):
    old = str(int(time.time()) - 301 - 60)
    assert "timestamp" in refusal(post_launch(api, sign_launch(launch_params(), timestamp=old)))


def test_replayed_nonce_is_refused(api, sign_launch):
    body = sign_launch(launch_params())
    assert post_launch(api, body).status_code == 303
    assert "already used" in refusal(post_launch(api, body))


def test_a_forged_launch_does_not_burn_the_nonce_of_the_genuine_one(api, sign_launch):
    timestamp, nonce = str(int(time.time())), "abcdef0123456789"
    forged = sign_launch(launch_params(), secret="a-guess", timestamp=timestamp, nonce=nonce)
    assert "Invalid OAuth signature" in refusal(post_launch(api, forged))
    genuine = sign_launch(launch_params(), timestamp=timestamp, nonce=nonce)
    assert post_launch(api, genuine).status_code == 303


def test_unsigned_launch_is_refused(api):
    assert "not signed" in refusal(post_launch(api, urlencode(launch_params())))


def test_missing_nonce_is_refused(api, sign_launch):
    signed = parse_qs(sign_launch(launch_params()))
    del signed["oauth_nonce"]
    assert "Missing or malformed OAuth parameters" in refusal(post_launch(api, urlencode(signed, doseq=True)))


@pytest.mark.parametrize(
    "overrides, expected",
    [
        ({"lti_message_type": "ContentItemSelectionRequest"}, "lti_message_type"),
        ({"lti_version": "LTI-2p0"}, "lti_version"),
        ({"custom_data": "{not json"}, "not valid JSON"),
        ({"custom_data": None}, "no custom_data"),
        ({"custom_data": json.dumps(profile(firstname=None))}, "firstname"),
        ({"custom_data": json.dumps(profile(connectionType="id"))}, "externalID is required"),
        ({"custom_data": json.dumps(profile(civility="dr"))}, "civility"),
        ({"custom_data": json.dumps(profile(entityID="12345"))}, "No entity with entityID 12345"),
        ({"custom_data": json.dumps(profile(entityID="99"))}, "not accessible"),
    ],
)
def test_bad_launches_go_back_with_lti_errormsg(api, sign_launch, overrides, expected):
    assert expected in refusal(post_launch(api, sign_launch(launch_params(**overrides))))


def test_refusal_without_return_url_is_a_401_page(api, sign_launch):
    response = post_launch(api, sign_launch(launch_params(launch_presentation_return_url=None), secret="x"))
    assert response.status_code == 401
    assert "Invalid OAuth signature" in response.get_data(as_text=True)


def test_debug_displays_the_request_escaped(api, sign_launch):
    data = profile(jobTitle="<script>alert(1)</script>")
    response = post_launch(api, sign_launch(launch_params(data, custom_debug="1")))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page
    assert "&#34;jobTitle&#34;: &#34;&lt;script&gt;" in page  # custom_data pretty-printed (indent 2)
    for name in ("oauth_signature", "oauth_nonce", "lti_message_type", "custom_debug"):
        assert f"<code>{name}</code>" in page
    assert "valid" in page and "Continue to T-book" in page
    assert "sandbox-lti-secret" not in page
    assert "Welcome, Paul Martin" in api.get("/home").get_data(as_text=True)

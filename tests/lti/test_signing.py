"""Signing: the launch verifies under two independent OAuth 1.0a implementations (oauthlib's server and
python-oauth2 through PyLTI), for awkward URLs and awkward profiles."""

from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from oauthlib.oauth1 import RequestValidator, SignatureOnlyEndpoint
from pylti.common import LTIException, verify_request_common

from app.lti import LaunchContext, build_custom_data, build_launch, sign_launch
from app.lti.launch import safe_form_value
from tests.factories import profile_fields

KEY, SECRET = "consumer-key", "lti-shared-secret"

AWKWARD_PROFILES = {
    "accents": {"firstname": "Éloïse", "lastname": "Müller-Søndergård"},
    "quotes and markup": {"lastname": 'O\'Brien "<b>&amp;</b>"', "jobTitle": "R&D <lead>"},
    "plus in e-mail": {"login": "jane+tbook@example.com", "contactEmail": ["a+b@example.com"]},
    "emoji": {"firstname": "Zoë 🎉", "jobTitle": "🚀 Growth"},
    "very long values": {"jobTitle": "x" * 200, "filter": [f"Session {i}" for i in range(60)]},
    "newlines and controls": {"lastname": "Doe\r\nSmith", "jobTitle": "Head\tof\x00ops\nteam"},
}
LAUNCH_URLS = [
    "https://test.t-book.fr/api/lti",
    "https://test.t-book.fr:443/api/lti",
    "http://tbook.example:8443/api/lti?tenant=acme&lang=fr",
    "https://t-book.fr/api/lti?x=%C3%A9t%C3%A9&empty=",
]


def signed(url, **profile):
    data = profile_fields(**profile)
    data["connectionType"] = "login"
    ctx = LaunchContext(
        resource_link_id="link-1",
        resource_link_title="Open T-book",
        user_id="u-1",
        is_instructor=False,
        given_name=data["firstname"],
        family_name=data["lastname"],
        email=data["login"],
        custom_data=build_custom_data(data),
        return_url="https://gateway.example/lti/return?ref=abc",
    )
    return sign_launch(url, build_launch(ctx), KEY, SECRET)


class _Validator(RequestValidator):
    """The minimum oauthlib's server needs to check a consumer's signature."""

    enforce_ssl = False
    safe_characters = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")

    @property
    def nonce_length(self):
        return 10, 64

    @property
    def client_key_length(self):
        return 3, 64

    def check_client_key(self, client_key):
        return True

    def validate_client_key(self, client_key, request):
        return client_key == KEY

    def get_client_secret(self, client_key, request):
        return SECRET

    def validate_timestamp_and_nonce(self, *args, **kwargs):
        return True


def verify_with_oauthlib(launch, url=None) -> bool:
    body = urlencode(launch.params)
    ok, _ = SignatureOnlyEndpoint(_Validator()).validate_request(
        url or launch.url,
        http_method="POST",
        body=body,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    return ok


def verify_with_pylti(launch, url=None, secret=SECRET) -> bool:
    # PyLTI sees what a Tool Provider's framework would: the URL it was posted to and the decoded form.
    target = url or launch.url
    params = dict(parse_qsl(urlencode(launch.params)))
    consumers = {KEY: {"secret": secret}}
    return verify_request_common(consumers, target, "POST", {}, params)


@pytest.mark.parametrize("url", LAUNCH_URLS)
@pytest.mark.parametrize("profile", AWKWARD_PROFILES.values(), ids=AWKWARD_PROFILES.keys())
def test_launch_verifies_with_two_independent_implementations(url, profile):
    launch = signed(url, **profile)
    assert verify_with_oauthlib(launch)
    assert verify_with_pylti(launch)


def test_a_changed_value_or_wrong_secret_fails_both_verifiers():
    launch = signed(LAUNCH_URLS[2])
    tampered = type(launch)(
        launch.url, [(k, "Mallory" if k == "lis_person_name_given" else v) for k, v in launch.params]
    )
    assert not verify_with_oauthlib(tampered)
    with pytest.raises(LTIException):
        verify_with_pylti(tampered)
    with pytest.raises(LTIException):
        verify_with_pylti(launch, secret="the-client-secret")


def test_query_parameters_are_signed_but_not_repeated_in_the_form():
    launch = signed("https://t-book.example/api/lti?tenant=acme")
    assert "tenant" not in dict(launch.params)
    assert "tenant%3Dacme" in launch.base_string()
    # Posting to the URL without its query must fail: the query is part of what was signed.
    assert not verify_with_oauthlib(launch, url="https://t-book.example/api/lti")


def test_international_host_is_signed_as_the_browser_sends_it():
    launch = signed("https://tbook.exämple.fr/api/lti")
    assert launch.url == "https://tbook.xn--exmple-cua.fr/api/lti"
    assert verify_with_oauthlib(launch) and verify_with_pylti(launch)


def test_default_port_is_dropped_from_the_signed_url():
    assert signed("https://Test.T-book.fr:443/api/lti").normalized_url() == "https://test.t-book.fr/api/lti"
    assert signed("http://tbook.example:8080/api/lti").normalized_url() == "http://tbook.example:8080/api/lti"


def test_every_click_gets_a_fresh_nonce_and_signature():
    first, second = signed(LAUNCH_URLS[0]), signed(LAUNCH_URLS[0])
    assert dict(first.params)["oauth_nonce"] != dict(second.params)["oauth_nonce"]
    assert first.signature != second.signature


def test_required_lti_parameters_are_present():
    params = dict(signed(LAUNCH_URLS[0]).params)
    assert params["lti_message_type"] == "basic-lti-launch-request"
    assert params["lti_version"] == "LTI-1p0"
    assert params["oauth_signature_method"] == "HMAC-SHA1"
    assert params["oauth_callback"] == "about:blank"
    assert params["oauth_consumer_key"] == KEY
    assert params["roles"] == "Learner"
    assert "custom_debug" not in params


def test_line_breaks_and_controls_become_spaces():
    assert safe_form_value("Doe\r\nSmith\tX\x00Y\u2028Z") == "Doe Smith X Y Z"
    params = dict(signed(LAUNCH_URLS[0], lastname="Doe\nSmith").params)
    assert params["lis_person_name_family"] == "Doe Smith"


def test_relative_launch_url_is_refused():
    with pytest.raises(ValueError, match="absolute"):
        sign_launch("/api/lti", [], KEY, SECRET)


def test_the_secret_is_never_in_the_signed_launch():
    launch = signed(LAUNCH_URLS[0])
    assert SECRET not in str(launch.params) and SECRET not in launch.base_string()
    assert urlsplit(launch.url).query == ""

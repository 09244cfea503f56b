"""The LTI 1.1 parameters a Tool Provider may rely on: context, link description, contact e-mail, and a launch
without `lis_person_*`; every variant verifies under oauthlib's server and PyLTI."""

from dataclasses import replace

import pytest

from app.lti import LaunchContext, build_custom_data, build_launch, sign_launch
from tests.factories import profile_fields
from tests.lti.test_signing import KEY, LAUNCH_URLS, SECRET, verify_with_oauthlib, verify_with_pylti

PERSON = ("lis_person_name_given", "lis_person_name_family", "lis_person_name_full", "lis_person_contact_email_primary")
OPTIONAL = (
    "resource_link_description",
    "context_id",
    "context_title",
    "context_label",
    "tool_consumer_instance_contact_email",
)


def context(**changes) -> LaunchContext:
    data = {**profile_fields(), "connectionType": "login"}
    ctx = LaunchContext(
        resource_link_id="link-7",
        resource_link_title="Open T-book",
        user_id="u-1",
        is_instructor=False,
        given_name=data["firstname"],
        family_name=data["lastname"],
        email=data["login"],
        custom_data=build_custom_data(data),
        return_url="https://gateway.example/lti/return?ref=abc",
        instance_guid="gateway.intranet.example",
    )
    return replace(ctx, **changes)


FULL = {
    "resource_link_description": "Les formations de l'équipe\nsur T-book",
    "context_id": "link-7",
    "context_title": "Open T-book",
    "context_label": "open-tbook",
    "contact_email": "lms-admin@example.com",
}


def test_optional_parameters_are_left_out_when_empty():
    params = dict(build_launch(context()))
    assert not set(OPTIONAL) & set(params)
    assert params["tool_consumer_instance_guid"] == "gateway.intranet.example"
    assert all(params[name] for name in PERSON)


def test_context_description_and_contact_are_sent_when_given():
    params = dict(build_launch(context(**FULL)))
    assert params["context_id"] == "link-7" and params["context_title"] == "Open T-book"
    assert params["context_label"] == "open-tbook"
    assert params["resource_link_description"] == "Les formations de l'équipe sur T-book"  # form-safe
    assert params["tool_consumer_instance_contact_email"] == "lms-admin@example.com"


def test_a_launch_without_lis_person_still_carries_the_profile_in_custom_data():
    params = dict(build_launch(context(send_person=False)))
    assert not set(PERSON) & set(params)
    assert '"login":"jane.doe@example.com"' in params["custom_data"]
    assert '"lastname":"Doe"' in params["custom_data"] and params["user_id"] == "u-1"


@pytest.mark.parametrize("url", LAUNCH_URLS)
@pytest.mark.parametrize("changes", [FULL, {"send_person": False}, {**FULL, "send_person": False}])
def test_every_variant_verifies_with_two_independent_implementations(url, changes):
    launch = sign_launch(url, build_launch(context(**changes)), KEY, SECRET)
    assert verify_with_oauthlib(launch)
    assert verify_with_pylti(launch)

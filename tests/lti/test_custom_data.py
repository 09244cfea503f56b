"""custom_data: T-book's field order and shapes, minified, validated before anything is sent."""

import json

import pytest

from app.lti import CUSTOM_DATA_FIELDS, LaunchDataError, build_custom_data
from tests.factories import profile_fields


def fields(**overrides):
    data = profile_fields(**overrides)
    data.setdefault("connectionType", "login")
    return data


# The rows of the LTI table in tbook-api.md, in its order, without `password` (never sent).
TBOOK_LTI_TABLE = [
    "entityID", "connectionType", "login", "externalID", "civility", "lastname", "firstname", "code",
    "jobTitle", "seniority", "level", "contactEmail", "phone", "filter", "location", "country", "testUser",
    "assignation",
]  # fmt: skip


def test_minified_in_tbook_table_order_with_example_shapes():
    full = fields(code="23563", seniority="3", level="Master", phone="+33600000000", testUser=1, password="x")
    raw = build_custom_data(full)
    assert raw.startswith('{"entityID":"24","connectionType":"login","login":"jane.doe@example.com"')
    data = json.loads(raw)
    assert list(data) == TBOOK_LTI_TABLE
    assert list(CUSTOM_DATA_FIELDS) == TBOOK_LTI_TABLE
    assert data["entityID"] == "24" and data["externalID"] == "1001"  # ids as strings, as in T-book's example
    assert data["testUser"] == 1 and data["assignation"] == 0  # flags as integers
    assert data["filter"] == ["Session 1"] and data["contactEmail"] == ["jane.doe@example.com"]
    assert "password" not in data and "never-sent" not in raw


def test_empty_optional_fields_are_left_out():
    data = json.loads(build_custom_data(fields(code="", phone=None, level="", filter=[], location=[])))
    for name in ("code", "phone", "level", "filter", "location"):
        assert name not in data


def test_integer_entity_id_is_sent_as_a_string():
    assert json.loads(build_custom_data(fields(entityID=24)))["entityID"] == "24"


def test_non_ascii_is_kept_as_utf8_not_escaped():
    raw = build_custom_data(fields(firstname="Zoë 🎉", lastname="Ünal"))
    assert "Zoë 🎉" in raw and "\\u" not in raw


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"login": ""}, "login"),
        ({"login": "not-an-email"}, "login"),
        ({"entityID": ""}, "entityID"),
        ({"civility": "mr"}, "civility"),
        ({"lastname": "  "}, "lastname"),
        ({"firstname": None}, "firstname"),
        ({"connectionType": "email"}, "connectionType"),
        ({"connectionType": "id", "externalID": ""}, "externalID"),
        ({"testUser": 2}, "testUser"),
    ],
)
def test_refuses_what_tbook_would_refuse_naming_the_field(overrides, field):
    with pytest.raises(LaunchDataError) as caught:
        build_custom_data(fields(**overrides))
    assert caught.value.field == field


def test_connection_by_id_carries_the_external_id():
    data = json.loads(build_custom_data(fields(connectionType="id", externalID="2390")))
    assert data["connectionType"] == "id" and data["externalID"] == "2390"

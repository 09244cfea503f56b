"""The one learner field table: it says what tbook-api.md's tables say, and every user of it agrees."""

from __future__ import annotations

import pytest

from app.lti import CUSTOM_DATA_FIELDS
from app.services.catalog import profiles
from app.services.tbook_connection.provisioning import learner_fields
from app.store.models import Profile
from app.tbook import fields
from app.tbook.fields import BY_NAME, CUSTOM_DATA, INSERT, UPDATE
from app.tbook.form_encoding import encode_learner_fields
from tests.factories import profile_fields

# tbook-api.md, transcribed: (name, required, type) of each table, in its order. `password` is left out (the
# gateway never sends one), as are insertLearner's options entity[create] and sendingConnectionEmail.
LTI_TABLE = [
    ("entityID", True, "int"), ("connectionType", True, "string"), ("login", True, "string"),
    ("externalID", False, "int"), ("civility", True, "string"), ("lastname", True, "string"),
    ("firstname", True, "string"), ("code", False, "string"), ("jobTitle", False, "string"),
    ("seniority", False, "string"), ("level", False, "string"), ("contactEmail", False, "string"),
    ("phone", False, "string"), ("filter", False, "string"), ("location", False, "string"),
    ("country", False, "string"), ("testUser", False, "int"), ("assignation", False, "int"),
]  # fmt: skip
INSERT_TABLE = [
    ("entity[identifier]", True), ("login", True), ("civility", True), ("lastname", True), ("firstname", True),
    ("code", False), ("jobTitle", False), ("seniority", False), ("level", False), ("contactEmail[x]", False),
    ("phone", False), ("filter[x]", False), ("location[x]", False), ("country[x]", False), ("testUser", False),
    ("externalID", False), ("assignation", False),
]  # fmt: skip
# updateLearner: no login ("can never be modified") and no entity[...]; identifierType/identifier identify.
UPDATE_TABLE = [
    "civility", "lastname", "firstname", "code", "jobTitle", "seniority", "level", "contactEmail[x]", "phone",
    "filter[x]", "location[x]", "country[x]", "testUser", "externalID", "assignation",
]  # fmt: skip


def _form_name(field: fields.LearnerField) -> str:
    return field.form_name or (f"{field.name}[x]" if field.shape == fields.LIST else field.name)


def test_custom_data_fields_are_the_lti_table_in_its_order_with_its_required_and_types():
    table = [(f.name, CUSTOM_DATA in f.required_by, f.doc_type) for f in fields.taken_by(CUSTOM_DATA)]
    assert table == LTI_TABLE
    assert list(fields.CUSTOM_DATA_FIELDS) == [name for name, _, _ in LTI_TABLE]
    assert list(fields.required_by(CUSTOM_DATA)) == [name for name, required, _ in LTI_TABLE if required]


def test_insert_learner_takes_the_fields_of_its_table_under_their_form_names():
    taken = {_form_name(f): INSERT in f.required_by for f in fields.taken_by(INSERT)}
    assert taken == dict(INSERT_TABLE)
    assert set(fields.required_by(INSERT)) == {"entityID", "login", "civility", "lastname", "firstname"}


def test_update_learner_takes_neither_the_login_nor_the_entity():
    assert {_form_name(f) for f in fields.taken_by(UPDATE)} == set(UPDATE_TABLE)
    assert fields.required_by(UPDATE) == ()
    with pytest.raises(ValueError, match="login"):
        encode_learner_fields({"login": "jane.doe@example.com"}, call=UPDATE)
    with pytest.raises(ValueError, match="entityID"):
        encode_learner_fields({"entityID": "24"}, call=UPDATE)
    assert encode_learner_fields({"civility": "m", "filter": ["S2"]}, call=UPDATE) == [
        ("civility", "m"),
        ("filter[0]", "S2"),
    ]


def test_shapes_lists_flags_and_ints_are_the_docs():
    assert fields.LIST_FIELDS == ("contactEmail", "filter", "location", "country")  # `name[x]` in the forms
    assert fields.FLAG_FIELDS == ("testUser", "assignation")  # "Options are : 0 (false) , 1 (true)"
    assert fields.INT_FIELDS == ("entityID", "externalID", "testUser", "assignation")
    assert fields.LEARNER_FIELDS == fields.taken_by(INSERT)
    assert "connectionType" not in {f.name for f in fields.LEARNER_FIELDS}  # the link's, not the learner's


@pytest.mark.parametrize(
    ("name", "value", "problem"),
    [
        ("login", "not-an-email", "must be an e-mail address, not 'not-an-email'"),
        ("login", "x" * 250 + "@e.fr", "is longer than 254 characters"),
        ("contactEmail", ["a@example.com", "nope"], "'nope' is not an e-mail address"),
        ("civility", "sir", "must be m or mme, not 'sir'"),
        ("connectionType", "email", "must be login or id, not 'email'"),
        ("entityID", "Paris", "must be T-book's numeric entity id, not 'Paris'"),
        ("externalID", "A12", "must be a whole number (T-book's externalID is an int), not 'A12'"),
        ("testUser", 2, "must be 0 or 1, not 2"),
        ("jobTitle", "x" * 201, "is longer than 200 characters"),
        ("phone", "+33 6\x00", "contains a NUL character"),
        ("filter", ["ok", "y" * 201], "is longer than 200 characters"),
    ],
)
def test_each_check_names_what_is_wrong(name, value, problem):
    assert BY_NAME[name].problem(value) == problem


@pytest.mark.parametrize(
    ("name", "value"),
    [("login", "jane@example.com"), ("externalID", ""), ("entityID", "24"), ("testUser", 0), ("filter", [])],
)
def test_good_and_empty_values_pass(name, value):
    assert BY_NAME[name].problem(value) is None


def test_tbook_rules_leave_the_gateways_length_limits_out():
    assert BY_NAME["jobTitle"].tbook_problem("x" * 500) is None
    assert BY_NAME["civility"].tbook_problem("sir") == "must be m or mme, not 'sir'"


def test_the_users_of_the_table_agree_with_it():
    assert CUSTOM_DATA_FIELDS == fields.CUSTOM_DATA_FIELDS
    learner = [f.name for f in fields.LEARNER_FIELDS]
    # A profile holds every learner field (the login first) and the gateway's userType, each in a column.
    assert list(profiles.FIELD_ATTRS) == ["login", *(n for n in learner if n != "login"), "userType"]
    assert set(profiles.FIELD_ATTRS.values()) <= set(Profile.__table__.columns.keys())
    assert profiles.LIST_FIELDS == fields.LIST_FIELDS
    assert profiles.REQUIRED == fields.required_by(INSERT)


def test_provisioning_sends_what_insert_learner_takes_and_the_form_encodes_it():
    profile = Profile(**profiles.clean_fields(profile_fields(testUser="1")))
    sent = learner_fields(profile)
    assert set(sent) == {f.name for f in fields.taken_by(INSERT)}
    pairs = dict(encode_learner_fields(sent))
    assert pairs["entity[identifier]"] == "24" and pairs["login"] == "jane.doe@example.com"
    assert pairs["contactEmail[0]"] == "jane.doe@example.com" and pairs["testUser"] == "1"
    assert "connectionType" not in pairs and "password" not in pairs

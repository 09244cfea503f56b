"""The sync's plan from plain data: what is inserted, updated, left, reported, and what T-book's API cannot do."""

from __future__ import annotations

import pytest

from app.services.tbook_connection.sync_plan import (
    BLOCKED,
    INSERT,
    UNCHANGED,
    UPDATE,
    LocalLearner,
    Session,
    build,
    leave_sessions,
    plan_learner,
)
from app.tbook import Learner


def profile(login: str = "jane.doe@example.com", **fields) -> LocalLearner:
    values = {
        "entityID": "24",
        "login": login,
        "externalID": "1001",
        "civility": "mme",
        "lastname": "Doe",
        "firstname": "Jane",
        "code": None,
        "jobTitle": "Trainer",
        "contactEmail": ["jane@example.com"],
        "filter": ["Session 1"],
        "location": ["Paris"],
        "country": ["France"],
        "testUser": 0,
        "assignation": 1,
    }
    values.update(fields)
    return LocalLearner(login, values)


def learner(login: str = "jane.doe@example.com", **fields) -> Learner:
    values = {
        "learner_id": "1",
        "login": login,
        "entity_id": "24",
        "entity_name": "Paris Campus",
        "civility": "mme",
        "lastname": "Doe",
        "firstname": "Jane",
        "job_title": "Trainer",
        "contact_email": ["jane@example.com"],
        "filter": ["Session 1"],
        "location": ["Paris"],
        "country": ["France"],
    }
    values.update(fields)
    return Learner(**values)


def test_a_profile_t_book_lacks_is_inserted_with_its_fields_empty_ones_left_out():
    plan = plan_learner(profile(), None)
    assert plan.action == INSERT and plan.writes == 1
    assert plan.insert["login"] == "jane.doe@example.com" and plan.insert["entityID"] == "24"
    assert plan.insert["externalID"] == "1001" and plan.insert["assignation"] == 1
    assert plan.insert["filter"] == ["Session 1"] and "code" not in plan.insert


def test_a_learner_like_its_profile_is_unchanged_whatever_the_case_of_the_login():
    plan = plan_learner(profile(), learner(login="Jane.Doe@example.com"))
    assert plan.action == UNCHANGED and plan.writes == 0 and plan.changes == ()


def test_only_the_fields_that_differ_are_updated_and_never_login_entity_external_id_or_assignation():
    plan = plan_learner(
        profile(jobTitle="Head of training", externalID="999", assignation=0, phone="+33 6"),
        learner(login="Jane.Doe@example.com"),
    )
    assert plan.action == UPDATE and plan.identifier == "Jane.Doe@example.com"
    assert plan.update == {"jobTitle": "Head of training", "phone": "+33 6"}
    assert [(c.field, c.before, c.after) for c in plan.changes] == [
        ("jobTitle", "Trainer", "Head of training"),
        ("phone", "", "+33 6"),
    ]


def test_lists_t_book_adds_to_are_sent_as_the_values_to_add():
    plan = plan_learner(
        profile(filter=["Session 1", "Session 2"], country=["France", "Spain"]),
        learner(),
    )
    assert plan.update == {"filter": ["Session 2"], "country": ["Spain"]}
    assert plan.remove_sessions == ()


def test_contact_emails_are_sent_whole_since_t_book_replaces_them():
    plan = plan_learner(profile(contactEmail=["a@example.com", "jane@example.com"]), learner())
    assert plan.update == {"contactEmail": ["a@example.com", "jane@example.com"]}


def test_a_filter_gone_from_the_profile_is_a_session_to_leave():
    plan = plan_learner(profile(), learner(filter=["Session 1", "Session 2"]))
    assert plan.action == UPDATE and plan.update == {}
    assert plan.remove_sessions == (Session("Session 2", "Paris"),)
    assert plan.restore == {} and plan.writes == 1


def test_every_session_of_a_value_that_went_is_left():
    plan = plan_learner(profile(), learner(filter=["Session 1", "Session 2"], location=["Paris", "Lyon"]))
    assert set(plan.remove_sessions) == {
        Session("Session 1", "Lyon"),
        Session("Session 2", "Paris"),
        Session("Session 2", "Lyon"),
    }


def test_a_new_filter_is_added_before_the_old_one_is_left_so_the_location_stays():
    plan = plan_learner(profile(filter=["Session 2"]), learner())
    assert plan.update == {"filter": ["Session 2"]}
    assert plan.remove_sessions == (Session("Session 1", "Paris"),)
    assert plan.restore == {}


def test_a_location_that_leaving_the_last_filter_takes_away_is_given_back():
    plan = plan_learner(profile(filter=[]), learner())
    assert plan.remove_sessions == (Session("Session 1", "Paris"),)
    assert plan.restore == {"location": ["Paris"]} and plan.writes == 2


def test_leaving_sessions_drops_a_value_once_it_has_no_session_left():
    sessions = [Session("S1", "Lyon"), Session("S2", "Paris")]
    assert leave_sessions(["S1", "S2"], ["Paris", "Lyon"], sessions) == (["S1", "S2"], ["Paris", "Lyon"])
    assert leave_sessions(["S1", "S2"], ["Paris", "Lyon"], [*sessions, Session("S2", "Lyon")]) == (["S1"], ["Paris"])


@pytest.mark.parametrize(
    "change, note",
    [
        ({"country": []}, "country 'France' stays: T-book adds countries and has no call that removes one"),
        ({"jobTitle": ""}, "jobTitle stays 'Trainer': updateLearner cannot empty a field"),
        ({"contactEmail": []}, "contactEmail stays 'jane@example.com': updateLearner cannot empty a field"),
    ],
)
def test_what_the_api_cannot_change_is_noted_and_never_written(change, note):
    plan = plan_learner(profile(**change), learner())
    assert plan.action == UNCHANGED and plan.writes == 0
    assert plan.notes == (note,)


def test_a_filter_with_no_location_cannot_be_left_and_says_so():
    plan = plan_learner(profile(location=[]), learner(filter=["Session 1", "Session 2"], location=[]))
    assert plan.action == UNCHANGED
    assert plan.notes == (
        "filter 'Session 2' stays: removeLearnerSession needs a filter and a location, and the learner has no location",
    )


def test_a_learner_in_another_entity_is_blocked_since_t_book_cannot_move_it():
    plan = plan_learner(profile(entityID="25"), learner())
    assert plan.action == BLOCKED and plan.writes == 0
    assert "T-book has this learner in entity 24, the profile says 25" in plan.problem


def test_the_whole_plan_matches_by_login_across_entities_and_reports_learners_only_in_t_book():
    jane = profile()
    new = profile("new@example.com", entityID="25")
    bad = profile("bad@example.com", civility="dr")
    refused = profile("far@example.com", entityID="99")
    listings = {"24": [learner(), learner("only@example.com", learner_id="7", firstname="Only")], "25": []}
    plan = build([new, jane, bad, refused], listings, {"99": "T-book would not list entity 99: forbidden"})
    assert [(p.login, p.action) for p in plan.learners] == [
        ("bad@example.com", BLOCKED),
        ("far@example.com", BLOCKED),
        ("jane.doe@example.com", UNCHANGED),
        ("new@example.com", INSERT),
    ]
    assert plan.learners[0].problem == "civility: must be m or mme, not 'dr'"
    assert plan.learners[1].problem == "T-book would not list entity 99: forbidden"
    assert [(o.login, o.learner_id, o.name) for o in plan.only_in_tbook] == [("only@example.com", "7", "Only Doe")]
    assert plan.entities == ("24", "25", "99")
    assert plan.counts == {
        "insert": 1,
        "update": 0,
        "unchanged": 1,
        "blocked": 2,
        "sessions": 0,
        "only_in_tbook": 1,
        "teachers": 0,
        "writes": 1,
    }


def test_the_plan_as_json_lists_what_changes_and_counts_the_rest():
    plan = build([profile(jobTitle="Head"), profile("new@example.com")], {"24": [learner()]})
    data = plan.to_json()
    assert [x["login"] for x in data["learners"]] == ["jane.doe@example.com", "new@example.com"]
    assert data["learners"][0]["changes"] == [{"field": "jobTitle", "before": "Trainer", "after": "Head"}]
    assert data["learners"][0]["update"] == {"jobTitle": "Head"} and data["learners"][0]["learnerID"] == "1"
    assert data["learners"][1]["insert"]["contactEmail"] == ["jane@example.com"]


@pytest.mark.parametrize(
    "change, problem",
    [
        ({"lastname": " "}, "lastname: is required"),
        ({"login": "not-an-email"}, "login: must be an e-mail address, not 'not-an-email'"),
        ({"entityID": "Paris"}, "entityID: must be T-book's numeric entity id, not 'Paris'"),
    ],
)
def test_a_profile_t_book_would_refuse_is_blocked_with_the_field_named(change, problem):
    fields = {"login": "x@example.com", **change}
    plan = build([profile(fields.pop("login"), **fields)], {"24": []})
    assert plan.learners[0].action == BLOCKED and plan.learners[0].problem == problem

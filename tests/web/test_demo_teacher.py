"""The demo's teacher: the sandbox knows him, and shows the role it received alike through LTI and /authToken."""

from __future__ import annotations

import httpx

from app.cli.demo import DEMO_PASSWORD
from app.services.tbook_connection import clients as tbook_api
from tests.conftest import AuthActions
from tests.factories import make_link
from tests.web.test_launch import form_of

TEACHER = "marc.dupont@example.com"


def signed_in_teacher(app, runner):
    assert runner.invoke(args=["demo", "seed"]).exit_code == 0
    with app.app_context():
        make_link("by-id", title="By ID", mode="authtoken", connection_type="id")
    client = app.test_client()
    AuthActions(client).login(TEACHER, DEMO_PASSWORD)
    return client


def test_the_demo_teacher_lands_as_a_teacher_through_lti(app, runner, sandbox):
    client = signed_in_teacher(app, runner)
    action, params = form_of(client.get("/launch/open-tbook").text)
    assert dict(params)["roles"] == "Instructor"
    with httpx.Client(follow_redirects=True) as browser:
        home = browser.post(action, data=dict(params))
    assert "Welcome, Marc Dupont" in home.text and "signed in as teacher via" in home.text
    assert '<span class="badge">LTI</span>' in home.text


def test_the_demo_teacher_lands_as_a_teacher_through_authtoken_by_login_and_by_id(app, runner, sandbox):
    client = signed_in_teacher(app, runner)
    for slug in ("open-tbook-sso", "by-id"):
        redirect = client.get(f"/launch/{slug}")
        assert redirect.status_code == 303, redirect.text
        with httpx.Client(follow_redirects=True) as browser:
            home = browser.get(redirect.headers["Location"])
        assert "Welcome, Marc Dupont" in home.text and "signed in as teacher via" in home.text, slug
    assert sandbox.requests("/api/insertLearner") == []  # a teacher is T-book's to create, never the gateway's


def test_the_teacher_is_no_learner_of_the_sandbox(app, sandbox):
    with app.app_context():
        learners = tbook_api.client().get_all_learners("24")
    assert TEACHER not in [learner.login for learner in learners] and learners

"""Launch links in the console: create, edit, disable, the URL and snippet, and a test launch for a learner."""

from __future__ import annotations

from sqlalchemy import select

from app.services.audit import trail as audit
from app.store import db
from app.store.models import AuditEvent, LaunchLink
from tests.admin.conftest import ADMIN, form_token
from tests.conftest import csrf_token
from tests.factories import make_link, make_profile


def _create(client, **fields):
    data = {"slug": "open-tbook", "title": "Open T-book", "mode": "lti", "connection_type": "login"}
    data.update(fields)
    data["csrf_token"] = form_token(client, "/admin/links/new")
    return client.post("/admin/links/new", data=data)


def test_an_admin_creates_a_link_and_gets_its_url_and_snippet(app, as_admin):
    response = _create(as_admin, debug="y")
    assert response.status_code == 303 and response.headers["Location"] == "/admin/links/open-tbook"
    page = as_admin.get("/admin/links/open-tbook").text
    assert 'value="http://localhost/launch/open-tbook"' in page
    snippet = (
        "&lt;a href=&#34;http://localhost/launch/open-tbook&#34; class=&#34;tbook-button&#34;&gt;Open T-book&lt;/a&gt;"
    )
    assert snippet in page
    with app.app_context():
        link = db.session.scalars(select(LaunchLink)).one()
        assert (link.slug, link.debug, link.enabled) == ("open-tbook", True, True)
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "link_create")).one()
        assert event.actor == "admin@example.com" and event.detail["after"]["slug"] == "open-tbook"


def test_the_snippet_escapes_the_title_for_the_intranet_page(app, as_admin):
    _create(as_admin, title='<img src=x onerror="alert(1)">')
    page = as_admin.get("/admin/links/open-tbook").text
    # Copied text is `&lt;img …` (escaped HTML), so the intranet page shows the title instead of running it.
    assert "&amp;lt;img src=x onerror=&amp;#34;alert(1)&amp;#34;&amp;gt;&lt;/a&gt;" in page
    assert "<img src=x" not in page


def test_a_bad_or_taken_slug_is_refused_with_the_reason(app, as_admin):
    assert _create(as_admin, slug="Open T-book!").status_code == 422
    _create(as_admin)
    again = _create(as_admin, title="Another")
    assert again.status_code == 422 and "exists already" in again.text


def test_an_admin_edits_a_link_audited_with_before_and_after(app, as_admin):
    with app.app_context():
        make_link()
    data = {
        "csrf_token": form_token(as_admin, "/admin/links/open-tbook"),
        "slug": "hijacked",
        "title": "Formation",
        "mode": "auto",
        "connection_type": "id",
        "new_window": "y",
    }
    response = as_admin.post("/admin/links/open-tbook", data=data)
    assert response.status_code == 303
    with app.app_context():
        link = db.session.scalars(select(LaunchLink)).one()
        assert (link.slug, link.title, link.mode, link.connection_type) == ("open-tbook", "Formation", "auto", "id")
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "link_update")).one()
        assert event.detail["before"]["title"] == "Open T-book" and event.detail["after"]["title"] == "Formation"


def test_disabling_a_link_makes_it_404_for_learners(app, client, auth, as_admin):
    with app.app_context():
        make_link()
        make_profile()
    token = form_token(as_admin, "/admin/links")
    response = as_admin.post("/admin/links/open-tbook/enabled", data={"csrf_token": token, "enabled": "0"})
    assert response.status_code == 303
    assert "disabled" in as_admin.get("/admin/links").text
    client.post("/auth/logout", data={"csrf_token": form_token(client, "/")})
    auth.login()
    assert client.get("/launch/open-tbook").status_code == 404


def test_test_launch_previews_the_chosen_learners_launch_and_audits_the_admin(app, as_admin):
    with app.app_context():
        make_link(enabled=False)  # admins may preview any link
        make_profile(login="amy@example.com", firstname="Amy", lastname="Pond")
    response = as_admin.get("/admin/links/open-tbook/test", query_string={"login": "amy@example.com"})
    assert response.status_code == 200
    assert "Test launch for <strong>amy@example.com</strong>" in response.text
    assert "&#34;login&#34;: &#34;amy@example.com&#34;" in response.text
    assert "sandbox-lti-secret" not in response.text
    assert response.headers["Referrer-Policy"] == "same-origin"
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "launch_preview")).one()
        assert event.actor == "admin@example.com" and event.detail["learner"] == "amy@example.com"


def test_test_launch_for_an_unknown_learner_says_so(app, as_admin):
    with app.app_context():
        make_link()
    response = as_admin.get("/admin/links/open-tbook/test", query_string={"login": "ghost@example.com"})
    assert response.status_code == 403 and "no T-book profile for ghost@example.com" in response.text


def test_forms_without_a_csrf_token_are_refused_and_change_nothing(app, as_admin):
    with app.app_context():
        make_link()
    assert as_admin.post("/admin/links/new", data={"slug": "x", "title": "X", "mode": "lti"}).status_code == 400
    assert as_admin.post("/admin/links/open-tbook/enabled", data={"enabled": "0"}).status_code == 400
    wrong = {"csrf_token": "forged", "TBOOK_ENV": "live"}
    assert as_admin.post("/admin/credentials", data=wrong).status_code == 400
    with app.app_context():
        assert [link.slug for link in db.session.scalars(select(LaunchLink))] == ["open-tbook"]
        assert db.session.scalars(select(LaunchLink)).one().enabled


def test_a_link_takes_a_description_and_may_leave_out_lis_person(app, as_admin):
    assert _create(as_admin, description="Les parcours de l'équipe", omit_lis_person="y").status_code == 303
    page = as_admin.get("/admin/links/open-tbook").text
    assert "Les parcours de l&#39;équipe</textarea>" in page
    assert '<input checked id="omit_lis_person" name="omit_lis_person" type="checkbox" value="y">' in page
    data = {
        "csrf_token": form_token(as_admin, "/admin/links/open-tbook"),
        "slug": "open-tbook",
        "title": "Open T-book",
        "mode": "lti",
        "connection_type": "login",
        "description": "",
    }
    assert as_admin.post("/admin/links/open-tbook", data=data).status_code == 303
    with app.app_context():
        link = db.session.scalars(select(LaunchLink)).one()
        assert (link.description, link.send_lis_person) == (None, True)
        update = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "link_update")).one()
        assert update.detail["before"]["send_lis_person"] is False and update.detail["after"]["send_lis_person"]
        assert update.detail["before"]["description"] == "Les parcours de l'équipe"


def test_disabling_asks_first_and_learners_then_read_temporarily_unavailable(app, client, auth, as_admin):
    with app.app_context():
        make_link(title="Formation T-book")
        make_profile()
    listed = as_admin.get("/admin/links").text
    assert 'href="/admin/links/open-tbook/disable?back=list"' in listed  # a page that asks, not a POST at once
    confirm = as_admin.get("/admin/links/open-tbook/disable", query_string={"back": "list"})
    assert confirm.status_code == 200
    assert "Disable the launch link open-tbook?" in confirm.text
    assert "Learners who open http://localhost/launch/open-tbook read “This link is temporarily unavailable”" in (
        confirm.text
    )
    assert "Nobody launched T-book through it in the last 30 days." in confirm.text
    with app.app_context():
        assert db.session.scalars(select(LaunchLink)).one().enabled  # asking changed nothing
    response = as_admin.post(
        "/admin/links/open-tbook/enabled",
        data={"csrf_token": csrf_token(confirm.text), "enabled": "0", "back": "list"},
    )
    assert response.status_code == 303 and response.headers["Location"] == "/admin/links"
    client.post("/auth/logout", data={"csrf_token": form_token(client, "/")})
    auth.login()
    page = client.get("/launch/open-tbook")
    assert page.status_code == 404
    assert "This link is temporarily unavailable" in page.text and "Unknown launch link" not in page.text
    assert "This launch link is switched off for now" in page.text


def test_deleting_lists_the_consequences_then_deletes_audited_with_before(app, client, auth, as_admin):
    with app.app_context():
        make_link()
        for _ in range(3):
            audit.record("launch", "sent", actor="jane.doe@example.com", link_slug="open-tbook", mode="lti")
    edit = as_admin.get("/admin/links/open-tbook").text
    assert 'href="/admin/links/open-tbook/delete"' in edit
    assert 'href="/admin/audit?link=open-tbook"' in edit  # the link's history
    confirm = as_admin.get("/admin/links/open-tbook/delete").text
    assert "Delete the launch link open-tbook?" in confirm
    assert "pointing at http://localhost/launch/open-tbook stop working" in confirm
    assert "It carried 3 launch attempt(s) in the last 30 days" in confirm
    assert "To pause it instead, disable it" in confirm
    assert as_admin.post("/admin/links/open-tbook/delete").status_code == 400  # no CSRF token: nothing deleted
    response = as_admin.post("/admin/links/open-tbook/delete", data={"csrf_token": csrf_token(confirm)})
    assert response.status_code == 303 and response.headers["Location"] == "/admin/links"
    assert "Deleted the launch link open-tbook" in as_admin.get("/admin/links").text
    with app.app_context():
        assert db.session.scalars(select(LaunchLink)).all() == []
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "link_delete")).one()
        assert event.actor == ADMIN and event.link_slug == "open-tbook"
        assert event.detail["before"]["title"] == "Open T-book" and event.detail["before"]["mode"] == "lti"
    history = as_admin.get("/admin/audit", query_string={"link": "open-tbook"}).text
    assert "4 events." in history  # the three launches and the deletion
    assert as_admin.get("/admin/links/open-tbook/delete").status_code == 404


def test_a_test_launch_for_an_unknown_learner_keeps_the_admin_in_the_console(app, as_admin):
    with app.app_context():
        make_link()
    response = as_admin.get("/admin/links/open-tbook/test", query_string={"login": "ghost@example.com"})
    assert response.status_code == 403
    assert 'aria-label="Admin sections"' in response.text  # the console's own layout, not a learner's page
    assert 'href="/admin/links/open-tbook">Back to the link</a>' in response.text


def test_a_learner_refused_at_the_console_door_gets_the_gateways_page(app, client, auth):
    with app.app_context():
        make_profile()
    auth.login()
    response = client.get("/admin/links")
    assert response.status_code == 403 and 'aria-label="Admin sections"' not in response.text


def test_the_link_forms_choices_are_in_words(as_admin):
    page = as_admin.get("/admin/links/new").text
    assert '<option value="lti">LTI launch (signed LTI 1.1)</option>' in page
    assert '<option value="authtoken">T-book sign-in (/authToken)</option>' in page
    assert '<option value="auto">Automatic: LTI, else T-book sign-in</option>' in page
    assert '<option value="login">By login (e-mail)</option>' in page
    assert '<option value="id">By id (the profile&#39;s externalID)</option>' in page
    assert ">authtoken</option>" not in page and ">id</option>" not in page

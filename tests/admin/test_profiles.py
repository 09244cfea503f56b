"""Profiles in the console: search, edit with the CSV import's validation, CSV upload with a per-row report."""

from __future__ import annotations

import io

from sqlalchemy import select

from app.store import db
from app.store.models import AuditEvent, Profile
from tests.admin.conftest import form_token
from tests.factories import make_profile


def _profile(app, **fields) -> int:
    with app.app_context():
        return make_profile(password=None, **fields).id


def test_search_finds_by_login_name_or_external_id(app, as_admin):
    _profile(app)
    _profile(app, login="amy@example.com", firstname="Amy", lastname="Pond", externalID="2002")
    assert "amy@example.com" in as_admin.get("/admin/profiles", query_string={"q": "pond"}).text
    by_id = as_admin.get("/admin/profiles", query_string={"q": "2002"}).text
    assert "amy@example.com" in by_id and "jane.doe@example.com" not in by_id
    assert "2 profiles" in as_admin.get("/admin/profiles").text


def test_an_admin_fixes_a_profile_and_the_change_is_audited(app, as_admin):
    profile_id = _profile(app)
    path = f"/admin/profiles/{profile_id}"
    page = as_admin.get(path).text
    assert 'value="Communication Manager"' in page and 'value="Session 1"' in page
    data = {
        "csrf_token": form_token(as_admin, path),
        "entityID": "24",
        "externalID": "1001",
        "civility": "mme",
        "lastname": "Doe-Martin",
        "firstname": "Jane",
        "jobTitle": "Communication Manager",
        "contactEmail": "jane.doe@example.com|jane@home.example",
        "filter": "Session 1",
        "location": "Paris",
        "country": "France",
        "testUser": "0",
        "assignation": "0",
        "userType": "learner",
        "login": "someone.else@example.com",  # ignored: the login is not editable here
    }
    response = as_admin.post(path, data=data)
    assert response.status_code == 303
    with app.app_context():
        profile = db.session.get(Profile, profile_id)
        assert profile.lastname == "Doe-Martin" and profile.login == "jane.doe@example.com"
        assert profile.contact_email == ["jane.doe@example.com", "jane@home.example"]
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "profile_update")).one()
        assert event.detail["changed"]["lastname"] == {"before": "Doe", "after": "Doe-Martin"}
        assert set(event.detail["changed"]) == {"lastname", "contactEmail"}


def test_a_wrong_field_is_named_and_nothing_is_saved(app, as_admin):
    profile_id = _profile(app)
    path = f"/admin/profiles/{profile_id}"
    data = {"csrf_token": form_token(as_admin, path), "entityID": "Paris", "civility": "mme"}
    data.update({"lastname": "Doe", "firstname": "Jane"})
    response = as_admin.post(path, data=data)
    assert response.status_code == 422
    assert "<strong>entityID</strong> must be T-book&#39;s numeric entity id" in response.text
    assert 'value="Paris"' in response.text  # what the admin typed is kept for the fix
    with app.app_context():
        assert db.session.get(Profile, profile_id).entity_id == "24"


def test_csv_upload_reports_each_rejected_row(app, as_admin):
    csv = (
        b"login,entityID,civility,lastname,firstname,location\n"
        b"amy@example.com,24,mme,Pond,Amy,Leadworth|London\n"
        b"rory@example.com,24,mr,Williams,Rory,\n"
        b"not-an-email,24,m,Smith,John,\n"
    )
    data = {"csrf_token": form_token(as_admin, "/admin/profiles/upload"), "file": (io.BytesIO(csv), "people.csv")}
    response = as_admin.post("/admin/profiles/upload", data=data, content_type="multipart/form-data")
    assert response.status_code == 200
    text = response.text
    assert "Imported 1 profile(s): 1 new" in text and "2 row(s) rejected" in text
    assert "<td>3</td><td><code>civility</code></td>" in text and "<td>4</td><td><code>login</code></td>" in text
    with app.app_context():
        assert db.session.scalars(select(Profile.login)).all() == ["amy@example.com"]
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "profiles_import")).one()
        assert event.actor == "admin@example.com" and event.outcome == "partial"


def test_csv_check_only_writes_nothing(app, as_admin):
    csv = b"login,entityID,civility,lastname,firstname\namy@example.com,24,mme,Pond,Amy\n"
    data = {
        "csrf_token": form_token(as_admin, "/admin/profiles/upload"),
        "file": (io.BytesIO(csv), "people.csv"),
        "dry_run": "y",
    }
    response = as_admin.post("/admin/profiles/upload", data=data, content_type="multipart/form-data")
    assert "Would import 1 profile(s)" in response.text and "nothing written" in response.text
    with app.app_context():
        assert db.session.scalars(select(Profile)).all() == []


def test_a_file_that_is_not_csv_is_refused_plainly(as_admin):
    data = {
        "csrf_token": form_token(as_admin, "/admin/profiles/upload"),
        "file": (io.BytesIO(b"\xff\xfe\x00binary"), "people.xlsx"),
    }
    response = as_admin.post("/admin/profiles/upload", data=data, content_type="multipart/form-data")
    assert response.status_code == 422 and "not UTF-8" in response.text


def test_an_oversized_upload_is_refused_with_413_before_it_is_read(app, as_admin):
    data = {
        "csrf_token": form_token(as_admin, "/admin/profiles/upload"),
        "file": (io.BytesIO(b"a" * (52 * 1024 * 1024)), "people.csv"),
    }
    response = as_admin.post("/admin/profiles/upload", data=data, content_type="multipart/form-data")
    assert response.status_code == 413
    assert "The gateway accepts requests of up to 51 MiB" in response.text and "split the file" in response.text
    assert "give them this reference" in response.text  # the gateway's own error page
    with app.app_context():
        assert db.session.scalars(select(Profile)).all() == []


def test_an_oversized_anonymous_post_is_refused_with_413(client):
    body = io.BytesIO(b"a" * (52 * 1024 * 1024))
    response = client.post("/auth/login", data={"file": (body, "x.csv")}, content_type="multipart/form-data")
    assert response.status_code == 413


def test_a_50_mib_import_is_still_accepted_for_reading(as_admin):
    big = b"login\n" + b"x" * (50 * 1024 * 1024 - 6)  # exactly the import's limit: the import itself decides
    data = {"csrf_token": form_token(as_admin, "/admin/profiles/upload"), "file": (io.BytesIO(big), "people.csv")}
    response = as_admin.post("/admin/profiles/upload", data=data, content_type="multipart/form-data")
    assert response.status_code != 413

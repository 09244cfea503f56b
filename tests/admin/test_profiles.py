"""Profiles in the console: search, pages, add, edit (every error at once), delete, export, CSV upload."""

from __future__ import annotations

import csv as csv_module
import io
import re

from sqlalchemy import select

from app.store import db
from app.store.models import AuditEvent, Profile
from tests.admin.conftest import ADMIN, form_token
from tests.conftest import csrf_token
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
    assert (
        '<strong>Entity id</strong></a> <code class="field-name">entityID</code> must be T-book&#39;s numeric entity id'
        in response.text
    )
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


NEW = {
    "login": "Amy.Pond@example.com",
    "entityID": "24",
    "civility": "mme",
    "lastname": "Pond",
    "firstname": "Amy",
    "jobTitle": "Companion",
    "contactEmail": "amy@example.com",
    "testUser": "0",
    "assignation": "1",
    "userType": "learner",
}


def test_an_admin_adds_a_single_profile_audited_with_its_fields(app, as_admin):
    page = as_admin.get("/admin/profiles").text
    assert 'href="/admin/profiles/new"' in page
    response = as_admin.post(
        "/admin/profiles/new", data={**NEW, "csrf_token": form_token(as_admin, "/admin/profiles/new")}
    )
    assert response.status_code == 303
    with app.app_context():
        profile = db.session.scalars(select(Profile)).one()
        assert (profile.login, profile.job_title, profile.assignation) == ("amy.pond@example.com", "Companion", 1)
        assert response.headers["Location"] == f"/admin/profiles/{profile.id}"
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "profile_create")).one()
        assert event.actor == ADMIN and event.detail["login"] == "amy.pond@example.com"
        assert event.detail["after"]["jobTitle"] == "Companion"
    again = as_admin.post(
        "/admin/profiles/new", data={**NEW, "csrf_token": form_token(as_admin, "/admin/profiles/new")}
    )
    assert again.status_code == 422 and "amy.pond@example.com has a profile already" in again.text


def test_every_wrong_field_is_named_at_once_with_its_label(app, as_admin):
    data = {**NEW, "entityID": "Paris", "lastname": "", "contactEmail": "amy|not-an-address", "externalID": "A-12"}
    response = as_admin.post(
        "/admin/profiles/new", data={**data, "csrf_token": form_token(as_admin, "/admin/profiles/new")}
    )
    assert response.status_code == 422
    text = response.text
    assert "Nothing was saved: 4 fields to fix." in text
    for label in ("Entity id", "Last name", "Contact e-mails", "External id"):
        assert f"<strong>{label}</strong></a>" in text
    assert text.count('aria-invalid="true"') == 4
    assert 'value="Paris"' in text and 'value="A-12"' in text  # what the admin typed is kept for the fix
    with app.app_context():
        assert db.session.scalars(select(Profile)).all() == []


def test_labels_and_choices_are_in_words(app, as_admin):
    profile_id = _profile(app, testUser="1")
    page = as_admin.get(f"/admin/profiles/{profile_id}").text
    assert re.search(r'<label for="f-jobTitle">Job title\s*<code class="field-name"', page)
    assert '<option value="m" >Mr</option>' in page and '<option value="mme" selected>Ms</option>' in page
    assert re.search(
        r'<select id="f-testUser" name="testUser">\s*'
        r'<option value="0" >No</option><option value="1" selected>Yes</option>',
        page,
    )
    assert '<option value="teacher" >Teacher</option>' in page
    assert ">jobTitle</label>" not in page and ">0</option>" not in page and ">mme</option>" not in page


def test_deleting_a_profile_asks_first_and_is_audited_with_the_profile_as_it_was(app, as_admin):
    with app.app_context():
        profile_id = make_profile().id  # with a local sign-in
    assert f'href="/admin/profiles/{profile_id}/delete"' in as_admin.get(f"/admin/profiles/{profile_id}").text
    confirm = as_admin.get(f"/admin/profiles/{profile_id}/delete").text
    assert "Delete the profile of jane.doe@example.com?" in confirm
    assert "Jane Doe (jane.doe@example.com) can no longer open T-book" in confirm
    assert "Their local sign-in stays" in confirm and "delete it in T-book too" in confirm
    assert as_admin.post(f"/admin/profiles/{profile_id}/delete").status_code == 400  # no CSRF token
    response = as_admin.post(f"/admin/profiles/{profile_id}/delete", data={"csrf_token": csrf_token(confirm)})
    assert response.status_code == 303 and response.headers["Location"] == "/admin/profiles"
    with app.app_context():
        assert db.session.get(Profile, profile_id) is None
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "profile_delete")).one()
        assert event.actor == ADMIN and event.detail["before"]["lastname"] == "Doe"
    history = as_admin.get("/admin/audit", query_string={"profile": "jane.doe@example.com"}).text
    assert "Profile deleted" in history
    assert as_admin.get(f"/admin/profiles/{profile_id}/delete").status_code == 404


def test_the_profile_page_links_to_its_history(app, as_admin):
    profile_id = _profile(app)
    page = as_admin.get(f"/admin/profiles/{profile_id}").text
    assert 'href="/admin/audit?profile=jane.doe@example.com"' in page


def test_export_is_the_import_format_and_imports_back_unchanged(app, as_admin, runner, tmp_path):
    _profile(app, phone="+33 1 23 45 67 89", filter=["Session 1", "May 2018"])
    _profile(app, login="amy@example.com", firstname="Amy", lastname="=cmd|' /C calc'!A0", externalID="2002")
    response = as_admin.get("/admin/profiles/export.csv")
    assert response.is_streamed and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    rows = list(csv_module.DictReader(io.StringIO(text)))
    assert [r["login"] for r in rows] == ["amy@example.com", "jane.doe@example.com"]
    assert rows[0]["lastname"].startswith("'=")  # a spreadsheet shows it, never runs it
    assert rows[1]["phone"] == "'+33 1 23 45 67 89" and rows[1]["filter"] == "Session 1|May 2018"
    only = as_admin.get("/admin/profiles/export.csv", query_string={"q": "amy"}).get_data(as_text=True)
    assert len(list(csv_module.DictReader(io.StringIO(only)))) == 1
    with app.app_context():
        before = {p.login: profile_fields_of(p) for p in db.session.scalars(select(Profile))}
    path = tmp_path / "export.csv"
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(args=["profiles", "import", str(path)])
    assert result.exit_code == 0 and "0 new, 0 updated, 2 unchanged" in result.output
    with app.app_context():
        assert {p.login: profile_fields_of(p) for p in db.session.scalars(select(Profile))} == before


def profile_fields_of(profile: Profile) -> tuple:
    return (profile.lastname, profile.phone, tuple(profile.filter), profile.external_id)


def test_numbered_pages(app, as_admin, runner, tmp_path):
    rows = "".join(f"p{n:03d}@example.com,24,m,Person,Number {n}\n" for n in range(180))
    path = tmp_path / "many.csv"
    path.write_text("login,entityID,civility,lastname,firstname\n" + rows, encoding="utf-8")
    assert runner.invoke(args=["profiles", "import", str(path)]).exit_code == 0
    page = as_admin.get("/admin/profiles", query_string={"page": 4}).text  # 180 profiles: 8 pages of 25
    assert "Page 4 of 8" in page
    numbers = re.findall(r'class="page(?: current)?"[^>]*>(\d+)</a>', page)
    assert numbers == ["1", "2", "3", "4", "5", "6", "8"]
    assert page.count('<span class="gap" aria-hidden="true">…</span>') == 1
    assert '<a class="page current" aria-current="page" href="/admin/profiles?page=4&amp;q=">4</a>' in page
    assert "p075@example.com" in page and "p100@example.com" not in page

"""Proof: bad CSV files and hostile form values get a clear answer, never a 500, and nothing half-written."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from app.store import db
from app.store.models import AuditEvent, LaunchLink, Profile
from tests.admin.conftest import form_token
from tests.factories import make_link, make_profile
from tests.proof.conftest import scale

AREA = "bad input"
HEADER = "login,entityID,civility,lastname,firstname"
GOOD = "amy@example.com,24,mme,Lee,Amy"


def _counts(app) -> tuple[int, int, int]:
    with app.app_context():
        return tuple(
            db.session.scalar(select(func.count()).select_from(model)) for model in (Profile, LaunchLink, AuditEvent)
        )


CSV_FILES = {
    # Windows-1252 and UTF-16 files are no longer bad input: the import detects them and names the encoding
    # (tests/admin for the CSV import).
    "an unknown column": (f"{HEADER},shoeSize\n{GOOD},42\n".encode(), "unknown column"),
    "a missing required column": (b"login,entityID,civility,lastname\namy@example.com,24,mme,Lee\n", "missing"),
    "a repeated column": (f"{HEADER},login\n{GOOD},x@example.com\n".encode(), "repeated column"),
    "an empty file": (b"", "empty"),
    "not a CSV at all": (b"\x89PNG\r\n\x1a\n\x00\x00", "not UTF-8"),
}


@pytest.mark.parametrize("kind", CSV_FILES)
def test_a_bad_csv_file_is_refused_whole_and_plainly(app, as_admin, proof, artefacts, kind):
    body, expected = CSV_FILES[kind]
    before = _counts(app)
    data = {"csrf_token": form_token(as_admin, "/admin/profiles/upload"), "file": (io.BytesIO(body), "people.csv")}
    response = as_admin.post("/admin/profiles/upload", data=data, content_type="multipart/form-data")
    artefacts.append(response.text)
    held = response.status_code == 422 and expected in response.text and _counts(app)[0] == before[0]
    proof.count(AREA, f"CSV upload, {kind}: refused, saying why, nothing written", held=held)
    assert held, (response.status_code, response.text[-500:])


ROWS = {
    "a duplicated login": (f"{HEADER}\n{GOOD}\n{GOOD}\n", "already on line 2"),
    "a 100,000-character value": (f"{HEADER}\n{GOOD}\nbob@example.com,24,m,{'x' * 100_000},Bob\n", "longer than"),
    "markup and controls": (f'{HEADER}\n{GOOD}\n"<script>@x",24,m,"a\x01b",Bob\n', "login"),
}


@pytest.mark.parametrize("kind", ROWS)
def test_a_bad_row_is_rejected_with_its_line_and_the_good_ones_go_in(app, as_admin, proof, artefacts, kind):
    text, expected = ROWS[kind]
    data = {"csrf_token": form_token(as_admin, "/admin/profiles/upload"), "file": (io.BytesIO(text.encode()), "p.csv")}
    response = as_admin.post("/admin/profiles/upload", data=data, content_type="multipart/form-data")
    artefacts.append(response.text)
    with app.app_context():
        logins = db.session.scalars(select(Profile.login)).all()
    held = response.status_code == 200 and expected in response.text and logins == ["amy@example.com"]
    held = held and "<script>" not in response.text
    proof.count(AREA, f"CSV upload, {kind}: that row rejected with its line, the others imported", held=held)
    assert held, (response.status_code, logins, response.text[-800:])


def test_a_large_file_goes_in_whole(app, runner, tmp_path, proof):
    rows = scale(2_000, 20_000)
    path = tmp_path / "many.csv"
    path.write_text(HEADER + "\n" + "".join(f"p{i}@example.com,24,m,Name{i},First\n" for i in range(rows)))
    result = runner.invoke(args=["profiles", "import", str(path)])
    held = result.exit_code == 0 and _counts(app)[0] == rows
    proof.count(AREA, f"CSV import of {rows:,} rows (CLI): every row in", held=held)
    assert held, result.output[-500:]


HOSTILE_VALUES = {
    "empty": "",
    "oversize": "x" * 20_000,
    "markup": '"><script>alert(1)</script>',
    "NUL": "a\x00b",
    "CR/LF": "a\r\nSet-Cookie: x=1",
    "path": "../../etc/passwd",
    "unicode": "Zoë 🎉 ٢٤",
}
LINK_FIELDS = ("slug", "title", "mode", "connection_type")
PROFILE_FIELDS = ("entityID", "civility", "lastname", "firstname", "contactEmail", "testUser", "userType")


@pytest.fixture
def existing(app):
    with app.app_context():
        make_link()
        return make_profile(password=None).id


def _post_form(as_admin, path: str, data: dict):
    return as_admin.post(path, data={**data, "csrf_token": form_token(as_admin, path)})


@pytest.mark.parametrize("value", HOSTILE_VALUES)
def test_every_admin_form_field_takes_hostile_values_without_harm(app, as_admin, existing, proof, artefacts, value):
    link = {"slug": "open-tbook", "title": "Open T-book", "mode": "lti", "connection_type": "login"}
    profile = {
        "entityID": "24",
        "civility": "mme",
        "lastname": "Doe",
        "firstname": "Jane",
        "contactEmail": "jane.doe@example.com",
        "testUser": "0",
        "userType": "learner",
    }
    forms = [("/admin/links/new", link, name) for name in LINK_FIELDS]
    forms += [(f"/admin/profiles/{existing}", profile, name) for name in PROFILE_FIELDS]
    for path, base, name in forms:
        before = _counts(app)
        response = _post_form(as_admin, path, {**base, name: HOSTILE_VALUES[value]})
        artefacts.append(response.text)
        after = _counts(app)
        refused = response.status_code in (400, 422)
        # Refused: nothing changed. Accepted (a 303): the value went in as given, and pages show it escaped.
        held = (refused and after == before) or response.status_code == 303
        held = held and "<script>alert" not in response.text
        proof.count(AREA, f"admin form fields, {value} value: refused plainly or kept inert, never a 500", held=held)
        assert held, (path, name, response.status_code, response.text[-400:])
        if response.status_code == 303 and path.endswith("/new"):
            with app.app_context():  # put the world back for the next field
                db.session.execute(db.delete(LaunchLink).where(LaunchLink.slug != "open-tbook"))
                db.session.commit()

"""The console's CSV upload: encodings named, check then import the same upload, large files in the background."""

from __future__ import annotations

import io
import re
import time

from sqlalchemy import func, select, update

from app.store import db
from app.store.models import AuditEvent, Profile, ProfileUpload
from tests.admin.conftest import form_token
from tests.conftest import csrf_token

HEADER = "login,entityID,civility,lastname,firstname,location\n"


def _upload(client, content: bytes, *, check: bool = False, name: str = "people.csv"):
    data = {"csrf_token": form_token(client, "/admin/profiles/upload"), "file": (io.BytesIO(content), name)}
    if check:
        data["dry_run"] = "y"
    return client.post("/admin/profiles/upload", data=data, content_type="multipart/form-data")


def _imports(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).where(AuditEvent.action == "profiles_import"))


def _profiles(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Profile.id)))


def test_a_windows_1252_file_is_read_and_the_report_names_its_encoding(app, as_admin):
    content = (HEADER + "elodie@example.com,24,mme,Éclair,Élodie,Orléans\n").encode("cp1252")
    response = _upload(as_admin, content)
    assert response.status_code == 200
    assert "Read as <strong>Windows-1252</strong>; the first names as read: Élodie Éclair." in response.text
    with app.app_context():
        assert db.session.scalars(select(Profile.location)).one() == ["Orléans"]


def test_check_then_import_the_same_upload_without_choosing_it_again(app, as_admin):
    content = (HEADER + "amy@example.com,24,mme,Pond,Amy,\nrory@example.com,24,mr,Williams,Rory,\n").encode()
    checked = _upload(as_admin, content, check=True)
    assert checked.status_code == 200
    assert "Would import 1 profile(s)" in checked.text and "nothing written" in checked.text
    assert "<td>3</td><td><code>civility</code></td><td>rory@example.com</td>" in checked.text
    assert _profiles(app) == 0
    action = re.search(r'<form method="post" action="(/admin/profiles/upload/[^"]+/import)"', checked.text).group(1)
    assert "No need to choose the file again" in checked.text
    confirmed = as_admin.post(action, data={"csrf_token": csrf_token(checked.text)})
    assert confirmed.status_code == 303
    page = as_admin.get(confirmed.headers["Location"]).text
    assert "Imported 1 profile(s): 1 new" in page and "/import" not in page  # nothing left to confirm
    assert _profiles(app) == 1 and _imports(app) == 1
    # The same confirmation sent again (a double click, a reload) imports nothing more.
    again = as_admin.post(action, data={"csrf_token": csrf_token(checked.text)})
    assert again.status_code == 303 and _imports(app) == 1


def test_an_expired_or_forged_upload_asks_for_the_file_again(app, as_admin):
    checked = _upload(as_admin, (HEADER + "amy@example.com,24,mme,Pond,Amy,\n").encode(), check=True)
    action = re.search(r'action="(/admin/profiles/upload/[^"]+)/import"', checked.text).group(1)
    assert as_admin.get(action + "x").status_code == 404
    with app.app_context():
        db.session.execute(update(ProfileUpload).values(expires_at=ProfileUpload.created_at))
        db.session.commit()
    gone = as_admin.get(action)
    assert gone.status_code == 404 and "upload the file again" in gone.text
    assert as_admin.post(action + "/import", data={"csrf_token": csrf_token(checked.text)}).status_code == 404
    assert _profiles(app) == 0


def _wait(client, status_url: str, timeout: float = 120) -> list[int]:
    """Follow the progress as the page's script does; return the line counts seen while it ran."""
    seen, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = client.get(status_url + "/progress").get_json()
        if not state["running"]:
            return seen
        seen.append(state["done"])
        time.sleep(0.2)
    raise AssertionError("the background import did not finish")


def test_a_large_file_runs_in_the_background_with_progress_and_is_not_imported_twice(app, as_admin):
    app.config["GATEWAY_IMPORT_BACKGROUND_LINES"] = 1000
    rows = "".join(f"p{n:05d}@example.com,24,m,Person,Number {n},\n" for n in range(20_000))  # as in the issue
    content = (HEADER + rows).encode()
    first = _upload(as_admin, content)
    assert first.status_code == 303
    status_url = first.headers["Location"]
    running = as_admin.get(status_url).text
    assert '<progress id="import-progress" max="100"' in running or "Imported 20000 profile(s)" in running
    # The same file sent again while it runs is that same run, not a second import.
    second = _upload(as_admin, content)
    assert second.status_code == 303 and second.headers["Location"] == status_url
    seen = _wait(as_admin, status_url)
    assert any(0 < done < 20_002 for done in seen), seen  # the page had progress to show
    page = as_admin.get(status_url).text
    assert "Imported 20000 profile(s): 20000 new" in page
    assert _profiles(app) == 20_000 and _imports(app) == 1

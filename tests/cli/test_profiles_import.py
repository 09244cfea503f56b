"""`flask profiles import FILE.csv`: upsert by login, per-row errors with line and field, nothing half-written."""

import pytest
from sqlalchemy import func, select

from app.store import db
from app.store.models import AuditEvent, Profile

HEADER = "login,entityID,externalID,civility,lastname,firstname,contactEmail,filter,location,country,testUser,userType"


def write(tmp_path, text: str, name: str = "profiles.csv", encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return str(path)


def profiles(app) -> dict[str, Profile]:
    with app.app_context():
        return {p.login: p for p in db.session.scalars(select(Profile))}


def test_imports_valid_rows_with_multi_valued_fields(app, runner, tmp_path):
    csv = write(
        tmp_path,
        f"{HEADER}\n"
        "Jane.Doe@example.com,24,1001,mme,Doe,Jane,a@example.com|b@example.com,Session 1|May 2018,Paris,France,0,\n"
        "marc@example.com,25,,m,Dupont,Marc,,,,,1,teacher\n",
    )
    result = runner.invoke(args=["profiles", "import", csv])
    assert result.exit_code == 0, result.output
    assert "imported 2 profile(s): 2 new, 0 updated" in result.output
    stored = profiles(app)
    jane = stored["jane.doe@example.com"]
    assert jane.contact_email == ["a@example.com", "b@example.com"]
    assert jane.filter == ["Session 1", "May 2018"] and jane.user_type == "learner"
    assert stored["marc@example.com"].user_type == "teacher" and stored["marc@example.com"].test_user == 1


def test_reimport_updates_by_login(app, runner, tmp_path):
    runner.invoke(args=["profiles", "import", write(tmp_path, f"{HEADER}\nj@example.com,24,,mme,Doe,Jane,,,,,0,\n")])
    again = write(tmp_path, f"{HEADER}\nj@example.com,24,,mme,Doe-Martin,Jane,,,,,0,\n", "again.csv")
    result = runner.invoke(args=["profiles", "import", again])
    assert "0 new, 1 updated" in result.output
    assert profiles(app)["j@example.com"].lastname == "Doe-Martin"
    assert len(profiles(app)) == 1


@pytest.mark.parametrize(
    ("row", "field"),
    [
        ("bad@example.com,24,,sir,Doe,Jane,,,,,0,", "civility"),
        ("not-an-email,24,,m,Doe,John,,,,,0,", "login"),
        ("x@example.com,24,,m,,John,,,,,0,", "lastname"),
        ("y@example.com,24,,m,Doe,John,,,,,yes,", "testUser"),
        ("z@example.com,24,,m,Doe,John,nope,,,,0,", "contactEmail"),
        ("w@example.com,twenty,,m,Doe,John,,,,,0,", "entityID"),
        ("v@example.com,24,,m,Doe,John,,,,,0,student", "userType"),
    ],
)
def test_bad_row_is_reported_with_line_and_field_and_good_rows_still_import(app, runner, tmp_path, row, field):
    csv = write(tmp_path, f"{HEADER}\ngood@example.com,24,,m,Good,Row,,,,,0,\n{row}\n")
    result = runner.invoke(args=["profiles", "import", csv])
    assert result.exit_code == 1
    assert f"rejected line 3: {field}:" in result.output
    assert set(profiles(app)) == {"good@example.com"}  # the bad row wrote nothing


def test_duplicate_login_in_the_file_is_reported(app, runner, tmp_path):
    csv = write(tmp_path, f"{HEADER}\nd@example.com,24,,m,A,B,,,,,0,\nD@example.com,24,,m,C,D,,,,,0,\n")
    result = runner.invoke(args=["profiles", "import", csv])
    assert "line 3: login: d@example.com is already on line 2" in result.output
    assert profiles(app)["d@example.com"].lastname == "A"


def test_dry_run_reports_and_writes_nothing(app, runner, tmp_path):
    csv = write(tmp_path, f"{HEADER}\nd@example.com,24,,m,A,B,,,,,0,\nbad,24,,m,C,D,,,,,0,\n")
    result = runner.invoke(args=["profiles", "import", "--dry-run", csv])
    assert "would import 1 profile(s)" in result.output and "dry run: nothing written" in result.output
    assert "line 3: login" in result.output
    assert profiles(app) == {}


@pytest.mark.parametrize(
    ("content", "encoding", "message"),
    [
        ("", "utf-8", "The file is empty"),
        ("email,entityID,civility,lastname,firstname\nx@example.com,24,m,A,B\n", "utf-8", "unknown column(s) email"),
        ("login,entityID,lastname\nx@example.com,24,A\n", "utf-8", "missing required column(s) civility, firstname"),
        # 0x81 has no meaning in Windows-1252 and cannot start a UTF-8 character: no encoding read here fits.
        (f"{HEADER}\nx@example.com,24,,m,A\x81,B,,,,,0,\n", "latin-1", "not UTF-8, UTF-16 or Windows-1252 (byte"),
        (f'{HEADER}\n"x@example.com,24,,m,A,B,,,,,0,\n', "utf-8", "malformed"),
    ],
)
def test_a_broken_file_is_one_clear_error_and_nothing_is_written(app, runner, tmp_path, content, encoding, message):
    result = runner.invoke(args=["profiles", "import", write(tmp_path, content, encoding=encoding)])
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output
    assert profiles(app) == {}


def test_semicolon_separated_file_from_a_french_spreadsheet(app, runner, tmp_path):
    csv = write(
        tmp_path, "\ufefflogin;entityID;civility;lastname;firstname;filter\nl@example.com;24;mme;Léa;Martin;S1|S2\n"
    )
    result = runner.invoke(args=["profiles", "import", csv])
    assert result.exit_code == 0, result.output
    assert profiles(app)["l@example.com"].filter == ["S1", "S2"]


def test_large_file_shows_progress_and_is_audited_once(app, runner, tmp_path):
    rows = "\n".join(f"user{i}@example.com,24,{i},m,Last{i},First{i},,,,,0," for i in range(2000))
    result = runner.invoke(args=["profiles", "import", write(tmp_path, f"{HEADER}\n{rows}\n")])
    assert result.exit_code == 0
    assert "Importing profiles.csv" in result.output  # click's progress bar label
    assert "imported 2000 profile(s)" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count(Profile.id))) == 2000
        (event,) = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "profiles_import"))
        assert event.detail["created"] == 2000


def test_a_file_without_optional_columns_keeps_them_on_existing_profiles(app, runner, tmp_path):
    full = f"{HEADER}\nm@example.com,24,1005,m,Dupont,Marc,m@example.com,S1,Paris,France,0,teacher\n"
    runner.invoke(args=["profiles", "import", write(tmp_path, full)])
    names_only = "login,entityID,civility,lastname,firstname\nm@example.com,24,m,Dupont-Durand,Marc\n"
    result = runner.invoke(args=["profiles", "import", write(tmp_path, names_only, "names.csv")])
    assert "0 new, 1 updated" in result.output
    marc = profiles(app)["m@example.com"]
    assert marc.lastname == "Dupont-Durand"
    assert (marc.external_id, marc.user_type, marc.filter) == ("1005", "teacher", ["S1"])


@pytest.mark.parametrize(("column", "value"), [("externalID", "1" * 65), ("phone", "+33" * 22)])
def test_values_longer_than_their_column_are_row_errors(app, runner, tmp_path, column, value):
    header = f"login,entityID,civility,lastname,firstname,{column}"
    csv = write(tmp_path, f"{header}\nok@example.com,24,m,A,B,1\nlong@example.com,24,m,A,B,{value}\n")
    result = runner.invoke(args=["profiles", "import", csv])
    assert f"line 3: {column}: is longer than 64 characters" in result.output
    assert set(profiles(app)) == {"ok@example.com"}


def test_a_file_with_only_a_byte_order_mark_is_empty(app, runner, tmp_path):
    result = runner.invoke(args=["profiles", "import", write(tmp_path, "\ufeff\n")])
    assert result.exit_code == 1 and "The file is empty" in result.output and "Traceback" not in result.output


def test_error_line_is_where_a_multi_line_row_starts(app, runner, tmp_path):
    csv = write(
        tmp_path, 'login,entityID,civility,lastname,firstname\nx@example.com,24,m,"Doe\nSmith",John\nbad,24,m,A,B\n'
    )
    result = runner.invoke(args=["profiles", "import", csv])
    assert "line 4: login" in result.output  # the file's 4th line, after the row that spans lines 2-3


@pytest.mark.parametrize(
    ("encoding", "named"),
    [
        ("cp1252", "Windows-1252"),  # what a French Excel saves as plain "CSV"
        ("utf-8", "UTF-8"),
        ("utf-8-sig", "UTF-8 with BOM"),  # Excel's "CSV UTF-8"
        ("utf-16", "UTF-16"),  # Excel's "Unicode text" (with a BOM)
        ("utf-16-le", "UTF-16"),  # without one
    ],
)
def test_each_spreadsheet_encoding_is_read_and_named(app, runner, tmp_path, encoding, named):
    text = f"{HEADER}\nélodie@example.com,24,,mme,Éclair,Élodie,,Séance 1,Orléans,France,0,\n"
    result = runner.invoke(args=["profiles", "import", write(tmp_path, text, encoding=encoding)])
    assert result.exit_code == 0, result.output
    assert result.stdout.rstrip().endswith(f"; read as {named}")
    profile = profiles(app)["élodie@example.com"]
    assert (profile.firstname, profile.lastname, profile.filter, profile.location) == (
        "Élodie",
        "Éclair",
        ["Séance 1"],
        ["Orléans"],
    )


def test_rejected_rows_name_their_line_login_and_every_wrong_field(app, runner, tmp_path):
    csv = write(tmp_path, f"{HEADER}\nrory@example.com,Leadworth,,sir,Williams,Rory,,,,,0,\n")
    result = runner.invoke(args=["profiles", "import", csv])
    assert result.exit_code == 1
    assert (
        "rejected line 2: entityID: must be T-book's numeric entity id, not 'Leadworth' (login rory@example.com)"
        in (result.stderr)
    )
    assert "rejected line 2: civility: must be m or mme, not 'sir' (login rory@example.com)" in result.stderr
    assert "1 row(s) rejected" in result.stdout


def test_a_workbook_is_refused_with_what_to_do(app, runner, tmp_path):
    path = tmp_path / "people.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 64)
    result = runner.invoke(args=["profiles", "import", str(path)])
    assert result.exit_code == 1 and "spreadsheet workbook (.xlsx or .ods), not a CSV" in result.output

"""`flask tbook check` against the sandbox: every step ✓, and each wrong setting named with what to fix."""

from __future__ import annotations

import re
import time

import pytest
from sqlalchemy import select

from app.services.tbook_connection import connection_check
from app.settings import credentials
from app.store import db
from app.store.models import AuditEvent

STEP = re.compile(r"^([✓✗–]) (.+?)\s{2,}(\d+ ms|-)\s+(.*)$")
WRONG = "not-the-real-secret-5512"


def steps(output: str) -> dict[str, tuple[str, str]]:
    """Return each step's mark and what it says, by the first word of its title."""
    found = {}
    for line in output.splitlines():
        match = STEP.match(line)
        if match:
            found[match.group(2).split()[0]] = (match.group(1), match.group(4))
    return found


def check(make_gateway, **settings):
    return make_gateway(**settings).test_cli_runner().invoke(args=["tbook", "check"])


@pytest.mark.sandbox_variants  # whatever way T-book answers where its documentation is silent
def test_against_the_sandbox_every_step_passes_and_is_timed(runner, sandbox):
    result = runner.invoke(args=["tbook", "check"])
    assert result.exit_code == 0, result.output
    found = steps(result.output)
    assert list(found) == ["Access", "Client", "Entities", "LTI", "Clock"]
    assert all(mark == "✓" for mark, _ in found.values()), result.output
    assert re.search(r"✓ Access token \(POST /token\)\s+\d+ ms", result.output)
    assert "Demo Organisation" in found["Client"][1]
    assert "Paris Campus (24)" in found["Entities"][1]
    assert "verified the signature" in found["LTI"][1]
    assert "Every step passed." in result.output
    # The probe signs no one in: the sandbox refused it after checking its signature, and made no learner.
    assert "no custom_data" in found["LTI"][1]


def test_a_wrong_client_secret_is_named(make_gateway, sandbox):
    result = check(make_gateway, TBOOK_CLIENT_SECRET=WRONG)
    assert result.exit_code == 1
    found = steps(result.output)
    assert found["Access"][0] == "✗" and "T-book refused the client credentials" in found["Access"][1]
    assert "The client secret (TBOOK_CLIENT_SECRET) is wrong" in result.output
    assert "T-book knows the client id" in result.output  # the LTI launch with it as consumer key verified
    assert found["Client"][0] == found["Entities"][0] == "–"  # they need a token
    assert found["LTI"][0] == "✓"
    assert WRONG not in result.output


def test_a_wrong_lti_secret_is_named(make_gateway, sandbox):
    result = check(make_gateway, TBOOK_LTI_SECRET=WRONG)
    assert result.exit_code == 1
    found = steps(result.output)
    assert found["Access"][0] == found["Client"][0] == found["Entities"][0] == "✓"
    assert found["LTI"][0] == "✗" and "Invalid OAuth signature" in found["LTI"][1]
    assert "The LTI shared secret (TBOOK_LTI_SECRET) is wrong" in result.output
    assert WRONG not in result.output


def test_an_lti_secret_that_is_the_client_secret_is_named(make_gateway, sandbox):
    secret = sandbox.credentials["SANDBOX_CLIENT_SECRET"]
    result = check(make_gateway, TBOOK_LTI_SECRET=secret)
    assert result.exit_code == 1
    assert steps(result.output)["LTI"][0] == "✗"
    assert "The LTI shared secret is the client secret." in result.output
    assert "after “For LTI”" in result.output
    assert secret not in result.output


def test_swapped_secrets_are_found_by_the_launch_that_verifies_with_the_client_secret(make_gateway, sandbox):
    creds = sandbox.credentials
    result = check(
        make_gateway, TBOOK_CLIENT_SECRET=creds["SANDBOX_LTI_SECRET"], TBOOK_LTI_SECRET=creds["SANDBOX_CLIENT_SECRET"]
    )
    assert result.exit_code == 1
    assert "The client secret and the LTI shared secret are swapped" in result.output
    assert creds["SANDBOX_LTI_SECRET"] not in result.output and creds["SANDBOX_CLIENT_SECRET"] not in result.output


def test_an_account_whose_lti_secret_is_the_client_secret(make_gateway, sandbox_factory):
    # A T-book account that verifies launches with the client secret: the check says to use that value.
    tbook = sandbox_factory({"SANDBOX_LTI_SECRET": "sandbox-secret"})
    result = check(make_gateway, TBOOK_API_URL=tbook.api_url, TBOOK_LTI_URL=tbook.lti_url)
    assert result.exit_code == 1
    assert "set the LTI shared secret (TBOOK_LTI_SECRET) to the client secret's value" in result.output


def test_a_wrong_client_id_is_named(make_gateway, sandbox):
    result = check(make_gateway, TBOOK_CLIENT_ID="nobody-knows-me", TBOOK_LTI_KEY="")
    assert result.exit_code == 1
    assert "The client id (TBOOK_CLIENT_ID) is wrong" in result.output
    assert "T-book does not know the LTI consumer key “nobody-knows-me”" in result.output


def test_an_unreachable_host_is_named(make_gateway, unused_url):
    result = check(make_gateway, TBOOK_API_URL=f"{unused_url}/api", TBOOK_LTI_URL=f"{unused_url}/api/lti")
    assert result.exit_code == 1
    found = steps(result.output)
    assert found["Access"][0] == found["LTI"][0] == "✗"
    assert found["Clock"][0] == "–"
    assert "The gateway cannot reach 127.0.0.1" in result.output


def test_a_launch_url_that_is_not_tbooks(make_gateway, sandbox):
    result = check(make_gateway, TBOOK_LTI_URL=f"{sandbox.url}/api/nothing-here")
    assert result.exit_code == 1
    assert "answered HTTP 404: it is not T-book's launch endpoint" in result.output
    assert "Check TBOOK_LTI_URL" in result.output


def test_tbook_server_errors_say_to_try_again_later(make_gateway, sandbox):
    sandbox.set_fault(path="/api/token", status=503, count=5)
    result = check(make_gateway)
    assert result.exit_code == 1
    assert steps(result.output)["Access"][0] == "✗"
    assert "T-book had a server error" in result.output


def test_without_an_lti_secret_the_launch_is_not_checked_and_the_check_passes(make_gateway, sandbox):
    result = check(make_gateway, TBOOK_LTI_SECRET="")
    assert result.exit_code == 0, result.output
    mark, said = steps(result.output)["LTI"]
    assert mark == "–" and "no LTI shared secret is set" in said


def test_the_check_is_audited_without_secrets(app, make_gateway, sandbox):
    check(make_gateway, TBOOK_CLIENT_SECRET=WRONG)
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "credentials_check")).one()
    assert event.actor == "cli" and event.outcome == "error"
    assert [step["step"] for step in event.detail["steps"]] == ["token", "client", "entities", "lti", "clock"]
    assert WRONG not in str(event.detail)


@pytest.mark.parametrize(("offset", "side"), [(95, "ahead of"), (-95, "behind")])
def test_a_gateway_clock_over_a_minute_off_tbooks_date_header_is_named(app, sandbox, offset, side):
    # The CLI reads the host's clock; the service takes the clock as a parameter, so the test moves it there.
    with app.test_request_context():
        creds = credentials.current()
    report = connection_check.run(creds, clock=lambda: time.time() + offset)
    clock = report.steps[-1]
    assert clock.ok is False and re.search(rf"is 9[4-6] s {side} T-book's", clock.detail), clock.detail
    assert "NTP" in clock.fix
    assert [step.ok for step in report.steps[:4]] == [True, True, True, True]  # within the sandbox's 300 s
    assert not report.ok


def test_a_clock_within_a_minute_passes(app, sandbox):
    with app.test_request_context():
        creds = credentials.current()
    assert connection_check.run(creds, clock=lambda: time.time() + 30).ok

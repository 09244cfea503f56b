"""Environment (or create_app's config) > admin console > defaults: one rule, at start-up and per settings read."""

from datetime import UTC, datetime

from app.settings import credentials
from app.settings.precedence import CONSOLE, DERIVED, ENVIRONMENT, SANDBOX_DEFAULT, UNSET, Resolved, pick, resolve_tbook
from app.store import console_settings
from app.store.console_settings import StoredSetting


def stored(**values: str) -> dict[str, StoredSetting]:
    now = datetime.now(UTC)
    return {name: StoredSetting(name, value, False, now, "admin@example.com") for name, value in values.items()}


def test_the_environment_wins_over_the_console_which_wins_over_the_fallback():
    console = stored(TBOOK_CLIENT_ID="from-console")
    fallback = Resolved("TBOOK_CLIENT_ID", "fallback", SANDBOX_DEFAULT)
    won = pick("TBOOK_CLIENT_ID", {"TBOOK_CLIENT_ID": "from-env"}, console, fallback)
    assert (won.value, won.source, won.stored) == ("from-env", ENVIRONMENT, console["TBOOK_CLIENT_ID"])
    assert pick("TBOOK_CLIENT_ID", {}, console, fallback).source == CONSOLE
    assert pick("TBOOK_CLIENT_ID", {"TBOOK_CLIENT_ID": ""}, {}, fallback) is fallback  # empty counts as unset
    assert pick("TBOOK_CLIENT_ID", {}, {}).source == UNSET


def test_the_console_is_asked_only_for_console_settings():
    assert pick("TBOOK_API_URL", {}, stored(TBOOK_API_URL="https://elsewhere.example/api")).source == UNSET


def test_the_sandbox_credentials_hold_only_against_the_sandbox():
    sandbox = resolve_tbook({}, {})
    assert (sandbox["TBOOK_CLIENT_ID"].value, sandbox["TBOOK_CLIENT_ID"].source) == ("sandbox-client", SANDBOX_DEFAULT)
    assert (sandbox["TBOOK_LTI_KEY"].value, sandbox["TBOOK_LTI_KEY"].source) == ("sandbox-client", DERIVED)
    switched = resolve_tbook({}, stored(TBOOK_ENV="test", TBOOK_CLIENT_ID="acme"))
    assert switched["TBOOK_CLIENT_SECRET"].source == UNSET and switched["TBOOK_LTI_KEY"].value == "acme"
    assert (switched["TBOOK_API_URL"].value, switched["TBOOK_LTI_URL"].value) == (
        "https://test.t-book.fr/api",
        "https://test.t-book.fr/api/lti",
    )


def test_urls_given_stay_whatever_the_console_says():
    given = {"TBOOK_API_URL": "https://proxy.example/tbook"}
    resolved = resolve_tbook(given, stored(TBOOK_ENV="live"))
    assert resolved["TBOOK_API_URL"].value == "https://proxy.example/tbook"
    assert resolved["TBOOK_LTI_URL"].value == "https://proxy.example/tbook/lti"


def test_a_credential_given_empty_gets_no_sandbox_default_but_the_console_may_set_it():
    given = {"TBOOK_LTI_SECRET": ""}
    assert resolve_tbook(given, {})["TBOOK_LTI_SECRET"].source == UNSET
    assert resolve_tbook(given, stored(TBOOK_LTI_SECRET="set-later"))["TBOOK_LTI_SECRET"].source == CONSOLE


def test_start_up_and_the_console_agree_without_console_values(app, gateway_config):
    with app.test_request_context():
        creds = credentials.current()
        sources = {name: r.source for name, r in credentials.resolve().items()}
    assert (creds.api_url, creds.lti_url, creds.client_id, creds.lti_key) == tuple(
        app.config[name] for name in ("TBOOK_API_URL", "TBOOK_LTI_URL", "TBOOK_CLIENT_ID", "TBOOK_LTI_KEY")
    )
    assert set(sources.values()) == {ENVIRONMENT}  # the test config sets all five


def test_the_credentials_are_worked_out_once_per_settings_read(app):
    with app.test_request_context():
        first = credentials.current()
        assert credentials.current() is first  # every click asks: no new work within one settings read
        console_settings.invalidate()
        assert credentials.current() is not first and credentials.current() == first

"""Settings at start-up: environment names, `<NAME>_FILE` secrets, production refusing to start without secrets,
and app.config holding the declared settings and Flask's keys, nothing else."""

import os
import stat
from pathlib import Path

import pytest
from dotenv import dotenv_values

from app import create_app
from app.settings.loading import ConfigError
from app.settings.schema import BY_NAME, DERIVED, is_flask_key

PRODUCTION = {
    "TBOOK_ENV": "live",
    "SECRET_KEY": "s" * 32,
    "TBOOK_CLIENT_ID": "client",
    "TBOOK_CLIENT_SECRET": "client-secret",
    "TBOOK_LTI_SECRET": "lti-secret",
}


def make(tmp_path, **settings):
    return create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}", **settings})


@pytest.mark.parametrize("missing", ["SECRET_KEY", "TBOOK_CLIENT_ID", "TBOOK_CLIENT_SECRET", "TBOOK_LTI_SECRET"])
def test_production_refuses_to_start_without_a_secret_and_names_it(tmp_path, missing):
    settings = {k: v for k, v in PRODUCTION.items() if k != missing}
    with pytest.raises(ConfigError, match=missing):
        make(tmp_path, **settings)


def test_production_starts_with_its_secrets_and_derives_the_live_urls(tmp_path):
    app = make(tmp_path, **PRODUCTION)
    assert app.config["TBOOK_API_URL"] == "https://t-book.fr/api"
    assert app.config["TBOOK_LTI_URL"] == "https://t-book.fr/api/lti"
    assert app.config["TBOOK_LTI_KEY"] == "client"  # defaults to the client id
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_test_platform_urls(tmp_path):
    app = make(tmp_path, **{**PRODUCTION, "TBOOK_ENV": "test"})
    assert app.config["TBOOK_LTI_URL"] == "https://test.t-book.fr/api/lti"


def test_debug_mode_is_not_production(tmp_path):
    app = make(tmp_path, TBOOK_ENV="live", FLASK_DEBUG="1")
    assert app.config["PRODUCTION"] is False


def test_signed_links_need_their_key_in_production(tmp_path):
    with pytest.raises(ConfigError, match="GATEWAY_LINK_SECRET"):
        make(tmp_path, **PRODUCTION, GATEWAY_AUTH="local,signed-link")


def test_secret_read_from_file(tmp_path):
    secret_file = tmp_path / "lti_secret"
    secret_file.write_text("from-a-file\n")
    settings = {k: v for k, v in PRODUCTION.items() if k != "TBOOK_LTI_SECRET"}
    app = make(tmp_path, **settings, TBOOK_LTI_SECRET_FILE=str(secret_file))
    assert app.config["TBOOK_LTI_SECRET"] == "from-a-file"


def test_unreadable_secret_file_is_named(tmp_path):
    with pytest.raises(ConfigError, match="TBOOK_LTI_SECRET_FILE"):
        make(tmp_path, **{**PRODUCTION, "TBOOK_LTI_SECRET": ""}, TBOOK_LTI_SECRET_FILE=str(tmp_path / "nope"))


def test_environment_is_read_and_config_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("TBOOK_ENV", "test")
    monkeypatch.setenv("TBOOK_LTI_URL", "https://env.example/lti")
    app = make(tmp_path, **{**PRODUCTION, "TBOOK_ENV": "test"}, TBOOK_LTI_URL="https://config.example/lti")
    assert app.config["TBOOK_LTI_URL"] == "https://config.example/lti"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("TBOOK_ENV", "prod"),
        ("GATEWAY_AUTH", "ldap"),
        ("TBOOK_API_URL", "test.t-book.fr/api"),
        ("TBOOK_LTI_URL", "ftp://t-book.fr/api/lti"),
        ("TBOOK_LTI_URL", "https://t-book.fr/api/lti?a=%zz"),
    ],
)
def test_malformed_values_are_named(tmp_path, name, value):
    with pytest.raises(ConfigError, match=name):
        make(tmp_path, **{name: value})


def test_sandbox_defaults_to_the_sandbox_credentials(tmp_path):
    app = make(tmp_path)
    assert app.config["TBOOK_CLIENT_ID"] == "sandbox-client"
    assert app.config["TBOOK_LTI_URL"] == "http://127.0.0.1:5050/api/lti"


def test_development_key_is_made_once_and_shared_by_every_worker(tmp_path):
    first, second = make(tmp_path), make(tmp_path)  # two workers of one development server
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    key_file = first.instance_path + "/secret_key"
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600


def test_nothing_is_copied_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("BUILD_SERVER_SECRET", "host-secret")
    monkeypatch.setenv("GATEWAY_UNDECLARED", "x")
    app = make(tmp_path)
    assert "BUILD_SERVER_SECRET" not in app.config and "GATEWAY_UNDECLARED" not in app.config
    assert "PATH" not in app.config and "HOME" not in app.config
    assert [k for k in app.config if k not in BY_NAME and k not in DERIVED and not is_flask_key(k)] == []


def test_every_declared_setting_is_in_app_config_typed(tmp_path, monkeypatch):
    monkeypatch.setenv("GATEWAY_SIGNIN_MAX_FAILURES", "7")
    monkeypatch.setenv("TBOOK_TIMEOUT", "2.5")
    monkeypatch.setenv("GATEWAY_ADMINS", "Ann@Example.com, bob@example.com")
    monkeypatch.setenv("FLASK_DEBUG", "1")
    app = make(tmp_path)
    assert set(BY_NAME) <= set(app.config)
    assert app.config["GATEWAY_SIGNIN_MAX_FAILURES"] == 7
    assert app.config["TBOOK_TIMEOUT"] == 2.5
    assert app.config["GATEWAY_ADMINS"] == frozenset({"ann@example.com", "bob@example.com"})
    assert app.config["FLASK_DEBUG"] is True
    assert app.config["GATEWAY_BASE_URL"] == "http://127.0.0.1:5000"  # the schema's default


def test_unknown_names_in_config_are_refused_and_named(tmp_path):
    with pytest.raises(ConfigError, match=r"TBOOK_CLIENT_SECRETS.*did you mean TBOOK_CLIENT_SECRET\?"):
        make(tmp_path, TBOOK_CLIENT_SECRETS="typo")
    with pytest.raises(ConfigError, match="PRODUCTION"):  # worked out, never set
        make(tmp_path, PRODUCTION=False)
    with pytest.raises(ConfigError, match="TBOOK_TIMEOUT_FILE"):  # only the declared ones read <NAME>_FILE
        make(tmp_path, TBOOK_TIMEOUT_FILE=str(tmp_path / "timeout"))


def test_flask_keys_in_config_pass_through_and_win(tmp_path):
    assert is_flask_key("WTF_CSRF_ENABLED") and not is_flask_key("GATEWAY_AUTH")
    app = make(tmp_path, TESTING=True, WTF_CSRF_ENABLED=False, MAX_CONTENT_LENGTH=1024)
    assert app.config["TESTING"] is True and app.config["WTF_CSRF_ENABLED"] is False
    assert app.config["MAX_CONTENT_LENGTH"] == 1024


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("TBOOK_TIMEOUT", "soon"),
        ("GATEWAY_SIGNIN_MAX_FAILURES", "0"),
        ("FLASK_DEBUG", "maybe"),
        ("GATEWAY_BASE_URL", "x"),
    ],
)
def test_malformed_typed_values_are_named(tmp_path, name, value):
    with pytest.raises(ConfigError, match=name):
        make(tmp_path, **{name: value})


def test_a_file_in_config_wins_over_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("TBOOK_LTI_SECRET", "from-the-environment")
    secret_file = tmp_path / "lti_secret"
    secret_file.write_text("from-a-file\n")
    assert make(tmp_path, TBOOK_LTI_SECRET_FILE=str(secret_file)).config["TBOOK_LTI_SECRET"] == "from-a-file"
    monkeypatch.setenv("TBOOK_LTI_SECRET_FILE", str(secret_file))
    assert make(tmp_path).config["TBOOK_LTI_SECRET"] == "from-the-environment"  # the plain name wins in a layer


def test_a_name_given_empty_in_config_turns_the_sandbox_default_off(tmp_path, monkeypatch):
    monkeypatch.setenv("TBOOK_LTI_SECRET", "from-the-environment")
    app = make(tmp_path, TBOOK_LTI_SECRET="")
    assert app.config["TBOOK_LTI_SECRET"] == ""  # config wins, even empty
    assert make(tmp_path, TBOOK_LTI_KEY="").config["TBOOK_LTI_KEY"] == "sandbox-client"  # derived, not a default


def test_the_example_env_as_it_is_starts_a_sandbox_gateway(tmp_path, monkeypatch):
    """A `.env` copied from config/example.env leaves most names empty: empty counts as unset."""
    example = Path(__file__).resolve().parents[2] / "config" / "example.env"
    for name, value in dotenv_values(example).items():
        monkeypatch.setenv(name, value or "")
    app = make(tmp_path)
    assert app.config["TBOOK_CLIENT_ID"] == "sandbox-client" and app.config["TBOOK_LTI_SECRET"] == "sandbox-lti-secret"
    assert app.config["GATEWAY_TRUSTED_PROXIES"] == frozenset({"127.0.0.1", "::1"})
    assert app.config["PRODUCTION"] is False

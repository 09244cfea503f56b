"""Settings: environment names, `<NAME>_FILE` secrets, and production refusing to start without secrets."""

import pytest

from app import create_app
from app.settings.loading import ConfigError

PRODUCTION = {
    "TBOOK_ENV": "live",
    "SECRET_KEY": "s" * 32,
    "TBOOK_CLIENT_ID": "client",
    "TBOOK_CLIENT_SECRET": "client-secret",
    "TBOOK_LTI_SECRET": "lti-secret",
}


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for name in (
        "SECRET_KEY",
        "TBOOK_ENV",
        "TBOOK_CLIENT_ID",
        "TBOOK_CLIENT_SECRET",
        "TBOOK_LTI_SECRET",
        "TBOOK_API_URL",
        "TBOOK_LTI_URL",
        "TBOOK_LTI_KEY",
        "GATEWAY_AUTH",
        "FLASK_DEBUG",
    ):
        monkeypatch.delenv(name, raising=False)


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
    import os
    import stat

    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600

"""The gateway follows an authentificationUrl only onto T-book's own host."""

import pytest

from app import create_app
from app.services.fallback import is_tbook_url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://127.0.0.1:5050/sso/abc", True),
        ("https://127.0.0.1/sso/abc", True),
        ("http://evil.example/sso/abc", False),
        ("http://127.0.0.1.evil.example/sso", False),
        ("javascript:alert(1)", False),
        ("//127.0.0.1/sso", False),
        ("http://t-book.fr/eyJ0eXAi", False),  # only the configured host in the sandbox
    ],
)
def test_sandbox_host_only(tmp_path, url, expected):
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'h.db'}"})
    with app.app_context():
        assert is_tbook_url(url) is expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://t-book.fr/eyJ0eXAi", True),  # T-book's documented example: the main domain, over http
        ("https://test.t-book.fr/sso/x", True),
        ("https://www.t-book.fr/x", True),
        ("https://t-book.fr.evil.example/x", False),
        ("https://eviltbook.fr/x", False),
        ("https://not-t-book.fr/x", False),
    ],
)
def test_tbook_domain_on_the_test_platform(tmp_path, url, expected):
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'h.db'}",
            "TBOOK_ENV": "test",
            "SECRET_KEY": "k",
            "TBOOK_CLIENT_ID": "c",
            "TBOOK_CLIENT_SECRET": "s",
            "TBOOK_LTI_SECRET": "l",
        }
    )
    with app.app_context():
        assert is_tbook_url(url) is expected

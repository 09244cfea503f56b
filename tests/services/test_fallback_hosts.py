"""The gateway follows an authentificationUrl only onto T-book's own host."""

import pytest

from app.services.launch.authtoken import is_tbook_url


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
        ("http://evil.example\\@127.0.0.1/sso/abc", False),  # a browser goes to evil.example
        ("http://user@127.0.0.1/sso/abc", False),
        ("http://127.0.0.1/sso/a\nb", False),
    ],
)
def test_sandbox_host_only(app, url, expected):
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
        ("https://evil.example\\@test.t-book.fr/x", False),
        ("https://evil.example%5C@test.t-book.fr/x", False),
    ],
)
def test_tbook_domain_on_the_test_platform(make_gateway, url, expected):
    with make_gateway(TBOOK_ENV="test", TBOOK_API_URL="", TBOOK_LTI_URL="").app_context():
        assert is_tbook_url(url) is expected

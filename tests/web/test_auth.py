"""Sign-in: the local form, the proxy header (trusted proxies only) and signed links."""

import pytest
from itsdangerous import URLSafeTimedSerializer

from app.services.identity.signed_links import SALT, make_token
from tests.factories import make_link, make_profile


@pytest.fixture
def jane(app):
    with app.app_context():
        make_link()
        return make_profile()


def test_wrong_password_is_refused_with_a_clear_message(client, auth, jane):
    response = auth.login(password="wrong-password")
    assert response.status_code == 401
    assert "do not match" in response.text
    assert client.get("/launch/open-tbook").status_code == 302  # still not signed in


def test_unknown_login_reads_like_a_wrong_password(client, auth, jane):
    response = auth.login(login="ghost@example.com")
    assert response.status_code == 401 and "do not match" in response.text


def test_sign_in_without_csrf_token_is_refused(client, jane):
    response = client.post("/auth/login", data={"login": "jane.doe@example.com", "password": "correct-horse"})
    assert response.status_code == 400
    assert client.get("/launch/open-tbook").status_code == 302


@pytest.mark.parametrize(
    "target", ["//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"]
)
def test_next_never_leaves_the_site(auth, jane, target):
    response = auth.login(next_url=target)
    assert response.status_code == 303 and response.headers["Location"] == "/"


def test_sign_out(client, auth, jane):
    auth.login()
    home = client.get("/")
    assert "jane.doe@example.com" in home.text
    from tests.conftest import csrf_token

    client.post("/auth/logout", data={"csrf_token": csrf_token(home.text)})
    assert client.get("/launch/open-tbook").status_code == 302


@pytest.fixture
def header_app(make_gateway):
    return make_gateway(GATEWAY_AUTH="header", GATEWAY_TRUSTED_PROXIES="10.0.0.1")


def test_header_from_a_trusted_proxy_signs_in(header_app, jane):
    client = header_app.test_client()
    response = client.get(
        "/launch/open-tbook",
        headers={"X-Remote-User": "Jane.Doe@example.com"},
        environ_base={"REMOTE_ADDR": "10.0.0.1"},
    )
    assert response.status_code == 200 and "launch-form" in response.text


def test_header_from_anywhere_else_is_ignored(header_app, jane):
    client = header_app.test_client()
    response = client.get(
        "/launch/open-tbook",
        headers={"X-Remote-User": "jane.doe@example.com"},
        environ_base={"REMOTE_ADDR": "10.0.0.66"},
    )
    assert response.status_code == 401 and "not signed in" in response.text


@pytest.fixture
def signed_app(make_gateway):
    return make_gateway(GATEWAY_AUTH="signed-link", GATEWAY_SIGNED_LINK_MAX_AGE="60")


def test_signed_link_signs_in_and_drops_the_token_from_the_address(signed_app, gateway_config, jane):
    client = signed_app.test_client()
    token = make_token(gateway_config["GATEWAY_LINK_SECRET"], "jane.doe@example.com", "open-tbook")
    response = client.get(f"/launch/open-tbook?auth={token}")
    assert response.status_code == 303 and response.headers["Location"] == "/launch/open-tbook"
    assert "launch-form" in client.get("/launch/open-tbook").text


def test_a_signed_link_signs_in_once(signed_app, gateway_config, jane):
    token = make_token(gateway_config["GATEWAY_LINK_SECRET"], "jane.doe@example.com", "open-tbook")
    assert signed_app.test_client().get(f"/launch/open-tbook?auth={token}").status_code == 303
    replayed = signed_app.test_client().get(f"/launch/open-tbook?auth={token}")  # another browser, same link
    assert replayed.status_code == 401 and "used already" in replayed.text


@pytest.mark.parametrize("case", ["expired", "altered", "other link", "other key"])
def test_bad_signed_links_are_refused_with_a_clear_page(signed_app, gateway_config, jane, case):
    secret = gateway_config["GATEWAY_LINK_SECRET"]
    token = make_token(secret, "jane.doe@example.com", "open-tbook")
    if case == "expired":
        serializer = URLSafeTimedSerializer(secret, salt=SALT)
        signer = serializer.make_signer(SALT)
        signer.get_timestamp = lambda: 1_000_000_000  # a token signed in 2001
        token = signer.sign(serializer.dump_payload({"login": "jane.doe@example.com"})).decode()
    elif case == "altered":
        token = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    elif case == "other link":
        token = make_token(secret, "jane.doe@example.com", "another-link")
    else:
        token = make_token("not-the-portal-key", "jane.doe@example.com", "open-tbook")
    response = signed_app.test_client().get(f"/launch/open-tbook?auth={token}")
    assert response.status_code == 401
    expected = {
        "expired": "expired",
        "altered": "not valid",
        "other link": "another launch link",
        "other key": "not valid",
    }[case]
    assert expected in response.text


@pytest.mark.parametrize("path", ["/launch/%00", "/lti/return?lti_msg=a%00b", "/sso/error?ref=%00"])
def test_nul_characters_are_a_clear_400_not_a_crash(client, path):
    response = client.get(path)
    assert response.status_code == 400 and "NUL" in response.text


def test_nul_in_the_sign_in_form_is_a_clear_400(client, jane):
    from tests.conftest import csrf_token

    token = csrf_token(client.get("/auth/login").text)
    response = client.post("/auth/login", data={"login": "a\x00b@example.com", "password": "x", "csrf_token": token})
    assert response.status_code == 400 and "NUL" in response.text


def _replays_of(token: str) -> dict[str, str]:
    """The same token, written differently in ways itsdangerous does not see (the attack review's finding 1)."""
    last = token[-1]
    # The signature's last base64 character carries 4 bits of the digest and 2 unused ones: flipping the low
    # bit keeps the decoded signature (for most characters), so pick a neighbour that decodes alike.
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    same_bits = alphabet[alphabet.index(last) ^ 1]
    return {"padding": token + "=", "non-ascii": token + "é", "low bits": token[:-1] + same_bits}


@pytest.mark.parametrize("variant", ["padding", "non-ascii", "low bits"])
def test_a_used_signed_link_written_differently_is_still_used(signed_app, gateway_config, jane, variant):
    token = make_token(gateway_config["GATEWAY_LINK_SECRET"], "jane.doe@example.com", "open-tbook")
    assert signed_app.test_client().get(f"/launch/open-tbook?auth={token}").status_code == 303
    replayed = signed_app.test_client().get("/launch/open-tbook", query_string={"auth": _replays_of(token)[variant]})
    assert replayed.status_code == 401 and "used already" in replayed.text


def test_two_links_for_the_same_user_and_link_in_the_same_second_both_sign_in(signed_app, gateway_config, jane):
    secret = gateway_config["GATEWAY_LINK_SECRET"]
    first, second = (make_token(secret, "jane.doe@example.com", "open-tbook") for _ in range(2))
    assert first != second
    assert signed_app.test_client().get(f"/launch/open-tbook?auth={first}").status_code == 303
    assert signed_app.test_client().get(f"/launch/open-tbook?auth={second}").status_code == 303


def test_a_portal_token_without_a_nonce_still_signs_in_once(signed_app, gateway_config, jane):
    # The README's snippet for portal authors, as older portals wrote it: no nonce in the payload.
    serializer = URLSafeTimedSerializer(gateway_config["GATEWAY_LINK_SECRET"], salt=SALT)
    token = serializer.dumps({"login": "jane.doe@example.com", "link": "open-tbook"})
    assert signed_app.test_client().get(f"/launch/open-tbook?auth={token}").status_code == 303
    assert signed_app.test_client().get(f"/launch/open-tbook?auth={token}").status_code == 401


@pytest.mark.parametrize("login", ["", "   ", "jane\x00doe@example.com", "jane\r\ndoe@example.com", "x" * 300])
def test_a_signed_link_with_an_empty_or_hostile_login_is_refused_and_not_used_up(
    signed_app, gateway_config, jane, login
):
    serializer = URLSafeTimedSerializer(gateway_config["GATEWAY_LINK_SECRET"], salt=SALT)
    token = serializer.dumps({"login": login, "link": "open-tbook"})
    client = signed_app.test_client()
    response = client.get(f"/launch/open-tbook?auth={token}")
    assert response.status_code == 401 and "does not name a user" in response.text
    assert client.get("/launch/open-tbook").status_code == 401  # nobody was signed in
    with signed_app.app_context():
        from app.store import db
        from app.store.models import UsedNonce

        assert db.session.query(UsedNonce).count() == 0


@pytest.mark.parametrize("login", ["jane\x00doe@example.com", "jane\x01@example.com", "x" * 300])
def test_a_hostile_login_from_the_proxy_header_is_a_clear_401(header_app, jane, login):
    response = header_app.test_client().get(
        "/launch/open-tbook", headers={"X-Remote-User": login}, environ_base={"REMOTE_ADDR": "10.0.0.1"}
    )
    assert response.status_code == 401 and "not signed in" in response.text


# --- Sessions: a copied cookie is worth nothing once the account signed out (the attack review's finding 2) ---

ADMIN = "admin@example.com"


def _browser(app, login: str = ADMIN, password: str = "admin-password"):
    """A browser of its own, signed in through the form. (Not the `client` fixture: it keeps its last request's
    app context pushed, and every other client's requests would then share its `g`, CSRF token included.)"""
    from tests.conftest import AuthActions

    browser = app.test_client()
    assert AuthActions(browser).login(login, password).status_code == 303
    return browser


def _sign_out(browser) -> None:
    from tests.conftest import csrf_token

    assert browser.post("/auth/logout", data={"csrf_token": csrf_token(browser.get("/").text)}).status_code == 303


@pytest.fixture
def admin(app):
    """An admin signed in through the form, in a browser of their own."""
    from app.services.identity import accounts
    from app.store import db

    with app.app_context():
        accounts.set_account(ADMIN, "admin-password", is_admin=True)
        db.session.commit()
    return _browser(app)


def _thief(app, browser):
    """Another browser holding a copy of `browser`'s session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", browser.get_cookie("session").value)
    return thief


def _session_rows(app, **values) -> None:
    from sqlalchemy import update

    from app.store import db
    from app.store.models import SignInSession

    with app.app_context():
        db.session.execute(update(SignInSession).values(**values))
        db.session.commit()


def test_a_copied_admin_cookie_no_longer_opens_the_console_after_sign_out(app, admin):
    thief = _thief(app, admin)
    assert thief.get("/admin/").status_code == 200  # the copy works while the admin is signed in
    _sign_out(admin)
    response = thief.get("/admin/")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_sign_out_ends_every_session_of_the_account_and_only_those(app, admin, jane):
    other_browser = _browser(app)
    learner = _browser(app, "jane.doe@example.com", "correct-horse")
    assert other_browser.get("/admin/").status_code == 200
    _sign_out(admin)
    assert other_browser.get("/admin/").status_code == 302
    assert "launch-form" in learner.get("/launch/open-tbook").text  # someone else's sign-in stays


def test_a_password_change_ends_the_account_s_sessions(app, admin):
    thief = _thief(app, admin)
    assert thief.get("/admin/").status_code == 200
    result = app.test_cli_runner().invoke(args=["admins", "create", ADMIN], input="a-new-password\n")
    assert result.exit_code == 0, result.output
    assert thief.get("/admin/").status_code == 302
    assert admin.get("/admin/").status_code == 302


def test_an_admin_ends_an_account_s_sessions_from_the_cli_and_it_is_audited(app, admin):
    from app.store import db
    from app.store.models import AuditEvent

    thief = _thief(app, admin)
    result = app.test_cli_runner().invoke(args=["sessions", "end", ADMIN])
    assert result.exit_code == 0 and "ended 1 session" in result.output
    assert thief.get("/admin/").status_code == 302
    with app.app_context():
        event = db.session.query(AuditEvent).filter_by(action="sessions_revoke").one()
        assert event.detail == {"login": ADMIN, "sessions": 1} and event.actor == "cli"


def test_a_session_ends_after_its_idle_lifetime(app, admin):
    from datetime import timedelta

    from app.store.models import utcnow

    _session_rows(app, last_seen_at=utcnow() - timedelta(minutes=29))
    assert admin.get("/admin/").status_code == 200  # within GATEWAY_SESSION_IDLE_MINUTES (30), and touched
    _session_rows(app, last_seen_at=utcnow() - timedelta(minutes=31))
    assert admin.get("/admin/").status_code == 302


def test_a_session_ends_after_its_absolute_lifetime_however_busy(app, admin):
    from datetime import timedelta

    from app.store.models import utcnow

    _session_rows(app, created_at=utcnow() - timedelta(hours=12, minutes=1), last_seen_at=utcnow())
    assert admin.get("/admin/").status_code == 302


def test_session_lifetimes_are_settings(make_gateway, jane):
    gateway = make_gateway(GATEWAY_SESSION_IDLE_MINUTES="1", GATEWAY_SESSION_MAX_HOURS="0.5")
    assert gateway.config["GATEWAY_SESSION_IDLE_MINUTES"] == 1
    assert gateway.config["GATEWAY_SESSION_MAX_HOURS"] == 0.5


# --- Sign-in throttling behind a shared address (the attack review's finding 9) ---


def _from(app, address: str):
    from tests.conftest import AuthActions

    browser = app.test_client()
    browser.environ_base["REMOTE_ADDR"] = address
    return AuthActions(browser)


def test_failures_from_a_shared_address_do_not_lock_out_who_signs_in_there(make_gateway, jane):
    office = make_gateway(GATEWAY_SIGNIN_MAX_FAILURES="3", GATEWAY_SIGNIN_MAX_FAILURES_PER_ADDRESS="5")
    assert _from(office, "192.0.2.10").login().status_code == 303  # Jane signs in from the office, as every day
    for i in range(10):  # someone in the same office (same NAT address) tries password after password
        _from(office, "192.0.2.10").login(f"victim{i}@example.com", "guess")
    assert _from(office, "192.0.2.10").login("newcomer@example.com", "guess").status_code == 429
    assert _from(office, "192.0.2.10").login().status_code == 303  # Jane is not locked out by them
    for _ in range(3):  # but guesses at Jane's own account still pause it, from that address
        _from(office, "192.0.2.10").login(password="wrong-password")
    assert _from(office, "192.0.2.10").login().status_code == 429


def test_a_locally_signed_in_click_reads_its_session_without_an_orm_transaction(app, client, auth, jane):
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    auth.login()
    assert client.get("/launch/open-tbook").status_code == 200
    begun = []

    def began(session, _transaction, _connection) -> None:
        begun.append(session)

    event.listen(Session, "after_begin", began)
    try:
        assert "launch-form" in client.get("/launch/open-tbook").text  # the session checked, on the click's connection
    finally:
        event.remove(Session, "after_begin", began)
    assert begun == []

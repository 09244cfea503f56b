"""Proof: the attacks of the review, and their neighbours, through the real routes and commands."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import func, select

from app.services.audit import trail as audit
from app.services.identity.signed_links import SALT, make_token
from app.store import db
from app.store.models import AuditEvent
from tests.admin.conftest import ADMIN, form_token
from tests.admin.test_access import GET_ROUTES, POST_ROUTES, world  # noqa: F401  (world is a fixture)
from tests.conftest import AuthActions
from tests.factories import PASSWORD, make_link, make_profile
from tests.store.test_audit_log import KEY, TAMPERING, _anchor, _cli, _rehash, sealed  # noqa: F401
from tests.web.test_launch import form_of

AREA = "attacks"
NEXT_TARGETS = [
    "//evil.example/",
    "https://evil.example/",
    "/\\evil.example",
    "\\\\evil.example",
    "javascript:alert(1)",
    "/\t/evil.example",
    "/\r\n/evil.example",
    "/launch/x\r\nSet-Cookie: a=b",
    "https:evil.example",
    "//%5Cevil.example",
    "/%2F/evil.example",
    "data:text/html,<script>alert(1)</script>",
    " //evil.example",
]


def test_every_redirecting_parameter_stays_on_site(client, auth, learner, proof):
    for target in NEXT_TARGETS:
        response = auth.login(learner, PASSWORD, next_url=target)
        location = response.headers.get("Location", "")
        # On this site: a path, with no authority however a browser reads it (it drops tabs and line breaks).
        cleaned = location.replace("\t", "").replace("\r", "").replace("\n", "")
        held = response.status_code == 303 and cleaned.startswith("/") and not cleaned.startswith(("//", "/\\"))
        held = held and not urlsplit(cleaned).netloc
        proof.count(AREA, "sign-in's next: hostile targets (scheme, //, \\, tab, CR/LF, encoded)", held=held)
        assert held, (target, location)


def test_a_spoofed_sign_in_header_signs_nobody_in(make_gateway, app, proof):
    with app.app_context():
        make_link()
        make_profile()
    gateway = make_gateway(GATEWAY_AUTH="header", GATEWAY_TRUSTED_PROXIES="10.0.0.1", GATEWAY_ADMINS=ADMIN)
    attempts = [
        ("203.0.113.9", {"X-Remote-User": "jane.doe@example.com"}),
        ("203.0.113.9", {"X-Remote-User": ADMIN}),
        ("203.0.113.9", {"X-Remote-User": ADMIN, "X-Forwarded-For": "10.0.0.1"}),
        ("203.0.113.9", {"X-Remote-User": ADMIN, "X-Real-IP": "10.0.0.1"}),
        ("10.0.0.2", {"X-Remote-User": ADMIN}),
        ("10.0.0.1", {"X-Remote-User": "jane\x00doe@example.com"}),
    ]
    for address, headers in attempts:
        for path in ("/launch/open-tbook", "/admin/"):
            response = gateway.test_client().get(path, headers=headers, environ_base={"REMOTE_ADDR": address})
            held = proof.count(
                AREA,
                "spoofed sign-in headers (untrusted address, forged X-Forwarded-For)",
                held=response.status_code in (401, 403),
            )
            assert held, (address, headers, path, response.status_code)


@pytest.fixture
def signed_app(make_gateway, app):
    with app.app_context():
        make_link()
        make_link("other")
        make_profile()
    return make_gateway(GATEWAY_AUTH="signed-link", GATEWAY_SIGNED_LINK_MAX_AGE="60")


def _bad_tokens(secret: str) -> dict[str, list[str]]:
    good = make_token(secret, "jane.doe@example.com", "open-tbook")
    serializer = URLSafeTimedSerializer(secret, salt=SALT)
    signer = serializer.make_signer(SALT)
    signer.get_timestamp = lambda: 1_000_000_000
    expired = signer.sign(serializer.dump_payload({"login": "jane.doe@example.com", "nonce": "x"})).decode()
    altered = [good[:i] + ("A" if good[i] != "A" else "B") + good[i + 1 :] for i in range(0, len(good), 3)]
    altered = [token for token in altered if token != good]
    return {
        "altered (every third character)": altered,
        "expired": [expired],
        "made for another link": [make_token(secret, "jane.doe@example.com", "other")],
        "signed with another key": [make_token("not-the-portal-key", "jane.doe@example.com", "open-tbook")],
        "naming nobody": [serializer.dumps({"login": "", "link": "open-tbook"})],
    }


def test_bad_signed_links_sign_nobody_in(signed_app, gateway_config, proof):
    for kind, tokens in _bad_tokens(gateway_config["GATEWAY_LINK_SECRET"]).items():
        for token in tokens:
            browser = signed_app.test_client()
            response = browser.get("/launch/open-tbook", query_string={"auth": token})
            held = response.status_code == 401 and browser.get("/launch/open-tbook").status_code == 401
            proof.count(AREA, f"signed links {kind}: refused, nobody signed in", held=held)
            assert held, (kind, token, response.status_code)


def test_a_used_signed_link_replayed_in_any_spelling_is_refused(signed_app, gateway_config, proof):
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    for _ in range(5):
        token = make_token(gateway_config["GATEWAY_LINK_SECRET"], "jane.doe@example.com", "open-tbook")
        assert signed_app.test_client().get("/launch/open-tbook", query_string={"auth": token}).status_code == 303
        spellings = [
            token,
            token + "=",
            token + "==",
            token + "é",
            token[:-1] + alphabet[alphabet.index(token[-1]) ^ 1],
        ]
        for spelling in spellings:
            response = signed_app.test_client().get("/launch/open-tbook", query_string={"auth": spelling})
            held = response.status_code == 401
            proof.count(AREA, "signed links replayed (same text, padding, trailing bytes, low bits)", held=held)
            assert held, spelling


def test_csrf_on_every_admin_form_is_refused(app, as_admin, world, proof):  # noqa: F811
    for path in POST_ROUTES:
        with app.app_context():
            before = db.session.scalar(select(func.count()).select_from(AuditEvent))
        response = as_admin.post(path.format(**world), data={"slug": "evil", "title": "Evil", "mode": "lti"})
        with app.app_context():
            after = db.session.scalar(select(func.count()).select_from(AuditEvent))
        held = proof.count(
            AREA,
            "CSRF: every admin form posted without its token",
            held=response.status_code == 400 and after == before,
        )
        assert held, (path, response.status_code)


def test_a_learner_gets_nothing_from_any_admin_route(app, client, auth, world, proof):  # noqa: F811
    auth.login("jane.doe@example.com")
    token = form_token(client, "/")
    for path in GET_ROUTES + POST_ROUTES:
        method = client.post if path in POST_ROUTES else client.get
        response = method(path.format(**world), data={"csrf_token": token} if path in POST_ROUTES else None)
        held = proof.count(AREA, "a learner on every admin route (GET and POST)", held=response.status_code == 403)
        assert held, (path, response.status_code)


FORWARDED = [
    {"X-Forwarded-Prefix": "//evil.example"},
    {"X-Forwarded-Prefix": "/\\evil.example"},
    {"X-Forwarded-Prefix": "https://evil.example"},
    {"X-Forwarded-Host": "evil.example"},
    {"X-Forwarded-Host": "learn.example.org.evil.example"},
    {"X-Forwarded-Host": "learn.example.org:8443"},
    {"X-Forwarded-Proto": "javascript"},
    {"X-Forwarded-Host": "evil.example", "X-Forwarded-Prefix": "//evil.example"},
]


def test_forwarded_headers_cannot_point_the_gateway_elsewhere(make_gateway, app, proof):
    with app.app_context():
        make_link()
        make_profile()
    settings = {"GATEWAY_PROXY_HOPS": "1", "GATEWAY_PUBLIC_HOSTS": "learn.example.org"}
    local = make_gateway(GATEWAY_AUTH="local", **settings)
    header = make_gateway(GATEWAY_AUTH="header", **settings)
    for forwarded in FORWARDED:
        to_sign_in = local.test_client().get("/launch/open-tbook", headers=forwarded)
        page = header.test_client().get(
            "/launch/open-tbook", headers={**forwarded, "X-Remote-User": "jane.doe@example.com"}
        )
        return_url = dict(form_of(page.text)[1])["launch_presentation_return_url"]
        held = "evil" not in to_sign_in.headers["Location"] and "evil" not in page.text
        held = held and return_url.startswith(("http://learn.example.org/", "https://learn.example.org/"))
        proof.count(
            AREA, "forwarded-header abuse (prefix, host, scheme): redirects and T-book's URLs stay home", held=held
        )
        assert held, (forwarded, to_sign_in.headers["Location"], return_url)


def test_a_stolen_session_is_worth_nothing_after_sign_out_or_a_new_password(app, admin_account, proof):
    for ending in ("sign-out", "password change", "flask sessions end"):
        owner = app.test_client()
        assert AuthActions(owner).login(ADMIN, PASSWORD).status_code == 303
        thief = app.test_client()
        thief.set_cookie("session", owner.get_cookie("session").value)
        assert thief.get("/admin/").status_code == 200
        if ending == "sign-out":
            owner.post("/auth/logout", data={"csrf_token": form_token(owner, "/")})
        elif ending == "password change":
            app.test_cli_runner().invoke(args=["admins", "create", ADMIN], input="a-brand-new-password\n")
            app.test_cli_runner().invoke(args=["admins", "create", ADMIN], input=PASSWORD + "\n")
        else:
            app.test_cli_runner().invoke(args=["sessions", "end", ADMIN])
        held = thief.get("/admin/").status_code == 302
        proof.count(AREA, f"a copied admin session cookie after {ending}", held=held)
        assert held


@pytest.mark.parametrize("kind", [*TAMPERING, "an event edited, hashes recomputed", "a chain stripped of its key"])
def test_audit_tampering_shows(sealed, tmp_path, proof, kind):  # noqa: F811
    from sqlalchemy import update

    from app.store.models import AuditChainHead
    from tests.store.test_audit_log import _chain_events

    anchor = _anchor(sealed, tmp_path)
    with sealed.app_context():
        if kind in TAMPERING:
            TAMPERING[kind][0]()
            db.session.commit()
        elif kind == "an event edited, hashes recomputed":
            events = _chain_events(1)
            events[0].actor = "someone-else"
            _rehash(events, None, 1)
        else:
            db.session.execute(update(AuditChainHead).where(AuditChainHead.id == 1).values(key_id=None))
            _rehash(_chain_events(1), None, 1)
    result = _cli(sealed, "verify", "--anchor", anchor)
    held = proof.count(AREA, f"audit tampering: {kind}, found by `audit verify --anchor`", held=result.exit_code == 1)
    assert held, result.output
    assert audit  # the trail module is what wrote the sealed events

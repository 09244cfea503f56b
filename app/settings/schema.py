"""Every setting the gateway reads, declared once: name, kind, default, one sentence, and where it may come from.

The environment (or `.env`, or create_app's config) gives the text; `app/settings/loading.py` turns it into the
typed values of `app.config`; `app/settings/precedence.py` decides between the environment, the admin console
and the defaults; `config/example.env` is written from this table (`python -m app.settings.example`).

Plain dataclasses rather than pydantic-settings: it would bring pydantic and pydantic-core for this one table,
its secrets come from a folder of files rather than `<NAME>_FILE`, and the console's layer and the sandbox's
credentials would still be decided here; the table would not be shorter.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from flask import Flask

from app.settings import kinds
from app.settings.kinds import Kind

TBOOK_URLS = {
    "test": "https://test.t-book.fr/api",
    "live": "https://t-book.fr/api",
    "sandbox": "http://127.0.0.1:5050/api",
}


@dataclass(frozen=True)
class Setting:
    """One setting.

    `default` is the text used when nothing gives one ("" = unset, or worked out as `doc` says); `secret`: never
    shown or logged; `console`: an admin may also set it in the console (the environment wins); `file`: also
    read from `<NAME>_FILE`, a path (Docker and Kubernetes secrets); `sandbox`: its value against the sandbox
    when nothing else gives one; `note`: more lines for `config/example.env`.
    """

    name: str
    kind: Kind
    default: str
    doc: str
    secret: bool = False
    console: bool = False
    file: bool = False
    sandbox: str = ""
    note: str = ""
    section: str = ""

    def parse(self, value: object) -> object:
        return self.kind.parse(self.name, value)


def _section(title: str, *settings: Setting) -> tuple[Setting, ...]:
    return tuple(replace(setting, section=title) for setting in settings)


SETTINGS: tuple[Setting, ...] = (
    *_section(
        "Flask",
        Setting(
            "SECRET_KEY",
            kinds.TEXT,
            "",
            "Signs sessions and return references: required in production, the same on every instance "
            "(in development the gateway makes one once, in instance/secret_key).",
            secret=True,
            file=True,
        ),
        Setting(
            "FLASK_DEBUG",
            kinds.FLAG,
            "0",
            "1 turns on Flask's debugger and lifts the production checks; never in production.",
        ),
    ),
    *_section(
        "Database",
        Setting(
            "DATABASE_URL",
            kinds.TEXT,
            "",
            "Where the data lives: SQLite in instance/gateway.db unless set, PostgreSQL (psycopg 3) for several "
            "instances.",
            secret=True,  # it may hold the database's password
            file=True,
            note="e.g. DATABASE_URL=postgresql://gateway:password@db.internal:5432/gateway",
        ),
        Setting(
            "DATABASE_POOL_SIZE",
            kinds.integer(1),
            "5",
            "Database connections a process keeps open for reuse (SQLAlchemy may open 10 more for a burst); "
            "config/gunicorn.conf.py sets it to 32 with gevent (GUNICORN_THREADS with gthread) unless it is set.",
            note="A click holds at most one connection, and none while it waits for T-book. On PostgreSQL,\n"
            "max_connections must allow instances x workers x (DATABASE_POOL_SIZE + 10) (docs/deployment.md).",
        ),
    ),
    *_section(
        "T-book",
        Setting(
            "TBOOK_ENV",
            kinds.choice("sandbox", "test", "live"),
            "sandbox",
            "Which T-book: sandbox (the built-in emulator), test (https://test.t-book.fr) or live (https://t-book.fr).",
            console=True,
            note="test and live are production: the gateway refuses to start without SECRET_KEY and T-book's secrets.",
        ),
        Setting(
            "TBOOK_API_URL",
            kinds.BASE_URL,
            "",
            "T-book's API root; unless set, TBOOK_ENV's: https://test.t-book.fr/api, https://t-book.fr/api, "
            "or the sandbox's http://127.0.0.1:5050/api.",
        ),
        Setting("TBOOK_LTI_URL", kinds.URL, "", "T-book's LTI launch URL; <TBOOK_API_URL>/lti unless set."),
        Setting(
            "TBOOK_CLIENT_ID",
            kinds.TEXT,
            "",
            "The client id, from the API page of your T-book client account.",
            console=True,
            file=True,
            sandbox="sandbox-client",
        ),
        Setting(
            "TBOOK_CLIENT_SECRET",
            kinds.TEXT,
            "",
            "The client secret, from the same page.",
            secret=True,
            console=True,
            file=True,
            sandbox="sandbox-secret",
        ),
        Setting(
            "TBOOK_LTI_KEY",
            kinds.TEXT,
            "",
            "The LTI consumer key; TBOOK_CLIENT_ID unless set.",
            console=True,
            file=True,
        ),
        Setting(
            "TBOOK_LTI_SECRET",
            kinds.TEXT,
            "",
            'The LTI *shared secret*: the one shown below the client secret, after "For LTI"; not the client secret.',
            secret=True,
            console=True,
            file=True,
            sandbox="sandbox-lti-secret",
        ),
        Setting(
            "TBOOK_TIMEOUT",
            kinds.NUMBER,
            "10",
            "Seconds before a T-book API call gives up: the whole call, however slowly T-book sends its answer.",
        ),
        Setting(
            "GATEWAY_CLICK_DEADLINE",
            kinds.POSITIVE,
            "15",
            "Seconds a click may spend on T-book in all (calls, retries, waiting for the token), after which the "
            'learner gets the "T-book is slow" page and the click is audited as a timeout.',
            note="Keep it below GUNICORN_TIMEOUT - 10; config/gunicorn.conf.py refuses to start otherwise.",
        ),
        Setting(
            "TBOOK_RETRY_ATTEMPTS",
            kinds.integer(1),
            "4",
            "Attempts in all at a T-book call that meets a 429, a 5xx or a connection error (Retry-After is honoured).",
        ),
        Setting(
            "TBOOK_RETRY_BASE_DELAY",
            kinds.NUMBER,
            "0.25",
            "Seconds before the first retry; each retry waits about twice as long.",
        ),
        Setting("TBOOK_RETRY_MAX_DELAY", kinds.NUMBER, "4", "The longest wait between two retries, in seconds."),
        Setting(
            "TBOOK_RETRY_MAX_TOTAL",
            kinds.NUMBER,
            "15",
            "Seconds of retrying after which the gateway stops and shows the learner a clear page.",
        ),
    ),
    *_section(
        "Who clicked",
        Setting(
            "GATEWAY_AUTH",
            kinds.choices("local", "header", "signed-link"),
            "local",
            "How the gateway knows who clicked, a comma list of: local (its sign-in form), header (a reverse "
            "proxy's user header), signed-link (links signed by the intranet portal).",
        ),
        Setting(
            "GATEWAY_USER_HEADER",
            kinds.TEXT,
            "X-Remote-User",
            "The header the reverse proxy sets to the user's login (header sign-in).",
        ),
        Setting(
            "GATEWAY_TRUSTED_PROXIES",
            kinds.ADDRESSES,
            "127.0.0.1,::1",
            "Addresses allowed to set that header; from any other address it is ignored.",
        ),
        Setting("GATEWAY_ADMINS", kinds.LOGINS, "", "Logins that are admins under header sign-in (comma list)."),
        Setting(
            "GATEWAY_LINK_SECRET",
            kinds.TEXT,
            "",
            "The key the intranet portal signs links with (itsdangerous); required when GATEWAY_AUTH includes "
            "signed-link.",
            secret=True,
            file=True,
        ),
        Setting("GATEWAY_SIGNED_LINK_MAX_AGE", kinds.INTEGER, "120", "How long a signed link stays valid, in seconds."),
        Setting(
            "GATEWAY_SIGNIN_MAX_FAILURES",
            kinds.integer(1),
            "5",
            "Failed local sign-ins of one login from one client address before it gets 429 (so nobody elsewhere "
            "can lock an account by failing on purpose).",
            note="Sign-in throttling is counted from the audit log, so the limits hold across every instance;\n"
            "a try over a limit gets 429 until the window has passed.",
        ),
        Setting(
            "GATEWAY_SIGNIN_MAX_FAILURES_PER_ADDRESS",
            kinds.integer(1),
            "100",
            "Failed local sign-ins from one client address, for every login, before it gets 429: much higher, "
            "since a whole office may share one address behind NAT.",
            note="It never pauses a login that signed in successfully from that address in the last 30 days: someone\n"
            "failing on purpose behind the office's NAT cannot lock colleagues out (their accounts keep the\n"
            "per-login limit).",
        ),
        Setting(
            "GATEWAY_SIGNIN_WINDOW_MINUTES",
            kinds.integer(1),
            "15",
            "The window, in minutes, over which sign-in failures count.",
        ),
        Setting(
            "GATEWAY_SESSION_IDLE_MINUTES",
            kinds.NUMBER,
            "30",
            "A sign-in (local form or signed link) ends after this many minutes without a request.",
            note="Sessions are kept in the database (the cookie only names one): sign-out, a password change and\n"
            "`flask sessions end LOGIN` end every session of the account at once, on every instance.",
        ),
        Setting(
            "GATEWAY_SESSION_MAX_HOURS",
            kinds.NUMBER,
            "12",
            "A sign-in ends after this many hours, however busy.",
        ),
    ),
    *_section(
        "Admin console",
        Setting(
            "GATEWAY_IMPORT_BACKGROUND_LINES",
            kinds.integer(1),
            "2000",
            "A CSV of profiles with more lines than this is checked and imported in the background, its progress "
            "shown; a smaller one at once.",
        ),
        Setting(
            "GATEWAY_IMPORT_KEEP_MINUTES",
            kinds.integer(1),
            "60",
            "How long an uploaded CSV is kept on the server, so that a check can be confirmed without uploading it "
            "again.",
        ),
    ),
    *_section(
        "Secrets at rest",
        Setting(
            "GATEWAY_ENCRYPTION_KEY",
            kinds.TEXT,
            "",
            "A Fernet key that encrypts the credentials set in the admin console; without one the console refuses "
            "to store secrets (never plaintext).",
            secret=True,
            file=True,
            note="Make one with:\n"
            '  python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"\n'
            "To rotate, put the new key first and keep the old one after a comma (new,old) until every secret\n"
            "has been saved again in the console.",
        ),
    ),
    *_section(
        "Audit log",
        Setting(
            "GATEWAY_AUDIT_KEY",
            kinds.TEXT,
            "",
            "The key that seals the audit log (HMAC-SHA256 of every event, and `flask audit anchor`'s anchors): kept "
            "outside the database, so that whoever can write to it cannot rewrite the log unseen.",
            secret=True,
            file=True,
            note='Make one with: python -c "import secrets; print(secrets.token_hex(32))"\n'
            "To rotate, put the new key first and keep the old one after a comma (new,old): chains sealed with the\n"
            "old key still verify.",
        ),
    ),
    *_section(
        "Presentation and deployment",
        Setting(
            "GATEWAY_INSTANCE_NAME", kinds.TEXT, "T-book Gateway", "Sent to T-book as tool_consumer_instance_name."
        ),
        Setting(
            "GATEWAY_INSTANCE_GUID",
            kinds.TEXT,
            "",
            "Sent to T-book as tool_consumer_instance_guid, which must never change (the gateway's DNS name, say); "
            "unless set, an id made at the first launch and kept in the database, the same for every instance.",
        ),
        Setting(
            "GATEWAY_CONTACT_EMAIL",
            kinds.TEXT,
            "",
            "Sent to T-book as tool_consumer_instance_contact_email: whom T-book may write to about this gateway.",
        ),
        Setting(
            "GATEWAY_FRAME_ANCESTORS",
            kinds.ORIGINS,
            "",
            "Origins besides the gateway's own allowed to show its pages in a frame, such as "
            "https://intranet.example.org (never the admin console; see docs/deployment.md).",
        ),
        Setting(
            "GATEWAY_LANGUAGE",
            kinds.choice("fr", "en"),
            "fr",
            "The pages' language when the browser asks for neither French nor English and the user has not "
            "picked one with the switch on every page.",
        ),
        Setting(
            "GATEWAY_LOCALE",
            kinds.TEXT,
            "fr-FR",
            "launch_presentation_locale when the launch service is given no language; a click, and the CLI's "
            "launch-preview, send the language of the learner's pages (fr-FR or en-US).",
        ),
        Setting(
            "GATEWAY_BASE_URL",
            kinds.BASE_URL,
            "http://127.0.0.1:5000",
            "The gateway's public URL, for the links the CLI prints (signed-link, launch-preview); behind a proxy, "
            "its host is one that forwarded headers may name (see GATEWAY_PUBLIC_HOSTS).",
        ),
        Setting(
            "GATEWAY_PROXY_HOPS",
            kinds.INTEGER,
            "0",
            "How many reverse proxies stand in front of the gateway (X-Forwarded-For/-Proto/-Host hops to trust).",
        ),
        Setting(
            "GATEWAY_PUBLIC_HOSTS",
            kinds.HOSTS,
            "",
            "Behind a proxy, the hosts the gateway answers as (comma list of host or host:port), besides "
            "GATEWAY_BASE_URL's: X-Forwarded-Host is believed only for one of them; any other becomes the base URL's "
            "host (or the first listed).",
        ),
        Setting(
            "GATEWAY_READY_CACHE_SECONDS",
            kinds.NUMBER,
            "5",
            "Seconds /readyz reuses its last result (database and T-book token checks) before checking again.",
        ),
    ),
    *_section(
        "Provisioning",
        Setting(
            "GATEWAY_SYNC_CONCURRENCY",
            kinds.integer(1),
            "4",
            "Learners a sync (`flask sync`, the console's Sync page) writes to T-book at once; a 429 pauses them all.",
        ),
    ),
)
BY_NAME: dict[str, Setting] = {setting.name: setting for setting in SETTINGS}

# Worked out from the settings at start-up, not set: kept in app.config beside them.
DERIVED = {"PRODUCTION": "TBOOK_ENV is test or live, with FLASK_DEBUG off and not TESTING."}

# The server's, not the app's: config/gunicorn.conf.py reads them in gunicorn's master process, before any app
# exists (and before create_app reads `.env`), so they never reach app.config. Declared here so that
# config/example.env documents them beside the app's, from one table; docs/deployment.md explains each.
SERVER_SECTION = "gunicorn (config/gunicorn.conf.py; read from the environment only, not from .env)"
SERVER_SETTINGS: tuple[Setting, ...] = tuple(
    Setting(name, kinds.TEXT, default, doc, section=SERVER_SECTION)
    for name, default, doc in (
        ("GUNICORN_WORKERS", "0", "Worker processes; 0 means CPUs + 1, at most GUNICORN_MAX_WORKERS."),
        ("GUNICORN_MAX_WORKERS", "8", "The most workers the CPU count may ask for."),
        (
            "GUNICORN_WORKER_CLASS",
            "gevent",
            "gevent serves up to GUNICORN_WORKER_CONNECTIONS requests per worker at once; gthread, "
            "GUNICORN_THREADS; sync, one.",
        ),
        ("GUNICORN_WORKER_CONNECTIONS", "256", "Requests a gevent worker serves at once (clicks waiting on T-book)."),
        ("GUNICORN_THREADS", "32", "Threads per gthread worker (1 with gevent and sync)."),
        ("GUNICORN_BIND", "", "Where gunicorn listens; 0.0.0.0:$PORT unless set."),
        ("PORT", "8000", "The port of the default GUNICORN_BIND."),
        (
            "GUNICORN_TIMEOUT",
            "",
            "Seconds before a silent worker is killed and replaced; GATEWAY_CLICK_DEADLINE + 10 (at least 30) "
            "unless set, and never less.",
        ),
        ("GUNICORN_GRACEFUL_TIMEOUT", "30", "Seconds a worker has to finish its requests on restart or stop."),
        ("GUNICORN_KEEPALIVE", "5", "Seconds an idle keep-alive connection stays open."),
        ("GUNICORN_MAX_REQUESTS", "10000", "A worker is recycled after about this many requests (10 % jitter)."),
        ("GUNICORN_LOG_LEVEL", "info", "gunicorn's own log level."),
        (
            "PROMETHEUS_MULTIPROC_DIR",
            "",
            "prometheus_client's directory for the workers' metrics; a fresh one per start unless set.",
        ),
    )
)

# Flask's and its extensions' own keys: create_app's config may pass them (TESTING, WTF_CSRF_ENABLED...) and
# they go to app.config as given; they are never read from the environment.
_FLASK_KEYS = frozenset(Flask.default_config)
_EXTENSION_PREFIXES = ("SQLALCHEMY_", "WTF_", "SESSION_COOKIE_")


def is_flask_key(name: str) -> bool:
    """Return whether `name` is one of Flask's or its extensions' (Flask-SQLAlchemy, Flask-WTF) own keys."""
    return name in _FLASK_KEYS or name.startswith(_EXTENSION_PREFIXES)

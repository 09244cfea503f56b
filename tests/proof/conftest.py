"""The proof suite's record: each test adds rows (what was tried, how many cases, how many held); `make proof`
prints them as a table (bench/proof.py), and every artefact a test produced is searched for secrets.

PROOF_SCALE=full (what `make proof` sets) runs the larger numbers; the default is sized for CI.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass

import pytest
from sqlalchemy import select

from app.store import db
from app.store.models import AuditEvent, TokenCache

FULL = os.environ.get("PROOF_SCALE") == "full"


def scale(ci: int, full: int) -> int:
    """Return the number of cases for this run: `full` under `make proof`, `ci` otherwise."""
    return full if FULL else ci


@dataclass
class Row:
    area: str
    tried: str
    cases: int = 0
    held: int = 0


_ROWS: dict[tuple[str, str], Row] = {}


class Proof:
    """Adds to the table; a row holds when every case held. Tests also assert, so a failing row fails the run."""

    def count(self, area: str, tried: str, *, held: bool, cases: int = 1) -> bool:
        row = _ROWS.setdefault((area, tried), Row(area, tried))
        row.cases += cases
        row.held += cases if held else 0
        return held


@pytest.fixture(scope="session")
def proof() -> Proof:
    return Proof()


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@pytest.fixture
def artefacts():
    """Whatever a test shows or writes (pages, exports): `artefacts.append(text)`; log lines are caught too."""
    return []


@pytest.fixture(autouse=True)
def _no_secret_anywhere(request, proof, artefacts):
    """After each proof test: search its pages, exports, log lines and audit rows for every secret it knew."""
    handler = _Lines()
    loggers = [logging.getLogger(name) for name in ("tbook_gateway", "app", "werkzeug")]
    for logger in loggers:
        logger.addHandler(handler)
    yield
    for logger in loggers:
        logger.removeHandler(handler)
    if "gateway_config" not in request.fixturenames:
        return
    config = request.getfixturevalue("gateway_config")
    secrets = {config.get(name) for name in ("TBOOK_CLIENT_SECRET", "TBOOK_LTI_SECRET", "SECRET_KEY")}
    secrets |= {config.get("GATEWAY_LINK_SECRET"), config.get("GATEWAY_AUDIT_KEY")}
    texts = [*artefacts, *handler.lines]
    if "app" in request.fixturenames:
        app = request.getfixturevalue("app")
        with app.app_context():
            secrets |= {token for token in db.session.scalars(select(TokenCache.access_token)) if token}
            texts += [json.dumps(row.__dict__, default=str) for row in db.session.scalars(select(AuditEvent))]
    secrets = {secret for secret in secrets if secret and len(secret) >= 8}
    leaked = [f"{secret[:4]}…: {text[:200]}" for text in texts for secret in secrets if secret in text]
    proof.count("secrets", "pages, exports, log lines and audit rows searched", held=not leaked, cases=len(texts))
    assert not leaked, leaked


def pytest_terminal_summary(terminalreporter) -> None:
    if not _ROWS:
        return
    rows = sorted(_ROWS.values(), key=lambda row: (row.area, row.tried))
    path = os.environ.get("PROOF_REPORT")
    if path:
        with open(path, "w", encoding="utf-8") as handle:
            json.dump([asdict(row) for row in rows], handle, indent=1)
    terminalreporter.section("proof")
    for row in rows:
        mark = "held" if row.held == row.cases else "BROKEN"
        terminalreporter.write_line(f"{row.area:<12} {row.tried:<72} {row.cases:>6} {row.held:>6}  {mark}")


# The admin console's fixtures (an admin, a learner, each signed in through the real form), for the proofs.
from tests.admin.conftest import admin_account, as_admin, as_learner, learner  # noqa: E402,F401

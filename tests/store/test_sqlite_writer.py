"""SQLite's writer turn: the click path checkpoints the WAL itself, so it stays small without SQLite's own."""

import sqlite3

import pytest
from sqlalchemy.engine import make_url

from app.store.sqlite_writer import AUTO_CHECKPOINT_PAGES, CHECKPOINT_EVERY
from tests.factories import make_link, make_profile


def wal_frames(database: str) -> int:
    """Frames the WAL holds since it last started over (PRAGMA wal_checkpoint's second value)."""
    with sqlite3.connect(database) as conn:
        return conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()[1]


def test_launches_keep_the_wal_checkpointed(app, client, auth, database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("the WAL and its checkpoints are SQLite's")
    with app.app_context():
        make_link()
        make_profile()
    auth.login()
    launches = 3 * CHECKPOINT_EVERY
    for _ in range(launches):
        assert client.get("/launch/open-tbook").status_code == 200
    frames = wal_frames(make_url(database_url).database)
    # Every launch writes at least two pages (its chain head, its event): without a checkpoint the WAL would hold
    # 2 x 300 frames or more; SQLite's automatic checkpoint waits for many more pages than that.
    assert 2 * launches < AUTO_CHECKPOINT_PAGES
    assert frames < 2 * launches, frames

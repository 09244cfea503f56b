"""Sync runs against the sandbox: one at a time across instances, progress, the background run, a lapsed lease."""

from __future__ import annotations

import time

import pytest

from app.services.tbook_connection import sync_run
from app.store import sync_runs
from tests.factories import make_profile


def make_learners(count: int) -> None:
    for number in range(count):
        make_profile(login=f"learner{number}@example.com", externalID=str(7000 + number), password=None)


def test_a_run_reports_its_progress_and_stores_its_outcome(app, sandbox):
    seen = []
    with app.app_context():
        make_learners(5)
        result = sync_run.run(actor="cli", concurrency=2, progress=lambda done, total: seen.append((done, total)))
        stored = sync_runs.get(result.run_id)
    assert result.ok and result.counts["inserted"] == 5
    assert seen[-1] == (5, 5) and len(seen) == 5
    assert (stored.state, stored.done, stored.total, stored.live) == ("finished", 5, 5, False)
    assert stored.summary["inserted"] == 5 and stored.finished_at is not None


def test_two_runs_never_overlap_even_from_two_instances(app, make_gateway, sandbox):
    other = make_gateway()
    with app.app_context():
        holder = sync_run.begin(actor="admin@example.com")
    with other.app_context():
        with pytest.raises(sync_run.SyncBusy) as refused:
            sync_run.begin(actor="cli")
        assert refused.value.running.id == holder.id and refused.value.status == 409
    with app.app_context():
        sync_run.carry_out(holder.id, actor="admin@example.com", entity_id=None, concurrency=1)
    with other.app_context():
        assert sync_run.begin(actor="cli").state == "running"  # the lock was let go


def test_a_run_whose_process_died_lets_the_next_one_start(app, sandbox):
    with app.app_context():
        # A run that took the lock and never renewed it: its lease has lapsed.
        dead = sync_runs.start("d" * 32, actor="cli", entity_id=None, lease_seconds=0)
        assert dead.live is False
        started = sync_run.begin(actor="cli")
        assert started.live
        assert sync_runs.get(dead.id).state == "interrupted"


def test_a_background_run_finishes_on_its_own(app, sandbox):
    with app.app_context():
        make_learners(3)
        started = sync_run.start_in_background(actor="admin@example.com", concurrency=2)
        deadline = time.monotonic() + 30
        while (run := sync_runs.get(started.id)).state == "running" and time.monotonic() < deadline:
            time.sleep(0.05)
    assert run.state == "finished" and run.summary["inserted"] == 3 and run.actor == "admin@example.com"


def test_a_failed_learner_is_stored_with_its_reason(app, sandbox):
    with app.app_context():
        make_profile(login="far@example.com", entityID="99", password=None)
        result = sync_run.run(actor="cli")
        stored = sync_runs.get(result.run_id)
    assert not result.ok and stored.state == "finished"
    (failure,) = stored.failures
    assert failure["login"] == "far@example.com" and "entity 99" in failure["reason"]

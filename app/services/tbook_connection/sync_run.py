"""Running a sync: one run at a time, T-book read once, then written by a few workers, every write audited.

The run holds the database's sync lock (app/store/sync_runs.py) from start to end, so that two runs never
overlap, whichever instance starts them. Its workers only talk to T-book; this module's thread records what
they did (audit events with the run's id as correlation id, progress, the outcome), so a run needs one database
connection whatever its concurrency. A run that is stopped or dies half-way is finished by running it again:
the plan is worked out afresh from what T-book then holds.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app

from app import metrics
from app.errors import Conflict
from app.services.audit import trail as audit
from app.services.tbook_connection import clients, sync_pacing
from app.services.tbook_connection.sync_plan import (
    BLOCKED,
    INSERT,
    UNCHANGED,
    UPDATE,
    LearnerPlan,
    LocalLearner,
    SyncPlan,
    plan_learner,
)
from app.services.tbook_connection.sync_read import read_plan
from app.store import sync_runs as store
from app.tbook import (
    ServerError,
    TBookClient,
    TBookConnectionError,
    TBookError,
    TBookNotFound,
    TooManyRequests,
    Unauthorized,
)

log = logging.getLogger(__name__)
LEASE_SECONDS = 60.0  # a run whose process died lets the lock go after this long
PROGRESS_EVERY = 1.0  # seconds between two progress writes (and lease renewals)
RATE_LIMITED_TRIES = 8  # tries of one call that T-book keeps answering 429, each after the run's pause
DOWN_AFTER = 5  # timeouts, dropped connections or 5xx in a row after which T-book counts as down
AUDIT_ACTIONS = {
    "insertLearner": "sync_insert",
    "updateLearner": "sync_update",
    "removeLearnerSession": "sync_remove_session",
}
COUNTS = ("inserted", "updated", "sessions_removed", "unchanged", "only_in_tbook", "failed", "not_attempted")


class SyncBusy(Conflict):
    """Another sync holds the lock; `running` is that run when this instance can see it."""

    title = "A sync is already running"

    def __init__(self, running: store.RunView | None) -> None:
        since = f" (run {running.id[:8]}, started by {running.actor})" if running else ""
        super().__init__(
            f"Another sync is running{since}: two runs never overlap.",
            hint="Wait for it to finish, then run the sync again.",
        )
        self.running = running


@dataclass(frozen=True)
class Write:
    """One write call to T-book and how it ended: ok, error, exists (insert refused, learner found), gone."""

    call: str
    outcome: str
    status: int | None = None
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass
class Outcome:
    """What the run did for one learner: inserted, updated, unchanged, failed or skipped (the run stopped)."""

    plan: LearnerPlan
    result: str = "skipped"
    writes: list[Write] = field(default_factory=list)
    sessions_removed: int = 0
    error: str | None = None
    fatal: str | None = None  # why the whole run must stop


@dataclass
class RunResult:
    """A run's outcome: the counts of COUNTS, each failure with its reason, the notes, and why it stopped."""

    run_id: str
    counts: dict[str, int]
    failures: list[dict[str, str]] = field(default_factory=list)
    notes: list[dict[str, Any]] = field(default_factory=list)
    stopped: str | None = None
    plan: SyncPlan | None = None

    @property
    def ok(self) -> bool:
        return not self.failures and not self.stopped

    def to_json(self) -> dict:
        return {
            "run": self.run_id,
            "ok": self.ok,
            "counts": self.counts,
            "failures": self.failures,
            "notes": self.notes,
            "stopped": self.stopped,
        }


def latest(limit: int = 10) -> list[store.RunView]:
    """Return the latest runs, newest first (`live` marks the one running now)."""
    return store.recent(limit)


def begin(*, actor: str, entity_id: str | None = None) -> store.RunView:
    """Take the sync lock and store a new run; raise SyncBusy while another run holds the lock."""
    run = store.start(uuid.uuid4().hex, actor=actor, entity_id=entity_id, lease_seconds=LEASE_SECONDS)
    if run is None:
        raise SyncBusy(next((r for r in store.recent(5) if r.live), None))
    return run


def run(
    *,
    actor: str,
    entity_id: str | None = None,
    concurrency: int = 4,
    progress: Callable[[int, int], None] | None = None,
) -> RunResult:
    """Run a sync now, in this thread and `concurrency` workers; raise SyncBusy when one is already running.

    `progress(done, total)` is called as learners are written. T-book refusing the credentials or being down
    stops the run: the result then says why in `stopped`.
    """
    started = begin(actor=actor, entity_id=entity_id)
    return carry_out(started.id, actor=actor, entity_id=entity_id, concurrency=concurrency, progress=progress)


def start_in_background(*, actor: str, entity_id: str | None = None, concurrency: int = 4) -> store.RunView:
    """Start a run in a thread of this process and return it at once; raise SyncBusy when one is running.

    Its progress and outcome are in the database, for any instance's page to show.
    """
    started = begin(actor=actor, entity_id=entity_id)
    app = current_app._get_current_object()
    thread = threading.Thread(
        target=_in_background, args=(app, started.id, actor, entity_id, concurrency), name=f"sync-{started.id[:8]}"
    )
    thread.daemon = True
    thread.start()
    return started


def _in_background(app: Flask, run_id: str, actor: str, entity_id: str | None, concurrency: int) -> None:
    # Leaving the app context gives the thread's database session back (Flask-SQLAlchemy's teardown).
    with app.app_context():
        try:
            carry_out(run_id, actor=actor, entity_id=entity_id, concurrency=concurrency)
        except Exception:
            log.exception("sync run %s failed", run_id)


def carry_out(
    run_id: str,
    *,
    actor: str,
    entity_id: str | None,
    concurrency: int,
    progress: Callable[[int, int], None] | None = None,
) -> RunResult:
    """Carry out the run `run_id`, whose lock `begin` took: read, plan, write, then store the outcome."""
    return _Run(run_id, actor, entity_id, max(1, concurrency), progress).execute()


class _Run:
    """One run: its T-book client on the run's pacing transport, the workers, and what they report."""

    def __init__(
        self,
        run_id: str,
        actor: str,
        entity_id: str | None,
        concurrency: int,
        progress: Callable[[int, int], None] | None,
    ) -> None:
        self.run_id, self.actor, self.entity_id, self.concurrency = run_id, actor, entity_id, concurrency
        self.progress = progress
        self.pause = sync_pacing.SharedPause()
        self.token_events: queue.SimpleQueue = queue.SimpleQueue()
        self.counts = dict.fromkeys(COUNTS, 0)
        self.failures: list[dict[str, str]] = []
        self.done = self.total = 0
        self.stopped: str | None = None
        self.saved_at = 0.0

    def execute(self) -> RunResult:
        state, plan, client = "interrupted", None, None
        try:
            client = clients.dedicated(
                transport=sync_pacing.transport(self.pause, self.concurrency + 1), on_event=self._on_event
            )
            try:
                plan = read_plan(client, self.entity_id)
            except TBookError as err:
                self.stopped = _why_stopped(err)
            else:
                self._write_all(client, plan)
            state = "stopped" if self.stopped else "finished"
        finally:
            if client is not None:
                client.close()
            self._finish(state, plan)
        return RunResult(self.run_id, self.counts, self.failures, _notes(plan), self.stopped, plan)

    def _write_all(self, client: TBookClient, plan: SyncPlan) -> None:
        self.counts["unchanged"] = len(plan.of(UNCHANGED))
        self.counts["only_in_tbook"] = len(plan.only_in_tbook)
        for blocked in plan.of(BLOCKED):
            self._fail(blocked.login, blocked.problem or "cannot be synced")
        work = [p for p in plan.learners if p.action in (INSERT, UPDATE)]
        self.total = len(work)
        self._save_progress(force=True)
        results: queue.SimpleQueue[Outcome] = queue.SimpleQueue()
        writer = _Writer(client, self.pause)
        with ThreadPoolExecutor(self.concurrency, thread_name_prefix=f"sync-{self.run_id[:8]}") as pool:
            try:
                for learner in work:
                    pool.submit(lambda p=learner: results.put(writer.carry_out(p)))
                while self.done < self.total:
                    try:
                        outcome = results.get(timeout=PROGRESS_EVERY)
                    except queue.Empty:
                        self._save_progress()  # renews the lease while T-book (or its pause) keeps everyone waiting
                    else:
                        if outcome.fatal and not self.stopped:
                            self.stopped = outcome.fatal
                        self._record(outcome)
                    if self.stopped:
                        writer.stop.set()  # the learners not started yet come back skipped
            finally:
                writer.stop.set()

    def _record(self, outcome: Outcome) -> None:
        self.done += 1
        self._audit_token_refreshes()
        for write in outcome.writes:
            login = outcome.plan.login
            detail = {"run": self.run_id, "by": self.actor, "entityID": outcome.plan.entity_id, **write.detail}
            audit.record(
                AUDIT_ACTIONS[write.call],
                write.outcome,
                actor=login,
                tbook_status=write.status,
                correlation_id=self.run_id,
                detail=detail,
            )
        self.counts["sessions_removed"] += outcome.sessions_removed
        if outcome.result == "skipped":
            self.counts["not_attempted"] += 1
        elif outcome.result == "failed":
            self._fail(outcome.plan.login, outcome.error or "failed")
        else:
            self.counts[outcome.result] += 1
        if self.progress:
            self.progress(self.done, self.total)
        self._save_progress()

    def _fail(self, login: str, reason: str) -> None:
        self.counts["failed"] += 1
        self.failures.append({"login": login, "reason": reason})

    def _save_progress(self, *, force: bool = False) -> None:
        if not force and time.monotonic() - self.saved_at < PROGRESS_EVERY:
            return
        self.saved_at = time.monotonic()
        kept = store.progress(
            self.run_id, done=self.done, total=self.total, summary=self.counts, lease_seconds=LEASE_SECONDS
        )
        if not kept and not self.stopped:
            self.stopped = (
                "The run lost its lock (it was out of touch for too long) and stopped, so as not to overlap another."
            )

    def _finish(self, state: str, plan: SyncPlan | None) -> None:
        self._audit_token_refreshes()
        message = self.stopped if state == "stopped" else None
        if state == "interrupted":
            message = "The run was interrupted before it finished; run the sync again to complete it."
        store.finish(
            self.run_id,
            state=state,
            done=self.done,
            total=self.total,
            summary={**self.counts, "notes": len(_notes(plan))},
            failures=self.failures,
            message=message,
        )
        outcome = "ok" if state == "finished" and not self.failures else ("partial" if state == "finished" else state)
        audit.record(
            "sync",
            outcome,
            actor=self.actor,
            correlation_id=self.run_id,
            detail={"entityID": self.entity_id, **self.counts},
        )

    def _on_event(self, name: str, **fields: object) -> None:
        # Called in any of the run's threads: the database is this run's thread's, so refreshes are audited there.
        metrics.on_tbook_event(name, **fields)
        if name == "token_refresh":
            self.token_events.put(fields)

    def _audit_token_refreshes(self) -> None:
        while True:
            try:
                fields = self.token_events.get_nowait()
            except queue.Empty:
                return
            detail = {"reason": fields.get("reason"), "expires_in": fields.get("expires_in")}
            audit.record("token_refresh", "ok", correlation_id=self.run_id, detail=detail)


class _Writer:
    """Carries out learners' plans on T-book, in the run's worker threads (T-book only: no database here)."""

    def __init__(self, client: TBookClient, pause: sync_pacing.SharedPause) -> None:
        self.client = client
        self.pause = pause
        self.stop = threading.Event()
        self._lock = threading.Lock()
        self._troubles = 0  # timeouts, dropped connections and 5xx in a row, across workers

    def carry_out(self, plan: LearnerPlan) -> Outcome:
        outcome = Outcome(plan)
        if self.stop.is_set():
            return outcome
        try:
            if plan.action == INSERT:
                self._insert(plan, outcome)
            else:
                self._update(plan, outcome)
            self._troubles_over()
        except _Refused as refused:
            outcome.result, outcome.error = "failed", refused.reason
        except TBookError as err:
            outcome.result, outcome.error = "failed", err.message
            outcome.fatal = self._fatal(err)
        except Exception as err:  # a bug must not leave the run waiting for this learner forever
            log.exception("sync: learner %s", plan.login)
            outcome.result, outcome.error = "failed", f"unexpected error ({type(err).__name__}); see the gateway's log"
        return outcome

    def _insert(self, plan: LearnerPlan, outcome: Outcome) -> None:
        detail = {"fields": sorted(plan.insert)}
        try:
            self._patiently(lambda: self.client.insert_learner(plan.insert))
        except TBookError as err:
            refused = err
        else:
            outcome.writes.append(Write("insertLearner", "ok", detail=detail))
            outcome.result = "inserted"
            return
        refusal = Write("insertLearner", "error", refused.status, {**detail, "error": refused.message})
        if self._fatal_at_once(refused):
            outcome.writes.append(refusal)
            raise refused
        # tbook-api.md gives no status the meaning "this login exists", and an answer lost on the way may hide a
        # learner made all the same (or a click may have made it): whatever the failure, look the learner up.
        try:
            found = self._patiently(lambda: self.client.find_learner("email", plan.login))
        except TBookNotFound:
            outcome.writes.append(refusal)
            raise refused from None
        except TBookError:
            outcome.writes.append(refusal)
            raise
        failed = f"{refused.status or 'no answer'} {refused.code}"
        found_detail = {**detail, "insert_failed": failed, "learnerID": found.learner_id}
        outcome.writes.append(Write("insertLearner", "exists", refused.status, found_detail))
        then = plan_learner(LocalLearner(plan.login, plan.insert), found)
        if then.action == BLOCKED:
            raise _Refused(then.problem or "cannot be synced")
        if then.action == UPDATE:
            self._update(then, outcome)
        if isinstance(refused, TBookConnectionError):
            outcome.result = "inserted"  # the answer was lost, not the insert
        else:
            outcome.result = "updated" if then.action == UPDATE else "unchanged"

    def _update(self, plan: LearnerPlan, outcome: Outcome) -> None:
        if plan.update:
            fields = {"fields": sorted(plan.update)}
            self._write(
                outcome,
                "updateLearner",
                fields,
                lambda: self.client.update_learner("email", plan.identifier, plan.update),
            )
        for session in plan.remove_sessions:
            where = {"filter": session.filter, "location": session.location}
            try:
                self._write(
                    outcome,
                    "removeLearnerSession",
                    where,
                    lambda s=session: self.client.remove_learner_session(
                        "email", plan.identifier, s.filter, s.location
                    ),
                    gone_ok=True,
                )
            except _AlreadyGone:
                continue
            outcome.sessions_removed += 1
        if plan.restore:
            fields = {"fields": sorted(plan.restore), "restore": True}
            self._write(
                outcome,
                "updateLearner",
                fields,
                lambda: self.client.update_learner("email", plan.identifier, plan.restore),
            )
        outcome.result = "updated"

    def _write(
        self, outcome: Outcome, call: str, detail: dict, send: Callable[[], object], *, gone_ok: bool = False
    ) -> None:
        try:
            self._patiently(send)
        except TBookNotFound as err:
            if not gone_ok:
                outcome.writes.append(Write(call, "error", err.status, {**detail, "error": err.message}))
                raise
            # Not in that session any more: an earlier run, interrupted, took the learner out of it.
            outcome.writes.append(Write(call, "gone", err.status, detail))
            raise _AlreadyGone() from None
        except TBookError as err:
            outcome.writes.append(Write(call, "error", err.status, {**detail, "error": err.message}))
            raise
        outcome.writes.append(Write(call, "ok", detail=detail))

    def _patiently(self, send: Callable[[], Any]) -> Any:
        """Return send()'s answer; a 429 is tried again once the run's pause (set by the transport) is over."""
        for attempt in range(1, RATE_LIMITED_TRIES + 1):
            try:
                return send()
            except TooManyRequests:
                if attempt == RATE_LIMITED_TRIES:
                    raise
                self.pause.wait()
        raise AssertionError("unreachable")

    @staticmethod
    def _fatal_at_once(err: TBookError) -> bool:
        """Credentials refused, or no connection at all (after the client's retries): nothing else can succeed."""
        return isinstance(err, Unauthorized) or (isinstance(err, TBookConnectionError) and not err.maybe_sent)

    def _fatal(self, err: TBookError) -> str | None:
        """Return why the run must stop after `err`, or None when only this learner failed."""
        if self._fatal_at_once(err):
            return _why_stopped(err)
        if isinstance(err, TBookConnectionError | ServerError):
            with self._lock:
                self._troubles += 1
                if self._troubles >= DOWN_AFTER:
                    return _why_stopped(err, f" ({DOWN_AFTER} failures in a row)")
        return None

    def _troubles_over(self) -> None:
        with self._lock:
            self._troubles = 0


class _Refused(Exception):
    """The learner cannot be synced (found in T-book under another entity after its insert failed)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _AlreadyGone(Exception):
    """removeLearnerSession: the learner is not in that session (any more)."""


def _why_stopped(err: TBookError, more: str = "") -> str:
    if isinstance(err, Unauthorized):
        return f"T-book refused the gateway's credentials, so the sync stopped: {err.message}{more}"
    return f"T-book is not answering as it should, so the sync stopped: {err.message}{more}"


def _notes(plan: SyncPlan | None) -> list[dict[str, Any]]:
    if plan is None:
        return []
    return [{"login": p.login, "notes": list(p.notes)} for p in plan.learners if p.notes]

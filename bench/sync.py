"""`make bench-sync`: a sync of 10,000 learner profiles into the local T-book sandbox, then a second one.

It starts the sandbox (one gunicorn worker), migrates a fresh SQLite database (or the PostgreSQL database given),
stores the profiles, and runs the sync service that `flask sync` runs, in this process, twice: the first run
inserts every learner, the second finds them unchanged. It prints, for each run, the wall time, the T-book
requests the sandbox received and the CPU each side spent per learner, and first
`sync 10000: X learners/s, Y requests/learner`.
"""

from __future__ import annotations

import argparse
import logging
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import insert, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from app.services.tbook_connection import sync_run  # noqa: E402
from app.store import db  # noqa: E402
from app.store.models import Profile  # noqa: E402

TARGET = 200.0  # learners per second on the first sync
ENTITIES = ("24", "25")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_sandbox(port: int, threads: int) -> subprocess.Popen:
    # One gunicorn worker (the sandbox keeps its data in memory, per process) with threads and kept-alive
    # connections: `python -m sandbox`'s development server opens a connection and a thread per request.
    command = [sys.executable, "-m", "gunicorn", "--workers", "1", "--worker-class", "gthread"]
    command += ["--threads", str(threads), "--keep-alive", "30", "--bind", f"127.0.0.1:{port}", "sandbox:create_app()"]
    sandbox = subprocess.Popen(
        command,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/_sandbox/faults", timeout=1).raise_for_status()
            return sandbox
        except httpx.HTTPError:
            time.sleep(0.1)
    sandbox.kill()
    raise SystemExit("the sandbox did not start")


def profiles(count: int) -> list[dict]:
    return [
        {
            "login": f"bench{number:05}@example.com",
            "lti_user_id": secrets.token_hex(16),
            "user_type": "learner",
            "entity_id": ENTITIES[number % len(ENTITIES)],
            "external_id": str(100000 + number),
            "civility": "mme" if number % 2 else "m",
            "lastname": f"Learner {number}",
            "firstname": "Bench",
            "job_title": "Analyst",
            "contact_email": [f"bench{number:05}@example.com"],
            "filter": ["Onboarding", f"Cohort {number % 20}"],
            "location": ["Paris" if number % 3 else "Lyon"],
            "country": ["France"],
            "test_user": 1,
            "assignation": 0,
        }
        for number in range(count)
    ]


def cpu_seconds(pid: int) -> float:
    """Return the CPU seconds (user + system) process `pid` and its children have used so far (Linux /proc)."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    own = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return own + sum(cpu_seconds(int(child)) for child in children)


def sandbox_requests(base: str) -> dict[str, int]:
    return httpx.get(f"{base}/_sandbox/requests", timeout=30).json()["counts"]


@dataclass
class Measure:
    """One sync: its wall time, its outcome, the requests the sandbox saw, and the CPU each side used."""

    elapsed: float
    result: sync_run.RunResult
    requests: dict[str, int]
    gateway_cpu: float
    sandbox_cpu: float


def measure(app, base: str, sandbox_pid: int, concurrency: int) -> Measure:
    before = sandbox_requests(base)
    cpu = (time.process_time(), cpu_seconds(sandbox_pid))
    with app.app_context():
        started = time.perf_counter()
        result = sync_run.run(actor="bench", concurrency=concurrency)
        elapsed = time.perf_counter() - started
    gateway_cpu, sandbox_cpu = time.process_time() - cpu[0], cpu_seconds(sandbox_pid) - cpu[1]
    after = sandbox_requests(base)
    requests = {path: after[path] - before.get(path, 0) for path in after if after[path] != before.get(path, 0)}
    return Measure(elapsed, result, requests, gateway_cpu, sandbox_cpu)


def report(name: str, run: Measure, learners: int) -> None:
    counts = {name: count for name, count in run.result.counts.items() if count}
    print(f"  {name}: {run.elapsed:.2f} s, {counts}")
    print(f"    requests: {run.requests}")
    print(
        f"    CPU per learner: gateway {1000 * run.gateway_cpu / learners:.2f} ms, "
        f"sandbox {1000 * run.sandbox_cpu / learners:.2f} ms"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--learners", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--database-url", help="a scratch database to use instead of a fresh SQLite file")
    args = parser.parse_args(argv)

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    sandbox = start_sandbox(port, args.concurrency + 2)
    try:
        with tempfile.TemporaryDirectory(prefix="bench-sync-") as scratch:
            app = create_app(
                {
                    "SECRET_KEY": secrets.token_hex(16),
                    "DATABASE_URL": args.database_url or f"sqlite:///{Path(scratch) / 'gateway.db'}",
                    "TBOOK_ENV": "sandbox",
                    "TBOOK_API_URL": f"{base}/api",
                    "TBOOK_CLIENT_ID": "sandbox-client",
                    "TBOOK_CLIENT_SECRET": "sandbox-secret",
                }
            )
            # Every write is an audit event, also logged as a JSON line: written, but not to this terminal.
            for handler in logging.getLogger("tbook_gateway").handlers:
                handler.setStream(open(os.devnull, "w"))  # noqa: SIM115 (closed with the process)
            with app.app_context():
                from flask_migrate import upgrade

                if args.database_url:
                    db.session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
                    db.session.commit()
                upgrade()
                db.session.execute(insert(Profile), profiles(args.learners))
                db.session.commit()

            first = measure(app, base, sandbox.pid, args.concurrency)
            rate = args.learners / first.elapsed
            total = sum(first.requests.values())
            print(f"sync {args.learners}: {rate:.0f} learners/s, {total / args.learners:.2f} requests/learner")
            report("first sync", first, args.learners)
            second = measure(app, base, sandbox.pid, args.concurrency)
            report("second sync", second, args.learners)
            reads_only = set(second.requests) <= {f"/api/getAllLearners/{e}" for e in ENTITIES}
            ok = first.result.ok and second.result.ok and second.result.counts["unchanged"] == args.learners
            ok = ok and reads_only
            print(f"  target: {TARGET:.0f} learners/s on the first sync, reads only on the second: ", end="")
            print("met" if ok and rate >= TARGET else "NOT met")
            return 0 if ok else 1
    finally:
        sandbox.terminate()
        sandbox.wait(timeout=10)


if __name__ == "__main__":
    raise SystemExit(main())

"""The Dockerfile's references hold: what it copies exists, its entry point and health check match the app.

No Docker engine runs here, so this checks the file against the tree rather than pretending to build it.
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")


def instructions() -> list[tuple[str, str]]:
    joined = re.sub(r"\\\n\s*", " ", DOCKERFILE)
    lines = [line.strip() for line in joined.splitlines() if line.strip() and not line.strip().startswith("#")]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines]


def test_every_copied_path_exists_and_is_not_docker_ignored():
    ignored = {line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines() if line and line[0] != "#"}
    copies = [args.split() for op, args in instructions() if op == "COPY" and not args.startswith("--from")]
    assert copies
    for *sources, _dest in copies:
        for source in sources:
            assert (ROOT / source).exists(), f"COPY {source}: no such path"
            assert source.split("/")[0] not in ignored, f"COPY {source}, but .dockerignore leaves it out"


def test_multi_stage_slim_and_not_root():
    froms = [args for op, args in instructions() if op == "FROM"]
    assert len(froms) == 2 and all(f.startswith("python:3.11-slim") for f in froms)
    users = [args for op, args in instructions() if op == "USER"]
    assert users and users[-1] not in ("root", "0")


def test_entrypoint_and_command_point_at_real_files():
    entrypoint = ROOT / "docker" / "entrypoint.sh"
    assert os.access(entrypoint, os.X_OK)
    assert entrypoint.read_text().startswith("#!/bin/sh")
    cmd = next(args for op, args in instructions() if op == "CMD")
    assert "config/gunicorn.conf.py" in cmd and (ROOT / "config" / "gunicorn.conf.py").exists()
    assert "wsgi:app" in cmd and (ROOT / "wsgi.py").exists()


def test_health_check_asks_the_liveness_route(app):
    check = next(args for op, args in instructions() if op == "HEALTHCHECK")
    assert "/healthz" in check
    assert "curl" not in check  # the slim image has no curl
    assert "/healthz" in {rule.rule for rule in app.url_map.iter_rules()}


def test_build_context_keeps_secrets_and_local_data_out():
    ignored = (ROOT / ".dockerignore").read_text().split()
    for name in (".env", ".git", "instance", ".venv"):
        assert name in ignored


def run_entrypoint(tmp_path, **env):
    environ = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'gateway.db'}",
        **env,
    }
    return subprocess.run(
        ["sh", "docker/entrypoint.sh", sys.executable, "-c", "print('command ran')"],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_entrypoint_migrates_only_when_asked(tmp_path):
    plain = run_entrypoint(tmp_path)
    assert plain.returncode == 0 and plain.stdout.strip() == "command ran"
    assert not (tmp_path / "gateway.db").exists()

    migrated = run_entrypoint(tmp_path, MIGRATE="1")
    assert migrated.returncode == 0, migrated.stderr
    assert "command ran" in migrated.stdout
    tables = sqlite3.connect(tmp_path / "gateway.db").execute("SELECT name FROM sqlite_master").fetchall()
    assert ("alembic_version",) in tables and ("audit_event",) in tables

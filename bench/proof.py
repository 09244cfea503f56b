"""`make proof`: run the proof suite (tests/proof) at full scale and print its table: what was tried, how many
cases, how many held.

The whole suite runs on SQLite; the load proof runs again on PostgreSQL, in a scratch database `proof_gateway`
on the server of --postgres-url (skipped with --no-postgres). Exit status 1 when a row does not hold or a test
fails. The table is what README's "Reliability and security" section shows.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _pytest(paths: list[str], report: Path, **env: str) -> int:
    environ = {**os.environ, "PROOF_SCALE": "full", "PROOF_REPORT": str(report), **env}
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *paths]
    return subprocess.run(command, cwd=ROOT, env=environ, check=False).returncode


def _scratch_database(postgres_url: str) -> str:
    """Return the URL of an emptied `proof_gateway` database on the server of `postgres_url`."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    url = make_url(postgres_url.replace("postgresql://", "postgresql+psycopg://", 1))
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text("DROP DATABASE IF EXISTS proof_gateway WITH (FORCE)"))
        connection.execute(text("CREATE DATABASE proof_gateway"))
    admin.dispose()
    return url.set(database="proof_gateway").render_as_string(hide_password=False).replace("+psycopg", "")


def table(rows: list[dict]) -> str:
    """Return the rows as a Markdown table (the README's)."""
    lines = ["| Area | What was tried | Cases | Held |", "|---|---|---:|---:|"]
    for row in sorted(rows, key=lambda r: (r["area"], r["tried"])):
        mark = "" if row["held"] == row["cases"] else " ✗"
        lines.append(f"| {row['area']} | {row['tried']} | {row['cases']:,} | {row['held']:,}{mark} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--postgres-url", default=os.environ.get("POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    )
    parser.add_argument("--no-postgres", action="store_true", help="the load proof on SQLite only")
    args = parser.parse_args()
    rows: list[dict] = []
    failed = False
    with tempfile.TemporaryDirectory(prefix="proof-") as workdir:
        report = Path(workdir) / "sqlite.json"
        failed |= _pytest(["tests/proof"], report) != 0
        rows += json.loads(report.read_text()) if report.exists() else []
        if not args.no_postgres:
            report = Path(workdir) / "postgres.json"
            database = _scratch_database(args.postgres_url)
            failed |= _pytest(["tests/proof/test_load.py"], report, TEST_DATABASE_URL=database) != 0
            rows += [row for row in json.loads(report.read_text()) if row["area"] == "load"] if report.exists() else []
    print()
    print(table(rows))
    broken = [row for row in rows if row["held"] != row["cases"]]
    print(f"\n{len(rows)} rows, {sum(r['cases'] for r in rows):,} cases; {len(broken)} row(s) not holding")
    return 1 if failed or broken or not rows else 0


if __name__ == "__main__":
    sys.exit(main())

"""`flask sync`: bring T-book's learners in step with the local learner profiles; `--dry-run` shows the plan."""

from __future__ import annotations

import json
import sys
from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext

from app.cli.errors import Command
from app.services.tbook_connection import sync_read, sync_run
from app.services.tbook_connection.sync_plan import BLOCKED, INSERT, UNCHANGED, LearnerPlan, SyncPlan

_MARKS = {INSERT: "+", "update": "~", UNCHANGED: "=", BLOCKED: "!"}


@click.command("sync", cls=Command)
@click.option("--entity", "entity_id", metavar="ID", help="Only the profiles of this entity, and its T-book learners.")
@click.option("--dry-run", is_flag=True, help="Show the plan, per learner and per field; change nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the plan (or the run's outcome) as JSON, alone on stdout.")
@click.option("--concurrency", type=click.IntRange(1, 32), help="Learners written at once [GATEWAY_SYNC_CONCURRENCY].")
@with_appcontext
def command(entity_id: str | None, dry_run: bool, as_json: bool, concurrency: int | None) -> None:
    """Sync learners: insert the profiles T-book lacks, update the fields that differ, take learners out of the
    sessions they left (T-book only adds filters and locations on update). Learners only in T-book are listed,
    never deleted. Two runs never overlap; a run stopped half-way is completed by running it again."""
    if dry_run:
        plan = sync_read.dry_run(entity_id)
        click.echo(json.dumps(plan.to_json(), ensure_ascii=False, indent=2) if as_json else render_plan(plan))
        return
    bar: Any = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = click.progressbar(length=total, label="Syncing learners with T-book", file=sys.stderr)
            bar.__enter__()
        bar.update(done - bar.pos)

    workers = concurrency or current_app.config["GATEWAY_SYNC_CONCURRENCY"]
    try:
        result = sync_run.run(actor="cli", entity_id=entity_id, concurrency=workers, progress=progress)
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    if as_json:
        click.echo(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
    else:
        for failure in result.failures:
            click.echo(f"failed {failure['login']}: {failure['reason']}", err=True)
        for noted in result.notes:
            for note in noted["notes"]:
                click.echo(f"note {noted['login']}: {note}", err=True)
        click.echo(f"Sync {result.run_id[:8]}: {summary(result.counts)}")
    if result.stopped:
        click.echo(f"Error: {result.stopped}", err=True)
    if not result.ok:
        raise SystemExit(1)


def summary(counts: dict[str, int]) -> str:
    """Return a run's counts in words."""
    text = (
        f"{counts['inserted']} inserted, {counts['updated']} updated, {counts['sessions_removed']} sessions removed, "
        f"{counts['unchanged']} unchanged, {counts['only_in_tbook']} only in T-book, {counts['failed']} failed"
    )
    return text + (f", {counts['not_attempted']} not attempted" if counts.get("not_attempted") else "")


def render_plan(plan: SyncPlan) -> str:
    """Return the plan as a readable diff: one block per learner to change, one line per field."""
    counts = plan.counts
    entities = ", ".join(plan.entities) or "none"
    lines = [
        f"Plan (T-book entities {entities}): {counts['insert']} to insert, {counts['update']} to update "
        f"({counts['sessions']} sessions to leave), {counts['unchanged']} unchanged, {counts['only_in_tbook']} only "
        f"in T-book, {counts['blocked']} cannot be synced; {counts['writes']} writes. Dry run: nothing was changed."
    ]
    if plan.teachers:
        lines.append(
            f"{plan.teachers} teacher profile(s) not synced: T-book creates its teachers "
            "(insertLearner is for learners)."
        )
    for learner in plan.learners:
        if learner.action != UNCHANGED or learner.notes:
            lines += ["", *_learner_lines(learner)]
    for only in plan.only_in_tbook:
        lines += [
            "",
            f"? {only.login}  only in T-book (learner {only.learner_id}, entity {only.entity_id}): left alone",
        ]
    return "\n".join(lines)


def _learner_lines(plan: LearnerPlan) -> list[str]:
    head = f"{_MARKS[plan.action]} {plan.login}  "
    if plan.action == BLOCKED:
        return [head + f"cannot be synced: {plan.problem}"]
    if plan.action == INSERT:
        return [head + f"insert into entity {plan.entity_id}"] + [
            f"    {name:<13}{_value(value)}" for name, value in plan.insert.items() if name not in ("login", "entityID")
        ]
    lines = [head + f"{plan.action} (learner {plan.learner_id}, entity {plan.entity_id})"]
    for change in plan.changes:
        if isinstance(change.before, tuple) and change.field != "contactEmail":
            moves = [f"+ {v!r}" for v in change.after if v not in change.before]
            moves += [f"- {v!r}" for v in change.before if v not in change.after]
            lines.append(f"    {change.field:<13}{'  '.join(moves)}")
        else:
            lines.append(f"    {change.field:<13}{_value(change.before)} -> {_value(change.after)}")
    lines += [f"    {'leave':<13}{s.filter!r} / {s.location!r}" for s in plan.remove_sessions]
    lines += [f"    note         {note}" for note in plan.notes]
    return lines


def _value(value: object) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(repr(v) for v in value) if value else "(empty)"
    return repr(value) if value != "" else "(empty)"

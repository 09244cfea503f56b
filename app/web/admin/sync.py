"""Admin view of the sync with T-book: the plan on demand, the latest runs, and a button that starts one."""

from __future__ import annotations

from flask import current_app, flash, g, redirect, render_template, request, url_for

from app.services.tbook_connection import sync_read, sync_run
from app.tbook import TBookError
from app.web.admin import bp
from app.web.admin.forms import ActionForm

PLAN_ROWS = 200  # the page shows the first learners of a plan; `flask sync --dry-run` lists them all
REFRESH_SECONDS = 2


@bp.get("/sync")
def sync_page():
    plan = plan_error = None
    if request.args.get("plan"):
        try:
            plan = sync_read.dry_run()
        except TBookError as err:
            plan_error = err.message  # worded by the client, secrets masked
    runs = sync_run.latest()
    running = next((run for run in runs if run.live), None)
    page = render_template(
        "admin/sync.html",
        plan=plan,
        plan_error=plan_error,
        runs=runs,
        running=running,
        rows=PLAN_ROWS,
        form=ActionForm(),
    )
    headers = {"Refresh": str(REFRESH_SECONDS)} if running and not plan else {}
    return page, 200, headers


# CSRFProtect refuses the POST without its token before the view runs.
@bp.post("/sync/runs")
def sync_start():
    concurrency = current_app.config["GATEWAY_SYNC_CONCURRENCY"]
    try:
        started = sync_run.start_in_background(actor=g.admin, concurrency=concurrency)
    except sync_run.SyncBusy as err:
        flash(err.message, "warn")
    else:
        flash(f"Sync {started.id[:8]} started: this page follows it.", "ok")
    return redirect(url_for("admin.sync_page"), code=303)

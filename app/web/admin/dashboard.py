"""The admin dashboard: launch attempts over 30 days (server-rendered SVG) by outcome, their shares, latest errors."""

from flask import render_template

from app.services.audit import dashboard
from app.web.admin import bp


@bp.get("/")
def dashboard_page():
    board = dashboard.build()
    return render_template("admin/dashboard.html", board=board, outcomes=dashboard.OUTCOMES, labels=dashboard.LABELS)

"""The admin dashboard: launches over 30 days (server-rendered SVG), LTI share, latest errors."""

from flask import render_template

from app.services.audit import dashboard
from app.web.admin import bp


@bp.get("/")
def dashboard_page():
    return render_template("admin/dashboard.html", board=dashboard.build(), outcomes=dashboard.OUTCOMES)

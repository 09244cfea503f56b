"""Admin views for the audit log: filtered pages, a streamed CSV export and a chain check."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Response, render_template, request, stream_with_context

from app.services.audit import queries as audit_queries
from app.services.audit import trail as audit
from app.web.admin import bp


def _when(name: str) -> datetime | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    try:
        return datetime.fromisoformat(raw).replace(tzinfo=UTC)
    except ValueError:
        return None


def _filter() -> audit_queries.AuditFilter:
    args = request.args
    return audit_queries.AuditFilter(
        actor=args.get("actor", "").strip(),
        link=args.get("link", "").strip(),
        profile=args.get("profile", "").strip(),
        action=args.get("action", "").strip(),
        outcome=args.get("outcome", "").strip(),
        correlation_id=args.get("correlation_id", "").strip(),
        since=_when("since"),
        until=_when("until"),
    )


@bp.get("/audit")
def audit_log():
    flt = _filter()
    page = audit_queries.page(flt, request.args.get("page", 1, type=int))
    return render_template("admin/audit.html", flt=flt, page=page, choices=audit_queries.choices())


@bp.get("/audit/export.csv")
def audit_export():
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    body = stream_with_context(audit_queries.export_csv(_filter()))
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="audit-{stamp}.csv"'},
    )


@bp.get("/audit/verify")
def audit_verify():
    checked, broken = audit.verify_chain()
    return render_template("admin/audit_verify.html", checked=checked, broken=broken)

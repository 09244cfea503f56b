"""/healthz (the process answers), /readyz (it can serve launches), /metrics (Prometheus)."""

from flask import Response, jsonify

from app import metrics
from app.services.tbook_connection import readiness
from app.web.ops import bp


@bp.get("/healthz")
def healthz():
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    result = readiness.current()
    response = jsonify(status="ready" if result.ready else "not ready", checks=result.checks)
    response.status_code = 200 if result.ready else 503
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/metrics")
def metrics_page():
    body, content_type = metrics.exposition()
    return Response(body, content_type=content_type, headers={"Cache-Control": "no-store"})

"""/healthz: the process answers."""

from flask import jsonify

from app.web.ops import bp


@bp.get("/healthz")
def healthz():
    return jsonify(status="ok")

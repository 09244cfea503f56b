"""The sandbox's own control routes under ``/_sandbox``: faults, latency, rate limit, reset, request log, token
revocation."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from sandbox.faults import Fault
from sandbox.rate_limit import RateLimit
from sandbox.state import sandbox_state

bp = Blueprint("control", __name__, url_prefix="/_sandbox")


@bp.post("/faults")
def add_fault() -> Response | tuple[Response, int]:
    try:
        fault = Fault.from_json(request.get_json(silent=True))
    except (TypeError, ValueError) as err:
        return jsonify({"error": {"code": "bad_request", "message": str(err)}}), 400
    sandbox_state().faults.add(fault)
    return jsonify({"faults": sandbox_state().faults.pending()}), 201


@bp.get("/faults")
def list_faults() -> Response:
    return jsonify({"faults": sandbox_state().faults.pending()})


@bp.get("/latency")
def get_latency() -> Response:
    return jsonify({"seconds": sandbox_state().latency})


@bp.put("/latency")
def set_latency() -> Response | tuple[Response, int]:
    """Delay every API answer by ``{"seconds": S}`` from now on (0 to 60); a reset restores SANDBOX_LATENCY."""
    seconds = (request.get_json(silent=True) or {}).get("seconds")
    if type(seconds) not in (int, float) or not 0 <= seconds <= 60:
        return jsonify({"error": {"code": "bad_request", "message": "seconds must be a number from 0 to 60"}}), 400
    sandbox_state().latency = float(seconds)
    return jsonify({"seconds": sandbox_state().latency})


@bp.put("/rate-limit")
def set_rate_limit() -> Response | tuple[Response, int]:
    try:
        limit = RateLimit.from_json(request.get_json(silent=True))
    except (TypeError, ValueError) as err:
        return jsonify({"error": {"code": "bad_request", "message": str(err)}}), 400
    sandbox_state().rate_limiter.set(limit)
    return jsonify({"rate_limit": limit.to_json()})


@bp.get("/rate-limit")
def get_rate_limit() -> Response:
    return jsonify({"rate_limit": sandbox_state().rate_limiter.current()})


@bp.delete("/rate-limit")
def lift_rate_limit() -> Response:
    sandbox_state().rate_limiter.set(None)
    return jsonify({"rate_limit": None})


@bp.post("/reset")
def reset() -> Response:
    sandbox_state().reset()
    return jsonify({"reset": True})


@bp.get("/requests")
def requests_log() -> Response:
    journal = sandbox_state().journal
    return jsonify({"requests": journal.entries(), "counts": journal.counts()})


@bp.post("/tokens/revoke")
def revoke_tokens() -> Response:
    sandbox_state().tokens.revoke_all()
    return jsonify({"revoked": True})

"""The browser side of the sandbox: one-time SSO URLs and the signed-in learner's home page."""

from __future__ import annotations

from itertools import product

from flask import Blueprint, redirect, render_template, session, url_for
from werkzeug.wrappers import Response

from sandbox.errors import ApiError
from sandbox.sso import SsoGrantExpired
from sandbox.state import sandbox_state

bp = Blueprint("pages", __name__)

USER_TYPES = {1: "learner", 2: "teacher"}


def sign_in(learner_id: str, via: str, user_type: int = 1) -> None:
    """Sign the browser into the sandbox as a learner, remembering how it got in (LTI or SSO)."""
    session.clear()
    session.update(learner_id=learner_id, via=via, user_type=user_type)


@bp.get("/")
def index() -> Response:
    return redirect(url_for("pages.home"))


@bp.get("/sso/<token>")
def sso(token: str) -> Response | tuple[str, int]:
    try:
        grant = sandbox_state().sso.redeem(token)
    except SsoGrantExpired as expired:
        return redirect(expired.error_url)
    if grant is None:
        message = "This T-book sign-in link is unknown. Ask your intranet for a new one."
        return render_template("message.html", title="Unknown sign-in link", message=message), 400
    if grant.learner_id is None:  # authToken was asked for someone T-book does not know
        return redirect(grant.error_url)
    sign_in(grant.learner_id, "SSO", grant.user_type)
    return redirect(url_for("pages.home"))


@bp.get("/home")
def home() -> str:
    learner_id = session.get("learner_id")
    store = sandbox_state().store
    teacher = store.find_teacher("learner_id", learner_id) if session.get("user_type") == 2 else None
    try:
        learner, entity = teacher or (store.find("learnerId", learner_id) if learner_id else (None, None))
    except ApiError:  # the sandbox was reset since this browser signed in
        learner, entity = None, None
    if learner is None:
        return render_template(
            "message.html",
            title="Not signed in",
            message="You are not signed in to T-book. Open T-book from your intranet.",
        )
    sessions = [f"{f} — {loc}" for f, loc in product(learner.filter, learner.location)]
    return render_template(
        "home.html",
        learner=learner,
        entity=entity,
        sessions=sessions,
        via=session.get("via"),
        role=USER_TYPES.get(session.get("user_type", 1)),
    )

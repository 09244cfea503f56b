"""/sso/error: where T-book's errorUrl lands; says what most likely happened and what to do (audited)."""

from flask import g, render_template, request

from app.services.launch import sso_errors
from app.web.auth.identity import current_user
from app.web.sso import bp


@bp.get("/error")
def error():
    user = current_user()
    found = sso_errors.explain(
        request.args.get("ref", ""),
        login=user.login if user else None,
        # T-book may add its own explanation (the documentation does not say so); it is shown escaped.
        tbook_message=request.args.get("error") or request.args.get("message") or "",
        correlation_id=g.correlation_id,
        address=request.remote_addr,
    )
    page = render_template("sso/error.html", error=found, lifetime=sso_errors.URL_LIFETIME)
    return page, 400 if found.cause == "unverified" else 200

"""/sso/error: a clear page for a failed T-book sign-in, audited (as unverified when the reference is forged)."""

from flask import g, render_template, request

from app.services.audit import trail as audit
from app.services.launch import return_refs
from app.web.auth.identity import current_user
from app.web.sso import bp


@bp.get("/error")
def error():
    ref = return_refs.read(request.args.get("ref", ""))
    user = current_user()
    correlation_id = ref.correlation_id if ref else g.correlation_id
    # T-book may add its own explanation; it is shown escaped and kept short.
    tbook_message = (request.args.get("error") or request.args.get("message") or "")[:300]
    audit.record(
        "sso_error",
        "error",
        actor=user.login if user else None,
        link_slug=ref.slug if ref else None,
        mode="authtoken",
        correlation_id=correlation_id,
        detail={"verified": ref is not None, "tbook_message": tbook_message},
    )
    page = render_template("sso/error.html", ref=ref, correlation_id=correlation_id, tbook_message=tbook_message)
    return page, 200 if ref else 400

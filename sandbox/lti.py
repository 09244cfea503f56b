"""The LTI 1.1 launch endpoint, ``POST /api/lti``: T-book's single sign-on by LTI."""

from __future__ import annotations

import json
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from oauthlib.oauth1.rfc5849 import signature
from werkzeug.wrappers import Response

from sandbox.custom_data import LaunchProfile, parse_custom_data
from sandbox.errors import ApiError
from sandbox.lti_verify import LaunchRefused, verify_launch
from sandbox.pages import sign_in
from sandbox.records import LearnerRecord
from sandbox.state import sandbox_state

bp = Blueprint("lti", __name__)


@bp.post("/api/lti")
def launch() -> Response | str | tuple[str, int]:
    try:
        learner = _accept_launch()
    except LaunchRefused as refusal:
        return _refuse(str(refusal))
    # LTI 1.1 says who the user is in `roles`; the gateway sends Instructor for a teacher, as /authToken's userType 2.
    roles = {role.strip().rsplit("/", 1)[-1] for role in request.form.get("roles", "").split(",")}
    sign_in(learner.learner_id, "LTI", 2 if "Instructor" in roles else 1)
    if request.form.get("custom_debug") == "1":
        return render_template(
            "debug.html",
            params=sorted(request.form.items(multi=True)),
            custom_data=json.dumps(json.loads(request.form["custom_data"]), indent=2, ensure_ascii=False),
            url=request.url,
            key=current_app.config["SANDBOX_LTI_KEY"],
            base_string=_base_string(request.url, request.get_data(as_text=True)),
            received_signature=request.form.get("oauth_signature", ""),
        )
    return redirect(url_for("pages.home"), 303)


def _base_string(url: str, body: str) -> str:
    """Return the OAuth 1.0 signature base string of the POST as received (RFC 5849 3.4.1), rebuilt here from the
    URL and the form body, for an integrator to compare with the one the consumer signed."""
    params = signature.collect_parameters(uri_query=urlsplit(url).query, body=body, exclude_oauth_signature=True)
    return signature.signature_base_string(
        "POST", signature.base_string_uri(url), signature.normalize_parameters(params)
    )


def _accept_launch() -> LearnerRecord:
    """Return the learner signed in by the launch; raise LaunchRefused saying why it is refused."""
    fault = sandbox_state().faults.take(request.path, lti=True)
    if fault is not None:
        raise LaunchRefused(fault.lti_error)
    config = current_app.config
    # The signature covers the URL as the consumer posted to it, query string included.
    verify_launch(
        request.url,
        request.get_data(as_text=True),
        request.headers,
        key=config["SANDBOX_LTI_KEY"],
        secret=config["SANDBOX_LTI_SECRET"],
        nonces=sandbox_state().nonces,
    )
    if request.form.get("lti_message_type") != "basic-lti-launch-request":
        raise LaunchRefused("lti_message_type must be basic-lti-launch-request.")
    if request.form.get("lti_version") != "LTI-1p0":
        raise LaunchRefused("lti_version must be LTI-1p0.")
    return _sign_in_learner(parse_custom_data(request.form.get("custom_data")))


def _sign_in_learner(profile: LaunchProfile) -> LearnerRecord:
    store = sandbox_state().store
    try:
        entity = store.entity(profile.entity_id)
    except ApiError as err:
        raise LaunchRefused(f"custom_data: {err.message}.") from None
    external_id = profile.external_id if profile.connection_type == "id" else ""
    teacher = store.find_teacher("login", profile.login)
    if teacher is not None and "Instructor" in request.form.get("roles", ""):
        return teacher[0]  # a teacher T-book knows: signed in as they are, not made into a learner
    return store.upsert(entity, profile.login, external_id, profile.fields)


def _refuse(message: str) -> Response | tuple[str, int]:
    """Send the browser back to the consumer with lti_errormsg, as LTI 1.1 prescribes."""
    return_url = request.form.get("launch_presentation_return_url", "")
    if not return_url.startswith(("http://", "https://")):
        return render_template("message.html", title="LTI launch refused", message=message), 401
    parts = urlsplit(return_url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    query += [("lti_errormsg", message), ("lti_log", f"T-book sandbox refused the launch: {message}")]
    return redirect(urlunsplit(parts._replace(query=urlencode(query))), 302)

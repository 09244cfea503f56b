"""Sign-in and sign-out views."""

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext, ngettext

from app.services.audit import trail as audit
from app.services.identity import accounts, signin_throttle
from app.web.auth import bp
from app.web.auth.forms import LoginForm
from app.web.auth.identity import current_user, is_safe_next, sign_in, sign_out


@bp.route("/login", methods=["GET", "POST"])
def login():
    if "local" not in current_app.config["GATEWAY_AUTH"]:
        abort(404)
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        login_name = form.login.data.strip().lower()
        detail = {"method": "local", "address": request.remote_addr}
        try:
            attempts_left = signin_throttle.check(login_name, request.remote_addr)
        except signin_throttle.TooManyAttempts as err:
            audit.record("sign_in", "throttled", actor=login_name, correlation_id=g.correlation_id, detail=detail)
            minutes = current_app.config["GATEWAY_SIGNIN_WINDOW_MINUTES"]
            paused = ngettext(
                "Sign-in is paused after too many failed attempts. Try again in %(num)d minute.",
                "Sign-in is paused after too many failed attempts. Try again in %(num)d minutes.",
                minutes,
            )
            flash(paused, "error")
            return render_template("auth/login.html", form=form), err.status
        account = accounts.authenticate(form.login.data, form.password.data)
        audit.record(
            "sign_in", "ok" if account else "refused", actor=login_name, correlation_id=g.correlation_id, detail=detail
        )
        if account:
            sign_in(account.login, "local")
            target = form.next.data
            return redirect(target if is_safe_next(target) else url_for("launch.home"), code=303)
        warning = _pause_warning(attempts_left - 1)
        failed = gettext("That e-mail and password do not match. Check them and try again.")
        flash(failed + (f" {warning}" if warning else ""), "error")
        return render_template("auth/login.html", form=form), 401
    return render_template("auth/login.html", form=form), 400 if form.errors else 200


def _pause_warning(tries_left: int) -> str | None:
    """Return what a refused sign-in adds when the pause is one try away, or has begun; else None."""
    minutes = current_app.config["GATEWAY_SIGNIN_WINDOW_MINUTES"]
    if tries_left == 1:
        # English does not change "a 15-minute pause" with the number; French does ("1 minute", "15 minutes").
        return ngettext(
            "One attempt left before a %(num)d-minute pause.",
            "One attempt left before a %(num)d-minute pause.",
            minutes,
        )
    if tries_left <= 0:
        return ngettext(
            "Sign-in is now paused for %(num)d minute after too many failed attempts.",
            "Sign-in is now paused for %(num)d minutes after too many failed attempts.",
            minutes,
        )
    return None


@bp.post("/logout")
def logout():
    user = current_user()
    sign_out(user)
    if user:
        audit.record("sign_out", "ok", actor=user.login, correlation_id=g.correlation_id)  # commits the sign-out
    return redirect(url_for("auth.login") if "local" in current_app.config["GATEWAY_AUTH"] else "/", code=303)

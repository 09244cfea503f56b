"""Admin views for local sign-ins: list, create a learner's, reset a password, lift a sign-in pause (audited)."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for

from app.services.identity import accounts, signin_throttle
from app.web.admin import bp
from app.web.admin.forms import AccountForm, ActionForm, PasswordForm


def _list_page(form: AccountForm, status: int = 200):
    query = request.args.get("q", "")
    results = accounts.search(query, request.args.get("page", 1, type=int))
    return render_template("admin/accounts.html", results=results, query=query, form=form), status


@bp.get("/accounts")
def account_list():
    return _list_page(AccountForm())


@bp.post("/accounts")
def account_create():
    form = AccountForm()
    if not form.validate_on_submit():
        return _list_page(form, 400 if "csrf_token" in form.errors else 422)
    try:
        account = accounts.create_learner(form.login.data, form.password.data, actor=g.admin)
    except (accounts.AccountInvalid, accounts.AccountExists) as err:
        field = getattr(err, "field", None)
        (form[field] if field in form else form.login).errors.append(err.message)
        return _list_page(form, 422)
    flash(f"Created the local sign-in of {account.login}.", "ok")
    return redirect(url_for("admin.account_page", account_id=account.id), code=303)


def _account_page(account, form: PasswordForm, status: int = 200):
    page = render_template(
        "admin/account.html",
        account=account,
        lockouts=signin_throttle.lockouts(account.login),
        form=form,
        unlock_form=ActionForm(),
    )
    return page, status


@bp.get("/accounts/<int:account_id>")
def account_page(account_id: int):
    return _account_page(accounts.get(account_id), PasswordForm())


@bp.post("/accounts/<int:account_id>/password")
def account_password(account_id: int):
    account, form = accounts.get(account_id), PasswordForm()
    if not form.validate_on_submit():
        return _account_page(account, form, 400 if "csrf_token" in form.errors else 422)
    accounts.reset_password(account.login, form.password.data, actor=g.admin)
    flash(f"Set a new password for {account.login}; any sign-in pause is lifted.", "ok")
    return redirect(url_for("admin.account_page", account_id=account_id), code=303)


@bp.post("/accounts/<int:account_id>/unlock")
def account_unlock(account_id: int):
    # CSRFProtect refused the POST before the view when its token was missing or stale.
    account = accounts.get(account_id)
    accounts.unlock(account.login, actor=g.admin)
    flash(f"{account.login} may sign in again: the failed attempts so far no longer count; open sessions ended.", "ok")
    return redirect(url_for("admin.account_page", account_id=account_id), code=303)

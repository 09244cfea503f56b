"""Admin views for launch links: list, create, edit, enable/disable and delete (confirmed), a test launch."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from markupsafe import escape
from wtforms import Field

from app.services.catalog import links
from app.services.catalog.profile_admin import search
from app.services.launch import flow as launch
from app.web.admin import bp
from app.web.admin.forms import LinkForm
from app.web.responses import no_store


def _show(err: links.LinkError | links.LinkExists, form: LinkForm, default: Field) -> None:
    """Put the service's refusal under the form field it names (the `default` one when it names none)."""
    name = getattr(err, "field", None)
    (form[name] if name in form else default).errors.append(err.message)


def _snippet(link) -> str:
    """Return the HTML of the intranet button, as text to copy (the page escapes it once more)."""
    url = url_for("launch.launch_page", slug=link.slug, _external=True)
    target = ' target="_blank" rel="noopener"' if link.new_window else ""
    return f'<a href="{escape(url)}"{target} class="tbook-button">{escape(link.title)}</a>'


def _settings(form: LinkForm) -> dict:
    """The link settings the new and edit forms both set (the slug and title are passed apart)."""
    return {
        "mode": form.mode.data,
        "debug": form.debug.data,
        "connection_type": form.connection_type.data,
        "new_window": form.new_window.data,
        "description": form.description.data or "",
        "send_lis_person": not form.omit_lis_person.data,
    }


@bp.get("/links")
def link_list():
    return render_template("admin/links.html", links=links.all_links())


@bp.route("/links/new", methods=["GET", "POST"])
def link_new():
    form = LinkForm()
    if form.validate_on_submit():
        try:
            link = links.create(form.slug.data, form.title.data, **_settings(form), actor=g.admin)
        except (links.LinkError, links.LinkExists) as err:
            _show(err, form, form.slug)
        else:
            flash(f"Created the launch link {link.slug}.", "ok")
            return redirect(url_for("admin.link_edit", slug=link.slug), code=303)
    status = 422 if form.errors else 200
    return render_template("admin/link_form.html", form=form, link=None), status


@bp.route("/links/<slug>", methods=["GET", "POST"])
def link_edit(slug: str):
    link = links.find(slug)
    form = LinkForm(obj=link, omit_lis_person=not link.send_lis_person)
    form.slug.data = link.slug  # the slug is fixed: intranet buttons point at it
    if form.validate_on_submit():
        try:
            links.update(slug, title=form.title.data, **_settings(form), actor=g.admin)
        except links.LinkError as err:
            _show(err, form, form.title)
        else:
            flash(f"Saved the launch link {slug}.", "ok")
            return redirect(url_for("admin.link_edit", slug=slug), code=303)
    learners = search("", 1).profiles
    page = render_template("admin/link_form.html", form=form, link=link, learners=learners, snippet=_snippet(link))
    return page, 422 if form.errors else 200


def _link_url(slug: str) -> str:
    return url_for("launch.launch_page", slug=slug, _external=True)


def _back(slug: str, where: str | None) -> str:
    return url_for("admin.link_list") if where == "list" else url_for("admin.link_edit", slug=slug)


@bp.get("/links/<slug>/disable")
def link_disable_confirm(slug: str):
    back = request.args.get("back")
    return render_template(
        "admin/confirm.html",
        title=f"Disable the launch link {slug}?",
        lines=links.consequences(slug).of_disabling(_link_url(slug)),
        action=url_for("admin.link_enabled", slug=slug),
        fields={"enabled": "0", "back": back or ""},
        button="Disable the link",
        cancel=_back(slug, back),
    )


@bp.get("/links/<slug>/delete")
def link_delete_confirm(slug: str):
    return render_template(
        "admin/confirm.html",
        title=f"Delete the launch link {slug}?",
        lines=links.consequences(slug).of_deleting(_link_url(slug)),
        action=url_for("admin.link_delete", slug=slug),
        button="Delete the link",
        cancel=url_for("admin.link_edit", slug=slug),
    )


@bp.post("/links/<slug>/delete")
def link_delete(slug: str):
    # CSRFProtect refused this POST before the view when its token was missing or stale.
    links.delete(slug, actor=g.admin)
    flash(f"Deleted the launch link {slug}; its history stays in the audit log.", "ok")
    return redirect(url_for("admin.link_list"), code=303)


@bp.post("/links/<slug>/enabled")
def link_enabled(slug: str):
    # CSRFProtect refused this POST before the view when its token was missing or stale.
    enable = request.form.get("enabled") == "1"
    links.set_enabled(slug, enable, actor=g.admin)
    flash(f"{'Enabled' if enable else 'Disabled'} the launch link {slug}.", "ok")
    return redirect(_back(slug, request.form.get("back")), code=303)


@bp.get("/links/<slug>/test")
def link_test(slug: str):
    """Preview the signed launch of this link for the chosen learner (any link, enabled or not)."""
    login = request.args.get("login", "").strip().lower()
    if not login:
        flash("Choose the learner to test the launch for.", "error")
        return redirect(url_for("admin.link_edit", slug=slug), code=303)
    click = launch.Click(g.correlation_id, request.url_root, request.headers.get("Accept-Language", ""))
    shown = launch.admin_preview(slug, login, click, admin=g.admin)
    page = render_template(
        "launch/preview.html",
        link=shown.link,
        launch=shown.signed,
        custom_data=shown.readable_custom_data(),
        learner=login,
        again_url=url_for("admin.link_test", slug=slug, login=login),
    )
    return no_store(page)

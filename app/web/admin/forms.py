"""Admin console forms (Flask-WTF: each carries a CSRF token)."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp

from app.services.catalog.links import CONNECTION_TYPE_HELP, CONNECTION_TYPES, DESCRIPTION_MAX, MODE_HELP, MODES, SLUG
from app.services.identity.accounts import MIN_PASSWORD_LENGTH

# The drop-downs say what each choice does; the stored codes are T-book's and LTI's words (MODE_HELP says more).
MODE_LABELS = {
    "lti": "LTI launch (signed LTI 1.1)",
    "authtoken": "T-book sign-in (/authToken)",
    "auto": "Automatic: LTI, else T-book sign-in",
}
CONNECTION_TYPE_LABELS = {"login": "By login (e-mail)", "id": "By id (the profile's externalID)"}


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


class LinkForm(FlaskForm):
    slug = StringField(
        "Slug (the end of the link's URL)",
        validators=[DataRequired(), Length(max=64), Regexp(SLUG, message="lower-case letters, digits and dashes")],
    )
    title = StringField("Title (what the intranet button says)", validators=[DataRequired(), Length(max=200)])
    mode = SelectField("Mode", choices=[SelectChoice(m, MODE_LABELS[m]) for m in MODES], description=MODE_HELP)
    connection_type = SelectField(
        "T-book connection type",
        choices=[SelectChoice(c, CONNECTION_TYPE_LABELS[c]) for c in CONNECTION_TYPES],
        description=CONNECTION_TYPE_HELP,
    )
    debug = BooleanField("Debug (custom_debug=1: T-book displays the request; enables the preview)")
    new_window = BooleanField("Open T-book in a new window")
    description = TextAreaField(
        "Description (optional; sent to T-book as resource_link_description)",
        validators=[Optional(), Length(max=DESCRIPTION_MAX)],
    )
    omit_lis_person = BooleanField("Leave out LTI's lis_person_* fields (the learner's name and e-mail)")


class UploadForm(FlaskForm):
    file = FileField("CSV file", validators=[FileRequired("Choose a CSV file.")])
    dry_run = BooleanField("Check only (write nothing)")


def _password(label: str) -> PasswordField:
    return PasswordField(
        label,
        validators=[
            DataRequired("Type the password."),
            Length(min=MIN_PASSWORD_LENGTH, message=f"At least {MIN_PASSWORD_LENGTH} characters."),
        ],
    )


class PasswordForm(FlaskForm):
    """A new password, typed twice; never shown back."""

    password = _password("New password")
    repeat = PasswordField("The same password again", validators=[EqualTo("password", "The two passwords differ.")])


class AccountForm(PasswordForm):
    login = StringField("Login (the learner's e-mail)", validators=[DataRequired("Type the login."), Length(max=254)])
    password = _password("Password")

"""The ways the sandbox can answer where tbook-api.md is silent or ambiguous: one setting per question."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Variant:
    """One open question of the documentation: the setting that answers it, its choices and the default."""

    setting: str
    option: str
    choices: tuple[str, ...]
    help: str

    @property
    def default(self) -> str:
        """Return the first choice, the sandbox's default answer."""
        return self.choices[0]


VARIANTS = (
    Variant(
        "SANDBOX_WRITE_ANSWER",
        "--write-answer",
        ("learner", "minimal", "empty"),
        "what insertLearner, updateLearner and removeLearnerSession answer (no example is documented): "
        'the learner, {"success":"1"}, or an empty body',
    ),
    Variant(
        "SANDBOX_AUTHTOKEN_ERRORS",
        "--authtoken-errors",
        ("redirect", "immediate"),
        "an unknown user on authToken: a sign-in URL that lands on errorUrl (as documented), or a 404 at once",
    ),
    Variant(
        "SANDBOX_AUTHTOKEN_BODY",
        "--authtoken-body",
        ("json", "documented"),
        "authToken's answer: strict JSON, or the documentation's example as written (trailing comma)",
    ),
    Variant(
        "SANDBOX_GRANT_TYPE",
        "--grant-type",
        ("client_credential", "client_credentials"),
        "the grant_type spelling /token accepts: the documented one, or OAuth 2's",
    ),
    Variant(
        "SANDBOX_UNKNOWN_LEARNER",
        "--unknown-learner",
        ("404", "empty", "envelope"),
        "getOneLearner for an unknown learner: a 404, a 200 with an empty body, or a 200 with the error envelope",
    ),
)
BY_SETTING = {variant.setting: variant for variant in VARIANTS}


def check(settings: dict) -> None:
    """Raise ValueError naming a variant setting whose value is not one of its choices."""
    for variant in VARIANTS:
        if settings[variant.setting] not in variant.choices:
            allowed = ", ".join(variant.choices)
            raise ValueError(f"{variant.setting} must be one of {allowed}, not {settings[variant.setting]!r}")

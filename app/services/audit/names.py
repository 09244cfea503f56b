"""What each audit action is called in the console and its exports (the log stores the short code)."""

from __future__ import annotations

ACTION_NAMES = {
    "launch": "Launch",
    "fallback": "Fallback to /authToken",
    "launch_preview": "Launch preview",
    "lti_return": "Back from T-book (LTI return)",
    "sso_error": "T-book sign-in failed (errorUrl)",
    "provision": "Learner created in T-book",
    "sync": "Learners synchronised with T-book",
    "token_refresh": "T-book token obtained",  # nosec B105: an action's name, not a secret
    "sign_in": "Sign-in",
    "sign_out": "Sign-out",
    "sessions_revoke": "Sessions ended",
    "account_create": "Sign-in account created",
    "account_password_reset": "Password set by an admin",  # nosec B105: an action's name
    "account_unlock": "Sign-in pause lifted",
    "admin_create": "Admin added",
    "admin_revoke": "Admin role taken away",
    "link_create": "Link created",
    "link_update": "Link changed",
    "link_enable": "Link enabled",
    "link_disable": "Link disabled",
    "link_delete": "Link deleted",
    "profile_create": "Profile added",
    "profile_update": "Profile changed",
    "profile_delete": "Profile deleted",
    "profiles_import": "Profiles imported",
    "credentials_update": "Credentials changed",
    "credentials_check": "Connection checked",
    "audit_purge": "Old audit events purged",
}


def action_name(action: str) -> str:
    """Return the action in words; an action this table does not know yet reads as its code, spaced."""
    return ACTION_NAMES.get(action) or action.replace("_", " ").capitalize()

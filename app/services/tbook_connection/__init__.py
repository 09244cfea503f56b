"""The T-book connection wing: API clients for the credentials in force, their console changes, provisioning,
and readiness."""

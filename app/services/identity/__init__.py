"""The identity wing: local accounts, admins, portal-signed links and sign-in throttling."""

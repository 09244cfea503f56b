"""The identity wing: who is asking.

Offers `accounts` (local sign-ins), `admins` (who may use the console), `signed_links` (portal-signed links) and
`signin_throttle` (pauses after repeated failures).
"""

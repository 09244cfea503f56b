"""The audit wing: what happened, kept so that it cannot be quietly changed.

Offers `trail` (record an event, verify the chains), `queries` (filtered pages, CSV export, retention) and
`dashboard` (the console's figures).
"""

"""The catalog wing: what the gateway launches and for whom.

Offers `links` (launch links), `profiles` (a profile's checks against T-book's field table), `profile_admin`
(console search and edits) and `profile_import` (the CSV import).
"""

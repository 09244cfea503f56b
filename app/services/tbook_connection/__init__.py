"""The T-book connection wing: talking to T-book with the credentials in force.

Offers `clients` (one API client per credentials, sharing the token cache), `connection_check` with
`connection_advice` and `lti_probe` (`flask tbook check` and the console's check), `credentials_admin` and
`credentials_review` (console changes, checked before they are saved), `provisioning` (a learner exists in T-book
before /authToken), the sync of the learner profiles into T-book (`sync_plan`, the plan as data; `sync_read`, what
it is worked out from; `sync_run`, one run at a time; `sync_pacing`, the run's shared pause on 429) and `readiness`
(/readyz).
"""

"""The launch wing: what happens when someone clicks "Open T-book".

Offers `flow` (start a click by the link's mode: the signed LTI launch or T-book's sign-in URL; the preview),
`launch_request` (the request a click signs: return URLs, locale, instance), `authtoken` (the /authToken
sign-in), `lti_return` (T-book's way back, with the `auto` fallback), `sso_errors` (T-book's errorUrl landing),
`return_refs` (the signed reference both carry) and `consumer` (what the launch says about this gateway).
"""

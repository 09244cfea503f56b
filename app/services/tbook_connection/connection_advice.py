"""What to fix when a connection check fails, worked out from everything the check saw (never a secret)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from app.services.tbook_connection.lti_probe import ProbeAnswer
from app.settings.credentials import TBookCredentials
from app.tbook import errors as tbook_errors

API_PAGE = "the API page of your T-book client account"
UNSET = f"Set the client id and client secret from {API_PAGE} (TBOOK_CLIENT_ID, TBOOK_CLIENT_SECRET, or here)."
LTI_UNSET = (
    "Links in lti mode cannot launch, and auto links use /authToken, until the LTI shared secret is set "
    "(TBOOK_LTI_SECRET: the one below the client secret, after “For LTI”)."
)
NO_ENTITY = "Learners belong to an entity: create one in T-book before launching anyone."
CLOCK = (
    "Synchronise the gateway host's clock (NTP). LTI launches carry the gateway's time and T-book refuses those "
    "too far from its own; token lifetimes are counted on this clock too."
)
WRONG_CLIENT_SECRET = (
    f"The client secret (TBOOK_CLIENT_SECRET) is wrong. T-book shows it only once: generate a new one on {API_PAGE}."
)
LTI_SECRET_IS_CLIENT_SECRET = (
    "The LTI shared secret is the client secret. T-book's LTI shared secret is another value: the one below the "
    f"client secret, after “For LTI”, on {API_PAGE}. Set it as TBOOK_LTI_SECRET."
)
WRONG_CLIENT_ID = (
    f"The client id (TBOOK_CLIENT_ID) is wrong: T-book does not know it as LTI key either. See {API_PAGE}."
)
WRONG_ID_OR_SECRET = (
    f"The client secret (TBOOK_CLIENT_SECRET) is wrong, or the client id (TBOOK_CLIENT_ID) is: see {API_PAGE}."
)
SWAPPED = (
    "The client secret and the LTI shared secret are swapped: T-book verifies launches signed with the value in "
    "the client secret field. Put each secret in its own field."
)


def host_fix(url: str, env: str) -> str:
    host = urlsplit(url).hostname or url
    return (
        f"The gateway cannot reach {host}: check DNS, the firewall and any outgoing proxy (HTTPS_PROXY) on the "
        f"gateway's host, and that the environment ({env}) or TBOOK_API_URL / TBOOK_LTI_URL name the T-book you mean."
    )


def api_fix(err: tbook_errors.TBookError, creds: TBookCredentials) -> str:
    """Return what to do about a failed API call other than a refused token request."""
    if isinstance(err, tbook_errors.TBookConnectionError):
        return host_fix(creds.api_url, creds.env)
    if isinstance(err, tbook_errors.TBookNotFound | tbook_errors.MethodNotAllowed | tbook_errors.TBookProtocolError):
        return f"{creds.api_url} does not answer like T-book's API: check TBOOK_API_URL (…/api) and the environment."
    if isinstance(err, tbook_errors.TBookForbidden):
        return "T-book denies these credentials this data: ask T-book to open the API to your client account."
    if isinstance(err, tbook_errors.TooManyRequests):
        return "T-book is rate limiting the gateway: wait a minute and check again."
    if isinstance(err, tbook_errors.ServerError):
        return "T-book had a server error: check again in a few minutes; if it lasts, tell T-book when it happened."
    if isinstance(err, tbook_errors.Unauthorized):
        return "T-book refused the token it had just issued: check again; if it lasts, ask T-book's support."
    return "T-book refused the request: its message above says why."


@dataclass(frozen=True)
class Facts:
    """What the check saw: the token request's error, and the LTI probe's answers (None: not sent)."""

    creds: TBookCredentials
    token_error: tbook_errors.TBookError | None
    lti: ProbeAnswer | None
    lti_with_client_secret: ProbeAnswer | None

    @property
    def _key_is_client_id(self) -> bool:
        return self.creds.lti_key == self.creds.client_id

    @property
    def _lti_takes_client_secret(self) -> bool:
        return self.lti_with_client_secret is not None and self.lti_with_client_secret.verdict == "verified"

    def token_fix(self) -> str:
        """Return what to do about a refused token request, naming the wrong value when the LTI probe tells."""
        if not isinstance(self.token_error, tbook_errors.Unauthorized):
            return api_fix(self.token_error, self.creds)
        if self._lti_takes_client_secret:
            return SWAPPED
        if self.lti is not None and self._key_is_client_id:
            if self.lti.verdict == "verified":
                # The LTI consumer key is the client id, and T-book verified a launch signed with it.
                if self.creds.client_secret == self.creds.lti_secret:
                    return "The client secret is the LTI shared secret (T-book verified a launch signed with it). " + (
                        WRONG_CLIENT_SECRET
                    )
                return "T-book knows the client id: it verified an LTI launch with it. " + WRONG_CLIENT_SECRET
            if self.lti.kind == "consumer_key":
                return WRONG_CLIENT_ID
        return WRONG_ID_OR_SECRET

    def lti_outcome(self) -> tuple[bool, str, str]:
        """Return the LTI step's (ok, what happened, what to fix)."""
        answer, creds = self.lti, self.creds
        if answer is None:
            return False, "Not checked: no LTI shared secret is set.", LTI_UNSET
        if answer.verdict == "unreachable":
            detail = f"T-book's LTI URL could not be reached ({answer.message})."
            return False, detail, host_fix(creds.lti_url, creds.env)
        said = f"“{answer.message}”" if answer.message else f"HTTP {answer.status}"
        if answer.verdict == "verified":
            detail = f"T-book verified the signature (consumer key {creds.lti_key}) and refused the test launch, "
            return True, detail + f"which signs no one in: {said}", ""
        if answer.verdict == "refused":
            return False, f"T-book refused the launch: {said}", self._lti_fix(answer.kind)
        status = answer.status or 0
        if 400 <= status < 500:
            detail = f"The LTI URL answered HTTP {status}: it is not T-book's launch endpoint."
            return False, detail, "Check TBOOK_LTI_URL (by default the API URL followed by /lti)."
        if status >= 500:
            return False, f"The LTI URL answered HTTP {status}.", api_fix(tbook_errors.ServerError(""), creds)
        detail = f"The LTI URL answers (HTTP {status}) without saying whether the signature holds."
        return True, detail, "To see T-book's own answer, use a link's “Test launch” with debug on."

    def _lti_fix(self, kind: str) -> str:
        creds = self.creds
        if kind == "timestamp":
            return CLOCK
        if kind == "nonce":
            return "T-book saw this launch's nonce before: run the check again."
        if kind == "consumer_key":
            return f"T-book does not know the LTI consumer key “{creds.lti_key}”: set TBOOK_LTI_KEY (the client id)."
        if creds.lti_secret == creds.client_secret:
            return LTI_SECRET_IS_CLIENT_SECRET
        if self._lti_takes_client_secret:
            if self.token_error is not None:
                return SWAPPED
            return (
                "T-book verifies this account's launches with the client secret, not with the LTI shared secret in "
                "force: set the LTI shared secret (TBOOK_LTI_SECRET) to the client secret's value."
            )
        return (
            "The LTI shared secret (TBOOK_LTI_SECRET) is wrong: it is the one below the client secret, after "
            f"“For LTI”, on {API_PAGE}. (If it is right, T-book expects launches at another URL than {creds.lti_url}.)"
        )

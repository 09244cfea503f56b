"""The sandbox reads multipart forms as T-book's callers post them (curl -F, httpx), whatever their shape."""

from __future__ import annotations

import httpx
import pytest

from tests.sandbox.test_api import NEW_LEARNER, assert_error

BOUNDARY = "a49a747f05583aadf5bea65520a37216"


def multipart(fields: dict[str, str], *, part_headers: str = "", preamble: bytes = b"") -> bytes:
    """Return a multipart/form-data body with BOUNDARY, each part with `part_headers` after its disposition."""
    parts = [
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n{part_headers}\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    return preamble + b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


def post(api, auth, body: bytes, boundary: str = BOUNDARY):
    headers = {**auth, "Content-Type": f"multipart/form-data; boundary={boundary}"}
    return api.post("/api/insertLearner", headers=headers, data=body)


def test_a_form_as_httpx_posts_it(api, auth):
    # What the gateway's client sends: one part per field, names like filter[0], UTF-8 values.
    fields = {**NEW_LEARNER, "lastname": "Lefèvre ☃", "jobTitle": 'Chef "de" projet\r\n--x'}
    files = [(name, (None, value)) for name, value in fields.items()]
    request = httpx.Request("POST", "http://sandbox/api/insertLearner", files=files)
    api_headers = {**auth, "Content-Type": request.headers["Content-Type"]}
    learner = api.post("/api/insertLearner", headers=api_headers, data=request.read()).json
    assert learner["lastname"] == "Lefèvre ☃" and learner["jobTitle"] == 'Chef "de" projet\r\n--x'
    assert learner["filter"] == ["Session 1", "May 2018"] and learner["country"] == ["France"]
    assert learner["entity"]["entityID"] == "24" and learner["testUser"] == 1
    journal = api.get("/_sandbox/requests").json["requests"][-1]
    assert journal["content_type"] == "multipart/form-data" and journal["fields"]["password"] == "***"


FIELDS = {**NEW_LEARNER, "lastname": "Lefèvre"}


@pytest.mark.parametrize(
    "body",
    [
        multipart(FIELDS, part_headers="Content-Type: text/plain; charset=utf-8\r\n"),
        multipart(FIELDS, preamble=b"This is a preamble.\r\n"),
        multipart(FIELDS).replace(b"\r\n", b"\n"),
    ],
    ids=["part-content-type", "preamble", "bare-newlines"],
)
def test_other_shapes_are_read_alike(api, auth, body):
    learner = post(api, auth, body).json
    assert learner["lastname"] == "Lefèvre" and learner["filter"] == ["Session 1", "May 2018"]


def test_a_file_part_is_not_a_field(api, auth):
    body = multipart({k: v for k, v in NEW_LEARNER.items() if k != "lastname"})
    file_part = f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="lastname"; filename="n.txt"\r\n\r\nSmith\r\n'
    response = post(api, auth, file_part.encode() + body)
    assert "lastname" in assert_error(response, 400, "bad_request")


@pytest.mark.parametrize(
    "body",
    [
        multipart(NEW_LEARNER)[:-20],  # cut short: no closing delimiter
        b"",
    ],
    ids=["truncated", "empty"],
)
def test_a_malformed_form_carries_no_fields(api, auth, body):
    assert "Missing required parameter" in assert_error(post(api, auth, body), 400, "bad_request")


def test_another_boundary_carries_no_fields(api, auth):
    response = post(api, auth, multipart(NEW_LEARNER), boundary="another-boundary")
    assert "Missing required parameter" in assert_error(response, 400, "bad_request")

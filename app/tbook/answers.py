"""Reading T-book's answer bodies, including those tbook-api.md shows no example of, or a non-JSON example of."""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Iterable
from typing import Any

import httpx

from app.tbook.errors import RequestFailed, TBookNotFound, TBookProtocolError
from app.tbook.models import Learner, parse


class Body(enum.Enum):
    """What a body was when it was not JSON: nothing at all, or something else (HTML, text)."""

    EMPTY = "empty"
    NOT_JSON = "not JSON"


def decode(content: bytes) -> Any:
    """Return the JSON of a body, or :attr:`Body.EMPTY` / :attr:`Body.NOT_JSON`."""
    if not content.strip():
        return Body.EMPTY
    try:
        return json.loads(content)
    except ValueError:  # UnicodeDecodeError is a ValueError too
        return Body.NOT_JSON


def is_envelope(data: Any) -> bool:
    """Return whether ``data`` is T-book's error format, ``{"error": {"code": ..., "message": ...}}``."""
    return isinstance(data, dict) and isinstance(data.get("error"), dict) and "code" in data["error"]


def is_nothing(data: Any) -> bool:
    """Return whether an answer says nothing: an empty body, ``null``, ``""``, ``{}`` or ``[]``."""
    return data is Body.EMPTY or data in (None, "", {}, [])


def success_flag(value: Any) -> bool | None:
    """Return T-book's ``success`` as a boolean: "1", 1 and true are True, "0", 0 and false are False.

    Returns None for anything else (absent included): the documentation shows only ``"success": "1"``.
    """
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower() if isinstance(value, str | int) else ""
    if text in ("1", "true"):
        return True
    if text in ("0", "false"):
        return False
    return None


def learner_in(data: Any) -> dict | None:
    """Return the learner object an answer carries (the body itself, or one member of it), or None."""
    if not isinstance(data, dict):
        return None
    if "learnerID" in data:
        return data
    found = [v for v in data.values() if isinstance(v, dict) and "learnerID" in v]
    return found[0] if len(found) == 1 else None


# A trailing comma before a closing brace or bracket, outside strings (strings are matched first and kept).
_TRAILING_COMMA = re.compile(r'("(?:\\.|[^"\\])*")|,(\s*[}\]])')
# One "key": value pair whose value is a string, a number or a literal; used when nothing else parses.
_PAIR = re.compile(r'"(?P<key>[^"\\]+)"\s*:\s*(?P<value>"(?:\\.|[^"\\])*"|-?\d+(?:\.\d+)?|true|false|null)')


def lenient_object(text: str, keys: Iterable[str]) -> dict[str, Any]:
    """Return the JSON object in ``text``, tolerating the small defects of a hand-written example.

    tbook-api.md's authToken example ends with a trailing comma, which strict JSON refuses. The text is
    read as JSON, then as JSON without trailing commas, then by picking the documented ``keys`` out of
    it one by one (string, number or literal values). Returns {} when none of them can be found.
    A hand-written reader rather than a JSON-repair library: only these few keys are wanted, and a
    repairing parser would make an object out of any page (HTML included).
    """
    text = text.lstrip("\ufeff").strip()
    for candidate in (text, _TRAILING_COMMA.sub(lambda m: m.group(1) or m.group(2), text)):
        try:
            data = json.loads(candidate)
        except ValueError:
            continue
        return data if isinstance(data, dict) else {}
    wanted = set(keys)
    found: dict[str, Any] = {}
    for match in _PAIR.finditer(text):
        if match["key"] in wanted and match["key"] not in found:
            try:
                found[match["key"]] = json.loads(match["value"])
            except ValueError:
                continue
    return found


def expect_json(endpoint: str, response: httpx.Response, data: Any) -> Any:
    """Return ``data``; raise TBookProtocolError when the body was empty or not JSON."""
    if isinstance(data, Body):
        content_type = response.headers.get("Content-Type", "no content type")
        message = f"T-book sent an unexpected answer on {endpoint} ({response.status_code}): "
        message += f"the body is {data.value} ({content_type})"
        raise TBookProtocolError(message, status=response.status_code, endpoint=endpoint)
    return data


def one_learner(reply: tuple[httpx.Response, Any]) -> Learner:
    """Return the learner of a getOneLearner answer; raise TBookNotFound when the answer says nothing.

    tbook-api.md does not say how an unknown learner is answered; a 404 or an error envelope raise
    TBookNotFound before this, and an empty answer (empty body, null, "", {} or []) raises it here.
    """
    response, data = reply
    if is_nothing(data):
        message = f"{TBookNotFound.summary} ({response.status_code}, an empty answer) on getOneLearner"
        raise TBookNotFound(message, status=response.status_code, endpoint="getOneLearner")
    return parse(Learner.from_json, expect_json("getOneLearner", response, data), "getOneLearner")


def written_learner(endpoint: str, reply: tuple[httpx.Response, Any]) -> Learner | None:
    """Return the learner that a write's answer carries, or None: any 2xx without an error envelope is success.

    tbook-api.md shows no answer for insertLearner, updateLearner or removeLearnerSession: a learner,
    ``{"success": "1"}``, an empty body and any other body all mean the write was done. Raises
    RequestFailed only when the answer says ``"success": "0"`` (or 0, or false).
    """
    response, data = reply
    check_success(endpoint, response, data)
    learner = learner_in(data)
    if learner is None:
        return None
    try:
        return Learner.from_json(learner)
    except (KeyError, TypeError, ValueError, AttributeError):
        return None  # a partial learner is no learner; the write itself succeeded


def check_success(endpoint: str, response: httpx.Response, data: Any) -> None:
    """Raise RequestFailed when a 2xx answer says ``"success": "0"`` (or 0, or false)."""
    if isinstance(data, dict) and success_flag(data.get("success")) is False:
        status = response.status_code
        message = f"{RequestFailed.summary} ({status}, success={data.get('success')!r}) on {endpoint}"
        raise RequestFailed(message, status=status, code="request_failed", endpoint=endpoint)

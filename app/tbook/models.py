"""Typed T-book objects, parsed from T-book's JSON answers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from app.tbook.errors import TBookProtocolError

T = TypeVar("T")


def parse(kind: Callable[[Any], T], data: Any, endpoint: str) -> T:
    """Return ``kind(data)``; raise TBookProtocolError when the JSON lacks what T-book documents."""
    try:
        return kind(data)
    except (KeyError, TypeError, ValueError, AttributeError) as err:
        raise TBookProtocolError(
            f"T-book sent an unexpected answer on {endpoint}: missing or invalid {err.args[0] if err.args else 'field'}"
        ) from err


@dataclass(frozen=True)
class AccessToken:
    """A ``POST /token`` JWT; the token itself is masked in ``repr``."""

    access_token: str = field(repr=False)
    token_type: str
    expires_in: int
    obtained_at: float

    @property
    def expires_at(self) -> float:
        """Return the clock time at which T-book stops accepting the token."""
        return self.obtained_at + self.expires_in

    def is_fresh(self, now: float, margin: float) -> bool:
        """Return whether the token stays valid for at least ``margin`` more seconds."""
        return now < self.expires_at - margin

    def __repr__(self) -> str:
        return (
            f"AccessToken(access_token='***', token_type={self.token_type!r}, "
            f"expires_in={self.expires_in!r}, obtained_at={self.obtained_at!r})"
        )

    @classmethod
    def from_json(cls, data: dict, obtained_at: float) -> AccessToken:
        """Return the token of a ``/token`` answer; raise ValueError/KeyError if malformed."""
        token, token_type, expires_in = data["access_token"], data["token_type"], int(data["expires_in"])
        if not isinstance(token, str) or not token or str(token_type).lower() != "bearer" or expires_in <= 0:
            raise ValueError("access_token")
        return cls(token, token_type, expires_in, obtained_at)


@dataclass(frozen=True)
class ClientInfo:
    """The T-book client account (``GET /getClient``)."""

    name: str
    logo: str
    description: str
    city: str
    address: str
    zip: str

    def to_json(self) -> dict:
        """Return the client in T-book's field names (getClient's example)."""
        return {
            "name": self.name,
            "logo": self.logo,
            "description": self.description,
            "city": self.city,
            "address": self.address,
            "zip": self.zip,
        }

    @classmethod
    def from_json(cls, data: dict) -> ClientInfo:
        """Return the client described by ``data``."""
        return cls(
            data["name"],
            data.get("logo", ""),
            data.get("description", ""),
            data.get("city", ""),
            data.get("address", ""),
            data.get("zip", ""),
        )


@dataclass(frozen=True)
class Entity:
    """An entity of the client (``GET /getEntity``)."""

    entity_id: str
    name: str
    description: str
    address: str
    city: str
    zip: str
    language: str

    def to_json(self) -> dict:
        """Return the entity in T-book's field names (getEntity's example)."""
        return {
            "entityID": self.entity_id,
            "name": self.name,
            "description": self.description,
            "address": self.address,
            "city": self.city,
            "zip": self.zip,
            "language": self.language,
        }

    @classmethod
    def from_json(cls, data: dict) -> Entity:
        """Return the entity described by ``data``."""
        return cls(
            str(data["entityID"]),
            data["name"],
            data.get("description", ""),
            data.get("address", ""),
            data.get("city", ""),
            data.get("zip", ""),
            data.get("language", ""),
        )


@dataclass(frozen=True)
class Learner:
    """A learner as T-book returns it (``getOneLearner``, ``getAllLearners``)."""

    learner_id: str
    login: str
    entity_id: str
    entity_name: str
    civility: str
    lastname: str
    firstname: str
    code: str = ""
    job_title: str = ""
    seniority: str = ""
    level: str = ""
    contact_email: list[str] = field(default_factory=list)
    phone: str = ""
    filter: list[str] = field(default_factory=list)
    location: list[str] = field(default_factory=list)
    country: list[str] = field(default_factory=list)
    test_user: int = 0
    external_id: str | None = None

    def to_json(self) -> dict:
        """Return the learner in T-book's field names and shape (getOneLearner's example, then externalID)."""
        data = {
            "learnerID": self.learner_id,
            "login": self.login,
            "entity": {"entityID": self.entity_id, "entityName": self.entity_name},
            "civility": self.civility,
            "lastname": self.lastname,
            "firstname": self.firstname,
            "code": self.code,
            "jobTitle": self.job_title,
            "seniority": self.seniority,
            "level": self.level,
            "contactEmail": list(self.contact_email),
            "phone": self.phone,
            "filter": list(self.filter),
            "location": list(self.location),
            "country": list(self.country),
            "testUser": self.test_user,
        }
        if self.external_id is not None:
            data["externalID"] = self.external_id
        return data

    @classmethod
    def from_json(cls, data: dict) -> Learner:
        """Return the learner described by ``data`` (the shape of tbook-api.md's response example)."""
        entity = data["entity"]
        external_id = data.get("externalID")
        return cls(
            learner_id=str(data["learnerID"]),
            login=data["login"],
            entity_id=str(entity["entityID"]),
            entity_name=entity.get("entityName", ""),
            civility=data.get("civility", ""),
            lastname=data.get("lastname", ""),
            firstname=data.get("firstname", ""),
            code=data.get("code") or "",
            job_title=data.get("jobTitle") or "",
            seniority=str(data.get("seniority") or ""),
            level=data.get("level") or "",
            contact_email=_strings(data.get("contactEmail")),
            phone=data.get("phone") or "",
            filter=_strings(data.get("filter")),
            location=_strings(data.get("location")),
            country=_strings(data.get("country")),
            test_user=int(data.get("testUser") or 0),
            external_id=None if external_id in (None, "") else str(external_id),
        )


@dataclass(frozen=True)
class AuthToken:
    """An ``/authToken`` answer: a one-time URL valid 60 seconds; masked in ``repr``, never store it."""

    authentification_url: str = field(repr=False)

    def __repr__(self) -> str:
        return "AuthToken(authentification_url='***')"

    @classmethod
    def from_json(cls, data: dict) -> AuthToken:
        """Return the URL of an ``/authToken`` answer; raise ValueError/KeyError when it has none.

        ``success`` is checked by the client (``"1"``, 1 or true; the documented example has ``"1"``).
        """
        url = data["authentificationUrl"]
        if not isinstance(url, str) or not url.strip().startswith(("http://", "https://")):
            raise ValueError("authentificationUrl")
        return cls(url.strip())


def _strings(value: object) -> list[str]:
    """Return a list field as strings; T-book documents lists but a lone string is tolerated."""
    if value in (None, ""):
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]  # type: ignore[union-attr]

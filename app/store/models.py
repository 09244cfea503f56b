"""The gateway's persistent state: profiles, accounts, launch links, audit events and shared caches."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Integer, LargeBinary, String, Text, true
from sqlalchemy.orm import Mapped, mapped_column

from app.store import db


def utcnow() -> datetime:
    return datetime.now(UTC)


class Profile(db.Model):
    """A learner's or teacher's T-book profile, keyed by login (T-book's e-mail-formatted login)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(254), unique=True, index=True)
    # A stable, opaque LTI user_id: it never leaks the login and survives a login change.
    lti_user_id: Mapped[str] = mapped_column(String(32), unique=True, default=lambda: uuid.uuid4().hex)
    user_type: Mapped[str] = mapped_column(String(10), default="learner")
    entity_id: Mapped[str] = mapped_column(String(64))
    external_id: Mapped[str | None] = mapped_column(String(64))
    civility: Mapped[str] = mapped_column(String(3))
    lastname: Mapped[str] = mapped_column(String(200))
    firstname: Mapped[str] = mapped_column(String(200))
    code: Mapped[str | None] = mapped_column(String(200))
    job_title: Mapped[str | None] = mapped_column(String(200))
    seniority: Mapped[str | None] = mapped_column(String(200))
    level: Mapped[str | None] = mapped_column(String(200))
    contact_email: Mapped[list[str]] = mapped_column(JSON, default=list)
    phone: Mapped[str | None] = mapped_column(String(64))
    filter: Mapped[list[str]] = mapped_column(JSON, default=list)
    location: Mapped[list[str]] = mapped_column(JSON, default=list)
    country: Mapped[list[str]] = mapped_column(JSON, default=list)
    test_user: Mapped[int] = mapped_column(Integer, default=0)
    assignation: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    @property
    def full_name(self) -> str:
        return f"{self.firstname} {self.lastname}".strip()


class Account(db.Model):
    """A local sign-in (GATEWAY_AUTH=local); matched to its profile by login."""

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(254), unique=True, index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class LaunchLink(db.Model):
    """What an intranet "Open T-book" button points at: /launch/<slug>."""

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    title: Mapped[str] = mapped_column(String(200))
    mode: Mapped[str] = mapped_column(String(10), default="lti")  # lti | authtoken | auto
    connection_type: Mapped[str] = mapped_column(String(5), default="login")  # login | id
    debug: Mapped[bool] = mapped_column(Boolean, default=False)
    new_window: Mapped[bool] = mapped_column(Boolean, default=False)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    # Sent as LTI's resource_link_description: a few plain lines a Tool Provider may show beside the link.
    description: Mapped[str | None] = mapped_column(String(1000))
    # False leaves lis_person_* (name, e-mail) out of the launch; custom_data still carries the whole profile.
    send_lis_person: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class AuditEvent(db.Model):
    """One audited fact; `hash` chains it to the previous event of its chain so that an edited row shows."""

    id: Mapped[int] = mapped_column(primary_key=True)
    # Each gateway process writes its own chain (see AuditChainHead), so writers never wait for each other.
    chain_id: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    actor: Mapped[str | None] = mapped_column(String(254), index=True)
    # Every launch inserts a row, and each index is one more page written per click: only the filters that
    # narrow a large log (time, user, correlation id) are indexed; action, outcome and link take a few values.
    action: Mapped[str] = mapped_column(String(64))
    link_slug: Mapped[str | None] = mapped_column(String(64))
    mode: Mapped[str | None] = mapped_column(String(10))
    outcome: Mapped[str] = mapped_column(String(16))
    tbook_status: Mapped[int | None] = mapped_column(Integer)
    correlation_id: Mapped[str | None] = mapped_column(String(64), index=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditChainHead(db.Model):
    """The head of one process's audit chain: its last hash, so that removing the newest event shows too."""

    id: Mapped[int] = mapped_column(primary_key=True)
    last_hash: Mapped[str] = mapped_column(String(64))
    count: Mapped[int] = mapped_column(Integer, default=0)  # events ever written to this chain
    purged: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # of which removed by retention
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    process: Mapped[str | None] = mapped_column(String(128))
    # Which GATEWAY_AUDIT_KEY seals this chain's events (its key id), or None: plain SHA-256, unkeyed.
    key_id: Mapped[str | None] = mapped_column(String(16))


class Setting(db.Model):
    """An admin-set value (T-book credentials, environment); secrets are stored Fernet-encrypted."""

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    encrypted: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    updated_by: Mapped[str | None] = mapped_column(String(254))


class TokenCache(db.Model):
    """T-book's access token, shared by every worker and instance (encrypted when a key is set)."""

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    access_token: Mapped[str | None] = mapped_column(Text)
    token_type: Mapped[str | None] = mapped_column(String(32))
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    obtained_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # A refresher holds the lease until this time so that only one caller asks T-book for a token.
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class KnownLearner(db.Model):
    """A learner the gateway has seen in T-book (found or created) under one T-book account.

    Its clicks go straight to /authToken, one T-book call instead of two; the row goes when T-book says it does
    not know the learner after all (app/store/known_learners.py).
    """

    login: Mapped[str] = mapped_column(String(254), primary_key=True)
    # Which T-book account (API URL and client id, hashed): a learner known to the sandbox is not known to live.
    account: Mapped[str] = mapped_column(String(64), primary_key=True)
    seen: Mapped[str] = mapped_column(String(8))  # found | created
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class UsedNonce(db.Model):
    """One-time values already consumed (a click's fallback, a signed link), kept until they expire."""

    value: Mapped[str] = mapped_column(String(128), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class SignInSession(db.Model):
    """A signed-in browser (local form or signed link): the session cookie names it; deleting it signs it out."""

    # The SHA-256 of the cookie's random session token: a copy of this table opens no session.
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    login: Mapped[str] = mapped_column(String(254), index=True)
    via: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


class SyncRun(db.Model):
    """One sync of the learner profiles into T-book (`flask sync` or the console's button): how far and how it went."""

    # Also the correlation id of the run's audit events.
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    actor: Mapped[str] = mapped_column(String(254))
    entity_id: Mapped[str | None] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16))  # running | finished | stopped | interrupted
    total: Mapped[int] = mapped_column(Integer, default=0)  # learners to write to
    done: Mapped[int] = mapped_column(Integer, default=0)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    failures: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    message: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class SyncLock(db.Model):
    """The one sync running at a time, for every instance: its run and until when its lease holds."""

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    run_id: Mapped[str | None] = mapped_column(String(32))
    # The run renews it as it goes; a run whose process died lets it lapse, and the next run may start.
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ProfileUpload(db.Model):
    """A CSV of profiles an admin uploaded: kept for a while so that a check can be confirmed without uploading
    it again, and imported in the background when large, with its progress and report for any instance to show."""

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # random; pages name it by a signed token
    actor: Mapped[str] = mapped_column(String(254))
    filename: Mapped[str] = mapped_column(String(255))
    digest: Mapped[str] = mapped_column(String(64))  # SHA-256 of the file: the same file sent twice is one job
    data: Mapped[bytes] = mapped_column(LargeBinary)
    lines: Mapped[int] = mapped_column(Integer)  # the file's lines, the unit of `done`
    # uploaded -> checking -> checked -> importing -> imported; failed from either run.
    state: Mapped[str] = mapped_column(String(16))
    done: Mapped[int] = mapped_column(Integer, default=0)
    report: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)

"""T-book Web Service API client: plain Python, settings passed in, no Flask."""

from app.tbook import deadline
from app.tbook.client import TBookClient
from app.tbook.deadline import DeadlineExceeded
from app.tbook.errors import (
    BadRequest,
    MethodNotAllowed,
    RequestFailed,
    ServerError,
    TBookConflict,
    TBookConnectionError,
    TBookError,
    TBookForbidden,
    TBookNotFound,
    TBookProtocolError,
    TooManyRequests,
    Unauthorized,
)
from app.tbook.models import AccessToken, AuthToken, ClientInfo, Entity, Learner
from app.tbook.retry import RetryPolicy
from app.tbook.token_store import MemoryTokenStore, TokenStore

__all__ = [
    "AccessToken",
    "AuthToken",
    "BadRequest",
    "ClientInfo",
    "DeadlineExceeded",
    "Entity",
    "Learner",
    "MemoryTokenStore",
    "MethodNotAllowed",
    "RequestFailed",
    "RetryPolicy",
    "ServerError",
    "TBookClient",
    "TBookConflict",
    "TBookConnectionError",
    "TBookError",
    "TBookForbidden",
    "TBookNotFound",
    "TBookProtocolError",
    "TokenStore",
    "TooManyRequests",
    "Unauthorized",
    "deadline",
]

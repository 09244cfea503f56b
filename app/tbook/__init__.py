"""T-book Web Service API client: plain Python, settings passed in, no Flask."""

from app.tbook.client import TBookClient
from app.tbook.errors import (
    BadRequest,
    Conflict,
    Forbidden,
    MethodNotAllowed,
    NotFound,
    RequestFailed,
    ServerError,
    TBookConnectionError,
    TBookError,
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
    "Conflict",
    "Entity",
    "Forbidden",
    "Learner",
    "MemoryTokenStore",
    "MethodNotAllowed",
    "NotFound",
    "RequestFailed",
    "RetryPolicy",
    "ServerError",
    "TBookClient",
    "TBookConnectionError",
    "TBookError",
    "TBookProtocolError",
    "TokenStore",
    "TooManyRequests",
    "Unauthorized",
]

"""Who is asking, from where: set once per request so audit events can carry it."""

import contextvars
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestInfo:
    request_id: str = ""
    ip_address: str | None = None
    user_agent: str = ""


_NO_REQUEST = RequestInfo()
_current: contextvars.ContextVar[RequestInfo | None] = contextvars.ContextVar("roundtable_request_info", default=None)


def current_request_info() -> RequestInfo:
    return _current.get() or _NO_REQUEST


def set_request_info(info: RequestInfo) -> contextvars.Token:
    return _current.set(info)


def reset_request_info(token: contextvars.Token) -> None:
    _current.reset(token)

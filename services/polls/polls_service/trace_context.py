"""W3C Trace Context with the standard library: the `traceparent` a request came with (the gateway sends one
when tracing is on) is kept for the request's thread and passed on in what the request causes: its publish
to the gateway, directly or through the outbox (the row keeps it for the relay). This service records no spans
of its own; its work shows in the trace as the gateway's proxy span and the gateway's publish that continues it."""
from __future__ import annotations

import re
from contextvars import ContextVar

# version-traceid-parentid-flags, lowercase hex, ids not all zeros, version ff invalid.
TRACEPARENT = re.compile(r"^(?!ff)[0-9a-f]{2}-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}$")

_current: ContextVar[str | None] = ContextVar("traceparent", default=None)


def begin(header: str | None) -> None:
    """Called as a request starts: keeps its `traceparent` when valid, forgets any previous request's."""
    value = (header or "").strip()
    _current.set(value if TRACEPARENT.match(value) else None)


def current() -> str | None:
    """The `traceparent` of the request being handled on this thread, if it came with a valid one."""
    return _current.get()


def headers(traceparent: str | None) -> dict[str, str]:
    """The header that passes `traceparent` on, or none."""
    return {"traceparent": traceparent} if traceparent else {}

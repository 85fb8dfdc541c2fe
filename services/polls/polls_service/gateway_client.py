"""Talks to the gateway over HTTP: publishes stream actions (this stack has no bus
client) and asks a channel's position for the `data-dx-after` it renders."""
from __future__ import annotations

import json
import logging
import urllib.error
import urllib.parse
import urllib.request

from . import trace_context
from .signing import publish_credential

log = logging.getLogger("polls")

# A render waits on the position: keep it well under the gateway's widget timeout.
POSITION_TIMEOUT_S = 0.5
PUBLISH_TIMEOUT_S = 2.0


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None  # a redirect would carry the credential elsewhere: treat it as the error it is


# Straight to the gateway: never through an HTTP_PROXY from the environment, never after a redirect,
# since every call carries the publish credential.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect)


class GatewayClient:
    def __init__(self, base_url: str, secret: str, service: str):
        self._base = base_url
        self._authorization = f"Bearer {publish_credential(secret, service)}"

    def _call(self, method: str, path: str, body: dict[str, object] | None, timeout: float, traceparent: str | None = None) -> dict[str, object]:
        data = None if body is None else json.dumps(body).encode("utf-8")
        request = urllib.request.Request(f"{self._base}{path}", data=data, method=method, headers=trace_context.headers(traceparent))
        request.add_header("authorization", self._authorization)
        if data is not None:
            request.add_header("content-type", "application/json")
        with _OPENER.open(request, timeout=timeout) as response:
            answer = json.loads(response.read() or b"{}")
        if not isinstance(answer, dict):
            raise ValueError(f"the gateway answered {type(answer).__name__} JSON, not an object: is DX_GATEWAY_INTERNAL_URL the gateway?")
        return answer

    def channel_after(self, channel: str) -> str | None:
        """The channel's position now (`<epoch>:<offset>`, or `:0` when empty); None when the gateway cannot tell."""
        try:
            answer = self._call("GET", f"/_dx/publish/position?channel={urllib.parse.quote(channel)}", None, POSITION_TIMEOUT_S)
        except (OSError, ValueError) as error:
            log.warning("cannot read the position of %s from the gateway: %s", channel, _reason(error))
            return None
        after = answer.get("after")
        return after if isinstance(after, str) else None

    def deliver(self, update: dict[str, object], traceparent: str | None = None) -> str:
        """Publishes one live update for the outbox relay, in the trace of the request that wrote it: "ok"; "retry"
        when the gateway or its broker is away (no answer, 5xx, 408, 429); "refused" when the gateway says the update
        itself is wrong (other 4xx)."""
        try:
            self._call("POST", "/_dx/publish", update, PUBLISH_TIMEOUT_S, traceparent)
            return "ok"
        except urllib.error.HTTPError as error:
            if 400 <= error.code < 500 and error.code not in (408, 429):
                log.warning("the gateway refused an update to %s: %s", update.get("channel"), _reason(error))
                return "refused"
            return "retry"
        except (OSError, ValueError):
            return "retry"

    def publish(self, channel: str, actions: list[dict[str, object]], priority: str = "content") -> bool:
        """Publishes stream actions; a failure is logged (the change is stored; pages see it on their next render)."""
        try:
            self._call("POST", "/_dx/publish", {"channel": channel, "actions": actions, "priority": priority}, PUBLISH_TIMEOUT_S, trace_context.current())
            return True
        except (OSError, ValueError) as error:
            log.warning("publishing to %s failed: %s", channel, _reason(error))
            return False


def _reason(error: Exception) -> str:
    if isinstance(error, urllib.error.HTTPError):
        try:
            answer = json.loads(error.read())
        except ValueError:
            return str(error.code)
        return f"{error.code} {answer.get('error', '') if isinstance(answer, dict) else ''}"
    return str(error)

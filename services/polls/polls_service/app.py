"""What every request shares (`App`) and what one request carries (`Context`)."""
from __future__ import annotations

import time
from dataclasses import dataclass

from .faults import Faults
from .gateway_client import GatewayClient
from .outbox_relay import OutboxRelay
from .security import security_headers
from .settings import NAME, Settings
from .signing import Identity
from .store import PollStore


@dataclass
class Context:
    request_id: str
    fragment: bool
    htmx: bool
    identity: Identity | None
    voter: str
    new_voter_cookie: str | None


def own_session(context: Context) -> str | None:
    """The session of a browser on the service's own URL: its voter cookie's id (stable across reloads)."""
    if context.identity is not None or not context.voter.startswith("local:"):
        return None
    return context.voter[len("local:"):]


class App:
    """What every request shares: settings, the store, the gateway client."""

    def __init__(self, settings: Settings, store: PollStore):
        self.settings = settings
        self.store = store
        self.gateway = GatewayClient(settings.gateway_internal_url, settings.secret, NAME)
        # Started and stopped with the server (polls.py); idle in tests that only handle requests.
        self.relay = OutboxRelay(store.outbox, self.gateway, poll_s=settings.outbox_poll_s, lease_s=settings.outbox_lease_s)
        self.started = time.time()
        self.faults = Faults()
        self.security_headers = security_headers(settings.gateway_url)

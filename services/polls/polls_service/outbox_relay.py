"""Publishes the outbox to the gateway (`POST /_dx/publish`) on a background thread: in order, each update
deleted once the gateway has taken it, the oldest retried with backoff while the gateway or its broker is
away, woken right after each commit and polling slowly as a safety net. One process per database relays
at a time (a lease in the same file). At least once: a repeat carries the same order key, which pages skip.
"""
from __future__ import annotations

import contextlib
import json
import logging
import random
import threading
import time
import uuid
from collections.abc import Callable

from .gateway_client import GatewayClient
from .outbox import Outbox

log = logging.getLogger("polls")


def default_backoff(attempt: int) -> float:
    """Seconds before the `attempt`-th retry: 0.1 s doubling up to 10 s, each between 50% and 100% of that."""
    ceiling = min(10.0, 0.1 * 2 ** max(0, attempt - 1))
    return float(ceiling * (0.5 + random.random() * 0.5))


class OutboxRelay:
    def __init__(self, outbox: Outbox, gateway: GatewayClient, poll_s: float = 1.0, lease_s: float = 3.0, backoff: Callable[[int], float] = default_backoff):
        self._outbox = outbox
        self._gateway = gateway
        self._poll_s = poll_s
        self._lease_s = lease_s
        self._backoff = backoff
        self._holder = uuid.uuid4().hex
        self._wake = threading.Event()
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None
        self._renewed = 0.0
        self.published = 0
        outbox.on_commit(self._wake.set)

    def start(self) -> OutboxRelay:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="outbox-relay", daemon=True)
            self._thread.start()
        return self

    def stop(self, grace_s: float = 2.0) -> None:
        """Stops relaying and hands the lease on; an update in flight is published again by the next holder."""
        self._stopped.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(grace_s)
        # The database may be closing; the lease then runs out by itself.
        with contextlib.suppress(Exception):
            self._outbox.release_lease(self._holder)

    def _hold(self) -> bool:
        # Renewed when a third of it is gone: a busy relay does not write the lease on every update.
        if time.time() - self._renewed < self._lease_s / 3:
            return True
        if self._outbox.take_lease(self._holder, self._lease_s):
            self._renewed = time.time()
            return True
        self._renewed = 0.0
        return False

    def _pause(self, seconds: float, wakeable: bool) -> None:
        if wakeable:
            self._wake.wait(seconds)
            self._wake.clear()
        else:
            self._stopped.wait(seconds)

    def _run(self) -> None:
        attempt = 0
        reported = False
        while not self._stopped.is_set():
            try:
                if not self._hold():
                    self._pause(self._poll_s, True)
                    continue
                rows = self._outbox.batch()
                if not rows:
                    self._pause(self._poll_s, True)
                    continue
                for seq, update, traceparent in rows:
                    if self._stopped.is_set() or not self._hold():
                        break
                    outcome = self._gateway.deliver(update, traceparent)
                    if outcome == "retry":
                        attempt += 1
                        if not reported:
                            log.warning(json.dumps({"msg": "outbox relay: the gateway does not take updates; retrying with backoff (changes are stored)", "seq": seq}))
                        reported = True
                        self._pause(self._backoff(attempt), False)
                        break
                    if outcome == "refused":
                        log.error(json.dumps({"msg": "outbox relay: the gateway refuses this update; it is dropped", "seq": seq}))
                    elif reported:
                        log.info(json.dumps({"msg": "outbox relay: the gateway takes updates again; catching up", "seq": seq}))
                    attempt, reported = 0, False
                    self.published += 1
                    self._outbox.delete(seq)
            except Exception as error:  # noqa: BLE001 - the thread must outlive any one failure
                attempt += 1
                log.warning(json.dumps({"msg": "outbox relay: reading the outbox failed; retrying", "reason": str(error)}))
                self._pause(self._backoff(attempt), False)

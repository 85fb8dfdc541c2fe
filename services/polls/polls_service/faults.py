"""Faults the gateway sets on this process (docs/protocol.md §3.1): added latency and
a share of requests answered with an error, to rehearse failure. Off until the
gateway's `PUT /_dx/faults` (with its fault credential) switches them on; a
restart forgets them. Bus faults (dropped or delayed publishes, a slow consumer)
do not apply: this service has no bus client."""
from __future__ import annotations

import json
import random
from dataclasses import dataclass

from .signing import b64url, credential_mac

FAULTS_PATH = "/_dx/faults"
_RATES = ("errorRate", "publishDropRate")
_DELAYS = ("latencyMs", "publishDelayMs", "consumerDelayMs")


def faults_credential(secret: str, service: str) -> str:
    """base64url of the faults MAC of the service's name (docs/protocol.md §3.1), as packages/protocol makes it."""
    return b64url(credential_mac(secret, "faults", service))


class InvalidFaults(ValueError):
    pass


@dataclass
class Faults:
    latency_ms: int = 0
    error_rate: float = 0.0
    error_status: int = 503

    def fails_now(self) -> bool:
        return self.error_rate > 0 and random.random() < self.error_rate

    def as_json(self) -> dict[str, object]:
        return {"latencyMs": self.latency_ms, "errorRate": self.error_rate, "errorStatus": self.error_status, "publishDropRate": 0, "publishDelayMs": 0, "consumerDelayMs": 0}


def parse_faults(body: bytes) -> Faults:
    """The faults in a JSON body, with the protocol's bounds; InvalidFaults names the field that breaks them."""
    try:
        value = json.loads(body or b"{}")
    except ValueError as error:
        raise InvalidFaults(f"the body is not JSON ({error})") from error
    if not isinstance(value, dict):
        raise InvalidFaults("send a JSON object")
    known = set(_RATES + _DELAYS + ("errorStatus",))
    for name, field in value.items():
        if name not in known:
            raise InvalidFaults(f"{name} is not a fault (known: {', '.join(sorted(known))})")
        if isinstance(field, bool) or not isinstance(field, (int, float)):
            raise InvalidFaults(f"{name} must be a number")
        if name in _RATES and not 0 <= field <= 1:
            raise InvalidFaults(f"{name} must be between 0 and 1")
        if name in _DELAYS and not (0 <= field <= 60_000 and field == int(field)):
            raise InvalidFaults(f"{name} must be a whole number of ms from 0 to 60000")
    status = value.get("errorStatus", 503)
    if status not in (500, 502, 503, 504):
        raise InvalidFaults("errorStatus must be 500, 502, 503 or 504")
    return Faults(latency_ms=int(value.get("latencyMs", 0)), error_rate=float(value.get("errorRate", 0)), error_status=int(status))

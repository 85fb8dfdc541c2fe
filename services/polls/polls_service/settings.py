"""Settings from the environment, as `distributex start` passes them."""
from __future__ import annotations

import os
from dataclasses import dataclass

from .secret import load_secret

NAME = "polls"
VERSION = "0.1.0"
TITLE = "Polls"
MOUNT = "/polls"
# The largest form accepted; declared in the manifest so the gateway refuses larger ones first.
MAX_BODY_BYTES = 64 * 1024


@dataclass(frozen=True)
class Settings:
    port: int
    host: str
    data_dir: str
    secret: str
    # Where people open the main app (links back, shared stylesheet).
    gateway_url: str
    # Where this service reaches the gateway to publish (may differ inside a cluster).
    gateway_internal_url: str
    # The outbox relay: how often it looks when nothing woke it, and how long its lease lasts.
    outbox_poll_s: float = 1.0
    outbox_lease_s: float = 3.0


def _milliseconds(env: dict[str, str], name: str, default: int, low: int, high: int) -> float:
    text = env.get(name, "")
    if text == "":
        return default / 1000
    if not text.isdigit() or not low <= int(text) <= high:
        raise SystemExit(f"polls: {name} must be a whole number of milliseconds from {low} to {high}, got {text!r}")
    return int(text) / 1000


def load_settings(env: dict[str, str] | None = None) -> Settings:
    env = dict(os.environ if env is None else env)
    port_text = env.get("PORT", "4004")
    if not port_text.isdigit() or not 0 <= int(port_text) <= 65535:
        raise SystemExit(f"polls: PORT must be a number from 0 to 65535, got {port_text!r}")
    data_dir = env.get("DX_DATA_DIR", "data")
    gateway_url = env.get("DX_GATEWAY_URL", "http://localhost:4040").rstrip("/")
    return Settings(
        port=int(port_text),
        host=env.get("DX_HOST", "127.0.0.1"),
        data_dir=data_dir,
        secret=load_secret(env, data_dir),
        gateway_url=gateway_url,
        gateway_internal_url=env.get("DX_GATEWAY_INTERNAL_URL", gateway_url).rstrip("/"),
        outbox_poll_s=_milliseconds(env, "DX_OUTBOX_POLL_MS", 1000, 10, 60_000),
        outbox_lease_s=_milliseconds(env, "DX_OUTBOX_LEASE_MS", 3000, 300, 600_000),
    )

"""The protocol's signatures: the gateway's identity header, channel tokens, page sessions, the publish credential.

Byte for byte what packages/protocol does, so the gateway and this service agree: every
credential is a MAC under a key derived per purpose from DX_SECRET (docs/protocol.md §1.4).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from dataclasses import dataclass

# Tokens outlive a page left open over a weekend, as in the TypeScript services.
CHANNEL_TOKEN_TTL_SECONDS = 7 * 24 * 3600


class IdentityError(Exception):
    """The identity header is malformed, forged or expired (answered with 401)."""


@dataclass(frozen=True)
class Identity:
    sub: str
    sid: str
    exp: int
    name: str | None = None


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def purpose_key(secret: str, purpose: str) -> bytes:
    """`HMAC-SHA256(secret, "distributex <purpose> v1")`: the key for one kind of credential."""
    return hmac.new(secret.encode(), f"distributex {purpose} v1".encode(), hashlib.sha256).digest()


def credential_mac(secret: str, purpose: str, message: str) -> bytes:
    """`HMAC-SHA256(purpose_key(secret, purpose), message)`: what every credential is built on."""
    return hmac.new(purpose_key(secret, purpose), message.encode("utf-8"), hashlib.sha256).digest()


def b64url(data: bytes) -> str:
    """base64url without padding, as every credential is written."""
    return _b64url(data)


def verify_identity(secret: str, token: str, now: float | None = None) -> Identity:
    """Checks `<payload>.<signature>` in constant time, then the payload and its expiry."""
    payload, dot, signature = token.partition(".")
    if not payload or not dot or "." in signature:
        raise IdentityError('identity token must be "<payload>.<signature>"')
    try:
        given = _unb64url(signature)
    except ValueError:
        given = b""
    if not hmac.compare_digest(given, credential_mac(secret, "identity", payload)):
        raise IdentityError("identity signature does not match: the gateway and this service must share DX_SECRET")
    try:
        data = json.loads(_unb64url(payload))
    except ValueError as error:
        raise IdentityError("identity payload is not JSON") from error
    if not isinstance(data, dict):
        raise IdentityError("identity payload must be a JSON object")
    sub, sid, exp, name = data.get("sub"), data.get("sid"), data.get("exp"), data.get("name")
    if not isinstance(sub, str) or not 0 < len(sub) <= 200 or not isinstance(sid, str) or not 0 < len(sid) <= 100:
        raise IdentityError("identity payload is invalid: sub and sid must be non-empty strings")
    if not isinstance(exp, int) or isinstance(exp, bool):
        raise IdentityError("identity payload is invalid: exp must be seconds since the epoch")
    if exp < (time.time() if now is None else now):
        raise IdentityError("identity has expired; the gateway signs a fresh one per request")
    return Identity(sub=sub, sid=sid, exp=exp, name=name if isinstance(name, str) else None)


def sign_channel_token(secret: str, channel: str, session_id: str, now: float | None = None) -> str:
    """`<expiry>.<base64url channel-token MAC of "<channel>|<sid>|<expiry>">`."""
    expiry = int(time.time() if now is None else now) + CHANNEL_TOKEN_TTL_SECONDS
    return f"{expiry}.{_b64url(credential_mac(secret, 'channel-token', f'{channel}|{session_id}|{expiry}'))}"


def sign_page_session(secret: str, session_id: str) -> str:
    """A page's session for the gateway's hub, as `?page=` of its live URL: `<sid>.<base64url live-page MAC of "<sid>">`."""
    return f"{session_id}.{_b64url(credential_mac(secret, 'live-page', session_id))}"


def publish_credential(secret: str, service: str) -> str:
    """What the gateway's publish endpoint expects: `<service>.<hex publish MAC of the service name>` (docs/protocol.md §10.1)."""
    return f"{service}.{credential_mac(secret, 'publish', service).hex()}"

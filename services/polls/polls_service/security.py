"""The browser defenses on every response (docs/security.md), the same policy the
gateway and the TypeScript SDK send: a strict Content-Security-Policy (nothing
inline, nothing evaluated; the shared assets come from the gateway's origin), no
framing, no sniffing, a private referrer policy, no powerful features."""
from __future__ import annotations

from urllib.parse import urlsplit

PERMISSIONS = ("accelerometer", "camera", "geolocation", "gyroscope", "magnetometer", "microphone", "payment", "usb")


def security_headers(gateway_url: str) -> dict[str, str]:
    parts = urlsplit(gateway_url)
    gateway = f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") and parts.netloc else ""
    assets = f"'self' {gateway}".strip()
    # The own page's live connection goes to the gateway's hub (WebSocket, or SSE).
    live = f"{gateway} {gateway.replace('http', 'ws', 1)}" if gateway else ""
    policy = "; ".join(
        [
            "default-src 'none'",
            f"script-src {assets}",
            f"style-src {assets}",
            "img-src 'self' data:",
            "font-src 'self'",
            f"connect-src 'self' {live}".strip(),
            "form-action 'self'",
            "base-uri 'none'",
            "object-src 'none'",
            "frame-ancestors 'none'",
            "report-uri /_dx/csp-report",
        ]
    )
    return {
        "content-security-policy": policy,
        "x-content-type-options": "nosniff",
        "referrer-policy": "strict-origin-when-cross-origin",
        "permissions-policy": ", ".join(f"{feature}=()" for feature in PERMISSIONS),
        "cross-origin-opener-policy": "same-origin",
        "x-frame-options": "DENY",
    }

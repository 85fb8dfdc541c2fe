"""Request safety, as the protocol asks of every service: refuse cross-site form
posts, and send a plain form post back only to a path (never another site)."""
from __future__ import annotations

from typing import Protocol
from urllib.parse import urlsplit


class Headers(Protocol):
    """What is read of the request headers: `http.client.HTTPMessage` or a plain dict."""

    def get(self, name: str, /) -> str | None: ...


SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def is_cross_origin(method: str, headers: Headers) -> bool:
    """True when a browser sent this unsafe request from another origin."""
    if method.upper() in SAFE_METHODS:
        return False
    site = headers.get("sec-fetch-site")
    if site is not None:
        return site in ("cross-site", "same-site")
    origin = headers.get("origin")
    if origin is None:
        return False
    if origin == "null":
        return True
    try:
        return bool(urlsplit(origin).netloc != headers.get("host"))
    except ValueError:
        return True


def back_path(referer: str | None, fallback: str) -> str:
    """The path (and query) of the page a form came from."""
    if not referer:
        return fallback
    try:
        parts = urlsplit(referer)
    except ValueError:
        return fallback
    if not parts.scheme or not parts.netloc:
        return fallback
    path = parts.path or "/"
    # "//evil.example" would leave the site, and so would "/\evil.example" (browsers read a backslash as a slash).
    if path[1:2] in ("/", "\\"):
        return fallback
    return path + (f"?{parts.query}" if parts.query else "")

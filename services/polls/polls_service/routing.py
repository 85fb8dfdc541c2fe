"""Which action answers a request: the route table, apart from the HTTP plumbing (handler.py)
and the rendering (rendering.py). Pure: a method and a path in, a `Route` out."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from .faults import FAULTS_PATH
from .settings import MOUNT

VOTE_PATH = re.compile(rf"^{MOUNT}/polls/(\d{{1,12}})/vote$")

Action = Literal["manifest", "health", "page", "create", "vote", "faults", "not_found", "unsupported"]


@dataclass(frozen=True)
class Route:
    action: Action
    # The poll a vote is for.
    poll_id: int | None = None
    # A state-changing request: refused first when a browser sent it from another site (§7.1).
    refuse_cross_site: bool = False


def under_mount(path: str) -> bool:
    """The service's own pages and forms, where the faults the gateway sets apply."""
    return path == MOUNT or path.startswith(f"{MOUNT}/")


def route(method: str, path: str) -> Route:
    if method in ("GET", "HEAD"):
        if path == "/_dx/manifest":
            return Route("manifest")
        if path == "/health":
            return Route("health")
        if path in (MOUNT, f"{MOUNT}/"):
            return Route("page")
        return Route("not_found")
    if method == "POST":
        if path == f"{MOUNT}/polls":
            return Route("create", refuse_cross_site=True)
        match = VOTE_PATH.match(path)
        if match:
            return Route("vote", poll_id=int(match.group(1)), refuse_cross_site=True)
        return Route("not_found", refuse_cross_site=True)
    if path == FAULTS_PATH and method in ("PUT", "PATCH", "DELETE"):
        return Route("faults")
    return Route("unsupported", refuse_cross_site=True)

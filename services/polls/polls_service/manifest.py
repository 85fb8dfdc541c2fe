"""The manifest served at /_dx/manifest (the shape of packages/protocol's ManifestSchema)."""
from __future__ import annotations

from .settings import MAX_BODY_BYTES, MOUNT, NAME, TITLE, VERSION

CHANNEL = f"{NAME}:polls"

MANIFEST = {
    "protocol": 1,
    "name": NAME,
    "version": VERSION,
    "title": TITLE,
    "mount": MOUNT,
    "bodyLimit": MAX_BODY_BYTES,
    "routes": [f"GET {MOUNT}", f"POST {MOUNT}/polls", f"POST {MOUNT}/polls/:id/vote"],
    "widgets": [
        {
            "name": "poll",
            "title": TITLE,
            "path": MOUNT,
            "description": "Ask a question, vote once, watch the results move live",
            "assets": {"css": [], "js": []},
        }
    ],
}

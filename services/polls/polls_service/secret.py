"""The secret shared with the gateway: DX_SECRET, or the development secret in <data>/.dx-secret."""
from __future__ import annotations

import os
import secrets
import time

MIN_LENGTH = 32


def load_secret(env: dict[str, str], data_dir: str) -> str:
    from_env = env.get("DX_SECRET")
    if from_env is not None:
        if len(from_env) < MIN_LENGTH:
            raise SystemExit(f"polls: DX_SECRET must be at least {MIN_LENGTH} characters; generate one with: openssl rand -hex 32")
        return from_env
    path = os.path.join(data_dir, ".dx-secret")
    try:
        with open(path, encoding="utf-8") as file:
            stored = file.read().strip()
        if len(stored) >= MIN_LENGTH:
            return stored
    except FileNotFoundError:
        pass
    os.makedirs(data_dir, exist_ok=True)
    # Created exclusively, like the gateway does: whoever writes first wins, the other reads it.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read_theirs(path)
    value = secrets.token_hex(32)
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        file.write(value)
    return value


def _read_theirs(path: str) -> str:
    """The secret another process just created; never a short or empty one, which anyone could sign with."""
    for _ in range(20):  # the other process may still be writing it
        with open(path, encoding="utf-8") as file:
            stored = file.read().strip()
        if len(stored) >= MIN_LENGTH:
            return stored
        time.sleep(0.05)
    raise SystemExit(f"polls: {path} holds no usable secret (fewer than {MIN_LENGTH} characters); delete it to have a new one made, or set DX_SECRET")

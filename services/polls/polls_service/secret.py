"""The secret shared with the gateway: DX_SECRET, or the development secret in <data>/.dx-secret."""
from __future__ import annotations

import os
import secrets

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
        with open(path, encoding="utf-8") as file:
            return file.read().strip()
    value = secrets.token_hex(32)
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        file.write(value)
    return value

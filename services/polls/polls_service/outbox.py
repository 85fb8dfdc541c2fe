"""The outbox: live updates a change causes, written in the change's own transaction and published later
by the relay (outbox_relay.py), in order, whatever the gateway or its broker is doing at that moment.

`seq` is the order key: SQLite has one writer at a time (changes begin with BEGIN IMMEDIATE), so keys
follow commit order, also across processes sharing the file. The epoch, made once per database, goes
with each key (`<epoch>:<seq>`) so a browser never compares keys of two databases.
"""
from __future__ import annotations

import json
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from . import trace_context

OUTBOX_SCHEMA = """
CREATE TABLE IF NOT EXISTS dx_outbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  body TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS dx_outbox_epoch (
  name TEXT PRIMARY KEY,
  epoch TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS dx_outbox_lease (
  name TEXT PRIMARY KEY,
  holder TEXT NOT NULL,
  until REAL NOT NULL
);
"""

NAME = "outbox"


class Outbox:
    """The outbox of one store; shares the store's connection and lock."""

    def __init__(self, db: sqlite3.Connection, lock: threading.Lock):
        self._db = db
        self._lock = lock
        self._listeners: list[Callable[[], None]] = []
        with lock:
            db.execute("INSERT OR IGNORE INTO dx_outbox_epoch (name, epoch) VALUES (?, ?)", (NAME, uuid.uuid4().hex[:16]))
            self.epoch: str = db.execute("SELECT epoch FROM dx_outbox_epoch WHERE name = ?", (NAME,)).fetchone()[0]
            # Added after the first release: a database made before gets the column here.
            if "traceparent" not in {row[1] for row in db.execute("PRAGMA table_info(dx_outbox)")}:
                db.execute("ALTER TABLE dx_outbox ADD COLUMN traceparent TEXT")

    def write_locked(self, update: dict[str, object]) -> None:
        """Adds a live update (`{"channel", "actions"}`) inside the caller's open transaction, holding the lock."""
        # The writing request's trace context goes with the row, so its publish continues that trace.
        self._db.execute(
            "INSERT INTO dx_outbox (body, created_at, traceparent) VALUES (?, ?, ?)",
            (json.dumps(update), datetime.now(UTC).isoformat(), trace_context.current()),
        )

    def committed(self) -> None:
        """Called after a commit that wrote to the outbox: wakes the relay."""
        for listener in self._listeners:
            listener()

    def on_commit(self, listener: Callable[[], None]) -> None:
        self._listeners.append(listener)

    def batch(self, limit: int = 100) -> list[tuple[int, dict[str, object], str | None]]:
        """The oldest waiting updates, in order, each with its order key added and the `traceparent` it was written with."""
        with self._lock:
            rows = self._db.execute("SELECT seq, body, traceparent FROM dx_outbox ORDER BY seq LIMIT ?", (limit,)).fetchall()
        return [(seq, {**json.loads(body), "order": f"{self.epoch}:{seq}"}, traceparent) for seq, body, traceparent in rows]

    def delete(self, seq: int) -> None:
        with self._lock:
            self._db.execute("DELETE FROM dx_outbox WHERE seq <= ?", (seq,))

    def pending(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM dx_outbox").fetchone()[0])

    def take_lease(self, holder: str, ttl_s: float, now: float | None = None) -> bool:
        """Takes the lease when free or run out, renews it when held; True when `holder` has it."""
        at = time.time() if now is None else now
        with self._lock:
            self._db.execute(
                "INSERT INTO dx_outbox_lease (name, holder, until) VALUES (?, ?, ?)"
                " ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until = excluded.until"
                " WHERE dx_outbox_lease.holder = excluded.holder OR dx_outbox_lease.until <= ?",
                (NAME, holder, at + ttl_s, at),
            )
            row = self._db.execute("SELECT holder FROM dx_outbox_lease WHERE name = ?", (NAME,)).fetchone()
        return row is not None and row[0] == holder

    def release_lease(self, holder: str) -> None:
        """Hands the lease on at once (a clean stop)."""
        with self._lock:
            self._db.execute("UPDATE dx_outbox_lease SET until = 0 WHERE name = ? AND holder = ?", (NAME, holder))

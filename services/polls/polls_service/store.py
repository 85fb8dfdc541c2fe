"""Polls, their options and votes in the service's own SQLite file.

One vote per person and poll is a primary key, so even two votes racing on two
threads cannot both count. Each change writes the live update it causes to the
outbox in the same transaction (see outbox.py); the relay publishes it.
"""
from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from .outbox import OUTBOX_SCHEMA, Outbox

SCHEMA = """
CREATE TABLE IF NOT EXISTS polls (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  question TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS options (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  poll_id INTEGER NOT NULL REFERENCES polls(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  label TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS options_poll ON options(poll_id, position);
CREATE TABLE IF NOT EXISTS votes (
  poll_id INTEGER NOT NULL REFERENCES polls(id) ON DELETE CASCADE,
  voter TEXT NOT NULL,
  option_id INTEGER NOT NULL REFERENCES options(id) ON DELETE CASCADE,
  voted_at TEXT NOT NULL,
  PRIMARY KEY (poll_id, voter)
);
""" + OUTBOX_SCHEMA

# The widget shows the newest polls; older ones stay stored.
LIST_LIMIT = 20


@dataclass(frozen=True)
class Option:
    id: int
    label: str
    votes: int


@dataclass(frozen=True)
class Poll:
    id: int
    question: str
    options: tuple[Option, ...]

    @property
    def total(self) -> int:
        return sum(option.votes for option in self.options)


class AlreadyVoted(Exception):
    def __init__(self, option: str):
        super().__init__(option)
        self.option = option


# What a change tells open pages: stream actions for the poll after the change.
Announce = Callable[["Poll"], dict[str, object]]


class PollStore:
    def __init__(self, data_dir: str):
        os.makedirs(data_dir, exist_ok=True)
        self.location = os.path.join(data_dir, "polls.sqlite")
        self._db = sqlite3.connect(self.location, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.execute("PRAGMA busy_timeout=5000")
        self._db.executescript(SCHEMA)
        # One connection shared by the request threads: sqlite3 objects are not thread-safe.
        self._lock = threading.Lock()
        self.outbox = Outbox(self._db, self._lock)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def create(self, question: str, options: list[str], announce: Announce | None = None) -> Poll:
        """Stores a poll and, in the same transaction, what `announce` tells open pages about it."""
        now = datetime.now(UTC).isoformat()
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                poll_id = self._db.execute("INSERT INTO polls (question, created_at) VALUES (?, ?)", (question, now)).lastrowid
                self._db.executemany(
                    "INSERT INTO options (poll_id, position, label) VALUES (?, ?, ?)",
                    [(poll_id, position, label) for position, label in enumerate(options)],
                )
                poll = self._get_locked(int(poll_id or 0))
                assert poll is not None
                if announce:
                    self.outbox.write_locked(announce(poll))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        self.outbox.committed()
        return poll

    def get(self, poll_id: int) -> Poll | None:
        with self._lock:
            return self._get_locked(poll_id)

    def _get_locked(self, poll_id: int) -> Poll | None:
        row = self._db.execute("SELECT id, question FROM polls WHERE id = ?", (poll_id,)).fetchone()
        if row is None:
            return None
        return self._with_options([row])[0]

    def newest(self, limit: int = LIST_LIMIT) -> list[Poll]:
        with self._lock:
            rows = self._db.execute("SELECT id, question FROM polls ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
            return self._with_options(rows)

    def _with_options(self, rows: list[tuple[int, str]]) -> list[Poll]:
        polls = []
        for poll_id, question in rows:
            options = self._db.execute(
                "SELECT o.id, o.label, COUNT(v.voter) FROM options o LEFT JOIN votes v ON v.option_id = o.id"
                " WHERE o.poll_id = ? GROUP BY o.id ORDER BY o.position",
                (poll_id,),
            ).fetchall()
            polls.append(Poll(id=poll_id, question=question, options=tuple(Option(id=o, label=label, votes=count) for o, label, count in options)))
        return polls

    def choices_of(self, voter: str, poll_ids: list[int]) -> dict[int, int]:
        """The option this person chose, per poll they voted in."""
        if not poll_ids:
            return {}
        marks = ",".join("?" * len(poll_ids))
        with self._lock:
            rows = self._db.execute(f"SELECT poll_id, option_id FROM votes WHERE voter = ? AND poll_id IN ({marks})", (voter, *poll_ids)).fetchall()
        return {poll_id: option_id for poll_id, option_id in rows}

    def vote(self, poll_id: int, option_id: int, voter: str, announce: Announce | None = None) -> Poll | None:
        """Counts the vote (with what `announce` tells open pages, in one transaction); None when the poll or
        option does not exist; AlreadyVoted on a second vote, which stores nothing."""
        now = datetime.now(UTC).isoformat()
        with self._lock:
            known = self._db.execute("SELECT 1 FROM options WHERE id = ? AND poll_id = ?", (option_id, poll_id)).fetchone()
            if known is None:
                return None
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.execute("INSERT INTO votes (poll_id, voter, option_id, voted_at) VALUES (?, ?, ?, ?)", (poll_id, voter, option_id, now))
                poll = self._get_locked(poll_id)
                if poll is not None and announce:
                    self.outbox.write_locked(announce(poll))
                self._db.execute("COMMIT")
            except sqlite3.IntegrityError:
                self._db.execute("ROLLBACK")
                row = self._db.execute(
                    "SELECT o.label FROM votes v JOIN options o ON o.id = v.option_id WHERE v.poll_id = ? AND v.voter = ?", (poll_id, voter)
                ).fetchone()
                raise AlreadyVoted(row[0] if row else "") from None
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        self.outbox.committed()
        return poll

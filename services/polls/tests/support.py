"""Set-up the Polls tests share: a quiet log and a store in a temporary folder, both undone when the test ends."""
import logging
import tempfile
import unittest

from polls_service.store import PollStore


def quiet_log(test: unittest.TestCase) -> None:
    """Silences the "polls" logger for `test` (publishing fails on purpose in some tests; its warnings are not read)."""
    log = logging.getLogger("polls")
    test.addCleanup(log.setLevel, log.level)
    log.setLevel(logging.CRITICAL)


def temp_store(test: unittest.TestCase) -> tuple[str, PollStore]:
    """A fresh folder and a PollStore in it, closed and removed when `test` ends."""
    folder = tempfile.TemporaryDirectory()
    test.addCleanup(folder.cleanup)
    store = PollStore(folder.name)
    test.addCleanup(store.close)
    return folder.name, store

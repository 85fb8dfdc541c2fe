"""Polls' log lines: JSON by default, readable lines in a terminal (DX_LOG_FORMAT=pretty), like the TypeScript services."""
import json
import logging
import os
import re
import unittest
from unittest import mock

import polls


def record(message: str) -> logging.LogRecord:
    return logging.LogRecord("polls", logging.INFO, __file__, 1, message, None, None)


class LogLines(unittest.TestCase):
    def test_json_lines_carry_level_service_and_fields(self):
        line = json.loads(polls.JsonLines().format(record(json.dumps({"msg": "listening", "url": "http://x"}))))
        self.assertEqual((line["level"], line["service"], line["msg"], line["url"]), ("info", "polls", "listening", "http://x"))

    def test_pretty_lines_read_as_time_level_service_message_then_fields(self):
        text = re.sub(r"\x1b\[[0-9;]*m", "", polls.PrettyLines().format(record(json.dumps({"msg": "listening", "url": "http://x"}))))
        self.assertRegex(text, r'^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: polls listening \{"url": "http://x"\}$')

    def test_pretty_request_lines_say_what_was_asked_and_how_it_went(self):
        text = re.sub(r"\x1b\[[0-9;]*m", "", polls.PrettyLines().format(record(json.dumps({"method": "GET", "url": "/polls", "status": 200, "ms": 1.5, "requestId": "r1"}))))
        self.assertIn('INFO: polls GET /polls → 200 in 1.5 ms {"requestId": "r1"}', text)

    def test_format_follows_dx_log_format_and_refuses_others(self):
        with mock.patch.dict(os.environ, {"DX_LOG_FORMAT": "pretty"}):
            self.assertEqual(polls.log_format(), "pretty")
        with mock.patch.dict(os.environ, {"DX_LOG_FORMAT": "JSON"}):
            self.assertEqual(polls.log_format(), "json")
        with mock.patch.dict(os.environ, {"DX_LOG_FORMAT": "loud"}):
            with self.assertRaises(SystemExit) as stopped:
                polls.log_format()
            self.assertIn('DX_LOG_FORMAT must be "json" or "pretty", got "loud"', str(stopped.exception.code))


if __name__ == "__main__":
    unittest.main()

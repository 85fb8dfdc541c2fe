"""The gateway client against a stand-in gateway on a real port: the credential goes to the gateway and nowhere
else, and an odd answer is a logged failure, never an exception in the middle of a request."""
import json
import os
import threading
import unittest
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from unittest import mock

from polls_service.gateway_client import GatewayClient
from tests.support import quiet_log

SECRET = "0123456789abcdef0123456789abcdef"


def serve(answer):
    """A server whose every request is answered by `answer(handler)`; returns it and the requests it saw."""
    seen = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):  # noqa: N802
            seen.append((self.path, self.headers.get("authorization")))
            answer(self)

        do_POST = do_GET  # noqa: N815

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, seen


def reply(status, body, headers=None):
    def answer(handler):
        data = body.encode("utf-8")
        handler.send_response(status)
        for name, value in {"content-type": "application/json", "content-length": str(len(data)), **(headers or {})}.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(data)

    return answer


class GatewayClientTest(unittest.TestCase):
    def start(self, answer):
        server, seen = serve(answer)
        self.addCleanup(server.server_close)
        self.addCleanup(server.shutdown)
        return f"http://127.0.0.1:{server.server_address[1]}", seen

    def setUp(self):
        quiet_log(self)

    def test_calls_go_straight_to_the_gateway_even_with_a_proxy_in_the_environment(self):
        url, seen = self.start(reply(202, json.dumps({"topic": "live.polls:polls", "position": None})))
        proxies = {"http_proxy": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9", "no_proxy": "", "NO_PROXY": ""}
        with mock.patch.dict(os.environ, proxies):
            urllib.request.install_opener(None)  # so that urlopen, too, would read the environment now
            self.assertTrue(GatewayClient(url, SECRET, "polls").publish("polls:polls", [{"action": "remove", "target": "x"}]))
        self.assertEqual(len(seen), 1)

    def test_a_redirect_is_not_followed_with_the_credential(self):
        elsewhere, stolen = self.start(reply(200, "{}"))
        url, _ = self.start(reply(302, "{}", {"location": f"{elsewhere}/_dx/publish"}))
        self.assertFalse(GatewayClient(url, SECRET, "polls").publish("polls:polls", [{"action": "remove", "target": "x"}]))
        self.assertEqual(stolen, [])

    def test_an_answer_that_is_not_a_json_object_is_a_failure_not_an_exception(self):
        url, _ = self.start(reply(200, "[1, 2]"))
        client = GatewayClient(url, SECRET, "polls")
        self.assertIsNone(client.channel_after("polls:polls"))
        self.assertTrue(client.publish("polls:polls", [{"action": "remove", "target": "x"}]) is False)
        refused, _ = self.start(reply(400, '["not", "an", "object"]'))
        self.assertFalse(GatewayClient(refused, SECRET, "polls").publish("polls:polls", []))


if __name__ == "__main__":
    unittest.main()

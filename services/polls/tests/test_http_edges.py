"""The service over real HTTP, fed what a careless or hostile client sends: it answers, never hangs or fails."""
import http.client
import json
import socket
import threading
import unittest
from http.server import ThreadingHTTPServer

from polls_service.app import App
from polls_service.handler import PollsHandler, make_handler
from polls_service.settings import Settings
from tests.support import quiet_log, temp_store

FORM = {"content-type": "application/x-www-form-urlencoded"}


class HttpEdges(unittest.TestCase):
    def setUp(self):
        # Publishing fails here on purpose; its warnings are not what these tests read.
        quiet_log(self)
        folder, store = temp_store(self)
        # Port 9 (discard) refuses at once: publishing fails fast and is only logged.
        settings = Settings(port=0, host="127.0.0.1", data_dir=folder, secret="0123456789abcdef0123456789abcdef", gateway_url="http://127.0.0.1:9", gateway_internal_url="http://127.0.0.1:9")

        class Handler(make_handler(App(settings, store))):
            timeout = 0.5  # the real one is 75 s; the behaviour is the same

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.addCleanup(self.server.server_close)
        self.addCleanup(self.server.shutdown)
        self.port = self.server.server_address[1]

    def request(self, method, path, body=None, headers=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        self.addCleanup(connection.close)
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response, response.read().decode("utf-8")

    def raw(self, data: bytes) -> bytes:
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as connection:
            connection.sendall(data)
            answer = b""
            while chunk := connection.recv(4096):  # the service closes the connection after answering
                answer += chunk
            return answer

    def newest_poll(self):
        self.request("POST", "/polls/polls", "question=Lunch%3F&options=Pizza%0ASushi", FORM)
        return self.server.RequestHandlerClass.app.store.newest()[0]

    def test_a_vote_for_a_number_int_cannot_read_is_refused_with_422_not_500(self):
        poll = self.newest_poll()
        for option in ("%C2%B2", "9" * 30, "1.5", ""):
            response, body = self.request("POST", f"/polls/polls/{poll.id}/vote", f"option={option}", {**FORM, "hx-request": "true"})
            self.assertEqual(response.status, 422, option)
            self.assertIn("Choose one of the options to vote.", body)

    def test_a_content_length_that_is_not_a_number_is_answered_400(self):
        answer = self.raw(b"POST /polls/polls HTTP/1.1\r\nhost: x\r\ncontent-type: application/x-www-form-urlencoded\r\ncontent-length: \xb2\r\n\r\nab")
        self.assertTrue(answer.startswith(b"HTTP/1.1 400 "), answer)
        self.assertIn(b"content-length must be a number of bytes", answer)

    def test_a_body_that_never_arrives_frees_the_connection(self):
        # Bounded, and longer than the gateway keeps an idle connection (30 s); here shortened to 0.5 s.
        self.assertTrue(30 < (PollsHandler.timeout or 0) <= 120, PollsHandler.timeout)
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as connection:
            connection.sendall(b"POST /polls/polls HTTP/1.1\r\nhost: x\r\ncontent-type: application/x-www-form-urlencoded\r\ncontent-length: 10\r\n\r\nab")
            self.assertEqual(connection.recv(4096), b"", "closed by the service, not left hanging")

    def test_a_plain_post_never_redirects_to_another_site(self):
        for referer in ("http://localhost:4040/\\evil.example", "http://localhost:4040//evil.example/x"):
            response, _ = self.request("POST", "/polls/polls", "question=Q&options=a%0Ab", {**FORM, "referer": referer})
            self.assertEqual(response.status, 303)
            self.assertEqual(response.getheader("location"), "/polls", referer)

    def test_other_methods_get_405_with_the_protocol_headers(self):
        response, body = self.request("DELETE", "/polls", headers={"accept": "application/json", "x-request-id": "req-1"})
        self.assertEqual(response.status, 405)
        self.assertEqual((response.getheader("allow"), response.getheader("x-request-id"), response.getheader("x-dx-service-version")), ("GET, HEAD, POST", "req-1", "0.1.0"))
        self.assertIn("send its forms with POST", body)
        cross_site, _ = self.request("PUT", "/polls", headers={"sec-fetch-site": "cross-site"})
        self.assertEqual(cross_site.status, 403)

    def test_a_cross_site_post_is_refused_as_json_to_a_program_that_asks_for_json(self):
        response, body = self.request("POST", "/polls/polls", "question=Q&options=a%0Ab", {**FORM, "sec-fetch-site": "cross-site", "accept": "application/json"})
        self.assertEqual(response.status, 403)
        self.assertTrue(response.getheader("content-type").startswith("application/json"))
        self.assertIn("posted from another site", json.loads(body)["message"])
        response, body = self.request("POST", "/polls/polls", "question=Q&options=a%0Ab", {**FORM, "sec-fetch-site": "cross-site"})
        self.assertEqual(response.status, 403)
        self.assertTrue(body.startswith("Refused: This form was posted from another site."))

    # The fault endpoint of docs/protocol.md §3.1: the gateway's credential, JSON only, then obeyed.
    def test_faults_are_taken_only_from_the_gateway_as_json_and_then_obeyed(self):
        from polls_service.faults import faults_credential

        json_type = {"content-type": "application/json"}
        response, _ = self.request("PUT", "/_dx/faults", '{"errorRate": 1}', json_type)
        self.assertEqual(response.status, 401)
        auth = {"authorization": f"Bearer {faults_credential('0123456789abcdef0123456789abcdef', 'polls')}"}
        response, _ = self.request("PUT", "/_dx/faults", "errorRate=1", {**auth, "content-type": "text/plain"})
        self.assertEqual(response.status, 415)
        response, body = self.request("PUT", "/_dx/faults", '{"errorRate": 2}', {**auth, **json_type})
        self.assertEqual(response.status, 400)
        self.assertIn("errorRate must be between 0 and 1", body)
        response, _ = self.request("PUT", "/_dx/faults", '{"errorRate": 1, "errorStatus": 502}', {**auth, **json_type})
        self.assertEqual(response.status, 200)
        response, _ = self.request("GET", "/polls", headers={"accept": "application/json"})
        self.assertEqual(response.status, 502)
        response, _ = self.request("GET", "/health")
        self.assertEqual(response.status, 200, "health and the protocol's own paths are spared")
        response, _ = self.request("PUT", "/_dx/faults", "{}", {**auth, **json_type})
        self.assertEqual(response.status, 200)
        response, _ = self.request("GET", "/polls")
        self.assertEqual(response.status, 200)

    def test_every_answer_carries_the_browser_defenses(self):
        for method, path, body, headers in [("GET", "/polls", None, {}), ("GET", "/nope", None, {}), ("GET", "/_dx/manifest", None, {}), ("POST", "/polls/polls", "question=x", FORM)]:
            response, _ = self.request(method, path, body, headers)
            policy = response.getheader("content-security-policy") or ""
            self.assertIn("default-src 'none'", policy, path)
            self.assertIn("script-src 'self' http://127.0.0.1:9", policy, "the shared assets come from the gateway")
            self.assertIn("frame-ancestors 'none'", policy)
            self.assertNotIn("unsafe", policy)
            self.assertEqual(response.getheader("x-content-type-options"), "nosniff")
            self.assertEqual(response.getheader("x-frame-options"), "DENY")
            self.assertEqual(response.getheader("referrer-policy"), "strict-origin-when-cross-origin")

    def test_the_manifest_declares_the_body_limit(self):
        _, body = self.request("GET", "/_dx/manifest")
        self.assertEqual(json.loads(body)["bodyLimit"], 64 * 1024)


if __name__ == "__main__":
    unittest.main()

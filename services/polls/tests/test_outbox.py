"""The outbox and its relay against a real SQLite file and a stand-in gateway on a real port: a change and
its live update commit together, and the relay delivers every update once the gateway takes them, in order."""
import json
import threading
import time
import unittest
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from polls_service.gateway_client import GatewayClient
from polls_service.outbox_relay import OutboxRelay
from polls_service import trace_context
from polls_service.store import AlreadyVoted, PollStore
from tests.support import quiet_log, temp_store

SECRET = "0123456789abcdef0123456789abcdef"
CHANNEL = "polls:polls"


class StandInGateway:
    """Answers 503 (its broker away) while `down`, else 202; records what it took, in order."""

    def __init__(self):
        self.down = False
        self.taken: list[dict] = []
        self.traceparents: list[str | None] = []
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers.get("content-length", "0"))))
                status = 503 if gateway.down else 202
                if status == 202:
                    gateway.taken.append(body)
                    gateway.traceparents.append(self.headers.get("traceparent"))
                data = b'{"topic": "live.polls:polls", "position": null}' if status == 202 else b'{"error": "the event bus did not accept the message"}'
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def wait_for(check, timeout=10.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if check():
            return
        time.sleep(0.02)
    raise AssertionError("timed out")


def update(poll):
    return {"channel": CHANNEL, "actions": [{"action": "morph", "target": f"poll-{poll.id}-results", "html": f"<p>{poll.total}</p>"}]}


class OutboxTest(unittest.TestCase):
    def setUp(self):
        quiet_log(self)
        self.folder, self.store = temp_store(self)

    def test_a_refused_vote_leaves_no_update_and_a_counted_one_leaves_its_update(self):
        poll = self.store.create("Tea?", ["Yes", "No"], announce=update)
        yes = poll.options[0].id
        self.store.vote(poll.id, yes, "ada", announce=update)
        with self.assertRaises(AlreadyVoted):
            self.store.vote(poll.id, poll.options[1].id, "ada", announce=update)
        waiting = self.store.outbox.batch()
        self.assertEqual([body["actions"][0]["html"] for _, body, _ in waiting], ["<p>0</p>", "<p>1</p>"], "the new poll, then the one counted vote")
        self.assertEqual([body["order"] for _, body, _ in waiting], [f"{self.store.outbox.epoch}:1", f"{self.store.outbox.epoch}:2"])

    def test_the_relay_publishes_each_update_in_the_trace_of_the_request_that_wrote_it(self):
        gateway = StandInGateway()
        self.addCleanup(gateway.close)
        traced = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
        trace_context.begin(traced)
        self.store.create("Traced?", ["Yes", "No"], announce=update)
        trace_context.begin("not a traceparent")
        self.store.create("Untraced?", ["Yes", "No"], announce=update)
        relay = OutboxRelay(self.store.outbox, GatewayClient(gateway.url, SECRET, "polls"), poll_s=30, backoff=lambda attempt: 0.05).start()
        self.addCleanup(relay.stop)
        wait_for(lambda: len(gateway.taken) == 2)
        self.assertEqual(gateway.traceparents, [traced, None], "the traced request's context goes on with its publish; a malformed one is dropped")

    def test_updates_made_while_the_gateway_is_away_arrive_in_order_once_it_is_back(self):
        gateway = StandInGateway()
        self.addCleanup(gateway.close)
        relay = OutboxRelay(self.store.outbox, GatewayClient(gateway.url, SECRET, "polls"), poll_s=30, backoff=lambda attempt: 0.05).start()
        self.addCleanup(relay.stop)
        poll = self.store.create("Lunch?", ["Pizza", "Sushi"], announce=update)
        wait_for(lambda: len(gateway.taken) == 1)
        gateway.down = True
        started = time.time()
        for voter in range(10):
            self.store.vote(poll.id, poll.options[voter % 2].id, f"voter-{voter}", announce=update)
        self.assertLess(time.time() - started, 2.0, "votes never wait for the gateway")
        time.sleep(0.3)
        self.assertEqual(len(gateway.taken), 1, "nothing got through while it was away")
        gateway.down = False
        wait_for(lambda: len(gateway.taken) == 11)
        self.assertEqual([int(body["order"].split(":")[1]) for body in gateway.taken], list(range(1, 12)), "each once, in commit order")
        self.assertEqual(gateway.taken[-1]["actions"][0]["html"], "<p>10</p>")
        wait_for(lambda: self.store.outbox.pending() == 0)

    def test_one_relay_per_database_and_a_dead_holders_lease_runs_out(self):
        other = PollStore(self.folder)
        self.addCleanup(other.close)
        self.assertTrue(self.store.outbox.take_lease("a", 10, now=1000))
        self.assertFalse(other.outbox.take_lease("b", 10, now=1005), "held by a")
        self.assertTrue(self.store.outbox.take_lease("a", 10, now=1008), "renewed by its holder")
        self.assertFalse(other.outbox.take_lease("b", 10, now=1017))
        self.assertTrue(other.outbox.take_lease("b", 10, now=1019), "a stopped renewing: taken over")

    def test_two_relays_on_one_database_deliver_each_update_once(self):
        gateway = StandInGateway()
        self.addCleanup(gateway.close)
        other = PollStore(self.folder)
        self.addCleanup(other.close)
        client = GatewayClient(gateway.url, SECRET, "polls")
        first = OutboxRelay(self.store.outbox, client, poll_s=0.05).start()
        second = OutboxRelay(other.outbox, client, poll_s=0.05).start()
        self.addCleanup(second.stop)
        poll = self.store.create("Cats?", ["Yes", "No"], announce=update)
        for voter in range(10):
            (self.store if voter % 2 else other).vote(poll.id, poll.options[0].id, f"v{voter}", announce=update)
        wait_for(lambda: len(gateway.taken) == 11)
        first.stop()
        other.vote(poll.id, poll.options[1].id, "late", announce=update)
        wait_for(lambda: len(gateway.taken) == 12)
        time.sleep(0.3)
        orders = [int(body["order"].split(":")[1]) for body in gateway.taken]
        self.assertEqual(orders, list(range(1, 13)), "each once, in order, also after the first relay stopped")


if __name__ == "__main__":
    unittest.main()

"""The HTTP side of the Polls service, on the standard library's http.server:
reading requests, answering them, and the actions behind each route. Which
action answers is decided by routing.py; the HTML and the stream actions come
from rendering.py.

Each form post answers htmx with the re-rendered widget and a plain browser
with a redirect back; bad input gets 422 and the form again with the message
and what was typed. Every change is published to the live channel.
"""
from __future__ import annotations

import hmac
import json
import logging
import re
import secrets
import time
import uuid
from http.cookies import BaseCookie, SimpleCookie
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit

from .app import App, Context, own_session
from .faults import InvalidFaults, faults_credential, parse_faults
from .manifest import MANIFEST
from .page import error_body, full_page
from .poll_input import InvalidInput, parse_new_poll
from .rendering import created_update, render_widget, vote_update
from .routing import Route, route, under_mount
from .safety import back_path, is_cross_origin
from . import trace_context
from .settings import MAX_BODY_BYTES, MOUNT, NAME, VERSION
from .signing import IdentityError, sign_page_session, verify_identity
from .store import AlreadyVoted

log = logging.getLogger("polls")

# ASCII digits only: str.isdigit() also accepts "²", which int() then refuses.
NUMBER = re.compile(r"[0-9]{1,12}")
REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
# Opened directly (not through the gateway), a person is known by this service's own cookie.
VOTER_COOKIE = "dx_polls_voter"


def make_handler(app: App) -> type[BaseHTTPRequestHandler]:
    class Handler(PollsHandler):
        pass

    Handler.app = app
    return Handler


class PollsHandler(BaseHTTPRequestHandler):
    app: App
    protocol_version = "HTTP/1.1"
    server_version = "distributex-polls"
    # A client that stops sending (a body cut short, an idle connection) frees its thread after this many
    # seconds; longer than the gateway keeps an idle connection (30 s), so it never races the gateway's reuse.
    timeout = 75

    # ---- plumbing ----

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - http.server's signature
        pass  # requests are logged once, as JSON, in _send

    def _send(self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("content-type", content_type)
        self.send_header("content-length", str(len(body)))
        self.send_header("x-dx-service-version", VERSION)
        self.send_header("x-request-id", self._request_id)
        for name, value in self.app.security_headers.items():
            self.send_header(name, value)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        quiet = self.path == "/health"
        log.log(logging.DEBUG if quiet else logging.INFO, json.dumps({"method": self.command, "url": self.path, "status": status, "ms": round((time.perf_counter() - self._started) * 1000, 1), "requestId": self._request_id}))

    def _json(self, status: int, value: object) -> None:
        self._send(status, json.dumps(value).encode("utf-8"), "application/json; charset=utf-8", {"cache-control": "no-cache"})

    def _text(self, status: int, text: str) -> None:
        self._send(status, text.encode("utf-8"), "text/plain; charset=utf-8")

    def _page(self, context: Context, body: str, status: int = 200, extra: dict[str, str] | None = None) -> None:
        """The fragment for the gateway and htmx; a full page in the shared look for a browser."""
        # On its own URL the page follows its channel on the gateway's hub, across origins, as the session its grant names.
        own = own_session(context)
        page_session = sign_page_session(self.app.settings.secret, own) if own else None
        document = body if context.fragment or context.htmx else full_page(body, self.app.settings.gateway_url, via_gateway=context.identity is not None, page_session=page_session)
        headers = {"vary": "hx-request, x-dx-fragment", "cache-control": "no-cache", **(extra or {})}
        if context.new_voter_cookie:
            headers["set-cookie"] = f"{VOTER_COOKIE}={context.new_voter_cookie}; Path={MOUNT}; HttpOnly; SameSite=Lax; Max-Age=31536000"
        self._send(status, document.encode("utf-8"), "text/html; charset=utf-8", headers)

    def _context(self) -> Context:
        token = self.headers.get("x-dx-identity")
        identity = verify_identity(self.app.settings.secret, token) if token is not None else None
        cookie: BaseCookie[str] = SimpleCookie()
        try:
            cookie.load(self.headers.get("cookie", ""))
        except Exception:  # a malformed cookie header is treated as none
            cookie = SimpleCookie()
        own = cookie.get(VOTER_COOKIE)
        known = own.value if own and re.fullmatch(r"[A-Za-z0-9_-]{16,64}", own.value) else None
        new_cookie = None if identity or known else secrets.token_urlsafe(18)
        voter = identity.sub if identity else f"local:{known or new_cookie}"
        return Context(
            request_id=self._request_id,
            fragment=self.headers.get("x-dx-fragment") == "1",
            htmx=self.headers.get("hx-request") == "true",
            identity=identity,
            voter=voter,
            new_voter_cookie=new_cookie,
        )

    def _begin(self) -> None:
        self._started = time.perf_counter()
        given = self.headers.get("x-request-id", "")
        self._request_id = given if REQUEST_ID.match(given) else str(uuid.uuid4())
        trace_context.begin(self.headers.get("traceparent"))

    # ---- dispatch ----

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self._dispatch()

    def do_HEAD(self) -> None:  # noqa: N802
        self._dispatch()

    def do_POST(self) -> None:  # noqa: N802
        # The body is read before anything answers, so a refused post never leaves it on a kept-alive connection.
        if self._read_body():
            self._dispatch()

    do_PUT = do_PATCH = do_DELETE = do_POST  # noqa: N815

    def _read_body(self) -> bool:
        """Reads the request body into `self._body`; False after answering why it cannot be read."""
        self._body = b""
        length_text = self.headers.get("content-length")
        if length_text is None:
            return not self.headers.get("transfer-encoding") or self._refuse_body(411, "Send a content-length with the form.")
        length_text = length_text.strip()
        if not length_text.isascii() or not length_text.isdigit():
            return self._refuse_body(400, "The content-length must be a number of bytes.")
        if len(length_text) > 9 or int(length_text) > MAX_BODY_BYTES:
            return self._refuse_body(413, f"The form is too large: at most {MAX_BODY_BYTES // 1024} KB.")
        self._body = self.rfile.read(int(length_text))
        return True

    def _refuse_body(self, status: int, reason: str) -> bool:
        """Answers a body that cannot be read, and closes the connection (the unread body is still on it)."""
        self._begin()
        self.close_connection = True
        self._text(status, f"{reason}\n")
        return False

    def _dispatch(self) -> None:
        self._begin()
        try:
            path = urlsplit(self.path).path
            if under_mount(path) and self._injected_fault():
                return
            self._answer(route(self.command, path), path)
        except IdentityError as error:
            log.warning(json.dumps({"msg": "refused a request with an invalid identity", "reason": str(error), "requestId": self._request_id}))
            if self._wants_json():
                return self._json(401, {"error": "Refused", "message": str(error), "requestId": self._request_id})
            self._text(401, f"Refused: {error}\n")
        except Exception:
            log.exception("request %s failed", self._request_id)
            self._error(500, "Something went wrong", "Polls failed to handle this request. Try again; if it keeps failing, quote the request id below.")

    def _injected_fault(self) -> bool:
        """Applies the faults the gateway set (none by default); True when the request was answered with an error."""
        faults = self.app.faults
        if faults.latency_ms:
            time.sleep(faults.latency_ms / 1000)
        if not faults.fails_now():
            return False
        self.close_connection = True
        self._error(faults.error_status, "Injected fault", f"This process answers {round(faults.error_rate * 100)}% of requests with {faults.error_status}: a fault set from the gateway's admin page.")
        return True

    def _put_faults(self) -> None:
        expected = f"Bearer {faults_credential(self.app.settings.secret, NAME)}"
        if not hmac.compare_digest(self.headers.get("authorization", "").encode("utf-8"), expected.encode("utf-8")):
            return self._json(401, {"error": "Unauthorized", "message": "send the fault credential made with DX_SECRET (see docs/protocol.md §3.1)"})
        if (self.headers.get("content-type") or "").split(";")[0].strip().lower() != "application/json":
            return self._json(415, {"error": "Unsupported media type", "message": "send the faults as JSON, with content-type: application/json"})
        try:
            self.app.faults = parse_faults(self._body)
        except InvalidFaults as error:
            return self._json(400, {"error": "Invalid faults", "message": str(error)})
        log.warning(json.dumps({"msg": "faults set", "faults": self.app.faults.as_json(), "requestId": self._request_id}))
        self._json(200, self.app.faults.as_json())

    def _wants_json(self) -> bool:
        accept = self.headers.get("accept", "")
        return "application/json" in accept and "text/html" not in accept

    def _error(self, status: int, title: str, detail: str, headers: dict[str, str] | None = None) -> None:
        """An error a person (or a program asking for JSON) can act on."""
        if self._wants_json():
            body = json.dumps({"error": title, "message": detail, "requestId": self._request_id}).encode("utf-8")
            return self._send(status, body, "application/json; charset=utf-8", {"cache-control": "no-cache", **(headers or {})})
        context = Context(self._request_id, self.headers.get("x-dx-fragment") == "1", self.headers.get("hx-request") == "true", None, "", None)
        self._page(context, error_body(title, detail, self._request_id), status, headers)

    def _answer(self, chosen: Route, path: str) -> None:
        if chosen.refuse_cross_site and is_cross_origin(self.command, self.headers):
            return self._refuse_cross_site()
        if chosen.action == "manifest":
            return self._json(200, MANIFEST)
        if chosen.action == "health":
            return self._json(200, {"status": "ok", "service": NAME, "version": VERSION, "uptimeSeconds": round(time.time() - self.app.started)})
        if chosen.action == "page":
            context = self._context()
            return self._page(context, render_widget(self.app, context))
        if chosen.action == "create":
            return self._create()
        if chosen.action == "vote" and chosen.poll_id is not None:
            return self._vote(chosen.poll_id)
        if chosen.action == "faults":
            return self._put_faults()
        if chosen.action == "unsupported":
            return self._unsupported(path)
        self._not_found(path)

    def _unsupported(self, path: str) -> None:
        self._error(405, "Method not allowed", f"Polls does not take {self.command} requests at {path}: open the page with GET and send its forms with POST.", {"allow": "GET, HEAD, POST"})

    def _refuse_cross_site(self) -> None:
        """403 for a state-changing request from another site (§7.1): JSON to a program that asks for it (§8.2)."""
        message = "This form was posted from another site. Open the page on this site and submit it there."
        if self._wants_json():
            return self._json(403, {"error": "Refused: posted from another site", "message": message, "requestId": self._request_id})
        self._text(403, f"Refused: {message}\n")

    def _not_found(self, path: str) -> None:
        self._error(404, "Not found", f"Polls has nothing at {path}. The polls are at {MOUNT}.")

    # ---- the actions ----

    def _after_action(self, context: Context) -> None:
        """htmx gets the re-rendered widget; a plain browser a 303 back to the page it came from."""
        if context.htmx:
            return self._page(context, render_widget(self.app, context))
        headers = {"location": back_path(self.headers.get("referer"), MOUNT)}
        if context.new_voter_cookie:
            headers["set-cookie"] = f"{VOTER_COOKIE}={context.new_voter_cookie}; Path={MOUNT}; HttpOnly; SameSite=Lax; Max-Age=31536000"
        self._send(303, b"", "text/plain; charset=utf-8", headers)

    def _form(self) -> dict[str, str] | None:
        """The posted form, or None after answering why it cannot be read."""
        content_type = (self.headers.get("content-type") or "").split(";")[0].strip().lower()
        if content_type != "application/x-www-form-urlencoded":
            self._text(415, "Send the form as application/x-www-form-urlencoded.\n")
            return None
        try:
            fields = parse_qs(self._body.decode("utf-8"), keep_blank_values=True, max_num_fields=50, strict_parsing=False)
        except (UnicodeDecodeError, ValueError):
            self._text(400, "The form could not be read: send UTF-8 form fields.\n")
            return None
        return {name: values[0] for name, values in fields.items()}

    def _create(self) -> None:
        context = self._context()
        form = self._form()
        if form is None:
            return
        typed = {"question": form.get("question", ""), "options": form.get("options", "")}
        try:
            new = parse_new_poll(typed["question"], typed["options"])
        except InvalidInput as error:
            return self._page(context, render_widget(self.app, context, form_error=(error.field, error.message), typed=typed), 422)
        # The poll and its live update commit together; the outbox relay publishes the update.
        poll = self.app.store.create(new.question, new.options, announce=created_update)
        log.info(json.dumps({"msg": "poll created", "poll": poll.id, "requestId": self._request_id}))
        self._after_action(context)

    def _vote(self, poll_id: int) -> None:
        context = self._context()
        form = self._form()
        if form is None:
            return
        option_text = form.get("option", "")
        if not NUMBER.fullmatch(option_text):
            return self._page(context, render_widget(self.app, context, poll_notice=(poll_id, "Choose one of the options to vote.")), 422)
        try:
            poll = self.app.store.vote(poll_id, int(option_text), context.voter, announce=vote_update)
        except AlreadyVoted as already:
            message = f"You already voted for “{already.option}” in this poll; each person votes once."
            return self._page(context, render_widget(self.app, context, poll_notice=(poll_id, message)), 422)
        if poll is None:
            return self._page(context, render_widget(self.app, context, notice="That poll or option no longer exists: it may have been removed."), 422)
        self._after_action(context)


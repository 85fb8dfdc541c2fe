"""Starts the Polls service: `PORT=4004 python3 services/polls/polls.py`.

Settings come from the environment (see polls_service/settings.py); `distributex
start` passes them. Stops cleanly on SIGTERM or Ctrl-C.
"""
from __future__ import annotations

import json
import logging
import os
import signal
import sys
import threading
import time
from http.server import ThreadingHTTPServer

from polls_service.app import App
from polls_service.handler import make_handler
from polls_service.settings import NAME, load_settings
from polls_service.store import PollStore


class JsonLines(logging.Formatter):
    """One JSON object per line, like the TypeScript services' logs."""

    def format(self, record: logging.LogRecord) -> str:
        line = {"level": record.levelname.lower(), "time": int(record.created * 1000), "service": NAME}
        message = record.getMessage()
        try:
            parsed = json.loads(message)
        except ValueError:
            parsed = None
        line.update(parsed if isinstance(parsed, dict) else {"msg": message})
        if record.exc_info:
            line["err"] = self.formatException(record.exc_info)
        return json.dumps(line)


class PrettyLines(JsonLines):
    """Readable lines for a terminal, as the TypeScript services print them:
    time, level, service, message, then the other fields as JSON."""

    COLOURS = {"debug": "\x1b[34m", "info": "\x1b[32m", "warning": "\x1b[33m", "error": "\x1b[31m", "critical": "\x1b[35m"}
    NAMES = {"warning": "WARN", "critical": "FATAL"}

    def format(self, record: logging.LogRecord) -> str:
        line = json.loads(super().format(record))
        level = line.pop("level")
        stamp = time.strftime("%H:%M:%S", time.localtime(record.created)) + f".{int(record.msecs):03d}"
        for key in ("time", "service"):
            line.pop(key, None)
        message = line.pop("msg", "")
        if not message and "method" in line:  # a request line: what was asked and how it went
            message = f'{line.pop("method")} {line.pop("url", "")} → {line.pop("status", "")} in {line.pop("ms", "?")} ms'
        rest = f" \x1b[90m{json.dumps(line)}\x1b[39m" if line else ""
        name = self.NAMES.get(level, level.upper())
        return f"[{stamp}] {self.COLOURS.get(level, '')}{name}\x1b[39m: {NAME} \x1b[36m{message}\x1b[39m{rest}"


def log_format() -> str:
    """DX_LOG_FORMAT (json or pretty); otherwise pretty in a terminal, JSON when piped."""
    chosen = os.environ.get("DX_LOG_FORMAT", "").strip().lower()
    if chosen in ("json", "pretty"):
        return chosen
    if chosen:
        sys.exit(f'DX_LOG_FORMAT must be "json" or "pretty", got "{os.environ["DX_LOG_FORMAT"]}"')
    return "pretty" if sys.stdout.isatty() else "json"


def stop_when_parent_exits(server: ThreadingHTTPServer, log: logging.Logger) -> None:
    # The raw descriptor, not sys.stdin: a daemon thread blocked in a buffered read
    # holds its lock, and the interpreter aborts with a fatal error when it shuts down.
    fd = sys.stdin.fileno()
    while os.read(fd, 4096):
        pass
    log.info(json.dumps({"msg": "stopping: the process that started this one has exited"}))
    server.shutdown()


def main() -> None:
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(PrettyLines() if log_format() == "pretty" else JsonLines())
    # The same level names as the TypeScript services (DX_LOG_LEVEL or --log-level of distributex start).
    levels = {"trace": logging.DEBUG, "debug": logging.DEBUG, "info": logging.INFO, "warn": logging.WARNING, "error": logging.ERROR, "fatal": logging.CRITICAL, "silent": logging.CRITICAL + 10}
    logging.basicConfig(level=levels.get(os.environ.get("DX_LOG_LEVEL", "info"), logging.INFO), handlers=[handler])
    log = logging.getLogger("polls")
    settings = load_settings()
    store = PollStore(settings.data_dir)
    app = App(settings, store)
    server = ThreadingHTTPServer((settings.host, settings.port), make_handler(app))
    server.daemon_threads = True
    app.relay.start()

    def stop(signum: int, _frame: object) -> None:
        log.info(json.dumps({"msg": "stopping", "signal": signal.Signals(signum).name}))
        # shutdown() waits for serve_forever, which runs on this very thread: call it from another.
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if os.environ.get("DX_STOP_WITH_PARENT") == "1":
        # Started by distributex: its end of our stdin closes when it exits, even when it is killed.
        threading.Thread(target=stop_when_parent_exits, args=(server, log), daemon=True).start()
    host, port = server.server_address[:2]
    host_text = host.decode("ascii") if isinstance(host, bytes) else host
    log.info(json.dumps({"msg": "listening", "url": f"http://{host_text}:{port}", "store": store.location, "gateway": settings.gateway_internal_url}))
    started = time.time()
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
        app.relay.stop()
        store.close()
        log.info(json.dumps({"msg": "stopped", "uptimeSeconds": round(time.time() - started)}))


if __name__ == "__main__":
    main()

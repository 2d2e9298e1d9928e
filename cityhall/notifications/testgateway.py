"""A local SMS gateway for tests, benchmarks and development: a tiny HTTP server on 127.0.0.1.

It speaks the protocol of `providers.HttpSmsGateway` (POST JSON {to, body, reference, sender},
bearer token, answer {id, status}). It keeps every message, deduplicates on `reference` as real
gateways do with an idempotency key, and can be told to fail, slow down or ask for a pause.

    with LocalSmsGateway() as gateway:
        settings.SMS_GATEWAY_URL = gateway.url
        ...
        gateway.accepted  # {reference: message}
"""

from __future__ import annotations

import json
import socket
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class GatewayState:
    token: str = ""
    requests: int = 0
    accepted: dict[str, dict[str, Any]] = field(default_factory=dict)
    duplicates: int = 0
    # Answers to give before behaving normally: (HTTP status, headers), consumed one per request.
    scripted: deque[tuple[int, dict[str, str]]] = field(default_factory=deque)
    delay_seconds: float = 0.0
    status_word: str = "sent"
    lock: threading.Lock = field(default_factory=threading.Lock)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as real gateways allow
    server: _Server

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in two writes; without this, Nagle's algorithm and the client's
        # delayed ACK add 40 ms to every kept-alive request.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_POST(self) -> None:
        state = self.server.state
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        with state.lock:
            state.requests += 1
            scripted = state.scripted.popleft() if state.scripted else None
        if state.delay_seconds:
            time.sleep(state.delay_seconds)
        if state.token and self.headers.get("Authorization") != f"Bearer {state.token}":
            self._answer(401, {"error": "bad token"})
            return
        if scripted is not None:
            status, headers = scripted
            self._answer(status, {"error": "scripted"}, headers)
            return
        try:
            message = json.loads(raw)
            reference = str(message["reference"])
            str(message["to"])
        except (ValueError, KeyError, TypeError):
            self._answer(400, {"error": "send JSON with to, body and reference"})
            return
        with state.lock:
            known = state.accepted.get(reference)
            if known is None:
                known = {**message, "id": uuid.uuid4().hex}
                state.accepted[reference] = known
            else:
                state.duplicates += 1
        self._answer(200, {"id": known["id"], "status": state.status_word})

    def _answer(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    state: GatewayState


class LocalSmsGateway:
    def __init__(self, *, token: str = "", port: int = 0) -> None:
        self.server = _Server(("127.0.0.1", port), _Handler)
        self.server.state = GatewayState(token=token)
        self.thread = threading.Thread(target=self.server.serve_forever, name="sms-gateway", daemon=True)

    @property
    def state(self) -> GatewayState:
        return self.server.state

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}/messages"

    @property
    def accepted(self) -> dict[str, dict[str, Any]]:
        return self.state.accepted

    def script(self, *answers: tuple[int, dict[str, str]]) -> None:
        """The next requests get these answers (e.g. (429, {"Retry-After": "2"}), (500, {}))."""
        with self.state.lock:
            self.state.scripted.extend(answers)

    def start(self) -> LocalSmsGateway:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> LocalSmsGateway:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

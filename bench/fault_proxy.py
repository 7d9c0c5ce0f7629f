"""AWS faults on the wire: error answers in each service's protocol, and a loopback proxy.

Shared by the reliability harness (bench/reliability.py) and the fault-injection tests
(tests/support/faults.py): what an AWS error answer looks like per wire protocol, how
a request names its service, region and operation, and a fault-injecting HTTP proxy that
sits between any AWS client (the `maptag` CLI through AWS_ENDPOINT_URL) and an endpoint
(a moto server). The proxy answers a chosen share of requests, drawn with a fixed random
seed, with a fault instead of forwarding them:

- ``throttle``: the service's own throttling error (EC2 RequestLimitExceeded, S3 SlowDown...)
- ``5xx``: InternalError 500 or ServiceUnavailable 503 in the service's protocol
- ``reset``: the connection is closed with a TCP reset, nothing answered
- ``timeout``: no answer until after the client's read timeout, then a reset
- ``html`` / ``empty``: a 200 whose body is an HTML error page / nothing (boto/boto3#1961)
- ``deny``: AccessDenied (a rule matching one account's AssumeRole, say)
"""

from __future__ import annotations

import contextlib
import http.client
import json
import random
import re
import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import botocore.session

from maptag.resources.declarations import TYPES

# Services the scanner talks to, by the name they sign requests with and by their event id.
MODELS = (
    "ec2",
    "rds",
    "s3",
    "dynamodb",
    "lambda",
    "elbv2",
    "efs",
    "sts",
    "organizations",
    "iam",
    "resourcegroupstaggingapi",
    "mgh",  # Migration Hub (migrationhub-config signs as mgh too): JSON 1.1
)
CREDENTIAL_SCOPE = re.compile(r"Credential=([^/]+)/[0-9]{8}/([a-z0-9-]+)/([a-z0-9-]+)/aws4_request")


def _protocols() -> tuple[dict[str, str], dict[str, str]]:
    core = botocore.session.get_session()
    by_event: dict[str, str] = {}
    by_signing: dict[str, str] = {}
    # every service a scan may call: the fixed ones above and each declared type's own
    services = dict.fromkeys([*MODELS, *(t.service for t in TYPES for t in (t, *t.also))])
    for name in services:
        model = core.get_service_model(name)
        # the protocol botocore speaks (the Tagging API lists CBOR first, botocore picks JSON)
        protocol = model.resolved_protocol
        by_event[model.service_id.hyphenize()] = protocol
        by_signing[model.signing_name] = protocol
    return by_event, by_signing


PROTOCOL_BY_EVENT_ID, PROTOCOL_BY_SIGNING_NAME = _protocols()

# Each service's own throttling answer (code, HTTP status); every code is one botocore's
# standard retry mode treats as throttling (botocore/retries/standard.py).
THROTTLING: dict[str, tuple[str, int]] = {
    "ec2": ("RequestLimitExceeded", 503),
    "s3": ("SlowDown", 503),
    "dynamodb": ("ThrottlingException", 400),
    "lambda": ("TooManyRequestsException", 429),
    "tagging": ("ThrottledException", 400),
    "mgh": ("ThrottlingException", 400),
}
DEFAULT_THROTTLING = ("Throttling", 400)
HTML_PAGE = b"<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>"
FAULT_KINDS = ("throttle", "5xx", "reset", "timeout", "html", "empty", "deny")


def error_response(protocol: str, code: str, message: str, status: int) -> tuple[int, dict[str, str], bytes]:
    """An AWS error response in the service's wire protocol."""
    if protocol in ("json", "rest-json"):
        headers = {"Content-Type": "application/x-amz-json-1.1", "x-amzn-ErrorType": code}
        return status, headers, json.dumps({"__type": code, "message": message}).encode()
    if protocol == "ec2":
        error = f"<Error><Code>{code}</Code><Message>{message}</Message></Error>"
        body = f"<Response><Errors>{error}</Errors></Response>"
    elif protocol == "rest-xml":
        body = f"<Error><Code>{code}</Code><Message>{message}</Message></Error>"
    else:  # query
        body = (
            f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code>"
            f"<Message>{message}</Message></Error></ErrorResponse>"
        )
    return status, {"Content-Type": "text/xml"}, body.encode()


def operation_of(method: str, path: str, query: str, body: bytes, target: str | None, service: str) -> str:
    """The API operation of a request: JSON target, query Action, or the REST route maptag uses."""
    if target:
        return target.rsplit(".", 1)[-1]
    for source in (query, body.decode("utf-8", "replace") if method == "POST" else ""):
        action = parse_qs(source).get("Action")
        if action:
            return action[0]
    words = [word for word in path.split("/") if word]
    if service == "s3":
        if not words:
            return "ListBuckets"
        tagging = "tagging" in parse_qs(query, keep_blank_values=True)
        return "GetBucketTagging" if tagging else f"{method} object"
    routes = {
        "lambda": (("functions", "ListFunctions"), ("tags", "ListTags")),
        "elasticfilesystem": (
            ("file-systems", "DescribeFileSystems"),
            ("resource-tags", "ListTagsForResource"),
        ),
    }
    for word, name in routes.get(service, ()):
        if word in words:
            return name
    return f"{method} {'/'.join(words[:2])}"


@dataclass(frozen=True)
class Request:
    """What a rule can match on: the signing service, operation, region, access key, body."""

    service: str
    operation: str
    region: str | None
    access_key: str | None
    body: bytes = b""


def describe(method: str, target_path: str, headers: Any, body: bytes) -> Request:
    parts = urlsplit(target_path)
    match = CREDENTIAL_SCOPE.search(str(headers.get("Authorization") or ""))
    service = match.group(3) if match else ""
    operation = operation_of(method, parts.path, parts.query, body, headers.get("X-Amz-Target"), service)
    return Request(
        service, operation, match.group(2) if match else None, match.group(1) if match else None, body
    )


@dataclass
class Rule:
    """Answer ``share`` of the matching requests (at most ``times`` of them) with ``kind``;
    several kinds take turns (one draw per request, then the next kind in the cycle)."""

    kind: str | tuple[str, ...]
    share: float = 1.0
    matches: Callable[[Request], bool] = lambda _request: True
    times: int | None = None
    injected: int = 0

    def __post_init__(self) -> None:
        for kind in self.kinds:
            if kind not in FAULT_KINDS:
                raise ValueError(f"unknown fault {kind!r} (one of {', '.join(FAULT_KINDS)})")

    @property
    def kinds(self) -> tuple[str, ...]:
        return (self.kind,) if isinstance(self.kind, str) else self.kind


@dataclass
class Tally:
    """What went through the proxy: requests per operation, faults per (kind, operation)."""

    requests: Counter[str] = field(default_factory=Counter)
    faults: Counter[tuple[str, str]] = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.requests.values())

    def injected(self, kind: str | None = None) -> int:
        return sum(n for (k, _), n in self.faults.items() if kind is None or k == kind)


class FaultProxy:
    """A loopback HTTP proxy in front of ``upstream`` that injects faults by rule."""

    def __init__(self, upstream: str, *, seed: int = 13, stall_seconds: float = 3.0) -> None:
        self.upstream = urlsplit(upstream)
        self.stall_seconds = stall_seconds
        self.delay_seconds = 0.0
        self.rules: list[Rule] = []
        self.tally = Tally()
        self._random = random.Random(seed)
        self._lock = threading.Lock()
        self._local = threading.local()
        self._server = _Server(("127.0.0.1", 0), _handler(self))
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def reset(self, rules: list[Rule] | None = None, *, seed: int = 13, delay_seconds: float = 0.0) -> None:
        """New rules, a fresh tally and the random draw restarted from ``seed``."""
        with self._lock:
            self.rules = list(rules or [])
            self.tally = Tally()
            self._random = random.Random(seed)
            self.delay_seconds = delay_seconds

    def decide(self, request: Request) -> tuple[str, int] | None:
        """The fault for this request, if any, and how many of its rule's came before it."""
        with self._lock:
            self.tally.requests[request.operation] += 1
            for rule in self.rules:
                if not rule.matches(request) or (rule.times is not None and rule.injected >= rule.times):
                    continue
                if self._random.random() < rule.share:
                    kind = rule.kinds[rule.injected % len(rule.kinds)]
                    rule.injected += 1
                    self.tally.faults[(kind, request.operation)] += 1
                    return kind, rule.injected
        return None

    def forward(
        self, method: str, path: str, headers: list[tuple[str, str]], body: bytes
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        """The upstream's answer, over this thread's own kept-alive connection."""
        for attempt in (1, 2):
            connection = getattr(self._local, "connection", None)
            if connection is None:
                host = self.upstream.hostname or "127.0.0.1"
                connection = http.client.HTTPConnection(host, self.upstream.port, timeout=120)
                self._local.connection = connection
            try:
                connection.request(method, path, body=body or None, headers=dict(headers))
                answer = connection.getresponse()
                payload = answer.read()
                return answer.status, answer.getheaders(), payload
            except (http.client.HTTPException, OSError):
                connection.close()
                self._local.connection = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    @contextmanager
    def running(self) -> Iterator[FaultProxy]:
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        try:
            yield self
        finally:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=10)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that went away (it timed out, or we reset it): nothing to report."""


_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "proxy-connection", "content-length"}


def _handler(proxy: FaultProxy) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            """No access log."""

        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            request = describe(self.command, self.path, self.headers, body)
            fault = proxy.decide(request)
            if proxy.delay_seconds:
                time.sleep(proxy.delay_seconds)
            if fault is not None and fault[0] in ("reset", "timeout"):
                if fault[0] == "timeout":
                    time.sleep(proxy.stall_seconds)
                self._reset()
                return
            if fault is None:
                headers = [(k, v) for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP]
                status, answer_headers, payload = proxy.forward(self.command, self.path, headers, body)
            else:
                status, answer_headers, payload = _fault_answer(*fault, request)
            self.send_response(status)
            for name, value in answer_headers:
                if name.lower() not in _HOP_BY_HOP:
                    self.send_header(name, value)
            self.send_header("Content-Length", str(0 if self.command == "HEAD" else len(payload)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(payload)

        def _reset(self) -> None:
            # SO_LINGER 0: close() sends a TCP RST, as a dropped connection does.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True

        def finish(self) -> None:
            with contextlib.suppress(OSError):  # the connection was reset on purpose
                super().finish()

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _answer

    return Handler


def _fault_answer(kind: str, ordinal: int, request: Request) -> tuple[int, list[tuple[str, str]], bytes]:
    protocol = PROTOCOL_BY_SIGNING_NAME.get(request.service, "query")
    if kind == "html":
        return 200, [("Content-Type", "text/html")], HTML_PAGE
    if kind == "empty":
        return 200, [("Content-Type", "application/xml")], b""
    if kind == "throttle":
        code, status = THROTTLING.get(request.service, DEFAULT_THROTTLING)
        message = "Rate exceeded"
    elif kind == "5xx":
        code, status = ("ServiceUnavailable", 503) if ordinal % 2 else ("InternalError", 500)
        message = "We encountered an internal error. Please try again."
    else:  # deny
        code, status, message = "AccessDenied", 403, "injected: access denied to this account"
    status, headers, body = error_response(protocol, code, message, status)
    return status, list(headers.items()), body

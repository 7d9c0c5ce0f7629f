"""The local Migration Hub over HTTP: a WSGI app around `LocalMigrationHub`, served on loopback."""

from __future__ import annotations

import json
import re
import sys
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from maptag.local.migration_hub.service import HubError, LocalMigrationHub
from maptag.local.migration_hub.state import HubState

HOST = "127.0.0.1"
CONTENT_TYPE = "application/x-amz-json-1.1"
SIGNING_NAME = "mgh"  # both APIs sign as `mgh` (botocore: migrationhub-config signingName)
_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/(\d{8})/([^/,\s]+)/([^/,\s]+)/aws4_request")

StartResponse = Callable[[str, list[tuple[str, str]]], Any]


def signing_region(authorization: str | None) -> str:
    """The region of a SigV4 Authorization header's credential scope, as the service reads it."""
    if not authorization:
        raise HubError("MissingAuthenticationTokenException", "Missing Authentication Token")
    match = _CREDENTIAL.search(authorization)
    if not authorization.startswith("AWS4-HMAC-SHA256 ") or match is None:
        raise HubError(
            "IncompleteSignatureException",
            "Authorization header requires a SigV4 'Credential' parameter "
            "(AKID/yyyymmdd/region/service/aws4_request).",
        )
    _, _, region, service = match.groups()
    if service != SIGNING_NAME:
        raise HubError(
            "InvalidSignatureException", f"Credential should be scoped to correct service: '{SIGNING_NAME}'."
        )
    return region


class MigrationHubApp:
    """WSGI application: X-Amz-Target picks the operation, the credential scope the region."""

    def __init__(self, hub: LocalMigrationHub):
        self.hub = hub

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        request_id = str(uuid.uuid4())
        if environ.get("REQUEST_METHOD") != "POST":
            status, body = 405, {"__type": "UnknownOperationException", "message": "Only POST is supported"}
            payload = json.dumps(body).encode()
        else:
            try:
                length = int(environ.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            raw = environ["wsgi.input"].read(length) if length > 0 else b""
            try:
                region = signing_region(environ.get("HTTP_AUTHORIZATION"))
                target = environ.get("HTTP_X_AMZ_TARGET") or ""
                status, payload = self.hub.handle(target, region, raw) if target else _missing_target()
            except HubError as error:
                status, payload = error.status, json.dumps(error.body()).encode()
            except Exception as error:  # a bug or an unwritable --state file: answer as AWS would
                failure = HubError("InternalServerError", f"local Migration Hub failed: {error!r}")
                print(f"maptag hub: {failure.message}", file=sys.stderr)
                status, payload = failure.status, json.dumps(failure.body()).encode()
        reason = {200: "OK", 400: "Bad Request", 405: "Method Not Allowed", 500: "Internal Server Error"}
        start_response(
            f"{status} {reason.get(status, 'Error')}",
            [
                ("Content-Type", CONTENT_TYPE),
                ("Content-Length", str(len(payload))),
                ("x-amzn-RequestId", request_id),
            ],
        )
        return [payload]


def _missing_target() -> tuple[int, bytes]:
    error = HubError("UnknownOperationException", "Missing X-Amz-Target header")
    return error.status, json.dumps(error.body()).encode()


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True  # a client that hangs never keeps the process alive
    allow_reuse_address = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """No access log: requests carry signatures, and tests read stdout."""


def make_hub_server(hub: LocalMigrationHub, port: int = 0, host: str = HOST) -> _Server:
    """A threaded HTTP server for `hub` bound to host:port (port 0: a free one)."""
    return make_server(host, port, MigrationHubApp(hub), server_class=_Server, handler_class=_QuietHandler)


def base_url(server: _Server) -> str:
    host, port = server.server_address[:2]
    return f"http://{host!s}:{port}"


@contextmanager
def running_hub(state: HubState | None = None, port: int = 0) -> Iterator[str]:
    """Serve a local Migration Hub on 127.0.0.1 in a background thread; yields its base URL."""
    server = make_hub_server(LocalMigrationHub(state), port)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield base_url(server)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


class _Body:
    """The raw stream botocore's AWSResponse reads an answer from."""

    def __init__(self, payload: bytes):
        self.payload = payload

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self.payload


def attach(session: Any, hub: LocalMigrationHub) -> None:
    """Answer every mgh and migrationhub-config call of a boto3/botocore `session` in process.

    The request is signed and serialized by botocore as usual and handed to the same code
    the HTTP server runs, just before it would be sent: no socket, same answers.
    """
    from botocore.awsrequest import AWSResponse, HTTPHeaders

    def send(request: Any, **_: Any) -> AWSResponse:
        headers = {name.lower(): _text(value) for name, value in request.headers.items()}
        body = request.body or b""
        try:
            region = signing_region(headers.get("authorization"))
            status, payload = hub.handle(headers.get("x-amz-target", ""), region, body)
        except HubError as error:
            status, payload = error.status, json.dumps(error.body()).encode()
        answer_headers = HTTPHeaders()
        answer_headers["Content-Type"] = CONTENT_TYPE
        answer_headers["x-amzn-RequestId"] = str(uuid.uuid4())
        return AWSResponse(request.url, status, answer_headers, _Body(payload))

    events = session.events if hasattr(session, "events") else session._session.get_component("event_emitter")
    for service_id in ("migration-hub", "migrationhub-config"):
        events.register(f"before-send.{service_id}", send)


def _text(value: str | bytes) -> str:
    return value.decode() if isinstance(value, bytes) else value

"""Transport-level fault injection for the scan tests: AWS error responses, never patched code.

A `Faults` object holds rules ("the first 3 DescribeVolumes requests are throttled", "every
request to eu-west-1 is refused") and applies them either as a botocore ``before-send``
handler on a session (the request never reaches moto; botocore parses and retries the
answer as it would AWS's) or as WSGI middleware in front of a moto server. The error bodies
follow each service's wire protocol, so botocore sees exactly what AWS would send.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

import boto3
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ReadTimeoutError

from bench.fault_proxy import (
    CREDENTIAL_SCOPE,
    PROTOCOL_BY_EVENT_ID,
    PROTOCOL_BY_SIGNING_NAME,
    error_response,
)

# The wire protocol of AWS's error answers is shared with the reliability harness.
_CREDENTIAL_SCOPE = CREDENTIAL_SCOPE


@dataclass(frozen=True)
class Request:
    """What a rule can match on: the service (event id or signing name), operation, region."""

    service: str
    operation: str | None
    region: str | None
    access_key: str | None


@dataclass
class Rule:
    matches: Callable[[Request], bool]
    code: str
    message: str
    status: int
    # answer this many matching requests with the error, then let them through; None: all
    times: int | None = None
    # raise this instead of answering (a transport error: timeout, connection reset)
    raises: Callable[[str], Exception] | None = None
    seen: int = 0
    injected: int = 0


@dataclass
class Faults:
    rules: list[Rule] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(
        self,
        matches: Callable[[Request], bool],
        code: str,
        message: str = "injected by the test",
        status: int = 400,
        times: int | None = None,
    ) -> Rule:
        rule = Rule(matches, code, message, status, times)
        self.rules.append(rule)
        return rule

    def time_out(self, operation: str, times: int | None = None) -> Rule:
        """Requests of ``operation`` time out (a botocore ReadTimeoutError, retried like AWS's)."""
        rule = self.add(lambda r: r.operation == operation, "ReadTimeout", times=times)
        rule.raises = lambda url: ReadTimeoutError(endpoint_url=url)
        return rule

    def throttle(self, operation: str, times: int | None, code: str = "Throttling") -> Rule:
        """The first ``times`` requests of ``operation`` (every one if None) are throttled."""
        return self.add(lambda r: r.operation == operation, code, "Rate exceeded", 400, times)

    def _decide(self, request: Request) -> Rule | None:
        with self.lock:
            for rule in self.rules:
                if not rule.matches(request):
                    continue
                rule.seen += 1
                if rule.times is None or rule.injected < rule.times:
                    rule.injected += 1
                    return rule
        return None

    # --- as a botocore handler on one session (the clients made from it afterwards) ---

    def attach(self, session: boto3.Session) -> None:
        session.events.register_first("before-send", self._before_send)

    def _before_send(self, request: Any, event_name: str, **_: Any) -> AWSResponse | None:
        _, service, operation = event_name.split(".", 2)
        authorization = request.headers.get("Authorization", "")
        if isinstance(authorization, bytes):
            authorization = authorization.decode("utf-8", "replace")
        match = _CREDENTIAL_SCOPE.search(authorization)
        seen = Request(
            service, operation, match.group(2) if match else None, match.group(1) if match else None
        )
        rule = self._decide(seen)
        if rule is None:
            return None
        if rule.raises is not None:
            raise rule.raises(request.url)
        status, headers, body = error_response(
            PROTOCOL_BY_EVENT_ID[service], rule.code, rule.message, rule.status
        )
        return AWSResponse(request.url, status, headers, _Raw(body))

    # --- as WSGI middleware in front of a moto server (every client, every account) ---

    def wsgi(self, app: Callable[..., Iterable[bytes]]) -> Callable[..., Iterable[bytes]]:
        def middleware(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = environ["wsgi.input"].read(length) if length else b""
            environ["wsgi.input"] = _Body(body)
            match = _CREDENTIAL_SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
            service = match.group(3) if match else ""
            seen = Request(
                service,
                _operation(environ, body),
                match.group(2) if match else None,
                match.group(1) if match else None,
            )
            rule = self._decide(seen)
            if rule is None:
                return app(environ, start_response)
            status, headers, payload = error_response(
                PROTOCOL_BY_SIGNING_NAME.get(service, "query"), rule.code, rule.message, rule.status
            )
            start_response(f"{status} Injected", list(headers.items()))
            return [payload]

        return middleware


def _operation(environ: dict[str, Any], body: bytes) -> str | None:
    """The operation of a query/EC2 (Action=) or JSON (X-Amz-Target) request."""
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        return str(target).rsplit(".", 1)[-1]
    for source in (environ.get("QUERY_STRING", ""), body.decode("utf-8", "replace")):
        action = parse_qs(source).get("Action")
        if action:
            return action[0]
    return None


class _Raw:
    """The minimal raw stream AWSResponse needs."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Iterable[bytes]:
        yield self._body

    def read(self, *_: Any) -> bytes:
        body, self._body = self._body, b""
        return body


class _Body:
    def __init__(self, body: bytes) -> None:
        self._body = body
        self._offset = 0

    def read(self, size: int = -1) -> bytes:
        end = len(self._body) if size is None or size < 0 else self._offset + size
        chunk = self._body[self._offset : end]
        self._offset += len(chunk)
        return chunk

    def readline(self, *_: Any) -> bytes:
        return self.read()

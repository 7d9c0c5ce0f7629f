"""What a session's clients put on the wire: every HTTP request (each retry too), as AWS sees it.

Recorded by a botocore ``before-send`` handler, the last step before the transport: counting,
never answering. Register it before the clients are made (they copy the session's handlers).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

import boto3

_REGION = re.compile(r"Credential=[^/]+/[0-9]{8}/([a-z0-9-]+)/")


@dataclass(frozen=True)
class Sent:
    operation: str
    region: str | None
    body: bytes

    def json(self) -> dict[str, Any]:
        """The parameters of a JSON-protocol request (DynamoDB, the Tagging API)."""
        return dict(json.loads(self.body or b"{}"))


class Wire:
    def __init__(self, session: boto3.Session) -> None:
        self.sent: list[Sent] = []
        session.events.register("before-send", self._record)

    def _record(self, request: Any, event_name: str, **_: Any) -> None:
        authorization = request.headers.get("Authorization", "")
        if isinstance(authorization, bytes):
            authorization = authorization.decode("utf-8", "replace")
        region = _REGION.search(authorization)
        body = request.body if isinstance(request.body, bytes) else (request.body or "").encode()
        self.sent.append(Sent(event_name.rsplit(".", 1)[-1], region.group(1) if region else None, body))

    def count(self) -> Counter[str]:
        return Counter(sent.operation for sent in self.sent)

    def of(self, operation: str) -> list[Sent]:
        return [sent for sent in self.sent if sent.operation == operation]

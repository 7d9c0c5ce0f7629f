"""AWS access: sessions, clients with retries, assumed roles, and error wording.

Only the standard chain is used (profiles, AWS_REGION, AWS_ENDPOINT_URL and
AWS_ENDPOINT_URL_<SERVICE_ID>), so the same code runs against AWS, moto and the local
Migration Hub without a test-only branch.
"""

from __future__ import annotations

import threading
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from maptag import __version__

# Throttling is retried by botocore with backoff ("adaptive" also rate-limits the client);
# 10 attempts ride out a burst without hiding a real outage for long.
CLIENT_CONFIG = Config(
    retries={"max_attempts": 10, "mode": "adaptive"},
    user_agent_extra=f"maptag/{__version__}",
    connect_timeout=10,
    read_timeout=60,
    max_pool_connections=16,
)

ACCESS_DENIED = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "UnauthorizedOperation",
        "AuthorizationError",
        "AuthFailure",
        "UnrecognizedClientException",
        "InvalidClientTokenId",
        "OptInRequired",
    }
)


# Clients are thread-safe once made, but making them from a shared session is not.
_CLIENT_LOCK = threading.Lock()


class Clients:
    """Clients for one session and region, made once each."""

    def __init__(self, session: boto3.Session, region: str) -> None:
        self.session = session
        self.region = region
        self._clients: dict[str, Any] = {}

    def __call__(self, service: str) -> Any:
        with _CLIENT_LOCK:
            client = self._clients.get(service)
            if client is None:
                session: Any = self.session  # service names are data here, not literals
                client = session.client(service, region_name=self.region, config=CLIENT_CONFIG)
                self._clients[service] = client
            return client


def partition_of(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def caller_account(session: boto3.Session, region: str) -> str:
    sts = session.client("sts", region_name=region, config=CLIENT_CONFIG)
    return str(sts.get_caller_identity()["Account"])


def assume_role(
    session: boto3.Session,
    account_id: str,
    role_name: str,
    region: str,
    session_name: str = "maptag-scan",
) -> boto3.Session:
    """A session in ``account_id`` through ``role_name`` (the member account's read-only role)."""
    sts = session.client("sts", region_name=region, config=CLIENT_CONFIG)
    arn = f"arn:{partition_of(region)}:iam::{account_id}:role/{role_name}"
    credentials = sts.assume_role(RoleArn=arn, RoleSessionName=session_name)["Credentials"]
    return boto3.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
        region_name=region,
    )


def error_code(error: BaseException) -> str:
    if isinstance(error, ClientError):
        return str(error.response.get("Error", {}).get("Code", "ClientError"))
    return type(error).__name__


def describe_error(error: BaseException) -> str:
    """One line for a report: the error code and AWS's message, never credentials."""
    if isinstance(error, ClientError):
        detail = error.response.get("Error", {})
        operation = getattr(error, "operation_name", "")
        message = str(detail.get("Message", "")).splitlines()[0] if detail.get("Message") else ""
        where = f" on {operation}" if operation else ""
        return f"{detail.get('Code', 'ClientError')}{where}: {message}".rstrip(": ")
    if isinstance(error, BotoCoreError):
        return f"{type(error).__name__}: {error}"
    return f"{type(error).__name__}: {error}".splitlines()[0]

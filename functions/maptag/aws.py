"""AWS access: sessions, clients with retries, assumed roles, and error wording.

Only the standard chain is used (profiles, AWS_REGION, AWS_ENDPOINT_URL and
AWS_ENDPOINT_URL_<SERVICE_ID>, AWS_MAX_ATTEMPTS), so the same code runs against AWS, moto and
the local Migration Hub without a test-only branch.
"""

from __future__ import annotations

import json
import os
import threading
from datetime import datetime
from functools import cache
from typing import Any, Literal

import boto3
import botocore.parsers
import botocore.session
from botocore.config import Config
from botocore.credentials import CredentialProvider, RefreshableCredentials
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    CredentialRetrievalError,
    NoCredentialsError,
    PartialCredentialsError,
    ProfileNotFound,
    SSOError,
    TokenRetrievalError,
)

from maptag import __version__

# Throttling and transient 5xx are retried by botocore ("standard" mode: capped exponential
# backoff with jitter). 10 attempts ride out a burst without hiding a real outage for long;
# AWS_MAX_ATTEMPTS or a profile's max_attempts (the standard chain) overrides it.
DEFAULT_MAX_ATTEMPTS = 10

# The caller's own credentials are missing, wrong or expired: a configuration problem.
BAD_CREDENTIALS = frozenset(
    {
        "InvalidClientTokenId",
        "UnrecognizedClientException",
        "SignatureDoesNotMatch",
        "IncompleteSignature",
        "InvalidAccessKeyId",
        "ExpiredToken",
        "ExpiredTokenException",
        "AuthFailure",
    }
)

_CREDENTIAL_ERRORS = (
    NoCredentialsError,
    PartialCredentialsError,
    CredentialRetrievalError,
    ProfileNotFound,
    TokenRetrievalError,
    SSOError,
)

# Why a resource's tags could not be read decides the advice (judge.py, FIX_UNREADABLE).
# The throttling and transient codes are the ones botocore's standard retry mode retries
# (boto3 guide "Retries", standard retry mode): past the retries they mean "try later".
THROTTLING_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottledException",
        "TooManyRequestsException",
        "ProvisionedThroughputExceededException",
        "TransactionInProgressException",
        "RequestLimitExceeded",
        "BandwidthLimitExceeded",
        "LimitExceededException",
        "RequestThrottled",
        "SlowDown",
        "EC2ThrottledException",
    }
)
# Timeouts, dropped connections and 5xx codes: also "try later", not a permission to grant.
TRANSIENT_ERRORS = frozenset(
    {
        "RequestTimeout",
        "RequestTimeoutException",
        "PriorRequestNotComplete",
        "ReadTimeoutError",
        "ConnectTimeoutError",
        "EndpointConnectionError",
        "ConnectionClosedError",
        "ServiceUnavailable",
        "InternalError",
        "InternalFailure",
        "InternalServerError",
    }
)
DENIED_CODES = frozenset(
    {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError", "Forbidden"}
)
ErrorKind = Literal["denied", "throttled", "other"]

# Clients are thread-safe once made, but making them from a shared session is not.
_CLIENT_LOCK = threading.Lock()


def client_config(session: boto3.Session) -> Config:
    """Retries and identification for every client maptag makes from ``session``."""
    configured = session._session.get_config_variable("max_attempts")
    return Config(
        retries={
            "mode": "standard",
            "total_max_attempts": int(configured) if configured else DEFAULT_MAX_ATTEMPTS,
        },
        user_agent_extra=f"maptag/{__version__}",
        connect_timeout=10,
        read_timeout=60,
        max_pool_connections=16,
    )


def parse_timestamp(value: Any) -> datetime:
    """botocore's timestamp parser, without dateutil for the ISO 8601 times AWS sends.

    dateutil was 12-19 % of a scan's CPU (docs/performance.md). A string with an explicit
    offset (``Z``, ``+00:00``) is read by ``datetime.fromisoformat``: the same instant, as
    timezone-aware; anything else (epoch numbers, RFC 822 dates, naive times) goes to
    botocore's own parser, so every result equals what botocore would have returned.
    """
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            pass
        else:
            if parsed.tzinfo is not None:
                return parsed
    result: datetime = botocore.parsers.DEFAULT_TIMESTAMP_PARSER(value)
    return result


class _LoudParsers(botocore.parsers.ResponseParserFactory):
    """Parsers whose every failure is a ResponseParserError (one line in the CLI), never a bare
    KeyError from inside botocore: an HTML page with status 200 does that (boto/boto3#1961)."""

    def create_parser(self, protocol_name: str) -> Any:
        parser: Any = super().create_parser(protocol_name)
        parse = parser.parse

        def checked(response: Any, shape: Any) -> Any:
            if protocol_name in _JSON_PROTOCOLS and not _json_document(response, shape):
                # botocore would answer {} (no error): GetResources would say "no tags at all".
                raise botocore.parsers.ResponseParserError(
                    f"the answer (HTTP {response.get('status_code')}) is not a JSON document of the service"
                )
            try:
                return parse(response, shape)
            except botocore.parsers.ResponseParserError:
                raise
            except Exception as error:
                raise botocore.parsers.ResponseParserError(
                    f"the answer is not a {protocol_name} document of the service "
                    f"({type(error).__name__}: {error})"
                ) from error

        parser.parse = checked
        return parser


_JSON_PROTOCOLS = frozenset({"json", "rest-json"})


def _json_document(response: Any, shape: Any) -> bool:
    """False for a success whose body is not a JSON object (an HTML page, a truncated body)."""
    body = response.get("body")
    if response.get("status_code", 500) >= 300 or not isinstance(body, bytes) or not body.strip():
        return True  # errors have their own parsing; an empty body is {} by the protocol
    if shape is not None and shape.serialization.get("payload"):
        return True  # the body is a member itself (a blob or a string), not a document
    try:
        return isinstance(json.loads(body), dict)
    except ValueError:
        return False


def make_client(session: boto3.Session, service: str, region: str) -> Any:
    with _CLIENT_LOCK:
        core = session._session
        factory = core.get_component("response_parser_factory")
        if not isinstance(factory, _LoudParsers):
            factory = _LoudParsers()
            core.register_component("response_parser_factory", factory)
        # The session's parsers (made per response, for every client of the session) use it.
        factory.set_parser_defaults(timestamp_parser=parse_timestamp)
        maker: Any = session  # service names are data here, not literals
        return maker.client(service, region_name=region, config=client_config(session))


class Clients:
    """Clients for one session and region, made once each."""

    def __init__(self, session: boto3.Session, region: str) -> None:
        self.session = session
        self.region = region
        self._clients: dict[str, Any] = {}
        self._lock = threading.Lock()

    def __call__(self, service: str) -> Any:
        with self._lock:
            client = self._clients.get(service)
            if client is None:
                client = self._clients[service] = make_client(self.session, service, self.region)
            return client


def partition_of(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def caller_account(session: boto3.Session, region: str) -> str:
    return str(make_client(session, "sts", region).get_caller_identity()["Account"])


class _AssumedRole(CredentialProvider):
    """Puts already-assumed, self-refreshing credentials first in a session's chain."""

    METHOD = "maptag-assume-role"

    def __init__(self, credentials: RefreshableCredentials) -> None:
        super().__init__()
        self._credentials = credentials

    def load(self) -> RefreshableCredentials:
        return self._credentials


def assume_role(
    session: boto3.Session,
    account_id: str,
    role_name: str,
    region: str,
    session_name: str = "maptag-scan",
) -> boto3.Session:
    """A session in ``account_id`` through ``role_name`` (the member account's read-only role).

    The role is assumed at once (so a denied role fails here, for the unit that needs it) and
    again shortly before the credentials expire: one account's units may start hours apart.
    """
    sts = make_client(session, "sts", region)
    arn = f"arn:{partition_of(region)}:iam::{account_id}:role/{role_name}"

    def fetch() -> dict[str, str]:
        credentials = sts.assume_role(RoleArn=arn, RoleSessionName=session_name)["Credentials"]
        return {
            "access_key": credentials["AccessKeyId"],
            "secret_key": credentials["SecretAccessKey"],
            "token": credentials["SessionToken"],
            "expiry_time": credentials["Expiration"].isoformat(),
        }

    credentials = RefreshableCredentials.create_from_metadata(
        metadata=fetch(), refresh_using=fetch, method=_AssumedRole.METHOD
    )
    # Same profile (if one was chosen), so region, endpoints and retry settings come from the
    # same chain as the caller's.
    core = botocore.session.Session(profile=session._session.profile)
    core.get_component("credential_provider").insert_before("env", _AssumedRole(credentials))
    # The caller's loader: service models are parsed once per process, not once per account.
    core.register_component("data_loader", session._session.get_component("data_loader"))
    return boto3.Session(botocore_session=core, region_name=region)


def error_code(error: BaseException) -> str:
    if isinstance(error, ClientError):
        return str(error.response.get("Error", {}).get("Code", "ClientError"))
    return type(error).__name__


def is_bad_credentials(error: BaseException) -> bool:
    """The error says the caller's credentials are missing, invalid or expired."""
    if isinstance(error, ClientError):
        return error_code(error) in BAD_CREDENTIALS
    return isinstance(error, _CREDENTIAL_ERRORS)


def describe_error(error: BaseException) -> str:
    """One line for a report: the error code and AWS's message, never credentials."""
    if isinstance(error, SSOError):
        # botocore's own text says "run aws sso login with the corresponding profile": name it.
        return (
            f"{type(error).__name__}: the AWS SSO session of profile {profile_name()!r} has expired "
            f"or was never started: run `aws sso login --profile {profile_name()}`"
        )
    if isinstance(error, ClientError):
        detail = error.response.get("Error", {})
        operation = getattr(error, "operation_name", "")
        message = str(detail.get("Message", "")).splitlines()[0] if detail.get("Message") else ""
        where = f" on {operation}" if operation else ""
        return f"{detail.get('Code', 'ClientError')}{where}: {message}".rstrip(": ")
    if isinstance(error, BotoCoreError):
        return f"{type(error).__name__}: {error}"
    return f"{type(error).__name__}: {error}".splitlines()[0]


def error_kind(described: str) -> ErrorKind:
    """What kind of failure a ``describe_error`` line reports: its first word is the code."""
    code = described.split(" ", 1)[0].rstrip(":")
    if code in DENIED_CODES:
        return "denied"
    if code in THROTTLING_CODES or code in TRANSIENT_ERRORS:
        return "throttled"
    return "other"


def profile_name() -> str:
    """The profile the standard chain uses (AWS_PROFILE, else AWS_DEFAULT_PROFILE, else default)."""
    return os.environ.get("AWS_PROFILE") or os.environ.get("AWS_DEFAULT_PROFILE") or "default"


@cache
def known_regions() -> frozenset[str]:
    """Every region in botocore's partition data (endpoints.json), in every partition."""
    endpoints = botocore.session.get_session().get_component("data_loader").load_data("endpoints")
    return frozenset(name for partition in endpoints["partitions"] for name in partition["regions"])


def custom_endpoint(session: boto3.Session) -> str | None:
    """The endpoint URL the standard chain sends requests to instead of AWS's, if any."""
    for name, value in sorted(os.environ.items()):
        if name.startswith("AWS_ENDPOINT_URL") and value:
            return value
    configured = session._session.get_scoped_config().get("endpoint_url")
    return str(configured) if configured else None

"""The scan over HTTP: a moto server reached through AWS_ENDPOINT_URL (the standard chain),
with WSGI middleware in front of it throttling requests from every account's session.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import boto3
import pytest
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import make_server

from maptag.model import Verdict
from tests.support.faults import Faults
from tests.support.moto_seed import ACCOUNT, COMPLIANT, policy, scan, seed_bucket, seed_volume

MEMBER = "111111111111"
ROLE = "MaptagReadOnly"
REGION = "eu-west-1"


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[Faults]:
    """A moto server on a free loopback port behind fault-injecting middleware."""
    faults = Faults()
    httpd = make_server(
        "127.0.0.1",
        0,
        faults.wsgi(DomainDispatcherApplication(create_backend_app)),
        threaded=True,
        request_handler=MotoRequestHandler,
    )
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{httpd.server_port}")
    try:
        yield faults
    finally:
        httpd.shutdown()
        thread.join()


def test_member_and_caller_units_ride_out_throttling_over_http(server: Faults) -> None:
    # Given an estate in the caller's and a member's account on the server
    caller = boto3.Session(region_name=REGION)
    credentials = caller.client("sts").assume_role(
        RoleArn=f"arn:aws:iam::{MEMBER}:role/{ROLE}", RoleSessionName="seed"
    )["Credentials"]
    member = boto3.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
        region_name=REGION,
    )
    own = {seed_volume(caller, REGION, "own", COMPLIANT), seed_bucket(caller, REGION, "own-bucket", None)}
    theirs = {
        seed_volume(member, REGION, "theirs", None),
        seed_bucket(member, REGION, "their-bucket", COMPLIANT),
    }
    # and the server throttling the first DescribeVolumes requests, whoever sends them
    rule = server.throttle("DescribeVolumes", times=3, code="RequestLimitExceeded")

    # When both accounts are scanned
    outcome = scan(
        caller,
        policy(
            regions=[REGION], accounts=[ACCOUNT, MEMBER], role_name=ROLE, types=["ec2:volume", "s3:bucket"]
        ),
    )

    # Then both units retried through and are complete
    assert sorted((r.unit.account_id, r.status) for r in outcome.units) == [(MEMBER, "ok"), (ACCOUNT, "ok")]
    assert (rule.injected, rule.seen) == (3, 5)
    found = {f.resource.arn: (f.resource.account_id, f.verdict) for f in outcome.findings}
    assert {arn: found[arn][0] for arn in own} == dict.fromkeys(own, ACCOUNT)
    assert {arn: found[arn][0] for arn in theirs} == dict.fromkeys(theirs, MEMBER)
    assert sorted(verdict for _, verdict in found.values()) == sorted(
        [Verdict.COMPLIANT, Verdict.MISSING, Verdict.MISSING, Verdict.COMPLIANT]
    )
    assert len(found) == 4

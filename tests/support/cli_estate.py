"""A moto server and a small seeded estate (through maptag.local.seeders) for the `maptag scan`
end-to-end tests.

The server runs in its own process (ThreadedMotoServer on a free loopback port), so its state
is its own: no other test's `mock_aws` in this worker can reset it mid-module. maptag reaches
it the standard way, through AWS_ENDPOINT_URL.
"""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import boto3

from maptag.local.embedded import EMBEDDED_TYPES
from maptag.local.seeders import SEEDERS, SeedContext
from maptag.local.seeders import ec2 as ec2_seeders

ACCOUNT = "123456789012"  # moto's default account
OTHER_ACCOUNT = "210987654321"
REGIONS = ("us-east-1", "eu-west-1")
HOSTILE = '<script>alert("x")</script>'
# A value with everything CSV quoting must survive: comma, quotes, a newline.
AWKWARD = 'mig12345, "quoted"\nsecond line'

_SERVER = """
import logging
import sys
from moto.server import ThreadedMotoServer
server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
logging.getLogger("werkzeug").setLevel(logging.ERROR)
server.start()
print(server.get_host_and_port()[1], flush=True)
sys.stdin.read()  # runs until the test process closes stdin (or dies)
server.stop()
"""


@contextmanager
def moto_server() -> Iterator[str]:
    env = {**os.environ, "MOTO_EC2_LOAD_DEFAULT_AMIS": "false"}
    process = subprocess.Popen(
        [sys.executable, "-c", _SERVER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env
    )
    assert process.stdout is not None
    assert process.stdin is not None
    port = process.stdout.readline().strip()
    try:
        assert port.isdigit(), "the moto server did not start"
        yield f"http://127.0.0.1:{port}"
    finally:
        process.stdin.close()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def aws_env(endpoint: str) -> dict[str, str]:
    """The standard-chain settings that point boto3 (and so maptag) at the server."""
    return {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": REGIONS[0],
        "AWS_DEFAULT_REGION": REGIONS[0],
    }


def enforce_iam(endpoint: str, on: bool) -> None:
    """moto checks every request against IAM policies from now on (or stops checking)."""
    body = b"0" if on else b"inf"
    request = urllib.request.Request(  # noqa: S310
        f"{endpoint}/moto-api/reset-auth", data=body, method="POST", headers={"Content-Type": "text/plain"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (loopback moto)
        assert response.status == 200


@dataclass
class Estate:
    """What was seeded, and the verdict maptag must give each resource."""

    expected: dict[str, str] = field(default_factory=dict)  # ARN -> verdict
    region: dict[str, str] = field(default_factory=dict)  # ARN -> region (S3 ARNs have none)
    excluded: set[str] = field(default_factory=set)

    def add(self, arn: str, verdict: str, region: str) -> str:
        self.expected[arn] = verdict
        self.region[arn] = region
        return arn

    def count(self, verdict: str, region: str | None = None) -> int:
        return sum(
            1 for arn, v in self.expected.items() if v == verdict and region in (None, self.region[arn])
        )


def _context(region: str) -> SeedContext:
    return SeedContext(boto3.Session(), region, ACCOUNT)


def _launch(
    region: str, instance_tags: dict[str, str], volume_tags: dict[str, str] | None = None
) -> tuple[str, str]:
    """(instance ARN, root volume ARN); tags go on at launch, as MGN and people do it."""
    ctx = _context(region)
    # an AMI moto does not look up: a registered one would be one more resource in the report
    (launched,) = ec2_seeders.launch_instances(
        ctx, 1, instance_tags, volume_tags=volume_tags, image="ami-12345678"
    )
    return ctx.arn("ec2", f"instance/{launched.instance_id}"), ctx.arn(
        "ec2", f"volume/{launched.volume_ids[0]}"
    )


def _bucket(name: str, region: str, tags: dict[str, str] | None) -> str:
    return SEEDERS["s3:bucket"](_context(region), name, tags)


def seed() -> Estate:
    """The estate, through boto3 against whatever AWS_ENDPOINT_URL points at.

    us-east-1: 4 compliant, 1 near-miss key, 1 missing, 3 invalid values, 1 excluded bucket;
    eu-west-1: 1 compliant, 2 missing. Overall 5 of 12 in scope: 41.66 % (rounded down).
    """
    estate = Estate()
    east, west = REGIONS
    good = {"map-migrated": "mig12345", "Name": "web-1"}

    instance, volume = _launch(east, good, {"map-migrated": "mig12345"})
    estate.add(instance, "compliant", east)
    estate.add(volume, "compliant", east)
    instance, volume = _launch(east, {"Map-Migrated": HOSTILE, "Owner": "payments"})
    estate.add(instance, "near_miss_key", east)
    estate.add(volume, "missing", east)  # attached at launch, never tagged: the classic gap
    instance, volume = _launch(east, {"map-migrated": "mig99999"}, {"map-migrated": "MIG12345"})
    estate.add(instance, "invalid_value", east)
    estate.add(volume, "invalid_value", east)
    estate.add(_bucket("ok-bucket-cli", east, {"map-migrated": "mig12345"}), "compliant", east)
    estate.add(_bucket("awkward-bucket-cli", east, {"map-migrated": AWKWARD}), "invalid_value", east)
    estate.excluded.add(_bucket("cdk-assets-cli", east, None))
    table = SEEDERS["dynamodb:table"](_context(east), "orders", {"map-migrated": "sap12345"})
    estate.add(table, "compliant", east)

    instance, volume = _launch(west, good)
    estate.add(instance, "compliant", west)
    estate.add(volume, "missing", west)
    estate.add(_bucket("plain-bucket-eu-cli", west, None), "missing", west)
    return estate


# The scan every report test reads: both regions, every type, the CDK bucket excluded.
# the types moto can list (maptag.local.embedded); on AWS a scan covers every type
SCAN = [
    "scan", "--mpe-id", "12345", "--regions", ",".join(REGIONS), "--exclude", "arn:aws:s3:::cdk-*",
    "--types", ",".join(EMBEDDED_TYPES),
]  # fmt: skip

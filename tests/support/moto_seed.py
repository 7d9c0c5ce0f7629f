"""Seeding helpers for the scan-engine integration tests, over maptag.local.seeders.

Every type is created by its seeder in maptag.local.seeders (the one place that knows how, shared
with the demo and the benchmarks); here they take a session and a region, as the tests hold them,
and return the ARN the scanner must report. ``tags=None`` means the resource never had a tag (no
tagging call at all); ``{}`` is not used.
"""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import boto3
import botocore.loaders
import botocore.session
from moto.core import set_initial_no_auth_action_count

from maptag.local.seeders import SEEDERS as SHARED_SEEDERS
from maptag.local.seeders import SeedContext
from maptag.local.seeders import Seeder as SharedSeeder
from maptag.local.seeders import ec2 as ec2_seeders
from maptag.model import Finding, ScanUnit
from maptag.policy import Policy
from maptag.resources.declarations import TYPE_NAMES
from maptag.scan import UnitResult, plan, run_scan
from tests.support.moto_gaps import STUBBED

ACCOUNT = "123456789012"  # moto's default account
MPE_VALUE = "mig12345"
COMPLIANT = {"map-migrated": MPE_VALUE, "Name": "migrated"}
NO_MAP_TAG = {"Name": "untagged-workload", "team": "payments"}

Tags = dict[str, str] | None
Seeder = Callable[[boto3.Session, str, str, Tags], str]


# One model loader for every session the tests make: parsing the service models again for
# each new session would cost seconds per test.
_LOADER = botocore.loaders.create_loader()


def keyed_session(
    access_key: str, secret_key: str, token: str | None = None, region: str = "us-east-1"
) -> boto3.Session:
    """A session with these credentials (a restricted IAM user, an assumed role)."""
    core = botocore.session.Session()
    core.register_component("data_loader", _LOADER)
    core.set_credentials(access_key, secret_key, token)
    return boto3.Session(botocore_session=core, region_name=region)


def account_of(session: boto3.Session) -> str:
    return str(session.client("sts", region_name="us-east-1").get_caller_identity()["Account"])


# One seed context per session and region: prerequisites (subnets, roles, a base AMI) made once.
# Holding the session keeps its id from being reused by another test's.
_CONTEXTS: dict[tuple[int, str], SeedContext] = {}


def context(session: boto3.Session, region: str) -> SeedContext:
    key = (id(session), region)
    if key not in _CONTEXTS:
        _CONTEXTS[key] = SeedContext(session, region, account_of(session))
    return _CONTEXTS[key]


def _by_session(seeder: SharedSeeder) -> Seeder:
    def seed(session: boto3.Session, region: str, name: str, tags: Tags) -> str:
        return seeder(context(session, region), name, tags)

    return seed


# One seeder per type moto models (resources/test_every_type.py checks these and STUBBED cover TYPE_NAMES).
SEEDERS: dict[str, Seeder] = {name: _by_session(seeder) for name, seeder in SHARED_SEEDERS.items()}
# The names the scan tests import (tests across a dozen files call them by these names).
seed_volume = SEEDERS["ec2:volume"]
seed_bucket = SEEDERS["s3:bucket"]
seed_table = SEEDERS["dynamodb:table"]
seed_function = SEEDERS["lambda:function"]
seed_load_balancer = SEEDERS["elasticloadbalancing:loadbalancer"]


def base_image(session: boto3.Session, region: str) -> str:
    """The registered AMI instances launch from (moto loads none: MOTO_EC2_LOAD_DEFAULT_AMIS)."""
    return ec2_seeders.base_image(context(session, region))


def launch(session: boto3.Session, region: str, tags: Tags, image: str | None = None) -> str:
    """An instance id (its root volume is created and attached untagged, like a real launch)."""
    (launched,) = ec2_seeders.launch_instances(context(session, region), 1, tags, image=image)
    return launched.instance_id


def instance_arn(region: str, instance_id: str, account: str = ACCOUNT) -> str:
    return f"arn:aws:ec2:{region}:{account}:instance/{instance_id}"


def volume_arn(region: str, volume_id: str, account: str = ACCOUNT) -> str:
    return f"arn:aws:ec2:{region}:{account}:volume/{volume_id}"


def root_volume(session: boto3.Session, region: str, instance_id: str) -> str:
    ec2 = session.client("ec2", region_name=region)
    volumes = ec2.describe_volumes(Filters=[{"Name": "attachment.instance-id", "Values": [instance_id]}])
    return str(volumes["Volumes"][0]["VolumeId"])


@dataclass
class ScanOutcome:
    """What a user of the scan sees: every finding and every unit's result."""

    findings: list[Finding]
    units: list[UnitResult]

    def by_arn(self) -> dict[str, Finding]:
        return {finding.resource.arn: finding for finding in self.findings}

    def of_type(self, type_name: str) -> list[Finding]:
        return [finding for finding in self.findings if finding.resource.type == type_name]

    def unit(self, account: str, region: str) -> UnitResult:
        return next(r for r in self.units if r.unit == ScanUnit(account, region))

    def in_unit(self, account: str, region: str) -> list[Finding]:
        return [f for f in self.findings if (f.resource.account_id, f.resource.region) == (account, region)]


def policy(**values: Any) -> Policy:
    """A scan policy; by default every type moto models (the stubbed ones it answers "not
    implemented", which would fail every unit: tests/integration/resources/)."""
    modelled = [name for name in TYPE_NAMES if name not in STUBBED]
    return Policy.build(**{"mpe_ids": [MPE_VALUE], "regions": ["us-east-1"], "types": modelled, **values})


def scan(session: boto3.Session, scan_policy: Policy) -> ScanOutcome:
    """plan() then run_scan() exactly as the CLI does, collecting findings from every unit."""
    scan_plan = plan(scan_policy, session)
    findings: list[Finding] = []
    lock = threading.Lock()

    def sink_for(_unit: ScanUnit) -> Callable[[Finding], None]:
        def emit(finding: Finding) -> None:
            with lock:
                findings.append(finding)

        return emit

    units = list(run_scan(scan_policy, session, scan_plan.units, scan_plan.caller_account, sink_for))
    return ScanOutcome(findings=findings, units=units)


_SCANNERS = itertools.count()


def scanner_session(session: boto3.Session, actions: Iterable[str], region: str) -> boto3.Session:
    """A new IAM user of the session's moto account allowed exactly ``actions`` (on "*"), as a session."""
    user = f"scanner-{next(_SCANNERS)}"
    iam = session.client("iam", region_name=region)
    iam.create_user(UserName=user)
    # moto checks the Tagging API's calls as "tagging:..." (its signing name), IAM as "tag:..."
    spelled = [*actions, *(f"tagging:{a[4:]}" for a in actions if a.startswith("tag:"))]
    document = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": spelled, "Resource": "*"}],
    }
    iam.put_user_policy(UserName=user, PolicyName="scan", PolicyDocument=json.dumps(document))
    key = iam.create_access_key(UserName=user)["AccessKey"]
    return keyed_session(key["AccessKeyId"], key["SecretAccessKey"], region=region)


def enforced_scan(scanner: boto3.Session, scan_policy: Policy) -> ScanOutcome:
    """scan() with moto's IAM enforcement on from the first call."""
    outcome: ScanOutcome = set_initial_no_auth_action_count(0)(scan)(scanner, scan_policy)
    return outcome


def arns(findings: Iterable[Finding]) -> set[str]:
    return {finding.resource.arn for finding in findings}

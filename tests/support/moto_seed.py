"""Seeding helpers for the scan-engine integration tests: one small function per resource type.

Each seeder creates one resource of its type through boto3 (against whatever moto backs the
session: `mock_aws` or a server) and returns the ARN the scanner must report. ``tags=None``
means the resource never had a tag (no tagging call at all); ``{}`` is not used.
"""

from __future__ import annotations

import io
import json
import threading
import zipfile
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


def _ec2_specs(kind: str, tags: Tags) -> dict[str, Any]:
    if not tags:
        return {}
    return {"TagSpecifications": [{"ResourceType": kind, "Tags": _pairs(tags)}]}


def _pairs(tags: Tags) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in (tags or {}).items()]


def base_image(session: boto3.Session, region: str) -> str:
    """A registered AMI to launch instances from (moto loads none: MOTO_EC2_LOAD_DEFAULT_AMIS)."""
    ec2 = session.client("ec2", region_name=region)
    return str(
        ec2.register_image(
            Name="base-image",
            RootDeviceName="/dev/sda1",
            BlockDeviceMappings=[{"DeviceName": "/dev/sda1", "Ebs": {"VolumeSize": 8}}],
        )["ImageId"]
    )


def launch(session: boto3.Session, region: str, tags: Tags, image: str | None = None) -> str:
    """An instance id (its root volume is created and attached untagged, like a real launch)."""
    ec2 = session.client("ec2", region_name=region)
    image = image or base_image(session, region)
    reservation = ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1, **_ec2_specs("instance", tags))
    return str(reservation["Instances"][0]["InstanceId"])


def instance_arn(region: str, instance_id: str, account: str = ACCOUNT) -> str:
    return f"arn:aws:ec2:{region}:{account}:instance/{instance_id}"


def volume_arn(region: str, volume_id: str, account: str = ACCOUNT) -> str:
    return f"arn:aws:ec2:{region}:{account}:volume/{volume_id}"


def root_volume(session: boto3.Session, region: str, instance_id: str) -> str:
    ec2 = session.client("ec2", region_name=region)
    volumes = ec2.describe_volumes(Filters=[{"Name": "attachment.instance-id", "Values": [instance_id]}])
    return str(volumes["Volumes"][0]["VolumeId"])


def account_of(session: boto3.Session) -> str:
    return str(session.client("sts", region_name="us-east-1").get_caller_identity()["Account"])


def seed_instance(session: boto3.Session, region: str, name: str, tags: Tags) -> str:
    return instance_arn(region, launch(session, region, tags), account_of(session))


def seed_volume(session: boto3.Session, region: str, name: str, tags: Tags) -> str:
    ec2 = session.client("ec2", region_name=region)
    volume = ec2.create_volume(Size=1, AvailabilityZone=f"{region}a", **_ec2_specs("volume", tags))
    return volume_arn(region, volume["VolumeId"], account_of(session))


def seed_snapshot(session: boto3.Session, region: str, name: str, tags: Tags) -> str:
    ec2 = session.client("ec2", region_name=region)
    volume = ec2.create_volume(Size=1, AvailabilityZone=f"{region}a")["VolumeId"]
    snapshot = ec2.create_snapshot(VolumeId=volume, **_ec2_specs("snapshot", tags))
    return f"arn:aws:ec2:{region}::snapshot/{snapshot['SnapshotId']}"


def seed_image(session: boto3.Session, region: str, name: str, tags: Tags) -> str:
    ec2 = session.client("ec2", region_name=region)
    instance = launch(session, region, None)
    image = ec2.create_image(InstanceId=instance, Name=f"image-{name}", **_ec2_specs("image", tags))
    return f"arn:aws:ec2:{region}::image/{image['ImageId']}"


def _db_instance(session: boto3.Session, region: str, name: str, tags: Tags) -> None:
    session.client("rds", region_name=region).create_db_instance(
        DBInstanceIdentifier=name,
        DBInstanceClass="db.t3.micro",
        Engine="postgres",
        MasterUsername="admin",
        MasterUserPassword="password-123",
        AllocatedStorage=20,
        **({"Tags": _pairs(tags)} if tags else {}),
    )


def seed_db(session: boto3.Session, region: str, name: str, tags: Tags) -> str:
    _db_instance(session, region, name, tags)
    return f"arn:aws:rds:{region}:{account_of(session)}:db:{name}"


def seed_db_cluster(session: boto3.Session, region: str, name: str, tags: Tags) -> str:
    session.client("rds", region_name=region).create_db_cluster(
        DBClusterIdentifier=name,
        Engine="aurora-postgresql",
        MasterUsername="admin",
        MasterUserPassword="password-123",
        **({"Tags": _pairs(tags)} if tags else {}),
    )
    return f"arn:aws:rds:{region}:{account_of(session)}:cluster:{name}"


def seed_db_snapshot(session: boto3.Session, region: str, name: str, tags: Tags) -> str:
    _db_instance(session, region, f"{name}-source", None)
    session.client("rds", region_name=region).create_db_snapshot(
        DBSnapshotIdentifier=name,
        DBInstanceIdentifier=f"{name}-source",
        **({"Tags": _pairs(tags)} if tags else {}),
    )
    return f"arn:aws:rds:{region}:{account_of(session)}:snapshot:{name}"


def seed_bucket(session: boto3.Session, region: str, name: str, tags: Tags) -> str:
    s3 = session.client("s3", region_name=region)
    where = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
    s3.create_bucket(Bucket=name, **where)
    if tags:
        s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": _pairs(tags)})
    return f"arn:aws:s3:::{name}"


def seed_table(session: boto3.Session, region: str, name: str, tags: Tags) -> str:
    session.client("dynamodb", region_name=region).create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        **({"Tags": _pairs(tags)} if tags else {}),
    )
    return f"arn:aws:dynamodb:{region}:{account_of(session)}:table/{name}"


def _function_code() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", "def handler(event, context):\n    return event\n")
    return buffer.getvalue()


def _lambda_role(session: boto3.Session) -> str:
    iam = session.client("iam", region_name="us-east-1")
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
    try:
        return str(iam.get_role(RoleName="seed-lambda-role")["Role"]["Arn"])
    except iam.exceptions.NoSuchEntityException:
        return str(
            iam.create_role(RoleName="seed-lambda-role", AssumeRolePolicyDocument=json.dumps(trust))["Role"][
                "Arn"
            ]
        )


def seed_function(session: boto3.Session, region: str, name: str, tags: Tags) -> str:
    response = session.client("lambda", region_name=region).create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=_lambda_role(session),
        Handler="handler.handler",
        Code={"ZipFile": _function_code()},
        **({"Tags": dict(tags)} if tags else {}),
    )
    return str(response["FunctionArn"])


def _subnets(session: boto3.Session, region: str) -> list[str]:
    ec2 = session.client("ec2", region_name=region)
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    return [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.20.{n}.0/24", AvailabilityZone=f"{region}{zone}")[
            "Subnet"
        ]["SubnetId"]
        for n, zone in ((1, "a"), (2, "b"))
    ]


def seed_load_balancer(session: boto3.Session, region: str, name: str, tags: Tags) -> str:
    response = session.client("elbv2", region_name=region).create_load_balancer(
        Name=name, Subnets=_subnets(session, region), **({"Tags": _pairs(tags)} if tags else {})
    )
    return str(response["LoadBalancers"][0]["LoadBalancerArn"])


def seed_file_system(session: boto3.Session, region: str, name: str, tags: Tags) -> str:
    response = session.client("efs", region_name=region).create_file_system(
        CreationToken=name, **({"Tags": _pairs(tags)} if tags else {})
    )
    return f"arn:aws:elasticfilesystem:{region}:{account_of(session)}:file-system/{response['FileSystemId']}"


# One seeder per declared type (tests/integration/resources/test_every_type.py checks this covers TYPE_NAMES).
SEEDERS: dict[str, Seeder] = {
    "ec2:instance": seed_instance,
    "ec2:volume": seed_volume,
    "ec2:snapshot": seed_snapshot,
    "ec2:image": seed_image,
    "rds:db": seed_db,
    "rds:cluster": seed_db_cluster,
    "rds:snapshot": seed_db_snapshot,
    "s3:bucket": seed_bucket,
    "dynamodb:table": seed_table,
    "lambda:function": seed_function,
    "elasticloadbalancing:loadbalancer": seed_load_balancer,
    "elasticfilesystem:file-system": seed_file_system,
}

# The seeders of the further types (maptag.local.seeders, shared with the demo and the bench).
_CONTEXTS: dict[tuple[int, str], SeedContext] = {}


def _shared(seeder: SharedSeeder) -> Seeder:
    def seed(session: boto3.Session, region: str, name: str, tags: Tags) -> str:
        key = (id(session), region)
        if key not in _CONTEXTS:
            _CONTEXTS[key] = SeedContext(session, region, account_of(session))
        return seeder(_CONTEXTS[key], name, tags)

    return seed


SEEDERS.update({name: _shared(seeder) for name, seeder in SHARED_SEEDERS.items() if name not in SEEDERS})


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


def scanner_session(session: boto3.Session, actions: Iterable[str], region: str) -> boto3.Session:
    """A new IAM user of the session's moto account allowed exactly ``actions`` (on "*"), as a session."""
    actions = tuple(actions)
    user = f"scanner-{len(actions)}-{abs(hash(actions))}"
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

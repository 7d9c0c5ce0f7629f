"""The benchmark estate: N resources over the types moto models, in two regions.

The mix is EC2-heavy, as a lift-and-shift estate is (each instance brings a root and a data
volume, backups bring snapshots), with the containers and managed services around it (ECS
clusters with services and tasks, EKS node groups, ElastiCache, Redshift, MSK, log groups,
keys, secrets, ...: maptag.local.seeders creates those, the one place that knows how), and
realistic tag mixes: mostly compliant, and every
defect maptag knows (missing, never tagged, near-miss keys, bad values, another MPE id,
legacy values and keys). Seeding is not timed: it goes through boto3 in the same process as
the server (moto's in-process mock, no HTTP), with the bulk calls moto offers (RunInstances
MaxCount, CreateSnapshots per instance, CreateTags over up to 1,000 ids).
"""

from __future__ import annotations

import io
import random
import zipfile
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import boto3

from maptag.local.seeders import SEEDERS, SeedContext
from maptag.resources.declarations import BY_NAME
from maptag.rules import DBA_PREFIXES

REGIONS: tuple[str, ...] = ("us-east-1", "eu-west-1")
# Share of the estate in each region (the home region holds most of it).
REGION_SHARE: tuple[float, ...] = (0.6, 0.4)
MPE_ID = "12345"
ACCEPTED = tuple(prefix + MPE_ID for prefix in ("comm_ec2_", "mig_ec2_", "oracle", "comm", "mig", "sap"))

# Resources per 1,000, by maptag type. Volumes = 2 per instance + unattached ones; EC2
# snapshots = 2 per backed-up instance (CreateSnapshots) + one per AMI (moto, like AWS, backs
# every AMI with a snapshot).
MIX_PER_1000: Mapping[str, int] = {
    "ec2:instance": 120,
    "ec2:volume": 260,
    "ec2:snapshot": 170,
    "ec2:image": 20,
    "rds:db": 45,
    "rds:cluster": 10,  # each brings an automated cluster snapshot (untagged)
    "rds:snapshot": 55,
    "s3:bucket": 70,
    "dynamodb:table": 40,
    "lambda:function": 50,
    "elasticloadbalancing:loadbalancer": 12,
    "elasticfilesystem:file-system": 10,
    **{
        # created through maptag.local.seeders (parents before what they hold)
        "logs:log-group": 30,
        "ecs:cluster": 2,
        "ecs:service": 8,
        "ecs:task": 20,
        "secretsmanager:secret": 12,
        "kms:key": 10,
        "ecr:repository": 10,
        "ec2:elastic-ip": 8,
        "autoscaling:autoScalingGroup": 6,
        "ec2:natgateway": 4,
        "ec2:vpc-endpoint": 3,
        "elasticache:cluster": 4,
        "elasticache:replicationgroup": 2,
        "glue:job": 3,
        "glue:crawler": 1,
        "eks:cluster": 1,
        "eks:nodegroup": 2,
        "firehose:deliverystream": 2,
        "redshift:cluster": 1,
        "kafka:cluster": 1,
        "rds:db-proxy": 1,
        "dms:rep": 1,
        "sagemaker:notebook-instance": 1,
        "mq:broker": 1,
        "transfer:server": 1,
        "elasticbeanstalk:environment": 1,
        "workspaces:workspace": 1,
    },
}
SEEDED = tuple(rtype for rtype in MIX_PER_1000 if rtype in SEEDERS)
# What holds a seeded resource: its declared parent, or the cluster an ECS service runs in.
HELD_BY: Mapping[str, str] = {
    **{rtype: parent.type for rtype in SEEDED if (parent := BY_NAME[rtype].parent) is not None},
    "ecs:service": "ecs:cluster",
}

# (share, verdict maptag must give, map-migrated-ish tags); the rest of a resource's tags
# come from _ordinary_tags. Shares add up to 1.
PROFILES: tuple[tuple[float, str, Mapping[str, str]], ...] = (
    (0.60, "compliant", {"map-migrated": "mig12345"}),
    (0.06, "compliant", {"map-migrated": "mig_ec2_12345"}),
    (0.04, "compliant", {"map-migrated": "sap12345"}),
    (0.02, "compliant", {"map-migrated": "oracle12345"}),
    (0.09, "missing", {}),
    (0.05, "missing", {"__untagged__": ""}),
    (0.01, "missing", {"map-dba": "12345"}),
    (0.015, "near_miss_key", {"Map-Migrated": "mig12345"}),
    (0.01, "near_miss_key", {"map_migrated": "mig12345"}),
    (0.005, "near_miss_key", {"map-migrated ": "mig12345"}),
    (0.005, "near_miss_key", {"MAP-MIGRATED": "mig12345"}),
    (0.005, "near_miss_key", {"mapmigrated": "mig12345"}),
    (0.015, "invalid_value", {"map-migrated": "MIG12345"}),
    (0.01, "invalid_value", {"map-migrated": "mig12345 "}),
    (0.01, "invalid_value", {"map-migrated": "mig99999"}),
    (0.01, "invalid_value", {"map-migrated": "12345"}),
    (0.005, "invalid_value", {"map-migrated": "mig-12345"}),
    (0.005, "invalid_value", {"map-migrated": "d-server-0a1b2c3d4e5f6g"}),
    (0.005, "invalid_value", {"map-migrated": "migABCDE12345"}),
)
UNTAGGED = "__untagged__"

_APPS = ("billing", "crm", "erp", "hr", "inventory", "payments", "portal", "reporting")
_ENVS = ("prod", "prod", "prod", "staging", "dev")
_OWNERS = ("team-a", "team-b", "team-c", "team-d", "platform")


@dataclass(frozen=True)
class EstatePlan:
    """How many resources of each type to make in each region (before AWS's side effects)."""

    size: int
    counts: Mapping[tuple[str, str], int]  # (type, region) -> count

    @classmethod
    def of(cls, size: int) -> EstatePlan:
        if size < 100:
            raise ValueError(f"estate size {size} is too small (at least 100)")
        counts: dict[tuple[str, str], int] = {}
        for rtype, per_1000 in MIX_PER_1000.items():
            total = round(size * per_1000 / 1000)
            first = round(total * REGION_SHARE[0])
            counts[(rtype, REGIONS[0])] = first
            counts[(rtype, REGIONS[1])] = total - first
            holder = HELD_BY.get(rtype)
            for region in REGIONS:
                if holder is not None and counts[(holder, region)] == 0:
                    counts[(rtype, region)] = 0  # nothing to hold it (a seeder would make a parent)
        return cls(size=size, counts=counts)

    def count(self, rtype: str, region: str) -> int:
        return self.counts.get((rtype, region), 0)


class TagDealer:
    """Deterministic tags per resource from PROFILES, plus ordinary tags (app, env, owner)."""

    def __init__(self, seed: int) -> None:
        self._random = random.Random(seed)
        self._weights = [share for share, _, _ in PROFILES]
        # (type, verdict) -> resources dealt: what a correct checker must report
        self.expected: Counter[tuple[str, str]] = Counter()

    def deal(self, kind: str, *copied_to: str) -> dict[str, str]:
        """Tags for one resource of ``kind`` (and the expectation for resources that copy them)."""
        (_, verdict, special) = self._random.choices(PROFILES, self._weights)[0]
        if kind == "s3:bucket" and any(k != k.strip() or v != v.strip() for k, v in special.items()):
            verdict = "compliant"  # moto's S3 strips whitespace from tag keys and values
        value = special.get("map-migrated", "")
        if verdict == "compliant" and value.startswith(tuple(DBA_PREFIXES)) and not BY_NAME[kind].dba:
            verdict = "invalid_value"  # a DB&A prefix off a DB&A destination (docs/map-tagging-rules.md)
        for each in (kind, *copied_to):
            self.expected[each, verdict] += 1
        if UNTAGGED in special:
            return {}
        tags = {
            "Application": self._random.choice(_APPS),
            "Environment": self._random.choice(_ENVS),
            "Owner": self._random.choice(_OWNERS),
            "CostCenter": f"cc-{self._random.randint(100, 104)}",
        }
        if kind == "ec2:instance" and self._random.random() < 0.5:
            # Facts, "Which resources are migrated": the tags MGN puts on launched instances.
            server = f"s-{self._random.randrange(16**17):017x}"
            tags["AWSApplicationMigrationServiceManaged"] = "mgn.amazonaws.com"
            tags["AWSApplicationMigrationServiceSourceServerID"] = server
            tags["mgn.amazonaws.com-source-server"] = server
        tags.update(special)
        return tags


def _tag_list(tags: Mapping[str, str]) -> list[dict[str, str]]:
    return [{"Key": key, "Value": value} for key, value in tags.items()]


def _chunks(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _tag_ec2(ec2: Any, dealer: TagDealer, kind: str, ids: Sequence[str]) -> None:
    """Tags for many EC2 resources in few calls: one CreateTags per distinct tag set."""
    groups: dict[tuple[tuple[str, str], ...], list[str]] = defaultdict(list)
    for resource_id in ids:
        groups[tuple(sorted(dealer.deal(kind).items()))].append(resource_id)
    for tag_set, members in groups.items():
        if not tag_set:
            continue
        for chunk in _chunks(members, 1000):
            ec2.create_tags(Resources=list(chunk), Tags=_tag_list(dict(tag_set)))


def _seed_ec2(session: boto3.Session, region: str, plan: EstatePlan, dealer: TagDealer) -> None:
    ec2 = session.client("ec2", region_name=region)
    instances = plan.count("ec2:instance", region)
    if instances == 0:
        return
    base = ec2.register_image(
        Name="bench-base",
        RootDeviceName="/dev/xvda",
        BlockDeviceMappings=[{"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 8}}],
    )["ImageId"]
    instance_ids: list[str] = []
    for chunk in _chunks(range(instances), 500):  # type: ignore[arg-type]
        reservation = ec2.run_instances(
            ImageId=base,
            MinCount=len(chunk),
            MaxCount=len(chunk),
            InstanceType="m5.large",
            BlockDeviceMappings=[
                {"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 30}},
                {"DeviceName": "/dev/sdf", "Ebs": {"VolumeSize": 100}},
            ],
        )
        instance_ids += [i["InstanceId"] for i in reservation["Instances"]]
    # Unattached volumes fill the volume count up to the plan.
    zone = f"{region}a"
    for _ in range(max(0, plan.count("ec2:volume", region) - 2 * instances)):
        ec2.create_volume(AvailabilityZone=zone, Size=50)
    # AMIs: each comes with its own snapshot; instance backups bring two each.
    images = plan.count("ec2:image", region)
    for index, instance_id in enumerate(instance_ids[:images]):
        ec2.create_image(InstanceId=instance_id, Name=f"bench-image-{index}")
    backups = max(0, (plan.count("ec2:snapshot", region) - images) // 2)
    for instance_id in instance_ids[:backups]:
        ec2.create_snapshots(InstanceSpecification={"InstanceId": instance_id})

    _tag_ec2(ec2, dealer, "ec2:instance", instance_ids)
    volumes = [
        v["VolumeId"] for page in ec2.get_paginator("describe_volumes").paginate() for v in page["Volumes"]
    ]
    _tag_ec2(ec2, dealer, "ec2:volume", volumes)
    snapshots = [
        s["SnapshotId"]
        for page in ec2.get_paginator("describe_snapshots").paginate(OwnerIds=["self"])
        for s in page["Snapshots"]
    ]
    _tag_ec2(ec2, dealer, "ec2:snapshot", snapshots)
    amis = [i["ImageId"] for i in ec2.describe_images(Owners=["self"])["Images"] if i["ImageId"] != base]
    _tag_ec2(ec2, dealer, "ec2:image", amis)
    ec2.deregister_image(ImageId=base)


def _seed_rds(session: boto3.Session, region: str, plan: EstatePlan, dealer: TagDealer) -> None:
    rds = session.client("rds", region_name=region)
    dbs = [f"db-{region}-{i}" for i in range(plan.count("rds:db", region))]
    for name in dbs:
        rds.create_db_instance(
            DBInstanceIdentifier=name,
            DBInstanceClass="db.m5.large",
            Engine="postgres",
            MasterUsername="bench",
            MasterUserPassword="bench-password",
            AllocatedStorage=100,
            # its automated snapshot copies these tags, as AWS's best practice has it
            CopyTagsToSnapshot=True,
            Tags=_tag_list(dealer.deal("rds:db", "rds:snapshot")),
        )
    clusters = plan.count("rds:cluster", region)
    # RDS takes an automated snapshot of each new cluster, untagged (CopyTagsToSnapshot off)
    dealer.expected["rds:cluster-snapshot", "missing"] += clusters
    for index in range(clusters):
        rds.create_db_cluster(
            DBClusterIdentifier=f"cluster-{region}-{index}",
            Engine="aurora-postgresql",
            MasterUsername="bench",
            MasterUserPassword="bench-password",
            Tags=_tag_list(dealer.deal("rds:cluster")),
        )
    # every DB brings its automated snapshot; manual ones make up the rest
    for index in range(max(0, plan.count("rds:snapshot", region) - len(dbs)) if dbs else 0):
        rds.create_db_snapshot(
            DBInstanceIdentifier=dbs[index % len(dbs)],
            DBSnapshotIdentifier=f"snap-{region}-{index}",
            # a snapshot created without tags would copy its DB's (CopyTagsToSnapshot), so a
            # "never tagged" one gets an unrelated tag instead: its verdict stays missing
            Tags=_tag_list(dealer.deal("rds:snapshot") or {"Backup": "manual"}),
        )


def _seed_s3(session: boto3.Session, region: str, plan: EstatePlan, dealer: TagDealer) -> None:
    s3 = session.client("s3", region_name=region)
    for index in range(plan.count("s3:bucket", region)):
        name = f"bench-{region}-{index}"
        if region == "us-east-1":
            s3.create_bucket(Bucket=name)
        else:
            s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})
        tags = dealer.deal("s3:bucket")
        if tags:
            s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": _tag_list(tags)})


def _seed_dynamodb(session: boto3.Session, region: str, plan: EstatePlan, dealer: TagDealer) -> None:
    dynamodb = session.client("dynamodb", region_name=region)
    for index in range(plan.count("dynamodb:table", region)):
        tags = dealer.deal("dynamodb:table")
        dynamodb.create_table(
            TableName=f"bench-{index}",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
            **({"Tags": _tag_list(tags)} if tags else {}),
        )


def _code() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", "def handler(event, context):\n    return event\n")
    return buffer.getvalue()


def _seed_lambda(session: boto3.Session, region: str, plan: EstatePlan, dealer: TagDealer, role: str) -> None:
    functions = session.client("lambda", region_name=region)
    code = _code()
    for index in range(plan.count("lambda:function", region)):
        tags = dealer.deal("lambda:function")
        functions.create_function(
            FunctionName=f"bench-{index}",
            Runtime="python3.12",
            Role=role,
            Handler="handler.handler",
            Code={"ZipFile": code},
            **({"Tags": tags} if tags else {}),
        )


def _seed_network(session: boto3.Session, region: str, plan: EstatePlan, dealer: TagDealer) -> None:
    ec2 = session.client("ec2", region_name=region)
    subnets = ec2.describe_subnets(Filters=[{"Name": "default-for-az", "Values": ["true"]}])["Subnets"]
    two = [subnet["SubnetId"] for subnet in subnets[:2]]
    elbv2 = session.client("elbv2", region_name=region)
    for index in range(plan.count("elasticloadbalancing:loadbalancer", region)):
        tags = dealer.deal("elasticloadbalancing:loadbalancer")
        elbv2.create_load_balancer(
            Name=f"bench-{index}", Subnets=two, **({"Tags": _tag_list(tags)} if tags else {})
        )
    efs = session.client("efs", region_name=region)
    for index in range(plan.count("elasticfilesystem:file-system", region)):
        tags = dealer.deal("elasticfilesystem:file-system")
        efs.create_file_system(CreationToken=f"bench-{index}", **({"Tags": _tag_list(tags)} if tags else {}))


def _seed_managed(
    session: boto3.Session, region: str, plan: EstatePlan, dealer: TagDealer
) -> Counter[tuple[str, str]]:
    """The types maptag.local.seeders creates, parents first; what was made, per (type, region)."""
    account = session.client("sts", region_name=region).get_caller_identity()["Account"]
    ctx = SeedContext(session, region, account)
    made: dict[str, list[str]] = defaultdict(list)
    for rtype in SEEDED:
        parents = made.get(HELD_BY[rtype], []) if rtype in HELD_BY else []
        short = rtype.split(":", 1)[1].lower().replace("-", "")[:10]
        for index in range(plan.count(rtype, region)):
            tags = dealer.deal(rtype)
            holder = parents[index % len(parents)] if parents else None
            # fixed width: moto matches an ECS cluster by substring (cluster-1 would list cluster-10's tasks)
            name = f"bench-{short}-{index:05d}"
            made[rtype].append(SEEDERS[rtype](ctx, name, tags or None, holder))
    return Counter({(rtype, region): len(arns) for rtype, arns in made.items()})


def seed(plan: EstatePlan, seed: int = 6) -> tuple[Counter[tuple[str, str]], Counter[tuple[str, str]]]:
    """Create the estate in moto's backends (inside an active moto mock): the expected verdicts,
    and how many resources of the seeders' types were made (the census of the others is
    ``census``)."""
    session = boto3.Session(aws_access_key_id="bench", aws_secret_access_key="bench")  # noqa: S106
    dealer = TagDealer(seed)
    made: Counter[tuple[str, str]] = Counter()
    iam = session.client("iam", region_name=REGIONS[0])
    role = iam.create_role(
        RoleName="bench-function",
        AssumeRolePolicyDocument='{"Version":"2012-10-17","Statement":[]}',
    )["Role"]["Arn"]
    for region in REGIONS:
        _seed_ec2(session, region, plan, dealer)
        _seed_rds(session, region, plan, dealer)
        _seed_s3(session, region, plan, dealer)
        _seed_dynamodb(session, region, plan, dealer)
        _seed_lambda(session, region, plan, dealer, role)
        _seed_network(session, region, plan, dealer)
        made += _seed_managed(session, region, plan, dealer)
    return dealer.expected, made


def census() -> Counter[tuple[str, str]]:
    """What the estate holds, counted through the services' own list calls (in-process)."""
    session = boto3.Session(aws_access_key_id="bench", aws_secret_access_key="bench")  # noqa: S106
    found: Counter[tuple[str, str]] = Counter()
    for region in REGIONS:
        ec2 = session.client("ec2", region_name=region)
        found["ec2:instance", region] = sum(
            len(r["Instances"])
            for p in ec2.get_paginator("describe_instances").paginate()
            for r in p["Reservations"]
        )
        found["ec2:volume", region] = sum(
            len(p["Volumes"]) for p in ec2.get_paginator("describe_volumes").paginate()
        )
        found["ec2:snapshot", region] = sum(
            len(p["Snapshots"]) for p in ec2.get_paginator("describe_snapshots").paginate(OwnerIds=["self"])
        )
        found["ec2:image", region] = len(ec2.describe_images(Owners=["self"])["Images"])
        rds = session.client("rds", region_name=region)
        found["rds:db", region] = sum(
            len(p["DBInstances"]) for p in rds.get_paginator("describe_db_instances").paginate()
        )
        found["rds:cluster", region] = sum(
            len(p["DBClusters"]) for p in rds.get_paginator("describe_db_clusters").paginate()
        )
        found["rds:snapshot", region] = sum(
            len(p["DBSnapshots"]) for p in rds.get_paginator("describe_db_snapshots").paginate()
        )
        found["rds:cluster-snapshot", region] = sum(
            len(p["DBClusterSnapshots"])
            for p in rds.get_paginator("describe_db_cluster_snapshots").paginate()
        )
        found["dynamodb:table", region] = sum(
            len(p["TableNames"])
            for p in session.client("dynamodb", region_name=region).get_paginator("list_tables").paginate()
        )
        found["lambda:function", region] = sum(
            len(p["Functions"])
            for p in session.client("lambda", region_name=region).get_paginator("list_functions").paginate()
        )
        found["elasticloadbalancing:loadbalancer", region] = sum(
            len(p["LoadBalancers"])
            for p in session.client("elbv2", region_name=region)
            .get_paginator("describe_load_balancers")
            .paginate()
        )
        found["elasticfilesystem:file-system", region] = sum(
            len(p["FileSystems"])
            for p in session.client("efs", region_name=region)
            .get_paginator("describe_file_systems")
            .paginate()
        )
    s3 = session.client("s3", region_name=REGIONS[0])
    for bucket in s3.list_buckets()["Buckets"]:
        region = s3.get_bucket_location(Bucket=bucket["Name"])["LocationConstraint"] or "us-east-1"
        found["s3:bucket", region] += 1
    return +found

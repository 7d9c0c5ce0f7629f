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

import random
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import boto3

from maptag.local.seeders import SeedContext, pairs, seed_many
from maptag.local.seeders import ec2 as ec2_seeders
from maptag.local.seeders import rds as rds_seeders
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
# Made in bulk (RunInstances MaxCount, CreateSnapshots per instance) by _seed_ec2 and _seed_rds;
# the others one by one through maptag.local.seeders.seed_many, in this mix's order.
BULK = ("ec2:instance", "ec2:volume", "ec2:snapshot", "ec2:image", "rds:db", "rds:cluster", "rds:snapshot")
ONE_BY_ONE = tuple(rtype for rtype in MIX_PER_1000 if rtype not in BULK)
# Counted by census() through their list calls; the others' census is what seed() made.
LISTED = (*BULK, "s3:bucket", "dynamodb:table", "lambda:function", "elasticloadbalancing:loadbalancer",
          "elasticfilesystem:file-system")  # fmt: skip
# What holds a seeded resource: its declared parent, or the cluster an ECS service runs in.
HELD_BY: Mapping[str, str] = {
    **{rtype: parent.type for rtype in ONE_BY_ONE if (parent := BY_NAME[rtype].parent) is not None},
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
            ec2.create_tags(Resources=list(chunk), Tags=pairs(dict(tag_set)))


def _seed_ec2(ctx: SeedContext, plan: EstatePlan, dealer: TagDealer) -> None:
    instances = plan.count("ec2:instance", ctx.region)
    if instances == 0:
        return
    instance_ids: list[str] = []
    for start in range(0, instances, 500):
        launched = ec2_seeders.launch_instances(
            ctx,
            min(500, instances - start),
            root_gb=30,
            data_disks=[{"VolumeSize": 100}],
            instance_type="m5.large",
        )
        instance_ids += [server.instance_id for server in launched]
    # Unattached volumes fill the volume count up to the plan.
    for index in range(max(0, plan.count("ec2:volume", ctx.region) - 2 * instances)):
        ec2_seeders.volume(ctx, f"bench-volume-{index}", None, size_gb=50)
    # AMIs: each comes with its own snapshot; instance backups bring two each.
    images = plan.count("ec2:image", ctx.region)
    for index, instance_id in enumerate(instance_ids[:images]):
        ec2_seeders.image(ctx, f"bench-image-{index}", None, ctx.arn("ec2", f"instance/{instance_id}"))
    backups = max(0, (plan.count("ec2:snapshot", ctx.region) - images) // 2)
    for instance_id in instance_ids[:backups]:
        ec2_seeders.snapshot_instance(ctx, instance_id, None)

    ec2 = ctx.client("ec2")
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
    base = ec2_seeders.base_image(ctx)
    amis = [i["ImageId"] for i in ec2.describe_images(Owners=["self"])["Images"] if i["ImageId"] != base]
    _tag_ec2(ec2, dealer, "ec2:image", amis)
    ec2.deregister_image(ImageId=base)  # not part of the estate


def _seed_rds(ctx: SeedContext, plan: EstatePlan, dealer: TagDealer) -> None:
    region = ctx.region
    dbs = [
        rds_seeders.db(
            ctx,
            f"db-{region}-{i}",
            dealer.deal("rds:db", "rds:snapshot") or None,
            instance_class="db.m5.large",
            storage_gb=100,
            # its automated snapshot copies these tags, as AWS's best practice has it
            copy_tags=True,
        )
        for i in range(plan.count("rds:db", region))
    ]
    clusters = plan.count("rds:cluster", region)
    # RDS takes an automated snapshot of each new cluster, untagged (CopyTagsToSnapshot off)
    dealer.expected["rds:cluster-snapshot", "missing"] += clusters
    for index in range(clusters):
        rds_seeders.cluster(ctx, f"cluster-{region}-{index}", dealer.deal("rds:cluster") or None)
    # every DB brings its automated snapshot; manual ones make up the rest
    for index in range(max(0, plan.count("rds:snapshot", region) - len(dbs)) if dbs else 0):
        # a snapshot created without tags would copy its DB's (CopyTagsToSnapshot), so a
        # "never tagged" one gets an unrelated tag instead: its verdict stays missing
        tags = dealer.deal("rds:snapshot") or {"Backup": "manual"}
        rds_seeders.snapshot(ctx, f"snap-{region}-{index}", tags, dbs[index % len(dbs)])


def _name(region: str) -> Callable[[str, int], str]:
    def name(rtype: str, index: int) -> str:
        if rtype == "s3:bucket":
            return f"bench-{region}-{index}"  # bucket names are global
        # fixed width: moto matches an ECS cluster by substring (cluster-1 would list cluster-10's tasks)
        return f"bench-{rtype.split(':', 1)[1].lower().replace('-', '')[:10]}-{index:05d}"

    return name


def seed(plan: EstatePlan, seed: int = 6) -> tuple[Counter[tuple[str, str]], Counter[tuple[str, str]]]:
    """Create the estate in moto's backends (inside an active moto mock): the expected verdicts,
    and how many resources of the further seeders' types were made (the census of the others
    is ``census``)."""
    session = boto3.Session(aws_access_key_id="bench", aws_secret_access_key="bench")  # noqa: S106
    dealer = TagDealer(seed)
    made: Counter[tuple[str, str]] = Counter()
    account = session.client("sts", region_name=REGIONS[0]).get_caller_identity()["Account"]
    for region in REGIONS:
        ctx = SeedContext(session, region, account)
        _seed_ec2(ctx, plan, dealer)
        _seed_rds(ctx, plan, dealer)
        counts = {rtype: plan.count(rtype, region) for rtype in ONE_BY_ONE}
        arns = seed_many(ctx, counts, dealer.deal, held_by=HELD_BY, name=_name(region))
        made += Counter({(rtype, region): len(arns[rtype]) for rtype in ONE_BY_ONE if rtype not in LISTED})
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

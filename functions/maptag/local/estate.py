"""The demo's migrated estate: planned deterministically, seeded into an AWS endpoint.

Two accounts × two regions of a company half-way through a MAP 2.0 migration: servers
launched by Application Migration Service (MGN) with their volumes, backups and AMIs, and
RDS, S3, DynamoDB, Lambda, ELB and EFS resources; around them what a lift-and-shift with
containers and managed databases brings (NAT gateways, Elastic IPs, ECS and EKS clusters with
their services, tasks and node groups, ElastiCache, Redshift, MSK, log groups, KMS keys,
secrets, ECR repositories, ...). Every resource is created by its type's seeder in
maptag.local.seeders, the one place that knows how to create a type in moto; this module
holds the story: what to create, with which tags, when, and the verdict each is meant to
get. Most carry a correct `map-migrated` tag;
every defect kind of docs/map-tagging-rules.md appears at least once, and so do MGN's own
tooling, resources older than the agreement and resources an exclusion rule covers.

The seeder returns a Manifest: every resource's ARN with the verdict it is meant to get, so
a scan of the estate can be checked resource by resource. The plan (what to create) is a
pure function of the size and the seed; only the ids come from the endpoint.

Creation times: moto stamps resources with the process clock, so resources "created" before
the agreement or in earlier migration waves are made under time-machine's travel. That only
works for a moto server running in this process (the demo's embedded one).
"""

from __future__ import annotations

import itertools
import json
import random
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal, TypeVar, cast

import boto3
import time_machine

from maptag.aws import client_config
from maptag.coverage import Totals
from maptag.local.embedded import EMBEDDED_TYPES
from maptag.local.seeders import SEEDERS, SeedContext, pairs
from maptag.local.seeders import ec2 as ec2_seeders
from maptag.local.seeders import rds as rds_seeders
from maptag.model import ScanUnit, Verdict
from maptag.resources.declarations import BY_NAME, TYPE_NAMES, required_actions
from maptag.rules import DBA_PREFIXES

# moto's default account is the caller; the member account is reached with sts assume_role
# (in moto the assumed role acts in the target account, as in AWS).
ACCOUNTS: tuple[str, ...] = ("123456789012", "210987654321")
REGIONS: tuple[str, ...] = ("us-east-1", "eu-west-1")
ROLE_NAME = "MaptagReadOnly"
MPE_ID = "12345"
GOOD = f"mig{MPE_ID}"
EXCLUSIONS: tuple[str, ...] = ("tag:environment=sandbox", "arn:aws:s3:::cdk-hnb659fds-*")
DEFAULT_RESOURCES = 1000
DEFAULT_SEED = 2017
MAX_RESOURCES = 20_000

# How far back the agreement started, and when the estate's resources were created.
AGREEMENT_AGE = timedelta(days=120)
ERA_OFFSETS: dict[str, timedelta] = {
    "before": timedelta(days=-400),  # the data centre's first lift-and-shift, before MAP
    "wave1": timedelta(days=21),
    "wave2": timedelta(days=56),
    "wave3": timedelta(days=91),
}
Era = Literal["before", "wave1", "wave2", "wave3", "now"]
WAVES: tuple[Era, ...] = ("wave1", "wave2", "wave3")

T = TypeVar("T")
APPS = ("payments", "orders", "crm", "billing", "inventory", "hr-portal", "reporting", "catalog",
        "search", "ledger", "claims", "shipping")  # fmt: skip


@dataclass(frozen=True, slots=True)
class Tagging:
    """The MAP-related tags a resource carries and the verdict they are meant to earn."""

    story: str
    tags: tuple[tuple[str, str], ...]
    verdict: Verdict
    # A resource that never had any tag, not even a Name.
    bare: bool = False


def _tagging(story: str, verdict: Verdict, *tags: tuple[str, str], bare: bool = False) -> Tagging:
    return Tagging(story, tags, verdict, bare)


C, M, N, V = Verdict.COMPLIANT, Verdict.MISSING, Verdict.NEAR_MISS_KEY, Verdict.INVALID_VALUE
COMPLIANT = _tagging("compliant", C, ("map-migrated", GOOD))
UNTAGGED = _tagging("missing: no map-migrated tag", M)

# Other documented prefixes with this engagement's MPE id (docs/map-tagging-rules.md, "The tag").
COMPLIANT_VARIANTS: tuple[Tagging, ...] = (
    _tagging("compliant: prefix sap (SAP workload)", C, ("map-migrated", f"sap{MPE_ID}")),
    _tagging("compliant: prefix oracle", C, ("map-migrated", f"oracle{MPE_ID}")),
    _tagging("compliant: prefix comm (commercial DB to AWS)", C, ("map-migrated", f"comm{MPE_ID}")),
    _tagging("compliant: prefix mig_ec2_ (DB from EC2)", C, ("map-migrated", f"mig_ec2_{MPE_ID}")),
)

# Every defect kind of docs/map-tagging-rules.md ("The tag") and docs/contracts.md ("Verdicts").
DEFECTS: tuple[Tagging, ...] = (
    _tagging("missing: never tagged", M, bare=True),
    _tagging("missing: other tags only", M),
    _tagging("missing: legacy key aws-migration-project-id", M, ("aws-migration-project-id", MPE_ID)),
    _tagging("invalid value: DB&A prefix comm on a non-DB&A type", V, ("map-migrated", f"comm{MPE_ID}")),
    _tagging("missing: legacy key map-dba", M, ("map-dba", GOOD)),
    _tagging("near-miss key: case (Map-Migrated)", N, ("Map-Migrated", GOOD)),
    _tagging("near-miss key: case (MAP-MIGRATED)", N, ("MAP-MIGRATED", GOOD)),
    _tagging("near-miss key: trailing space", N, ("map-migrated ", GOOD)),
    _tagging("near-miss key: leading space", N, (" map-migrated", GOOD)),
    _tagging("near-miss key: inner space", N, ("map -migrated", GOOD)),
    _tagging("near-miss key: underscore", N, ("map_migrated", GOOD)),
    _tagging("near-miss key: dot", N, ("map.migrated", GOOD)),
    _tagging("near-miss key: no separator", N, ("mapmigrated", GOOD)),
    _tagging("invalid value: upper case", V, ("map-migrated", GOOD.upper())),
    _tagging("invalid value: mixed case", V, ("map-migrated", GOOD.capitalize())),
    _tagging("invalid value: leading space", V, ("map-migrated", f" {GOOD}")),
    _tagging("invalid value: trailing space", V, ("map-migrated", f"{GOOD} ")),
    _tagging("invalid value: inner space", V, ("map-migrated", f"mig {MPE_ID}")),
    _tagging("invalid value: unknown prefix", V, ("map-migrated", f"map{MPE_ID}")),
    _tagging("invalid value: no prefix", V, ("map-migrated", MPE_ID)),
    _tagging("invalid value: separator after prefix", V, ("map-migrated", f"mig-{MPE_ID}")),
    _tagging("invalid value: bad MPE id shape (4 digits)", V, ("map-migrated", "mig1234")),
    _tagging("invalid value: bad MPE id shape (lower case)", V, ("map-migrated", "migabcde12345")),
    _tagging("invalid value: another engagement's MPE id", V, ("map-migrated", "mig54321")),
    _tagging("invalid value: another engagement's MPE id (10 chars)", V, ("map-migrated", "migZXCVB98765")),
    _tagging("invalid value: legacy d-server id", V, ("map-migrated", "d-server-01a2b3c4d5e6f7")),
)

# The classic gap (docs/map-tagging-rules.md, "Which resources count"): dependents made without a tag.
GAP_VOLUME = _tagging("untagged dependent: volume of a tagged instance", M)
GAP_SNAPSHOT = _tagging("untagged dependent: snapshot of a tagged volume", M)
GAP_IMAGE = _tagging("untagged dependent: AMI of a tagged instance", M)
GAP_RDS_SNAPSHOT = _tagging("untagged dependent: snapshot of a tagged database", M)
GAP_AUTOMATED = _tagging("untagged dependent: automated snapshot (CopyTagsToSnapshot off)", M)
MGN_UNTAGGED = _tagging("missing: MGN launch without MAP auto-tagging", M)
GAP_VPN_ATTACHMENT = _tagging("untagged dependent: attachment AWS made for a VPN connection", M)
GAP_TASK = _tagging("untagged dependent: task of a tagged service (propagateTags off)", M)

# Why a resource is out of scope, as the manifest tells it.
EXCLUDED_STORIES = {
    "replication": "excluded: MGN replication server (tooling)",
    "conversion": "excluded: MGN conversion server (tooling)",
    "before": "excluded: created before the agreement start",
    "sandbox": "excluded: exclusion rule tag:environment=sandbox",
    "cdk": "excluded: exclusion rule arn:aws:s3:::cdk-hnb659fds-*",
}

Role = Literal["migrated", "replication", "conversion", "legacy", "sandbox"]
SingleType = Literal[
    "rds:db",
    "rds:cluster",
    "s3:bucket",
    "dynamodb:table",
    "lambda:function",
    "elasticloadbalancing:loadbalancer",
    "elasticfilesystem:file-system",
]
SINGLE_TYPES: tuple[SingleType, ...] = (
    "rds:db",
    "s3:bucket",
    "lambda:function",
    "dynamodb:table",
    "elasticloadbalancing:loadbalancer",
    "elasticfilesystem:file-system",
    "rds:cluster",
)


# The types created through maptag.local.seeders at the top of their own stack, with their
# weight among the backbone's managed resources: log groups, secrets, keys and repositories
# are the many small ones; clusters of every kind the few big ones. What they hold (ECS
# services and tasks, EKS node groups, transit gateway attachments and VPN connections) is
# made inside them. UNINDEXED types are left out (maptag.local.embedded).
MANAGED_WEIGHTS: dict[str, float] = {
    "logs:log-group": 10,
    "secretsmanager:secret": 6,
    "kms:key": 5,
    "ecr:repository": 5,
    "ec2:elastic-ip": 5,
    "autoscaling:autoScalingGroup": 4,
    "ec2:natgateway": 3,
    "ec2:vpc-endpoint": 3,
    "ecs:cluster": 6,
    "eks:cluster": 3,
    "elasticache:cluster": 2,
    "elasticache:replicationgroup": 2,
    "glue:job": 2,
    "redshift:cluster": 1,
    "kafka:cluster": 1,
    "firehose:deliverystream": 1,
    "glue:crawler": 1,
    "dms:rep": 1,
    "rds:db-proxy": 1,
    "elasticbeanstalk:environment": 1,
    "elasticmapreduce:cluster": 1,
    "emr-serverless:application": 1,
    "sagemaker:endpoint": 1,
    "sagemaker:notebook-instance": 1,
    "mq:broker": 1,
    "workspaces:workspace": 1,
    "cloudfront:distribution": 1,
    "route53:hostedzone": 1,
    "ec2:transit-gateway": 0.5,
    "ec2:dedicated-host": 0.5,
    "network-firewall:firewall": 0.5,
    "transfer:server": 0.5,
    "acm-pca:certificate-authority": 0.5,
}
# Made inside a managed resource above, or (rds:cluster-snapshot) of an RDS cluster.
CONTAINED_TYPES: tuple[str, ...] = (
    "ecs:service",
    "ecs:task",
    "eks:nodegroup",
    "ec2:transit-gateway-attachment",
    "ec2:vpn-connection",
    "rds:cluster-snapshot",
)
# Every type the estate seeds. The rest of EMBEDDED_TYPES (UNINDEXED ones; FSx, whose file
# systems moto leaves undated; AWS Backup recovery points; Glacier vaults, whose tags moto
# lacks) are tested through botocore's Stubber (tests/integration/resources/).
SEEDED_TYPES: tuple[str, ...] = ("ec2:instance", "ec2:volume", "ec2:snapshot", "ec2:image", "rds:snapshot",
                                 *SINGLE_TYPES, *MANAGED_WEIGHTS, *CONTAINED_TYPES)  # fmt: skip
# The unit region where a global type (CloudFront, Route 53) is listed and reported.
GLOBAL_REGION = "us-east-1"


@dataclass(frozen=True, slots=True)
class Fleet:
    """EC2 instances launched together with the same tags (one MGN launch job, or tooling)."""

    unit: ScanUnit
    app: str
    era: Era
    count: int
    role: Role
    instance: Tagging
    volume: Tagging  # what the launch put on the volumes (MGN copies the instance's tags)
    data_disks: int = 1
    backup: Tagging | None = None  # a multi-volume snapshot of each instance, taken later
    image: Tagging | None = None  # an AMI of the fleet's first instance (and its snapshot)

    @property
    def resources(self) -> int:
        per_instance = 2 + self.data_disks + (1 + self.data_disks if self.backup else 0)
        return self.count * per_instance + (2 if self.image else 0)

    @property
    def excluded(self) -> str | None:
        if self.role == "legacy":
            return EXCLUDED_STORIES["before"]
        return EXCLUDED_STORIES.get(self.role)

    def outcome(self, tagging: Tagging) -> tuple[Verdict, str]:
        """Dependents share their instance's exclusion (tooling, rule, or by being as old)."""
        excluded = self.excluded
        return (Verdict.EXCLUDED, excluded) if excluded else (tagging.verdict, tagging.story)

    @property
    def backup_era(self) -> Era:
        # Pre-agreement servers were backed up back then; the others after the migration.
        return "before" if self.era == "before" else "now"


@dataclass(frozen=True, slots=True)
class Single:
    """One resource of a type other than EC2 (an RDS database may come with a snapshot)."""

    unit: ScanUnit
    app: str
    era: Era
    type: SingleType
    tagging: Tagging
    excluded: str | None = None
    backup: Tagging | None = None  # rds:db only: a manual snapshot taken after the migration
    # rds:db only: RDS takes an automated snapshot at creation; it carries the database's
    # tags only when CopyTagsToSnapshot is on.
    copy_tags: bool = True

    @property
    def resources(self) -> int:
        automated = 1 if self.type in ("rds:db", "rds:cluster") else 0
        return 1 + automated + (1 if self.backup else 0)

    def outcome(self) -> tuple[Verdict, str]:
        if self.excluded:
            return Verdict.EXCLUDED, self.excluded
        return self.tagging.verdict, self.tagging.story


@dataclass(frozen=True, slots=True)
class Managed:
    """A resource of a type maptag.local.seeders creates, with what was made inside it (an ECS
    cluster's services and their tasks, an EKS cluster's node groups, a transit gateway's
    attachments): the children are created with this resource's ARN as their parent."""

    unit: ScanUnit
    app: str
    era: Era
    type: str
    tagging: Tagging
    excluded: str | None = None
    children: tuple[Managed, ...] = ()

    @property
    def resources(self) -> int:
        made_with = 1 if self.type == "ec2:vpn-connection" else 0  # its transit gateway attachment
        return 1 + made_with + sum(child.resources for child in self.children)

    def outcome(self) -> tuple[Verdict, str]:
        if self.excluded:
            return Verdict.EXCLUDED, self.excluded
        return self.tagging.verdict, self.tagging.story


Blueprint = Fleet | Single | Managed


@dataclass(frozen=True, slots=True)
class Seeded:
    """One seeded resource and the verdict a correct scan gives it."""

    arn: str
    type: str
    account_id: str
    region: str
    verdict: Verdict
    story: str
    parent: str | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "arn": self.arn,
            "type": self.type,
            "account_id": self.account_id,
            "region": self.region,
            "verdict": self.verdict.value,
            "story": self.story,
            "parent": self.parent,
        }


@dataclass
class Manifest:
    """The seeded estate, the scan settings that fit it, and every resource's intended verdict."""

    agreement_start: date
    resources: list[Seeded] = field(default_factory=list)
    accounts: tuple[str, ...] = ACCOUNTS
    regions: tuple[str, ...] = REGIONS
    role_name: str = ROLE_NAME
    mpe_id: str = MPE_ID
    exclusions: tuple[str, ...] = EXCLUSIONS

    @property
    def totals(self) -> Totals:
        return Totals.tally(r.verdict for r in self.resources)

    def by_arn(self) -> dict[str, Seeded]:
        return {r.arn: r for r in self.resources}

    def stories(self) -> Counter[str]:
        return Counter(r.story for r in self.resources)

    def scan_args(self) -> list[str]:
        """The `maptag scan` flags that describe this engagement."""
        args = ["--mpe-id", self.mpe_id, "--regions", ",".join(self.regions)]
        args += ["--accounts", ",".join(self.accounts), "--role-name", self.role_name]
        args += ["--agreement-start", self.agreement_start.isoformat()]
        for rule in self.exclusions:
            args += ["--exclude", rule]
        # what the embedded AWS can answer (maptag.local.embedded); on AWS, every type
        return [*args, "--types", ",".join(EMBEDDED_TYPES)]

    def to_json(self) -> dict[str, object]:
        return {
            "accounts": list(self.accounts),
            "regions": list(self.regions),
            "role_name": self.role_name,
            "mpe_id": self.mpe_id,
            "agreement_start": self.agreement_start.isoformat(),
            "exclusions": list(self.exclusions),
            "totals": self.totals.to_report(),
            "resources": [r.to_json() for r in self.resources],
        }


# ---------------------------------------------------------------------------------------------
# The plan: a pure function of size and seed.


def units() -> list[ScanUnit]:
    return [ScanUnit(account, region) for account in ACCOUNTS for region in REGIONS]


def _showcase(rng: random.Random, spread: Iterator[ScanUnit]) -> Iterator[Blueprint]:
    """Every story at least once, spread over units and resource types."""
    types = iter(_cycle(("ec2:instance", *SINGLE_TYPES)))
    for tagging in (*DEFECTS, *COMPLIANT_VARIANTS, MGN_UNTAGGED):
        kind = next(types)
        while not fits(tagging, kind):
            kind = next(types)
        if tagging is MGN_UNTAGGED:
            kind = "ec2:instance"
        unit, app, era = next(spread), rng.choice(APPS), rng.choice(WAVES)
        if kind == "ec2:instance":
            yield Fleet(unit, app, era, 1, "migrated", tagging, tagging, data_disks=0)
        else:
            yield Single(unit, app, era, cast(SingleType, kind), tagging)
    # The classic gap: tagged instances whose volumes, backups and AMIs are not.
    yield Fleet(next(spread), rng.choice(APPS), "wave1", 1, "migrated", COMPLIANT, GAP_VOLUME)
    yield Fleet(next(spread), "ledger", "wave2", 1, "migrated", COMPLIANT, COMPLIANT, backup=GAP_SNAPSHOT)
    yield Fleet(next(spread), "claims", "wave2", 1, "migrated", COMPLIANT, COMPLIANT, image=GAP_IMAGE)
    yield Single(next(spread), "orders", "wave1", "rds:db", COMPLIANT, backup=GAP_RDS_SNAPSHOT)
    yield Single(next(spread), "billing", "wave2", "rds:db", COMPLIANT, copy_tags=False)


def _managed(
    unit: ScanUnit, app: str, era: Era, kind: str, tagging: Tagging, rng: random.Random | None = None
) -> Managed:
    """A managed resource and what it holds: ``rng`` sizes it, without one it is the smallest."""
    if BY_NAME[kind].is_global:
        unit = ScanUnit(unit.account_id, GLOBAL_REGION)

    def many(low: int, high: int) -> int:
        return rng.randint(low, high) if rng is not None else low

    def child(kind: str, tagging: Tagging, *children: Managed) -> Managed:
        return Managed(unit, app, era, kind, tagging, children=children)

    children: tuple[Managed, ...] = ()
    if kind == "ecs:cluster":
        # A service's tasks carry its tags only with propagateTags (docs/resource-types.md).
        task_tagging = (GAP_TASK, tagging) if tagging is COMPLIANT else (tagging, tagging)
        tasks = tuple(child("ecs:task", task_tagging[i % 2]) for i in range(many(2, 4)))
        children = tuple(child("ecs:service", tagging, *tasks) for _ in range(many(1, 3)))
    elif kind == "eks:cluster":
        children = tuple(child("eks:nodegroup", tagging) for _ in range(many(1, 2)))
    elif kind == "ec2:transit-gateway":
        children = (child("ec2:transit-gateway-attachment", tagging), child("ec2:vpn-connection", tagging))
    return Managed(unit, app, era, kind, tagging, children=children)


def _managed_showcase(rng: random.Random, spread: Iterator[ScanUnit]) -> Iterator[Blueprint]:
    """Every managed type once, compliant or with the next defect that fits it (the stacks
    compliant, so their untagged dependents show); an Aurora cluster with a manual snapshot."""
    taggings = iter(_cycle((COMPLIANT, *DEFECTS)))
    stacks = ("ecs:cluster", "eks:cluster", "ec2:transit-gateway")
    for kind in MANAGED_WEIGHTS:
        tagging = COMPLIANT if kind in stacks else next(taggings)
        while not fits(tagging, kind):
            tagging = next(taggings)
        yield _managed(next(spread), rng.choice(APPS), rng.choice(WAVES), kind, tagging)
    yield Single(next(spread), "ledger", "wave3", "rds:cluster", COMPLIANT, backup=COMPLIANT)


def _structure(rng: random.Random, place: Iterator[ScanUnit]) -> Iterator[Blueprint]:
    """What a migrating account × region has: MGN tooling, older resources, a sandbox."""
    tooling = _tagging("MGN tooling", M)
    yield Fleet(next(place), "mgn", "wave1", 1, "replication", tooling, tooling, data_disks=2, backup=tooling)
    yield Fleet(next(place), "mgn", "wave1", 1, "conversion", tooling, tooling, data_disks=0)
    before = EXCLUDED_STORIES["before"]
    yield Fleet(next(place), rng.choice(APPS), "before", 2, "legacy", UNTAGGED, UNTAGGED, backup=UNTAGGED)
    for kind in ("rds:db", "s3:bucket", "dynamodb:table", "elasticloadbalancing:loadbalancer"):
        yield Single(next(place), rng.choice(APPS), "before", kind, UNTAGGED, excluded=before)
    sandbox = EXCLUDED_STORIES["sandbox"]
    yield Fleet(next(place), "sandbox", "wave3", 1, "sandbox", UNTAGGED, UNTAGGED)
    yield Single(next(place), "sandbox", "wave3", "lambda:function", UNTAGGED, excluded=sandbox)
    yield Single(next(place), "cdk", "wave1", "s3:bucket", UNTAGGED, excluded=EXCLUDED_STORIES["cdk"])
    yield Managed(next(place), "sandbox", "wave3", "logs:log-group", UNTAGGED, excluded=sandbox)
    yield Managed(next(place), rng.choice(APPS), "before", "kms:key", UNTAGGED, excluded=before)


def _backbone(rng: random.Random, unit: ScanUnit) -> Blueprint:
    """One more piece of the mostly compliant estate, with the odd defect."""

    def tagging(defect_rate: float) -> Tagging:
        return rng.choice(DEFECTS) if rng.random() < defect_rate else COMPLIANT

    app, era = rng.choice(APPS), rng.choice(WAVES)
    kind = rng.choices(("fleet", *SINGLE_TYPES, "managed"), weights=(10, 8, 8, 8, 6, 3, 3, 2, 22))[0]
    if kind == "managed":
        kind = rng.choices(list(MANAGED_WEIGHTS), weights=list(MANAGED_WEIGHTS.values()))[0]
        managed_tagging = tagging(0.06)
        while not fits(managed_tagging, kind):
            managed_tagging = tagging(0.06)
        return _managed(unit, app, era, kind, managed_tagging, rng)
    if kind == "fleet":
        instance = MGN_UNTAGGED if rng.random() < 0.02 else tagging(0.05)
        volume = GAP_VOLUME if rng.random() < 0.06 else instance
        backup = (GAP_SNAPSHOT if rng.random() < 0.12 else volume) if rng.random() < 0.35 else None
        image = (GAP_IMAGE if rng.random() < 0.3 else instance) if rng.random() < 0.15 else None
        return Fleet(
            unit, app, era, rng.randint(2, 6), "migrated", instance, volume, rng.randint(1, 2), backup, image
        )
    single_tagging = tagging(0.06)
    while not fits(single_tagging, kind):
        single_tagging = tagging(0.06)
    backup, copy_tags = None, True
    if kind == "rds:db":
        copy_tags = rng.random() < 0.9
        if rng.random() < 0.4:
            backup = GAP_RDS_SNAPSHOT if rng.random() < 0.2 else single_tagging
    return Single(unit, app, era, cast(SingleType, kind), single_tagging, backup=backup, copy_tags=copy_tags)


def fits(tagging: Tagging, kind: str) -> bool:
    """Whether the tagging means on this type what its story says: moto's S3 strips spaces
    around tag keys and values (its XML parsing), so those defects go on other types; a DB&A
    prefix is compliant only on a database & analytics destination (docs/map-tagging-rules.md)."""
    edge_space = any(text != text.strip() for pair in tagging.tags for text in pair)
    if edge_space and kind == "s3:bucket":
        return False
    values = [value for key, value in tagging.tags if key == "map-migrated"]
    if any(value.startswith(tuple(DBA_PREFIXES)) and value.endswith(MPE_ID) for value in values):
        return (tagging.verdict is Verdict.COMPLIANT) == BY_NAME[kind].dba
    return True


# From this size on every account × region gets its own tooling, old resources and sandbox;
# a smaller estate (the test suite's) has one set, spread over the units.
STRUCTURE_PER_UNIT_FROM = 600


# Each unit's golden AMI, registered before the agreement, and the snapshot behind it.
GOLDEN_IMAGE_RESOURCES = 2


def minimum_resources() -> int:
    fixed = _fixed(random.Random(DEFAULT_SEED), 0)  # noqa: S311 (a demo, not a secret)
    return GOLDEN_IMAGE_RESOURCES * len(units()) + sum(b.resources for b in fixed)


def _fixed(rng: random.Random, size: int) -> list[Blueprint]:
    spread = iter(_cycle(units()))
    fixed: list[Blueprint] = [*_showcase(rng, spread), *_managed_showcase(rng, spread)]
    if size >= STRUCTURE_PER_UNIT_FROM:
        for unit in units():
            fixed.extend(_structure(rng, itertools.repeat(unit)))
    else:
        fixed.extend(_structure(rng, spread))
    return fixed


def plan_estate(size: int = DEFAULT_RESOURCES, seed: int = DEFAULT_SEED) -> list[Blueprint]:
    """What to create: every story once, then a mostly compliant backbone up to ``size``."""
    if not minimum_resources() <= size <= MAX_RESOURCES:
        raise ValueError(f"size {size} is outside {minimum_resources()}..{MAX_RESOURCES}")
    rng = random.Random(seed)  # noqa: S311 (deterministic on purpose, not a secret)
    blueprints = _fixed(rng, size)
    total = GOLDEN_IMAGE_RESOURCES * len(units()) + sum(b.resources for b in blueprints)
    spread = iter(_cycle(units()))
    while total < size:
        piece = _backbone(rng, next(spread))
        if not isinstance(piece, Single) and total + piece.resources > size + 4:
            continue  # keep the estate close to the size asked for
        blueprints.append(piece)
        total += piece.resources
    return blueprints


def _cycle(items: Sequence[T]) -> Iterator[T]:
    while True:
        yield from items


# ---------------------------------------------------------------------------------------------
# Seeding: the plan made real through the standard AWS chain (the demo points it at moto).


@dataclass(frozen=True)
class Timeline:
    agreement_start: date

    def at(self, era: Era) -> datetime | None:
        if era == "now":
            return None
        start = datetime.combine(self.agreement_start, time(9, 0), tzinfo=UTC)
        return start + ERA_OFFSETS[era]

    def travel(self, era: Era) -> AbstractContextManager[Any]:
        moment = self.at(era)
        return nullcontext() if moment is None else time_machine.travel(moment, tick=True)


def seed_estate(
    size: int = DEFAULT_RESOURCES,
    seed: int = DEFAULT_SEED,
    *,
    session: boto3.Session | None = None,
    today: date | None = None,
) -> Manifest:
    """Create the planned estate and return what a correct scan must find."""
    blueprints = plan_estate(size, seed)
    timeline = Timeline((today or datetime.now(UTC).date()) - AGREEMENT_AGE)
    manifest = Manifest(agreement_start=timeline.agreement_start)
    caller = session or boto3.Session()
    sessions = {ACCOUNTS[0]: caller, ACCOUNTS[1]: _member_session(caller, ACCOUNTS[1], ACCOUNTS[0])}
    seeders = {unit: UnitSeeder(unit, sessions[unit.account_id], manifest, seed) for unit in units()}
    eras: tuple[Era, ...] = ("before", *WAVES, "now")
    for era in eras:
        with timeline.travel(era):
            if era == "before":
                for seeder in seeders.values():
                    seeder.golden_image()
            for blueprint in blueprints:
                if blueprint.era == era:
                    seeders[blueprint.unit].create(blueprint)
            for blueprint in blueprints:
                if isinstance(blueprint, Fleet) and blueprint.backup_era == era:
                    seeders[blueprint.unit].back_up(blueprint)
                if isinstance(blueprint, Single) and blueprint.type == "rds:db" and era == "now":
                    seeders[blueprint.unit].back_up_database(blueprint)
    for seeder in seeders.values():
        seeder.finish()
    return manifest


# What the scan reads in a member account: the actions the declarations name, read-only.
READ_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": list(required_actions(TYPE_NAMES, need_created=True)), "Resource": "*"}
    ],
}


def _member_session(caller: boto3.Session, account: str, trusted: str) -> boto3.Session:
    """The member account, reached as the scan reaches it: sts assume_role of ROLE_NAME."""
    sts = caller.client("sts", region_name=REGIONS[0], config=client_config(caller))
    arn = f"arn:aws:iam::{account}:role/{ROLE_NAME}"
    credentials = sts.assume_role(RoleArn=arn, RoleSessionName="maptag-demo-seed")["Credentials"]
    member = boto3.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )
    # The role the scan assumes, as the member-account stack would create it.
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{trusted}:root"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    iam = member.client("iam", region_name=REGIONS[0], config=client_config(member))
    iam.create_role(RoleName=ROLE_NAME, AssumeRolePolicyDocument=json.dumps(trust))
    iam.put_role_policy(RoleName=ROLE_NAME, PolicyName="maptag-read", PolicyDocument=json.dumps(READ_POLICY))
    return member


MGN_MANAGED = ("AWSApplicationMigrationServiceManaged", "mgn.amazonaws.com")
TOOLING_NAMES = {
    "replication": "AWS Application Migration Service Replication Server",
    "conversion": "AWS Application Migration Service Conversion Server",
}
# The name each type's resources get after their app (load balancer names hold 32 characters).
SHORT_NAMES = {"dynamodb:table": "table", "lambda:function": "fn", "elasticloadbalancing:loadbalancer": "alb",
               "elasticfilesystem:file-system": "efs"}  # fmt: skip


class UnitSeeder:
    """Creates one account × region's share of the estate through maptag.local.seeders and
    records it in the manifest."""

    def __init__(self, unit: ScanUnit, session: boto3.Session, manifest: Manifest, seed: int) -> None:
        self.unit = unit
        self._ctx = SeedContext(session, unit.region, unit.account_id)
        self._manifest = manifest
        self._rng = random.Random(f"{seed}/{unit.key}")  # noqa: S311 (deterministic ids, not secrets)
        self._serial: Counter[str] = Counter()
        # Fleet -> the instances launched (with their volumes), for backups taken later
        self._launched: dict[int, list[ec2_seeders.Launched]] = {}
        # AMI id -> its fleet: their snapshots are found at the end
        self._images: dict[str, Fleet] = {}
        # Single -> its database's ARN, for the snapshot taken later
        self._databases: dict[int, str] = {}

    def client(self, service: str) -> Any:
        return self._ctx.client(service)

    # -- recording ------------------------------------------------------------------------------

    def _record(self, arn: str, rtype: str, outcome: tuple[Verdict, str], parent: str | None = None) -> None:
        verdict, story = outcome
        self._manifest.resources.append(
            Seeded(arn, rtype, self.unit.account_id, self.unit.region, verdict, story, parent)
        )

    def _arn(self, service: str, resource: str, *, account: bool = True) -> str:
        return self._ctx.arn(service, resource, account=account)

    def _name(self, app: str, kind: str) -> str:
        self._serial[f"{app}-{kind}"] += 1
        return f"{app}-{kind}-{self._serial[f'{app}-{kind}']:02d}"

    def _hex(self, length: int) -> str:
        return "".join(self._rng.choice("0123456789abcdef") for _ in range(length))

    # -- EC2 ------------------------------------------------------------------------------------

    def create(self, blueprint: Blueprint) -> None:
        if isinstance(blueprint, Fleet):
            self._launch(blueprint)
        elif isinstance(blueprint, Managed):
            self._seed(blueprint)
        elif blueprint.type == "rds:db":
            self._db(blueprint)
        elif blueprint.type == "rds:cluster":
            self._cluster(blueprint)
        else:
            self._single(blueprint)

    def golden_image(self) -> None:
        """The AMI every server launches from, registered long before the agreement (and its
        snapshot): out of scope by date."""
        image_id = ec2_seeders.base_image(self._ctx)
        before = (Verdict.EXCLUDED, EXCLUDED_STORIES["before"])
        self._record(self._arn("ec2", f"image/{image_id}", account=False), "ec2:image", before)
        ec2 = self.client("ec2")
        image = ec2.describe_images(ImageIds=[image_id])["Images"][0]
        for mapping in image.get("BlockDeviceMappings", []):
            snapshot_id = mapping.get("Ebs", {}).get("SnapshotId")
            if snapshot_id:
                snapshot = ec2.describe_snapshots(SnapshotIds=[snapshot_id])["Snapshots"][0]
                volume = snapshot.get("VolumeId")
                self._record(
                    self._arn("ec2", f"snapshot/{snapshot_id}", account=False),
                    "ec2:snapshot",
                    before,
                    parent=self._arn("ec2", f"volume/{volume}") if volume else None,
                )

    def _launch(self, fleet: Fleet) -> None:
        environment = "sandbox" if fleet.role == "sandbox" else "production"
        common: dict[str, str] = {}
        if fleet.role in ("migrated", "replication", "conversion"):
            common[MGN_MANAGED[0]] = MGN_MANAGED[1]
        if fleet.role == "migrated":
            common["mgn.amazonaws.com-job"] = f"mgnjob-{self._hex(17)}"
        if fleet.role in TOOLING_NAMES:
            common["Name"] = TOOLING_NAMES[fleet.role]
        else:
            common.update({"app": fleet.app, "environment": environment})
        instance_tags = _tags(fleet.instance, common)
        volume_tags = _tags(fleet.volume, {k: v for k, v in common.items() if k != "mgn.amazonaws.com-job"})
        launched = ec2_seeders.launch_instances(
            self._ctx,
            fleet.count,
            instance_tags or None,
            volume_tags=volume_tags or None,
            root_gb=30,
            data_disks=[{"VolumeSize": 100, "VolumeType": "gp3"}] * fleet.data_disks,
            instance_type="m5.large" if fleet.role == "migrated" else "t3.small",
        )
        for server in launched:
            instance_arn = self._arn("ec2", f"instance/{server.instance_id}")
            self._record(instance_arn, "ec2:instance", fleet.outcome(fleet.instance))
            for volume_id in server.volume_ids:
                self._record(
                    self._arn("ec2", f"volume/{volume_id}"),
                    "ec2:volume",
                    fleet.outcome(fleet.volume),
                    parent=instance_arn,
                )
            if fleet.role == "migrated" and not fleet.instance.bare:
                # MGN names each server after its source machine and records where it came from.
                source = f"s-{self._hex(17)}"
                self.client("ec2").create_tags(
                    Resources=[server.instance_id],
                    Tags=pairs(
                        {
                            "Name": self._name(fleet.app, "app"),
                            "AWSApplicationMigrationServiceSourceServerID": source,
                            "mgn.amazonaws.com-source-server": source,
                        }
                    ),
                )
        self._launched[id(fleet)] = launched

    def back_up(self, fleet: Fleet) -> None:
        """Snapshots of every volume of each instance, and an AMI of the first one."""
        launched = self._launched.get(id(fleet), [])
        for server in launched:
            if fleet.backup is not None:
                tags = _tags(fleet.backup, {"app": fleet.app} if fleet.role not in TOOLING_NAMES else {})
                if fleet.role in TOOLING_NAMES:
                    tags[MGN_MANAGED[0]] = MGN_MANAGED[1]
                by_volume = ec2_seeders.snapshot_instance(self._ctx, server.instance_id, tags or None)
                for volume_id in server.volume_ids:
                    self._record(
                        self._arn("ec2", f"snapshot/{by_volume[volume_id]}", account=False),
                        "ec2:snapshot",
                        fleet.outcome(fleet.backup),
                        parent=self._arn("ec2", f"volume/{volume_id}"),
                    )
        if fleet.image is not None and launched:
            instance_arn = self._arn("ec2", f"instance/{launched[0].instance_id}")
            tags = _tags(fleet.image, {"app": fleet.app})
            image_arn = SEEDERS["ec2:image"](
                self._ctx, f"{fleet.app}-golden-{self._hex(6)}", tags or None, instance_arn
            )
            self._record(image_arn, "ec2:image", fleet.outcome(fleet.image), parent=instance_arn)
            self._images[image_arn.rsplit("/", 1)[-1]] = fleet

    def finish(self) -> None:
        """The snapshots CreateImage made: tagged like their AMI (or not), in batched calls."""
        if not self._images:
            return
        ec2 = self.client("ec2")
        images = ec2.describe_images(ImageIds=list(self._images))["Images"]
        snapshot_of = {
            image["ImageId"]: m["Ebs"]["SnapshotId"]
            for image in images
            for m in image.get("BlockDeviceMappings", [])
            if "SnapshotId" in m.get("Ebs", {})
        }
        snapshots = ec2.describe_snapshots(SnapshotIds=list(snapshot_of.values()))["Snapshots"]
        volume_of = {s["SnapshotId"]: s.get("VolumeId") for s in snapshots}
        by_tags: dict[tuple[tuple[str, str], ...], list[str]] = {}
        for image_id, fleet in self._images.items():
            snapshot_id = snapshot_of[image_id]
            wanted = _tags(fleet.image, {"app": fleet.app}) if fleet.image else {}
            by_tags.setdefault(tuple(sorted(wanted.items())), []).append(snapshot_id)
            assert fleet.image is not None
            story = fleet.image.story
            if fleet.image is GAP_IMAGE:
                story = "untagged dependent: snapshot behind an AMI"
            volume = volume_of.get(snapshot_id)
            self._record(
                self._arn("ec2", f"snapshot/{snapshot_id}", account=False),
                "ec2:snapshot",
                (fleet.image.verdict, story),
                parent=self._arn("ec2", f"volume/{volume}") if volume else None,
            )
        for tags, snapshot_ids in by_tags.items():
            if tags:
                ec2.create_tags(Resources=snapshot_ids, Tags=pairs(dict(tags)))

    # -- other services ---------------------------------------------------------------------------

    def _seed(self, managed: Managed, parent: str | None = None) -> None:
        """One managed resource through its seeder, then what it holds, inside it."""
        tags = _tags(managed.tagging, _identity(managed.app))
        short = managed.type.split(":", 1)[1].lower().replace("-", "")[:8]
        name = self._name(managed.app, short)
        arn = SEEDERS[managed.type](self._ctx, name, tags or None, parent)
        # a transit gateway's attachments are made in it, but the scan names no parent for them
        reported = parent if BY_NAME[managed.type].parent is not None else None
        self._record(arn, managed.type, managed.outcome(), parent=reported)
        for child in managed.children:
            self._seed(child, arn)
        if managed.type == "ec2:vpn-connection":
            self._vpn_attachment(arn, managed)

    def _vpn_attachment(self, vpn_arn: str, vpn: Managed) -> None:
        """A VPN connection on a transit gateway comes with its attachment, made untagged."""
        found = self.client("ec2").describe_transit_gateway_attachments(
            Filters=[{"Name": "resource-id", "Values": [vpn_arn.rsplit("/", 1)[-1]]}]
        )["TransitGatewayAttachments"]
        for attachment in found:
            arn = self._arn("ec2", f"transit-gateway-attachment/{attachment['TransitGatewayAttachmentId']}")
            outcome = vpn.outcome() if vpn.excluded else (Verdict.MISSING, GAP_VPN_ATTACHMENT.story)
            self._record(arn, "ec2:transit-gateway-attachment", outcome)

    def _db(self, single: Single) -> None:
        name = self._name(single.app, "db")
        engine = self._rng.choice(("postgres", "mysql", "oracle-ee", "sqlserver-se"))
        tags = _tags(single.tagging, {"app": single.app})
        db_arn = rds_seeders.db(
            self._ctx,
            name,
            tags or None,
            engine=engine,
            instance_class="db.m5.large",
            storage_gb=100,
            copy_tags=single.copy_tags,
        )
        self._record(db_arn, "rds:db", single.outcome())
        self._databases[id(single)] = db_arn
        automated = self.client("rds").describe_db_snapshots(
            DBInstanceIdentifier=name, SnapshotType="automated"
        )["DBSnapshots"]
        tagged = single.copy_tags and bool(tags)
        outcome = single.outcome() if tagged or single.excluded else (Verdict.MISSING, GAP_AUTOMATED.story)
        for snapshot in automated:
            self._record(snapshot["DBSnapshotArn"], "rds:snapshot", outcome, parent=db_arn)

    def back_up_database(self, single: Single) -> None:
        if single.backup is None:
            return
        db_arn = self._databases[id(single)]
        name = f"{db_arn.rsplit(':', 1)[-1]}-manual-{self._hex(4)}"
        tags = _tags(single.backup, {"app": single.app})
        arn = SEEDERS["rds:snapshot"](self._ctx, name, tags or None, db_arn)
        self._record(arn, "rds:snapshot", (single.backup.verdict, single.backup.story), parent=db_arn)

    def _cluster(self, single: Single) -> None:
        name = self._name(single.app, "aurora")
        tags = _tags(single.tagging, {"app": single.app})
        cluster_arn = SEEDERS["rds:cluster"](self._ctx, name, tags or None)
        self._record(cluster_arn, "rds:cluster", single.outcome())
        # RDS takes an automated snapshot of a new cluster too (without CopyTagsToSnapshot: untagged)
        automated = self.client("rds").describe_db_cluster_snapshots(
            DBClusterIdentifier=name, SnapshotType="automated"
        )["DBClusterSnapshots"]
        outcome = single.outcome() if single.excluded else (Verdict.MISSING, GAP_AUTOMATED.story)
        for snapshot in automated:
            self._record(snapshot["DBClusterSnapshotArn"], "rds:cluster-snapshot", outcome, cluster_arn)
        if single.backup is not None:
            backup_tags = _tags(single.backup, {"app": single.app}) or None
            snapshot = f"{name}-manual-{self._hex(4)}"
            made = SEEDERS["rds:cluster-snapshot"](self._ctx, snapshot, backup_tags, cluster_arn)
            backup = (single.backup.verdict, single.backup.story)
            self._record(made, "rds:cluster-snapshot", backup, cluster_arn)

    def _single(self, single: Single) -> None:
        """A bucket, table, function, load balancer or file system, named after its app."""
        account, region = self.unit.account_id, self.unit.region
        identity = _identity(single.app)
        if single.type == "s3:bucket":
            # bucket names are global: the account and region keep them apart
            prefix = "cdk-hnb659fds-assets" if single.app == "cdk" else self._name(single.app, "data")
            name = f"{prefix}-{account}-{region}"
        else:
            name = self._name(single.app[:16], SHORT_NAMES[single.type])
            if single.type == "elasticfilesystem:file-system":
                identity = {**identity, "Name": name}
        arn = SEEDERS[single.type](self._ctx, name, _tags(single.tagging, identity) or None)
        self._record(arn, single.type, single.outcome())


def _identity(app: str) -> dict[str, str]:
    """The tags that say whose a resource is: its app, or the sandbox an exclusion rule covers."""
    return {"environment": "sandbox"} if app == "sandbox" else {"app": app}


def _tags(tagging: Tagging, identity: Mapping[str, str]) -> dict[str, str]:
    """The tagging's MAP tags on top of the resource's identity tags (none for a bare one)."""
    if tagging.bare:
        return {}
    return {**identity, **dict(tagging.tags)}

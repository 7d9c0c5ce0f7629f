"""API economy and streaming: list calls at each API's largest page, no call made twice,
and the whole scan at the paging minimum (Σ ⌈N / page⌉ list calls + the tag reads no listing
includes: ⌈N / 20⌉ ELBv2 DescribeTags, ⌈N / 100⌉ Tagging API GetResources); and a scan's
garbage-collector thresholds, raised while it runs and restored after.

Calls are counted with botocore event hooks on the scanning session (counting, not stubbing).
"""

from __future__ import annotations

import gc
import math
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any

import boto3
import pytest
from botocore import xform_name
from moto import mock_aws

from maptag.aws import Clients
from maptag.model import ScanUnit
from maptag.resources.collector import UnitContext, collect
from maptag.resources.declarations import BY_NAME, TYPE_NAMES, ResourceType
from maptag.scan import scan_unit
from tests.support.moto_gaps import STUBBED
from tests.support.moto_seed import (
    COMPLIANT,
    policy,
    scan,
    seed_bucket,
    seed_function,
    seed_load_balancer,
    seed_table,
    seed_volume,
)

REGION = "us-east-1"

# The largest page each listing API returns, from the AWS API references (several accept a
# bigger number than they return: Lambda's MaxItems allows 10,000 but a page holds 50), by
# client: ECS, EKS and EMR each have a ListClusters. None: the operation has no pages.
DOCUMENTED_MAXIMUM = {
    ("ec2", "describe_instances"): ("MaxResults", 1000),
    ("ec2", "describe_volumes"): ("MaxResults", 500),
    ("ec2", "describe_snapshots"): ("MaxResults", 1000),
    ("ec2", "describe_images"): ("MaxResults", 1000),
    ("rds", "describe_db_instances"): ("MaxRecords", 100),
    ("rds", "describe_db_clusters"): ("MaxRecords", 100),
    ("rds", "describe_db_snapshots"): ("MaxRecords", 100),
    ("s3", "list_buckets"): ("MaxBuckets", 10000),
    ("dynamodb", "list_tables"): ("Limit", 100),
    ("lambda", "list_functions"): ("MaxItems", 50),
    ("elbv2", "describe_load_balancers"): ("PageSize", 400),
    ("elb", "describe_load_balancers"): ("PageSize", 400),
    ("efs", "describe_file_systems"): ("MaxItems", 100),
    ("ec2", "describe_nat_gateways"): ("MaxResults", 1000),
    ("ec2", "describe_transit_gateways"): ("MaxResults", 1000),
    ("ec2", "describe_transit_gateway_attachments"): ("MaxResults", 1000),
    ("ec2", "describe_addresses"): (None, None),
    ("ec2", "describe_vpc_endpoints"): ("MaxResults", 1000),
    ("ec2", "describe_vpn_connections"): (None, None),
    ("ec2", "describe_hosts"): ("MaxResults", 500),
    ("ec2", "describe_capacity_reservations"): ("MaxResults", 1000),
    ("ecs", "list_clusters"): ("maxResults", 100),
    ("ecs", "list_services"): ("maxResults", 100),
    ("ecs", "list_tasks"): ("maxResults", 100),
    ("eks", "list_clusters"): ("maxResults", 100),
    ("eks", "list_nodegroups"): ("maxResults", 100),
    ("autoscaling", "describe_auto_scaling_groups"): ("MaxRecords", 100),
    ("elasticbeanstalk", "describe_environments"): ("MaxRecords", 1000),
    ("emr", "list_clusters"): (None, None),  # 50 a page, fixed
    ("emr-serverless", "list_applications"): ("maxResults", 50),
    # FSx answers the smaller of MaxResults and its own page maximum, which it does not
    # document: the model's largest
    ("fsx", "describe_file_systems"): ("MaxResults", 2147483647),
    ("fsx", "describe_volumes"): ("MaxResults", 2147483647),
    ("fsx", "describe_backups"): ("MaxResults", 2147483647),
    ("backup", "list_recovery_points_by_backup_vault"): ("MaxResults", 1000),
    ("ecr", "describe_repositories"): ("maxResults", 1000),
    ("glacier", "list_vaults"): ("limit", "1000"),
    ("storagegateway", "list_gateways"): ("Limit", 100),
    ("logs", "describe_log_groups"): ("limit", 50),
    ("sagemaker", "list_endpoints"): ("MaxResults", 100),
    ("sagemaker", "list_notebook_instances"): ("MaxResults", 100),
    ("workspaces", "describe_workspaces"): ("Limit", 25),
    ("secretsmanager", "list_secrets"): ("MaxResults", 100),
    ("kms", "list_keys"): ("Limit", 1000),
    ("mq", "list_brokers"): ("MaxResults", 100),
    ("network-firewall", "list_firewalls"): ("MaxResults", 100),
    ("transfer", "list_servers"): ("MaxResults", 1000),
    ("acm-pca", "list_certificate_authorities"): ("MaxResults", 1000),
    ("cloudfront", "list_distributions"): ("MaxItems", "100"),
    ("route53", "list_hosted_zones"): ("MaxItems", "100"),
}
# The twelve first types: the paging-minimum scan below counts their calls.
FIRST_TYPES = (
    "ec2:instance",
    "ec2:volume",
    "ec2:snapshot",
    "ec2:image",
    "rds:db",
    "rds:cluster",
    "rds:snapshot",
    "s3:bucket",
    "dynamodb:table",
    "lambda:function",
    "elasticloadbalancing:loadbalancer",
    "elasticfilesystem:file-system",
)


@pytest.fixture
def session() -> Iterator[boto3.Session]:
    with mock_aws():
        yield boto3.Session(region_name=REGION)


class CallLog:
    """Every API call a session's clients make (once per call, not per retry), with its params."""

    def __init__(self, session: boto3.Session) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        # the service of each call (ELBv2 and Classic ELB both have DescribeLoadBalancers)
        self.services: list[str] = []
        session.events.register("before-parameter-build", self._record)

    def _record(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        self.calls.append((model.name, dict(params)))
        self.services.append(model.service_model.service_name)

    def count(self) -> Counter[str]:
        return Counter(name for name, _ in self.calls)


def _tables(session: boto3.Session, count: int) -> None:
    for n in range(count):
        seed_table(session, REGION, f"table-{n:03d}", None)


def _load_balancers(session: boto3.Session, count: int) -> None:
    for n in range(count):
        seed_load_balancer(session, REGION, f"lb-{n:02d}", None)


def _listings(names: Iterable[str]) -> list[ResourceType]:
    """The declarations of these types and the further listings each reports under its name."""
    return [t for name in names for t in (BY_NAME[name], *BY_NAME[name].also)]


def test_declared_page_sizes_are_each_apis_maximum() -> None:
    # Every listing documented here declares that maximum (the others' page sizes are checked
    # against botocore's models in tests/unit/resources/test_declarations.py).
    declared = {(t.service, t.listing.operation): t.listing.page_size for t in _listings(TYPE_NAMES)}
    documented = {
        operation: None if size is None else int(size) for operation, (_, size) in DOCUMENTED_MAXIMUM.items()
    }
    assert {operation: declared.get(operation) for operation in documented} == documented


FURTHER = [
    n
    for n in TYPE_NAMES
    if n not in FIRST_TYPES
    and n not in STUBBED
    and (BY_NAME[n].service, BY_NAME[n].listing.operation) in DOCUMENTED_MAXIMUM
    and DOCUMENTED_MAXIMUM[(BY_NAME[n].service, BY_NAME[n].listing.operation)][0] is not None
    and BY_NAME[n].listing.within is None
]


@pytest.mark.parametrize("name", FURTHER)
def test_each_further_listing_asks_for_its_largest_page(session: boto3.Session, name: str) -> None:
    # (the STUBBED types' tests expect the page size in their Stubber requests)
    log = CallLog(session)
    ctx = UnitContext(Clients(session, REGION), "123456789012", REGION, need_created=False)
    assert list(collect(BY_NAME[name], ctx)) == []
    key, size = DOCUMENTED_MAXIMUM[(BY_NAME[name].service, BY_NAME[name].listing.operation)]
    listed = [params for call, params in log.calls if xform_name(call) == BY_NAME[name].listing.operation]
    assert listed, f"{name} was not listed"
    assert all(params.get(key) == size for params in listed), listed


def test_a_scan_makes_the_paging_minimum_of_calls_and_none_twice(session: boto3.Session) -> None:
    # Given an estate with more tables than one ListTables page and more load balancers than
    # one DescribeTags batch
    tables, balancers, buckets, functions, volumes = 130, 25, 3, 2, 7
    _tables(session, tables)
    _load_balancers(session, balancers)
    for n in range(buckets):
        seed_bucket(session, REGION, f"bucket-{n}", COMPLIANT if n else None)
    for n in range(functions):
        seed_function(session, REGION, f"function-{n}", None)
    for n in range(volumes):
        seed_volume(session, REGION, f"volume-{n}", None)
    log = CallLog(session)

    # When everything is scanned (no agreement start: no creation-time look-ups are needed)
    outcome = scan(session, policy(regions=[REGION], types=list(FIRST_TYPES)))

    # Then each list call asked for the API's largest page
    assert outcome.units[0].status == "ok"
    listed = {
        t.listing.operation: DOCUMENTED_MAXIMUM[(t.service, t.listing.operation)]
        for t in _listings(FIRST_TYPES)
    }
    checked = set()
    for name, params in log.calls:
        operation = xform_name(name)
        if operation in listed:
            key, size = listed[operation]
            assert params.get(key) == size, (name, params)
            checked.add(operation)
    assert checked == set(listed)
    # and the calls are exactly the paging minimum: list pages plus unavoidable tag reads
    assert log.count() == Counter(
        {
            "GetCallerIdentity": 1,
            "DescribeInstances": 1,
            "DescribeVolumes": 1,
            "DescribeSnapshots": 1,
            "DescribeImages": 1,
            "DescribeDBInstances": 1,
            "DescribeDBClusters": 1,
            "DescribeDBSnapshots": 1,
            "ListBuckets": 1,
            "ListTables": math.ceil(tables / 100),
            "ListFunctions": 1,
            # S3, DynamoDB and Lambda have no batched tag read of their own: the Tagging API
            # reads them 100 at a time, one call per list page here (never-tagged ones are
            # absent from its answer, tagged buckets fit one page)
            "GetResources": 1 + math.ceil(tables / 100) + 1,
            "DescribeLoadBalancers": 2,  # ELBv2's and Classic's (none here: no DescribeTags)
            "DescribeTags": math.ceil(balancers / 20),  # ELBv2 reads 20 ARNs a call
            "DescribeFileSystems": 1,
        }
    )
    # and no call was made twice with the same parameters
    keys = [
        (service, name, repr(sorted(params.items())))
        for service, (name, params) in zip(log.services, log.calls, strict=True)
    ]
    assert len(keys) == len(set(keys))
    assert len(outcome.findings) == tables + balancers + buckets + functions + volumes


def test_creation_times_cost_one_describe_per_table_only_with_an_agreement_start(
    session: boto3.Session,
) -> None:
    _tables(session, 3)
    log = CallLog(session)
    scan(session, policy(regions=[REGION], types=["dynamodb:table"]))
    assert log.count()["DescribeTable"] == 0
    log.calls.clear()
    outcome = scan(session, policy(regions=[REGION], types=["dynamodb:table"], agreement_start="2025-01-01"))
    assert log.count()["DescribeTable"] == 3
    assert all(f.resource.created is not None for f in outcome.findings)


def test_collection_streams_one_page_at_a_time(session: boto3.Session) -> None:
    # Given more tables than one ListTables page holds
    _tables(session, 150)
    log = CallLog(session)
    ctx = UnitContext(
        clients=Clients(session, REGION), account_id="123456789012", region=REGION, need_created=False
    )

    # When the first resource is taken from the collector
    resources = collect(BY_NAME["dynamodb:table"], ctx)
    first = next(resources)

    # Then only the first page was listed and only its tags read (100 in one batched read)
    assert first.resource_id == "table-000"
    assert log.count() == Counter({"ListTables": 1, "GetResources": 1})
    assert len(log.calls[-1][1]["ResourceARNList"]) == 100
    # and the rest comes when asked for
    rest = list(resources)
    assert len(rest) == 149
    assert log.count() == Counter({"ListTables": 2, "GetResources": 2})


def test_a_scan_collects_garbage_less_often_and_leaves_the_process_as_it_found_it(
    session: boto3.Session,
) -> None:
    # Given a process with its own garbage collector thresholds and a few resources
    _tables(session, 3)
    saved = gc.get_threshold()
    gc.set_threshold(800, 11, 12)
    seen: list[tuple[int, ...]] = []
    ctx = UnitContext(
        clients=Clients(session, REGION), account_id="123456789012", region=REGION, need_created=False
    )
    try:
        # When a unit is scanned, the thresholds are read while its findings come out
        result = scan_unit(
            ScanUnit("123456789012", REGION),
            ctx.clients,
            policy(regions=[REGION], types=["dynamodb:table"]),
            lambda _finding: seen.append(gc.get_threshold()),
        )
        after = gc.get_threshold()
    finally:
        gc.set_threshold(*saved)
    # Then the scan collected less often (docs/performance.md) and restored the process's own
    assert result.status == "ok"
    assert seen == [(50_000, 20, 20)] * 3
    assert after == (800, 11, 12)

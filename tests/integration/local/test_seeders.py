"""The seeders' shared entries (maptag.local.seeders): a mix made by ``seed_many``, and EC2's bulk
launch and backup, as the demo and the benchmarks use them (moto, issue 12)."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import count

import boto3
import pytest
from moto import mock_aws

from maptag.local.seeders import SeedContext, seed_many
from maptag.local.seeders import ec2 as ec2_seeders
from tests.support.moto_seed import ACCOUNT, COMPLIANT

REGION = "eu-west-1"


@pytest.fixture
def ctx() -> Iterator[SeedContext]:
    with mock_aws():
        yield SeedContext(boto3.Session(region_name=REGION), REGION, ACCOUNT)


def _tags(ctx: SeedContext, service: str, arn: str) -> dict[str, str]:
    if service == "ecs":
        # moto leaves "tags" out of the answer for an untagged ECS resource
        found = ctx.client("ecs").list_tags_for_resource(resourceArn=arn).get("tags", [])
        return {t["key"]: t["value"] for t in found}
    return dict(ctx.client("logs").list_tags_for_resource(resourceArn=arn)["tags"])


def test_seed_many_makes_each_count_in_its_holders_with_the_tags_dealt(ctx: SeedContext) -> None:
    # Given a mix: 2 ECS clusters, 5 services held by them, 3 log groups; every other one untagged
    dealt = count()
    made = seed_many(
        ctx,
        {"ecs:cluster": 2, "ecs:service": 5, "logs:log-group": 3},
        lambda rtype: COMPLIANT if next(dealt) % 2 == 0 else None,
        held_by={"ecs:service": "ecs:cluster"},
    )
    # Then each type has its count, and the services went to the clusters in turn
    assert {rtype: len(arns) for rtype, arns in made.items()} == {
        "ecs:cluster": 2,
        "ecs:service": 5,
        "logs:log-group": 3,
    }
    ecs = ctx.client("ecs")
    per_cluster = [len(ecs.list_services(cluster=arn)["serviceArns"]) for arn in made["ecs:cluster"]]
    assert per_cluster == [3, 2]
    # and the tags were dealt one resource at a time, in the mix's order (None: never tagged)
    in_order = [*made["ecs:cluster"], *made["ecs:service"], *made["logs:log-group"]]
    services = ["ecs"] * 7 + ["logs"] * 3
    tagged = [_tags(ctx, service, arn) for service, arn in zip(services, in_order, strict=True)]
    assert tagged == [COMPLIANT if n % 2 == 0 else {} for n in range(10)]
    # and every name is distinct
    assert len(set(in_order)) == 10


def test_launch_instances_makes_a_fleet_in_one_call_with_its_volumes_tagged_apart(ctx: SeedContext) -> None:
    # Given three instances launched together with a data disk each, volumes tagged otherwise
    fleet = ec2_seeders.launch_instances(
        ctx, 3, COMPLIANT, volume_tags={"app": "ledger"}, root_gb=30, data_disks=[{"VolumeSize": 100}]
    )
    ec2 = ctx.client("ec2")
    # Then each has its root and data volume, with the sizes and tags asked for
    assert len({server.instance_id for server in fleet}) == 3
    for server in fleet:
        volumes = ec2.describe_volumes(VolumeIds=list(server.volume_ids))["Volumes"]
        by_id = {v["VolumeId"]: v for v in volumes}
        assert [by_id[v]["Size"] for v in server.volume_ids] == [30, 100]
        assert all({t["Key"]: t["Value"] for t in v["Tags"]} == {"app": "ledger"} for v in volumes)
    reservations = ec2.describe_instances(InstanceIds=[s.instance_id for s in fleet])["Reservations"]
    assert len(reservations) == 1  # one RunInstances call
    for instance in reservations[0]["Instances"]:
        assert {t["Key"]: t["Value"] for t in instance["Tags"]} == COMPLIANT
        # from the context's one base image
        assert instance["ImageId"] == ec2_seeders.base_image(ctx)


def test_snapshot_instance_backs_up_every_volume_with_the_tags(ctx: SeedContext) -> None:
    (server,) = ec2_seeders.launch_instances(ctx, 1, None, root_gb=8, data_disks=[{"VolumeSize": 20}] * 2)
    by_volume = ec2_seeders.snapshot_instance(ctx, server.instance_id, COMPLIANT)
    assert set(by_volume) == set(server.volume_ids)
    snapshots = ctx.client("ec2").describe_snapshots(SnapshotIds=list(by_volume.values()))["Snapshots"]
    assert {s["VolumeId"]: s["SnapshotId"] for s in snapshots} == by_volume
    assert all({t["Key"]: t["Value"] for t in s["Tags"]} == COMPLIANT for s in snapshots)

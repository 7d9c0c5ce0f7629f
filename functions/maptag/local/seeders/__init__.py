"""Seeders: how to create one resource of a type in moto, for the demo, the benchmarks and tests.

One module per service, named as in ``maptag.resources.types``; each holds ``SEEDERS``, a dict
from type name to a seeder. A seeder creates one resource of its type with the given tags
(``None``: the resource never had a tag, no tagging call at all) and returns the ARN a scan must
report. A dependent type's seeder takes its parent's ARN, or creates an untagged parent itself.
Prerequisites (a VPC and subnets, an IAM role, a cluster) are made once per context with
``SeedContext.once``. Where an estate needs speed a module adds a bulk entry beside its
seeders (EC2: ``launch_instances``, ``snapshot_instance``). ``seed_many`` makes a mix of types ×
counts × tags in one account × region. Only types moto models have a seeder; the others are
tested through botocore's Stubber (tests/integration/resources/). A new type is seeded here
only (docs/architecture.md): the demo, the benchmarks and the integration tests all use these.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

import boto3

from maptag.aws import client_config

T = TypeVar("T")
Tags = Mapping[str, str] | None


@dataclass
class SeedContext:
    """One account × region of a moto endpoint, with clients and prerequisites made once."""

    session: boto3.Session
    region: str
    account: str
    _clients: dict[str, Any] = field(default_factory=dict)
    _made: dict[str, Any] = field(default_factory=dict)

    def client(self, service: str) -> Any:
        if service not in self._clients:
            session: Any = self.session
            self._clients[service] = session.client(
                service, region_name=self.region, config=client_config(self.session)
            )
        return self._clients[service]

    def once(self, key: str, make: Callable[[], T]) -> T:
        """``make()``'s result, made the first time ``key`` is asked for in this context."""
        if key not in self._made:
            self._made[key] = make()
        made: T = self._made[key]
        return made

    def arn(self, service: str, resource: str, *, region: bool = True, account: bool = True) -> str:
        return (
            f"arn:aws:{service}:{self.region if region else ''}:{self.account if account else ''}:{resource}"
        )


class Seeder(Protocol):
    def __call__(self, ctx: SeedContext, name: str, tags: Tags, parent: str | None = None) -> str: ...


def pairs(tags: Tags, key: str = "Key", value: str = "Value") -> list[dict[str, str]]:
    return [{key: k, value: v} for k, v in (tags or {}).items()]


def tag_list(tags: Tags, member: str = "Tags") -> dict[str, Any]:
    """``{member: [{Key, Value}]}`` for a create call, or nothing when the resource has no tags."""
    return {member: pairs(tags)} if tags else {}


def default_subnets(ctx: SeedContext) -> list[str]:
    """Two subnets of the default VPC (moto makes one per region)."""

    def make() -> list[str]:
        found = ctx.client("ec2").describe_subnets(Filters=[{"Name": "default-for-az", "Values": ["true"]}])
        return [s["SubnetId"] for s in found["Subnets"]][:2]

    return ctx.once("default-subnets", make)


def default_vpc(ctx: SeedContext) -> str:
    def make() -> str:
        vpcs = ctx.client("ec2").describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])
        return str(vpcs["Vpcs"][0]["VpcId"])

    return ctx.once("default-vpc", make)


def service_role(ctx: SeedContext, name: str, principal: str) -> str:
    """An IAM role ``name`` that ``principal`` (e.g. ``ecs-tasks.amazonaws.com``) may assume."""

    def make() -> str:
        import json

        trust = {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": principal}, "Action": "sts:AssumeRole"}
            ],
        }
        iam = ctx.client("iam")
        try:
            return str(
                iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
            )
        except iam.exceptions.EntityAlreadyExistsException:
            return str(iam.get_role(RoleName=name)["Role"]["Arn"])

    return ctx.once(f"role/{name}", make)


def seed_many(
    ctx: SeedContext,
    counts: Mapping[str, int],
    tags: Callable[[str], Tags],
    *,
    held_by: Mapping[str, str] | None = None,
    name: Callable[[str, int], str] | None = None,
) -> dict[str, list[str]]:
    """A mix of types in one account × region: ``counts[type]`` resources of each, in the
    mapping's order, each tagged with what ``tags(type)`` returns when it is made. A type in
    ``held_by`` goes in turn into the resources made before it of the type named there (an ECS
    service into a cluster: list holders first). ``name(type, index)`` names each resource
    (unique per context). The ARNs made, by type."""
    holders = held_by or {}

    def default_name(rtype: str, index: int) -> str:
        # fixed width: moto matches an ECS cluster by substring (cluster-1 would list cluster-10's tasks)
        return f"seed-{rtype.split(':', 1)[1].lower().replace('-', '')[:10]}-{index:05d}"

    naming = name or default_name
    made: dict[str, list[str]] = {}
    for rtype, count in counts.items():
        parents = made.get(holders[rtype], []) if rtype in holders else []
        made[rtype] = [
            SEEDERS[rtype](
                ctx,
                naming(rtype, index),
                tags(rtype) or None,
                parents[index % len(parents)] if parents else None,
            )
            for index in range(count)
        ]
    return made


def _discover() -> dict[str, Seeder]:
    seeders: dict[str, Seeder] = {}
    for module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        found: Mapping[str, Seeder] = importlib.import_module(f"{__name__}.{module.name}").SEEDERS
        seeders.update(found)
    return seeders


SEEDERS: dict[str, Seeder] = _discover()

"""Builds the CDK app from its context: one validated DeployConfig, both stacks, cdk-nag."""

from __future__ import annotations

import os

from aws_cdk import App, Environment, Validations
from aws_cdk.region_info import RegionInfo
from cdk_nag import AwsSolutionsChecks

from infra import constants
from infra.stacks import MemberRoleStack, ScannerStack
from maptag.deploy_config import DeployConfig
from maptag.policy import PolicyError


def config_of(app: App) -> DeployConfig:
    """The deployment configuration from the app's context; raises PolicyError naming a bad key."""
    return DeployConfig.from_context(app.node.get_all_context())


def check_partition(region: str | None) -> None:
    """Refuse a region whose partition has no copy of the pinned Powertools layer (PolicyError)."""
    partition = RegionInfo.get(region).partition if region else None
    if partition is not None and partition != constants.POWERTOOLS_PARTITION:
        raise PolicyError(
            f"region {region} is in the {partition} partition: maptag deploys only to commercial "
            f"({constants.POWERTOOLS_PARTITION}) regions, where its Powertools layer is published"
        )


def build(app: App, config: DeployConfig) -> tuple[ScannerStack, MemberRoleStack]:
    region = os.environ.get("CDK_DEFAULT_REGION")
    check_partition(region)
    env = Environment(account=os.environ.get("CDK_DEFAULT_ACCOUNT"), region=region)
    scanner = ScannerStack(app, constants.SCANNER_STACK, config=config, env=env)
    member = MemberRoleStack(app, constants.MEMBER_STACK, config=config)
    Validations.of(app).add_plugins(AwsSolutionsChecks(app, verbose=True))
    return scanner, member

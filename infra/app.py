"""Builds the CDK app from its context: one validated DeployConfig, both stacks, cdk-nag."""

from __future__ import annotations

import os

from aws_cdk import App, Environment, Validations
from cdk_nag import AwsSolutionsChecks

from infra import constants
from infra.stacks import MemberRoleStack, ScannerStack
from maptag.deploy_config import DeployConfig


def config_of(app: App) -> DeployConfig:
    """The deployment configuration from the app's context; raises PolicyError naming a bad key."""
    return DeployConfig.from_context(app.node.get_all_context())


def build(app: App, config: DeployConfig) -> tuple[ScannerStack, MemberRoleStack]:
    env = Environment(
        account=os.environ.get("CDK_DEFAULT_ACCOUNT"), region=os.environ.get("CDK_DEFAULT_REGION")
    )
    scanner = ScannerStack(app, constants.SCANNER_STACK, config=config, env=env)
    member = MemberRoleStack(app, constants.MEMBER_STACK, config=config)
    Validations.of(app).add_plugins(AwsSolutionsChecks(app, verbose=True))
    return scanner, member

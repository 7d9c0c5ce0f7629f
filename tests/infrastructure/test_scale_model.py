"""bench/scale.py's "as deployed" column is the deployment's own defaults (so the two cannot drift)."""

from __future__ import annotations

from aws_cdk import aws_lambda as lambda_

from bench.scale import DEPLOYED, UNIT_TIMEOUT_S
from infra import constants
from infra.constructs.scan_workflow import PUBLISH, SCAN_UNIT, UNIT_LIMITS
from maptag.deploy_config import DeployConfig
from maptag.migration_hub.publisher import HUB_WORKERS
from maptag.run_store import READ_THREADS
from tests.support.synth import deployment_context


def test_the_models_deployed_settings_are_the_deployments_defaults() -> None:
    config = DeployConfig.from_context(deployment_context())
    assert DEPLOYED.children == config.child_workflow
    assert DEPLOYED.concurrency == config.policy.max_concurrency
    assert DEPLOYED.unit_metrics == config.unit_metrics
    assert DEPLOYED.securityhub_refresh_days == config.securityhub_refresh_days
    assert DEPLOYED.memory_mb == SCAN_UNIT.memory_mb
    assert DEPLOYED.publish_memory_mb == PUBLISH.memory_mb
    assert DEPLOYED.arm64 == (constants.ARCHITECTURE.name == lambda_.Architecture.ARM_64.name)
    assert DEPLOYED.publish_threads == READ_THREADS
    assert DEPLOYED.migration_hub == ("migration-hub" in config.sinks)
    assert DEPLOYED.hub_workers == HUB_WORKERS
    assert {kind: limits.timeout.to_seconds() for kind, limits in UNIT_LIMITS.items()} == UNIT_TIMEOUT_S

"""Synthesize each configuration of the app once per test session (CDK synth is slow)."""

from __future__ import annotations

import pytest

from tests.support.synth import Synthesized, synthesize


@pytest.fixture(scope="session")
def org_app(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    """The whole Organization, every sink, an e-mail subscription (cdk.json's defaults + more)."""
    return synthesize(
        tmp_path_factory.mktemp("cdk-org"),
        {
            "maptag:sinks": "security-hub,sns,events,metrics,migration-hub",
            "maptag:notification_email": "finops@example.com",
            "maptag:schedule": "cron(0 7 * * ? *)",
            "maptag:schedule_time_zone": "Europe/Paris",
            "maptag:max_concurrency": "12",
            "maptag:scanner_account": "111111111111",
            "maptag:organization_id": "o-a1b2c3d4e5",
        },
    )


@pytest.fixture(scope="session")
def accounts_app(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    """Listed accounts, no Migration Hub, no e-mail, an hourly rate, Standard child workflows."""
    return synthesize(
        tmp_path_factory.mktemp("cdk-accounts"),
        {
            "maptag:child_workflow": "standard",
            "maptag:organization": "false",
            "maptag:accounts": "222222222222,333333333333",
            "maptag:regions": "us-east-1,eu-west-1",
            "maptag:schedule": "rate(6 hours)",
            "maptag:sinks": "security-hub,sns,events,metrics",  # migration-hub is a default: opt out
        },
    )

"""A scan unit whose AWS answers come from botocore's Stubber, for services moto does not model.

The clients are real botocore clients (the same ones maptag makes); the Stubber only replaces the
HTTP exchange, and it validates every canned answer against the service model, so an answer that
AWS could not send fails the test. Nothing of maptag's own code is replaced.

    aws = StubbedAws()
    aws.answer("redshift-serverless", "list_workgroups", {"workgroups": [...]})
    outcome = aws.scan(["redshift-serverless:workgroup"], agreement_start="2025-01-01")
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.stub import Stubber

from maptag import scan as maptag_scan
from maptag.aws import Clients
from maptag.model import Finding, ScanUnit, Verdict
from maptag.scan import UnitResult, scan_unit
from tests.support.moto_seed import ACCOUNT, policy


@dataclass
class StubbedOutcome:
    findings: list[Finding]
    unit: UnitResult

    def by_arn(self) -> dict[str, Finding]:
        return {f.resource.arn: f for f in self.findings}

    def verdicts(self) -> dict[str, Verdict]:
        """What a user sees first: each reported ARN and its verdict."""
        return {f.resource.arn: f.verdict for f in self.findings}


@dataclass
class StubbedAws:
    region: str = "eu-west-1"
    account: str = ACCOUNT
    stubs: dict[str, Stubber] = field(default_factory=dict)

    def __post_init__(self) -> None:
        session = boto3.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing", region_name=self.region
        )
        self.clients = Clients(session, self.region)

    def stub(self, service: str) -> Stubber:
        if service not in self.stubs:
            stubber = Stubber(self.clients(service))
            stubber.activate()
            self.stubs[service] = stubber
        return self.stubs[service]

    def answer(
        self, service: str, operation: str, response: dict[str, Any], expected: dict[str, Any] | None = None
    ) -> None:
        """The next ``operation`` call on ``service`` gets ``response`` (validated by the model)."""
        self.stub(service).add_response(operation, response, expected)

    def fail(self, service: str, operation: str, code: str, status: int = 400, message: str = "") -> None:
        self.stub(service).add_client_error(operation, code, message or code, status)

    def scan(self, types: list[str], **values: Any) -> StubbedOutcome:
        findings: list[Finding] = []
        scan_policy = policy(regions=[self.region], types=types, **values)
        # A Stubber answers in the order its answers were queued: the unit's families of types
        # list one at a time here (in declaration order), not concurrently as in a real scan.
        threads, maptag_scan.UNIT_THREADS = maptag_scan.UNIT_THREADS, 1
        try:
            unit = scan_unit(ScanUnit(self.account, self.region), self.clients, scan_policy, findings.append)
        finally:
            maptag_scan.UNIT_THREADS = threads
        for stubber in self.stubs.values():
            stubber.assert_no_pending_responses()
        return StubbedOutcome(findings, unit)

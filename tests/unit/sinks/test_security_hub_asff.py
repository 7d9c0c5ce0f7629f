"""The ASFF a resource becomes, and the import retry (pure: no AWS)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from maptag.model import ScanUnit, Verdict
from maptag.resources.declarations import TYPE_NAMES
from maptag.sinks.outcome import RunInfo
from maptag.sinks.security_hub import (
    ASFF_TYPES,
    MAX_ID,
    Hub,
    _Importer,
    asff_finding,
    finding_id,
)
from tests.support.sink_fixtures import ACCOUNT, finding

RUN = RunInfo("run-1", datetime(2026, 11, 23, 10, 0, tzinfo=UTC))
HUB = Hub(region="us-east-1", account_id="999999999999")
UNIT = ScanUnit(ACCOUNT, "eu-west-1")


@pytest.mark.parametrize(
    ("verdict", "severity", "compliance"),
    [
        (Verdict.MISSING, "MEDIUM", "FAILED"),
        (Verdict.INVALID_VALUE, "MEDIUM", "FAILED"),
        (Verdict.NEAR_MISS_KEY, "LOW", "FAILED"),
        (Verdict.UNREADABLE, "INFORMATIONAL", "NOT_AVAILABLE"),
    ],
)
def test_severity_and_compliance_per_verdict(verdict: Verdict, severity: str, compliance: str) -> None:
    item = asff_finding(finding(UNIT, verdict, "vol-1").to_report(), RUN, HUB, None)
    assert item["Severity"] == {"Label": severity, "Original": verdict.value}
    assert item["FindingProviderFields"]["Severity"]["Label"] == severity
    assert item["Compliance"] == {"Status": compliance}
    assert (item["RecordState"], item["Workflow"]["Status"]) == ("ACTIVE", "NEW")
    # New finding: created now; the resource's own account and region are kept apart from the hub's
    assert item["CreatedAt"] == item["UpdatedAt"] == "2026-11-23T10:00:00Z"
    assert item["AwsAccountId"] == "999999999999"
    assert item["Resources"][0]["Region"] == "eu-west-1"
    assert item["ProductFields"]["maptag/account_id"] == ACCOUNT


def test_update_keeps_created_at_and_text_fits_asff_limits() -> None:
    resource = finding(UNIT, Verdict.INVALID_VALUE, "vol-" + "x" * 600).to_report()
    item = asff_finding(resource, RUN, HUB, "2026-01-02T03:04:05Z")
    assert item["CreatedAt"] == item["FirstObservedAt"] == "2026-01-02T03:04:05Z"
    assert len(item["Title"]) <= 256
    assert len(item["Description"]) <= 1024
    assert len(item["Id"]) <= MAX_ID
    assert item["Id"] == finding_id(resource["arn"])
    assert "set value to 'mig12345'" in item["Description"]
    assert "tags cannot be back-dated" in item["Description"]
    # an existing finding's Workflow is the customer's: an import may not set it (API_BatchImportFindings)
    assert "Workflow" not in item


def test_first_observed_is_historys_since_when_it_knows() -> None:
    # docs/costs.md: a finding reopened after a fix (CreatedAt kept from before) starts again
    resource = {
        **finding(UNIT, Verdict.MISSING, "vol-1").to_report(),
        "noncompliant_since": "2026-11-20T06:00:00Z",
    }
    reopened = asff_finding(resource, RUN, HUB, "2026-01-02T03:04:05Z")
    unknown = asff_finding({**resource, "noncompliant_since": None}, RUN, HUB, None)

    assert (reopened["CreatedAt"], reopened["FirstObservedAt"]) == (
        "2026-01-02T03:04:05Z",
        "2026-11-20T06:00:00Z",
    )
    assert "Non-compliant since 2026-11-20T06:00:00Z (maptag history)." in reopened["Description"]
    assert unknown["FirstObservedAt"] == "2026-11-23T10:00:00Z"
    assert "Non-compliant since" not in unknown["Description"]


def test_ids_are_stable_and_distinct() -> None:
    short = "arn:aws:ec2:us-east-1:123456789012:volume/vol-1"
    assert finding_id(short) == "maptag/map-migrated/" + short
    long_a, long_b = short + "a" * 600, short + "b" * 600
    assert finding_id(long_a) == finding_id(long_a) != finding_id(long_b)


def test_every_resource_type_has_an_asff_type() -> None:
    assert set(TYPE_NAMES) <= set(ASFF_TYPES)


class ScriptedHub:
    """Security Hub refusing some findings a given number of times (moto never refuses valid ones)."""

    def __init__(self, refusals: dict[str, int]) -> None:
        self.refusals = dict(refusals)
        self.calls: list[list[str]] = []

    def batch_import_findings(self, Findings: list[dict[str, Any]]) -> dict[str, Any]:
        self.calls.append([f["Id"] for f in Findings])
        failed = []
        for f in Findings:
            if self.refusals.get(f["Id"], 0) > 0:
                self.refusals[f["Id"]] -= 1
                failed.append({"Id": f["Id"], "ErrorCode": "InternalException", "ErrorMessage": "try again"})
        return {
            "FailedCount": len(failed),
            "SuccessCount": len(Findings) - len(failed),
            "FailedFindings": failed,
        }


def test_import_batches_of_100_and_retries_only_refused_findings() -> None:
    hub = ScriptedHub({"f-3": 1, "f-150": 5})
    importer = _Importer(hub, sleep=lambda _s: None)
    for n in range(205):
        importer.add({"Id": f"f-{n}"})
    importer.flush()
    assert [len(call) for call in hub.calls] == [100, 1, 100, 1, 1, 5]
    assert hub.calls[1] == ["f-3"]
    assert importer.failed == {"f-150": "InternalException: try again"}

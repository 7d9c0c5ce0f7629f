"""Security Hub sink: resolved findings are archived by import (moto) and get workflow RESOLVED
through BatchUpdateFindings.

moto 5.2.5 models BatchImportFindings and GetFindings but not BatchUpdateFindings (it answers
404 "Not yet implemented"). For that one call only, a botocore ``before-call`` handler on the
sink's session records the request as it goes on the wire and answers as Security Hub does
(ProcessedFindings / UnprocessedFindings, or an error). Everything else reaches moto.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from moto import mock_aws

from maptag.model import ScanUnit, Verdict
from maptag.report.model import ScanReport
from maptag.sinks.outcome import RunInfo, SinkOutcome
from maptag.sinks.security_hub import finding_id, product_arn, publish_findings
from tests.support.sink_fixtures import ACCOUNT, UnitSpec, built_report, finding, many

REGION = "us-east-1"
UNIT = ScanUnit(ACCOUNT, REGION)
PRODUCT = product_arn(REGION, ACCOUNT)
DAY_0 = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)

Answer = Callable[[dict[str, Any]], tuple[int, dict[str, Any]]]


def run_on(day: int) -> RunInfo:
    return RunInfo(f"run-day-{day}", DAY_0 + timedelta(days=day))


def processed(request: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """What Security Hub answers when it accepts every finding of the request."""
    return 200, {"ProcessedFindings": request["FindingIdentifiers"], "UnprocessedFindings": []}


class Hub:
    """A session whose Security Hub calls go to moto, except BatchUpdateFindings (see above)."""

    def __init__(self, answer: Answer = processed) -> None:
        self.session = boto3.Session(region_name=REGION)
        self.answer = answer
        self.updates: list[dict[str, Any]] = []  # BatchUpdateFindings request bodies
        self.imports: list[dict[str, Any]] = []  # findings sent with BatchImportFindings
        self.session.events.register("before-call.securityhub.BatchUpdateFindings", self._update)
        self.session.events.register("provide-client-params.securityhub.BatchImportFindings", self._import)

    def _update(self, params: dict[str, Any], **_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        request = json.loads(params["body"])
        self.updates.append(request)
        status, body = self.answer(request)
        return AWSResponse(params["url"], status, {}, None), body

    def _import(self, params: dict[str, Any], **_: Any) -> None:
        self.imports.extend(params["Findings"])

    def publish(self, report: ScanReport, run: RunInfo, **options: Any) -> SinkOutcome:
        self.updates.clear()
        self.imports.clear()
        return publish_findings(report, run, session=self.session, **options)

    def updated_ids(self) -> list[str]:
        return [item["Id"] for request in self.updates for item in request["FindingIdentifiers"]]


@pytest.fixture
def aws() -> Iterator[None]:
    with mock_aws():
        boto3.client("securityhub", region_name=REGION).enable_security_hub()
        yield


def stored() -> dict[str, dict[str, Any]]:
    client = boto3.client("securityhub", region_name=REGION)
    return {
        item["Id"]: item
        for page in client.get_paginator("get_findings").paginate()
        for item in page["Findings"]
    }


def fid(name: str) -> str:
    return finding_id(f"arn:aws:ec2:{REGION}:{ACCOUNT}:volume/{name}")


def publish(hub: Hub, findings: list[Any], day: int, **options: Any) -> SinkOutcome:
    with built_report([UnitSpec(UNIT, findings)]) as report:
        return hub.publish(report, run_on(day), **options)


def test_workflow_resolved_is_set_on_exactly_the_resolved_findings_100_at_a_time(aws: None) -> None:
    # Given 240 volumes missing the tag, imported by a first run
    hub = Hub()
    assert publish(hub, many(UNIT, Verdict.MISSING, 240, "vol"), 0).ok
    assert hub.updates == [], "a run that resolves nothing sets no workflow"

    # When the next run finds 130 of them fixed, 5 out of scope, 102 deleted and 3 still missing
    names = [f"vol-{i:05d}" for i in range(240)]
    second = [
        *(finding(UNIT, Verdict.COMPLIANT, name) for name in names[:130]),
        # each out of scope for its own reason (as scope.py words them: dates, parents)
        *(
            replace(
                finding(UNIT, Verdict.EXCLUDED, name),
                reason=f"created 2025-01-0{i + 1}, before the agreement start",
            )
            for i, name in enumerate(names[130:135])
        ),
        *(finding(UNIT, Verdict.MISSING, name) for name in names[237:]),
    ]
    outcome = publish(hub, second, 1)

    # Then the imports archived all 237 (moto holds them ARCHIVED and PASSED) ...
    assert outcome.ok, outcome.detail
    assert outcome.detail.startswith("0 created, 0 updated, 237 resolved, 0 refreshed, 3 unchanged, 0 kept")
    now = stored()
    resolved = {fid(name) for name in names[:237]}
    assert {
        i for i, f in now.items() if (f["RecordState"], f["Compliance"]["Status"]) == ("ARCHIVED", "PASSED")
    } == resolved
    assert {i for i, f in now.items() if f["RecordState"] == "ACTIVE"} == {fid(n) for n in names[237:]}
    # ... and BatchUpdateFindings set workflow RESOLVED on exactly those, each once, ≤ 100 a call
    assert sorted(hub.updated_ids()) == sorted(resolved)
    assert all(1 <= len(r["FindingIdentifiers"]) <= 100 for r in hub.updates)
    assert len(hub.updates) == 5  # 130 fixed (100 + 30), 5 out of scope, 102 gone (100 + 2)
    for request in hub.updates:
        assert request["Workflow"] == {"Status": "RESOLVED"}
        assert {item["ProductArn"] for item in request["FindingIdentifiers"]} == {PRODUCT}
        assert request["Note"]["UpdatedBy"] == "maptag"
        assert request["Note"]["Text"].startswith("maptag run run-day-1: ")
        assert len(request["Note"]["Text"]) <= 512
    why = {item["Id"]: r["Note"]["Text"] for r in hub.updates for item in r["FindingIdentifiers"]}
    assert why[fid(names[0])].endswith("the resource is now compliant")
    assert why[fid(names[130])].endswith("the resource is now out of scope (the finding says why)")
    assert now[fid(names[134])]["Description"].endswith(
        "the resource is now out of scope: created 2025-01-05, before the agreement start."
    )
    assert why[fid(names[200])].endswith("the resource no longer exists")
    # and the run's detail line says so
    assert outcome.detail.endswith("; workflow RESOLVED on 237")


def test_unprocessed_findings_are_named_and_the_imports_still_count(aws: None) -> None:
    # Given three findings, and a hub that will not process two of them
    hub = Hub()
    assert publish(hub, many(UNIT, Verdict.MISSING, 3, "vol"), 0).ok
    refused = {fid("vol-00000"), fid("vol-00002")}

    def partly(request: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        items = request["FindingIdentifiers"]
        return 200, {
            "ProcessedFindings": [i for i in items if i["Id"] not in refused],
            "UnprocessedFindings": [
                {"FindingIdentifier": i, "ErrorCode": "FindingNotFound", "ErrorMessage": "Finding not found"}
                for i in items
                if i["Id"] in refused
            ],
        }

    hub.answer = partly

    # When all three are fixed
    outcome = publish(hub, many(UNIT, Verdict.COMPLIANT, 3, "vol"), 1)

    # Then the sink is ok (the findings were archived) and names what was not updated
    assert outcome.ok, outcome.detail
    assert "3 resolved" in outcome.detail
    assert "; workflow RESOLVED on 1, not updated on 2 (first: " in outcome.detail
    assert "FindingNotFound: Finding not found" in outcome.detail
    assert {f["RecordState"] for f in stored().values()} == {"ARCHIVED"}


def test_a_denied_workflow_update_is_reported_once_and_never_fails_the_sink(aws: None) -> None:
    # Given 150 findings, and an identity without securityhub:BatchUpdateFindings
    def denied(_: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        message = (
            f"User: arn:aws:sts::{ACCOUNT}:assumed-role/publish/x is not authorized to perform: "
            "securityhub:BatchUpdateFindings"
        )
        return 403, {"Error": {"Code": "AccessDeniedException", "Message": message}}

    hub = Hub(denied)
    assert publish(hub, many(UNIT, Verdict.MISSING, 150, "vol"), 0).ok

    # When all of them are fixed
    outcome = publish(hub, many(UNIT, Verdict.COMPLIANT, 150, "vol"), 1)

    # Then the first denied call stops the updates, and the detail says why, on one line
    assert outcome.ok, outcome.detail
    assert len(hub.updates) == 1
    assert "150 resolved" in outcome.detail
    assert (
        "workflow RESOLVED on 0, not updated on 150 (first: maptag/map-migrated/arn:aws:ec2:"
        in outcome.detail
    )
    assert "AccessDeniedException on BatchUpdateFindings: User: " in outcome.detail
    assert "\n" not in outcome.detail
    # and every finding was still archived and marked PASSED by the import
    assert {(f["RecordState"], f["Compliance"]["Status"]) for f in stored().values()} == {
        ("ARCHIVED", "PASSED")
    }


def test_a_finding_whose_import_failed_gets_no_workflow_update(aws: None) -> None:
    # Given two findings, one of which Security Hub will refuse to re-import
    hub = Hub()
    assert publish(hub, many(UNIT, Verdict.MISSING, 2, "vol"), 0).ok

    def refuse_one(params: dict[str, Any], **_: Any) -> None:
        for item in params["Findings"]:
            if item["Id"] == fid("vol-00001"):
                item["Resources"] = []  # moto (and Security Hub) refuse a finding without resources

    hub.session.events.register("provide-client-params.securityhub.BatchImportFindings", refuse_one)

    # When both are fixed
    outcome = publish(hub, many(UNIT, Verdict.COMPLIANT, 2, "vol"), 1)

    # Then only the archived one is marked RESOLVED, and the failed import fails the sink
    assert not outcome.ok
    assert hub.updated_ids() == [fid("vol-00000")]
    assert "1 finding(s) not imported" in outcome.detail
    assert outcome.detail.endswith("workflow RESOLVED on 1")


def test_updates_never_carry_a_workflow_and_a_regressed_resource_is_reopened(aws: None) -> None:
    # Given a first run: one volume missing the tag (a new finding: workflow NEW)
    hub = Hub()
    assert publish(hub, [finding(UNIT, Verdict.MISSING, "vol-a")], 0).ok
    (created,) = hub.imports
    assert created["Workflow"] == {"Status": "NEW"}

    # When its verdict changes, then it is fixed
    assert publish(hub, [finding(UNIT, Verdict.NEAR_MISS_KEY, "vol-a")], 1).ok
    (changed,) = hub.imports
    assert publish(hub, [finding(UNIT, Verdict.COMPLIANT, "vol-a")], 2).ok
    (archived,) = hub.imports

    # Then neither import of the existing finding sets Workflow (Security Hub ignores it there)
    assert "Workflow" not in changed
    assert "Workflow" not in archived
    assert (archived["RecordState"], archived["Compliance"]["Status"]) == ("ARCHIVED", "PASSED")
    assert hub.updated_ids() == [fid("vol-a")]

    # When the tag is lost again
    outcome = publish(hub, [finding(UNIT, Verdict.MISSING, "vol-a")], 3)

    # Then the finding is imported ACTIVE and FAILED, the two changes on which Security Hub
    # resets a RESOLVED workflow to NEW, and maptag sets no workflow itself
    assert outcome.ok, outcome.detail
    (reopened,) = hub.imports
    assert reopened["Id"] == fid("vol-a")
    assert (reopened["RecordState"], reopened["Compliance"]["Status"]) == ("ACTIVE", "FAILED")
    assert hub.updates == []
    assert "1 created" in outcome.detail
    item = stored()[fid("vol-a")]
    assert (item["RecordState"], item["Compliance"]["Status"]) == ("ACTIVE", "FAILED")


def test_a_suppressed_or_already_resolved_workflow_is_left_as_the_customer_set_it(aws: None) -> None:
    # Given three findings, one suppressed and one resolved by someone in the console (moto
    # cannot run BatchUpdateFindings, so their stored Workflow is set through moto's import)
    hub = Hub()
    assert publish(hub, many(UNIT, Verdict.MISSING, 3, "vol"), 0).ok
    client = boto3.client("securityhub", region_name=REGION)
    current = stored()
    client.batch_import_findings(
        Findings=[
            {**current[fid("vol-00001")], "Workflow": {"Status": "SUPPRESSED"}},
            {**current[fid("vol-00002")], "Workflow": {"Status": "RESOLVED"}},
        ]
    )

    # When all three are fixed
    outcome = publish(hub, many(UNIT, Verdict.COMPLIANT, 3, "vol"), 1)

    # Then all are archived, but only the untouched one's workflow is set
    assert outcome.ok, outcome.detail
    assert {f["RecordState"] for f in stored().values()} == {"ARCHIVED"}
    assert hub.updated_ids() == [fid("vol-00000")]
    assert outcome.detail.endswith("; workflow RESOLVED on 1, 2 left RESOLVED or SUPPRESSED as they were")


def test_a_dry_run_reads_the_hub_and_says_what_it_would_import_and_resolve(aws: None) -> None:
    # Given four findings from a first run
    hub = Hub()
    assert publish(hub, many(UNIT, Verdict.MISSING, 4, "vol"), 0).ok
    before = stored()

    # When a dry run sees two fixed, one new and two unchanged
    findings = [
        *many(UNIT, Verdict.COMPLIANT, 2, "vol"),
        finding(UNIT, Verdict.MISSING, "vol-00002"),
        finding(UNIT, Verdict.MISSING, "vol-00003"),
        finding(UNIT, Verdict.MISSING, "vol-new"),
    ]
    outcome = publish(hub, findings, 1, dry_run=True)

    # Then it says so and sends nothing
    assert outcome.ok, outcome.detail
    assert outcome.detail.startswith(
        "dry run: would import 3 finding(s) and set workflow RESOLVED on 2, sent nothing; "
        "1 created, 0 updated, 2 resolved, 0 refreshed, 2 unchanged"
    )
    assert hub.imports == []
    assert hub.updates == []
    assert stored() == before

"""The deployed publish step's since-when and spend (app/workflow.py run_money) over moto: the history
table's open resources, Athena over a CUR 2.0 table (results queued through moto's documented
results API), then the history rows it writes and the SNS digest a reader gets."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
import requests
from moto import mock_aws

from maptag.app.workflow import Deployment, Resources, run_money
from maptag.deploy_config import DeployConfig
from maptag.model import ScanUnit, Verdict
from maptag.sinks.history import DynamoHistory, record_history
from maptag.sinks.outcome import RunInfo
from maptag.sinks.sns_digest import build_digest
from tests.support.sink_fixtures import ACCOUNT, UnitSpec, built_report, create_history_table, finding

REGION = "us-east-1"
TABLE = "maptag-history"
UNIT = ScanUnit(ACCOUNT, REGION)
DAY0 = datetime(2026, 11, 1, 6, 0, tzinfo=UTC)


@pytest.fixture
def aws() -> Iterator[None]:
    with mock_aws():
        create_history_table(boto3.client("dynamodb", region_name=REGION), TABLE)
        boto3.client("athena", region_name=REGION).create_work_group(Name="maptag-costs", Configuration={})
        yield


def queue_athena_rows(rows: list[tuple[str, str]]) -> None:
    header = ["line_item_resource_id", "day", "cost", "cur", "svc", "acct", "region"]
    data = [header] + [[rid, "2026-11-30", cost, "USD", "AmazonEC2", ACCOUNT, REGION] for rid, cost in rows]
    requests.post(
        "http://motoapi.amazonaws.com/moto-api/static/athena/query-results",
        json={
            "account_id": ACCOUNT,
            "region": REGION,
            "results": [
                {
                    "rows": [{"Data": [{"VarCharValue": v} for v in row]} for row in data],
                    "column_info": [{"Name": n, "Type": "varchar"} for n in header],
                }
            ],
        },
        timeout=5,
    )


def config() -> DeployConfig:
    return DeployConfig.from_context(
        {
            "maptag:mpe_ids": "mig12345",
            "maptag:regions": REGION,
            "maptag:costs": "athena",
            "maptag:cur_database": "cur",
            "maptag:cur_table": "data",
            "maptag:cur_bucket": "billing-exports",
            "maptag:credit_rate": "30",
        }
    )


def run(day: int, specs: list[UnitSpec], resources: Resources) -> tuple[str, list[dict[str, Any]], list[str]]:
    when = DAY0 + timedelta(days=day)
    with built_report(specs, generated_at=when) as report:
        deployed = Deployment(config(), boto3.Session(region_name=REGION), resources)
        report.money, failures = run_money(report, deployed)
        info = RunInfo(f"run-{day}", when)
        outcome = record_history(
            report, info, DynamoHistory(TABLE, region=REGION), prior=report.money.ledger.prior
        )
        assert outcome.ok, outcome.detail
        digest = build_digest(report, info).message
        header = report.header()
        return digest, [header, *report.resources()], [f.detail for f in failures]


def test_the_digest_carries_spend_days_and_what_to_fix_first(aws: None) -> None:
    resources = Resources(bucket="reports", table=TABLE, athena_workgroup="maptag-costs")
    cheap, dear, old = (finding(UNIT, Verdict.MISSING, name) for name in ("vol-cheap", "vol-dear", "vol-old"))
    tagged = finding(UNIT, Verdict.COMPLIANT, "vol-ok")
    # Given vol-old was already untagged at the first run, the others appear 10 days later
    queue_athena_rows([])
    _, _, failures = run(0, [UnitSpec(UNIT, [old])], resources)
    assert failures == ["CostError: cur: no spend with a resource id (is 'include resource IDs' on?)"]
    queue_athena_rows([("vol-cheap", "1.50"), ("vol-dear", "20.00"), ("vol-ok", "5.00")])

    # When the deployed run ten days later reads history and the CUR table
    digest, (header, *items), failures = run(10, [UnitSpec(UNIT, [cheap, dear, old, tagged])], resources)

    # Then each resource has its date, days and spend, and the totals the untagged spend
    assert failures == []
    by_name = {item["arn"].rsplit("/", 1)[-1]: item for item in items}
    assert (by_name["vol-old"]["noncompliant_since"], by_name["vol-old"]["noncompliant_days"]) == (
        "2026-11-01T06:00:00Z",
        10,
    )
    assert by_name["vol-dear"]["cost"] == {"daily": 20.0, "currency": "USD", "days": 1, "source": "cur"}
    assert header["totals"]["untagged_daily_spend"] == 21.5
    assert header["totals"]["credits_at_risk_monthly"] == round(21.5 * 365 / 12 * 0.3, 2)
    # And the digest's headline and fix-first list say it all inline, dearest first
    assert (
        "Untagged spend: $21.50 a day, $196.19 of MAP credits a month at risk (30 %); oldest leak: 10 day(s)"
        in digest
    )
    fix_first = digest[digest.index("Fix first") :].splitlines()[1:4]
    assert [re.findall(r"volume/(\S+)", line) for line in fix_first] == [
        ["vol-dear"],
        ["vol-cheap"],
        ["vol-old"],
    ]
    assert "$20.00/day" in fix_first[0]
    assert "no spend data    10 day(s)" in fix_first[2]
    # And the table holds only the changes: vol-old once, the two new ones once
    rows = boto3.client("dynamodb", region_name=REGION).scan(TableName=TABLE)["Items"]
    opened = sorted(r["sk"]["S"].rsplit("/", 1)[-1] for r in rows if r.get("kind", {}).get("S") == "resource")
    assert opened == ["vol-cheap", "vol-dear", "vol-old"]


def test_an_unreadable_cost_source_fails_loudly_and_the_report_still_goes_out(aws: None) -> None:
    resources = Resources(bucket="reports", table=TABLE, athena_workgroup=None)
    digest, (header, *_), failures = run(
        0, [UnitSpec(UNIT, [finding(UNIT, Verdict.MISSING, "vol-1")])], resources
    )

    assert failures == [
        "CostError: costs=athena but this deployment has no Athena workgroup (ATHENA_WORKGROUP)"
    ]
    assert "untagged_daily_spend" not in header["totals"]
    assert "oldest leak: 0 day(s)" in digest
    assert json.dumps(header)  # the report is still whole

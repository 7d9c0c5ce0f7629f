"""`maptag scan` with history, --costs (a CUR 2.0 file) and --credit-rate, in-process over moto:
since when, how much, fix first, as the JSON, the CSV and the table show them."""

from __future__ import annotations

import csv
import gzip
import io
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import boto3
import pytest
from freezegun import freeze_time
from jsonschema import Draft202012Validator
from moto import mock_aws

from maptag.cli import main
from maptag.report.model import SCHEMA_FILE

REGION = "us-east-1"
ACCOUNT = "123456789012"  # moto's default account
VALIDATOR = Draft202012Validator(json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))
DAY0 = datetime(2026, 11, 1, 6, 0, tzinfo=UTC)
CUR_HEADER = (
    "line_item_usage_account_id,line_item_line_item_type,line_item_usage_start_date,line_item_product_code,"
    "line_item_resource_id,line_item_unblended_cost,line_item_currency_code,product_region_code"
)


def scan(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["scan", "--mpe-id", "12345", "--regions", REGION, "--types", "ec2:volume", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def by_id(report: dict[str, object]) -> dict[str, dict[str, object]]:
    return {str(r["arn"]).rsplit("/", 1)[-1]: r for r in report["resources"]}  # type: ignore[attr-defined]


@mock_aws
def test_since_when_comes_from_history_and_resets_when_a_fix_is_undone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given three untagged volumes and a history file of our own
    history = tmp_path / "history.jsonl"
    monkeypatch.setenv("MAPTAG_HISTORY_FILE", str(history))
    ec2 = boto3.client("ec2", region_name=REGION)
    a, b, c = (ec2.create_volume(AvailabilityZone=f"{REGION}a", Size=1)["VolumeId"] for _ in range(3))
    json_args = ["--format", "json", "--publish", "history"]

    # When the user scans without history, then with it on day 0, 5 and 7 (a tagged on day 5,
    # its tag removed again on day 7)
    with freeze_time(DAY0 - timedelta(days=1)):
        _, plain, _ = scan(["--format", "json"], capsys)
    with freeze_time(DAY0):
        _, day0, err0 = scan(json_args, capsys)
    ec2.create_tags(Resources=[a], Tags=[{"Key": "map-migrated", "Value": "mig12345"}])
    with freeze_time(DAY0 + timedelta(days=5)):
        _, day5, _ = scan(json_args, capsys)
    ec2.delete_tags(Resources=[a], Tags=[{"Key": "map-migrated"}])
    with freeze_time(DAY0 + timedelta(days=7)):
        _, _day7, err7 = scan([*json_args, "--output", str(tmp_path / "r.csv"), "--format", "csv"], capsys)

    # Then without history the date is unknown, never guessed
    assert {r["noncompliant_since"] for r in by_id(json.loads(plain)).values()} == {None}
    # And the first scan with history dates every open resource to itself
    first = by_id(json.loads(day0))
    assert [(first[v]["noncompliant_since"], first[v]["noncompliant_days"]) for v in (a, b, c)] == [
        ("2026-11-01T06:00:00Z", 0)
    ] * 3
    # And five days on, b and c have been open 5 days and a (now tagged) carries no date
    fifth = by_id(json.loads(day5))
    assert (fifth[b]["noncompliant_since"], fifth[b]["noncompliant_days"]) == ("2026-11-01T06:00:00Z", 5)
    assert "noncompliant_since" not in fifth[a]
    assert fifth[a]["verdict"] == "compliant"
    assert not list(VALIDATOR.iter_errors(json.loads(day5)))  # the report still follows the schema
    # And when a's tag is removed its clock starts again; the CSV shows the dates and days
    rows = {
        r["arn"].rsplit("/", 1)[-1]: r for r in csv.DictReader(io.StringIO((tmp_path / "r.csv").read_text()))
    }
    assert (rows[a]["noncompliant_since"], rows[a]["noncompliant_days"]) == ("2026-11-08T06:00:00Z", "0")
    assert (rows[c]["noncompliant_since"], rows[c]["noncompliant_days"]) == ("2026-11-01T06:00:00Z", "7")
    # And history stored only the changes: 3 opened, a closed, a reopened
    stored = [json.loads(line) for line in history.read_text().splitlines()]
    changes = [
        (row["sk"].rsplit("/", 1)[-1], row["verdict"]) for row in stored if row.get("kind") == "resource"
    ]
    assert sorted(changes[:3]) == sorted([(a, "missing"), (b, "missing"), (c, "missing")])
    assert changes[3:] == [(a, "compliant"), (a, "missing")]
    assert "and 3 resource verdict change(s) written" in err0
    assert "and 1 resource verdict change(s) written" in err7


def write_cur(path: Path, rows: list[tuple[str, str, float, str]], *, gz: bool = False) -> None:
    """A CUR 2.0 export: (resource id, product code, cost a day, line type) for the last 14 days."""
    lines = [CUR_HEADER]
    for resource, product, daily, line_type in rows:
        for back in range(14):
            day = date(2026, 11, 30) - timedelta(days=back)
            lines.append(f"{ACCOUNT},{line_type},{day}T00:00:00Z,{product},{resource},{daily},USD,{REGION}")
    text = "\n".join(lines) + "\n"
    if gz:
        path.write_bytes(gzip.compress(text.encode()))
    else:
        path.write_text(text, encoding="utf-8")


@mock_aws
def test_costs_from_a_cur_file_give_spend_credits_unscanned_spend_and_the_fix_first_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given three untagged volumes and one tagged, and a gzip'd CUR 2.0 export billing them,
    # a NAT gateway maptag does not scan, and a tax line that is not a resource's spend
    ec2 = boto3.client("ec2", region_name=REGION)
    cheap, dear, unbilled, tagged = (
        ec2.create_volume(AvailabilityZone=f"{REGION}a", Size=1)["VolumeId"] for _ in range(4)
    )
    ec2.create_tags(Resources=[tagged], Tags=[{"Key": "map-migrated", "Value": "mig12345"}])
    cur = tmp_path / "cur.csv.gz"
    write_cur(
        cur,
        [
            (cheap, "AmazonEC2", 1.25, "Usage"),
            (dear, "AmazonEC2", 10.0, "Usage"),
            (tagged, "AmazonEC2", 4.0, "Usage"),
            ("nat-0123", "AmazonVPC", 3.0, "Usage"),
            ("nat-0123", "AmazonVPC", 99.0, "Tax"),
        ],
        gz=True,
    )
    money = ["--costs", str(cur), "--credit-rate", "25"]

    # When the user scans with costs and the engagement's credit rate
    code, out, _ = scan([*money, "--format", "json"], capsys)
    _, table, _ = scan(money, capsys)

    # Then each billed resource carries its spend a day, the totals the untagged spend
    report = json.loads(out)
    assert code == 1
    assert not list(VALIDATOR.iter_errors(report))
    resources = by_id(report)
    assert resources[dear]["cost"] == {"daily": 10.0, "currency": "USD", "days": 14, "source": "cur"}
    assert "cost" not in resources[unbilled]
    assert report["totals"]["untagged_daily_spend"] == 11.25  # the tagged volume's $4 is not at risk
    assert report["totals"]["credits_at_risk_monthly"] == round(11.25 * 365 / 12 * 0.25, 2)
    unit = report["units"][0]
    assert (unit["untagged_daily_spend"], unit["types"]["ec2:volume"]["untagged_daily_spend"]) == (
        11.25,
        11.25,
    )
    assert report["types"]["ec2:volume"]["untagged_daily_spend"] == 11.25
    # And spend maptag cannot see as resources is reported, per service (the tax line is not spend)
    assert report["unscanned_spend"] == [
        {"service": "AmazonVPC", "daily": 3.0, "currency": "USD", "resources": 1}
    ]
    # And the table lists the dearest first and says what is at risk
    assert table.index(dear) < table.index(cheap) < table.index(unbilled)
    assert "Untagged spend: $11.25 a day, $85.55 of MAP credits a month at risk (25 %)" in table


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--credit-rate", "abc"], "argument --credit-rate: 'abc' is not a number"),
        (["--credit-rate", "0"], "argument --credit-rate: '0' is not a percentage above 0 and at most 100"),
        (["--credit-rate", "25"], "--credit-rate: 25 needs --costs"),
        (["--costs", "nowhere.csv"], "--costs: 'nowhere.csv' is not cost-explorer, an s3:// prefix or a CUR"),
        (["--costs", "s3://"], "--costs: 's3://' names no bucket"),
    ],
)
def test_bad_cost_settings_are_one_line_and_exit_2(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["scan", "--mpe-id", "12345", "--regions", REGION, *args])

    err = capsys.readouterr().err
    assert code == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


@mock_aws
def test_a_cur_file_that_is_not_one_is_exit_2_naming_the_missing_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bill.csv"
    bad.write_text("resource,cost\ni-1,2\n", encoding="utf-8")

    code, _, err = scan(["--costs", str(bad)], capsys)

    assert code == 2
    assert "is not a CUR 2.0 export: no column line_item_resource_id" in err
    assert len(err.strip().splitlines()) == 1


@mock_aws
def test_the_config_file_sets_costs_and_the_rate_and_a_bad_rate_names_its_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ec2 = boto3.client("ec2", region_name=REGION)
    volume = ec2.create_volume(AvailabilityZone=f"{REGION}a", Size=1)["VolumeId"]
    cur = tmp_path / "cur.csv"
    write_cur(cur, [(volume, "AmazonEC2", 2.0, "Usage")])
    good, bad = tmp_path / "good.toml", tmp_path / "bad.toml"
    good.write_text(f'costs = "{cur}"\ncredit-rate = 10\n', encoding="utf-8")
    bad.write_text(f'costs = "{cur}"\ncredit_rate = 150\n', encoding="utf-8")

    code, out, _ = scan(["--config", str(good), "--format", "json"], capsys)
    bad_code, _, err = scan(["--config", str(bad)], capsys)

    assert code == 1
    assert json.loads(out)["totals"]["credits_at_risk_monthly"] == round(2.0 * 365 / 12 * 0.1, 2)
    assert bad_code == 2
    assert f"'credit-rate' in '{bad}': 150.0 is not a percentage above 0 and at most 100" in err
    assert len(err.strip().splitlines()) == 1

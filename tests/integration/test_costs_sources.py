"""The cost sources (maptag/costs.py): Cost Explorer, CUR 2.0 under an s3:// prefix, Athena.

moto has no GetCostAndUsageWithResources: that test drives the real code through botocore's
Stubber, whose requests and responses the Cost Explorer service model validates. S3 and
Athena are moto's (Athena's results are queued through moto's documented results API).
"""

from __future__ import annotations

import gzip
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import boto3
import pytest
import requests
from botocore.stub import Stubber
from moto import mock_aws

from maptag.costs import athena_costs, cost_explorer_lines, cur_file_lines, load_costs
from maptag.money import CostError, cost_book

REGION = "us-east-1"
ACCOUNT = "123456789012"
TODAY = date(2026, 12, 1)
HEADER = (
    "line_item_usage_account_id,line_item_line_item_type,line_item_usage_start_date,line_item_product_code,"
    "line_item_resource_id,line_item_unblended_cost,line_item_currency_code,product_region_code\n"
)


def group(resource: str, service: str, amount: str) -> dict[str, object]:
    return {"Keys": [resource, service], "Metrics": {"UnblendedCost": {"Amount": amount, "Unit": "USD"}}}


def test_cost_explorer_is_asked_daily_by_resource_for_the_last_14_days_page_by_page() -> None:
    ce = boto3.client("ce", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")
    expected = {
        "TimePeriod": {"Start": "2026-11-17", "End": "2026-12-01"},
        "Granularity": "DAILY",
        "Filter": {"Dimensions": {"Key": "LINKED_ACCOUNT", "Values": [ACCOUNT]}},
        "Metrics": ["UnblendedCost"],
        "GroupBy": [{"Type": "DIMENSION", "Key": "RESOURCE_ID"}, {"Type": "DIMENSION", "Key": "SERVICE"}],
    }
    with Stubber(ce) as stub:
        stub.add_response(
            "get_cost_and_usage_with_resources",
            {
                "ResultsByTime": [
                    {
                        "TimePeriod": {"Start": "2026-11-29", "End": "2026-11-30"},
                        "Groups": [
                            group("i-0abc", "Amazon Elastic Compute Cloud - Compute", "4.00"),
                            group("NoResourceId", "Tax", "9.00"),
                        ],
                        "Estimated": True,
                    }
                ],
                "NextPageToken": "page-2",
                "DimensionValueAttributes": [],
            },
            expected,
        )
        stub.add_response(
            "get_cost_and_usage_with_resources",
            {
                "ResultsByTime": [
                    {
                        "TimePeriod": {"Start": "2026-11-30", "End": "2026-12-01"},
                        "Groups": [group("i-0abc", "Amazon Elastic Compute Cloud - Compute", "2.00")],
                        "Estimated": True,
                    }
                ],
                "DimensionValueAttributes": [],
            },
            {**expected, "NextPageToken": "page-2"},
        )
        book = cost_book(cost_explorer_lines(ce, [ACCOUNT], TODAY), "cost-explorer")
        stub.assert_no_pending_responses()

    cost = book.spends["i-0abc"].cost
    assert (cost.daily, cost.days, cost.source) == (3.0, 2, "cost-explorer")
    assert set(book.spends) == {"i-0abc"}  # a line with no resource id is no resource's spend


@mock_aws
def test_every_cur_file_under_an_s3_prefix_is_read_csv_and_gzip() -> None:
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket="billing")
    part1 = HEADER + f"{ACCOUNT},Usage,2026-11-30T00:00:00Z,AmazonEC2,i-0abc,5.0,USD,{REGION}\n"
    part2 = HEADER + f"{ACCOUNT},Usage,2026-11-30T00:00:00Z,AmazonS3,logs-bucket,1.5,USD,{REGION}\n"
    s3.put_object(Bucket="billing", Key="cur/data/BILLING_PERIOD=2026-11/part-1.csv", Body=part1.encode())
    s3.put_object(
        Bucket="billing",
        Key="cur/data/BILLING_PERIOD=2026-11/part-2.csv.gz",
        Body=gzip.compress(part2.encode()),
    )
    s3.put_object(Bucket="billing", Key="cur/metadata/manifest.json", Body=b"{}")  # not a data file

    book = load_costs("s3://billing/cur/", session=boto3.Session(), accounts=[ACCOUNT], region=REGION)

    assert {key: spend.cost.daily for key, spend in book.spends.items()} == {
        "i-0abc": 5.0,
        "logs-bucket": 1.5,
    }
    with pytest.raises(
        CostError, match=r"no CUR 2.0 file \(.csv, .csv.gz, .parquet\) under 's3://billing/none/'"
    ):
        load_costs("s3://billing/none/", session=boto3.Session(), accounts=[ACCOUNT], region=REGION)


@mock_aws
def test_athena_runs_the_cur_query_in_the_workgroup_and_reads_its_rows() -> None:
    columns = [{"Name": n, "Type": "varchar"} for n in ("r", "d", "c", "cur", "s", "a", "reg")]
    rows = [
        {
            "Data": [
                {"VarCharValue": v} for v in ("line_item_resource_id", "day", "cost", "cur", "s", "a", "r")
            ]
        },
        {
            "Data": [
                {"VarCharValue": v}
                for v in ("i-0abc", "2026-11-30", "6.5", "USD", "AmazonEC2", ACCOUNT, REGION)
            ]
        },
        {
            "Data": [
                {"VarCharValue": v}
                for v in ("vol-1", "2026-11-29", "1.0", "USD", "AmazonEC2", ACCOUNT, REGION)
            ]
        },
        {
            "Data": [
                {"VarCharValue": v}
                for v in ("vol-1", "2026-11-30", "1.0", "USD", "AmazonEC2", ACCOUNT, REGION)
            ]
        },
    ]
    # moto's documented way to give a query its results (decorator mode)
    requests.post(
        "http://motoapi.amazonaws.com/moto-api/static/athena/query-results",
        json={"account_id": ACCOUNT, "region": REGION, "results": [{"rows": rows, "column_info": columns}]},
        timeout=5,
    )
    athena = boto3.client("athena", region_name=REGION)
    athena.create_work_group(Name="maptag", Configuration={})

    book = athena_costs(
        boto3.Session(),
        REGION,
        database="cur",
        table="data",
        workgroup="maptag",
        accounts=[ACCOUNT],
        today=TODAY,
    )

    assert {key: (s.cost.daily, s.cost.days) for key, s in book.spends.items()} == {
        "i-0abc": (6.5, 1),
        "vol-1": (1.0, 2),
    }
    query = athena.list_query_executions(WorkGroup="maptag")["QueryExecutionIds"]
    text = athena.get_query_execution(QueryExecutionId=query[0])["QueryExecution"]["Query"]
    assert 'FROM "cur"."data"' in text
    assert "line_item_usage_start_date >= TIMESTAMP '2026-11-17 00:00:00'" in text
    assert f"line_item_usage_account_id IN ('{ACCOUNT}')" in text


def test_a_parquet_file_without_the_extra_names_the_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # pyarrow is the optional `parquet` extra: without it, one line says how to get it
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    path = tmp_path / "part-0.parquet"
    path.write_bytes(b"PAR1")

    with pytest.raises(
        CostError, match=r"is Parquet: reading it needs pyarrow \(pip install 'maptag\[parquet\]'\)"
    ):
        list(cur_file_lines(path))


def test_a_bad_cost_in_a_cur_file_names_the_row(tmp_path: Path) -> None:
    path = tmp_path / "cur.csv"
    path.write_text(HEADER + f"{ACCOUNT},Usage,2026-11-30T00:00:00Z,AmazonEC2,i-0abc,lots,USD,{REGION}\n")

    with pytest.raises(CostError, match=r"cur.csv' row 2: bad date or cost '2026-11-30T00:00:00Z / lots'"):
        list(cur_file_lines(path))


@mock_aws
def test_parquet_cur_files_are_read_locally_and_under_s3_with_the_extra(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    # A CUR 2.0 Parquet export as Data Exports writes it: timestamps, doubles, more columns
    table = pa.table(
        {
            "line_item_usage_account_id": [ACCOUNT, ACCOUNT, ACCOUNT],
            "line_item_line_item_type": ["Usage", "Usage", "Credit"],
            "line_item_usage_start_date": pa.array(
                [
                    datetime(2026, 11, 29, tzinfo=UTC),
                    datetime(2026, 11, 30, tzinfo=UTC),
                    datetime(2026, 11, 30, tzinfo=UTC),
                ],
                pa.timestamp("ms", tz="UTC"),
            ),
            "line_item_product_code": ["AmazonEC2"] * 3,
            "line_item_resource_id": ["i-0abc", "i-0abc", "i-0abc"],
            "line_item_unblended_cost": [3.0, 5.0, -8.0],
            "line_item_currency_code": ["USD"] * 3,
            "product_region_code": [REGION] * 3,
            "line_item_usage_amount": [24.0, 24.0, 0.0],
        }
    )
    path = tmp_path / "part-0.parquet"
    pq.write_table(table, path)
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket="billing")
    s3.put_object(Bucket="billing", Key="cur/data/part-0.parquet", Body=path.read_bytes())

    local = cost_book(cur_file_lines(path), "cur")
    remote = load_costs("s3://billing/cur/", session=boto3.Session(), accounts=[ACCOUNT], region=REGION)

    for book in (local, remote):
        cost = book.spends["i-0abc"].cost
        assert (cost.daily, cost.days) == (4.0, 2)  # the credit line is not spend

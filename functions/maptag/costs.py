"""Where spend per resource comes from (docs/costs.md): Cost Explorer, a CUR 2.0 export, Athena.

Each source yields CostLines (maptag.money); money.cost_book turns them into spend a day.
- ``cost-explorer``: GetCostAndUsageWithResources, daily, by resource and service, over the
  last 14 days (resource-level data must be switched on; each request costs $0.01);
- a CUR 2.0 (Data Exports) file: CSV, gzip'd CSV or Parquet (Parquet needs the ``parquet``
  extra: pyarrow), local or every such object under an ``s3://`` prefix;
- ``athena``: the deployment's query over the customer's CUR 2.0 table (AthenaCosts).
"""

from __future__ import annotations

import csv
import gzip
import io
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import IO, Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from maptag.aws import describe_error, make_client
from maptag.money import WINDOW_DAYS, CostBook, CostError, CostLine, cost_book
from maptag.rules import quote

COST_EXPLORER = "cost-explorer"
# CUR 2.0 columns maptag reads (docs.aws.amazon.com/cur/latest/userguide/table-dictionary-cur2.html).
RESOURCE = "line_item_resource_id"
START = "line_item_usage_start_date"
COST = "line_item_unblended_cost"
CURRENCY = "line_item_currency_code"
SERVICE = "line_item_product_code"
ACCOUNT = "line_item_usage_account_id"
REGION = "product_region_code"
LINE_TYPE = "line_item_line_item_type"
REQUIRED = (RESOURCE, START, COST, CURRENCY, SERVICE)
# Spend, not credits, refunds, taxes or fees (which carry no resource's running cost).
USAGE_TYPES = frozenset({"Usage", "DiscountedUsage", "SavingsPlanCoveredUsage"})
CUR_SUFFIXES = (".csv", ".csv.gz", ".parquet")
PARQUET_EXTRA = "pip install 'maptag[parquet]'"


def describe_source(spec: str) -> str:
    """A --costs value checked for its form (no I/O): cost-explorer, s3://bucket/prefix or a file."""
    if spec == COST_EXPLORER:
        return spec
    if spec.startswith("s3://"):
        bucket = spec[5:].split("/", 1)[0]
        if not bucket:
            raise CostError(f"{quote(spec)} names no bucket (s3://BUCKET/PREFIX)")
        return spec
    path = Path(spec).expanduser()
    if not path.is_file():
        raise CostError(
            f"{quote(spec)} is not cost-explorer, an s3:// prefix or a CUR 2.0 file (.csv, .csv.gz, .parquet)"
        )
    if not spec.endswith(CUR_SUFFIXES):
        raise CostError(f"{quote(spec)}: not a CUR 2.0 file (.csv, .csv.gz or .parquet)")
    return spec


def load_costs(
    spec: str, *, session: boto3.Session, accounts: Sequence[str], region: str, today: date | None = None
) -> CostBook:
    """The CostBook of one --costs source; CostError (one line) when it cannot be read."""
    describe_source(spec)
    try:
        if spec == COST_EXPLORER:
            lines: Iterable[CostLine] = cost_explorer_lines(
                make_client(session, "ce", "us-east-1"), accounts, today or datetime.now(UTC).date()
            )
            return cost_book(lines, "cost-explorer")
        if spec.startswith("s3://"):
            return cost_book(s3_cur_lines(make_client(session, "s3", region), spec), "cur")
        return cost_book(cur_file_lines(Path(spec).expanduser()), "cur")
    except (ClientError, BotoCoreError) as error:
        raise CostError(f"costs from {quote(spec)}: {describe_error(error)}") from None


# --- Cost Explorer ---------------------------------------------------------------------------


def cost_explorer_lines(ce: Any, accounts: Sequence[str], today: date) -> Iterator[CostLine]:
    """Daily unblended cost by resource and service in ``accounts`` over the last 14 days.

    The API only looks back 14 days and requires a filter (docs.aws.amazon.com/
    aws-cost-management/latest/APIReference/API_GetCostAndUsageWithResources.html).
    """
    request: dict[str, Any] = {
        "TimePeriod": {"Start": (today - timedelta(days=WINDOW_DAYS)).isoformat(), "End": today.isoformat()},
        "Granularity": "DAILY",
        "Filter": {"Dimensions": {"Key": "LINKED_ACCOUNT", "Values": list(accounts)}},
        "Metrics": ["UnblendedCost"],
        "GroupBy": [{"Type": "DIMENSION", "Key": "RESOURCE_ID"}, {"Type": "DIMENSION", "Key": "SERVICE"}],
    }
    while True:
        page = ce.get_cost_and_usage_with_resources(**request)
        for period in page.get("ResultsByTime", []):
            day = date.fromisoformat(period["TimePeriod"]["Start"][:10])
            for group in period.get("Groups", []):
                resource_id, service = (group["Keys"] + ["", ""])[:2]
                metric = group["Metrics"]["UnblendedCost"]
                if resource_id in ("", "NoResourceId"):
                    continue
                yield CostLine(resource_id, day, float(metric["Amount"]), metric.get("Unit", "USD"), service)
        token = page.get("NextPageToken")
        if not token:
            return
        request["NextPageToken"] = token


# --- CUR 2.0 files -----------------------------------------------------------------------------


def cur_file_lines(path: Path) -> Iterator[CostLine]:
    """The spend lines of one local CUR 2.0 file (CSV, gzip'd CSV or Parquet)."""
    try:
        if path.name.endswith(".parquet"):
            with path.open("rb") as handle:
                yield from _rows_to_lines(_parquet_rows(handle, str(path)), str(path))
            return
        with _open_text(path) as text:
            yield from _rows_to_lines(csv.DictReader(text), str(path))
    except (OSError, UnicodeDecodeError, EOFError) as error:
        raise CostError(f"cannot read CUR file {quote(str(path), 200)}: {error}") from None


def _open_text(path: Path) -> IO[str]:
    if path.name.endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8", newline="")
    return path.open(encoding="utf-8", newline="")


def s3_cur_lines(s3: Any, uri: str) -> Iterator[CostLine]:
    """The spend lines of every CUR 2.0 object (.csv, .csv.gz, .parquet) under an s3:// prefix."""
    bucket, _, prefix = uri[5:].partition("/")
    keys = [
        item["Key"]
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        for item in page.get("Contents", [])
        if item["Key"].endswith(CUR_SUFFIXES)
    ]
    if not keys:
        raise CostError(f"no CUR 2.0 file (.csv, .csv.gz, .parquet) under {quote(uri)}")
    for key in keys:
        where = f"s3://{bucket}/{key}"
        body = s3.get_object(Bucket=bucket, Key=key)["Body"]
        try:
            if key.endswith(".parquet"):
                yield from _rows_to_lines(_parquet_rows(io.BytesIO(body.read()), where), where)
                continue
            raw: Any = gzip.GzipFile(fileobj=body) if key.endswith(".gz") else body
            text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
            yield from _rows_to_lines(csv.DictReader(text), where)
        except (OSError, UnicodeDecodeError, EOFError) as error:
            raise CostError(f"cannot read CUR file {quote(where, 200)}: {error}") from None


def _parquet_rows(handle: IO[bytes], where: str) -> Iterator[Mapping[str, Any]]:
    """Rows of a Parquet CUR file, batch by batch (pyarrow: the optional ``parquet`` extra)."""
    try:
        import pyarrow.parquet as pq  # type: ignore[import-untyped, import-not-found, unused-ignore]
    except ImportError:
        raise CostError(
            f"{quote(where, 200)} is Parquet: reading it needs pyarrow ({PARQUET_EXTRA})"
        ) from None
    try:
        parquet = pq.ParquetFile(handle)
        wanted = [name for name in parquet.schema_arrow.names if name in _ALL_COLUMNS]
        for batch in parquet.iter_batches(columns=wanted):
            yield from batch.to_pylist()
    except Exception as error:  # pyarrow raises its own ArrowInvalid for a file that is not Parquet
        if isinstance(error, CostError):
            raise
        raise CostError(f"cannot read Parquet file {quote(where, 200)}: {error}") from None


_ALL_COLUMNS = frozenset({*REQUIRED, ACCOUNT, REGION, LINE_TYPE})


def _rows_to_lines(rows: Iterable[Mapping[str, Any]], where: str) -> Iterator[CostLine]:
    checked = False
    for number, row in enumerate(rows, start=2):
        if not checked:
            missing = [column for column in REQUIRED if column not in row]
            if missing:
                raise CostError(
                    f"{quote(where, 200)} is not a CUR 2.0 export: no column {', '.join(missing)}"
                )
            checked = True
        line_type = row.get(LINE_TYPE)
        if line_type and line_type not in USAGE_TYPES:
            continue
        resource_id = str(row.get(RESOURCE) or "").strip()
        if not resource_id:
            continue
        try:
            day = _day(row[START])
            amount = float(row[COST] or 0)
        except (TypeError, ValueError):
            shown = quote(f"{row.get(START)!s} / {row.get(COST)!s}", 80)
            raise CostError(f"{quote(where, 200)} row {number}: bad date or cost {shown}") from None
        yield CostLine(
            resource_id=resource_id,
            day=day,
            amount=amount,
            currency=str(row.get(CURRENCY) or "USD"),
            service=str(row.get(SERVICE) or "unknown"),
            account_id=str(row[ACCOUNT]) if row.get(ACCOUNT) else None,
            region=str(row[REGION]) if row.get(REGION) else None,
        )


def _day(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value).strip()[:10])


# --- Athena (the deployment) ------------------------------------------------------------------


def athena_query(database: str, table: str, accounts: Sequence[str], today: date) -> str:
    """Daily spend per resource over the last 14 days from a CUR 2.0 table (identifiers are
    checked by the deployment's configuration; dates and accounts are digits only)."""
    start = (today - timedelta(days=WINDOW_DAYS)).isoformat()
    account_list = ", ".join(f"'{account}'" for account in accounts if account.isdigit())
    where_accounts = f" AND {ACCOUNT} IN ({account_list})" if account_list else ""
    # Not injectable: database and table pass DeployConfig's identifier check, the rest is ours.
    return (
        f"SELECT {RESOURCE}, CAST(date_trunc('day', {START}) AS date) AS day, sum({COST}) AS cost, "  # noqa: S608
        f"{CURRENCY}, {SERVICE}, {ACCOUNT}, {REGION} "
        f'FROM "{database}"."{table}" '
        f"WHERE {START} >= TIMESTAMP '{start} 00:00:00' AND {RESOURCE} <> ''"
        f" AND {LINE_TYPE} IN ('Usage', 'DiscountedUsage', 'SavingsPlanCoveredUsage'){where_accounts} "
        f"GROUP BY 1, 2, 4, 5, 6, 7"
    )


ATHENA_COLUMNS = (RESOURCE, START, COST, CURRENCY, SERVICE, ACCOUNT, REGION)


def athena_lines(
    athena: Any,
    query: str,
    *,
    workgroup: str,
    poll_seconds: float = 1.0,
    timeout_seconds: float = 600.0,
    sleep: Callable[[float], None] = time.sleep,
) -> Iterator[CostLine]:
    """Run the query in ``workgroup`` (its result location and encryption are the workgroup's),
    wait for it, and read the rows page by page."""
    execution = athena.start_query_execution(QueryString=query, WorkGroup=workgroup)["QueryExecutionId"]
    waited = 0.0
    while True:
        status = athena.get_query_execution(QueryExecutionId=execution)["QueryExecution"]["Status"]
        state = status["State"]
        if state == "SUCCEEDED":
            break
        if state in ("FAILED", "CANCELLED"):
            raise CostError(
                f"Athena query {execution} {state.lower()}: {status.get('StateChangeReason', '')}"
            )
        if waited >= timeout_seconds:
            raise CostError(f"Athena query {execution} still {state.lower()} after {timeout_seconds:.0f} s")
        sleep(poll_seconds)
        waited += poll_seconds
    rows = _athena_rows(athena, execution)
    yield from _rows_to_lines(rows, f"Athena query {execution}")


def _athena_rows(athena: Any, execution: str) -> Iterator[dict[str, Any]]:
    first = True
    for page in athena.get_paginator("get_query_results").paginate(QueryExecutionId=execution):
        rows = page["ResultSet"]["Rows"]
        if first:
            rows = rows[1:]  # the first row of the first page is the header
            first = False
        for row in rows:
            values = [cell.get("VarCharValue") for cell in row["Data"]]
            yield dict(zip(ATHENA_COLUMNS, values, strict=False))


def athena_costs(
    session: boto3.Session,
    region: str,
    *,
    database: str,
    table: str,
    workgroup: str,
    accounts: Sequence[str],
    today: date | None = None,
) -> CostBook:
    athena = make_client(session, "athena", region)
    query = athena_query(database, table, accounts, today or datetime.now(UTC).date())
    try:
        return cost_book(athena_lines(athena, query, workgroup=workgroup), "cur")
    except (ClientError, BotoCoreError) as error:
        raise CostError(f"costs from Athena table {database}.{table}: {describe_error(error)}") from None

"""A deployed run's working data in S3: the unit list, each unit's result and its findings.

The scan workflow passes S3 keys, never findings, between its steps (the state payload is
capped at 256 KB). Layout under the reports bucket:

    runs/<run_id>/units.json                           the plan: [{account_id, region}, ...]
    runs/<run_id>/units/<account>/<region>/result.json  a UnitResult
    runs/<run_id>/units/<account>/<region>/findings.jsonl.gz  one finding per line
    runs/<run_id>/published/<sink>.json                 a sink delivered this run (its outcome)

The completion markers make publish idempotent per sink: a Step Functions retry of publish
delivers only to the sinks that have no marker yet (docs/reliability.md).
"""

from __future__ import annotations

import gzip
import io
import json
import re
import tempfile
from collections import Counter, deque
from collections.abc import Generator, Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from maptag.model import Finding, ScanUnit, Verdict
from maptag.names import PUBLISHED_PREFIX, REPORTS_PREFIX, RUNS_PREFIX
from maptag.scan import FindingSink, UnitResult
from maptag.sinks.outcome import SinkOutcome

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
# publish reads every unit back: one GET at a time, 17,000 units took ~14 min (bench/scale.py).
READ_THREADS = 16
# Shards downloaded ahead of the one being read: memory holds at most this many (compressed).
READ_AHEAD = 2 * READ_THREADS


def run_id_of(execution_name: str, started_at: datetime) -> str:
    """A run id that sorts by time and names its execution: 20261123T060000Z-<name>."""
    name = _UNSAFE.sub("-", execution_name).strip("-")[:80] or "run"
    return f"{started_at.strftime('%Y%m%dT%H%M%SZ')}-{name}"


def result_to_json(result: UnitResult) -> dict[str, Any]:
    return {
        "account_id": result.unit.account_id,
        "region": result.unit.region,
        "status": result.status,
        "error": result.error,
        "started_at": result.started_at.isoformat() if result.started_at else None,
        "finished_at": result.finished_at.isoformat() if result.finished_at else None,
        "counts": [
            {"type": type_name, "verdict": verdict.value, "count": n}
            for (type_name, verdict), n in sorted(result.counts.items())
        ],
        "skipped_types": dict(result.skipped_types),
        "unscanned": None if result.unscanned is None else dict(result.unscanned),
    }


def result_from_json(data: Mapping[str, Any]) -> UnitResult:
    counts: Counter[tuple[str, Verdict]] = Counter()
    for row in data.get("counts", []):
        counts[(str(row["type"]), Verdict(row["verdict"]))] += int(row["count"])
    return UnitResult(
        unit=ScanUnit(str(data["account_id"]), str(data["region"])),
        status=str(data["status"]),
        error=data.get("error"),
        counts=dict(counts),
        started_at=_time(data.get("started_at")),
        finished_at=_time(data.get("finished_at")),
        skipped_types={str(k): str(v) for k, v in (data.get("skipped_types") or {}).items()},
        unscanned=None
        if data.get("unscanned") is None
        else {str(k): int(v) for k, v in data["unscanned"].items()},
    )


class RunStore:
    """One run's objects in the reports bucket; ``s3`` is a boto3 S3 client."""

    def __init__(self, s3: Any, bucket: str, run_id: str) -> None:
        self.s3 = s3
        self.bucket = bucket
        self.run_id = run_id
        self.prefix = f"{RUNS_PREFIX}{run_id}/"

    @property
    def units_key(self) -> str:
        return f"{self.prefix}units.json"

    def unit_prefix(self, unit: ScanUnit) -> str:
        return f"{self.prefix}units/{unit.account_id}/{unit.region}/"

    def write_units(self, units: Iterable[ScanUnit]) -> str:
        body = json.dumps([{"account_id": u.account_id, "region": u.region} for u in units])
        self.s3.put_object(
            Bucket=self.bucket, Key=self.units_key, Body=body.encode(), ContentType="application/json"
        )
        return self.units_key

    def read_units(self) -> list[ScanUnit]:
        body = self.s3.get_object(Bucket=self.bucket, Key=self.units_key)["Body"].read()
        return [ScanUnit(str(item["account_id"]), str(item["region"])) for item in json.loads(body)]

    @contextmanager
    def findings_writer(self, unit: ScanUnit) -> Iterator[FindingSink]:
        """A sink for the unit's findings, spooled to a compressed temp file, then uploaded."""
        with tempfile.TemporaryFile() as spool:
            with gzip.GzipFile(fileobj=spool, mode="wb") as gz:
                text = io.TextIOWrapper(gz, encoding="utf-8")

                def write(finding: Finding) -> None:
                    text.write(json.dumps(finding.to_report(), separators=(",", ":")) + "\n")

                yield write
                text.flush()
                text.detach()
            spool.seek(0)
            self.s3.upload_fileobj(spool, self.bucket, f"{self.unit_prefix(unit)}findings.jsonl.gz")

    def write_result(self, result: UnitResult) -> str:
        key = f"{self.unit_prefix(result.unit)}result.json"
        body = json.dumps(result_to_json(result)).encode()
        self.s3.put_object(Bucket=self.bucket, Key=key, Body=body, ContentType="application/json")
        return key

    def read_results(self) -> dict[ScanUnit, UnitResult]:
        """Every unit result written for this run (a unit that died writes none), READ_THREADS at a time."""
        paginator = self.s3.get_paginator("list_objects_v2")
        keys = [
            item["Key"]
            for page in paginator.paginate(Bucket=self.bucket, Prefix=f"{self.prefix}units/")
            for item in page.get("Contents", [])
            if item["Key"].endswith("/result.json")
        ]
        with ThreadPoolExecutor(READ_THREADS, thread_name_prefix="maptag-results") as pool:
            return {result.unit: result for result in pool.map(self._read_result, keys)}

    def _read_result(self, key: str) -> UnitResult:
        body = self.s3.get_object(Bucket=self.bucket, Key=key)["Body"].read()
        return result_from_json(json.loads(body))

    def read(self, units: list[ScanUnit]) -> Generator[dict[str, Any], None, None]:
        """The findings of ``units`` in order, streamed (a FindingSource for ScanReport).

        Shards are downloaded READ_THREADS at a time, at most READ_AHEAD ahead of the one being
        read, so the order stays the units' and memory stays bounded however many there are.
        """
        ahead: deque[Future[bytes | None]] = deque()
        waiting = iter(units)
        pool = ThreadPoolExecutor(READ_THREADS, thread_name_prefix="maptag-shards")
        try:
            while True:
                for unit in waiting:
                    ahead.append(pool.submit(self._read_shard, unit))
                    if len(ahead) >= READ_AHEAD:
                        break
                if not ahead:
                    return
                body = ahead.popleft().result()
                if body is None:
                    continue
                with gzip.GzipFile(fileobj=io.BytesIO(body), mode="rb") as gz:
                    for line in io.TextIOWrapper(gz, encoding="utf-8"):
                        yield json.loads(line)
        finally:
            # A reader that stops early (or fails) leaves no download running behind it.
            pool.shutdown(wait=True, cancel_futures=True)

    def _read_shard(self, unit: ScanUnit) -> bytes | None:
        key = f"{self.unit_prefix(unit)}findings.jsonl.gz"
        try:
            body: bytes = self.s3.get_object(Bucket=self.bucket, Key=key)["Body"].read()
        except self.s3.exceptions.NoSuchKey:
            return None
        return body

    @property
    def published_prefix(self) -> str:
        return f"{self.prefix}{PUBLISHED_PREFIX}"

    def mark_published(self, outcome: SinkOutcome) -> str:
        """Record that ``outcome``'s sink delivered this run (written after it delivered)."""
        key = f"{self.published_prefix}{_UNSAFE.sub('-', outcome.name)}.json"
        body = json.dumps(outcome.to_dict()).encode()
        self.s3.put_object(Bucket=self.bucket, Key=key, Body=body, ContentType="application/json")
        return key

    def published(self) -> dict[str, SinkOutcome]:
        """The outcomes of the sinks already delivered for this run, by sink name."""
        paginator = self.s3.get_paginator("list_objects_v2")
        done: dict[str, SinkOutcome] = {}
        for page in paginator.paginate(Bucket=self.bucket, Prefix=self.published_prefix):
            for item in page.get("Contents", []):
                body = self.s3.get_object(Bucket=self.bucket, Key=item["Key"])["Body"].read()
                outcome = SinkOutcome.from_dict(json.loads(body))
                done[outcome.name] = outcome
        return done

    def put_report(self, name: str, body: bytes, content_type: str) -> str:
        key = f"{REPORTS_PREFIX}{self.run_id}/{name}"
        self.s3.put_object(Bucket=self.bucket, Key=key, Body=body, ContentType=content_type)
        return key


def _time(text: Any) -> datetime | None:
    return datetime.fromisoformat(text) if isinstance(text, str) and text else None

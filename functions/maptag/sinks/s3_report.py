"""S3: the run's JSON and HTML report under a run-specific key, SSE-KMS when a key is given.

Keys: ``<prefix><YYYY>/<MM>/<DD>/<run id>/report.json`` and ``.../report.html``, and the same
files again at the stable ``<prefix>latest/report.json`` and ``.html`` (the newest run's). Each report
is written to a temporary file resource by resource and uploaded from there (multipart when
large), so the findings are never all in memory. The outcome's links are the console URLs
(``html``, ``json``) and S3 URIs (``html_uri``, ``json_uri``): the digest links the HTML one.
No presigned URLs: a link in an e-mail must not grant access by itself.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import quote

import boto3

from maptag.aws import Clients, partition_of
from maptag.names import LATEST_PREFIX, REPORTS_PREFIX
from maptag.report.model import ScanReport
from maptag.report.writers import WRITERS
from maptag.sinks.outcome import RunInfo, SinkOutcome, guarded

NAME = "s3-report"
CONTENT_TYPES = {"json": "application/json", "html": "text/html; charset=utf-8"}
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def latest_key(extension: str, prefix: str = REPORTS_PREFIX) -> str:
    """The stable key of the newest run's report (`maptag report --latest` reads it)."""
    return f"{prefix}{LATEST_PREFIX}report.{extension}"


def report_key(run: RunInfo, extension: str, prefix: str = REPORTS_PREFIX) -> str:
    return f"{prefix}{run.scanned_at:%Y/%m/%d}/{_UNSAFE.sub('-', run.run_id)}/report.{extension}"


def console_url(bucket: str, key: str, region: str) -> str:
    """The object's page in the S3 console (sign-in required)."""
    host = {
        "aws-cn": "console.amazonaws.cn",
        "aws-us-gov": "console.amazonaws-us-gov.com",
    }.get(partition_of(region), f"{region}.console.aws.amazon.com")
    return (
        f"https://{host}/s3/object/{bucket}?region={region}&bucketType=general&prefix={quote(key, safe='')}"
    )


def put_reports(
    report: ScanReport,
    run: RunInfo,
    *,
    bucket: str,
    session: boto3.Session | None = None,
    region: str | None = None,
    kms_key_id: str | None = None,
    prefix: str = REPORTS_PREFIX,
    formats: tuple[str, ...] = ("json", "html"),
) -> SinkOutcome:
    """Upload the run's reports; the outcome's links say where they are. Never raises."""

    def deliver() -> SinkOutcome:
        chosen = session or boto3.Session()
        where = region or chosen.region_name or report.policy.regions[0]
        s3 = Clients(chosen, where)("s3")
        extra: dict[str, Any] = {"Metadata": {"maptag-run-id": run.run_id}}
        if kms_key_id:
            extra |= {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": kms_key_id}
        links: dict[str, str] = {}
        for extension in formats:
            key = report_key(run, extension, prefix)
            latest = latest_key(extension, prefix)
            extra_args = {**extra, "ContentType": CONTENT_TYPES[extension]}
            _upload(s3, report, extension, bucket, (key, latest), extra_args)
            links[extension] = console_url(bucket, key, where)
            links[f"{extension}_uri"] = f"s3://{bucket}/{key}"
            links[f"latest_{extension}_uri"] = f"s3://{bucket}/{latest}"
        encryption = f"SSE-KMS ({kms_key_id})" if kms_key_id else "the bucket's default encryption"
        stored = ", ".join(links[f"{extension}_uri"] for extension in formats)
        return SinkOutcome(NAME, True, f"stored {stored} with {encryption}", links)

    return guarded(NAME, deliver)


def _upload(
    s3: Any, report: ScanReport, extension: str, bucket: str, keys: tuple[str, ...], extra: dict[str, Any]
) -> None:
    """Write the report once, upload it to each key (the run's first, then the stable one)."""
    with tempfile.TemporaryDirectory(prefix="maptag-report-") as folder:
        path = Path(folder) / f"report.{extension}"
        with path.open("w", encoding="utf-8", newline="") as out:
            WRITERS[extension](report, out)
        for key in keys:
            s3.upload_file(str(path), bucket, key, ExtraArgs=extra)

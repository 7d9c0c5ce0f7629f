"""A laptop scan: ScanRequest → scan → report → publish → ScanResult (docs/contracts.md, "CLI").

`maptag scan` builds its request from flags and --config (app/settings.py); `maptag demo`
builds one directly from its seeded engagement. Both get the same checks, the same scan, the
same publish and the same exit code. Bad input of any kind is a UsageError naming the value
and where it came from (exit 2), raised before anything is scanned.
"""

from __future__ import annotations

import difflib
import os
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from maptag.app import publish as publishing
from maptag.app.errors import UsageError
from maptag.app.exit_codes import after_publish, scan_exit_code
from maptag.app.hints import scan_hints
from maptag.app.settings import ScanSettings, Sourced, checked
from maptag.files import STDOUT, OutputFile
from maptag.rules import quote
from maptag.sinks.migration_hub import NAME as MIGRATION_HUB
from maptag.sinks.security_hub import DEFAULT_REFRESH_DAYS

if TYPE_CHECKING:
    from maptag.console import ScanConsole
    from maptag.coverage import Totals
    from maptag.model import ScanUnit
    from maptag.money import CostBook, SinceState
    from maptag.policy import Policy
    from maptag.report.model import ScanReport


@dataclass(frozen=True)
class ScanRequest:
    """One scan: its checked settings (with where each came from), the report, the publish."""

    settings: Sourced
    format: str = "table"
    output: Path | None = None  # None: stdout
    fail_under: float | None = None
    costs: str | None = None
    credit_rate: float | None = None
    publish: publishing.PublishRequest = field(default_factory=publishing.PublishRequest)

    @classmethod
    def of(cls, chosen: Sourced) -> ScanRequest:
        """The request for settings already checked (app.settings.resolve)."""
        from maptag.migration_hub.names import DEFAULT_STREAM
        from maptag.migration_hub.outbox import FileOutbox
        from maptag.migration_hub.publisher import DEFAULT_NEXT_UPDATE_SECONDS, HubSettings

        sinks = tuple(chosen.get("publish", ()))
        hub = None
        if MIGRATION_HUB in sinks:
            hub = HubSettings(
                stream=chosen.get("stream", DEFAULT_STREAM),
                server_tasks=bool(chosen.get("server_tasks")),
                next_update_seconds=chosen.get("next_update_seconds", DEFAULT_NEXT_UPDATE_SECONDS),
            )
        outbox = chosen.get("outbox")
        output = chosen.get("output")
        return cls(
            settings=chosen,
            format=chosen.get("format", "table"),
            # `--output -` is stdout, as no --output is (progress and the closing line alike).
            output=Path(output) if output not in (None, STDOUT) else None,
            fail_under=chosen.get("fail_under"),
            costs=chosen.get("costs"),
            credit_rate=chosen.get("credit_rate"),
            publish=publishing.PublishRequest(
                sinks=sinks,
                dry_run=bool(chosen.get("dry_run", False)),
                hub=hub,
                outbox=FileOutbox(Path(outbox).expanduser() if outbox else None) if hub else None,
                securityhub_refresh_days=chosen.get("securityhub_refresh_days", DEFAULT_REFRESH_DAYS),
            ),
        )

    @classmethod
    def from_values(cls, values: Mapping[str, Any]) -> ScanRequest:
        """A request from settings by name (app.settings.ScanSettings), each labelled by its flag:
        what the demo scans, e.g. {"mpe_ids": ["12345"], "regions": ["us-east-1"]}."""
        return cls.of(checked(ScanSettings, Sourced(values=dict(values))))


@dataclass(frozen=True)
class ScanResult:
    """What a scan came to: its exit code, the totals, the failed units, the publish."""

    code: int
    totals: Totals
    failed_units: tuple[str, ...]  # their keys, ACCOUNT/REGION
    published: publishing.PublishResult
    overall: str  # the one-line summary (report.overall_line)


def run(
    request: ScanRequest,
    console: ScanConsole,
    stdout: IO[str],
    use: Callable[[ScanReport], None] | None = None,
) -> ScanResult:
    """Scan, write the report (to request.output, else ``stdout``), warn what looks wrong,
    name each failed unit, publish; ``use`` sees the report too (the demo writes more files).

    The output file is opened before scanning (an unwritable path is exit 2 at once) and is
    replaced only by a complete report.
    """
    from maptag.report.model import overall_line
    from maptag.report.writers import write_report

    chosen = request.settings
    with report_destination(request) as destination, scanned(request, console) as report:
        write_report(report, request.format, destination.stream if destination else stdout)
        if use is not None:
            use(report)
        labels = {name: chosen.label(name) for name in ("mpe_ids", "exclusions")}
        for hint in scan_hints(report.policy, report.resources(), labels):
            print(f"maptag: warning: {hint}", file=sys.stderr)
        name_failed_units(report)
        failed = tuple(unit.unit.key for unit in report.failed_units)
        totals = report.totals
        code = scan_exit_code(
            failed_units=bool(failed),
            coverage=totals.coverage_percent,
            non_compliant=totals.non_compliant,
            fail_under=request.fail_under,
        )
        published = publishing.run(report, request.publish)
        return ScanResult(
            code=after_publish(code, published.ok),
            totals=totals,
            failed_units=failed,
            published=published,
            overall=overall_line(report),
        )


@contextmanager
def scanned(request: ScanRequest, console: ScanConsole) -> Iterator[ScanReport]:
    """Scan with this request's settings and yield the ScanReport (its findings live until the
    block ends): the policy and regions checked, costs and history read, then every unit."""
    import boto3

    from maptag.money import Ledger, Money
    from maptag.policy import PolicyError
    from maptag.report.model import FindingSpool, ScanReport
    from maptag.scan import plan, run_scan

    chosen = request.settings
    session = boto3.Session()
    # botocore reads AWS_DEFAULT_REGION and profiles; AWS_REGION is the SDKs' newer name.
    policy = build_policy(chosen, session.region_name or os.environ.get("AWS_REGION"))
    check_regions(policy, chosen, session)
    if session.get_credentials() is None:
        raise UsageError(
            "no AWS credentials found: set AWS_PROFILE, or run `aws configure` / `aws sso login`"
        )
    for warning in policy.warnings:
        print(f"maptag: warning: {warning}", file=sys.stderr)
    try:
        scan_plan = plan(policy, session)
    except PolicyError as error:
        raise usage_error(error, chosen) from None
    book = load_costs_for(request.costs, chosen, session, scan_plan.units, policy.regions[0])
    prior = prior_for(request, scan_plan.units)
    spool = FindingSpool()
    try:
        with console.progress(scan_plan.units) as progress:
            results = []
            for result in run_scan(
                policy, session, scan_plan.units, scan_plan.caller_account, spool.writer, progress.update
            ):
                progress.finish(result)
                results.append(result)
        report = ScanReport(policy=policy, units=results, spool=spool)
        report.money = Money(Ledger(report.generated_at, prior), book, request.credit_rate)
        yield report
    finally:
        spool.close()


def name_failed_units(report: ScanReport) -> None:
    """One error line per unit that could not be scanned (it is counted in the exit code: 3)."""
    for unit in report.failed_units:
        print(f"maptag: error: unit {unit.unit.key} failed: {unit.error}", file=sys.stderr)


def build_policy(chosen: Sourced, default_region: str | None) -> Policy:
    from maptag.policy import Policy, PolicyError

    raw = {name: chosen.values[name] for name in Policy.model_fields if chosen.values.get(name) is not None}
    if not raw.get("regions"):
        if not default_region:
            raise UsageError("--regions: none given, and no AWS_REGION or profile region is set")
        raw["regions"] = [default_region]
    if not raw.get("mpe_ids"):
        raise UsageError("--mpe-id: required (your MPE id, e.g. --mpe-id 12345 or --mpe-id mig12345)")
    try:
        policy = Policy.build(**raw)
    except PolicyError as error:
        raise usage_error(error, chosen) from None
    start = policy.agreement_start
    if start is not None and start > datetime.now(UTC).date():
        raise UsageError(
            f"{chosen.label('agreement_start')}: {start.isoformat()} is in the future: every resource "
            "would be out of scope (give the date the MAP agreement was signed)"
        )
    return policy


def check_regions(policy: Policy, chosen: Sourced, session: Any) -> None:
    """Each region is in botocore's partition data, or maptag is pointed at a custom endpoint
    (moto, a local stand-in), where any name is the endpoint's business: then only a warning."""
    from maptag.aws import custom_endpoint, known_regions

    known = known_regions()
    for region in policy.regions:
        if region in known:
            continue
        close = difflib.get_close_matches(region, sorted(known), n=1)
        guess = f"; did you mean {close[0]}?" if close else ""
        problem = f"{chosen.label('regions')}: {quote(region)} is not an AWS region botocore knows"
        endpoint = custom_endpoint(session)
        if endpoint is None:
            raise UsageError(f"{problem} (a region newer than this boto3 needs an upgrade){guess}")
        print(
            f"maptag: warning: {problem}; scanning it anyway through the custom endpoint {endpoint}",
            file=sys.stderr,
        )


def usage_error(error: Exception, chosen: Sourced) -> UsageError:
    """A PolicyError ("field: message") reworded with the flag or config key it came from."""
    name, _, message = str(error).partition(": ")
    if name == "policy":
        return UsageError(f"{chosen.label('accounts')}/{chosen.label('organization')}: {message}")
    return UsageError(f"{chosen.label(name)}: {message}")


def open_report(path: Path, label: str) -> OutputFile:
    """The --output file, opened before the scan so an unwritable path fails at once (exit 2).

    maptag.files: a regular file is replaced only when the report is complete; a device, a
    FIFO, a symlink's target or `-` (stdout) is written directly, never replaced.
    """
    shown = quote(str(path), 200)
    try:
        return OutputFile(path)
    except IsADirectoryError:
        raise UsageError(f"{label}: {shown} is a directory") from None
    except OSError as error:
        raise UsageError(f"{label}: cannot write {shown}: {error.strerror}") from None


@contextmanager
def report_destination(request: ScanRequest) -> Iterator[OutputFile | None]:
    if request.output is None:
        yield None
        return
    label = request.settings.label("output")
    target = open_report(request.output, label)
    try:
        yield target
    except BaseException:
        target.discard()
        raise
    try:
        target.commit()
    except OSError as error:
        shown = quote(str(request.output), 200)
        raise UsageError(f"{label}: cannot write {shown}: {error.strerror}") from None


def load_costs_for(
    costs: str | None, chosen: Sourced, session: Any, units: list[ScanUnit], region: str
) -> CostBook | None:
    """The --costs source read before the scan (a source that cannot be read: exit 2)."""
    from maptag.costs import load_costs
    from maptag.money import CostError

    if costs is None:
        return None
    accounts = sorted({unit.account_id for unit in units})
    try:
        return load_costs(costs, session=session, accounts=accounts, region=region)
    except CostError as error:
        raise UsageError(f"{chosen.label('costs')}: {error}") from None


def prior_for(request: ScanRequest, units: list[ScanUnit]) -> dict[str, SinceState] | None:
    """The open non-compliant resources the local history knows (with --publish history);
    None without it: every since-when is then unknown, never guessed."""
    from maptag.sinks.history import NAME, FileHistory, HistoryError, default_file

    if NAME not in request.publish.sinks:
        return None
    try:
        return FileHistory(default_file()).resource_states(units)
    except HistoryError as error:
        raise UsageError(f"{request.settings.label('publish')}: {error}") from None

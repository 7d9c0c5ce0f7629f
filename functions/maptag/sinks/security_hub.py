"""Security Hub: one ASFF finding per non-compliant in-scope resource, resolved when fixed.

A finding's Id is derived from the resource ARN, so every run updates the same finding and
never duplicates it. Before importing, the previous run's still-active maptag findings are
read once (GetFindings by ProductArn, GeneratorId and RecordState); while this run's
resources stream past, each one either keeps or updates its finding (keeping its CreatedAt)
or, now compliant or out of scope, resolves it. Findings left over belong to resources that
are gone: they are resolved too, unless their unit failed or their type was not scanned,
because then nothing is known about them (nor are they refreshed: a unit failing for 90 days
in a row loses its findings, long after the failed-units alarm has fired on every run).

A finding provider keeps its findings' state and updates the findings it created as resources
move in and out of compliance
(https://docs.aws.amazon.com/securityhub/latest/userguide/finding-update-batchimportfindings.html),
so each run imports only what changed since the findings it read: new findings,
findings whose content changed (a fingerprint of everything maptag sets: verdict, reason,
fix, severity, observed key and value, resource details; kept in
ProductFields["maptag/fingerprint"]), resolutions, and unchanged findings due for a refresh.
Security Hub deletes an active finding 90 days after its last UpdatedAt
(https://docs.aws.amazon.com/securityhub/latest/userguide/securityhub-findings.html), so an
unchanged finding is re-imported once every ``refresh_days`` (default 7, at most 30; 0
re-imports every finding on every run): each finding's refresh falls on its own day, fixed by
a hash of its Id, so a daily run refreshes about 1/refresh_days of the unchanged findings
instead of all of them on the same day. A finding that is not re-imported keeps its older
UpdatedAt, LastObservedAt, run id and report link: LastObservedAt is the last run that sent
it, not the last run that saw the resource (the report and history have every run).

Findings are imported into one Security Hub (the deployment's account and region) with the
account's default product: BatchImportFindings with the default product ARN requires
AwsAccountId to be the calling account, so the resource's own account is in its ARN,
Resources[].Region and ProductFields["maptag/account_id"].

Resolving takes two calls. The import archives the finding (Compliance PASSED, RecordState
ARCHIVED), but BatchImportFindings cannot change Workflow once a finding exists
(https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_BatchImportFindings.html), so
the workflow is then set RESOLVED with BatchUpdateFindings, the customer's API, which the
hub's own account may call on its findings
(https://docs.aws.amazon.com/securityhub/latest/userguide/finding-update-batchupdatefindings.html).
That second step never fails the sink: what it could not do is named in the outcome's detail.
A resource that regresses is imported again as ACTIVE and FAILED, and Security Hub itself
resets a RESOLVED workflow to NEW on that change
(https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_Workflow.html).
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from maptag import __version__
from maptag.aws import Clients, caller_account, describe_error, partition_of
from maptag.model import ScanUnit, Verdict
from maptag.report.model import ScanReport
from maptag.resources import declarations
from maptag.rules import MAP_KEY
from maptag.sinks.outcome import RunInfo, SinkOutcome, guarded
from maptag.sinks.sink import Delivery, Sink

logger = logging.getLogger(__name__)

NAME = "security-hub"
GENERATOR_ID = "maptag/map-migrated-tag"
SCHEMA_VERSION = "2018-10-08"
BATCH = 100  # BatchImportFindings takes at most 100 findings per call
ATTEMPTS = 3  # findings Security Hub refused are sent again this many times in all
TYPES = ("Software and Configuration Checks/Industry and Regulatory Standards/MAP 2.0 Tagging",)
ID_PREFIX = "maptag/map-migrated/"
MAX_ID = 512  # ASFF Id length limit
FINGERPRINT = "maptag/fingerprint"
# Days between re-imports of an unchanged finding: well inside Security Hub's 90-day expiry.
DEFAULT_REFRESH_DAYS = 7
MAX_REFRESH_DAYS = 30
NOTE_BY = "maptag"  # Note.UpdatedBy on the workflow updates
MAX_NOTE = 512  # BatchUpdateFindings Note.Text length limit
# Workflows maptag leaves as they are: already resolved, or a customer's decision to suppress.
_KEEP_WORKFLOWS = frozenset({"RESOLVED", "SUPPRESSED"})
# ProductFields that change on every run without the finding changing.
_PER_RUN_FIELDS = frozenset({"maptag/run_id", "ProviderVersion", FINGERPRINT})

# Severity is what an unfixed finding costs. None of these is a security exposure, so nothing
# is HIGH. Missing and invalid values lose MAP credits and need someone to pick the right
# value: MEDIUM. A near-miss key loses the credits too, but the intent is already there and the
# fix is a mechanical rename: LOW. Unreadable means "not known yet", not "wrong": INFORMATIONAL
# (Compliance NOT_AVAILABLE, ASFF's status for a check that could not run).
SEVERITY: Mapping[str, str] = {
    Verdict.MISSING: "MEDIUM",
    Verdict.INVALID_VALUE: "MEDIUM",
    Verdict.NEAR_MISS_KEY: "LOW",
    Verdict.UNREADABLE: "INFORMATIONAL",
}
COMPLIANCE: Mapping[str, str] = {
    Verdict.MISSING: "FAILED",
    Verdict.INVALID_VALUE: "FAILED",
    Verdict.NEAR_MISS_KEY: "FAILED",
    Verdict.UNREADABLE: "NOT_AVAILABLE",
}
TITLES: Mapping[str, str] = {
    Verdict.MISSING: f"'{MAP_KEY}' tag missing",
    Verdict.INVALID_VALUE: f"'{MAP_KEY}' tag has an invalid value",
    Verdict.NEAR_MISS_KEY: f"'{MAP_KEY}' tag key misspelt",
    Verdict.UNREADABLE: "tags could not be read",
}

# maptag type → ASFF Resources[].Type: each declaration names its own (resources/types/).
ASFF_TYPES: Mapping[str, str] = {t.name: t.securityhub for t in declarations.TYPES}


def finding_id(arn: str) -> str:
    """Stable per resource: the same ARN always gives the same Id (≤ 512 characters)."""
    candidate = ID_PREFIX + arn
    if len(candidate) <= MAX_ID:
        return candidate
    return ID_PREFIX + "sha256:" + hashlib.sha256(arn.encode()).hexdigest()


def product_arn(region: str, account_id: str) -> str:
    """The account's own default product, which any account may import findings into."""
    return f"arn:{partition_of(region)}:securityhub:{region}:{account_id}:product/{account_id}/default"


@dataclass(frozen=True, slots=True)
class Hub:
    """Where findings go: one account's Security Hub in one region."""

    region: str
    account_id: str

    @property
    def product_arn(self) -> str:
        return product_arn(self.region, self.account_id)


@dataclass(frozen=True, slots=True)
class ActiveFinding:
    """What is kept of a previous run's active finding: enough to update or resolve it."""

    id: str
    created_at: str
    arn: str
    type: str
    account_id: str
    region: str
    updated_at: str = ""
    fingerprint: str = ""
    workflow: str = ""


def asff_finding(
    resource: Mapping[str, Any], run: RunInfo, hub: Hub, created_at: str | None
) -> dict[str, Any]:
    """The ASFF finding for one non-compliant resource (a report ``resources[]`` item)."""
    verdict = resource["verdict"]
    arn = resource["arn"]
    reason = str(resource["reason"])
    fix = resource.get("fix")
    short = _short_name(arn)
    created = resource.get("created")
    lines = [f"{resource['type']} {arn}: {reason}."]
    if verdict != Verdict.UNREADABLE:
        # Facts, "The tag": tags cannot be back-dated; every untagged day earns nothing.
        lines.append("It earns no MAP 2.0 credits until it is tagged correctly; tags cannot be back-dated.")
    if created:
        lines.append(f"Resource created {created}.")
    since = resource.get("noncompliant_since")
    if since:
        lines.append(f"Non-compliant since {since} (maptag history).")
    if fix:
        lines.append(f"Fix: {fix}.")
    severity = {"Label": SEVERITY[verdict], "Original": verdict}
    finding: dict[str, Any] = {
        **_envelope(finding_id(arn), hub),
        "CreatedAt": created_at or run.timestamp,
        # History's since-when when it knows (docs/costs.md): a finding that reopens after a
        # fix starts again, one that stays open keeps its first date whatever Security Hub did.
        "FirstObservedAt": since or created_at or run.timestamp,
        "LastObservedAt": run.timestamp,
        "UpdatedAt": run.timestamp,
        "Severity": severity,
        "FindingProviderFields": {"Severity": severity, "Types": list(TYPES)},
        "Title": _cut(f"{TITLES[verdict]} on {resource['type']} {short}", 256),
        "Description": _cut(" ".join(lines), 1024),
        "Resources": [_resource(resource)],
        "Compliance": {"Status": COMPLIANCE[verdict]},
        "RecordState": "ACTIVE",
        "ProductFields": _product_fields(resource, run),
    }
    if created_at is None:
        # Only a new finding's Workflow is taken from an import; later imports may not set it.
        finding["Workflow"] = {"Status": "NEW"}
    if run.report_url:
        finding["SourceUrl"] = run.report_url
    if fix:
        finding["Remediation"] = {"Recommendation": {"Text": _cut(f"{fix}.", 512)}}
    finding["ProductFields"][FINGERPRINT] = fingerprint(finding)
    return finding


def fingerprint(finding: Mapping[str, Any]) -> str:
    """A hash of what maptag says about the resource, leaving out what every run changes
    (timestamps, run id, report link): equal fingerprints mean nothing new to import."""
    fields = {k: v for k, v in finding.get("ProductFields", {}).items() if k not in _PER_RUN_FIELDS}
    content = {
        "Title": finding.get("Title"),
        "Description": finding.get("Description"),
        "FindingProviderFields": finding.get("FindingProviderFields"),
        "Compliance": finding.get("Compliance"),
        "Resources": finding.get("Resources"),
        "Remediation": finding.get("Remediation"),
        "ProductFields": fields,
    }
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()[:32]


def refresh_due(finding_id: str, updated_at: str, now: datetime, refresh_days: int) -> bool:
    """Whether an unchanged finding last imported at ``updated_at`` is re-imported at ``now``.

    Each finding has its own refresh time, recurring every ``refresh_days`` at an offset fixed
    by a hash of its Id: it is re-imported at the first run after that time, so the refreshes
    of many findings spread evenly over the period. One imported less than half a period ago
    waits for its next refresh time (a run the day after a change imports nothing), and one
    older than the period is always due: no finding goes longer than the period plus one
    run's interval without an update.
    """
    if refresh_days <= 0:
        return True
    last = _parse_time(updated_at)
    if last is None:
        return True  # unknown age: refreshing is the safe side
    period = refresh_days * 86400
    age = (now - last).total_seconds()
    if age >= period:
        return True
    if age < period / 2:
        return False
    offset = int.from_bytes(hashlib.sha256(finding_id.encode()).digest()[:8], "big") % period
    return (now.timestamp() - offset) // period > (last.timestamp() - offset) // period


def _envelope(identifier: str, hub: Hub) -> dict[str, Any]:
    """What every maptag finding says about itself, whatever its verdict."""
    return {
        "SchemaVersion": SCHEMA_VERSION,
        "Id": identifier,
        "ProductArn": hub.product_arn,
        "ProductName": "maptag",
        "CompanyName": "maptag",
        "GeneratorId": GENERATOR_ID,
        "AwsAccountId": hub.account_id,
        "Region": hub.region,
        "Types": list(TYPES),
    }


def resolved_finding(previous: ActiveFinding, why: str, run: RunInfo, hub: Hub) -> dict[str, Any]:
    """The import that closes a finding: compliance PASSED, record ARCHIVED (its workflow is
    set RESOLVED afterwards with BatchUpdateFindings, see ``resolve_workflows``)."""
    resource = {"arn": previous.arn, "type": previous.type, "account_id": previous.account_id,
                "region": previous.region, "verdict": "resolved"}  # fmt: skip
    short = _short_name(previous.arn)
    return {
        **_envelope(previous.id, hub),
        "CreatedAt": previous.created_at,
        "LastObservedAt": run.timestamp,
        "UpdatedAt": run.timestamp,
        "Severity": {"Label": "INFORMATIONAL", "Original": "resolved"},
        "FindingProviderFields": {"Severity": {"Label": "INFORMATIONAL", "Original": "resolved"}},
        "Title": _cut(f"'{MAP_KEY}' tag resolved on {previous.type} {short}", 256),
        "Description": _cut(f"{previous.type} {previous.arn}: {why}.", 1024),
        "Resources": [_resource(resource)],
        "Compliance": {"Status": "PASSED"},
        "RecordState": "ARCHIVED",
        "ProductFields": _product_fields(resource, run),
    }


def publish_findings(
    report: ScanReport,
    run: RunInfo,
    *,
    session: boto3.Session | None = None,
    region: str | None = None,
    account_id: str | None = None,
    refresh_days: int = DEFAULT_REFRESH_DAYS,
    dry_run: bool = False,
) -> SinkOutcome:
    """Import this run's new and changed findings into Security Hub, resolve the fixed ones,
    refresh the unchanged ones that are due (see the module docstring); never raises.

    ``region``/``account_id`` name the Security Hub that receives the findings (default: the
    session's region and the caller's account). ``dry_run`` reads the active findings and
    says what would be sent, sending nothing.
    """

    def deliver() -> SinkOutcome:
        if not 0 <= refresh_days <= MAX_REFRESH_DAYS:
            raise ValueError(
                f"refresh_days {refresh_days!r} is not a number of days from 0 to {MAX_REFRESH_DAYS}"
            )
        chosen = session or boto3.Session()
        where = region or chosen.region_name or report.policy.regions[0]
        hub = Hub(region=where, account_id=account_id or caller_account(chosen, where))
        client = Clients(chosen, where)("securityhub")
        return _publish(report, run, hub, client, refresh_days, dry_run)

    return guarded(NAME, deliver)


def _publish(
    report: ScanReport, run: RunInfo, hub: Hub, client: Any, refresh_days: int, dry_run: bool
) -> SinkOutcome:
    active = {found.id: found for found in active_findings(client, hub)}
    evaluated = {r.unit for r in report.units if not r.failed}
    scanned_types = set(report.policy.types)
    importer = _Importer(client, send=not dry_run)
    counts = dict.fromkeys(("created", "updated", "refreshed", "resolved", "unchanged", "kept"), 0)
    notes: dict[str, str] = {}  # finding id → the note its workflow update carries
    workflows_kept = 0

    def resolve(previous: ActiveFinding, why: str, kind: str) -> None:
        """``why`` goes into the finding's description; the workflow note says only ``kind``,
        so the updates share a few notes and go 100 per call (a note is per call)."""
        nonlocal workflows_kept
        importer.add(resolved_finding(previous, why, run, hub))
        counts["resolved"] += 1
        if previous.workflow in _KEEP_WORKFLOWS:
            workflows_kept += 1
        else:
            notes[previous.id] = _cut(f"maptag run {run.run_id}: {kind}", MAX_NOTE)

    for resource in report.resources():
        fid = finding_id(resource["arn"])
        previous = active.pop(fid, None)
        verdict = resource["verdict"]
        if verdict in SEVERITY:
            item = asff_finding(resource, run, hub, previous.created_at if previous else None)
            change = _change(item, previous, run, refresh_days)
            counts[change] += 1
            if change != "unchanged":
                importer.add(item)
        elif previous is not None and _unit_of(previous) in evaluated:
            if verdict == Verdict.COMPLIANT:
                resolve(previous, "the resource is now compliant", "the resource is now compliant")
            else:
                why = f"the resource is now out of scope: {resource['reason']}"
                resolve(previous, why, "the resource is now out of scope (the finding says why)")
        elif previous is not None:
            counts["kept"] += 1

    for previous in active.values():
        # Gone since the last run, unless its unit failed or its type was not scanned: then
        # nothing is known about it and its finding stays as it was.
        if _unit_of(previous) in evaluated and previous.type in scanned_types:
            resolve(previous, "the resource no longer exists", "the resource no longer exists")
        else:
            counts["kept"] += 1
    importer.flush()

    summary = (
        f"{counts['created']} created, {counts['updated']} updated, {counts['resolved']} resolved, "
        f"{counts['refreshed']} refreshed, {counts['unchanged']} unchanged, "
        f"{counts['kept']} kept (unit failed or not scanned) in {hub.account_id}/{hub.region}"
    )
    kept = f", {workflows_kept} left RESOLVED or SUPPRESSED as they were" if workflows_kept else ""
    if dry_run:
        return SinkOutcome(
            NAME,
            True,
            f"dry run: would import {importer.sent} finding(s) and set workflow RESOLVED on "
            f"{len(notes)}{kept}, sent nothing; {summary}",
        )
    # Only findings whose archiving import went through are marked resolved.
    archived = {fid: note for fid, note in notes.items() if fid not in importer.failed}
    if notes or workflows_kept:
        summary += "; " + resolve_workflows(client, hub, archived).describe() + kept
    if importer.failed:
        first_id, first_error = next(iter(importer.failed.items()))
        refused = f"{len(importer.failed)} finding(s) not imported (first: {first_id}: {first_error})"
        return SinkOutcome(NAME, False, f"{refused}; {summary}")
    return SinkOutcome(NAME, True, summary)


@dataclass(frozen=True, slots=True)
class WorkflowUpdates:
    """What BatchUpdateFindings did: how many workflows were set, and why the others were not."""

    resolved: int
    failed: Mapping[str, str]  # finding id → error

    def describe(self) -> str:
        if not self.failed:
            return f"workflow RESOLVED on {self.resolved}"
        first_id, first_error = next(iter(self.failed.items()))
        return (
            f"workflow RESOLVED on {self.resolved}, not updated on {len(self.failed)} "
            f"(first: {first_id}: {first_error})"
        )


def resolve_workflows(client: Any, hub: Hub, notes: Mapping[str, str]) -> WorkflowUpdates:
    """Set workflow RESOLVED on these findings (id → note), 100 per BatchUpdateFindings call.

    Throttling is retried by the client (maptag.aws); the first error that remains stops the
    updates, since the rest would meet it too (a missing permission, an unsupported endpoint).
    """
    by_note: dict[str, list[str]] = {}
    for fid, note in notes.items():
        by_note.setdefault(note, []).append(fid)
    batches = [
        (note, ids[start : start + BATCH])
        for note, ids in by_note.items()
        for start in range(0, len(ids), BATCH)
    ]
    resolved, failed = 0, {}
    for index, (note, ids) in enumerate(batches):
        try:
            response = client.batch_update_findings(
                FindingIdentifiers=[{"Id": fid, "ProductArn": hub.product_arn} for fid in ids],
                Workflow={"Status": "RESOLVED"},
                Note={"Text": note, "UpdatedBy": NOTE_BY},
            )
        except (ClientError, BotoCoreError) as error:
            message = describe_error(error)
            failed.update(dict.fromkeys((fid for _, rest in batches[index:] for fid in rest), message))
            break
        unprocessed = {
            item.get("FindingIdentifier", {}).get("Id", ""): (
                f"{item.get('ErrorCode', '?')}: {item.get('ErrorMessage', '')}".rstrip(": ")
            )
            for item in response.get("UnprocessedFindings", [])
        }
        failed.update(unprocessed)
        resolved += len(ids) - len(unprocessed)
    if failed:
        first = next(iter(failed.values()))
        logger.warning("security hub workflow not set RESOLVED on %d finding(s): %s", len(failed), first)
    return WorkflowUpdates(resolved, failed)


def _change(item: Mapping[str, Any], previous: ActiveFinding | None, run: RunInfo, refresh_days: int) -> str:
    """What a still non-compliant resource's finding needs this run (a ``counts`` key)."""
    if previous is None:
        return "created"
    if previous.fingerprint != item["ProductFields"][FINGERPRINT]:
        return "updated"
    if refresh_due(previous.id, previous.updated_at, run.scanned_at, refresh_days):
        return "refreshed"
    return "unchanged"


def active_findings(client: Any, hub: Hub) -> Iterator[ActiveFinding]:
    """maptag's active findings in this hub, page by page (100 at a time)."""
    filters = {
        "ProductArn": [{"Value": hub.product_arn, "Comparison": "EQUALS"}],
        "GeneratorId": [{"Value": GENERATOR_ID, "Comparison": "EQUALS"}],
        "RecordState": [{"Value": "ACTIVE", "Comparison": "EQUALS"}],
    }
    for page in client.get_paginator("get_findings").paginate(
        Filters=filters, PaginationConfig={"PageSize": 100}
    ):
        for finding in page["Findings"]:
            # The filter already says this; checking again costs nothing and keeps a foreign
            # finding from ever being resolved by maptag.
            if (
                finding.get("GeneratorId") != GENERATOR_ID
                or finding.get("ProductArn") != hub.product_arn
                or finding.get("RecordState", "ACTIVE") != "ACTIVE"
            ):
                continue
            fields = finding.get("ProductFields", {})
            resource = (finding.get("Resources") or [{}])[0]
            yield ActiveFinding(
                id=finding["Id"],
                created_at=finding["CreatedAt"],
                arn=resource.get("Id", ""),
                type=fields.get("maptag/type", ""),
                account_id=fields.get("maptag/account_id", ""),
                region=fields.get("maptag/region", resource.get("Region", "")),
                updated_at=str(finding.get("UpdatedAt", "")),
                # Findings imported before fingerprints existed have none: updated once.
                fingerprint=fields.get(FINGERPRINT, ""),
                workflow=str((finding.get("Workflow") or {}).get("Status", "")),
            )


class _Importer:
    """Buffers findings into batches of 100 and sends them, retrying the refused ones."""

    def __init__(
        self, client: Any, sleep: Callable[[float], None] = time.sleep, *, send: bool = True
    ) -> None:
        self._client = client
        self._sleep = sleep
        self._send_calls = send  # False: a dry run, which only counts
        self._batch: list[dict[str, Any]] = []
        self.failed: dict[str, str] = {}
        self.sent = 0

    def add(self, finding: dict[str, Any]) -> None:
        self._batch.append(finding)
        if len(self._batch) == BATCH:
            self.flush()

    def flush(self) -> None:
        pending, self._batch = self._batch, []
        self.sent += len(pending)
        if not self._send_calls:
            return
        for attempt in range(ATTEMPTS):
            if not pending:
                return
            if attempt:
                self._sleep(0.5 * 2**attempt)
            errors = self._send(pending)
            pending = [finding for finding in pending if finding["Id"] in errors]
            if not pending:
                return
            if attempt == ATTEMPTS - 1:
                self.failed.update(errors)
                logger.warning("security hub refused %d finding(s) after %d attempts", len(errors), ATTEMPTS)

    def _send(self, findings: list[dict[str, Any]]) -> dict[str, str]:
        try:
            response = self._client.batch_import_findings(Findings=findings)
        except (ClientError, BotoCoreError) as error:
            message = describe_error(error)
            return {finding["Id"]: message for finding in findings}
        return {
            failed.get("Id", ""): f"{failed.get('ErrorCode', '?')}: {failed.get('ErrorMessage', '')}"
            for failed in response.get("FailedFindings", [])
        }


def _resource(resource: Mapping[str, Any]) -> dict[str, Any]:
    arn = str(resource["arn"])
    return {
        "Type": ASFF_TYPES.get(resource["type"], "Other"),
        "Id": arn,
        "Partition": arn.split(":")[1] if arn.count(":") > 1 else "aws",
        "Region": resource["region"],
        # Only maptag's own facts: never the resource's other tags.
        "Details": {
            "Other": {"maptag:type": str(resource["type"]), "maptag:account": str(resource["account_id"])}
        },
    }


def _product_fields(resource: Mapping[str, Any], run: RunInfo) -> dict[str, str]:
    fields = {
        "ProviderName": "maptag",
        "ProviderVersion": __version__,
        "maptag/verdict": str(resource["verdict"]),
        "maptag/type": str(resource["type"]),
        "maptag/account_id": str(resource["account_id"]),
        "maptag/region": str(resource["region"]),
        "maptag/run_id": run.run_id,
    }
    observed = resource.get("observed") or {}
    if observed.get("key"):
        # The map-migrated key (or its near-miss spelling) and its value: nothing else.
        fields["maptag/observed_key"] = _cut(str(observed["key"]), 2048)
        if observed.get("value") is not None:
            fields["maptag/observed_value"] = _cut(str(observed["value"]), 2048)
    return fields


def _unit_of(found: ActiveFinding) -> ScanUnit:
    return ScanUnit(found.account_id, found.region)


def _parse_time(text: str) -> datetime | None:
    """An ASFF timestamp (RFC 3339, 'Z' or an offset, optional fraction) as an aware datetime."""
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _short_name(arn: str) -> str:
    tail = arn.rsplit(":", 1)[-1]
    return tail.rsplit("/", 1)[-1] or arn


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _deliver(report: ScanReport, run: RunInfo, delivery: Delivery) -> SinkOutcome:
    days = delivery.securityhub_refresh_days
    return publish_findings(
        report,
        run,
        session=delivery.session,
        refresh_days=DEFAULT_REFRESH_DAYS if days is None else days,
        dry_run=delivery.dry_run,
    )


SINK = Sink(
    NAME,
    "one finding per non-compliant resource in your Security Hub; fixed ones resolved",
    _deliver,
    laptop=True,
    deployed=True,
    default=True,
)

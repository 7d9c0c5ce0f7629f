"""Fix what a scan found: FixSource → the plan (`planned`); FixRequest → capped, and with apply
made → FixResult (`run`); `execute` shows it as `maptag fix` does.

`maptag fix` (commands/fix.py) and `maptag demo --fix` plan with `planned` and run with
`execute`; the deployed remediation (app.remediate.run, the remediate Lambda) plans from the
run's shards in S3 and runs through `run`. All get the same cap (more changes than the cap:
nothing written), the same re-read-then-write and journal (maptag.fix.apply), the same count of
what was applied (docs/fix.md).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from maptag.app.errors import UsageError, warn
from maptag.app.exit_codes import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, after_units
from maptag.rules import quote

if TYPE_CHECKING:
    from maptag.app.scan import ScanRequest
    from maptag.console import ScanConsole
    from maptag.fix.apply import Journal, Outcome
    from maptag.fix.plan import FixPlan
    from maptag.policy import Policy

DEFAULT_MAX_CHANGES = 100


@dataclass(frozen=True)
class FixSource:
    """Where the plan comes from: a scan (``scan``), a JSON scan report (``report``) or a
    journal to undo (``undo``); ``value`` for resources that have none."""

    scan: ScanRequest | None = None
    report: Path | None = None
    undo: Path | None = None
    value: str | None = None
    remove_near_miss: bool = False
    role_name: str | None = None  # --from-report: the report's policy, this role


@dataclass(frozen=True)
class Planned:
    plan: FixPlan
    policy: Policy | None  # None: an undo
    mode: str  # "plan" or "undo"
    failed_units: int = 0  # units the scan (or the report) could not evaluate


@dataclass(frozen=True)
class FixRequest:
    plan: FixPlan
    policy: Policy | None  # None: an undo (no engagement; each change carries its own value)
    max_changes: int
    apply: bool = False
    # made only when applying: the journal, and the clients of each unit (ScanUnit → Clients)
    journal: Callable[[], Journal] | None = None
    clients: Callable[[], Callable[[Any], Any]] | None = None


@dataclass(frozen=True)
class FixResult:
    plan: FixPlan
    refused: bool  # more changes than max_changes: nothing written
    outcomes: tuple[Outcome, ...] = ()  # one per change, when applied
    journal: Journal | None = None

    @property
    def applied(self) -> int:
        from maptag.fix.apply import APPLIED

        return sum(outcome.result == APPLIED for outcome in self.outcomes)

    @property
    def not_applied(self) -> list[Outcome]:
        from maptag.fix.apply import APPLIED

        return [outcome for outcome in self.outcomes if outcome.result != APPLIED]

    @property
    def code(self) -> int:
        """docs/contracts.md: 0 plan shown or every change applied; 1 some not applied; 2 refused."""
        if self.refused:
            return EXIT_USAGE
        return EXIT_FINDINGS if self.not_applied else EXIT_OK


def run(request: FixRequest) -> FixResult:
    """The plan within the cap; with apply, each change made, journalled, its outcome kept."""
    changes = request.plan.changes
    if len(changes) > request.max_changes:
        return FixResult(plan=request.plan, refused=True)
    if not request.apply or request.journal is None or request.clients is None:
        return FixResult(plan=request.plan, refused=False)
    from maptag.fix.apply import apply_changes

    journal = request.journal()
    outcomes = tuple(apply_changes(changes, request.clients(), journal, request.policy))
    return FixResult(plan=request.plan, refused=False, outcomes=outcomes, journal=journal)


def planned(source: FixSource, console: ScanConsole) -> Planned:
    """The plan from its source; failed units named on stderr (they are counted in the exit code)."""
    from maptag.fix.apply import read_journal, undo_changes
    from maptag.fix.plan import FixPlan

    if source.undo is not None:
        shown = quote(str(source.undo), 200)
        try:
            applied = read_journal(source.undo, warn)
        except FileNotFoundError:
            raise UsageError(f"--undo: journal {shown} not found") from None
        except (OSError, UnicodeDecodeError) as error:
            raise UsageError(f"--undo: cannot read {shown}: {error}") from None
        return Planned(FixPlan(changes=undo_changes(applied)), None, "undo")
    if source.report is not None:
        policy, items, failed = read_report(source.report, source.role_name)
        return _plan(source, policy, items, failed)
    if source.scan is None:
        raise UsageError("fix: nothing to plan from (a scan, --from-report or --undo)")
    from maptag.app.scan import name_failed_units, scanned

    with scanned(source.scan, console) as report:
        name_failed_units(report)
        return _plan(source, report.policy, list(report.resources()), len(report.failed_units))


def _plan(source: FixSource, policy: Policy, items: list[dict[str, Any]], failed: int) -> Planned:
    from maptag.fix.plan import plan_fixes, value_problem

    if source.value is not None:
        problem = value_problem(source.value, policy)
        if problem is not None:
            raise UsageError(f"--value: {problem}")
    plan = plan_fixes(items, policy, value=source.value, remove_near_miss=source.remove_near_miss)
    return Planned(plan, policy, "plan", failed)


def read_report(path: Path, role_name: str | None) -> tuple[Policy, list[dict[str, Any]], int]:
    """A `maptag/scan-report@1` JSON file's policy, resources and failed units (each named)."""
    from maptag.policy import Policy, PolicyError
    from maptag.report.model import SCHEMA as REPORT_SCHEMA

    shown = quote(str(path), 200)
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"--from-report: file {shown} not found") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise UsageError(f"--from-report: cannot read {shown}: {error}") from None
    if not isinstance(report, dict) or report.get("schema") != REPORT_SCHEMA:
        found = report.get("schema") if isinstance(report, dict) else None
        raise UsageError(f"--from-report: {shown} is not a {REPORT_SCHEMA} JSON report (schema {found!r})")
    raw = report.get("policy") or {}
    try:
        policy = Policy.build(
            mpe_ids=raw.get("mpe_ids"),
            regions=raw.get("regions"),
            accounts=raw.get("accounts") or (),
            organization=bool(raw.get("organization")),
            types=raw.get("types"),
            accept_legacy=bool(raw.get("accept_legacy")),
            agreement_start=raw.get("agreement_start"),
            exclusions=raw.get("exclusions") or (),
            role_name=role_name,
        )
    except PolicyError as error:
        if str(error).startswith("role_name:"):
            raise UsageError(f"--role-name: {str(error).partition(': ')[2]}") from None
        raise UsageError(f"--from-report: {shown}: policy.{error}") from None
    resources = report.get("resources")
    if not isinstance(resources, list) or not all(isinstance(item, dict) for item in resources):
        raise UsageError(f"--from-report: {shown} has no resources list")
    failed = [unit for unit in report.get("units") or () if unit.get("status") == "failed"]
    for unit in failed:
        key = f"{unit.get('account_id')}/{unit.get('region')}"
        print(f"maptag: error: unit {key} failed in the report: {unit.get('error')}", file=sys.stderr)
    return policy, resources, len(failed)


def execute(
    planned_fix: Planned,
    *,
    out: IO[str],
    fmt: str = "table",
    apply: bool = False,
    max_changes: int = DEFAULT_MAX_CHANGES,
    journal: Path | None = None,
    role_name: str | None = None,
) -> int:
    """Show the plan; with apply (and within the cap) make it (`run`). The exit code
    (docs/contracts.md), the failed units counted."""
    from maptag.console import note
    from maptag.fix.show import write_plan

    plan, mode = planned_fix.plan, planned_fix.mode
    journal_path = journal or Path(f"maptag-fix-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}.jsonl")
    request = FixRequest(
        plan=plan,
        policy=planned_fix.policy,
        max_changes=max_changes,
        apply=apply,
        journal=lambda: _journal(journal_path),
        clients=lambda: _clients_for(role_name, planned_fix.policy),
    )
    result = run(request)
    changes = plan.changes
    if result.refused:
        write_plan(out, fmt, mode, plan, None, None)
        raise UsageError(
            f"--max-changes: the {mode} holds {len(changes)} changes, more than {max_changes}: "
            "nothing written (narrow the scope, or raise --max-changes)"
        )
    if not apply:
        write_plan(out, fmt, mode, plan, None, None)
        if changes:
            note(f"maptag: nothing written: run again with --apply to make these {len(changes)} changes")
        return after_units(result.code, planned_fix.failed_units)
    write_plan(out, fmt, mode, plan, result.outcomes, journal_path)
    for outcome in result.not_applied:
        print(f"maptag: error: {outcome.result}: {outcome.change.arn}: {outcome.detail}", file=sys.stderr)
    note(f"maptag: {result.applied} of {len(result.outcomes)} changes applied; journal: {journal_path}")
    return after_units(result.code, planned_fix.failed_units)


def _journal(path: Path) -> Journal:
    """The journal, created before any change is made (one line, exit 2, when it cannot be)."""
    from maptag.fix.apply import Journal

    try:
        return Journal(path)
    except OSError as error:
        raise UsageError(f"--journal: cannot write {quote(str(path), 200)}: {error.strerror}") from None


def _clients_for(role_name: str | None, policy: Policy | None) -> Callable[[Any], Any]:
    """Clients per unit: the caller's own account, or the role assumed in each other one."""
    import boto3

    from maptag.aws import caller_account
    from maptag.policy import Policy
    from maptag.scan import AccountAccess

    session = boto3.Session()
    region = session.region_name or os.environ.get("AWS_REGION") or "us-east-1"
    if policy is None:
        # An undo has no engagement; AccountAccess reads only the role name of its policy.
        policy = Policy.model_construct(mpe_ids=(), regions=(region,), role_name=role_name)
    access = AccountAccess(session, policy, caller_account(session, region))
    clients: Callable[[Any], Any] = access.clients
    return clients

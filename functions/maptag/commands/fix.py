"""`maptag fix`: plan, and with --apply make, the tag changes a scan found (docs/fix.md).

Safe by construction: without --apply nothing is written; more changes than --max-changes is
exit 2 with nothing written; each change is re-read first and journalled before the next;
`--undo JOURNAL` puts back what a journal changed. Exit codes: 0 plan shown or every change
applied; 1 some changes not applied (each named); 2 usage, configuration or cap; 3 a unit could
not be scanned.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from maptag.app.exit_codes import after_units
from maptag.app.settings import spellings
from maptag.commands import UsageError, warn
from maptag.commands.scan import add_scope_flags
from maptag.fix.plan import FixPlan, plan_fixes, value_problem
from maptag.rules import quote

DEFAULT_MAX_CHANGES = 100
FIX_FORMATS = ("table", "json")
SCHEMA = "maptag/fix@1"


def register(commands: Any) -> None:
    fix = commands.add_parser(
        "fix",
        help="plan (and with --apply make) the map-migrated tag changes a scan found",
        description="Fix what the scan found: a plan first, a cap, a journal of every change, an undo.",
        epilog="Without --apply nothing is written. Exit codes: 0 plan shown or every change applied; "
        "1 some changes failed or were skipped (each named); 2 usage, configuration or more changes "
        "than --max-changes (nothing written); 3 a unit could not be scanned. docs/fix.md",
    )
    add_scope_flags(fix)
    fix.add_argument("--from-report", type=Path, metavar="REPORT.json", help="plan from a JSON scan report")
    fix.add_argument(
        "--value", metavar="VALUE", help="the value for resources that have none (e.g. mig12345)"
    )
    fix.add_argument("--apply", action="store_true", help="make the changes (without it: show the plan only)")
    fix.add_argument(
        "--max-changes",
        type=int,
        default=DEFAULT_MAX_CHANGES,
        metavar="N",
        help=f"refuse (exit 2, nothing written) a plan of more changes (default {DEFAULT_MAX_CHANGES})",
    )
    fix.add_argument(
        "--remove-near-miss",
        action="store_true",
        help="also delete the near-miss key once map-migrated is set",
    )
    fix.add_argument("--journal", type=Path, metavar="FILE", help="default: ./maptag-fix-<run id>.jsonl")
    fix.add_argument(
        "--format", dest="fix_format", choices=FIX_FORMATS, default="table", help="default: table"
    )
    fix.add_argument("--undo", type=Path, metavar="JOURNAL", help="put back every tag the journal changed")
    fix.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if args.max_changes < 0:
        raise UsageError(f"--max-changes: {args.max_changes} is not a number of changes (0 or more)")
    if args.undo is not None:
        return _undo(args)
    if args.from_report is not None:
        given = [spellings()[name].flag for name in _POLICY_FLAGS if getattr(args, name, None) is not None]
        if given or args.config is not None:
            shown = ", ".join(str(flag) for flag in [*given, *(["--config"] if args.config else [])])
            raise UsageError(f"--from-report: plans with the report's own policy; drop {shown}")
        policy, items, failed_units = _read_report(args.from_report, args.role_name)
        return _fix(args, policy, items, failed_units)
    from maptag.app.scan import ScanRequest, scanned
    from maptag.app.settings import ScopeSettings, resolve
    from maptag.console import ScanConsole
    from maptag.console import Settings as Console

    # only the scope: a config file shared with `maptag scan` may hold its other settings
    request = ScanRequest(settings=resolve(vars(args), args.config, ScopeSettings))
    console = ScanConsole(enabled=args.fix_format == "table" and sys.stderr.isatty() and not Console.quiet)
    with scanned(request, console) as report:
        for failed in report.failed_units:
            print(f"maptag: error: unit {failed.unit.key} failed: {failed.error}", file=sys.stderr)
        return _fix(args, report.policy, list(report.resources()), len(report.failed_units))


# The scope flags; with --from-report the report's policy is used instead (only --role-name stays).
_POLICY_FLAGS = (
    "mpe_ids",
    "regions",
    "accounts",
    "organization",
    "agreement_start",
    "types",
    "exclusions",
    "accept_legacy",
)


def _read_report(path: Path, role_name: str | None) -> tuple[Any, list[dict[str, Any]], int]:
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


def _fix(args: argparse.Namespace, policy: Any, items: list[dict[str, Any]], failed_units: int) -> int:
    value = args.value
    if value is not None:
        problem = value_problem(value, policy)
        if problem is not None:
            raise UsageError(f"--value: {problem}")
    plan = plan_fixes(items, policy, value=value, remove_near_miss=args.remove_near_miss)
    code = _execute(args, plan, policy, "plan")
    return after_units(code, failed_units)


def _undo(args: argparse.Namespace) -> int:
    from maptag.fix.apply import read_journal, undo_changes

    shown = quote(str(args.undo), 200)
    try:
        applied = read_journal(args.undo, warn)
    except FileNotFoundError:
        raise UsageError(f"--undo: journal {shown} not found") from None
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"--undo: cannot read {shown}: {error}") from None
    changes = undo_changes(applied)
    return _execute(args, FixPlan(changes=changes), None, "undo")


def _execute(args: argparse.Namespace, plan: FixPlan, policy: Any, mode: str) -> int:
    """Show the plan; with --apply (and within the cap) make it (app.fix.run). The exit code."""
    from maptag.app import fix

    out = sys.stdout
    changes = plan.changes
    journal_path = args.journal or Path(f"maptag-fix-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}.jsonl")
    request = fix.FixRequest(
        plan=plan,
        policy=policy,
        max_changes=args.max_changes,
        apply=args.apply,
        journal=lambda: _journal(journal_path),
        clients=lambda: _clients_for(args, policy),
    )
    result = fix.run(request)
    if result.refused:
        _show(out, args.fix_format, mode, plan, None, None)
        raise UsageError(
            f"--max-changes: the {mode} holds {len(changes)} changes, more than {args.max_changes}: "
            "nothing written (narrow the scope, or raise --max-changes)"
        )
    if not args.apply:
        _show(out, args.fix_format, mode, plan, None, None)
        if changes:
            _note(f"maptag: nothing written: run again with --apply to make these {len(changes)} changes")
        return result.code
    _show(out, args.fix_format, mode, plan, result.outcomes, journal_path)
    for outcome in result.not_applied:
        print(f"maptag: error: {outcome.result}: {outcome.change.arn}: {outcome.detail}", file=sys.stderr)
    _note(f"maptag: {result.applied} of {len(result.outcomes)} changes applied; journal: {journal_path}")
    return result.code


def _journal(path: Path) -> Any:
    """The journal, created before any change is made (one line, exit 2, when it cannot be)."""
    from maptag.fix.apply import Journal

    try:
        return Journal(path)
    except OSError as error:
        raise UsageError(f"--journal: cannot write {quote(str(path), 200)}: {error.strerror}") from None


def _clients_for(args: argparse.Namespace, policy: Any) -> Any:
    """Clients per unit: the caller's own account, or --role-name assumed in each other one."""
    import boto3

    from maptag.aws import caller_account
    from maptag.policy import Policy
    from maptag.scan import AccountAccess

    session = boto3.Session()
    region = session.region_name or os.environ.get("AWS_REGION") or "us-east-1"
    if policy is None:
        # An undo has no engagement; AccountAccess reads only the role name of its policy.
        policy = Policy.model_construct(mpe_ids=(), regions=(region,), role_name=args.role_name)
    access = AccountAccess(session, policy, caller_account(session, region))
    return access.clients


def _note(line: str) -> None:
    from maptag.console import note

    note(line)


def _show(
    out: IO[str], fmt: str, mode: str, plan: FixPlan, outcomes: Iterable[Any] | None, journal: Path | None
) -> None:
    results = list(outcomes) if outcomes is not None else None
    if fmt == "json":
        document: dict[str, Any] = {
            "schema": SCHEMA,
            "mode": mode,
            "applied": results is not None,
            **plan.to_json(),
        }
        if results is not None:
            document["results"] = [
                {**o.change.to_json(), "result": o.result, "detail": o.detail} for o in results
            ]
            document["journal"] = str(journal)
        json.dump(document, out, indent=2, ensure_ascii=False)
        out.write("\n")
        return
    header = "undo" if mode == "undo" else "fix plan"
    out.write(f"{header}: {len(plan.changes)} change(s), {len(plan.decisions)} need(s) a decision\n")
    by_change = {id(o.change): o for o in results or ()}
    for change in plan.changes:
        result = by_change.get(id(change))
        status = result.result.upper() if result is not None else "CHANGE"
        before = "(absent)" if change.before is None else quote(change.before)
        after = "(removed)" if change.after is None else quote(change.after)
        line = f"{status:8} {change.arn}  {change.key}: {before} -> {after}"
        why = result.detail if result is not None and result.detail else change.why
        out.write(f"{line}  [{change.verdict or mode}] {_printable(why)}\n")
    for decision in plan.decisions:
        out.write(f"DECIDE   {decision.arn}  [{decision.verdict}] {_printable(decision.reason)}\n")
    out.flush()  # before the closing lines on stderr


def _printable(text: str) -> str:
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)

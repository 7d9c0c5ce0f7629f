"""`maptag fix`: plan, and with --apply make, the tag changes a scan found (docs/fix.md).

Safe by construction: without --apply nothing is written; more changes than --max-changes is
exit 2 with nothing written; each change is re-read first and journalled before the next;
`--undo JOURNAL` puts back what a journal changed. Exit codes: 0 plan shown or every change
applied; 1 some changes not applied (each named); 2 usage, configuration or cap; 3 a unit could
not be scanned.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from maptag.app.fix import DEFAULT_MAX_CHANGES
from maptag.app.settings import spellings
from maptag.commands import UsageError
from maptag.commands.scan import add_scope_flags
from maptag.fix.show import FORMATS


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
    fix.add_argument("--format", dest="fix_format", choices=FORMATS, default="table", help="default: table")
    fix.add_argument("--undo", type=Path, metavar="JOURNAL", help="put back every tag the journal changed")
    fix.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Arguments → FixSource → app.fix.planned → app.fix.execute."""
    from maptag.app import fix
    from maptag.console import ScanConsole
    from maptag.console import Settings as Console

    if args.max_changes < 0:
        raise UsageError(f"--max-changes: {args.max_changes} is not a number of changes (0 or more)")
    source = fix.FixSource(value=args.value, remove_near_miss=args.remove_near_miss, role_name=args.role_name)
    if args.undo is not None:
        source = fix.FixSource(undo=args.undo, role_name=args.role_name)
    elif args.from_report is not None:
        given = [spellings()[name].flag for name in _POLICY_FLAGS if getattr(args, name, None) is not None]
        if given or args.config is not None:
            shown = ", ".join(str(flag) for flag in [*given, *(["--config"] if args.config else [])])
            raise UsageError(f"--from-report: plans with the report's own policy; drop {shown}")
        source = fix.FixSource(
            report=args.from_report,
            value=args.value,
            remove_near_miss=args.remove_near_miss,
            role_name=args.role_name,
        )
    else:
        from maptag.app.scan import ScanRequest
        from maptag.app.settings import ScopeSettings, resolve

        # only the scope: a config file shared with `maptag scan` may hold its other settings
        scan = ScanRequest(settings=resolve(vars(args), args.config, ScopeSettings))
        source = fix.FixSource(scan=scan, value=args.value, remove_near_miss=args.remove_near_miss)
    console = ScanConsole(enabled=args.fix_format == "table" and sys.stderr.isatty() and not Console.quiet)
    return fix.execute(
        fix.planned(source, console),
        out=sys.stdout,
        fmt=args.fix_format,
        apply=args.apply,
        max_changes=args.max_changes,
        journal=args.journal,
        role_name=args.role_name,
    )


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

"""`maptag demo`: seed an embedded AWS with a migrated estate, scan it, report (docs/contracts.md, "CLI")."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from maptag.app.demo import DEFAULT_OUTPUT_DIR


def register(commands: Any) -> None:
    demo = commands.add_parser(
        "demo",
        help="the whole pipeline on an embedded AWS: seed a migrated estate, scan it, report",
        description=(
            "Start an embedded moto server and a local Migration Hub on 127.0.0.1, seed a "
            "realistic migrated estate (2 accounts × 2 regions), scan it as `maptag scan` does, "
            "print the coverage table, write the HTML and JSON reports and publish to the local "
            "Migration Hub. No AWS account is used."
        ),
    )
    demo.add_argument(
        "--resources", type=_count, default=None, metavar="N", help="about how many resources to seed (1000)"
    )
    demo.add_argument(
        "--keep-running",
        action="store_true",
        help="keep the embedded AWS up until Ctrl-C and print how to reach it",
    )
    demo.add_argument(
        "--output-dir",
        type=Path,
        default=DEFAULT_OUTPUT_DIR,
        metavar="DIR",
        help=f"where the reports go (default: ./{DEFAULT_OUTPUT_DIR})",
    )
    demo.add_argument(
        "--fix",
        action="store_true",
        help="then `maptag fix`: the plan, --apply, and a scan: coverage before and after (docs/fix.md)",
    )
    demo.add_argument("--seed", type=_count, default=None, metavar="N", help="the estate's random seed")
    demo.set_defaults(handler=run)


def _count(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None


def run(args: argparse.Namespace) -> int:
    from maptag.app import demo

    demo.require_extra()  # before the estate's defaults: the estate needs the extra
    from maptag.local.estate import DEFAULT_RESOURCES, DEFAULT_SEED

    request = demo.DemoRequest(
        resources=DEFAULT_RESOURCES if args.resources is None else args.resources,
        output_dir=args.output_dir,
        keep_running=args.keep_running,
        seed=DEFAULT_SEED if args.seed is None else args.seed,
        fix=args.fix,
    )
    demo.check(request)
    from maptag.local.demo import run_demo  # the demo extra: imported only once checked

    return run_demo(request).code

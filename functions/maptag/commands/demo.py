"""`maptag demo`: seed an embedded AWS with a migrated estate, scan it, report (docs/contracts.md, "CLI")."""

from __future__ import annotations

import argparse
import importlib
from pathlib import Path
from typing import Any

from maptag.commands import UsageError

DEFAULT_OUTPUT_DIR = Path("maptag-demo")
# The embedded AWS is the `demo` extra (pyproject.toml): `pip install .` leaves it out.
EXTRA_MODULES = ("moto.server", "time_machine")
INSTALL_EXTRA = "pip install 'maptag[demo]'"


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


def require_extra() -> None:
    """The demo's modules are importable, or one line saying how to install them (exit 2)."""
    for name in EXTRA_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as missing:
            raise UsageError(
                f"demo: the embedded AWS is not installed (no module {missing.name!r}): {INSTALL_EXTRA}"
            ) from None


def run(args: argparse.Namespace) -> int:
    require_extra()
    from maptag.local.demo import DemoOptions, run_demo
    from maptag.local.estate import DEFAULT_RESOURCES, DEFAULT_SEED, MAX_RESOURCES, minimum_resources

    resources = DEFAULT_RESOURCES if args.resources is None else args.resources
    smallest = minimum_resources()
    if not smallest <= resources <= MAX_RESOURCES:
        raise UsageError(
            f"--resources: {resources} is outside {smallest}..{MAX_RESOURCES} "
            "(the smallest estate that still shows every defect kind, and the largest seeded in time)"
        )
    output_dir: Path = args.output_dir
    if output_dir.exists() and not output_dir.is_dir():
        raise UsageError(f"--output-dir: {str(output_dir)!r} exists and is not a directory")
    try:
        output_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UsageError(f"--output-dir: cannot create {str(output_dir)!r}: {error.strerror}") from None
    seed = DEFAULT_SEED if args.seed is None else args.seed
    options = DemoOptions(
        resources=resources,
        output_dir=output_dir,
        cli_parser=args.cli_parser,
        keep_running=args.keep_running,
        seed=seed,
        fix=args.fix,
    )
    return run_demo(options)

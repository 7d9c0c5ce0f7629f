"""`maptag demo`: DemoRequest, checked here, → the whole pipeline on an embedded AWS → DemoResult.

The demo itself is an edge, maptag.local.demo `run_demo` (it needs the `demo` extra: moto's
server, time-machine); it runs the application layer as the commands do (app.scan, app.hub,
app.history, app.fix), so a failed unit or a failed publish exits as `maptag scan` does.
Without the extra, one line says how to install it (exit 2).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from maptag.app.errors import UsageError
from maptag.app.exit_codes import EXIT_FINDINGS, EXIT_OK, after_publish, after_units

if TYPE_CHECKING:
    from maptag.app.scan import ScanResult

DEFAULT_OUTPUT_DIR = Path("maptag-demo")
# The embedded AWS is the `demo` extra (pyproject.toml): `pip install .` leaves it out.
EXTRA_MODULES = ("moto.server", "time_machine")
INSTALL_EXTRA = "pip install 'maptag[demo]'"


@dataclass(frozen=True)
class DemoRequest:
    resources: int
    output_dir: Path
    keep_running: bool = False
    seed: int = 0
    with_hub: bool = True
    fix: bool = False


@dataclass(frozen=True)
class DemoResult:
    code: int  # 0; 1 a verdict differs from the seeded one; 2 a publish failed; 3 a unit failed
    check_ok: bool  # every seeded resource got the verdict it was seeded for


def exit_code(scan: ScanResult, check_ok: bool) -> int:
    """The demo's exit code: its estate has findings by design (they are what it shows, so no
    1 for them); a failed unit, a failed publish exit as in `maptag scan` (app/exit_codes.py);
    a verdict other than the seeded one is 1."""
    code = after_publish(after_units(EXIT_OK, len(scan.failed_units)), scan.published.ok)
    return code if check_ok else max(code, EXIT_FINDINGS)


def require_extra() -> None:
    """The demo's modules are importable, or one line saying how to install them (exit 2)."""
    for name in EXTRA_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as missing:
            raise UsageError(
                f"demo: the embedded AWS is not installed (no module {missing.name!r}): {INSTALL_EXTRA}"
            ) from None


def check(request: DemoRequest) -> None:
    """The extra is installed, the size in range, the output directory usable (or UsageError)."""
    require_extra()
    from maptag.local.estate import MAX_RESOURCES, minimum_resources

    smallest = minimum_resources()
    if not smallest <= request.resources <= MAX_RESOURCES:
        raise UsageError(
            f"--resources: {request.resources} is outside {smallest}..{MAX_RESOURCES} "
            "(the smallest estate that still shows every defect kind, and the largest seeded in time)"
        )
    output_dir = request.output_dir
    if output_dir.exists() and not output_dir.is_dir():
        raise UsageError(f"--output-dir: {str(output_dir)!r} exists and is not a directory")
    try:
        output_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UsageError(f"--output-dir: cannot create {str(output_dir)!r}: {error.strerror}") from None

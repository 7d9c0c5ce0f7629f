"""The exit codes of every command (docs/contracts.md, "CLI"), decided in one place.

0 every in-scope resource compliant (or coverage ≥ --fail-under, or nothing in scope);
1 findings; 2 usage or configuration error, and a publish that failed; 3 a unit failed.
"""

from __future__ import annotations

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_UNIT_FAILED = 0, 1, 2, 3


def scan_exit_code(
    *, failed_units: bool, coverage: float | None, non_compliant: int, fail_under: float | None = None
) -> int:
    """3 a unit failed; 0 all compliant, nothing in scope, or coverage ≥ fail_under; 1 findings."""
    if failed_units:
        return EXIT_UNIT_FAILED
    if coverage is None:
        return EXIT_OK
    if fail_under is not None:
        return EXIT_OK if coverage >= fail_under else EXIT_FINDINGS
    return EXIT_OK if non_compliant == 0 else EXIT_FINDINGS


def after_publish(code: int, published: bool) -> int:
    """A publish that failed is a configuration or service problem the run must not hide: at
    least 2 (docs/contracts.md), and 3 stays 3. `maptag scan` and `maptag demo` alike."""
    return code if published else max(code, EXIT_USAGE)


def after_units(code: int, failed_units: int) -> int:
    """A unit that could not be scanned outweighs what was made of the others: 3."""
    return EXIT_UNIT_FAILED if failed_units else code

"""The exit codes of docs/contracts.md ("CLI"), decided in one place (app/exit_codes.py)."""

from __future__ import annotations

import pytest

from maptag.app.exit_codes import after_publish, after_units, scan_exit_code


@pytest.mark.parametrize(
    ("failed", "coverage", "non_compliant", "fail_under", "code"),
    [
        (False, 100.0, 0, None, 0),  # every in-scope resource compliant
        (False, None, 0, None, 0),  # nothing in scope
        (False, 80.0, 2, None, 1),  # findings
        (False, 80.0, 2, 75.0, 0),  # coverage at least --fail-under
        (False, 80.0, 2, 95.0, 1),
        (True, 100.0, 0, None, 3),  # a unit failed, whatever the others found
    ],
)
def test_a_scans_exit_code(
    failed: bool, coverage: float | None, non_compliant: int, fail_under: float | None, code: int
) -> None:
    assert (
        scan_exit_code(
            failed_units=failed, coverage=coverage, non_compliant=non_compliant, fail_under=fail_under
        )
        == code
    )


def test_a_failed_publish_is_2_and_a_failed_unit_stays_3() -> None:
    assert [after_publish(code, published=False) for code in (0, 1, 2, 3)] == [2, 2, 2, 3]
    assert [after_publish(code, published=True) for code in (0, 1, 2, 3)] == [0, 1, 2, 3]
    assert (after_units(1, 0), after_units(1, 2)) == (1, 3)

"""Coverage arithmetic (docs/contracts.md, "Verdicts"): what counts, null when nothing is in scope,
and two decimals rounded down so a report never shows a false 100 %."""

from __future__ import annotations

import pytest

from maptag.coverage import Totals, by_type, floor_percent
from maptag.model import Verdict


def test_excluded_resources_are_not_counted() -> None:
    totals = Totals.tally([Verdict.COMPLIANT] * 3 + [Verdict.MISSING] + [Verdict.EXCLUDED] * 10)

    assert totals.in_scope == 4
    assert totals.non_compliant == 1
    assert totals.coverage_percent == 75.0
    assert totals.to_report()["excluded"] == 10


def test_every_non_compliant_verdict_counts_against_coverage() -> None:
    verdicts = [
        Verdict.COMPLIANT,
        Verdict.MISSING,
        Verdict.NEAR_MISS_KEY,
        Verdict.INVALID_VALUE,
        Verdict.UNREADABLE,
    ]
    totals = Totals.tally(verdicts)

    assert totals.in_scope == 5
    assert totals.coverage_shown == 20.0


@pytest.mark.parametrize(
    "verdicts",
    [[], [Verdict.EXCLUDED], [Verdict.EXCLUDED] * 7],
    ids=["nothing at all", "one excluded", "only excluded"],
)
def test_nothing_in_scope_is_null_not_100(verdicts: list[Verdict]) -> None:
    totals = Totals.tally(verdicts)

    assert totals.coverage_percent is None
    assert totals.coverage_shown is None
    assert totals.to_report()["coverage_percent"] is None
    assert totals.coverage_text == "n/a"


@pytest.mark.parametrize(
    ("compliant", "in_scope", "shown"),
    [
        (24999, 25000, 99.99),  # 99.996 %: never rounded up to 100
        (99999, 100000, 99.99),  # 99.999 %
        (1, 3, 33.33),
        (2, 3, 66.66),  # rounded down, not to nearest
        (29, 50, 58.0),  # exact values survive float arithmetic
        (57, 100, 57.0),
        (0, 5, 0.0),
        (5, 5, 100.0),
        (1, 10**9, 0.0),
    ],
)
def test_coverage_is_floored_to_two_decimals(compliant: int, in_scope: int, shown: float) -> None:
    totals = Totals(compliant=compliant, missing=in_scope - compliant)

    assert totals.coverage_shown == shown
    assert totals.to_report()["coverage_percent"] == shown
    assert floor_percent(compliant, in_scope) == shown
    assert totals.coverage_text == f"{shown:.2f} %"


def test_sum_and_by_type() -> None:
    counts = {
        ("ec2:instance", Verdict.COMPLIANT): 2,
        ("ec2:instance", Verdict.MISSING): 2,
        ("ec2:volume", Verdict.NEAR_MISS_KEY): 1,
        ("ec2:volume", Verdict.EXCLUDED): 4,
    }

    types = by_type(counts)
    overall = Totals.sum(types.values())

    assert list(types) == ["ec2:instance", "ec2:volume"]
    assert types["ec2:instance"].coverage_shown == 50.0
    assert types["ec2:volume"].coverage_shown == 0.0
    assert overall == Totals(compliant=2, missing=2, near_miss_key=1, excluded=4)
    assert overall.to_report() == {
        "in_scope": 5,
        "compliant": 2,
        "missing": 2,
        "near_miss_key": 1,
        "invalid_value": 0,
        "unreadable": 0,
        "excluded": 4,
        "coverage_percent": 40.0,
    }

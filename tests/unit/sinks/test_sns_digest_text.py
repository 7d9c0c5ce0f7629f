"""The digest's wording for the edge cases a subscriber must not misread (pure: no AWS)."""

from __future__ import annotations

from datetime import UTC, datetime

from maptag.model import ScanUnit, Verdict
from maptag.sinks.outcome import RunInfo
from maptag.sinks.sns_digest import build_digest, worst_units
from tests.support.sink_fixtures import ACCOUNT, UnitSpec, built_report, many

RUN = RunInfo("r1", datetime(2026, 11, 23, 10, 0, tzinfo=UTC))


def test_nothing_in_scope_is_not_a_false_100() -> None:
    unit = ScanUnit(ACCOUNT, "us-east-1")
    with built_report([UnitSpec(unit, many(unit, Verdict.EXCLUDED, 3, "x"))]) as report:
        digest = build_digest(report, RUN)
    assert digest.subject == "maptag MAP tags: coverage n/a, 0 to fix"
    assert digest.message.startswith("MAP tag coverage: n/a (0 of 0")
    assert "Nothing in scope" in digest.message
    assert "coverage_percent" not in digest.attributes
    assert digest.attributes["status"]["StringValue"] == "compliant"


def test_all_tagged_says_so_and_coverage_is_floored() -> None:
    unit = ScanUnit(ACCOUNT, "us-east-1")
    with built_report([UnitSpec(unit, many(unit, Verdict.COMPLIANT, 5, "c"))]) as report:
        digest = build_digest(report, RUN)
    assert "Every evaluated unit is fully tagged." in digest.message
    # 9,999 of 10,000 is 99.99 %, never rounded up to a false 100
    big = ScanUnit(ACCOUNT, "eu-west-1")
    spec = UnitSpec(big, many(big, Verdict.COMPLIANT, 9999, "c") + many(big, Verdict.MISSING, 1, "m"))
    with built_report([spec]) as report:
        assert "coverage 99.99%" in build_digest(report, RUN).subject


def test_worst_units_lowest_coverage_first_then_most_to_fix_and_capped() -> None:
    specs = []
    for n in range(14):
        unit = ScanUnit(f"{n:012d}", "us-east-1")
        specs.append(
            UnitSpec(unit, many(unit, Verdict.COMPLIANT, n, "c") + many(unit, Verdict.MISSING, 2, "m"))
        )
    with built_report(specs) as report:
        order = [r.unit.account_id for r in worst_units(report.units)]
        message = build_digest(report, RUN).message
    assert order[:3] == ["000000000000", "000000000001", "000000000002"]
    assert "and 4 more unit(s) with resources to fix" in message
    assert "000000000013" not in message.split("Worst units")[1].split("Per resource type")[0]


def test_a_notice_of_the_run_is_one_line_under_the_report_link() -> None:
    unit = ScanUnit(ACCOUNT, "us-east-1")
    notice = "migration-hub skipped: no Migration Hub home region in account 123456789012 (…)"
    with built_report([UnitSpec(unit, many(unit, Verdict.COMPLIANT, 2, "c"))]) as report:
        plain = build_digest(report, RUN).message
        noted = build_digest(report, RUN.with_notices((notice,))).message
    assert "Note:" not in plain
    lines = noted.splitlines()
    assert lines[lines.index("Report: not stored for this run") + 1] == f"Note: {notice}"
    assert noted.count(notice) == 1

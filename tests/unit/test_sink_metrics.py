"""CloudWatch metrics: the EMF lines Powertools prints, captured as its testing recipe shows."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from maptag.model import ScanUnit, Verdict
from maptag.sinks.metrics import emit_metrics
from maptag.sinks.outcome import RunInfo
from tests.sink_fixtures import ACCOUNT, OTHER_ACCOUNT, UnitSpec, built_report, many

RUN = RunInfo("run-3", datetime.now(UTC).replace(microsecond=0))


@pytest.fixture(autouse=True)
def _metrics_on(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("POWERTOOLS_METRICS_DISABLED", "POWERTOOLS_DEV", "POWERTOOLS_METRICS_NAMESPACE"):
        monkeypatch.delenv(name, raising=False)


def emf_lines(capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]


def by_dimensions(lines: list[dict[str, Any]]) -> dict[tuple[tuple[str, str], ...], dict[str, Any]]:
    out = {}
    for line in lines:
        (directive,) = line["_aws"]["CloudWatchMetrics"]
        (dimension_names,) = directive["Dimensions"]
        key = tuple(sorted((name, line[name]) for name in dimension_names))
        units = {m["Name"]: m["Unit"] for m in directive["Metrics"]}
        out[key] = {
            "namespace": directive["Namespace"],
            # Powertools writes each value as a list (EMF allows several values per metric)
            "values": {name: _one(line[name]) for name in units},
            "units": units,
            "timestamp": line["_aws"]["Timestamp"],
            "run_id": line.get("run_id"),
        }
    return out


def _one(value: Any) -> Any:
    assert isinstance(value, list)
    assert len(value) == 1
    return value[0]


def test_coverage_per_account_and_region_and_failed_units(capsys: pytest.CaptureFixture[str]) -> None:
    # Given a run: 3 of 4 tagged in one unit, nothing in scope in a second, a third failed
    good = ScanUnit(ACCOUNT, "us-east-1")
    empty = ScanUnit(ACCOUNT, "eu-west-1")
    failed = ScanUnit(OTHER_ACCOUNT, "us-east-1")
    specs = [
        UnitSpec(good, many(good, Verdict.COMPLIANT, 3, "c") + many(good, Verdict.MISSING, 1, "m")),
        UnitSpec(empty, many(empty, Verdict.EXCLUDED, 2, "x")),
        UnitSpec(failed, [], error="AccessDenied"),
    ]
    with built_report(specs) as report:
        # When the metrics are emitted
        outcome = emit_metrics(report, RUN)

    # Then one EMF line per dimension set, in namespace maptag, stamped with the scan time
    assert outcome.ok, outcome.detail
    metrics = by_dimensions(emf_lines(capsys))
    run = metrics[(("service", "maptag"),)]
    assert run["namespace"] == "maptag"
    assert run["timestamp"] == int(RUN.scanned_at.timestamp() * 1000)
    assert run["run_id"] == "run-3"
    assert run["values"]["CoveragePercent"] == 75.0
    assert run["units"]["CoveragePercent"] == "Percent"
    assert run["values"]["FailedUnits"] == 1
    assert run["values"]["Units"] == 3
    assert run["values"]["NonCompliant"] == 1
    assert run["values"]["Missing"] == 1

    unit = metrics[(("AccountId", ACCOUNT), ("Region", "us-east-1"), ("service", "maptag"))]
    assert unit["values"] == {"InScope": 4, "NonCompliant": 1, "CoveragePercent": 75.0, "UnitFailed": 0}
    # Nothing in scope: no coverage value at all (never a false 100)
    nothing = metrics[(("AccountId", ACCOUNT), ("Region", "eu-west-1"), ("service", "maptag"))]
    assert "CoveragePercent" not in nothing["values"]
    assert nothing["values"]["InScope"] == 0
    broken = metrics[(("AccountId", OTHER_ACCOUNT), ("Region", "us-east-1"), ("service", "maptag"))]
    assert broken["values"]["UnitFailed"] == 1
    assert len(metrics) == 4


def test_run_level_only(capsys: pytest.CaptureFixture[str]) -> None:
    unit = ScanUnit(ACCOUNT, "us-east-1")
    with built_report([UnitSpec(unit, many(unit, Verdict.COMPLIANT, 2, "c"))]) as report:
        outcome = emit_metrics(report, RUN, per_unit=False)
    metrics = by_dimensions(emf_lines(capsys))
    assert list(metrics) == [(("service", "maptag"),)]
    assert metrics[(("service", "maptag"),)]["values"]["CoveragePercent"] == 100.0
    assert outcome.detail.endswith("for the run in namespace maptag")

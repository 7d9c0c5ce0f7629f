"""CloudWatch metrics: the EMF lines Powertools prints, captured as its testing recipe shows."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from maptag.model import ScanUnit, Verdict
from maptag.sinks.metrics import emit_metrics
from maptag.sinks.outcome import RunInfo
from tests.support.sink_fixtures import ACCOUNT, OTHER_ACCOUNT, UnitSpec, built_report, many

# A run that started three hours ago (a large Organization scan, or a retried publish)
RUN = RunInfo("run-3", datetime.now(UTC).replace(microsecond=0) - timedelta(hours=3))


@pytest.fixture(autouse=True)
def _metrics_on(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("POWERTOOLS_METRICS_DISABLED", "POWERTOOLS_DEV", "POWERTOOLS_METRICS_NAMESPACE"):
        monkeypatch.delenv(name, raising=False)


def json_lines(capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]


def emf_lines(capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    return [line for line in json_lines(capsys) if "_aws" in line]


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
        before = datetime.now(UTC).timestamp() * 1000
        outcome = emit_metrics(report, RUN)
        after = datetime.now(UTC).timestamp() * 1000

    # Then one EMF line per dimension set, in namespace maptag
    assert outcome.ok, outcome.detail
    metrics = by_dimensions(emf_lines(capsys))
    run = metrics[(("service", "maptag"),)]
    assert run["namespace"] == "maptag"
    # the run's line (FailedUnits, which the alarm watches) is stamped when sent, not 3 hours back
    assert before - 1000 <= run["timestamp"] <= after + 1000
    # while each unit's coverage keeps the scan's time
    unit_line = metrics[(("AccountId", ACCOUNT), ("Region", "us-east-1"), ("service", "maptag"))]
    assert unit_line["timestamp"] == int(RUN.scanned_at.timestamp() * 1000)
    assert run["run_id"] == "run-3"
    assert run["values"]["CoveragePercent"] == 75.0
    assert run["units"]["CoveragePercent"] == "Percent"
    assert run["values"]["FailedUnits"] == 1
    assert run["values"]["Units"] == 3
    assert run["values"]["NonCompliant"] == 1
    assert run["values"]["Missing"] == 1

    unit = metrics[(("AccountId", ACCOUNT), ("Region", "us-east-1"), ("service", "maptag"))]
    assert unit["values"] == {"InScope": 4, "NonCompliant": 1, "CoveragePercent": 75.0, "UnitFailed": 0}
    # A failed unit always reports UnitFailed=1 (nothing in scope is known, so no coverage)
    broken = metrics[(("AccountId", OTHER_ACCOUNT), ("Region", "us-east-1"), ("service", "maptag"))]
    assert broken["values"] == {"InScope": 0, "NonCompliant": 0, "UnitFailed": 1}
    # Nothing in scope and scanned fine: no per-unit metric at all (each would be billed)
    assert (("AccountId", ACCOUNT), ("Region", "eu-west-1"), ("service", "maptag")) not in metrics
    assert len(metrics) == 3
    assert outcome.detail == (
        "17 metric value(s) for the run and 2 unit(s) (1 empty unit(s) sent nothing) in namespace maptag"
    )


def test_an_organization_of_mostly_empty_regions_sends_metrics_only_where_there_is_something(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Given 3 accounts x 17 regions: resources in 2 regions of each, one empty region failed
    regions = [
        "us-east-1", "eu-west-1", "us-east-2", "us-west-1", "us-west-2", "eu-west-2", "eu-west-3",
        "eu-central-1", "eu-north-1", "ap-south-1", "ap-northeast-1", "ap-northeast-2",
        "ap-northeast-3", "ap-southeast-1", "ap-southeast-2", "ca-central-1", "sa-east-1",
    ]  # fmt: skip
    accounts = [ACCOUNT, OTHER_ACCOUNT, "333333333333"]
    specs = []
    for account in accounts:
        for region in regions:
            unit = ScanUnit(account, region)
            if region in regions[:2]:
                specs.append(UnitSpec(unit, many(unit, Verdict.MISSING, 2, f"m-{region}")))
            elif (account, region) == (accounts[2], regions[9]):
                specs.append(UnitSpec(unit, [], error="ThrottlingException: Rate exceeded"))
            else:
                specs.append(UnitSpec(unit, many(unit, Verdict.EXCLUDED, 1, f"x-{region}")))
    with built_report(specs) as report:
        outcome = emit_metrics(report, RUN)

    # Then only the 6 units with resources and the failed one have per-unit metrics
    assert outcome.ok, outcome.detail
    metrics = by_dimensions(emf_lines(capsys))
    per_unit = {dict(key)["AccountId"] + "/" + dict(key)["Region"]: m for key, m in metrics.items()
                if len(key) == 3}  # fmt: skip
    expected = {f"{a}/{r}" for a in accounts for r in regions[:2]} | {f"{accounts[2]}/{regions[9]}"}
    assert set(per_unit) == expected
    assert per_unit[f"{accounts[2]}/{regions[9]}"]["values"]["UnitFailed"] == 1
    assert all(per_unit[f"{a}/{r}"]["values"]["UnitFailed"] == 0 for a in accounts for r in regions[:2])
    # and the run-level metrics still count every unit
    run = metrics[(("service", "maptag"),)]["values"]
    assert (run["Units"], run["FailedUnits"], run["InScope"]) == (51, 1, 12)


def test_without_unit_metrics_each_unit_is_a_log_record_not_a_custom_metric(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Given a unit with findings, an empty one and a failed one, and per-unit metrics off
    good = ScanUnit(ACCOUNT, "us-east-1")
    empty = ScanUnit(ACCOUNT, "eu-west-1")
    failed = ScanUnit(OTHER_ACCOUNT, "us-east-1")
    specs = [
        UnitSpec(good, many(good, Verdict.COMPLIANT, 3, "c") + many(good, Verdict.MISSING, 1, "m")),
        UnitSpec(empty, many(empty, Verdict.EXCLUDED, 2, "x")),
        UnitSpec(failed, [], error="AccessDenied"),
    ]
    with built_report(specs) as report:
        outcome = emit_metrics(report, RUN, per_unit=False)

    # Then the only custom metrics are the run's
    lines = json_lines(capsys)
    metrics = by_dimensions([line for line in lines if "_aws" in line])
    assert list(metrics) == [(("service", "maptag"),)]
    assert metrics[(("service", "maptag"),)]["values"]["CoveragePercent"] == 75.0
    # and each unit with something in scope, or failed, is one JSON log line for Logs Insights
    records = {(r["account_id"], r["region"]): r for r in lines if r.get("record") == "maptag.unit"}
    assert records == {
        (ACCOUNT, "us-east-1"): {
            "record": "maptag.unit", "run_id": "run-3", "account_id": ACCOUNT, "region": "us-east-1",
            "in_scope": 4, "non_compliant": 1, "coverage_percent": 75.0, "failed": False,
        },
        (OTHER_ACCOUNT, "us-east-1"): {
            "record": "maptag.unit", "run_id": "run-3", "account_id": OTHER_ACCOUNT, "region": "us-east-1",
            "in_scope": 0, "non_compliant": 0, "coverage_percent": None, "failed": True,
        },
    }  # fmt: skip
    assert outcome.detail == (
        "10 metric value(s) for the run in namespace maptag; 2 unit record(s) in the log"
    )

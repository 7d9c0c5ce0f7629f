"""The report writers over a hand-built report: hostile values in every field, a failed unit,
nothing to fix. (The writers over a real scan are tested end to end in tests/integration.)"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from html.parser import HTMLParser

import pytest

from maptag.model import Finding, Judgement, Resource, ScanUnit, Verdict
from maptag.policy import Policy
from maptag.report.html import write_html
from maptag.report.json_csv import write_csv, write_json
from maptag.report.model import FindingSpool, ScanReport
from maptag.report.writers import write_report
from maptag.scan import UnitResult

POLICY = Policy.build(mpe_ids=["12345"], regions=["us-east-1", "eu-west-1"])
OK_UNIT, FAILED_UNIT = ScanUnit("123456789012", "us-east-1"), ScanUnit("123456789012", "eu-west-1")
EVIL = "\"><img src=x onerror=alert(1)><script>alert('k')</script>&amp;[red]markup[/red]"
FORMULA = '=HYPERLINK("http://evil","x"),\r\n2'


def finding(unit: ScanUnit, name: str, verdict: Verdict, key: str | None, value: str | None) -> Finding:
    resource = Resource(
        arn=f"arn:aws:s3:::{name}",
        type="s3:bucket",
        account_id=unit.account_id,
        region=unit.region,
        resource_id=name,
        created=None,
        tags={} if key is None else {key: value or ""},
    )
    judgement = Judgement(verdict, f"reason with {EVIL}", key=key, value=value, fix=f"fix with {EVIL}")
    return Finding.of(resource, judgement)


@pytest.fixture
def report() -> Iterator[ScanReport]:
    spool = FindingSpool()
    findings = [
        finding(OK_UNIT, "evil-bucket", Verdict.NEAR_MISS_KEY, f"Map-Migrated{EVIL}", EVIL),
        finding(OK_UNIT, "formula-bucket", Verdict.INVALID_VALUE, "map-migrated", FORMULA),
        finding(OK_UNIT, "good-bucket", Verdict.COMPLIANT, "map-migrated", "mig12345"),
    ]
    write = spool.writer(OK_UNIT)
    for item in findings:
        write(item)
    spool.writer(FAILED_UNIT)
    counts = {("s3:bucket", Verdict.NEAR_MISS_KEY): 1, ("s3:bucket", Verdict.INVALID_VALUE): 1,
              ("s3:bucket", Verdict.COMPLIANT): 1}  # fmt: skip
    units = [
        UnitResult(OK_UNIT, "ok", None, counts),
        UnitResult(FAILED_UNIT, "failed", f"AccessDenied on ListBuckets: {EVIL}"),
    ]
    yield ScanReport(policy=POLICY, units=units, spool=spool)
    spool.close()


class Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.handlers: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.handlers += [name for name, _ in attrs if name.startswith("on")]


def test_html_escapes_hostile_keys_values_reasons_fixes_and_errors(report: ScanReport) -> None:
    out = io.StringIO()
    write_html(report, out)
    html = out.getvalue()
    elements = Elements()
    elements.feed(html)

    assert "<img" not in html
    assert "alert('k')</script>" not in html
    assert elements.tags.count("script") == 1
    assert "img" not in elements.tags
    assert elements.handlers == []
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "&amp;amp;" in html, "an entity in a value is shown as typed, not decoded"
    assert "\\r\\n" in html, "control characters are shown, not swallowed"


def test_html_says_loudly_which_unit_failed(report: ScanReport) -> None:
    out = io.StringIO()
    write_html(report, out)
    html = out.getvalue()

    assert "role='alert'" in html
    assert "123456789012 / eu-west-1: AccessDenied on ListBuckets" in html
    assert "<span class='failed'>failed</span>" in html


def test_html_with_nothing_to_fix() -> None:
    spool = FindingSpool()
    try:
        empty = ScanReport(policy=POLICY, units=[UnitResult(OK_UNIT, "ok", None, {})], spool=spool)
        out = io.StringIO()
        write_html(empty, out)
    finally:
        spool.close()

    assert "MAP 2.0 tag coverage: n/a" in out.getvalue()
    assert "Resources to fix (0)" in out.getvalue()
    assert "id='findings'" not in out.getvalue()


def test_csv_keeps_values_exactly_but_neutralises_formulas(report: ScanReport) -> None:
    out = io.StringIO(newline="")
    write_csv(report, out)

    rows = list(csv.DictReader(io.StringIO(out.getvalue(), newline="")))
    assert [row["arn"] for row in rows] == [
        "arn:aws:s3:::evil-bucket", "arn:aws:s3:::formula-bucket", "arn:aws:s3:::good-bucket",
    ]  # fmt: skip
    assert rows[0]["observed_key"] == f"Map-Migrated{EVIL}"
    # OWASP CSV injection: a spreadsheet shows it as text, the rest of the value is exact
    assert rows[1]["observed_value"] == "'" + FORMULA
    assert rows[1]["created"] == ""

    # and the JSON keeps the value exactly as AWS returned it
    document = io.StringIO()
    write_json(report, document)
    values = [r["observed"]["value"] for r in json.loads(document.getvalue())["resources"]]
    assert FORMULA in values


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_every_formula_start_is_neutralised_in_csv(start: str) -> None:
    value = f"{start}cmd|' /C calc'!A0"
    spool = FindingSpool()
    write = spool.writer(OK_UNIT)
    write(finding(OK_UNIT, "b", Verdict.INVALID_VALUE, f"{start}key", value))
    counts = {("s3:bucket", Verdict.INVALID_VALUE): 1}
    report = ScanReport(policy=POLICY, units=[UnitResult(OK_UNIT, "ok", None, counts)], spool=spool)
    out = io.StringIO(newline="")
    try:
        write_csv(report, out)
    finally:
        spool.close()

    (row,) = csv.DictReader(io.StringIO(out.getvalue(), newline=""))
    assert (row["observed_key"], row["observed_value"]) == (f"'{start}key", "'" + value)
    assert row["reason"].startswith("reason with")  # other cells are untouched


def test_json_streams_a_valid_document_with_the_failed_unit(report: ScanReport) -> None:
    out = io.StringIO()
    write_json(report, out)

    document = json.loads(out.getvalue())
    assert [u["status"] for u in document["units"]] == ["failed", "ok"]  # sorted by account, region
    assert document["units"][0]["totals"]["coverage_percent"] is None
    assert document["totals"]["coverage_percent"] == 33.33
    assert [r["observed"]["value"] for r in document["resources"]] == [EVIL, FORMULA, "mig12345"]


def test_table_names_the_failed_unit_and_escapes_markup(report: ScanReport) -> None:
    out = io.StringIO()
    write_report(report, "table", out)
    text = out.getvalue()

    assert "eu-west-1 failed" in text
    assert "Unit 123456789012/eu-west-1 failed: AccessDenied on ListBuckets" in text
    assert "[red]markup[/red]" in text, "rich markup in a value is printed, not interpreted"
    assert "1 of 2 unit(s) failed" in text

"""`maptag scan` end to end against moto, one scan per format; each report is parsed and
checked against what was seeded (cli_estate.py), and the JSON one against its JSON Schema."""

from __future__ import annotations

import base64
import contextlib
import copy
import csv
import hashlib
import io
import json
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from maptag.cli import main
from maptag.report.html import SCRIPT, STYLE
from maptag.report.model import SCHEMA_FILE
from tests.support.cli_estate import (
    ACCOUNT,
    AWKWARD,
    HOSTILE,
    REGIONS,
    SCAN,
    Estate,
    aws_env,
    moto_server,
    seed,
)

pytestmark = pytest.mark.slow


@dataclass
class Run:
    code: int
    out: str
    err: str
    report: str


@dataclass
class Scans:
    estate: Estate
    runs: dict[str, Run]


def scan(argv: list[str], output: Path | None) -> Run:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv + (["--output", str(output)] if output else []))
    report = output.read_text(encoding="utf-8") if output else out.getvalue()
    return Run(code, out.getvalue(), err.getvalue(), report)


@pytest.fixture(scope="module")
def scans(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scans]:
    directory = tmp_path_factory.mktemp("reports")
    with moto_server() as endpoint, pytest.MonkeyPatch.context() as env:
        for name, value in aws_env(endpoint).items():
            env.setenv(name, value)
        estate = seed()
        runs = {
            fmt: scan([*SCAN, "--format", fmt], directory / f"report.{fmt}")
            for fmt in ("json", "csv", "html")
        }
        runs["table"] = scan(SCAN, None)  # the default format, to stdout
        yield Scans(estate, runs)


SCHEMA = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
VALIDATOR = Draft202012Validator(SCHEMA)


def errors(document: Any) -> list[str]:
    return [error.message for error in VALIDATOR.iter_errors(document)]


# --- every format --------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "csv", "html", "table"])
def test_findings_exit_1_and_say_where_the_report_went(scans: Scans, fmt: str) -> None:
    run = scans.runs[fmt]
    assert run.code == 1, run.err
    if fmt == "table":
        assert run.err == ""
    else:
        # The report went to a file: where it went, then the overall line, on stderr.
        assert run.err.splitlines() == [
            f"maptag: wrote the {fmt} report to {Path(run.err.splitlines()[0].split(' to ')[-1].strip())}",
            "Overall: 41.66 % coverage: 5 of 12 in-scope resources tagged correctly, 7 to fix, 1 excluded, "
            "0 of 2 unit(s) failed",
        ]
        assert run.out == "", "a report written to a file leaves stdout alone"


# --- json ---------------------------------------------------------------------------------


def test_json_report_validates_and_matches_the_estate(scans: Scans) -> None:
    report = json.loads(scans.runs["json"].report)
    estate = scans.estate

    assert errors(report) == []
    assert report["schema"] == "maptag/scan-report@1"
    assert report["policy"]["mpe_ids"] == ["12345"]
    assert report["policy"]["regions"] == list(REGIONS)
    assert report["totals"] == {
        "in_scope": 12,
        "compliant": 5,
        "missing": 3,
        "near_miss_key": 1,
        "invalid_value": 3,
        "unreadable": 0,
        "excluded": 1,
        "coverage_percent": 41.66,  # 5/12 = 41.666…, rounded down
    }
    verdicts = {r["arn"]: r["verdict"] for r in report["resources"]}
    assert verdicts == {**estate.expected, **dict.fromkeys(estate.excluded, "excluded")}
    assert len(report["resources"]) == len(verdicts), "no resource reported twice"


def test_json_units_are_account_by_region(scans: Scans) -> None:
    report = json.loads(scans.runs["json"].report)

    units = {(u["account_id"], u["region"]): u for u in report["units"]}
    assert set(units) == {(ACCOUNT, region) for region in REGIONS}
    for region in REGIONS:
        unit = units[(ACCOUNT, region)]
        assert (unit["status"], unit["error"]) == ("ok", None)
        assert unit["totals"]["compliant"] == scans.estate.count("compliant", region)
        assert unit["totals"]["missing"] == scans.estate.count("missing", region)
    assert units[(ACCOUNT, "eu-west-1")]["totals"]["coverage_percent"] == 33.33


def test_json_resources_carry_observed_tag_reason_fix_and_parent(scans: Scans) -> None:
    resources = json.loads(scans.runs["json"].report)["resources"]
    near = next(r for r in resources if r["verdict"] == "near_miss_key")

    assert near["observed"] == {"key": "Map-Migrated", "value": HOSTILE}
    assert near["reason"] == "key 'Map-Migrated' differs from 'map-migrated' only by case"
    assert near["fix"] == "rename key 'Map-Migrated' to 'map-migrated' and set its value to 'mig12345'"
    volume = next(r for r in resources if r["parent"] == near["arn"])
    assert volume["type"] == "ec2:volume"
    assert volume["verdict"] == "missing"
    assert volume["observed"] == {"key": None, "value": None}
    assert all("payments" not in json.dumps(r) for r in resources), "unrelated tag values never leak"


BREAKAGES: dict[str, Callable[[dict[str, Any]], None]] = {
    "no schema": lambda r: r.pop("schema"),
    "other schema": lambda r: r.update(schema="maptag/scan-report@2"),
    "no units": lambda r: r.pop("units"),
    "no resources": lambda r: r.pop("resources"),
    "local time": lambda r: r.update(generated_at="2026-11-23 10:00:00"),
    "policy without mpe ids": lambda r: r["policy"].pop("mpe_ids"),
    "agreement start not a date": lambda r: r["policy"].update(agreement_start="last year"),
    "unknown verdict": lambda r: r["resources"][0].update(verdict="ok"),
    "verdict with a dash": lambda r: r["resources"][0].update(verdict="near-miss-key"),
    "empty reason": lambda r: r["resources"][0].update(reason=""),
    "two-line reason": lambda r: r["resources"][0].update(reason="a\nb"),
    "observed without value": lambda r: r["resources"][0]["observed"].pop("value"),
    "parent not an ARN": lambda r: r["resources"][0].update(parent="i-123"),
    "resource without parent key": lambda r: r["resources"][0].pop("parent"),
    "account not 12 digits": lambda r: r["resources"][0].update(account_id="1234"),
    "unknown unit status": lambda r: r["units"][0].update(status="done"),
    "failed unit without error": lambda r: r["units"][0].update(status="failed", error=None),
    "ok unit with an error": lambda r: r["units"][0].update(error="AccessDenied"),
    "coverage over 100": lambda r: r["totals"].update(coverage_percent=100.5),
    "coverage as text": lambda r: r["totals"].update(coverage_percent="41.66"),
    "100 % of nothing": lambda r: r["totals"].update(in_scope=0, coverage_percent=100.0),
    "null coverage with resources in scope": lambda r: r["totals"].update(coverage_percent=None),
    "negative count": lambda r: r["totals"].update(missing=-1),
    "count as text": lambda r: r["totals"].update(compliant="5"),
    "unknown totals key": lambda r: r["totals"].update(covered=5),
    "unit totals without coverage": lambda r: r["units"][0]["totals"].pop("coverage_percent"),
}


@pytest.mark.parametrize("breakage", list(BREAKAGES))
def test_a_broken_report_does_not_validate(scans: Scans, breakage: str) -> None:
    report = json.loads(scans.runs["json"].report)
    broken = copy.deepcopy(report)

    BREAKAGES[breakage](broken)

    assert errors(report) == []
    assert errors(broken) != []


def test_nothing_in_scope_validates_with_null_coverage() -> None:
    empty = {"in_scope": 0, "compliant": 0, "missing": 0, "near_miss_key": 0, "invalid_value": 0,
             "unreadable": 0, "excluded": 0, "coverage_percent": None}  # fmt: skip
    report = {
        "schema": "maptag/scan-report@1",
        "generated_at": "2026-11-23T10:00:00Z",
        "policy": {"mpe_ids": ["mig12345"], "agreement_start": None, "regions": ["us-east-1"]},
        "totals": empty,
        "units": [
            {"account_id": ACCOUNT, "region": "us-east-1", "status": "ok", "error": None, "totals": empty}
        ],
        "resources": [],
    }
    assert errors(report) == []


# --- csv ----------------------------------------------------------------------------------


def test_csv_has_one_row_per_resource_and_survives_awkward_values(scans: Scans) -> None:
    rows = list(csv.DictReader(io.StringIO(scans.runs["csv"].report, newline="")))
    resources = json.loads(scans.runs["json"].report)["resources"]

    assert list(rows[0]) == [
        "account_id", "region", "type", "arn", "verdict", "reason", "observed_key", "observed_value",
        "fix", "parent", "created", "noncompliant_since", "noncompliant_days", "daily_spend", "currency",
    ]  # fmt: skip
    assert [(r["arn"], r["verdict"], r["reason"]) for r in rows] == [
        (r["arn"], r["verdict"], r["reason"]) for r in resources
    ]
    awkward = next(r for r in rows if r["arn"] == "arn:aws:s3:::awkward-bucket-cli")
    assert awkward["observed_value"] == AWKWARD
    assert awkward["verdict"] == "invalid_value"
    near = next(r for r in rows if r["verdict"] == "near_miss_key")
    assert (near["observed_key"], near["observed_value"]) == ("Map-Migrated", HOSTILE)
    volume = next(r for r in rows if r["parent"] == near["arn"])
    assert volume["observed_key"] == ""


# --- html ---------------------------------------------------------------------------------


class Page(HTMLParser):
    """The parts of the HTML report a test checks: elements, attributes, table cells."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self.tables: dict[str, list[list[str]]] = {}
        self.text: list[str] = []
        self._table: str | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag == "table":
            self._table = attributes.get("id") or f"table{len(self.tables)}"
            self.tables[self._table] = []
        elif tag == "tr" and self._table:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        elif tag == "script":
            self._in_script = True
            self.scripts.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None and self._table:
            self.tables[self._table].append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None
        elif tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts[-1] += data
            return
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)


@pytest.fixture(scope="module")
def page(scans: Scans) -> Page:
    parsed = Page()
    parsed.feed(scans.runs["html"].report)
    parsed.close()
    return parsed


def sha256(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()


def test_html_is_one_self_contained_file(scans: Scans, page: Page) -> None:
    html = scans.runs["html"].report

    assert [tag for tag, _ in page.tags if tag in ("link", "img", "iframe", "object", "embed")] == []
    assert all("src" not in attributes for tag, attributes in page.tags if tag == "script")
    assert not re.search(r"https?://|@import|url\(|@font-face", html), "nothing is fetched from elsewhere"
    # One inline script and one style, both allowed by the page's CSP by hash, nothing else.
    assert page.scripts == [SCRIPT]
    csp = next(
        a["content"] for t, a in page.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"
    )
    assert csp is not None
    assert f"script-src '{sha256(SCRIPT)}'" in csp
    assert f"style-src '{sha256(STYLE)}'" in csp
    assert "default-src 'none'" in csp


def test_html_escapes_every_value(scans: Scans, page: Page) -> None:
    html = scans.runs["html"].report

    assert HOSTILE not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    # Shown as text (in the near-miss finding's row), never as an element.
    assert [tag for tag, _ in page.tags].count("script") == 1
    assert any(HOSTILE in " ".join(row) for row in page.tables["findings"])
    assert page.scripts == [SCRIPT]


def test_html_shows_totals_coverage_tables_and_every_resource_to_fix(scans: Scans, page: Page) -> None:
    estate = scans.estate
    text = " ".join(" ".join(page.text).split())

    assert "MAP 2.0 tag coverage: 41.66 %" in text
    assert "5 of 12 in-scope resources tagged correctly, 7 to fix, 1 excluded" in text
    units = page.tables["units"]
    assert units[0][:3] == ["Account", "Region", "Coverage"]
    assert sorted(row[:3] for row in units[1:]) == [
        [ACCOUNT, "eu-west-1", "33.33 %"],
        [ACCOUNT, "us-east-1", "44.44 %"],
    ]
    types = {row[0]: row[1] for row in page.tables["types"][1:]}
    assert types == {"dynamodb:table": "100.00 %", "ec2:instance": "50.00 %", "ec2:volume": "25.00 %",
                     "s3:bucket": "33.33 %"}  # fmt: skip
    findings = page.tables["findings"]
    assert findings[0] == ["Resource", "Verdict", "Fix", "Type", "Reason", "Tag found", "Account", "Region",
                           "Created"]  # fmt: skip
    # The resource cell shows the short id, then the full ARN (on demand), then its parent.
    shown = {row[0].split("part of")[0].split(" ", 1)[1].strip(): row for row in findings[1:]}
    labels = {"missing": "missing", "near_miss_key": "near-miss key", "invalid_value": "invalid value"}
    assert {arn: row[1] for arn, row in shown.items()} == {
        arn: labels[verdict] for arn, verdict in estate.expected.items() if verdict != "compliant"
    }
    assert all(row[2] and row[4] for row in findings[1:]), "each finding has its fix and reason"
    near = next(row for row in findings[1:] if row[1] == "near-miss key")
    assert near[5] == f"Map-Migrated = {HOSTILE}"
    assert near[2] == "rename key 'Map-Migrated' to 'map-migrated' and set its value to 'mig12345'"


def test_html_script_is_valid_javascript(tmp_path: Path) -> None:
    node = shutil.which("node")
    assert node is not None, "node is part of the toolchain (make dev installs the CDK CLI with it)"
    script = tmp_path / "report.js"
    script.write_text(SCRIPT)
    result = subprocess.run([node, "--check", str(script)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


# --- table --------------------------------------------------------------------------------


def test_table_shows_coverage_by_unit_and_type_with_full_labels(scans: Scans) -> None:
    text = scans.runs["table"].report

    assert "Coverage by account and region" in text
    assert "Coverage by resource type" in text
    for label in (ACCOUNT, *REGIONS, "dynamodb:table", "ec2:instance", "ec2:volume", "s3:bucket"):
        assert label in text
    east = next(line for line in text.splitlines() if re.match(rf"{ACCOUNT} +us-east-1 ", line))
    assert "44.44 %" in east
    assert "…" not in text, "no label is cut"
    assert text.rstrip().splitlines()[-1] == (
        "Overall: 41.66 % coverage: 5 of 12 in-scope resources tagged correctly, 7 to fix, 1 excluded, "
        "0 of 2 unit(s) failed"
    )
    assert "Resources to fix (7)" in text
    assert "\x1b[" not in text, "no terminal colour codes when stdout is not a terminal"

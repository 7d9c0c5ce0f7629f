"""The HTML report in a real browser: Debian's chromium, headless, driven by Playwright.

The page is opened from a file under its own Content-Security-Policy, so a blocked style or
script would show up as a console error. Screenshots at 1400 and 800 px (and a phone) are
written to test-artifacts/ (gitignored) for a person to look at.

The report carries the cost and "since" fields of docs/contracts.md ("optional fields"):
per resource through the finding source (the spool's role), in the totals through a report
whose header adds them, as the cost sink's data will.
"""

from __future__ import annotations

import io
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright

from maptag.coverage import Totals
from maptag.report.html import write_html
from maptag.report.model import ScanReport
from maptag.sinks.history import CoverageRow, Scope
from tests.support.view_fixtures import FIX, costed_report

pytestmark = pytest.mark.slow

CHROMIUM = "/usr/bin/chromium"
# docs/toolchain.md: a quiet, offline browser (no updates, sync or background traffic).
FLAGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]  # fmt: skip
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="module")
def report() -> ScanReport:
    return costed_report()


HISTORY = [
    CoverageRow(Scope(), f"run-{day}", f"2026-11-{day:02d}T09:00:00Z", Totals(compliant=c, missing=100 - c))
    for day, c in ((1, 20), (8, 28), (15, 35), (22, 41))
]


@pytest.fixture(scope="module")
def html_file(report: ScanReport, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = io.StringIO()
    write_html(report, out, history=HISTORY)
    path = tmp_path_factory.mktemp("html") / "report.html"
    path.write_text(out.getvalue(), encoding="utf-8")
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copy(path, ARTIFACTS / "report.html")
    return path


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert shutil.which("chromium") == CHROMIUM, (
        "Debian's chromium: .ci/run installs it (apt-get install chromium)"
    )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield launched
        launched.close()


class Opened:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.problems: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))

    def _console(self, message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            self.problems.append(f"{message.type}: {message.text}")


def open_page(browser: Browser, html_file: Path, width: int) -> Opened:
    page = browser.new_page(viewport={"width": width, "height": 1000})
    opened = Opened(page)
    page.goto(html_file.as_uri())
    return opened


def finding_ids(page: Page) -> list[str]:
    return page.eval_on_selector_all(
        "#findings tbody tr:not([hidden]) td.arn summary", "cells => cells.map(c => c.textContent)"
    )


@pytest.mark.parametrize("width", [1400, 800, 390])
def test_renders_without_console_errors_fits_the_width_and_is_screenshotted(
    browser: Browser, html_file: Path, width: int
) -> None:
    opened = open_page(browser, html_file, width)
    page = opened.page
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / f"report-{width}.png"
    page.screenshot(path=str(shot), full_page=width != 1400)
    if width == 1400:
        page.screenshot(path=str(ARTIFACTS / "report-1400-full.png"), full_page=True)

    assert opened.problems == [], "no console errors (a CSP violation would be one)"
    assert shot.stat().st_size > 10_000
    # Nothing wider than the window: the long tables scroll inside their own box.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    overflowing = page.eval_on_selector_all(
        ".big, .bar", "boxes => boxes.filter(b => b.scrollWidth > b.clientWidth).map(b => b.textContent)"
    )
    assert overflowing == [], "every headline figure and bar fits its box"
    assert page.evaluate("document.querySelectorAll('img').length") == 0, "hostile values stay text"


def test_the_headline_says_coverage_money_to_fix_and_the_oldest_leak(
    browser: Browser, html_file: Path, report: ScanReport
) -> None:
    page = open_page(browser, html_file, 1400).page
    headline = " ".join(page.inner_text(".headline").split())
    totals = report.header()["totals"]
    to_fix = [r for r in report.resources() if r["verdict"] not in ("compliant", "excluded")]
    oldest = max(r["noncompliant_days"] for r in to_fix if r["noncompliant_days"] is not None)

    assert f"{report.totals.coverage_text} tag coverage" in headline
    assert f"${totals['untagged_daily_spend']:,.2f} untagged spend a day" in headline
    assert f"${totals['credits_at_risk_monthly']:,.2f} MAP credits at risk a month" in headline
    assert f"{len(to_fix)} resources to fix" in headline
    assert f"{oldest} days oldest leak (days untagged)" in headline
    # The verdict bar, the coverage bars (4 units, 3 types) and the trend line are drawn.
    assert page.locator("svg.stack rect").count() == 3, "compliant, missing, invalid value"
    assert page.locator(".bar svg").count() == 4 + 3
    points = page.get_attribute("figure.trend polyline", "points") or ""
    assert len(points.split()) == len(HISTORY) + 1, "earlier runs plus this scan"
    blind = page.inner_text("ul.blind")
    assert "AmazonOpenSearchService: $41.50 a day on 3 resource(s)" in blind
    assert "123456789012 eu-west-1: 3 × es:domain not scanned" in blind
    assert "123456789012 eu-west-1: ec2:natgateway skipped: not offered in this region" in blind


def test_fix_first_then_sort_and_filter_work(browser: Browser, html_file: Path) -> None:
    page = open_page(browser, html_file, 1400).page

    first = page.inner_text("#findings tbody tr:first-child")
    assert "$25.00" in first, "the costliest resource is the first to fix"
    ids = finding_ids(page)
    total = len(ids)

    page.click("#findings th:has-text('Resource')")
    assert finding_ids(page) == sorted(ids)
    page.click("#findings th:has-text('Resource')")
    assert finding_ids(page) == sorted(ids, reverse=True)

    page.fill("#filter", "snap invalid")
    shown = finding_ids(page)
    assert 0 < len(shown) < total
    assert all(s.startswith("snap-") for s in shown)
    assert page.inner_text("#shown") == str(len(shown))
    page.fill("#filter", "")
    assert len(finding_ids(page)) == total

    # The full ARN is there on demand.
    page.click("#findings tbody tr:first-child td.arn summary")
    assert "arn:aws:ec2:" in page.inner_text("#findings tbody tr:first-child td.arn")


def test_fixes_are_grouped_and_excluded_resources_are_collapsed(browser: Browser, html_file: Path) -> None:
    page = open_page(browser, html_file, 1400).page
    fixes = page.locator("ol.fixes li").all_inner_texts()

    assert any(text.startswith(f"{FIX} to ") and "× ec2:volume" in text for text in fixes)
    assert not page.is_visible("#excluded"), "collapsed until asked for"
    page.click("#excluded-list > summary")
    assert page.is_visible("#excluded")
    assert "older than the agreement" in page.inner_text("#excluded")


def test_printed_on_a4_it_is_a_few_pages(browser: Browser, html_file: Path) -> None:
    page = open_page(browser, html_file, 1400).page
    pdf = page.pdf(format="A4")
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "report.pdf").write_bytes(pdf)

    pages = pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages")
    assert 1 <= pages <= 4, f"{pages} A4 pages for {page.locator('#findings tbody tr').count()} findings"

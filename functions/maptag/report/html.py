"""The HTML report: one self-contained page a partner can mail to a customer.

Nothing external (no CSS, JS, fonts or images from elsewhere). Every value is HTML-escaped,
and a Content-Security-Policy lets only this file's own style and script run (by hash), so a
hostile tag value could not run even if it slipped past escaping. Pictures are inline SVG
(allowed by the same policy). The rows to fix are held to put them in fix-first order; the
excluded rows stream from the spool a second time. The sections: docs/cli.md, "The HTML report".
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from contextlib import closing
from html import escape
from typing import IO, TYPE_CHECKING, Any

from maptag import __version__
from maptag.coverage import Totals
from maptag.model import Verdict
from maptag.money import fix_first, money_text
from maptag.report.model import COUNT_COLUMNS, overall_line
from maptag.views import FixGroup, daily_cost, days_noncompliant, fix_groups, short_id

if TYPE_CHECKING:
    from maptag.report.model import ScanReport
    from maptag.sinks.history import CoverageRow

STYLE = """
:root { --ink: #1f2328; --muted: #59636e; --line: #d1d9e0; --bad: #b42318; --warn: #9a6700;
  --ok: #1a7f37; --head: #f6f8fa; --track: #eaeef2; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
  color: var(--ink); margin: 1.5rem auto; max-width: 1400px; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.15rem; margin: 1.8rem 0 .5rem; }
p.meta, .note, figcaption { color: var(--muted); margin: .2rem 0; }
.headline { display: flex; flex-wrap: wrap; gap: .7rem; margin: 1.2rem 0 .4rem; }
.big { border: 1px solid var(--line); border-radius: 8px; padding: .5rem .9rem; flex: 1 1 0;
  min-width: max-content; }
.big b { display: block; font-size: 1.75rem; line-height: 1.15; white-space: nowrap; }
.big span { color: var(--muted); }
.big.bad b { color: var(--bad); }
.big.good b, .big.coverage b { color: var(--ink); }
svg { display: block; width: 100%; }
svg.stack { height: 1.6rem; border-radius: 4px; }
ul.keys { list-style: none; padding: 0; margin: .4rem 0; display: flex; flex-wrap: wrap; gap: .3rem 1.2rem; }
ul.keys i { display: inline-block; width: .8rem; height: .8rem; border-radius: 2px; margin-right: .35rem;
  vertical-align: -1px; }
.v-compliant { fill: var(--ok); background: var(--ok); }
.v-missing { fill: var(--bad); background: var(--bad); }
.v-near_miss_key { fill: #d4a72c; background: #d4a72c; }
.v-invalid_value { fill: #bf8700; background: #bf8700; }
.v-unreadable { fill: #6e7781; background: #6e7781; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(22rem, 1fr)); gap: 0 2.5rem; }
.bar { display: grid; grid-template-columns: minmax(7rem, 13rem) minmax(5rem, 1fr) max-content; gap: .6rem;
  align-items: center; margin: .25rem 0; }
.bar .label { overflow-wrap: anywhere; font-size: .9rem; }
.bar svg { height: .9rem; }
.bar .n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.bar small, .fixes small, td small { color: var(--muted); }
rect.track { fill: var(--track); }
rect.good { fill: var(--ok); }
rect.warn { fill: #d4a72c; }
rect.bad { fill: var(--bad); }
figure.trend { margin: 0; }
figure.trend svg { height: 9rem; border-left: 1px solid var(--line); }
figure.trend polyline { fill: none; stroke: #0969da; stroke-width: 2.5; vector-effect: non-scaling-stroke; }
figure.trend line.grid { stroke: var(--line); stroke-width: 1; vector-effect: non-scaling-stroke; }
ol.fixes { padding-left: 1.4rem; }
ol.fixes li { margin: .25rem 0; }
ol.fixes b { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-weight: 600;
  font-size: .92em; }
.alert { border: 2px solid var(--bad); border-radius: 6px; padding: .6rem 1rem; color: var(--bad);
  margin: 1rem 0; }
.alert ul { margin: .3rem 0 0; padding-left: 1.2rem; }
details > summary { cursor: pointer; }
details.counts, details#excluded-list { margin: 1rem 0; }
details.counts > summary, details#excluded-list > summary { color: var(--muted); font-weight: 600; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; margin: .4rem 0; }
th, td { border-bottom: 1px solid var(--line); padding: .35rem .55rem; text-align: left;
  vertical-align: top; }
th { background: var(--head); font-weight: 600; white-space: nowrap; position: sticky; top: 0; }
table.sortable th { cursor: pointer; user-select: none; }
table.sortable th::after { content: " \\2195"; color: var(--muted); font-size: .8em; }
table.sortable th[aria-sort=ascending]::after { content: " \\2191"; }
table.sortable th[aria-sort=descending]::after { content: " \\2193"; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
td.n { white-space: nowrap; }
td.n small { display: block; }
td.label { white-space: nowrap; }
td.arn { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .85em; }
td.arn details[open] { word-break: break-all; }
td.arn small { display: block; color: var(--muted); }
td.fix { min-width: 12rem; }
span.w, td.arn summary { white-space: nowrap; }
td.tag { word-break: break-word; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  font-size: .85em; white-space: pre-wrap; }
.verdict { display: inline-block; border-radius: 4px; padding: 0 .4rem; white-space: nowrap;
  font-weight: 600; border: 1px solid currentColor; }
.missing, .unreadable, .failed { color: var(--bad); }
.near_miss_key, .invalid_value { color: var(--warn); }
.ok { color: var(--ok); }
input#filter { font: inherit; padding: .35rem .6rem; width: min(32rem, 100%); border: 1px solid var(--line);
  border-radius: 6px; margin: .3rem 0 .6rem; }
dl.legend { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; color: var(--muted); }
dl.legend dt { font-weight: 600; color: var(--ink); }
footer { margin-top: 2rem; color: var(--muted); font-size: .85rem; }
@media (max-width: 900px) {
  .lo { display: none; }
  .bar small { display: none; }
}
@media (max-width: 520px) {
  body { padding: 0 .6rem; }
  .big b { font-size: 1.5rem; }
  dl.legend { grid-template-columns: 1fr; }
}
@page { size: A4 portrait; margin: 14mm; }
@media print {
  body { margin: 0; max-width: none; font-size: 9pt; }
  .noprint, input#filter, details.counts { display: none; }
  .charts { grid-template-columns: 1fr 1fr; }
  .bar { break-inside: avoid; }
  .bar small { display: none; }
  h2 { break-after: avoid; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""

SCRIPT = """
(function () {
  "use strict";
  function key(row, index) {
    var cell = row.cells[index];
    return cell.hasAttribute("data-sort") ? cell.getAttribute("data-sort") : cell.textContent.trim();
  }
  function compare(a, b) {
    var x = Number(a), y = Number(b);
    if (a !== "" && b !== "" && !isNaN(x) && !isNaN(y)) { return x - y; }
    return a.localeCompare(b);
  }
  Array.prototype.forEach.call(document.querySelectorAll("table.sortable th"), function (th) {
    function sort() {
      var table = th.closest("table"), body = table.tBodies[0], index = th.cellIndex;
      var direction = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (h) {
        h.removeAttribute("aria-sort");
      });
      th.setAttribute("aria-sort", direction === 1 ? "ascending" : "descending");
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) { return direction * compare(key(a, index), key(b, index)); });
      rows.forEach(function (row) { body.appendChild(row); });
    }
    th.tabIndex = 0;
    th.addEventListener("click", sort);
    th.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " ") { event.preventDefault(); sort(); }
    });
  });
  var filter = document.getElementById("filter");
  if (filter) {
    var rows = document.getElementById("findings").tBodies[0].rows, shown = document.getElementById("shown");
    filter.hidden = false;
    filter.addEventListener("input", function () {
      var words = filter.value.toLowerCase().split(/\\s+/).filter(Boolean), count = 0;
      Array.prototype.forEach.call(rows, function (row) {
        var text = row.textContent.toLowerCase();
        var hit = words.every(function (word) { return text.indexOf(word) !== -1; });
        row.hidden = !hit;
        count += hit ? 1 : 0;
      });
      shown.textContent = String(count);
    });
  }
})();
"""


def _sha256(text: str) -> str:
    return base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


CONTENT_SECURITY_POLICY = (
    f"default-src 'none'; style-src 'sha256-{_sha256(STYLE)}'; script-src 'sha256-{_sha256(SCRIPT)}'; "
    "base-uri 'none'; form-action 'none'"
)

VERDICT_LABELS = {
    Verdict.COMPLIANT.value: "compliant",
    Verdict.MISSING.value: "missing",
    Verdict.NEAR_MISS_KEY.value: "near-miss key",
    Verdict.INVALID_VALUE.value: "invalid value",
    Verdict.UNREADABLE.value: "unreadable",
    Verdict.EXCLUDED.value: "excluded",
}
LEGEND = (
    ("missing", "no map-migrated tag at all: add it."),
    ("near-miss key", "a key that is map-migrated but for case, spaces or separators: rename it."),
    ("invalid value", "the key is right but the value is malformed, for another MPE id, or legacy."),
    ("unreadable", "maptag was not allowed to read the tags: grant access and scan again."),
    ("excluded", "out of scope (older than the agreement, MGN tooling, an exclusion rule): not counted."),
)
# (header, numeric, wide-only): money and days (when present) come right after the verdict.
FINDING_COLUMNS = (
    ("Resource", False, False),
    ("Verdict", False, False),
    ("Fix", False, False),
    ("Type", False, False),
    ("Reason", False, True),
    ("Tag found", False, True),
    ("Account", False, True),
    ("Region", False, True),
    ("Created", False, True),
)
MONEY_COLUMNS = (("A day", True, False),)
DAYS_COLUMNS = (("Days untagged", True, False),)
VERDICT_ORDER = ("compliant", "missing", "near_miss_key", "invalid_value", "unreadable")


def e(value: object) -> str:
    """Any value as HTML text; control characters shown as escapes instead of vanishing."""
    text = "" if value is None else str(value)
    if not text.isprintable():
        text = "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)
    return escape(text, quote=True)


# The trend line reads this many recent runs of the local coverage history.
TREND_RUNS = 30


def write_html(report: ScanReport, out: IO[str], history: Sequence[CoverageRow] | None = None) -> None:
    """The report page. `history`: earlier runs' coverage, oldest first, for the trend line;
    None reads the local coverage history file when there is one (`--publish history`)."""
    totals = report.totals
    header = report.header()
    trend, trend_note = _trend_points(report, history)
    # One pass over the findings: the rows to fix (kept, to order them fix first) and their groups.
    with closing(report.resources()) as resources:
        rows = [dict(row) for row in fix_first(resources)]
    groups = fix_groups(rows)
    days = [d for d in map(days_noncompliant, rows) if d is not None]
    w = out.write
    w("<!doctype html>\n<html lang='en'>\n<head>\n<meta charset='utf-8'>\n")
    w(f"<meta http-equiv='Content-Security-Policy' content=\"{e(CONTENT_SECURITY_POLICY)}\">\n")
    w("<meta name='viewport' content='width=device-width, initial-scale=1'>\n")
    w(f"<title>MAP tag coverage {e(totals.coverage_text)} · maptag report</title>\n")
    w(f"<style>{STYLE}</style>\n</head>\n<body>\n<header>\n")
    w(f"<h1>MAP 2.0 tag coverage: {e(totals.coverage_text)}</h1>\n")
    w(f"<p class='meta'>{e(overall_line(report))}</p>\n")
    for line in _policy_lines(report):
        w(f"<p class='meta'>{line}</p>\n")
    w("</header>\n")
    _headline(w, header, totals, max(days) if days else None, _currency(header, rows))
    _failed_units(w, report)
    _verdict_bar(w, totals)
    _charts(w, report)
    _trend(w, trend, trend_note)
    _fix_groups(w, groups, _currency(header, rows))
    _blind_spots(w, header)
    _findings(w, rows, totals)
    _excluded(w, report, totals)
    w("<section class='noprint'>\n<h2>What the verdicts mean</h2>\n<dl class='legend'>\n")
    for term, meaning in LEGEND:
        w(f"<dt>{e(term)}</dt><dd>{e(meaning)}</dd>\n")
    w("</dl>\n<p class='note'>Coverage = compliant ÷ in scope (excluded resources are not counted), ")
    w("rounded down, so it never shows a false 100 %.</p>\n</section>\n")
    w(f"<footer>maptag {e(__version__)} · report schema maptag/scan-report@1</footer>\n")
    w(f"<script>{SCRIPT}</script>\n</body>\n</html>\n")


def _trend_points(
    report: ScanReport, history: Sequence[CoverageRow] | None
) -> tuple[list[tuple[str, float]], str | None]:
    """(date, coverage) per earlier run plus this scan; a note when the history is unreadable."""
    note = None
    if history is None and report.trend is not None:
        earlier = [(day, value) for day, value in report.trend]
        if report.totals.coverage_shown is not None:
            earlier.append((report.generated_at.strftime("%Y-%m-%d"), float(report.totals.coverage_shown)))
        return earlier, None
    if history is None:
        from maptag.sinks.history import FileHistory, HistoryError, Scope, default_file

        try:
            path = default_file()
            history = list(reversed(FileHistory(path).trend(Scope(), TREND_RUNS))) if path.exists() else []
        except (HistoryError, OSError) as error:
            history, note = [], f"The coverage history could not be read: {error}"
        except RuntimeError:  # no home directory (a Lambda function): no local history to read
            history = []
    now = report.generated_at.strftime("%Y-%m-%dT%H:%M:%S")
    points = [
        (row.scanned_at[:10], row.coverage_percent)
        for row in history
        if row.coverage_percent is not None and row.scanned_at[:19] <= now
    ]
    if report.totals.coverage_shown is not None:
        points.append((now[:10], report.totals.coverage_shown))
    return [(day, float(value)) for day, value in points if value is not None], note


def _currency(header: Mapping[str, Any], rows: Sequence[Mapping[str, Any]]) -> str | None:
    """The cost data's currency as it names it (never assumed)."""
    for row in rows:
        cost = row.get("cost")
        if isinstance(cost, Mapping) and cost.get("currency"):
            return str(cost["currency"])
    for spend in header.get("unscanned_spend") or ():
        if isinstance(spend, Mapping) and spend.get("currency"):
            return str(spend["currency"])
    return None


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _headline(
    w: Any, header: Mapping[str, Any], totals: Totals, oldest: int | None, currency: str | None
) -> None:
    """What a CFO reads in five seconds: coverage, money, how many to fix, how long it has leaked."""
    w("<section class='headline' aria-label='Summary'>\n")
    w(f"<div class='big coverage'><b>{e(totals.coverage_text)}</b><span>tag coverage</span></div>\n")
    spend = _number(header["totals"].get("untagged_daily_spend"))
    if spend is not None:
        w(
            f"<div class='big bad'><b>{e(money_text(spend, currency))}</b>"
            "<span>untagged spend a day</span></div>\n"
        )
    at_risk = _number(header["totals"].get("credits_at_risk_monthly"))
    if at_risk is not None:
        w(f"<div class='big bad'><b>{e(money_text(at_risk, currency))}</b>")
        w("<span>MAP credits at risk a month</span></div>\n")
    css = "bad" if totals.non_compliant else "good"
    w(f"<div class='big {css}'><b>{totals.non_compliant}</b><span>resources to fix</span></div>\n")
    if oldest is not None:
        w(f"<div class='big'><b>{oldest} days</b><span>oldest leak (days untagged)</span></div>\n")
    w("</section>\n")
    if spend is not None or oldest is not None:
        w("<p class='note'>MAP credits cannot be back-dated: every day a resource stays untagged ")
        w("is credit that is gone.</p>\n")


def _verdict_bar(w: Any, totals: Totals) -> None:
    """The verdicts of every in-scope resource as one stacked bar (excluded: not counted)."""
    parts = [(name, getattr(totals, name)) for name in VERDICT_ORDER if getattr(totals, name)]
    if not parts:
        return
    whole = sum(count for _, count in parts)
    w("<h2>Verdicts</h2>\n<svg class='stack' viewBox='0 0 100 6' preserveAspectRatio='none' role='img' ")
    w(f"aria-label='{e(', '.join(f'{n} {VERDICT_LABELS[name]}' for name, n in parts))}'>")
    x = 0.0
    for name, count in parts:
        width = 100 * count / whole
        w(f"<rect class='v-{name}' x='{x:.3f}' width='{width:.3f}' height='6'/>")
        x += width
    w("</svg>\n<ul class='keys'>")
    for name, count in parts:
        w(f"<li><i class='v-{name}'></i>{count} {e(VERDICT_LABELS[name])}</li>")
    w(f"<li>{totals.excluded} excluded (not counted)</li></ul>\n")


def _bar(label: str, totals: Totals, extra: str = "") -> str:
    shown = totals.coverage_shown
    level = "none" if shown is None else "good" if shown >= 90 else "warn" if shown >= 50 else "bad"
    width = 0 if shown is None else shown
    return (
        f"<div class='bar'><span class='label'>{label}</span>"
        "<svg viewBox='0 0 100 4' preserveAspectRatio='none' role='img' "
        f"aria-label='{e(totals.coverage_text)}'>"
        f"<rect class='track' width='100' height='4'/><rect class='{level}' width='{width:.2f}' height='4'/>"
        f"</svg><span class='n'>{e(totals.coverage_text)} <small>{totals.compliant}/{totals.in_scope}"
        f"{extra}</small></span></div>\n"
    )


def _charts(w: Any, report: ScanReport) -> None:
    w("<div class='charts'>\n<section>\n<h2>Coverage by account and region</h2>\n")
    for result in report.units:
        unit = result.unit
        failed = " <span class='failed'>failed</span>" if result.failed else ""
        w(_bar(f"{e(unit.account_id)} {e(unit.region)}{failed}", result.totals))
    w("</section>\n<section>\n<h2>Coverage by resource type</h2>\n")
    by_type = sorted(report.by_type.items(), key=lambda item: (item[1].coverage_shown or 0, item[0]))
    for name, totals in by_type:
        w(_bar(e(name), totals))
    w("</section>\n</div>\n")
    w("<details class='counts'><summary>The counts behind the bars</summary>\n")
    _units_table(w, report)
    _types_table(w, report)
    w("</details>\n")


def _trend(w: Any, points: Sequence[tuple[str, float]], note: str | None) -> None:
    w("<h2>Coverage over time</h2>\n")
    if note:
        w(f"<p class='alert' role='alert'>{e(note)}</p>\n")
    if len(points) < 2:
        w("<p class='note'>One scan so far: the trend line appears from the second scan recorded with ")
        w("<code>--publish history</code>.</p>\n")
        return
    last = len(points) - 1
    line = " ".join(f"{100 * i / last:.2f},{40 - 0.4 * value:.2f}" for i, (_, value) in enumerate(points))
    w("<figure class='trend'><svg viewBox='0 0 100 40' preserveAspectRatio='none' role='img' ")
    w(f"aria-label='coverage from {points[0][1]:.2f} % to {points[-1][1]:.2f} % over {len(points)} scans'>")
    for y in (4, 20, 40):  # 90, 50 and 0 %
        w(f"<line class='grid' x1='0' y1='{y}' x2='100' y2='{y}'/>")
    w(f"<polyline points='{line}'/></svg>\n")
    w(f"<figcaption>{e(points[0][0])}: {points[0][1]:.2f} % → {e(points[-1][0])}: {points[-1][1]:.2f} % ")
    w(f"({len(points)} scans; grid lines at 90, 50 and 0 %)</figcaption></figure>\n")


def _fix_groups(w: Any, groups: Sequence[FixGroup], currency: str | None) -> None:
    if not groups:
        return
    w(f"<h2>What to fix ({len(groups)} fixes)</h2>\n<ol class='fixes'>\n")
    for group in groups:
        facts = []
        if group.daily:
            facts.append(f"{money_text(group.daily, group.currency or currency)} a day")
        if group.oldest_days is not None:
            facts.append(f"oldest {group.oldest_days} days")
        shown = f" <small>{e(' · '.join(facts))}</small>" if facts else ""
        w(f"<li><b>{_unbroken(group.fix)}</b> to {group.count} × {e(group.type)}")
        w(f"{' (dependents of in-scope resources)' if group.dependents else ''}{shown}</li>\n")
    w("</ol>\n")


def _blind_spots(w: Any, header: Mapping[str, Any]) -> None:
    """Spend and types maptag did not scan: a blind spot, with its price when known."""
    spend = [item for item in header.get("unscanned_spend") or () if isinstance(item, Mapping)]
    skipped = [
        (unit, item)
        for unit in header["units"]
        for item in unit.get("skipped_types") or ()
        if isinstance(item, Mapping)
    ]
    unscanned = [
        (unit, name, n) for unit in header["units"] for name, n in (unit.get("unscanned") or {}).items()
    ]
    if not (spend or skipped or unscanned):
        return
    w("<h2>Not scanned</h2>\n<ul class='blind'>\n")
    for item in spend:
        daily = _number(item.get("daily"))
        amount = money_text(daily, item.get("currency")) if daily is not None else "?"
        w(f"<li>{e(item.get('service'))}: {e(amount)} a day on {e(item.get('resources'))} resource(s) ")
        w("of types maptag does not scan</li>\n")
    for unit, name, n in unscanned:
        w(f"<li>{e(unit.get('account_id'))} {e(unit.get('region'))}: {e(n)} × {e(name)} not scanned</li>\n")
    for unit, item in skipped:
        w(f"<li>{e(unit.get('account_id'))} {e(unit.get('region'))}: {e(item.get('type'))} skipped: ")
        w(f"{e(item.get('reason'))}</li>\n")
    w("</ul>\n")


def _policy_lines(report: ScanReport) -> list[str]:
    policy = report.policy
    if policy.organization:
        accounts = "every active account of the Organization"
    else:
        accounts = ", ".join(policy.accounts) or "the scanning account"
    start = policy.agreement_start.isoformat() if policy.agreement_start else "not set (every resource)"
    generated = report.generated_at.strftime("%Y-%m-%d %H:%M UTC")
    return [
        f"MPE id(s): <b>{e(', '.join(policy.mpe_ids))}</b> · agreement start: {e(start)}"
        + (" · legacy d-server values accepted" if policy.accept_legacy else ""),
        f"Accounts: {e(accounts)} · regions: {e(', '.join(policy.regions))} · "
        f"{len(policy.types)} resource type(s) · generated {e(generated)}",
    ]


def _failed_units(w: Any, report: ScanReport) -> None:
    if not report.failed_units:
        return
    w("<div class='alert' role='alert'><b>Some accounts/regions could not be scanned completely;")
    w(" their numbers are partial.</b>\n<ul>\n")
    for result in report.failed_units:
        w(f"<li>{e(result.unit.account_id)} / {e(result.unit.region)}: {e(result.error)}</li>\n")
    w("</ul></div>\n")


def _head(columns: Iterable[tuple[str, bool] | tuple[str, bool, bool]]) -> str:
    """The header row; numeric columns align right, wide-only ones (`lo`) hide on narrow screens."""
    cells = []
    for name, numeric, *wide in columns:
        css = " ".join(c for c, on in (("n", numeric), ("lo", bool(wide and wide[0]))) if on)
        cells.append(f"<th scope='col'{f' class={css!r}' if css else ''}>{e(name)}</th>")
    return f"<thead><tr>{''.join(cells)}</tr></thead>\n"


def _count_cells(totals: Totals) -> str:
    shown = totals.coverage_shown
    cells = [f"<td class='n' data-sort='{-1 if shown is None else shown}'>{e(totals.coverage_text)}</td>"]
    for _, name in COUNT_COLUMNS:
        value = totals.in_scope if name == "in_scope" else getattr(totals, name)
        cells.append(f"<td class='n'>{value}</td>")
    return "".join(cells)


COUNT_HEAD = [("Coverage", True), *((label, True) for label, _ in COUNT_COLUMNS)]


def _units_table(w: Any, report: ScanReport) -> None:
    w("<h2>Coverage by account and region</h2>\n<table class='sortable' id='units'>\n")
    w(_head([("Account", False), ("Region", False), *COUNT_HEAD, ("Status", False)]))
    w("<tbody>\n")
    for result in report.units:
        unit = result.unit
        status = "<span class='failed'>failed</span>" if result.failed else "<span class='ok'>ok</span>"
        w(
            f"<tr><td class='label'>{e(unit.account_id)}</td><td class='label'>{e(unit.region)}</td>"
            f"{_count_cells(result.totals)}<td>{status}</td></tr>\n"
        )
    w("</tbody>\n</table>\n")


def _types_table(w: Any, report: ScanReport) -> None:
    w("<h2>Coverage by resource type</h2>\n<table class='sortable' id='types'>\n")
    w(_head([("Type", False), *COUNT_HEAD]))
    w("<tbody>\n")
    for name, totals in report.by_type.items():
        w(f"<tr><td class='label'>{e(name)}</td>{_count_cells(totals)}</tr>\n")
    w("</tbody>\n</table>\n")


def _findings(w: Any, rows: Sequence[Mapping[str, Any]], totals: Totals) -> None:
    count = totals.non_compliant
    w(f"<section class='noprint'>\n<h2>Resources to fix ({count})</h2>\n")
    if count == 0:
        w("<p>Every in-scope resource carries a correct map-migrated tag.</p>\n</section>\n")
        return
    with_cost = any(daily_cost(row) is not None for row in rows)
    with_days = any(row.get("noncompliant_days") is not None for row in rows)
    order = "highest daily spend first" if with_cost else "longest untagged first" if with_days else ""
    w(f"<p class='note'>{e(order.capitalize() + '. ' if order else '')}")
    w("Click a column to sort; type to filter; open a resource for its full ARN.</p>\n")
    w("<input id='filter' type='search' placeholder='Filter: account, type, verdict, words of the reason…' ")
    w("aria-label='Filter the resources to fix' hidden> ")
    w(f"<span><span id='shown'>{count}</span> of {count} shown</span>\n")
    columns = [
        *FINDING_COLUMNS[:2],
        *(MONEY_COLUMNS if with_cost else ()),
        *(DAYS_COLUMNS if with_days else ()),
        *FINDING_COLUMNS[2:],
    ]
    w("<div class='scroll'><table class='sortable' id='findings'>\n")
    w(_head(columns))
    w("<tbody>\n")
    for row in rows:
        w(_finding_row(row, with_cost, with_days))
    w("</tbody>\n</table></div>\n</section>\n")


def _finding_row(row: Mapping[str, Any], with_cost: bool, with_days: bool) -> str:
    verdict = str(row["verdict"])
    arn = str(row["arn"])
    parent = f"<small>part of {e(short_id(str(row['parent'])))}</small>" if row.get("parent") else ""
    created = str(row.get("created") or "")[:10]
    observed = row.get("observed") or {}
    found = "" if observed.get("key") is None else f"{observed['key']} = {observed.get('value') or ''}"
    css = verdict if verdict in VERDICT_LABELS else ""
    cells = [
        f"<td class='arn' data-sort='{e(short_id(arn))}'><details><summary>{e(short_id(arn))}</summary> "
        f"{e(arn)}</details>{parent}</td>",
        f"<td><span class='verdict {css}'>{e(VERDICT_LABELS.get(verdict, verdict))}</span></td>",
    ]
    if with_cost:
        daily = daily_cost(row)
        cost = row.get("cost") or {}
        shown = "" if daily is None else money_text(daily, cost.get("currency"))
        cells.append(f"<td class='n' data-sort='{-1 if daily is None else daily}'>{e(shown)}</td>")
    if with_days:
        days = days_noncompliant(row)
        since = str(row.get("noncompliant_since") or "")[:10]
        shown = "unknown" if days is None else f"{days}"
        title = f"<small>since {e(since)}</small>" if since else ""
        cells.append(f"<td class='n' data-sort='{-1 if days is None else days}'>{e(shown)}{title}</td>")
    cells += [
        f"<td class='fix'>{_unbroken(row.get('fix'))}</td>",
        f"<td class='label'>{e(row['type'])}</td>",
        f"<td class='lo'>{e(row['reason'])}</td>",
        f"<td class='tag lo'>{e(found)}</td>",
        f"<td class='label lo'>{e(row['account_id'])}</td>",
        f"<td class='label lo'>{e(row['region'])}</td>",
        f"<td class='label lo'>{e(created)}</td>",
    ]
    return f"<tr>{''.join(cells)}</tr>\n"


def _unbroken(text: object) -> str:
    """Escaped text that wraps between words only (a browser would also break `map-|migrated`)."""
    return " ".join(f"<span class='w'>{e(word)}</span>" for word in str(text or "").split(" "))


def _excluded(w: Any, report: ScanReport, totals: Totals) -> None:
    """The excluded resources with their reasons, collapsed (streamed: a second pass over the spool)."""
    if not totals.excluded:
        return
    w(f"<details class='noprint' id='excluded-list'><summary>Excluded resources ({totals.excluded}): ")
    w("out of scope, not counted</summary>\n<div class='scroll'><table id='excluded'>\n")
    w(_head([("Resource", False), ("Type", False), ("Why excluded", False), ("Account", False),
             ("Region", False)]))  # fmt: skip
    w("<tbody>\n")
    with closing(report.resources()) as resources:
        for row in resources:
            if row["verdict"] != Verdict.EXCLUDED:
                continue
            arn = str(row["arn"])
            w(
                f"<tr><td class='arn'><details><summary>{e(short_id(arn))}</summary> {e(arn)}</details></td>"
                f"<td class='label'>{e(row['type'])}</td><td>{e(row['reason'])}</td>"
                f"<td class='label lo'>{e(row['account_id'])}</td>"
                f"<td class='label lo'>{e(row['region'])}</td></tr>\n"
            )
    w("</tbody>\n</table></div>\n</details>\n")

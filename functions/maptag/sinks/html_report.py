"""The HTML report: one self-contained page a partner can mail to a customer.

Nothing external (no CSS, JS, fonts or images from elsewhere). Every value is HTML-escaped,
and a Content-Security-Policy lets only this file's own style and script run (by hash), so a
hostile tag value could not run even if it slipped past escaping. The rows to fix stream from
the spool straight into the page: memory holds one row at a time.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable
from contextlib import closing
from html import escape
from typing import IO, TYPE_CHECKING, Any

from maptag import __version__
from maptag.coverage import Totals
from maptag.model import Verdict
from maptag.sinks.report import COUNT_COLUMNS, overall_line

if TYPE_CHECKING:
    from maptag.sinks.report import ScanReport

STYLE = """
:root { --ink: #1f2328; --muted: #59636e; --line: #d1d9e0; --bad: #b42318; --warn: #9a6700;
  --ok: #1a7f37; --head: #f6f8fa; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
  color: var(--ink); margin: 2rem auto; max-width: 1400px; padding: 0 1.25rem; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.15rem; margin: 2rem 0 .5rem; }
p.meta, .note { color: var(--muted); margin: .2rem 0; }
.cards { display: flex; flex-wrap: wrap; gap: .6rem; margin: 1.2rem 0; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: .5rem .9rem; min-width: 8.5rem; }
.card b { display: block; font-size: 1.35rem; }
.card span { color: var(--muted); font-size: .85rem; }
.card.coverage b { font-size: 1.8rem; }
.alert { border: 2px solid var(--bad); border-radius: 6px; padding: .6rem 1rem; color: var(--bad);
  margin: 1rem 0; }
.alert ul { margin: .3rem 0 0; padding-left: 1.2rem; }
table { border-collapse: collapse; width: 100%; margin: .4rem 0; }
th, td { border-bottom: 1px solid var(--line); padding: .35rem .55rem; text-align: left;
  vertical-align: top; }
th { background: var(--head); font-weight: 600; white-space: nowrap; position: sticky; top: 0; }
table.sortable th { cursor: pointer; user-select: none; }
table.sortable th::after { content: " \\2195"; color: var(--muted); font-size: .8em; }
table.sortable th[aria-sort=ascending]::after { content: " \\2191"; }
table.sortable th[aria-sort=descending]::after { content: " \\2193"; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
td.label { white-space: nowrap; }
td.arn { word-break: break-all; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  font-size: .85em; }
td.arn small { display: block; color: var(--muted); }
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
@page { size: A4 landscape; margin: 12mm; }
@media print {
  body { margin: 0; max-width: none; font-size: 9pt; }
  input#filter, .noprint { display: none; }
  th { position: static; }
  thead { display: table-header-group; }
  tr { break-inside: avoid; }
  table.sortable th::after { content: none; }
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
FINDING_COLUMNS = (
    "Account",
    "Region",
    "Type",
    "Resource",
    "Verdict",
    "Tag found",
    "Reason",
    "Fix",
    "Created",
)


def e(value: object) -> str:
    """Any value as HTML text; control characters shown as escapes instead of vanishing."""
    text = "" if value is None else str(value)
    if not text.isprintable():
        text = "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)
    return escape(text, quote=True)


def write_html(report: ScanReport, out: IO[str]) -> None:
    totals = report.totals
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
    _cards(w, report, totals)
    _failed_units(w, report)
    _units_table(w, report)
    _types_table(w, report)
    _findings(w, report, totals)
    w("<h2>What the verdicts mean</h2>\n<dl class='legend'>\n")
    for term, meaning in LEGEND:
        w(f"<dt>{e(term)}</dt><dd>{e(meaning)}</dd>\n")
    w("</dl>\n<p class='note'>Coverage = compliant ÷ in scope (excluded resources are not counted), ")
    w("rounded down, so it never shows a false 100 %.</p>\n")
    w(f"<footer>maptag {e(__version__)} · report schema maptag/scan-report@1</footer>\n")
    w(f"<script>{SCRIPT}</script>\n</body>\n</html>\n")


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


def _cards(w: Any, report: ScanReport, totals: Totals) -> None:
    w("<section class='cards'>\n")
    w(f"<div class='card coverage'><b>{e(totals.coverage_text)}</b><span>coverage</span></div>\n")
    for label, name in COUNT_COLUMNS:
        value = totals.in_scope if name == "in_scope" else getattr(totals, name)
        css = name if value and name not in ("in_scope", "compliant", "excluded") else ""
        w(f"<div class='card {css}'><b>{value}</b><span>{e(label)}</span></div>\n")
    failed = len(report.failed_units)
    w(f"<div class='card {'failed' if failed else ''}'><b>{failed}</b><span>units failed</span></div>\n")
    w("</section>\n")


def _failed_units(w: Any, report: ScanReport) -> None:
    if not report.failed_units:
        return
    w("<div class='alert' role='alert'><b>Some accounts/regions could not be scanned completely;")
    w(" their numbers are partial.</b>\n<ul>\n")
    for result in report.failed_units:
        w(f"<li>{e(result.unit.account_id)} / {e(result.unit.region)}: {e(result.error)}</li>\n")
    w("</ul></div>\n")


def _head(columns: Iterable[tuple[str, bool]]) -> str:
    cells = "".join(
        f"<th scope='col'{' class=n' if numeric else ''}>{e(name)}</th>" for name, numeric in columns
    )
    return f"<thead><tr>{cells}</tr></thead>\n"


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


def _findings(w: Any, report: ScanReport, totals: Totals) -> None:
    count = totals.non_compliant
    w(f"<h2>Resources to fix ({count})</h2>\n")
    if count == 0:
        w("<p>Every in-scope resource carries a correct map-migrated tag.</p>\n")
        return
    w("<p class='note noprint'>Click a column to sort; type to filter.</p>\n")
    w("<input id='filter' type='search' placeholder='Filter: account, type, verdict, words of the reason…' ")
    w("aria-label='Filter the resources to fix' hidden> ")
    w(f"<span class='noprint'><span id='shown'>{count}</span> of {count} shown</span>\n")
    w("<table class='sortable' id='findings'>\n")
    w(_head((name, False) for name in FINDING_COLUMNS))
    w("<tbody>\n")
    with closing(report.resources()) as resources:
        for row in resources:
            verdict = str(row["verdict"])
            if verdict in (Verdict.COMPLIANT, Verdict.EXCLUDED):
                continue
            w(_finding_row(row, verdict))
    w("</tbody>\n</table>\n")


def _finding_row(row: dict[str, Any], verdict: str) -> str:
    parent = f"<small>part of {e(row['parent'])}</small>" if row.get("parent") else ""
    created = str(row.get("created") or "")[:10]
    observed = row.get("observed") or {}
    found = "" if observed.get("key") is None else f"{observed['key']} = {observed.get('value') or ''}"
    css = verdict if verdict in VERDICT_LABELS else ""
    return (
        f"<tr><td class='label'>{e(row['account_id'])}</td><td class='label'>{e(row['region'])}</td>"
        f"<td class='label'>{e(row['type'])}</td><td class='arn'>{e(row['arn'])}{parent}</td>"
        f"<td><span class='verdict {css}'>{e(VERDICT_LABELS.get(verdict, verdict))}</span></td>"
        f"<td class='tag'>{e(found)}</td><td>{e(row['reason'])}</td><td>{e(row.get('fix'))}</td>"
        f"<td class='label'>{e(created)}</td></tr>\n"
    )

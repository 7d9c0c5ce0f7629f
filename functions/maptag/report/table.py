"""The report as terminal tables (`--format table`): findings to fix first, coverage by unit and
by type, then the money and overall lines, each table fitted to the width (console.py).

Every value from AWS is put in a rich Text, so a tag value can never act as markup or a
terminal escape sequence.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import closing
from typing import IO, Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from maptag.console import TABLE_STYLE, Column, fitted_table, make_console
from maptag.coverage import Totals
from maptag.model import Verdict
from maptag.money import fix_first, money_text
from maptag.report.model import COUNT_COLUMNS, ScanReport, money_line, overall_line
from maptag.resources.inventory import NOTE
from maptag.views import daily_cost, days_noncompliant, short_id

# The table shows the first findings; the other formats list them all.
FINDINGS_SHOWN = 20
VERDICT_STYLE = {
    Verdict.MISSING.value: "red",
    Verdict.NEAR_MISS_KEY.value: "yellow",
    Verdict.INVALID_VALUE.value: "magenta",
    Verdict.UNREADABLE.value: "bold red",
}


def print_report(report: ScanReport, out: IO[str]) -> None:
    """Findings (fix first), coverage by unit and by type, then the overall line."""
    console = make_console(out)
    header = report.header()
    findings = _findings_table(report, report.totals, console, header)
    if findings is not None:
        console.print(findings)
    for table in (_units_table(report, console), _types_table(report, console)):
        if findings is not None or table.title != "Coverage by account and region":
            console.print()
        console.print(table)
    for failed in report.failed_units:
        console.print(Text(f"Unit {failed.unit.key} failed: {failed.error}", style="bold red"))
    headline = money_line(report)
    # A report read back from its JSON carries the spend as fields only.
    for line in [headline] if headline is not None else spend_lines(header):
        console.print(Text(line))
    for line in coverage_notes(header):
        console.print(Text(line))
    console.print(Text(overall_line(report)))


def spend_lines(header: Mapping[str, Any]) -> list[str]:
    """Spend, credits at risk and spend on what maptag does not scan, from the report's fields."""
    currency = _currency(header)
    totals = header["totals"]
    lines = []
    spend, at_risk = totals.get(SPEND), totals.get("credits_at_risk_monthly")
    if isinstance(spend, int | float):
        risk = (
            f" · MAP credits at risk: {money_text(at_risk, currency)} a month"
            if isinstance(at_risk, int | float)
            else ""
        )
        lines.append(f"Untagged spend: {money_text(spend, currency)} a day{risk}")
    for item in header.get("unscanned_spend") or ():
        daily = item.get("daily")
        amount = (
            money_text(daily, item.get("currency") or currency) if isinstance(daily, int | float) else "?"
        )
        lines.append(
            f"Not scanned: {item.get('service')}: {amount} a day on {item.get('resources')} resource(s)"
        )
    return lines


def coverage_notes(header: Mapping[str, Any]) -> list[str]:
    """What the report could not see: types not scanned (--inventory), types skipped in a unit.

    Spend, credits at risk and since-when are the report's money line (report/model.py)."""
    lines = []
    for unit in header["units"]:
        where = f"{unit['account_id']}/{unit['region']}"
        unscanned = unit.get("unscanned")
        if unscanned:
            counts = ", ".join(f"{count} {name}" for name, count in unscanned.items())
            lines.append(f"Not scanned in {where} ({NOTE}): {counts}")
        for skipped in unit.get("skipped_types") or ():
            lines.append(f"Skipped: {where}: {skipped.get('type')}: {skipped.get('reason')}")
    return lines


# Which counts go first when the terminal is narrow (higher: dropped sooner).
COUNT_DROP = {"missing": 1, "near_miss_key": 2, "invalid_value": 2, "in_scope": 3, "compliant": 3,
              "unreadable": 4, "excluded": 5}  # fmt: skip
SPEND = "untagged_daily_spend"


def _counts_columns(labels: Sequence[str], with_spend: bool) -> list[Column]:
    columns = [Column(label) for label in labels]
    columns.append(Column("coverage", justify="right"))
    if with_spend:
        columns.append(Column("untagged a day", drop=1, justify="right", wrap="header"))
    columns += [Column(header, COUNT_DROP[name], "right", wrap="header") for header, name in COUNT_COLUMNS]
    return columns


def _counts(totals: Totals, part: Mapping[str, Any], currency: str | None, with_spend: bool) -> list[Text]:
    cells = [Text(totals.coverage_text)]
    if with_spend:
        spend = part.get(SPEND)
        cells.append(Text(money_text(spend, currency) if isinstance(spend, int | float) else "", style="red"))
    for _, name in COUNT_COLUMNS:
        value = totals.in_scope if name == "in_scope" else getattr(totals, name)
        style = VERDICT_STYLE.get(name, "") if value else "dim"
        cells.append(Text(str(value), style=style))
    return cells


def _units_table(report: ScanReport, console: Console) -> Table:
    header = report.header()
    parts = header["units"]
    with_spend = any(SPEND in part.get("totals", {}) for part in parts)
    currency = _currency(header)
    rows = []
    for result, part in zip(report.units, parts, strict=True):
        # A failed unit's numbers are partial: its label says so (the error is printed below).
        region = Text(result.unit.region)
        if result.failed:
            region.append(" failed", style="bold red")
        counts = _counts(result.totals, part.get("totals", {}), currency, with_spend)
        rows.append([Text(result.unit.account_id), region, *counts])
    columns = _counts_columns(["account", "region"], with_spend)
    return fitted_table(console, columns, rows, title="Coverage by account and region", **TABLE_STYLE)


def _types_table(report: ScanReport, console: Console) -> Table:
    header = report.header()
    parts = header["types"]
    with_spend = any(SPEND in part for part in parts.values())
    currency = _currency(header)
    rows = [
        [Text(name), *_counts(totals, parts.get(name, {}), currency, with_spend)]
        for name, totals in report.by_type.items()
    ]
    columns = _counts_columns(["type"], with_spend)
    return fitted_table(console, columns, rows, title="Coverage by resource type", **TABLE_STYLE)


def _findings_table(
    report: ScanReport, totals: Totals, console: Console, header: Mapping[str, Any]
) -> Table | None:
    if totals.non_compliant == 0:
        return None
    with closing(report.resources()) as resources:
        first = fix_first(resources, limit=FINDINGS_SHOWN)
    more = totals.non_compliant - len(first)
    with_cost = any(daily_cost(row) is not None for row in first)
    with_days = any(row.get("noncompliant_days") is not None for row in first)
    columns = [
        Column("resource"),
        Column("type", drop=3),
        Column("account", drop=5),
        Column("region", drop=4),
        Column("verdict", drop=2),
        # Spend and days outlast the verdict: they say what to fix first (the fix says how).
        *([Column("a day", drop=1, justify="right")] if with_cost else []),
        *([Column("days", drop=1, justify="right")] if with_days else []),
        Column("fix", wrap="last"),
        Column("reason", drop=6, wrap="free"),
    ]
    currency = _currency(header)
    rows = []
    for row in first:
        verdict = str(row["verdict"])
        daily, days = daily_cost(row), days_noncompliant(row)
        cost = row.get("cost") or {}
        rows.append(
            [
                Text(short_id(str(row["arn"]))),
                Text(str(row["type"])),
                Text(str(row["account_id"])),
                Text(str(row["region"])),
                Text(verdict, style=VERDICT_STYLE.get(verdict, "")),
                *(
                    [Text("" if daily is None else money_text(daily, cost.get("currency") or currency))]
                    if with_cost
                    else []
                ),
                *([Text("?" if days is None else str(days))] if with_days else []),
                Text(str(row.get("fix") or "")),
                Text(str(row["reason"])),
            ]
        )
    order = "highest daily spend first" if with_cost else "longest non-compliant first" if with_days else ""
    notes = [f"{more} more: see --format csv, json or html for all" if more else "", order]
    caption = " · ".join(note for note in notes if note) or None
    return fitted_table(
        console,
        columns,
        rows,
        title=f"Resources to fix ({totals.non_compliant})",
        caption=caption,
        caption_justify="left",
        **TABLE_STYLE,
    )


def _currency(header: Mapping[str, Any]) -> str | None:
    """The cost data's currency, from the first resource group that states one."""
    for spend in header.get("unscanned_spend") or ():
        if isinstance(spend, Mapping) and spend.get("currency"):
            return str(spend["currency"])
    currency = header.get("totals", {}).get("currency")
    return str(currency) if currency else None

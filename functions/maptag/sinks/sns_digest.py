"""SNS: one digest per run (never one per account) for the people who are not looking.

The digest leads with coverage, untagged spend and the oldest leak (when costs and history are
on), the failed units (every one, loudly) and the report link, then what to fix first (most
spend a day, then longest non-compliant: a reader needs no S3 access), the counts per verdict,
the worst units and the types. It always fits SNS's limits: the
subject is ASCII under 100 characters and the message stays under 256 KB, long lists ending
in "and N more". Message attributes (coverage_percent, failed_units, non_compliant, status)
let subscribers filter, e.g. "only when a unit failed".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import boto3

from maptag.aws import Clients
from maptag.coverage import Totals
from maptag.model import Verdict
from maptag.money import money_text
from maptag.report.model import ScanReport, money_line
from maptag.scan import UnitResult
from maptag.sinks.outcome import RunInfo, SinkOutcome, guarded
from maptag.sinks.sink import Delivery, Sink

NAME = "sns"
SUBJECT_LIMIT = 99  # SNS: subjects must be ASCII and less than 100 characters
# SNS allows 256 KB including message attributes and subject; keep the body well under it.
MESSAGE_LIMIT = 240 * 1024
WORST_UNITS = 10
FIX_FIRST = 25
ERROR_CHARS = 300

VERDICT_LABELS = (
    (Verdict.COMPLIANT, "compliant"),
    (Verdict.MISSING, "missing"),
    (Verdict.NEAR_MISS_KEY, "near-miss key"),
    (Verdict.INVALID_VALUE, "invalid value"),
    (Verdict.UNREADABLE, "unreadable"),
    (Verdict.EXCLUDED, "excluded"),
)


@dataclass(frozen=True, slots=True)
class Digest:
    subject: str
    message: str
    attributes: dict[str, dict[str, str]]


def status_of(report: ScanReport) -> str:
    """failed (a unit could not be evaluated) > findings (something to fix) > compliant."""
    if report.failed_units:
        return "failed"
    return "findings" if report.totals.non_compliant else "compliant"


def build_digest(report: ScanReport, run: RunInfo, *, limit: int = MESSAGE_LIMIT) -> Digest:
    """The digest for one finished run (pure: no AWS)."""
    totals = report.totals
    failed = report.failed_units
    head = [
        f"MAP tag coverage: {totals.coverage_text} ({totals.compliant} of {totals.in_scope} in-scope "
        f"resources tagged correctly, {totals.non_compliant} to fix)",
        f"Run {run.run_id}, scanned {run.scanned_at:%Y-%m-%d %H:%M} UTC: {len(report.units)} unit(s) "
        "(account x region), " + (f"!! {len(failed)} FAILED" if failed else "none failed"),
        f"Report: {run.report_url or 'not stored for this run'}",
        *(f"Note: {notice}" for notice in run.notices),
        "",
    ]
    money = money_line(report)
    if money is not None:
        head.insert(1, money)
    sections: list[Section] = []
    if failed:
        intro = (
            f"!! {len(failed)} UNIT(S) FAILED: they could not be evaluated, so their counts are "
            "partial or missing:"
        )
        sections.append(Section([intro, *map(_failed_line, failed), ""], "failed unit(s)"))
    if totals.non_compliant:
        sections.append(_fix_first_section(report, totals.non_compliant))
    verdicts = [f"  {label:<14}{getattr(totals, v.value):>8}" for v, label in VERDICT_LABELS]
    verdicts[-1] += "  (out of scope, not counted)"
    sections.append(Section(["Resources per verdict:", *verdicts, ""], "verdict(s)"))
    sections.append(_worst_section(report, totals))
    by_type = [_type_line(name, t) for name, t in report.by_type.items() if t.in_scope]
    if by_type:
        sections.append(Section(["Per resource type:", *by_type], "type(s)"))
    return Digest(
        subject=subject(report), message=_fit(head, sections, limit), attributes=attributes(report, run)
    )


@dataclass(frozen=True, slots=True)
class Section:
    lines: list[str]
    noun: str  # what the "and N more …" line counts when the section is cut


def _fix_first_section(report: ScanReport, to_fix: int) -> Section:
    """The first resources to fix: most spend a day, then longest non-compliant (money.fix_first)."""
    lines = []
    for item in report.fix_first(FIX_FIRST):
        cost = item.get("cost")
        spend = f"{money_text(cost['daily'], cost['currency'])}/day" if cost else "no spend data"
        days = item.get("noncompliant_days")
        age = "since ?" if days is None else f"{days} day(s)"
        fix = item.get("fix") or item.get("reason")
        lines.append(f"  {spend:>14}  {age:>11}  {item['verdict']:<13} {item['arn']}  -> {fix}")
    if to_fix > FIX_FIRST:
        lines.append(f"  and {to_fix - FIX_FIRST} more resource(s) to fix: see the report")
    title = "Fix first (most spend a day, then longest non-compliant):"
    return Section([title, *lines, ""], "resource(s) to fix")


def _worst_section(report: ScanReport, totals: Totals) -> Section:
    worst = worst_units(report.units)
    if not worst:
        if totals.in_scope:
            return Section(["Every evaluated unit is fully tagged.", ""], "line(s)")
        return Section(["Nothing in scope: no migrated resources in the evaluated units.", ""], "line(s)")
    shown = [_unit_line(result) for result in worst[:WORST_UNITS]]
    if len(worst) > WORST_UNITS:
        shown.append(f"  and {len(worst) - WORST_UNITS} more unit(s) with resources to fix")
    return Section(["Worst units (lowest coverage first):", *shown, ""], "unit(s)")


def subject(report: ScanReport) -> str:
    totals = report.totals
    failed = len(report.failed_units)
    parts = [f"{failed} unit(s) FAILED"] if failed else []
    coverage = totals.coverage_shown
    parts.append("coverage n/a" if coverage is None else f"coverage {coverage:.2f}%")
    parts.append(f"{totals.non_compliant} to fix")
    text = "maptag MAP tags: " + ", ".join(parts)
    return text.encode("ascii", "replace").decode("ascii")[:SUBJECT_LIMIT]


def attributes(report: ScanReport, run: RunInfo) -> dict[str, dict[str, str]]:
    totals = report.totals
    values = {
        "status": {"DataType": "String", "StringValue": status_of(report)},
        "run_id": {"DataType": "String", "StringValue": run.run_id},
        "failed_units": {"DataType": "Number", "StringValue": str(len(report.failed_units))},
        "non_compliant": {"DataType": "Number", "StringValue": str(totals.non_compliant)},
    }
    coverage = totals.coverage_shown
    if coverage is not None:
        values["coverage_percent"] = {"DataType": "Number", "StringValue": f"{coverage:.2f}"}
    return values


def worst_units(units: Iterable[UnitResult]) -> list[UnitResult]:
    """Evaluated units with something to fix, lowest coverage (then most to fix) first."""
    candidates = [r for r in units if not r.failed and r.totals.non_compliant]
    return sorted(
        candidates,
        key=lambda r: (r.totals.coverage_percent or 0.0, -r.totals.non_compliant, r.unit.key),
    )


def send_digest(
    report: ScanReport, run: RunInfo, *, topic_arn: str, session: boto3.Session | None = None
) -> SinkOutcome:
    """Publish the run's digest to ``topic_arn`` (one message); never raises."""

    def deliver() -> SinkOutcome:
        parts = topic_arn.split(":")
        if len(parts) != 6 or parts[2] != "sns":
            return SinkOutcome(NAME, False, f"topic {topic_arn!r} is not an SNS topic ARN")
        digest = build_digest(report, run)
        sns = Clients(session or boto3.Session(), parts[3])("sns")
        response = sns.publish(
            TopicArn=topic_arn,
            Subject=digest.subject,
            Message=digest.message,
            MessageAttributes=digest.attributes,
        )
        size = len(digest.message.encode())
        return SinkOutcome(NAME, True, f"digest {response['MessageId']} ({size} bytes) sent to {topic_arn}")

    return guarded(NAME, deliver)


def _failed_line(result: UnitResult) -> str:
    error = (result.error or "unknown error").replace("\n", " ")
    if len(error) > ERROR_CHARS:
        error = error[: ERROR_CHARS - 1] + "…"
    return f"  FAILED {result.unit.account_id} / {result.unit.region}: {error}"


def _unit_line(result: UnitResult) -> str:
    t = result.totals
    problems = ", ".join(
        f"{getattr(t, verdict.value)} {label}"
        for verdict, label in VERDICT_LABELS[1:5]
        if getattr(t, verdict.value)
    )
    name = f"{result.unit.account_id} / {result.unit.region}"
    return f"  {name:<32}{t.coverage_text:>9}  {t.compliant}/{t.in_scope} tagged  ({problems})"


def _type_line(name: str, totals: Totals) -> str:
    return f"  {name:<34}{totals.coverage_text:>9}  {totals.compliant}/{totals.in_scope} tagged"


def _fit(head: Sequence[str], sections: Sequence[Section], limit: int) -> str:
    """head, then each section's lines while they fit in ``limit`` bytes, then "and N more"."""
    out = list(head)
    used = sum(len(line.encode()) + 1 for line in out)
    reserve = 160  # room for the closing "and N more" line
    for section in sections:
        for index, line in enumerate(section.lines):
            cost = len(line.encode()) + 1
            if used + cost > limit - reserve:
                rest = sum(1 for later in section.lines[index:] if later)
                out.append(f"  ... and {rest} more {section.noun}: message cut to fit SNS, see the report.")
                return "\n".join(out) + "\n"
            out.append(line)
            used += cost
    return "\n".join(out).rstrip() + "\n"


def _deliver(report: ScanReport, run: RunInfo, delivery: Delivery) -> SinkOutcome:
    if not delivery.topic_arn:
        return SinkOutcome(NAME, False, "no digest topic in this deployment (TOPIC_ARN)")
    return send_digest(report, run, topic_arn=delivery.topic_arn, session=delivery.session)


SINK = Sink(
    NAME, "one e-mail digest of the run to the deployment's topic", _deliver, deployed=True, default=True
)

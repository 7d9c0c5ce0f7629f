"""The terminal report over a report with spend and "since" fields: fix first, the money and
days columns while they fit, the spend lines; 80 columns at most."""

from __future__ import annotations

import io
import re

import pytest

from maptag.report.table import print_report
from tests.support.view_fixtures import FIX, costed_report


def printed(columns: int, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("COLUMNS", str(columns))
    monkeypatch.delenv("NO_COLOR", raising=False)
    out = io.StringIO()
    print_report(costed_report(), out)
    return out.getvalue()


def test_wide_terminal_shows_spend_and_days_fix_first(monkeypatch: pytest.MonkeyPatch) -> None:
    text = printed(160, monkeypatch)
    lines = text.splitlines()
    header = next(line for line in lines if line.startswith("resource "))
    assert header.split()[:9] == [
        "resource",
        "type",
        "account",
        "region",
        "verdict",
        "a",
        "day",
        "days",
        "fix",
    ]
    first = lines[lines.index(header) + 2]
    assert "$25.00" in first
    assert first.endswith(FIX)
    spends = [
        float(m) for m in re.findall(r"\$(\d+\.\d\d)  ", "\n".join(lines[lines.index(header) + 2 :][:20]))
    ]
    assert spends == sorted(spends, reverse=True), "highest daily spend first"
    assert "highest daily spend first" in text
    report = costed_report().header()
    assert f"Untagged spend: ${report['totals']['untagged_daily_spend']:,.2f} a day" in text
    assert "Not scanned: AmazonOpenSearchService: $41.50 a day on 3 resource(s)" in text
    assert (
        "Not scanned in 123456789012/eu-west-1 (seen by the Tagging API, which cannot see resources "
        "that never had a tag): 3 es:domain"
    ) in text
    assert "Skipped: 123456789012/eu-west-1: ec2:natgateway: not offered in this region" in text


def test_80_columns_keep_the_resource_the_spend_the_days_and_the_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    text = printed(80, monkeypatch)
    lines = text.splitlines()
    assert max(map(len, lines)) <= 80
    header = next(line for line in lines if line.startswith("resource "))
    assert header.split() == ["resource", "a", "day", "days", "fix"]
    first = lines[lines.index(header) + 2]
    assert re.fullmatch(rf"snap-[0-9a-f]{{17}} +\$25\.00 +\? +{re.escape(FIX)}", first)

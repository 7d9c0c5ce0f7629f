"""The row logic every view shares (maptag/views.py): short ids, fix-first order, fix groups."""

from __future__ import annotations

from typing import Any

import pytest

from maptag.money import fix_first, money_text
from maptag.views import fix_groups, short_id

FIX = "add tag map-migrated=mig12345"


@pytest.mark.parametrize(
    ("arn", "short"),
    [
        ("arn:aws:ec2:us-east-1:123456789012:volume/vol-0abc", "vol-0abc"),
        ("arn:aws:s3:::my-bucket", "my-bucket"),
        ("arn:aws:lambda:eu-west-1:123456789012:function:billing", "billing"),
        ("arn:aws:rds:eu-west-1:123456789012:db:orders", "orders"),
        (
            "arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/app/web/50dc6c495c0c9188",
            "web/50dc6c495c0c9188",
        ),
        ("arn:aws:dynamodb:us-east-1:123456789012:table/Orders", "Orders"),
        ("not-an-arn", "not-an-arn"),
    ],
)
def test_short_id_is_the_part_a_person_recognises(arn: str, short: str) -> None:
    assert short_id(arn) == short


def item(name: str, verdict: str = "missing", daily: float | None = None, days: int | None = None,
         **extra: Any) -> dict[str, Any]:  # fmt: skip
    row: dict[str, Any] = {"arn": name, "verdict": verdict, "type": "ec2:volume", "fix": FIX, **extra}
    if daily is not None:
        row["cost"] = {"daily": daily, "currency": "USD", "days": 14, "source": "cur"}
    row["noncompliant_days"] = days
    return row


def test_fix_first_orders_by_spend_then_days_and_leaves_out_compliant_and_excluded() -> None:
    rows = [
        item("cheap-old", daily=1.0, days=300),
        item("ok", verdict="compliant", daily=99.0),
        item("dear", daily=7.5, days=2),
        item("no-cost-old", days=40),
        item("no-cost-new", days=3),
        item("excluded", verdict="excluded", daily=50.0),
        item("cheap-new", daily=1.0, days=10),
        item("unknown"),
    ]
    order = [r["arn"] for r in fix_first(rows)]
    assert order == ["dear", "cheap-old", "cheap-new", "no-cost-old", "no-cost-new", "unknown"]
    assert [r["arn"] for r in fix_first(rows, limit=2)] == ["dear", "cheap-old"]


def test_fix_first_keeps_the_report_order_when_nothing_ranks_rows() -> None:
    rows = [item(f"r{n}") for n in range(30)]
    assert [r["arn"] for r in fix_first(rows, limit=20)] == [f"r{n}" for n in range(20)]


def test_fixes_are_grouped_by_fix_type_and_dependence_costliest_first() -> None:
    rows = [
        *(item(f"v{n}", daily=2.0, days=n) for n in range(3)),
        item("child", daily=0.5, parent="arn:aws:ec2:us-east-1:1:instance/i-1"),
        item("s", type="ec2:snapshot", daily=10.0, fix="set the value to 'mig12345'"),
        item("ok", verdict="compliant"),
    ]
    groups = fix_groups(rows)
    assert [(g.fix, g.type, g.dependents, g.count, g.daily, g.oldest_days) for g in groups] == [
        ("set the value to 'mig12345'", "ec2:snapshot", False, 1, 10.0, None),
        (FIX, "ec2:volume", False, 3, 6.0, 2),
        (FIX, "ec2:volume", True, 1, 0.5, None),
    ]
    assert groups[1].sentence == f"{FIX} to 3 × ec2:volume"
    assert groups[2].sentence == f"{FIX} to 1 × ec2:volume (dependents of in-scope resources)"


def test_money_names_the_currency_it_was_given() -> None:
    assert money_text(1234.5, "USD") == "$1,234.50"
    assert money_text(3.0, None) == "3.00"

"""money.py: spend a day from cost lines, since-when from the ledger, fix-first, credits."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from maptag.money import (
    CostError,
    CostLine,
    Ledger,
    Money,
    SinceState,
    cost_book,
    credits_at_risk_monthly,
    fix_first,
    parse_credit_rate,
)

END = date(2026, 11, 30)
INSTANCE = "arn:aws:ec2:us-east-1:111122223333:instance/i-0abc"
BUCKET = "arn:aws:s3:::logs-bucket"


def line(resource: str, days_ago: int, amount: float, **extra: object) -> CostLine:
    fields = {"currency": "USD", "service": "AmazonEC2", "account_id": "111122223333", "region": "us-east-1"}
    fields.update(extra)
    return CostLine(resource, END - timedelta(days=days_ago), amount, **fields)  # type: ignore[arg-type]


def test_spend_a_day_averages_from_the_first_day_seen_in_the_last_14_days() -> None:
    book = cost_book(
        [
            *(line("i-0abc", d, 2.0) for d in range(14)),  # 14 days at $2
            line("i-0abc", 20, 100.0),  # outside the window: ignored
            *(line("vol-new", d, 3.0) for d in range(3)),  # created 3 days ago
        ],
        "cur",
    )

    assert book.lookup(INSTANCE) == ("i-0abc", book.spends["i-0abc"].cost)
    instance = book.spends["i-0abc"].cost
    assert (instance.daily, instance.days, instance.currency, instance.source) == (2.0, 14, "USD", "cur")
    new = book.spends["vol-new"].cost
    assert (new.daily, new.days) == (3.0, 3)


def test_a_bucket_matches_by_name_and_an_arn_by_itself() -> None:
    book = cost_book([line("logs-bucket", 0, 1.5), line(INSTANCE, 0, 4.0)], "cost-explorer")

    assert book.lookup(BUCKET) is not None
    assert book.lookup(BUCKET)[1].daily == 1.5
    assert book.lookup(INSTANCE)[0] == INSTANCE  # type: ignore[index]
    assert book.lookup("arn:aws:ec2:us-east-1:111122223333:volume/vol-unbilled") is None


def test_a_short_name_never_borrows_another_services_spend() -> None:
    # a bucket named "orders" is billed as "orders"; the table and the function are billed by ARN
    book = cost_book([line("orders", 0, 9.0, service="AmazonS3")], "cur")

    assert book.lookup("arn:aws:s3:::orders") is not None
    assert book.lookup("arn:aws:dynamodb:us-east-1:111122223333:table/orders") is None
    assert book.lookup("arn:aws:lambda:us-east-1:111122223333:function:orders") is None


def test_spend_in_two_currencies_is_refused_not_summed() -> None:
    with pytest.raises(CostError, match=r"cur: spend in more than one currency \(EUR, USD\)"):
        cost_book([line("a", 0, 1.0), line("b", 0, 1.0, currency="EUR")], "cur")


def test_data_without_resource_ids_says_how_to_get_them() -> None:
    with pytest.raises(CostError, match="include resource IDs"):
        cost_book([line("", 0, 1.0)], "cur")


def test_unscanned_spend_is_per_service_in_the_scanned_accounts_and_regions_only() -> None:
    book = cost_book(
        [
            line("i-0abc", 0, 5.0),  # matched by a scanned resource
            line("arn:aws:logs:us-east-1:111122223333:log-group:app", 0, 2.0, service="AmazonCloudWatch"),
            line("arn:aws:logs:us-east-1:111122223333:log-group:web", 0, 1.0, service="AmazonCloudWatch"),
            line("nat-1", 0, 7.0, service="AmazonVPC"),
            line("nat-2", 0, 9.0, service="AmazonVPC", account_id="999999999999"),  # not scanned
            line("nat-3", 0, 9.0, service="AmazonVPC", region="eu-west-1"),  # not scanned
        ],
        "cur",
    )

    unscanned = book.unscanned({"i-0abc"}, {"111122223333"}, {"us-east-1"})

    assert unscanned == [
        {"service": "AmazonVPC", "daily": 7.0, "currency": "USD", "resources": 1},
        {"service": "AmazonCloudWatch", "daily": 3.0, "currency": "USD", "resources": 2},
    ]


def test_fix_first_is_most_spend_then_longest_open_then_arn() -> None:
    findings = [
        {"arn": "a", "verdict": "missing", "noncompliant_days": 40},
        {"arn": "b", "verdict": "missing", "cost": {"daily": 1.0}, "noncompliant_days": 2},
        {"arn": "c", "verdict": "invalid_value", "cost": {"daily": 9.5}, "noncompliant_days": None},
        {"arn": "d", "verdict": "compliant", "cost": {"daily": 99.0}},
        {"arn": "e", "verdict": "excluded", "cost": {"daily": 99.0}},
        {"arn": "f", "verdict": "near_miss_key", "cost": {"daily": 1.0}, "noncompliant_days": 30},
        {"arn": "g", "verdict": "missing", "noncompliant_days": None},
    ]

    assert [f["arn"] for f in fix_first(findings)] == ["c", "f", "b", "a", "g"]
    assert [f["arn"] for f in fix_first(findings, limit=2)] == ["c", "f"]


def test_since_is_the_recorded_date_this_run_or_unknown() -> None:
    now = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)
    ledger = Ledger(now, {"open": SinceState("missing", "2026-11-21T06:00:00Z", "ec2:volume")})

    assert (ledger.since("open", "invalid_value"), ledger.days("2026-11-21T06:00:00Z")) == (
        "2026-11-21T06:00:00Z",
        10,
    )
    assert ledger.since("new", "missing") == "2026-12-01T06:00:00Z"
    assert ledger.since("new", "unreadable") is None  # tags not seen: when it began is unknown
    assert ledger.since("new", "compliant") is None
    assert Ledger(now).since("open", "missing") is None  # no history: unknown, not guessed


def test_annotate_adds_since_days_and_cost_only_where_known() -> None:
    now = datetime(2026, 12, 1, tzinfo=UTC)
    money = Money(Ledger(now), cost_book([line("i-0abc", 0, 2.5)], "cur"), credit_rate=25)

    item = money.annotate({"arn": INSTANCE, "verdict": "missing"})
    compliant = money.annotate(
        {"arn": "arn:aws:ec2:us-east-1:111122223333:volume/vol-1", "verdict": "compliant"}
    )

    assert item == {
        "arn": INSTANCE,
        "verdict": "missing",
        "noncompliant_since": None,
        "noncompliant_days": None,
        "cost": {"daily": 2.5, "currency": "USD", "days": 1, "source": "cur"},
    }
    assert "noncompliant_since" not in compliant
    assert "cost" not in compliant
    assert money.spend_fields(100.0) == {"untagged_daily_spend": 100.0, "credits_at_risk_monthly": 760.42}


def test_credits_at_risk_a_month_are_the_rate_of_a_month_of_untagged_spend() -> None:
    assert credits_at_risk_monthly(120.0, 25) == round(120 * 365 / 12 * 0.25, 2)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("abc", "'abc' is not a number"),
        ("0", "'0' is not a percentage above 0 and at most 100"),
        ("150", "'150' is not a percentage above 0 and at most 100"),
        ("nan", "'nan' is not a percentage"),
    ],
)
def test_a_bad_credit_rate_is_refused_naming_it(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_credit_rate(text)
    assert parse_credit_rate("25") == 25.0

"""maptag's timestamp parser gives exactly what botocore's would, without dateutil for ISO times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from botocore.utils import parse_timestamp as botocore_parse_timestamp
from hypothesis import given
from hypothesis import strategies as st

from maptag.aws import parse_timestamp


@given(
    moment=st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1)),
    offset_minutes=st.integers(min_value=-14 * 60, max_value=14 * 60),
    digits=st.sampled_from([0, 3, 6, 9]),
    zulu=st.booleans(),
    separator=st.sampled_from(["T", " "]),
)
def test_iso_times_with_an_offset_are_the_same_aware_instant_as_botocores(
    moment: datetime, offset_minutes: int, digits: int, zulu: bool, separator: str
) -> None:
    # Given an ISO 8601 time with an explicit offset, as AWS's XML and JSON answers carry them
    offset = timezone(timedelta(minutes=0 if zulu else offset_minutes))
    aware = moment.replace(tzinfo=offset)
    text = aware.strftime(f"%Y-%m-%d{separator}%H:%M:%S")
    if digits:
        text += "." + f"{aware.microsecond:06d}{'123'}"[:digits]
    text += "Z" if zulu else aware.strftime("%z")
    # When both parse it
    ours, theirs = parse_timestamp(text), botocore_parse_timestamp(text)
    # Then they are the same instant, both timezone-aware
    assert ours.tzinfo is not None
    assert theirs.tzinfo is not None
    assert ours == theirs
    assert ours.utcoffset() == theirs.utcoffset()


@pytest.mark.parametrize(
    "value",
    [
        "2025-06-15T10:30:00.000Z",  # EC2, RDS
        "2025-06-15T10:30:00.123456789Z",  # nanoseconds: both keep microseconds
        "2025-06-15T10:30:00.000+0000",
        "Wed, 12 Oct 2009 17:50:00 GMT",  # RFC 822 (S3 headers): botocore's parser
        "1718447400",  # epoch seconds as text
        1718447400.5,  # epoch seconds (JSON protocols: DynamoDB)
        "2025-06-15T10:30:00",  # naive: botocore's parser, naive as botocore returns it
        "2025-06-15",
    ],
)
def test_every_other_shape_gives_what_botocore_gives(value: str | float) -> None:
    ours, theirs = parse_timestamp(value), botocore_parse_timestamp(value)
    assert ours == theirs
    assert (ours.tzinfo is None) == (theirs.tzinfo is None)


def test_a_bad_timestamp_fails_as_botocores_does() -> None:
    with pytest.raises(ValueError, match="not-a-time"):
        parse_timestamp("not-a-time")
    with pytest.raises(ValueError, match="not-a-time"):
        botocore_parse_timestamp("not-a-time")


def test_zulu_is_utc() -> None:
    assert parse_timestamp("2025-06-15T10:30:00Z") == datetime(2025, 6, 15, 10, 30, tzinfo=UTC)

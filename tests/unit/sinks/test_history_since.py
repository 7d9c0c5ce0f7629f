"""The history's per-resource part (docs/costs.md, "Since when"): only verdict changes are
written, and only what the run learnt; read back from the local file, the last write wins."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from maptag.model import ScanUnit, Verdict
from maptag.money import SinceState
from maptag.policy import Policy
from maptag.sinks.history import FileHistory, open_states, resource_changes
from maptag.sinks.outcome import RunInfo
from tests.support.sink_fixtures import ACCOUNT, UnitSpec, built_report, finding

EAST, WEST = ScanUnit(ACCOUNT, "us-east-1"), ScanUnit(ACCOUNT, "eu-west-1")
RUN = RunInfo("run-9", datetime(2026, 12, 1, 6, 0, tzinfo=UTC))
EARLIER = "2026-11-01T06:00:00Z"


def arn(unit: ScanUnit, name: str, kind: str = "volume") -> str:
    return f"arn:aws:ec2:{unit.region}:{unit.account_id}:{kind}/{name}"


def state(unit: ScanUnit, verdict: str = "missing", rtype: str = "ec2:volume") -> SinceState:
    return SinceState(verdict, EARLIER, rtype, unit.account_id, unit.region)


def test_only_changes_are_written_and_unknowns_keep_their_rows() -> None:
    prior = {
        arn(EAST, "still"): state(EAST),  # still missing: nothing to write
        arn(EAST, "renamed"): state(EAST),  # missing -> invalid value: date kept
        arn(EAST, "fixed"): state(EAST),  # now compliant: closed
        arn(EAST, "deleted"): state(EAST),  # gone from a unit that scanned: closed
        arn(EAST, "unread"): state(EAST),  # unreadable now: nothing learnt
        arn(EAST, "snap-1", "snapshot"): state(EAST, rtype="ec2:snapshot"),  # type not scanned
        arn(WEST, "away"): state(WEST),  # its unit failed
    }
    specs = [
        UnitSpec(
            EAST,
            [
                finding(EAST, Verdict.MISSING, "still"),
                finding(EAST, Verdict.INVALID_VALUE, "renamed"),
                finding(EAST, Verdict.COMPLIANT, "fixed"),
                finding(EAST, Verdict.UNREADABLE, "unread"),
                finding(EAST, Verdict.MISSING, "new"),
                finding(EAST, Verdict.UNREADABLE, "new-unread"),
                finding(EAST, Verdict.EXCLUDED, "old"),
            ],
        ),
        UnitSpec(WEST, [], error="AccessDenied on AssumeRole"),
    ]
    policy = Policy.build(mpe_ids=["mig12345"], regions=["us-east-1", "eu-west-1"], types=["ec2:volume"])

    with built_report(specs, policy=policy) as report:
        rows = list(resource_changes(report, prior, RUN, retention_days=10))

    written = {row["sk"].rsplit("/", 1)[-1]: row for row in rows}
    assert sorted(written) == ["deleted", "fixed", "new", "renamed"]
    assert (written["new"]["verdict"], written["new"]["noncompliant_since"]) == (
        "missing",
        "2026-12-01T06:00:00Z",
    )
    assert (written["renamed"]["verdict"], written["renamed"]["noncompliant_since"]) == (
        "invalid_value",
        EARLIER,
    )
    assert "expires_at" not in written["new"]  # an open row never ages out
    expires = int((RUN.scanned_at + timedelta(days=10)).timestamp())
    assert [(written[n]["verdict"], written[n]["expires_at"]) for n in ("fixed", "deleted")] == [
        ("compliant", expires),
        ("gone", expires),
    ]


def test_the_file_gives_back_the_open_rows_last_write_winning(tmp_path: Path) -> None:
    store = FileHistory(tmp_path / "history.jsonl")
    key = "history#resource#123456789012#us-east-1"
    now = datetime(2026, 12, 1, tzinfo=UTC)

    def row(sk: str, verdict: str, **extra: object) -> dict[str, object]:
        since = None if verdict == "compliant" else EARLIER
        return {
            "pk": key,
            "sk": sk,
            "kind": "resource",
            "verdict": verdict,
            "noncompliant_since": since,
            "type": "t",
            **extra,
        }

    closes = int((now + timedelta(days=1)).timestamp())
    store.write(
        [
            row("a", "missing"),
            row("b", "missing"),
            row("b", "compliant", expires_at=closes),
            row("c", "near_miss_key", account_id=ACCOUNT, region="us-east-1"),
        ]
    )

    states = store.resource_states([ScanUnit(ACCOUNT, "us-east-1")])

    assert sorted(states) == ["a", "c"]
    assert states["c"] == SinceState("near_miss_key", EARLIER, "t", ACCOUNT, "us-east-1")
    assert FileHistory(tmp_path / "absent.jsonl").resource_states([EAST]) == {}
    assert store.resource_states([WEST]) == {}
    assert open_states([], now=now) == {}

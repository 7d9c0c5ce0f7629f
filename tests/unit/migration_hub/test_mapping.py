"""The Migration Hub mapping (docs/contracts.md, "Migration Hub mapping"): pure functions, no AWS."""

from __future__ import annotations

import json
import re
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import botocore.session
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from maptag.coverage import Totals
from maptag.local.migration_hub.validation import violations
from maptag.migration_hub.mapping import resource_attributes, summary, task_state
from maptag.migration_hub.names import (
    StreamNameError,
    clean_text,
    server_task_name,
    unit_task_name,
    validate_stream,
)
from maptag.migration_hub.outbox import FileOutbox, OutboxError
from maptag.migration_hub.publisher import (
    DEFAULT_NEXT_UPDATE_SECONDS,
    HubSettings,
    TaskUpdate,
    attributes_request,
    import_request,
    newest,
    next_update_seconds,
    notify_request,
    plan_updates,
)
from maptag.model import Finding, Judgement, Resource, Verdict

SCANNED = "2026-11-23T10:00:00Z"


def unit(account: str = "123456789012", region: str = "us-east-1", status: str = "ok", error=None, **counts):
    totals = Totals(**counts).to_report()
    return {"account_id": account, "region": region, "status": status, "error": error, "totals": totals}


def resource(arn: str, rtype: str, verdict: str, parent: str | None = None, attributes=None):
    item = {
        "arn": arn,
        "account_id": "123456789012",
        "region": "us-east-1",
        "type": rtype,
        "verdict": verdict,
        "parent": parent,
    }
    if attributes is not None:
        item["attributes"] = attributes
    return item


def update(
    task: str = "map-tagging-1-us-east-1", at: datetime | None = None, detail: str = "x"
) -> TaskUpdate:
    return TaskUpdate(
        stream="MAP-Tagging",
        task=task,
        status="IN_PROGRESS",
        progress_percent=50,
        detail=detail,
        updated_at=at or datetime(2026, 11, 23, 10, tzinfo=UTC),
        next_update_seconds=90_000,
    )


# --- status mapping ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("counts", "status", "percent"),
    [
        ({"missing": 10}, "IN_PROGRESS", 0),
        ({"compliant": 249, "missing": 1}, "IN_PROGRESS", 99),  # 99.6 %: never a false 100
        ({"compliant": 1999, "unreadable": 1}, "IN_PROGRESS", 99),  # 99.95 %
        ({"compliant": 2, "missing": 1}, "IN_PROGRESS", 66),  # 66.67 % floors to 66
        ({"compliant": 430}, "COMPLETED", 100),
        ({"compliant": 7, "excluded": 5}, "COMPLETED", 100),
        ({"excluded": 5}, "NOT_STARTED", 0),
        ({}, "NOT_STARTED", 0),
    ],
)
def test_status_and_progress_follow_coverage(counts, status, percent):
    # Given a unit's verdict counts / When it is mapped / Then floor(coverage) and its status
    state = task_state(Totals(**counts))
    assert (state.status, state.progress_percent) == (status, percent)


def test_failed_unit_is_failed_whatever_its_partial_coverage():
    state = task_state(Totals(compliant=10), failed=True, error="AccessDenied on DescribeInstances: no")
    assert state.status == "FAILED"
    assert state.progress_percent == 0
    assert state.detail == "scan failed: AccessDenied on DescribeInstances: no · partial: 10/10 tagged"


def test_detail_is_the_design_summary():
    totals = Totals(compliant=412, missing=12, near_miss_key=4, invalid_value=2, excluded=9)
    assert summary(totals) == "412/430 tagged · 12 missing · 4 near-miss key · 2 invalid value"
    assert task_state(Totals(excluded=3)).detail == "nothing in scope (3 excluded)"
    assert summary(Totals(compliant=1, unreadable=2)) == "1/3 tagged · 2 unreadable"


def test_a_huge_error_message_is_cut_to_one_valid_line():
    error = "Throttled\n" + "é" * 5_000 + "\r\u2028end"
    state = task_state(Totals(), failed=True, error=error)
    assert len(state.detail.encode("utf-16-le")) // 2 <= 2_500
    assert "\n" not in state.detail
    assert "\u2028" not in state.detail
    assert state.detail.startswith("scan failed: Throttled é")
    assert state.detail.endswith("…")


def test_clean_text_counts_utf16_units_like_the_service():
    # Each emoji is two UTF-16 code units: 2,000 of them are 4,000 units, over the limit.
    cut = clean_text("😀" * 2_000)
    assert len(cut.encode("utf-16-le")) // 2 <= 2_500
    assert cut.endswith("…")


# --- names ---------------------------------------------------------------------------------


def test_task_names_follow_the_contract():
    assert unit_task_name("123456789012", "eu-west-1") == "map-tagging-123456789012-eu-west-1"
    assert server_task_name("123456789012", "i-0abc123") == "map-tagging-123456789012-i-0abc123"


def test_hostile_parts_are_made_safe_and_stay_distinct():
    one = unit_task_name("123456789012", "us:east|1")
    two = unit_task_name("123456789012", "us|east:1")
    assert one != two
    for name in (one, two):
        assert ":" not in name
        assert "|" not in name
        assert name.startswith("map-tagging-123456789012-us_east_1-")
    long = unit_task_name("1" * 300, "x")
    assert len(long) == 256


@pytest.mark.parametrize("name", ["MAP-Tagging", "a", "x" * 50, "Tagging über alles", "map tagging (prod)"])
def test_valid_stream_names_are_kept(name):
    assert validate_stream(name) == name


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "empty stream name"),
        ("x" * 51, "longer than 50 characters"),
        ("😀" * 26, "longer than 50 characters"),
        ("MAP/Tagging", "contains '/'"),
        ("MAP:Tagging", "contains ':'"),
        ("MAP|Tagging", "contains '|'"),
        ("MAP\tTagging", "contains '\\t'"),
        ("MAP\u2028Tagging", "contains '\\u2028'"),
    ],
)
def test_invalid_stream_names_are_refused_with_the_reason(name, message):
    with pytest.raises(StreamNameError, match=re.escape(message)):
        validate_stream(name)


def test_next_update_is_the_schedule_plus_slack():
    assert DEFAULT_NEXT_UPDATE_SECONDS == 86_400 + 3_600
    assert next_update_seconds(86_400) == 90_000
    assert next_update_seconds(7 * 86_400) == 7 * 86_400 + 3_600
    assert next_update_seconds(3_600) == 7_200


# --- planning from a report ----------------------------------------------------------------


def test_one_task_per_unit_with_the_scan_time():
    header = {
        "generated_at": SCANNED,
        "units": [
            unit(region="us-east-1", compliant=412, missing=12, near_miss_key=4, invalid_value=2),
            unit(region="eu-west-1", status="failed", error="AccessDenied on DescribeVolumes: denied"),
            unit(region="ap-south-1", excluded=2),
        ],
    }
    updates = plan_updates(header, [], HubSettings(stream="Prod", next_update_seconds=7_200))
    assert [(u.task, u.status, u.progress_percent) for u in updates] == [
        ("map-tagging-123456789012-us-east-1", "IN_PROGRESS", 95),
        ("map-tagging-123456789012-eu-west-1", "FAILED", 0),
        ("map-tagging-123456789012-ap-south-1", "NOT_STARTED", 0),
    ]
    assert {u.stream for u in updates} == {"Prod"}
    assert {u.next_update_seconds for u in updates} == {7_200}
    assert {u.updated_at for u in updates} == {datetime(2026, 11, 23, 10, tzinfo=UTC)}


SERVER = "arn:aws:ec2:us-east-1:123456789012:instance/i-0migrated"
PLAIN = "arn:aws:ec2:us-east-1:123456789012:instance/i-0plain"
ATTRS = {
    "private_ips": ["10.0.0.5", "10.0.0.6"],
    "macs": ["0a:1b:2c:3d:4e:5f"],
    "private_dns": "ip-10-0-0-5.ec2.internal",
    "migration_hub_source_id": "d-server-01234567890abc",
    "mgn_source_server": None,
}


def test_server_tasks_count_the_instance_and_its_dependents():
    volume = "arn:aws:ec2:us-east-1:123456789012:volume/vol-1"
    resources = [
        resource(SERVER, "ec2:instance", "compliant", attributes=ATTRS),
        resource(PLAIN, "ec2:instance", "missing", attributes={**ATTRS, "migration_hub_source_id": None}),
        resource(volume, "ec2:volume", "missing", parent=SERVER),
        resource(
            "arn:aws:ec2:us-east-1:123456789012:snapshot/snap-1", "ec2:snapshot", "near_miss_key", volume
        ),
        resource("arn:aws:ec2:us-east-1:123456789012:volume/vol-2", "ec2:volume", "missing", parent=PLAIN),
        resource("arn:aws:ec2:us-east-1:123456789012:image/ami-1", "ec2:image", "excluded", parent=SERVER),
    ]
    header = {"generated_at": SCANNED, "units": [unit(compliant=1, missing=3, near_miss_key=1)]}

    without = plan_updates(header, resources, HubSettings())
    assert [u.task for u in without] == ["map-tagging-123456789012-us-east-1"]

    updates = plan_updates(header, resources, HubSettings(server_tasks=True))
    server = updates[1]
    assert server.task == "map-tagging-123456789012-i-0migrated"
    assert (server.status, server.progress_percent) == ("IN_PROGRESS", 33)
    assert server.detail == "1/3 tagged · 1 missing · 1 near-miss key"
    assert server.attributes == (
        ("IPV4_ADDRESS", "10.0.0.5"),
        ("IPV4_ADDRESS", "10.0.0.6"),
        ("MAC_ADDRESS", "0a:1b:2c:3d:4e:5f"),
        ("FQDN", "ip-10-0-0-5.ec2.internal"),
    )
    assert len(updates) == 2


def test_mgn_launched_instances_are_servers_and_excluded_ones_are_not():
    mgn = {"private_ips": ["10.1.1.1"], "macs": [], "private_dns": None, "mgn_source_server": "s-1234"}
    header = {"generated_at": SCANNED, "units": [unit(compliant=1)]}
    resources = [
        resource(SERVER, "ec2:instance", "compliant", attributes=mgn),
        resource(PLAIN, "ec2:instance", "excluded", attributes=mgn),
    ]
    tasks = [u.task for u in plan_updates(header, resources, HubSettings(server_tasks=True))]
    assert tasks == ["map-tagging-123456789012-us-east-1", "map-tagging-123456789012-i-0migrated"]


def test_servers_of_a_failed_unit_are_failed():
    header = {"generated_at": SCANNED, "units": [unit(status="failed", error="ec2:volume: Throttling")]}
    resources = [resource(SERVER, "ec2:instance", "compliant", attributes=ATTRS)]
    server = plan_updates(header, resources, HubSettings(server_tasks=True))[1]
    assert server.status == "FAILED"
    assert server.detail == "scan failed: ec2:volume: Throttling · partial: 1/1 tagged"


def test_attributes_respect_the_service_limits():
    attrs = {
        "private_ips": [f"10.0.{i // 256}.{i % 256}" for i in range(150)],
        "macs": ["0a:1b:2c:3d:4e:5f", "0a:1b:2c:3d:4e:5f"],
        "private_dns": "x" * 300,
    }
    kept = resource_attributes(attrs)
    assert len(kept) == 100
    assert all(kind == "IPV4_ADDRESS" for kind, _ in kept)
    short = resource_attributes(
        {"private_ips": ["", "10.0.0.1\n"], "macs": ["aa", "aa"], "private_dns": "h\x00"}
    )
    assert short == (("IPV4_ADDRESS", "10.0.0.1"), ("MAC_ADDRESS", "aa"), ("FQDN", "h"))


def test_the_report_carries_instance_facts_for_server_tasks():
    # Given an instance resource with collected facts / When it becomes a report row
    instance = Resource(
        arn=SERVER,
        type="ec2:instance",
        account_id="123456789012",
        region="us-east-1",
        resource_id="i-0migrated",
        created=None,
        tags={},
        attributes=ATTRS,
    )
    volume = Resource(
        arn="arn:aws:ec2:us-east-1:123456789012:volume/vol-1",
        type="ec2:volume",
        account_id="123456789012",
        region="us-east-1",
        resource_id="vol-1",
        created=None,
        tags={},
    )
    row = Finding.of(instance, Judgement(Verdict.MISSING, "no tag")).to_report()
    # Then the facts are there (JSON-ready), and types without facts get no extra key
    assert json.loads(json.dumps(row))["attributes"]["private_ips"] == ["10.0.0.5", "10.0.0.6"]
    assert "attributes" not in Finding.of(volume, Judgement(Verdict.MISSING, "no tag")).to_report()


# --- newest wins, in memory and in the file outbox -----------------------------------------


def test_newest_update_per_task_wins_and_a_tie_goes_to_the_later():
    t0 = datetime(2026, 11, 23, 10, tzinfo=UTC)
    old, new, other = update(at=t0), update(at=t0 + timedelta(days=1)), update(task="t2", at=t0)
    assert newest([new, old, other]) == [new, other]
    assert newest([old, new]) == [new]
    again = update(at=t0, detail="rerun")
    assert newest([old, again]) == [again]


def test_update_round_trips_through_its_dict():
    original = TaskUpdate(
        stream="MAP-Tagging",
        task="map-tagging-1-i-1",
        status="COMPLETED",
        progress_percent=100,
        detail="1/1 tagged · ünïcode",
        updated_at=datetime(2026, 11, 23, 10, 0, 1, tzinfo=UTC),
        next_update_seconds=90_000,
        attributes=(("IPV4_ADDRESS", "10.0.0.1"),),
    )
    assert TaskUpdate.from_dict(json.loads(json.dumps(original.to_dict()))) == original


def test_file_outbox_keeps_the_newest_and_forgets_only_what_was_sent(tmp_path: Path):
    t0 = datetime(2026, 11, 23, 10, tzinfo=UTC)
    outbox = FileOutbox(tmp_path / "nested" / "outbox.json")
    assert outbox.pending() == []
    # Given a kept update
    outbox.keep([update(at=t0 + timedelta(hours=1))])
    # When an older one for the same task is kept, Then the newer stays
    outbox.keep([update(at=t0, detail="old")])
    assert [u.updated_at for u in outbox.pending()] == [t0 + timedelta(hours=1)]
    # When an older one is reported sent, Then the newer one is not forgotten
    outbox.sent([update(at=t0)])
    assert len(outbox.pending()) == 1
    # When the kept one itself was sent, Then it is gone
    outbox.sent([update(at=t0 + timedelta(hours=1))])
    assert outbox.pending() == []
    assert (outbox.path.stat().st_mode & 0o777) == 0o600


def test_an_unreadable_outbox_is_never_overwritten(tmp_path: Path):
    path = tmp_path / "outbox.json"
    path.write_text("{not json", encoding="utf-8")
    outbox = FileOutbox(path)
    with pytest.raises(OutboxError, match="is not readable"):
        outbox.pending()
    with pytest.raises(OutboxError, match="is not readable"):
        outbox.keep([update()])
    assert path.read_text(encoding="utf-8") == "{not json"


# --- property: no input makes a request the service would reject --------------------------

MGH = botocore.session.get_session().get_service_model("mgh")
_text = st.text(st.characters(codec="utf-8"), max_size=400)


def _wire(params: dict) -> dict:
    """Arguments as they go on the wire (JSON 1.1 sends timestamps as epoch seconds)."""
    return {k: v.timestamp() if isinstance(v, datetime) else v for k, v in params.items()}


@settings(max_examples=300, deadline=None)
@given(account=_text, region=_text, error=_text, instance=_text, values=st.lists(_text, max_size=120))
def test_every_request_passes_the_hubs_validation(account, region, error, instance, values):
    # Given arbitrary text in every string a report carries into a request
    arn = f"arn:aws:ec2:r:a:instance/{instance}"
    attributes = {"private_ips": values, "macs": values[:3], "private_dns": error, "mgn_source_server": "s-1"}
    header = {
        "generated_at": SCANNED,
        "units": [
            {**unit(compliant=1, missing=2), "account_id": account, "region": region},
            {**unit(status="failed", error=error), "account_id": account, "region": region},
        ],
    }
    resources = [{**resource(arn, "ec2:instance", "missing", attributes=attributes), "account_id": account}]
    # When it is planned / Then the local hub's validation (botocore's model, strictly) finds nothing
    for update in plan_updates(header, resources, HubSettings(server_tasks=True)):
        requests = [
            ("ImportMigrationTask", import_request(update)),
            ("NotifyMigrationTaskState", notify_request(update)),
        ]
        if update.attributes:
            requests.append(("PutResourceAttributes", attributes_request(update)))
        for operation, params in requests:
            assert violations(MGH.operation_model(operation).input_shape, _wire(params)) == []


def test_concurrent_runs_do_not_lose_each_others_kept_updates(tmp_path: Path):
    path = tmp_path / "outbox.json"

    def run(worker: int) -> None:
        outbox = FileOutbox(path)
        for n in range(15):
            outbox.keep([update(task=f"map-tagging-{worker}-{n}")])

    threads = [threading.Thread(target=run, args=(worker,)) for worker in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(FileOutbox(path).pending()) == 45

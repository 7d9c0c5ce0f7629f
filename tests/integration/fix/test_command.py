"""`maptag fix` end to end against moto (mock_aws): every declared type's tag write (EC2's own
CreateTags/DeleteTags, the Tagging API's TagResources for the others), the dry run, the cap,
the re-read guard, --from-report, the journal after an interruption, and undo.

Write calls are counted on the wire: a botocore ``before-send`` handler placed ahead of moto's
(maptag makes its own sessions, which copy botocore's built-in handlers).
"""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import botocore.handlers
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from maptag.cli import main
from maptag.local.embedded import UNWRITABLE
from maptag.resources.declarations import BY_NAME, TYPE_NAMES
from tests.support.moto_seed import NO_MAP_TAG, SEEDERS, policy, scan

pytestmark = pytest.mark.xdist_group("fix")

REGION = "us-east-1"
FIX = ["fix", "--mpe-id", "12345", "--regions", REGION]
# Every call that can write or remove a tag, in any of the declared types' services.
WRITES = (
    "CreateTags",
    "DeleteTags",
    "TagResources",
    "UntagResources",
    "TagResource",
    "UntagResource",
    "AddTags",
    "RemoveTags",
    "AddTagsToResource",
    "RemoveTagsFromResource",
    "PutBucketTagging",
    "DeleteBucketTagging",
)


@dataclass
class Run:
    code: int
    out: str
    err: str

    def json(self) -> dict[str, Any]:
        return dict(json.loads(self.out))


def cli(*argv: str) -> Run:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return Run(code, out.getvalue(), err.getvalue())


class WireLog:
    """Every request maptag's clients send, by operation (and the Tagging API's ARN lists)."""

    def __init__(self) -> None:
        self.operations: list[str] = []
        self.bodies: list[tuple[str, bytes]] = []
        self.fail_on: tuple[str, int] | None = None

    def __call__(self, request: Any, event_name: str, **_: Any) -> None:
        operation = event_name.rsplit(".", 1)[-1]
        self.operations.append(operation)
        body = request.body if isinstance(request.body, bytes) else (request.body or "").encode()
        self.bodies.append((operation, body))
        if self.fail_on == (operation, self.operations.count(operation)):
            raise KeyboardInterrupt  # Ctrl-C while the call is on its way

    def writes(self) -> list[str]:
        return [op for op in self.operations if op in WRITES]


@pytest.fixture
def wire(monkeypatch: pytest.MonkeyPatch) -> Iterator[WireLog]:
    log = WireLog()
    with mock_aws():
        # ahead of moto's own before-send handler, which answers (and so ends) the event
        monkeypatch.setattr(
            botocore.handlers, "BUILTIN_HANDLERS", [("before-send", log), *botocore.handlers.BUILTIN_HANDLERS]
        )
        yield log


# moto cannot write these types' tags (maptag.local.embedded.UNWRITABLE): their writes are driven
# through the Stubber (test_writers.py).
MOTO_TYPES = [name for name in TYPE_NAMES if name in SEEDERS and name not in UNWRITABLE]
FIX_ALL = [*FIX, "--types", ",".join(MOTO_TYPES)]


def estate() -> dict[str, str]:
    """One resource of every type moto lists and writes, with tags but no map-migrated: {type: ARN}."""
    session = boto3.Session(region_name=REGION)
    return {name: SEEDERS[name](session, REGION, f"fix-{i}", NO_MAP_TAG) for i, name in enumerate(MOTO_TYPES)}


def all_tags() -> dict[str, dict[str, str]]:
    """Every resource's tags as a scan reads them now."""
    outcome = scan(boto3.Session(region_name=REGION), policy(regions=[REGION], types=MOTO_TYPES))
    return {f.resource.arn: dict(f.resource.tags or {}) for f in outcome.findings}


def verdicts() -> dict[str, str]:
    outcome = scan(boto3.Session(region_name=REGION), policy(regions=[REGION], types=MOTO_TYPES))
    return {f.resource.arn: f.verdict.value for f in outcome.findings}


def test_without_apply_nothing_is_written_and_every_change_is_listed(wire: WireLog) -> None:
    seeded = estate()
    before = all_tags()
    wire.operations.clear()

    run = cli(*FIX_ALL, "--format", "json")

    assert run.code == 0, run.err
    assert wire.writes() == []
    plan = run.json()
    planned = {c["arn"]: (c["key"], c["before"], c["after"]) for c in plan["changes"]}
    for arn in seeded.values():
        assert planned[arn] == ("map-migrated", None, "mig12345")
    assert plan["applied"] is False
    assert all_tags() == before


def test_apply_fixes_every_type_then_undo_restores_every_tag(wire: WireLog, tmp_path: Path) -> None:
    seeded = estate()
    before = all_tags()
    journal = tmp_path / "journal.jsonl"

    wire.operations.clear()
    wire.bodies.clear()

    run = cli(*FIX_ALL, "--apply", "--journal", str(journal), "--format", "json")

    assert run.code == 0, run.err
    results = run.json()["results"]
    assert {r["result"] for r in results} == {"applied"}
    after = all_tags()
    changed = {r["arn"] for r in results}
    assert set(seeded.values()) <= changed
    now = verdicts()
    for arn in changed:
        assert now[arn] == "compliant", arn
        # only map-migrated was added; every other tag is as it was
        assert after[arn] == {**before[arn], "map-migrated": "mig12345"}
    assert {arn: tags for arn, tags in after.items() if arn not in changed} == {
        arn: tags for arn, tags in before.items() if arn not in changed
    }
    # the types that declare a writer through their own call, one a resource; the others through
    # TagResources, at most 20 ARNs a call
    own = [op for op in wire.writes() if op in ("CreateTags", "AddTags", "AddTagsToResource")]
    assert len(own) == sum(1 for r in results if BY_NAME[r["type"]].writer is not None)
    tagged = [len(json.loads(body)["ResourceARNList"]) for op, body in wire.bodies if op == "TagResources"]
    assert sum(tagged) == sum(1 for r in results if BY_NAME[r["type"]].writer is None)
    assert all(1 <= n <= 20 for n in tagged)
    rows = [json.loads(line) for line in journal.read_text().splitlines()]
    assert {(r["arn"], r["key"], r["before"], r["after"], r["result"]) for r in rows} == {
        (arn, "map-migrated", None, "mig12345", "applied") for arn in changed
    }
    assert all(r["time"].endswith("Z") for r in rows)

    undo = cli("fix", "--undo", str(journal), "--apply", "--journal", str(tmp_path / "undo.jsonl"))

    assert undo.code == 0, undo.err
    assert all_tags() == before


def test_more_changes_than_the_cap_is_exit_2_and_nothing_written(wire: WireLog) -> None:
    estate()
    wire.operations.clear()

    run = cli(*FIX_ALL, "--apply", "--max-changes", "3")

    assert run.code == 2
    assert "more than 3" in run.err
    assert "nothing written" in run.err
    planned = len([line for line in run.out.splitlines() if line.startswith("CHANGE")])
    assert f"holds {planned} changes" in run.err
    assert wire.writes() == []


def test_a_resource_changed_since_the_report_is_skipped_and_named(wire: WireLog, tmp_path: Path) -> None:
    session = boto3.Session(region_name=REGION)
    ec2 = session.client("ec2", region_name=REGION)
    first = SEEDERS["ec2:instance"](session, REGION, "a", NO_MAP_TAG)
    second = SEEDERS["ec2:instance"](session, REGION, "b", NO_MAP_TAG)
    report = tmp_path / "report.json"
    scanned = cli(
        "scan",
        "--mpe-id",
        "12345",
        "--regions",
        REGION,
        "--types",
        "ec2:instance",
        "--format",
        "json",
        "-o",
        str(report),
    )
    assert scanned.code == 1, scanned.err
    # someone tags the first instance by hand after the scan
    ec2.create_tags(Resources=[first.rsplit("/", 1)[1]], Tags=[{"Key": "map-migrated", "Value": "mig67890"}])

    run = cli(
        "fix",
        "--from-report",
        str(report),
        "--apply",
        "--journal",
        str(tmp_path / "j.jsonl"),
        "--format",
        "json",
    )

    assert run.code == 1
    results = {r["arn"]: r for r in run.json()["results"]}
    assert results[first]["result"] == "skipped"
    assert "changed since the scan" in results[first]["detail"]
    assert results[second]["result"] == "applied"
    assert f"skipped: {first}" in run.err
    assert all_tags()[first]["map-migrated"] == "mig67890"  # the hand-made tag stays


def test_from_report_refuses_scope_flags_and_reads_only_its_schema(wire: WireLog, tmp_path: Path) -> None:
    other = tmp_path / "other.json"
    other.write_text('{"schema": "something/else"}')
    run = cli("fix", "--from-report", str(other))
    assert run.code == 2
    assert "is not a maptag/scan-report@1 JSON report" in run.err
    run = cli("fix", "--from-report", str(other), "--mpe-id", "12345")
    assert run.code == 2
    assert "drop --mpe-id" in run.err


def test_a_bad_value_is_exit_2_naming_it(wire: WireLog) -> None:
    run = cli(*FIX, "--value", "mig99999")
    assert run.code == 2
    assert "--value: 'mig99999' is not a value this engagement accepts" in run.err


def test_an_interrupted_run_leaves_a_journal_undo_replays(wire: WireLog, tmp_path: Path) -> None:
    session = boto3.Session(region_name=REGION)
    instances = [SEEDERS["ec2:instance"](session, REGION, name, NO_MAP_TAG) for name in "abc"]
    before = all_tags()
    journal = tmp_path / "journal.jsonl"
    wire.fail_on = ("CreateTags", 3)  # interrupted while the third change is being written

    run = cli(*FIX, "--types", "ec2:instance", "--apply", "--journal", str(journal))

    assert run.code == 130
    rows = [json.loads(line) for line in journal.read_text().splitlines()]
    assert [r["result"] for r in rows] == ["applied", "applied"]
    assert {r["arn"] for r in rows} < set(instances)
    wire.fail_on = None

    undo = cli("fix", "--undo", str(journal), "--apply", "--journal", str(tmp_path / "undo.jsonl"))

    assert undo.code == 0, undo.err
    assert all_tags() == before


def test_near_miss_key_is_removed_only_when_asked(wire: WireLog, tmp_path: Path) -> None:
    session = boto3.Session(region_name=REGION)
    bucket = SEEDERS["s3:bucket"](
        session, REGION, "near-miss-bucket", {"Map-Migrated": "mig12345", "team": "a"}
    )

    run = cli(
        *FIX, "--types", "s3:bucket", "--apply", "--remove-near-miss", "--journal", str(tmp_path / "j.jsonl")
    )

    assert run.code == 0, run.err
    assert all_tags()[bucket] == {"map-migrated": "mig12345", "team": "a"}


def test_dependents_take_the_parents_value_with_several_mpe_ids(wire: WireLog, tmp_path: Path) -> None:
    session = boto3.Session(region_name=REGION)
    ec2 = session.client("ec2", region_name=REGION)
    tagged = SEEDERS["ec2:instance"](session, REGION, "tagged", {"map-migrated": "mig67890"})
    untagged = SEEDERS["ec2:instance"](session, REGION, "untagged", NO_MAP_TAG)

    def root_volume(arn: str) -> str:
        reservation = ec2.describe_instances(InstanceIds=[arn.rsplit("/", 1)[1]])["Reservations"][0]
        volume = reservation["Instances"][0]["BlockDeviceMappings"][0]["Ebs"]["VolumeId"]
        return f"arn:aws:ec2:{REGION}:123456789012:volume/{volume}"

    run = cli(
        "fix",
        "--mpe-id",
        "12345,67890",
        "--regions",
        REGION,
        "--types",
        "ec2:instance,ec2:volume",
        "--format",
        "json",
    )

    assert run.code == 0, run.err
    plan = run.json()
    changes = {c["arn"]: c["after"] for c in plan["changes"]}
    decisions = {d["arn"]: d["reason"] for d in plan["needs_decision"]}
    assert changes[root_volume(tagged)] == "mig67890"
    assert "several MPE ids" in decisions[untagged]
    assert f"its parent {untagged} needs a decision" in decisions[root_volume(untagged)]


def test_a_dba_prefix_is_corrected_on_ec2_and_kept_on_a_database(wire: WireLog, tmp_path: Path) -> None:
    session = boto3.Session(region_name=REGION)
    instance = SEEDERS["ec2:instance"](session, REGION, "db-on-ec2", {"map-migrated": "comm12345"})
    table = SEEDERS["dynamodb:table"](session, REGION, "orders", {"map-migrated": "comm12345"})

    run = cli(
        *FIX, "--types", "ec2:instance,dynamodb:table", "--apply", "--journal", str(tmp_path / "j.jsonl")
    )

    assert run.code == 0, run.err
    now = all_tags()
    assert now[instance]["map-migrated"] == "mig12345"
    assert now[table]["map-migrated"] == "comm12345"
    assert verdicts()[instance] == "compliant"


def test_a_report_with_a_failed_unit_plans_the_rest_and_exits_3(wire: WireLog, tmp_path: Path) -> None:
    session = boto3.Session(region_name=REGION)
    instance = SEEDERS["ec2:instance"](session, REGION, "a", NO_MAP_TAG)
    report = tmp_path / "report.json"
    scanned = cli("scan", "--mpe-id", "12345", "--regions", REGION, "--types", "ec2:instance",
                  "--format", "json", "-o", str(report))  # fmt: skip
    assert scanned.code == 1, scanned.err
    document = json.loads(report.read_text())
    document["units"].append({"account_id": "210987654321", "region": REGION, "status": "failed",
                              "error": "AccessDenied: cannot assume role", "types": {}})  # fmt: skip
    report.write_text(json.dumps(document))
    wire.operations.clear()

    run = cli("fix", "--from-report", str(report), "--format", "json")

    assert run.code == 3
    assert "unit 210987654321/us-east-1 failed in the report: AccessDenied" in run.err
    assert [c["arn"] for c in run.json()["changes"]] == [instance]
    assert wire.operations == []  # a plan from a report asks AWS nothing


def test_a_write_aws_refuses_is_named_and_the_rest_applied(
    wire: WireLog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = boto3.Session(region_name=REGION)
    instances = [SEEDERS["ec2:instance"](session, REGION, name, NO_MAP_TAG) for name in "abc"]
    bucket = SEEDERS["s3:bucket"](session, REGION, "refused-bucket", NO_MAP_TAG)
    refused = {"CreateTags": ("UnauthorizedOperation", "not allowed"), "TagResources": ("AccessDenied", "no")}
    seen: list[str] = []

    def refuse(event_name: str, **_: Any) -> None:
        # Raised before moto's handler runs (moto acts on every request it is handed, whatever an
        # earlier handler answers), with the error AWS answers: the first CreateTags, every TagResources.
        operation = event_name.rsplit(".", 1)[-1]
        seen.append(operation)
        if operation in refused and (operation != "CreateTags" or seen.count(operation) == 1):
            code, message = refused[operation]
            raise ClientError({"Error": {"Code": code, "Message": message}}, operation)

    handlers = botocore.handlers.BUILTIN_HANDLERS
    monkeypatch.setattr(botocore.handlers, "BUILTIN_HANDLERS", [("before-send", refuse), *handlers])
    journal = tmp_path / "journal.jsonl"

    run = cli(
        *FIX, "--types", "ec2:instance,s3:bucket", "--apply", "--journal", str(journal), "--format", "json"
    )

    assert run.code == 1
    results = {r["arn"]: r for r in run.json()["results"]}
    failed = [arn for arn in instances if results[arn]["result"] == "failed"]
    assert len(failed) == 1
    assert "UnauthorizedOperation" in results[failed[0]]["detail"]
    assert results[bucket]["result"] == "failed"
    assert "AccessDenied" in results[bucket]["detail"]
    assert f"failed: {failed[0]}" in run.err
    assert f"failed: {bucket}" in run.err
    monkeypatch.setattr(botocore.handlers, "BUILTIN_HANDLERS", handlers)
    now = all_tags()
    assert {arn for arn in instances if now[arn].get("map-migrated") == "mig12345"} == set(instances) - set(
        failed
    )
    assert "map-migrated" not in now[bucket]
    rows = {json.loads(line)["arn"]: json.loads(line)["result"] for line in journal.read_text().splitlines()}
    assert rows[failed[0]] == "failed"
    assert rows[bucket] == "failed"

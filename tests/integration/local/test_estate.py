"""The demo estate, seeded into a moto server and scanned by `maptag scan` (issue 3, "Demo").

The seeder knows what it meant every resource to be; the scan must agree on every single
one, for the right reason. This is the strongest end-to-end check of the scan engine: every
type the embedded AWS lists and indexes, both accounts (the second through assume_role), both
regions, dependents, MGN tooling, exclusion rules, dates before the agreement, and every defect kind.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, datetime
from typing import Any

import pytest

from maptag.cli import main
from maptag.local.demo import embedded_aws
from maptag.local.embedded import UNINDEXED
from maptag.local.estate import (
    ACCOUNTS,
    COMPLIANT_VARIANTS,
    DEFECTS,
    EXCLUDED_STORIES,
    GAP_AUTOMATED,
    GAP_IMAGE,
    GAP_RDS_SNAPSHOT,
    GAP_SNAPSHOT,
    GAP_TASK,
    GAP_VOLUME,
    GAP_VPN_ATTACHMENT,
    GOLDEN_IMAGE_RESOURCES,
    MGN_UNTAGGED,
    REGIONS,
    SEEDED_TYPES,
    Fleet,
    Manifest,
    Single,
    minimum_resources,
    plan_estate,
    seed_estate,
    units,
)
from maptag.local.seeders import SEEDERS
from maptag.model import Verdict
from maptag.resources.declarations import TYPE_NAMES
from maptag.rules import quote

# One seeded estate for the module: its tests run on one worker.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("estate")]
SIZE = 150

# A word the scan's reason must hold for each kind of seeded resource (judge.py and scope.py
# wording of the rules in docs/map-tagging-rules.md); for a defect the reason must also quote the
# offending key or value (reason_fragments).
KEYWORD_OF_STORY = {
    "missing: never tagged": "no tags at all",
    "missing: other tags only": "no 'map-migrated' tag",
    "missing: legacy key aws-migration-project-id": "legacy",
    "missing: legacy key map-dba": "legacy",
    "missing: MGN launch without MAP auto-tagging": "no 'map-migrated' tag",
    "near-miss key: case (Map-Migrated)": "case",
    "near-miss key: case (MAP-MIGRATED)": "case",
    "near-miss key: trailing space": "whitespace",
    "near-miss key: leading space": "whitespace",
    "near-miss key: inner space": "whitespace",
    "near-miss key: underscore": "'_'",
    "near-miss key: dot": "'.'",
    "near-miss key: no separator": "separator",
    "invalid value: upper case": "case",
    "invalid value: mixed case": "case",
    "invalid value: leading space": "whitespace",
    "invalid value: trailing space": "whitespace",
    "invalid value: inner space": "whitespace",
    "invalid value: unknown prefix": "prefix 'map'",
    "invalid value: no prefix": "prefix",
    "invalid value: separator after prefix": "separator",
    "invalid value: bad MPE id shape (4 digits)": "MPE id",
    "invalid value: bad MPE id shape (lower case)": "MPE id",
    "invalid value: another engagement's MPE id": "not this engagement's",
    "invalid value: another engagement's MPE id (10 chars)": "not this engagement's",
    "invalid value: legacy d-server id": "legacy",
    EXCLUDED_STORIES["replication"]: "Application Migration Service",
    EXCLUDED_STORIES["conversion"]: "Application Migration Service",
    EXCLUDED_STORIES["before"]: "before the agreement start",
    EXCLUDED_STORIES["sandbox"]: "exclusion rule 'tag:environment=sandbox'",
    EXCLUDED_STORIES["cdk"]: "exclusion rule 'arn:aws:s3:::cdk-hnb659fds-*'",
}


def reason_fragments(story: str) -> list[str]:
    fragments = [KEYWORD_OF_STORY[story]]
    for tagging in DEFECTS:
        if tagging.story == story and tagging.tags:
            key, value = tagging.tags[0]
            # The fix of a key is a rename, of a value a new value: the reason names the culprit.
            fragments.append(quote(value) if tagging.verdict is Verdict.INVALID_VALUE else quote(key))
    return fragments


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> tuple[Manifest, dict[str, Any], int]:
    """Seed a small estate and scan it with the CLI, back to back in one embedded AWS."""
    report = tmp_path_factory.mktemp("estate") / "report.json"
    with embedded_aws(with_hub=False):
        manifest = seed_estate(SIZE)
        code = main(["scan", *manifest.scan_args(), "--format", "json", "--output", str(report)])
    return manifest, json.loads(report.read_text(encoding="utf-8")), code


def rows_by_arn(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    for row in report["resources"]:
        assert row["arn"] not in rows, f"{row['arn']} reported twice"
        rows[row["arn"]] = row
    return rows


def test_every_seeded_resource_gets_the_verdict_it_was_seeded_for(
    scanned: tuple[Manifest, dict[str, Any], int],
) -> None:
    manifest, report, code = scanned
    rows = rows_by_arn(report)
    # Then the scan found exactly the seeded estate: nothing missed, nothing extra
    assert set(rows) == set(manifest.by_arn())
    assert len(manifest.resources) >= SIZE
    wrong = [
        f"{seeded.story}: {seeded.arn} seeded {seeded.verdict.value}, scanned {rows[seeded.arn]['verdict']} "
        f"({rows[seeded.arn]['reason']})"
        for seeded in manifest.resources
        if rows[seeded.arn]["verdict"] != seeded.verdict.value
    ]
    assert wrong == []
    # And dependents name the resource they belong to
    parents = [(s.arn, s.parent, rows[s.arn]["parent"]) for s in manifest.resources if s.parent]
    assert parents
    assert [p for p in parents if p[1] != p[2]] == []
    # And a scan with findings exits 1
    assert code == 1


def test_totals_match_per_account_region_and_overall(scanned: tuple[Manifest, dict[str, Any], int]) -> None:
    manifest, report, _ = scanned
    assert report["totals"] == manifest.totals.to_report()
    assert 0 < report["totals"]["coverage_percent"] < 100
    units = {(u["account_id"], u["region"]): u for u in report["units"]}
    # Both accounts (the member through the assumed role) and both regions, none failed
    assert set(units) == {(a, r) for a in ACCOUNTS for r in REGIONS}
    for (account, region), unit in units.items():
        assert unit["status"] == "ok", unit["error"]
        seeded = Counter(
            s.verdict.value for s in manifest.resources if (s.account_id, s.region) == (account, region)
        )
        counted = {k: v for k, v in unit["totals"].items() if k not in ("in_scope", "coverage_percent")}
        assert counted == {verdict: seeded.get(verdict, 0) for verdict in counted}
        assert unit["totals"]["in_scope"] > 0


def test_every_story_is_seeded_and_reported_for_its_reason(
    scanned: tuple[Manifest, dict[str, Any], int],
) -> None:
    manifest, report, _ = scanned
    rows = rows_by_arn(report)
    stories = manifest.stories()
    # Every defect kind, every compliant prefix, every gap and every exclusion is there
    expected = {t.story for t in (*DEFECTS, *COMPLIANT_VARIANTS, MGN_UNTAGGED)}
    gaps = (GAP_VOLUME, GAP_SNAPSHOT, GAP_IMAGE, GAP_RDS_SNAPSHOT, GAP_AUTOMATED)
    gaps += (GAP_TASK, GAP_VPN_ATTACHMENT)
    expected |= {t.story for t in gaps}
    expected |= set(EXCLUDED_STORIES.values())
    assert expected - set(stories) == set()
    # And every resource of a story with a known reason is reported with that reason
    assert set(KEYWORD_OF_STORY) <= set(stories)
    unexplained = [
        f"{s.story}: {rows[s.arn]['reason']}"
        for s in manifest.resources
        if s.story in KEYWORD_OF_STORY
        and not all(fragment in rows[s.arn]["reason"] for fragment in reason_fragments(s.story))
    ]
    assert unexplained == []
    # And the untagged dependents are found through their tagged parents
    for seeded in manifest.resources:
        # (a transit gateway attachment has no parent in the scan: the gateway is not its owner)
        if seeded.story.startswith("untagged dependent") and seeded.type not in (
            "ec2:snapshot",
            "ec2:transit-gateway-attachment",
        ):
            assert rows[seeded.arn]["parent"] is not None, seeded


def test_every_type_the_estate_seeds_is_in_scope(scanned: tuple[Manifest, dict[str, Any], int]) -> None:
    manifest, report, _ = scanned
    in_scope = {t for t, totals in report["types"].items() if totals["in_scope"] > 0}
    assert in_scope == set(SEEDED_TYPES)
    assert {s.type for s in manifest.resources} == set(SEEDED_TYPES)
    # every type with a seeder that moto's Tagging API indexes, beside the original twelve
    left_out = set(SEEDERS) - set(SEEDED_TYPES)
    assert left_out == set(UNINDEXED) | {"fsx:backup"}
    assert set(SEEDED_TYPES) <= set(TYPE_NAMES)


def test_old_resources_really_predate_the_agreement(scanned: tuple[Manifest, dict[str, Any], int]) -> None:
    manifest, report, _ = scanned
    rows = rows_by_arn(report)
    start = manifest.agreement_start
    before = [s for s in manifest.resources if s.story == EXCLUDED_STORIES["before"]]
    # Types with a creation time: servers, volumes, snapshots, AMIs, databases, buckets, tables, ELBs
    assert {s.type for s in before} >= {"ec2:instance", "ec2:volume", "rds:db", "s3:bucket", "dynamodb:table"}
    for seeded in before:
        created = rows[seeded.arn]["created"]
        assert created is not None, seeded.arn
        assert _day(created) < start, (seeded.arn, created)
    migrated = [s for s in manifest.resources if s.story == "compliant"]
    dated = [rows[s.arn]["created"] for s in migrated if rows[s.arn]["created"] is not None]
    assert dated
    assert all(_day(created) >= start for created in dated)


def _day(text: str) -> date:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).date()


# -- the plan, without AWS ---------------------------------------------------------------------


def test_the_plan_is_deterministic_and_close_to_the_size_asked() -> None:
    for size in (minimum_resources(), 250, 1000):
        plan = plan_estate(size, seed=7)
        assert plan == plan_estate(size, seed=7)
        planned = GOLDEN_IMAGE_RESOURCES * len(units()) + sum(b.resources for b in plan)
        assert size <= planned <= size + 4
    assert plan_estate(1000, seed=7) != plan_estate(1000, seed=8)


def test_a_full_size_estate_gives_every_unit_its_own_tooling_and_old_resources() -> None:
    plan = plan_estate(1000)
    for role in ("replication", "conversion", "legacy", "sandbox"):
        units = {b.unit for b in plan if isinstance(b, Fleet) and b.role == role}
        assert len(units) == len(ACCOUNTS) * len(REGIONS), role
    before = {b.unit for b in plan if isinstance(b, Single) and b.excluded == EXCLUDED_STORIES["before"]}
    assert len(before) == len(ACCOUNTS) * len(REGIONS)


def test_sizes_outside_the_range_are_refused() -> None:
    with pytest.raises(ValueError, match=f"size {minimum_resources() - 1} is outside"):
        plan_estate(minimum_resources() - 1)

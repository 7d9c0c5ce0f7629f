"""The fix planner (maptag.fix.plan): what it changes, to what, and what it leaves to a person.

Findings are made by the real judge from tags, as a scan makes them, then planned.
"""

from __future__ import annotations

from typing import Any

import pytest

from maptag.fix.plan import plan_fixes, value_problem
from maptag.judge import judge
from maptag.model import Verdict
from maptag.policy import Policy
from maptag.resources.declarations import BY_NAME

ONE = Policy.build(mpe_ids=["12345"], regions=["us-east-1"])
TWO = Policy.build(mpe_ids=["12345", "67890"], regions=["us-east-1"])
INSTANCE = "arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0"
VOLUME = "arn:aws:ec2:us-east-1:123456789012:volume/vol-0123456789abcdef0"
TABLE = "arn:aws:dynamodb:us-east-1:123456789012:table/orders"


def item(
    arn: str, type_name: str, tags: dict[str, str] | None, policy: Policy = ONE, **extra: Any
) -> dict[str, Any]:
    """A report item as the scan writes it, judged from these tags."""
    judgement = judge(tags, policy, "AccessDenied: no" if tags is None else None, dba=BY_NAME[type_name].dba)
    return {
        "arn": arn,
        "type": type_name,
        "account_id": "123456789012",
        "region": "us-east-1",
        "verdict": judgement.verdict.value,
        "reason": judgement.reason,
        "observed": {"key": judgement.key, "value": judgement.value},
        "parent": None,
        **extra,
    }


def one_change(
    tags: dict[str, str], type_name: str = "ec2:instance", **kwargs: Any
) -> tuple[str | None, str | None]:
    plan = plan_fixes([item(INSTANCE, type_name, tags)], ONE, **kwargs)
    assert plan.decisions == [], plan.decisions
    [change] = plan.changes
    assert (change.arn, change.key) == (INSTANCE, "map-migrated")
    return change.before, change.after


def decision(tags: dict[str, str] | None, policy: Policy = ONE, **extra: Any) -> str:
    plan = plan_fixes([item(INSTANCE, "ec2:instance", tags, policy, **extra)], policy)
    assert plan.changes == [], plan.changes
    [found] = plan.decisions
    return found.reason


def test_missing_gets_the_engagement_value() -> None:
    assert one_change({"Name": "web"}) == (None, "mig12345")


def test_compliant_is_left_alone() -> None:
    plan = plan_fixes([item(INSTANCE, "ec2:instance", {"map-migrated": "mig12345"})], ONE)
    assert (plan.changes, plan.decisions) == ([], [])


@pytest.mark.parametrize(
    ("value", "fixed"),
    [
        ("MIG12345", "mig12345"),
        (" mig12345 ", "mig12345"),
        ("mig 12345", "mig12345"),
        ("mig12345\u200b", "mig12345"),
        ("", "mig12345"),
        ("SAP12345", "sap12345"),  # the engagement's own prefix is kept
    ],
)
def test_own_value_written_wrongly_is_corrected(value: str, fixed: str) -> None:
    assert one_change({"map-migrated": value}) == (value, fixed)


@pytest.mark.parametrize("value", ["comm12345", "comm_ec2_12345", "mig_ec2_12345", "COMM12345"])
def test_dba_prefix_on_a_non_dba_type_becomes_mig(value: str) -> None:
    finding = item(INSTANCE, "ec2:instance", {"map-migrated": value})
    assert finding["verdict"] == Verdict.INVALID_VALUE
    [change] = plan_fixes([finding], ONE).changes
    assert (change.before, change.after) == (value, "mig12345")


def test_dba_prefix_on_a_dba_type_is_compliant_and_left_alone() -> None:
    plan = plan_fixes([item(TABLE, "dynamodb:table", {"map-migrated": "comm12345"})], ONE)
    assert (plan.changes, plan.decisions) == ([], [])


def test_dba_prefix_written_wrongly_stays_dba_on_a_dba_type() -> None:
    plan = plan_fixes([item(TABLE, "dynamodb:table", {"map-migrated": "COMM12345"})], ONE)
    assert [(c.before, c.after) for c in plan.changes] == [("COMM12345", "comm12345")]


@pytest.mark.parametrize(
    ("tags", "words"),
    [
        ({"map-migrated": "mig67890"}, "not this engagement"),  # another engagement's value
        ({"map-migrated": "d-server-0123456789abcd"}, "legacy server id"),
        ({"map-migrated": "migr12345"}, "unknown prefix"),
        ({"map-migrated": "mig1234"}, "neither 5 digits"),  # a malformed MPE id
        ({"map-migrated": "mig12345,mig67890"}, "holds 2 values"),
        (None, "could not be read"),  # unreadable
    ],
)
def test_uncertain_values_need_a_decision(tags: dict[str, str] | None, words: str) -> None:
    assert words in decision(tags)


def test_excluded_needs_a_decision() -> None:
    excluded = item(INSTANCE, "ec2:instance", {"team": "x"})
    excluded.update(verdict="excluded", reason="excluded by rule tag:team")
    plan = plan_fixes([excluded], ONE)
    assert plan.changes == []
    assert "excluded" in plan.decisions[0].reason


def test_several_mpe_ids_without_value_need_a_decision() -> None:
    reason = decision({"Name": "web"}, TWO)
    assert "several MPE ids" in reason
    assert "--value" in reason


def test_value_chooses_among_several_ids() -> None:
    plan = plan_fixes([item(INSTANCE, "ec2:instance", {}, TWO)], TWO, value="mig67890")
    assert [(c.after, c.why) for c in plan.changes] == [("mig67890", "--value")]


def test_value_must_be_one_the_engagement_accepts() -> None:
    assert value_problem("mig12345", ONE) is None
    problem = value_problem("mig99999", ONE)
    assert problem is not None
    assert "'mig99999'" in problem


def test_dependent_takes_the_parents_compliant_value() -> None:
    parent = item(INSTANCE, "ec2:instance", {"map-migrated": "mig67890"}, TWO)
    child = item(VOLUME, "ec2:volume", {}, TWO, parent=INSTANCE)
    # the dependent first: order in the report does not matter
    plan = plan_fixes([child, parent], TWO)
    assert [(c.arn, c.after) for c in plan.changes] == [(VOLUME, "mig67890")]
    assert plan.decisions == []


def test_dependent_takes_the_value_planned_for_its_parent() -> None:
    parent = item(INSTANCE, "ec2:instance", {"map-migrated": "MIG67890"}, TWO)
    child = item(VOLUME, "ec2:volume", {}, TWO, parent=INSTANCE)
    plan = plan_fixes([parent, child], TWO, value="mig12345")
    assert {c.arn: c.after for c in plan.changes} == {INSTANCE: "mig67890", VOLUME: "mig67890"}


def test_dependent_of_a_parent_needing_a_decision_needs_one_too() -> None:
    parent = item(INSTANCE, "ec2:instance", {"map-migrated": "mig99999"}, TWO)
    child = item(VOLUME, "ec2:volume", {}, TWO, parent=INSTANCE)
    plan = plan_fixes([parent, child], TWO, value="mig12345")
    assert plan.changes == []
    reasons = {d.arn: d.reason for d in plan.decisions}
    assert f"its parent {INSTANCE} needs a decision" in reasons[VOLUME]


def test_near_miss_key_adds_map_migrated_and_keeps_the_old_key_unless_asked() -> None:
    tags = {"Map-Migrated": "mig12345"}
    kept = plan_fixes([item(INSTANCE, "ec2:instance", tags)], ONE)
    assert [(c.key, c.before, c.after) for c in kept.changes] == [("map-migrated", None, "mig12345")]
    removed = plan_fixes([item(INSTANCE, "ec2:instance", tags)], ONE, remove_near_miss=True)
    assert [(c.key, c.before, c.after) for c in removed.changes] == [
        ("map-migrated", None, "mig12345"),
        ("Map-Migrated", "mig12345", None),
    ]


def test_near_miss_key_with_a_foreign_value_gets_the_engagement_value() -> None:
    plan = plan_fixes([item(INSTANCE, "ec2:instance", {"map_migrated": "whatever"})], ONE)
    assert [c.after for c in plan.changes] == ["mig12345"]

"""ECS services and tasks: creation times, a task's parent service, dead states and paging.

moto 5.2.5 answers DescribeServices and DescribeTasks without `createdAt` (AWS always sends it),
so the dating of services and tasks is driven through botocore's Stubber with answers the ECS
model validates. moto runs the rest: a task started by a service names it as its parent, and a
scanner holding exactly the declared actions reads everything (moto's IAM enforcement).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import boto3
import pytest
from moto import mock_aws

from maptag.local.seeders import SeedContext
from maptag.local.seeders import ecs as seeders
from maptag.model import Verdict
from maptag.resources.declarations import required_actions
from maptag.scan import CALLER_ACTIONS
from tests.support.moto_seed import ACCOUNT, COMPLIANT, enforced_scan, policy, scan, scanner_session
from tests.support.stubbed import StubbedAws

REGION = "eu-west-1"
NEW = datetime(2025, 6, 1, tzinfo=UTC)
OLD = datetime(2024, 6, 1, tzinfo=UTC)
CLUSTER = f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/shop"
TYPES = ["ecs:cluster", "ecs:service", "ecs:task"]


def _service(name: str, created: datetime, status: str = "ACTIVE", tagged: bool = False) -> dict[str, object]:
    return {
        "serviceArn": f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/shop/{name}",
        "serviceName": name,
        "clusterArn": CLUSTER,
        "status": status,
        "createdAt": created,
        "tags": [{"key": k, "value": v} for k, v in COMPLIANT.items()] if tagged else [],
    }


def _task(
    number: int, group: str, created: datetime, last_status: str = "RUNNING", tagged: bool = False
) -> dict[str, object]:
    return {
        "taskArn": f"arn:aws:ecs:{REGION}:{ACCOUNT}:task/shop/{number:032x}",
        "clusterArn": CLUSTER,
        "group": group,
        "lastStatus": last_status,
        "desiredStatus": "RUNNING",
        "createdAt": created,
        "tags": [{"key": k, "value": v} for k, v in COMPLIANT.items()] if tagged else [],
    }


def _answer_services(aws: StubbedAws, services: list[dict[str, object]]) -> None:
    aws.answer("ecs", "list_clusters", {"clusterArns": [CLUSTER]}, {"maxResults": 100})
    arns = [s["serviceArn"] for s in services]
    aws.answer("ecs", "list_services", {"serviceArns": arns}, {"cluster": CLUSTER, "maxResults": 100})
    aws.answer(
        "ecs",
        "describe_services",
        {"services": services, "failures": []},
        {"cluster": CLUSTER, "services": arns, "include": ["TAGS"]},
    )


def test_services_and_tasks_are_dated_and_tasks_belong_to_their_service() -> None:
    # Given a cluster with a new tagged service, an old one and a draining one, and tasks over two
    # ListTasks pages: the new service's, the old service's, a standalone one and a stopped one
    aws = StubbedAws(region=REGION)
    new, old, draining = (
        _service("web", NEW, tagged=True),
        _service("legacy", OLD),
        _service("gone", NEW, "DRAINING"),
    )
    _answer_services(aws, [new, old, draining])
    pages = [
        [_task(1, "service:web", NEW), _task(2, "service:legacy", OLD)],
        [_task(3, "family:batch", NEW, tagged=True), _task(4, "service:web", NEW, last_status="STOPPED")],
    ]
    aws.answer("ecs", "list_clusters", {"clusterArns": [CLUSTER]}, {"maxResults": 100})
    for number, page in enumerate(pages):
        token = {"nextToken": f"page-{number + 1}"} if number < len(pages) - 1 else {}
        asked = {"cluster": CLUSTER, "maxResults": 100, **({"nextToken": f"page-{number}"} if number else {})}
        arns = [t["taskArn"] for t in page]
        aws.answer("ecs", "list_tasks", {"taskArns": arns, **token}, asked)
        aws.answer(
            "ecs",
            "describe_tasks",
            {"tasks": page, "failures": []},
            {"cluster": CLUSTER, "tasks": arns, "include": ["TAGS"]},
        )
    # When services and tasks are scanned with an agreement start
    outcome = aws.scan(["ecs:service", "ecs:task"], agreement_start="2025-01-01")
    # Then the unit completes and each live one is judged by its date, tags and service
    assert (outcome.unit.status, outcome.unit.error) == ("ok", None)
    found = outcome.by_arn()
    tasks = [str(t["taskArn"]) for page in pages for t in page]
    assert set(found) == {new["serviceArn"], old["serviceArn"], *tasks[:3]}
    assert found[str(new["serviceArn"])].verdict is Verdict.COMPLIANT
    assert found[str(new["serviceArn"])].resource.created == NEW
    assert found[str(old["serviceArn"])].verdict is Verdict.EXCLUDED
    assert "created 2024-06-01, before the agreement start" in found[str(old["serviceArn"])].reason
    # a task of the in-scope service is its dependent, with its own (missing) tag
    assert found[tasks[0]].resource.parent == new["serviceArn"]
    assert (found[tasks[0]].verdict, found[tasks[0]].resource.created) == (Verdict.MISSING, NEW)
    assert "no tags at all" in found[tasks[0]].reason
    # the old service's task is judged by its own date; the standalone task has no parent
    assert found[tasks[1]].resource.parent == old["serviceArn"]
    assert found[tasks[1]].verdict is Verdict.EXCLUDED
    assert (found[tasks[2]].resource.parent, found[tasks[2]].verdict) == (None, Verdict.COMPLIANT)


def test_a_describe_call_that_fails_fails_the_unit_loudly() -> None:
    aws = StubbedAws(region=REGION)
    aws.answer("ecs", "list_clusters", {"clusterArns": [CLUSTER]}, {"maxResults": 100})
    task = _task(1, "service:web", NEW)
    aws.answer("ecs", "list_tasks", {"taskArns": [task["taskArn"]]}, {"cluster": CLUSTER, "maxResults": 100})
    aws.fail("ecs", "describe_tasks", "AccessDeniedException", 400)
    outcome = aws.scan(["ecs:task"])
    assert outcome.unit.status == "failed"
    assert outcome.unit.error is not None
    assert "ecs:task" in outcome.unit.error
    assert "AccessDeniedException" in outcome.unit.error
    assert outcome.findings == []


@pytest.fixture
def estate() -> Iterator[tuple[boto3.Session, dict[str, str]]]:
    """A tagged cluster, a tagged service in it and a tagged task the service started (moto)."""
    with mock_aws():
        session = boto3.Session(region_name=REGION)
        context = SeedContext(session, REGION, ACCOUNT)
        cluster = seeders.cluster(context, "shop", COMPLIANT)
        service = seeders.service(context, "web", COMPLIANT, parent=cluster)
        task = seeders.task(context, "web-1", COMPLIANT, parent=service)
        yield session, {"ecs:cluster": cluster, "ecs:service": service, "ecs:task": task}


def test_a_task_started_by_a_service_names_it_as_its_parent(
    estate: tuple[boto3.Session, dict[str, str]],
) -> None:
    session, made = estate
    outcome = scan(session, policy(regions=[REGION], types=TYPES))
    found = outcome.by_arn()
    assert found[made["ecs:task"]].resource.parent == made["ecs:service"]
    assert {found[arn].resource.type for arn in made.values()} == set(TYPES)
    assert all(found[arn].verdict is Verdict.COMPLIANT for arn in made.values())


ACTIONS = required_actions(TYPES, need_created=True)


@pytest.mark.parametrize("missing", [None, *ACTIONS])
def test_the_declared_actions_are_enough_and_each_is_needed(
    estate: tuple[boto3.Session, dict[str, str]], missing: str | None
) -> None:
    session, made = estate
    actions = tuple(a for a in (*CALLER_ACTIONS, *ACTIONS) if a != missing)
    outcome = enforced_scan(scanner_session(session, actions, REGION), policy(regions=[REGION], types=TYPES))
    (unit,) = outcome.units
    if missing is None:
        assert (unit.status, unit.error) == ("ok", None)
        assert set(made.values()) <= set(outcome.by_arn())
        return
    assert unit.status == "failed"
    assert unit.error is not None
    assert missing.split(":", 1)[1] in unit.error

"""EMR Serverless applications: creation time, terminated ones, paging, an unreadable one.

moto 5.2.5 gives an application's createdAt as the day only and cannot terminate one, so these
are driven through botocore's Stubber with answers the EMR Serverless model validates. Least
privilege is not checked under moto's IAM enforcement: it rejects every signed request of this
REST service (SignatureDoesNotMatch, as for Lambda and EFS); the declared actions are the
operations' own (tests/unit/resources/test_declarations.py).
"""

from __future__ import annotations

from datetime import UTC, datetime

from maptag.model import Verdict
from tests.support.moto_seed import ACCOUNT, COMPLIANT
from tests.support.stubbed import StubbedAws

REGION = "eu-west-1"
TYPE = "emr-serverless:application"
NEW = datetime(2025, 6, 1, 10, 30, tzinfo=UTC)
OLD = datetime(2024, 6, 1, 10, 30, tzinfo=UTC)


def _application(number: int, state: str, created: datetime) -> dict[str, object]:
    application_id = f"00f{number:013d}"
    return {
        "id": application_id,
        "name": f"spark-{number}",
        "arn": f"arn:aws:emr-serverless:{REGION}:{ACCOUNT}:/applications/{application_id}",
        "releaseLabel": "emr-7.1.0",
        "type": "Spark",
        "state": state,
        "createdAt": created,
        "updatedAt": created,
    }


def _detail(summary: dict[str, object], tags: dict[str, str]) -> dict[str, object]:
    keep = ("arn", "name", "releaseLabel", "type", "state", "createdAt", "updatedAt")
    return {"application": {"applicationId": summary["id"], **{k: summary[k] for k in keep}, "tags": tags}}


def test_applications_are_paged_dated_and_read_one_by_one() -> None:
    aws = StubbedAws(region=REGION)
    tagged, old, stopped = (
        _application(1, "STARTED", NEW),
        _application(2, "CREATED", OLD),
        _application(3, "STOPPED", NEW),
    )
    terminated, denied = _application(4, "TERMINATED", NEW), _application(5, "CREATED", NEW)
    aws.answer(
        "emr-serverless",
        "list_applications",
        {"applications": [tagged, old], "nextToken": "p2"},
        {"maxResults": 50},
    )
    aws.answer(
        "emr-serverless", "get_application", _detail(tagged, dict(COMPLIANT)), {"applicationId": tagged["id"]}
    )
    aws.answer("emr-serverless", "get_application", _detail(old, {}), {"applicationId": old["id"]})
    aws.answer(
        "emr-serverless",
        "list_applications",
        {"applications": [stopped, terminated, denied]},
        {"maxResults": 50, "nextToken": "p2"},
    )
    aws.answer(
        "emr-serverless",
        "get_application",
        _detail(stopped, {"team": "data"}),
        {"applicationId": stopped["id"]},
    )
    aws.fail("emr-serverless", "get_application", "AccessDeniedException", 403)
    outcome = aws.scan([TYPE], agreement_start="2025-01-01")
    assert (outcome.unit.status, outcome.unit.error) == ("ok", None)
    found = {f.resource.resource_id: f for f in outcome.findings}
    # a terminated application earns nothing; a stopped one still exists and is judged
    assert set(found) == {str(a["id"]) for a in (tagged, old, stopped, denied)}
    assert (found[str(tagged["id"])].verdict, found[str(tagged["id"])].resource.created) == (
        Verdict.COMPLIANT,
        NEW,
    )
    assert found[str(old["id"])].verdict is Verdict.EXCLUDED
    assert "no 'map-migrated' tag" in found[str(stopped["id"])].reason
    assert found[str(denied["id"])].verdict is Verdict.UNREADABLE
    assert "AccessDeniedException" in found[str(denied["id"])].reason
    assert found[str(tagged["id"])].resource.arn == tagged["arn"]

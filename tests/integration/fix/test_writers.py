"""Every declaration's tag write, through botocore's Stubber (the requests and answers are
validated against the service models): the service's own calls where the type declares a
writer, the Tagging API's TagResources/UntagResources otherwise. moto models only some of these
writes (tests/integration/fix/test_command.py runs those end to end); the Stubber covers every type,
the ones added later included.
"""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from maptag.aws import Clients
from maptag.fix.apply import APPLIED, FAILED, write_changes
from maptag.fix.plan import Change
from maptag.resources.declarations import TYPES
from maptag.resources.schema import ResourceType

REGION = "us-east-1"
ACCOUNT = "123456789012"
DECLARATIONS = {f"{t.name}#{i}": d for t in TYPES for i, d in enumerate((t, *t.also))}


def example_arn(rtype: ResourceType) -> str:
    """An ARN of the type's shape (its template, else its IAM pattern), as a scan reports it."""
    template = rtype.arn if rtype.arn.startswith("arn:") else rtype.iam_arn
    if template is None:
        namespace, resource = rtype.name.split(":", 1)
        template = f"arn:{{partition}}:{namespace}:{{region}}:{{account}}:{resource}/{{id}}"
    return template.format(partition="aws", region=REGION, account=ACCOUNT, id="example-1")


def change(rtype: ResourceType, arn: str, after: str | None) -> Change:
    before = None if after is not None else "mig12345"
    return Change(arn, rtype.name, ACCOUNT, REGION, "map-migrated", before, after, "test")


def stubbed(rtype: ResourceType) -> tuple[Clients, Stubber]:
    clients = Clients(boto3.Session(region_name=REGION), REGION)
    service = rtype.service if rtype.writer is not None else "resourcegroupstaggingapi"
    return clients, Stubber(clients(service))


def expected_request(rtype: ResourceType, arn: str, after: str | None) -> tuple[str, dict[str, Any]]:
    writer = rtype.writer
    if writer is None:
        if after is None:
            return "untag_resources", {"ResourceARNList": [arn], "TagKeys": ["map-migrated"]}
        return "tag_resources", {"ResourceARNList": [arn], "Tags": {"map-migrated": after}}
    if after is None:
        return writer.untag, writer.untag_request(arn, ["map-migrated"])
    return writer.tag, writer.tag_request(arn, {"map-migrated": after})


def tag_keys(request: dict[str, Any]) -> list[str]:
    """The tag keys a request writes or removes, whatever the service calls them."""
    tags = request.get("Tags", request.get("TagKeys", []))
    if isinstance(tags, dict):
        return list(tags)
    return [t["Key"] if isinstance(t, dict) else t for t in tags]


@pytest.mark.parametrize("after", ["mig12345", None], ids=["write", "remove"])
@pytest.mark.parametrize("key", DECLARATIONS)
def test_each_type_writes_only_map_migrated_with_its_declared_call(key: str, after: str | None) -> None:
    rtype = DECLARATIONS[key]
    arn = example_arn(rtype)
    clients, stub = stubbed(rtype)
    operation, request = expected_request(rtype, arn, after)
    answer: dict[str, Any] = {"FailedResourcesMap": {}} if rtype.writer is None else {}
    stub.add_response(operation, answer, expected_params=request)
    with stub:
        [outcome] = write_changes(rtype, clients, [change(rtype, arn, after)])
    stub.assert_no_pending_responses()
    assert outcome.result == APPLIED, outcome.detail
    assert tag_keys(request) == ["map-migrated"]  # the only key a fix writes or removes


def test_tagging_api_names_each_resource_it_refused_and_applies_the_rest() -> None:
    rtype = next(d for d in DECLARATIONS.values() if d.writer is None)
    arns = [example_arn(rtype).replace("example-1", f"example-{n}") for n in range(3)]
    clients, stub = stubbed(rtype)
    refused = {"StatusCode": 403, "ErrorCode": "InvalidParameterException", "ErrorMessage": "denied"}
    stub.add_response(
        "tag_resources",
        {"FailedResourcesMap": {arns[1]: refused}},
        expected_params={"ResourceARNList": arns, "Tags": {"map-migrated": "mig12345"}},
    )
    with stub:
        outcomes = write_changes(rtype, clients, [change(rtype, arn, "mig12345") for arn in arns])
    assert [o.result for o in outcomes] == [APPLIED, FAILED, APPLIED]
    assert outcomes[1].detail == "InvalidParameterException: denied"


def test_a_service_error_fails_the_change_with_its_code() -> None:
    rtype = next(d for d in DECLARATIONS.values() if d.writer is not None)
    arn = example_arn(rtype)
    clients, stub = stubbed(rtype)
    assert rtype.writer is not None
    stub.add_client_error(rtype.writer.tag, "UnauthorizedOperation", "not allowed", 403)
    with stub:
        [outcome] = write_changes(rtype, clients, [change(rtype, arn, "mig12345")])
    assert outcome.result == FAILED
    assert "UnauthorizedOperation" in outcome.detail

"""Every declaration checked both ways against botocore's service models (as Cloud Custodian's
PolicyMetaLint checks its resource registry): a type cannot be half declared.

For each type: its client, list operation, paginator, page-size parameter (and its maximum), the
members its listing and tag reads rely on, and its detail calls exist in the service model; its
ARN template has the shape of its service namespace and resource type; its IAM actions are
exactly the actions of the operations it calls; its Security Hub type, DB&A flag and docs row
are present.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import botocore.session
import pytest
from botocore.validate import ParamValidator

from maptag.report.model import SCHEMA_FILE
from maptag.resources.catalog import END, START, markdown
from maptag.resources.declarations import BY_NAME, TAGGING_API_ACTION, TYPE_NAMES, TYPES
from maptag.resources.schema import (
    TAGGING_API_WRITE_ACTIONS,
    Batched,
    Detail,
    DetailBatch,
    PerResource,
    ResourceType,
    TaggingApi,
)

ROOT = Path(__file__).resolve().parents[3]
# IAM actions whose name is not the API operation's (Service Authorization Reference).
IAM_NAMES = {("s3", "ListBuckets"): "s3:ListAllMyBuckets"}
# ASFF Resources[].Type values Security Hub documents (AWS Security Finding Format, Resources).
ASFF_PATTERN = re.compile(r"Aws[A-Z][A-Za-z0-9]+|Other")


@cache
def _session() -> botocore.session.Session:
    return botocore.session.get_session()


@cache
def _client(service: str) -> Any:
    return _session().create_client(
        service, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    )


def _api(service: str, operation: str) -> str:
    mapping: dict[str, str] = _client(service).meta.method_to_api_mapping
    assert operation in mapping, f"{service} has no operation {operation}"
    return mapping[operation]


def _listings(name: str) -> tuple[ResourceType, ...]:
    """The declaration of a type and the further listings it reports under its name."""
    rtype = BY_NAME[name]
    return (rtype, *rtype.also)


def _operations(rtype: ResourceType) -> Iterator[tuple[str, str, str | None]]:
    """(client, python operation, result member) of every call the type makes."""
    for extra in rtype.also:
        yield from _operations(extra)
    listing = rtype.listing
    if listing.within is not None:
        yield rtype.service, listing.within.operation, None
    yield rtype.service, listing.operation, listing.result_member
    if isinstance(rtype.detail, Detail):
        yield rtype.service, rtype.detail.operation, rtype.detail.result
    elif isinstance(rtype.detail, DetailBatch):
        yield rtype.service, rtype.detail.operation, rtype.detail.items.split("[")[0]
    tags = rtype.tags
    if isinstance(tags, TaggingApi):
        yield "resourcegroupstaggingapi", "get_resources", "ResourceTagMappingList"
        tags = tags.fallback
    if isinstance(tags, PerResource):
        yield rtype.service, tags.operation, tags.result
    elif isinstance(tags, Batched):
        yield rtype.service, tags.operation, None


def _action(rtype: ResourceType, service: str, operation: str) -> str:
    if service == "resourcegroupstaggingapi":
        return TAGGING_API_ACTION
    api = _api(service, operation)
    prefix = rtype.name.split(":")[0]
    return IAM_NAMES.get((prefix, api), f"{prefix}:{api}")


@pytest.mark.parametrize("name", TYPE_NAMES)
def test_operations_and_members_exist_in_the_service_model(name: str) -> None:
    for rtype in _listings(name):
        _check_operations_and_members(rtype)


def _check_operations_and_members(rtype: ResourceType) -> None:
    model = _session().get_service_model(rtype.service)
    for service, operation, member in _operations(rtype):
        operation_model = _session().get_service_model(service).operation_model(_api(service, operation))
        if member is not None:
            output = operation_model.output_shape
            assert output is not None
            assert member in output.members, f"{operation} has no output member {member}"
    listing = rtype.listing
    inputs = model.operation_model(_api(rtype.service, listing.operation)).input_shape
    assert inputs is not None
    for param in [*listing.params, *([listing.region_param] if listing.region_param else [])]:
        assert param in inputs.members, f"{listing.operation} takes no {param}"
    if listing.within is not None:
        assert listing.within.param in inputs.members


@pytest.mark.parametrize("name", TYPE_NAMES)
def test_listing_is_paginated_at_its_largest_page(name: str) -> None:
    for rtype in _listings(name):
        _check_paging(rtype)


# Output members that carry a next page's position: an operation with one must be paginated.


def _check_paging(rtype: ResourceType) -> None:
    listing = rtype.listing
    client = _client(rtype.service)
    if not client.can_paginate(listing.operation):
        _check_unpaginated(rtype)
        return
    assert listing.paging is None, f"{listing.operation} has botocore's paginator: declare no paging"
    paginator = (
        _session().get_paginator_model(rtype.service).get_paginator(_api(rtype.service, listing.operation))
    )
    limit_key = paginator.get("limit_key")
    if listing.page_size is None:
        assert limit_key is None, f"{listing.operation} takes a page size ({limit_key}): declare its largest"
        return
    assert limit_key is not None, f"{listing.operation} takes no page size"
    inputs = (
        _session().get_service_model(rtype.service).operation_model(_api(rtype.service, listing.operation))
    )
    shape = inputs.input_shape.members[limit_key]
    maximum = shape.metadata.get("max")
    if maximum is not None:
        assert listing.page_size <= maximum, f"page size {listing.page_size} > the model's {maximum}"


def _check_unpaginated(rtype: ResourceType) -> None:
    """A list call without botocore's paginator: paged by its declared StartAfter, or unpaged."""
    listing = rtype.listing
    operation = (
        _session().get_service_model(rtype.service).operation_model(_api(rtype.service, listing.operation))
    )
    inputs, outputs = operation.input_shape.members, operation.output_shape.members
    paging = listing.paging
    if paging is None:
        # One call answers everything only when the call has nothing to page with.
        assert listing.page_size is None, f"{listing.operation} declares a page size but no paging"
        marks = [m for m in [*inputs, *outputs] if any(w in m for w in ("Token", "Marker", "More", "Limit"))]
        assert not marks, f"{listing.operation} pages with {marks}: declare its paging"
        return
    assert paging.param in inputs, paging
    assert paging.limit in inputs, paging
    assert paging.more in outputs, paging
    assert listing.page_size is not None, f"{listing.operation}: declare its largest page"
    maximum = inputs[paging.limit].metadata.get("max")
    if maximum is not None:
        assert listing.page_size <= maximum, f"page size {listing.page_size} > the model's {maximum}"


@pytest.mark.parametrize("name", TYPE_NAMES)
def test_iam_actions_are_the_operations_actions(name: str) -> None:
    rtype = BY_NAME[name]
    called = {_action(rtype, service, operation) for service, operation, _ in _operations(rtype)}
    declared = set(rtype.all_actions(need_created=True))
    assert declared == called, f"declared {sorted(declared - called)} but calls {sorted(called - declared)}"
    assert set(rtype.arn_actions) <= declared
    for extra in rtype.also:
        # reported under this type's name; the member role reads only this declaration's arn_actions
        assert (extra.name, extra.arn_actions, extra.also) == (name, (), ())
    # The detail call is only declared apart when it is made only for creation times.
    if rtype.detail_action is not None:
        assert isinstance(rtype.detail, Detail)
        assert not rtype.detail.always


@pytest.mark.parametrize("name", TYPE_NAMES)
def test_arn_has_the_shape_of_its_service_and_resource(name: str) -> None:
    for rtype in _listings(name):
        _check_arn(rtype, name)


def _check_arn(rtype: ResourceType, name: str) -> None:
    namespace, resource = name.split(":", 1)
    assert _session().get_service_model(rtype.service)  # the client exists
    template = rtype.arn if rtype.arn.startswith("arn:") else rtype.iam_arn
    if template is None:
        # The ARN is read from the item; its path must name an ARN member of the listing.
        assert "arn" in rtype.arn.lower(), f"{rtype.arn} does not look like an ARN member"
        return
    assert template.startswith(f"arn:{{partition}}:{namespace}:"), template
    assert "{id}" in template
    _, _, _, region, account, rest = template.split(":", 5)
    assert region in ("{region}", ""), template
    assert account in ("{account}", ""), template

    # The resource part names the resource type, as the Service Authorization Reference does
    # (S3's bucket ARNs are the bucket name alone; AWS Backup's recoveryPoint is spelled
    # recovery-point in its ARN).
    def bare(text: str) -> str:
        return text.lower().replace("-", "")

    assert bare(rest).startswith(bare(resource)) or rest == "{id}", template


@pytest.mark.parametrize("name", TYPE_NAMES)
def test_parent_security_hub_and_dba_are_declared(name: str) -> None:
    rtype = BY_NAME[name]
    if rtype.parent is not None:
        assert rtype.parent.type in BY_NAME, f"unknown parent {rtype.parent.type}"
        # the collector makes a parent's ARN from its id alone: a parent type's id is a key
        assert isinstance(BY_NAME[rtype.parent.type].id, str), rtype.parent.type
        assert TYPE_NAMES.index(rtype.parent.type) < TYPE_NAMES.index(name)
    assert ASFF_PATTERN.fullmatch(rtype.securityhub), rtype.securityhub
    assert isinstance(rtype.dba, bool)


def test_every_type_is_in_the_docs_table() -> None:
    # docs/resource-types.md holds `maptag types --format markdown` between its markers
    # (`make docs` writes it): every type, exactly as declared.
    text = (ROOT / "docs" / "resource-types.md").read_text()
    table = text.split(START, 1)[1].split(END, 1)[0]
    rows = set(re.findall(r"^\| `([^`]+)` \|", table, flags=re.MULTILINE))
    assert rows == set(TYPE_NAMES), (
        f"missing {sorted(set(TYPE_NAMES) - rows)}, stale {sorted(rows - set(TYPE_NAMES))}"
    )
    assert table.strip() == markdown().strip(), "docs/resource-types.md is stale: run make docs"


def test_every_type_name_is_a_report_resource_type() -> None:
    # The JSON report's schema (docs/contracts.md) must accept every declared name, camelCase
    # resource parts included (autoscaling:autoScalingGroup, as the Service Authorization
    # Reference spells it).
    schema = json.loads(SCHEMA_FILE.read_text())
    pattern = re.compile(schema["$defs"]["resource_type"]["pattern"])
    assert [name for name in TYPE_NAMES if not pattern.fullmatch(name)] == []


def test_type_names_are_unique_and_parents_come_first() -> None:
    assert len(TYPE_NAMES) == len(set(TYPE_NAMES))
    for index, rtype in enumerate(TYPES):
        if rtype.parent is not None:
            assert rtype.parent.type in TYPE_NAMES[:index]


# Tag actions whose name is not their API operation's (Elastic Beanstalk API Reference,
# AWS Elastic Beanstalk: UpdateTagsForResource needs AddTags and RemoveTags).
TAG_IAM_NAMES = {
    "elasticbeanstalk:AddTags": "UpdateTagsForResource",
    "elasticbeanstalk:RemoveTags": "UpdateTagsForResource",
}
# Every declaration, the further listings of a type (`also`) included.
DECLARATIONS = {f"{t.name}#{i}": d for t in TYPES for i, d in enumerate((t, *t.also))}


@pytest.mark.parametrize("key", DECLARATIONS)
def test_tag_writes_are_the_service_models_operations(key: str) -> None:
    """How fixes write the type's tags (docs/fix.md): its own calls take the requests it builds
    (botocore's parameter validator) and their IAM actions are the operations' own; without a
    writer, TagResources needs the service's own tag action, which must exist too."""
    rtype = DECLARATIONS[key]
    namespace = rtype.name.split(":")[0]
    writer = rtype.writer
    if writer is None:
        assert set(TAGGING_API_WRITE_ACTIONS) <= set(rtype.write_actions)
        own = [a for a in rtype.write_actions if a not in TAGGING_API_WRITE_ACTIONS]
        apis = set(_client(rtype.service).meta.method_to_api_mapping.values())
        for action in own:
            prefix, api = action.split(":")
            assert prefix == namespace, action
            api = TAG_IAM_NAMES.get(action, api)
            assert api in apis, f"{rtype.service} has no operation {api}"
        return
    arn = "arn:aws:" + namespace + ":us-east-1:123456789012:x/abc-0123"
    validator = ParamValidator()
    for operation, request in (
        (writer.tag, writer.tag_request(arn, {"map-migrated": "mig12345"})),
        (writer.untag, writer.untag_request(arn, ["map-migrated"])),
    ):
        api = _api(rtype.service, operation)
        shape = _session().get_service_model(rtype.service).operation_model(api).input_shape
        report = validator.validate(request, shape)
        assert not report.has_errors(), report.generate_report()
    actions = tuple(f"{namespace}:{_api(rtype.service, op)}" for op in (writer.tag, writer.untag))
    assert writer.actions == actions
    assert rtype.write_actions == actions


def test_an_arn_scoped_action_is_scoped_by_one_type_only() -> None:
    # The member role grants each ARN-scoped action on one type's ARNs (infra/constructs/
    # member_role.py): an action two types scope would be denied on one of them.
    scoped = [action for rtype in TYPES for action in rtype.arn_actions]
    assert len(scoped) == len(set(scoped)), sorted({a for a in scoped if scoped.count(a) > 1})

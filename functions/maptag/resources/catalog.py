"""What each declared type is, in words: for `maptag types` and docs/resource-types.md."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cache

import botocore.session
from botocore import xform_name

from maptag.resources.declarations import TYPES
from maptag.resources.schema import (
    Batched,
    Detail,
    DetailBatch,
    Inline,
    PerResource,
    ResourceType,
    TaggingApi,
)


@cache
def _api_names(service: str) -> dict[str, str]:
    model = botocore.session.get_session().get_service_model(service)
    return {xform_name(name): name for name in model.operation_names}


def _call(rtype: ResourceType, operation: str, service: str | None = None) -> str:
    """A boto3 method name as the API names it: describe_db_instances -> DescribeDBInstances."""
    return _api_names(service or rtype.service).get(operation, operation)


def _with_also(rtype: ResourceType, words: Callable[[ResourceType], str]) -> str:
    """``words`` of the type, and of each further listing under its name, client by client."""
    if not rtype.also:
        return words(rtype)
    return "; ".join(f"{t.service}: {words(t)}" for t in (rtype, *rtype.also))


def listed_by(rtype: ResourceType) -> str:
    return _with_also(rtype, _listed_by)


def tags_read_by(rtype: ResourceType) -> str:
    return _with_also(rtype, _tags_read_by)


def _listed_by(rtype: ResourceType) -> str:
    listing = rtype.listing
    text = _call(rtype, listing.operation)
    if listing.page_size is not None:
        text += f" ({listing.page_size} a page)"
    if listing.within is not None:
        text += f" per {_call(rtype, listing.within.operation)} item"
    if isinstance(rtype.detail, DetailBatch):
        text += f", then {_call(rtype, rtype.detail.operation)} ({rtype.detail.size} a call)"
    elif isinstance(rtype.detail, Detail):
        when = "each" if rtype.detail.always else "each, only with an agreement start"
        text += f", then {_call(rtype, rtype.detail.operation)} ({when})"
    if rtype.is_global:
        text += "; global: once per account"
    return text


def _tags_read_by(rtype: ResourceType) -> str:
    tags = rtype.tags
    if isinstance(tags, Inline):
        return "inline"
    if isinstance(tags, Batched):
        return f"{_call(rtype, tags.operation)} ({tags.size} a call)"
    if isinstance(tags, TaggingApi):
        fallback = _call(rtype, tags.fallback.operation)
        return f"Tagging API GetResources ({tags.size} a call), else {fallback} each"
    assert isinstance(tags, PerResource)
    return f"{_call(rtype, tags.operation)} (each)"


def describe(rtype: ResourceType) -> dict[str, object]:
    return {
        "type": rtype.name,
        "service": rtype.name.split(":")[0],
        "dba": rtype.dba,
        "listed_by": listed_by(rtype),
        "tags_read_by": tags_read_by(rtype),
        "creation_time": rtype.created is not None,
        "parent": rtype.parent.type if rtype.parent is not None else None,
        "global": rtype.is_global,
        "iam_actions": list(rtype.all_actions(need_created=True)),
        "security_hub_type": rtype.securityhub,
    }


# docs/resource-types.md holds the table between these markers (`make docs` rewrites it).
START = "<!-- maptag types: start -->"
END = "<!-- maptag types: end -->"


def markdown(types: Iterable[ResourceType] = TYPES) -> str:
    """The docs table: one row per type (docs/resource-types.md holds exactly this)."""
    lines = [
        "| type | DB&A | listed by | tags read by | created | parent | IAM actions | Security Hub |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for rtype in sorted(types, key=lambda t: t.name):
        d = describe(rtype)
        actions = ", ".join(f"`{a}`" for a in rtype.all_actions(need_created=True))
        lines.append(
            f"| `{rtype.name}` | {'yes' if rtype.dba else 'no'} | {d['listed_by']} | {d['tags_read_by']} | "
            f"{'yes' if rtype.created is not None else 'unknown'} | {d['parent'] or ''} | {actions} | "
            f"{rtype.securityhub} |"
        )
    return "\n".join(lines) + "\n"

"""Applying a fix plan: re-read, write, journal; and undo from a journal (docs/fix.md).

Changes run grouped by account × region × type. Each group's tags are read again just before
its writes (the type's own listing and tag read, maptag.resources.collector), and a change is
skipped, named, when the resource's tags are no longer what the plan was made from. Every
change is appended to the journal before the next starts, so an interrupted run leaves a
journal that ``--undo`` can replay.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from itertools import groupby
from pathlib import Path
from typing import Any

from maptag.aws import Clients, describe_error
from maptag.files import append_lines, read_json_lines
from maptag.fix.plan import Change
from maptag.judge import judge
from maptag.model import ScanUnit
from maptag.policy import Policy
from maptag.resources.collector import AWS_ERRORS, CollectionError, UnitContext, collect
from maptag.resources.declarations import BY_NAME
from maptag.resources.schema import ResourceType
from maptag.scan import UnitUnreachable

# TagResources and UntagResources take at most 20 ARNs a call (Resource Groups Tagging API
# Reference, TagResources: ResourceARNList, 1-20 items).
TAGGING_API_BATCH = 20
APPLIED, FAILED, SKIPPED = "applied", "failed", "skipped"


@dataclass(frozen=True, slots=True)
class Outcome:
    change: Change
    result: str  # applied | failed | skipped
    detail: str = ""

    def journal_line(self) -> str:
        c = self.change
        row = {
            "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "arn": c.arn,
            "type": c.type,
            "account_id": c.account_id,
            "region": c.region,
            "key": c.key,
            "before": c.before,
            "after": c.after,
            "result": self.result,
        }
        if self.detail:
            row["detail"] = self.detail
        return json.dumps(row, ensure_ascii=False, separators=(",", ":"))


class Journal:
    """The JSON-lines journal (maptag.files.append_lines: whole rows, a torn one closed off)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        append_lines(path, [])  # created (or found appendable) before any change is made

    def record(self, outcomes: Iterable[Outcome]) -> None:
        append_lines(self.path, [outcome.journal_line() for outcome in outcomes])


def read_journal(path: Path, warn: Callable[[str], None]) -> list[Change]:
    """The applied changes of a journal, in the order they were made."""
    changes = []
    for number, row in read_json_lines(path, warn):
        try:
            if row["result"] != APPLIED:
                continue
            changes.append(
                Change(
                    arn=str(row["arn"]),
                    type=str(row["type"]),
                    account_id=str(row["account_id"]),
                    region=str(row["region"]),
                    key=str(row["key"]),
                    before=_text_or_none(row["before"]),
                    after=_text_or_none(row["after"]),
                    why="",
                )
            )
        except (KeyError, TypeError, ValueError):
            warn(f"{path}:{number}: skipped a row that is not a maptag journal row")
    return changes


def _text_or_none(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise ValueError(value)


def undo_changes(applied: Sequence[Change]) -> list[Change]:
    """The changes that put back what ``applied`` changed, last first."""
    return [
        Change(
            arn=c.arn,
            type=c.type,
            account_id=c.account_id,
            region=c.region,
            key=c.key,
            before=c.after,
            after=c.before,
            why="undo: "
            + ("remove the key (it was absent)" if c.before is None else f"put back {c.before!r}"),
        )
        for c in reversed(applied)
    ]


def apply_changes(
    changes: Sequence[Change],
    clients_for: Callable[[ScanUnit], Clients],
    journal: Journal,
    policy: Policy | None,
) -> Iterator[Outcome]:
    """Make each change (re-read first), journal it, yield its outcome; never raises for AWS
    errors. ``policy`` re-judges the tags for the changes planned from a finding."""
    order = {c.arn: i for i, c in reversed(list(enumerate(changes)))}
    groups = groupby(
        sorted(changes, key=lambda c: (c.account_id, c.region, c.type, order[c.arn])),
        key=lambda c: (c.account_id, c.region, c.type),
    )
    for (account, region, type_name), grouped in groups:
        group = list(grouped)
        rtype = BY_NAME.get(type_name)
        if rtype is None:
            outcomes = [Outcome(c, FAILED, f"unknown resource type {type_name!r}") for c in group]
            journal.record(outcomes)
            yield from outcomes
            continue
        try:
            clients = clients_for(ScanUnit(account, region))
            current = _current_tags(rtype, clients, account, region, {c.arn for c in group})
        except (CollectionError, UnitUnreachable, *AWS_ERRORS) as error:
            outcomes = [Outcome(c, FAILED, f"could not re-read the tags: {error}") for c in group]
            journal.record(outcomes)
            yield from outcomes
            continue
        yield from _apply_group(rtype, clients, group, current, journal, policy)


def _current_tags(
    rtype: ResourceType, clients: Clients, account: str, region: str, arns: set[str]
) -> dict[str, tuple[ResourceType, dict[str, str] | None]]:
    """The tags of these resources now (None: unreadable), read the way a scan reads them, each
    with the declaration that listed it (a type's further listings, `also`, write their own way)."""
    ctx = UnitContext(clients=clients, account_id=account, region=region, need_created=False)
    found: dict[str, tuple[ResourceType, dict[str, str] | None]] = {}
    for declaration in (rtype, *rtype.also):
        for resource in collect(replace(declaration, also=()), ctx):
            if resource.arn in arns:
                found[resource.arn] = (declaration, None if resource.tags is None else dict(resource.tags))
    return found


def _guard(
    change: Change, tags: dict[str, str] | None, policy: Policy | None, rtype: ResourceType
) -> str | None:
    """Why the change must not be made now, or None."""
    if tags is None:
        return "its tags cannot be read now"
    if change.observed is not None and policy is not None:
        now = judge(tags, policy, dba=rtype.dba)
        if (now.verdict.value, now.key, now.value) != change.observed:
            return f"its tags changed since the scan (now: {now.verdict.value}: {now.reason})"
    if tags.get(change.key) != change.before:
        return f"its tag {change.key!r} changed since it was planned (now {tags.get(change.key)!r})"
    return None


def _apply_group(
    rtype: ResourceType,
    clients: Clients,
    group: list[Change],
    current: dict[str, tuple[ResourceType, dict[str, str] | None]],
    journal: Journal,
    policy: Policy | None,
) -> Iterator[Outcome]:
    ready: list[tuple[ResourceType, Change]] = []
    planned: set[str] = set()
    for change in group:
        if change.arn not in current:
            why_not: str | None = "the resource no longer exists (not listed now)"
        else:
            declaration, tags = current[change.arn]
            # The finding is re-judged once per resource; its later changes follow the first.
            why_not = _guard(change, tags, None if change.arn in planned else policy, rtype)
            if why_not is None and tags is not None:
                ready.append((declaration, change))
                planned.add(change.arn)
                _update(tags, change)  # the next change on this resource sees this one made
                continue
        outcome = Outcome(change, SKIPPED, why_not or "")
        journal.record([outcome])
        yield outcome
    failed: set[str] = set()
    for declaration, batch in _batches(ready):
        # A near-miss key is never removed from a resource whose map-migrated write failed.
        after_failure = [
            Outcome(c, SKIPPED, "an earlier change on this resource failed") for c in batch if c.arn in failed
        ]
        todo = [c for c in batch if c.arn not in failed]
        outcomes = after_failure + (write_changes(declaration, clients, todo) if todo else [])
        failed.update(o.change.arn for o in outcomes if o.result != APPLIED)
        journal.record(outcomes)
        yield from outcomes


def _batches(ready: list[tuple[ResourceType, Change]]) -> Iterator[tuple[ResourceType, list[Change]]]:
    """One call per change with the service's own writer; the Tagging API's batches otherwise."""
    tagging_api: dict[int, tuple[ResourceType, list[Change]]] = {}
    for declaration, change in ready:
        if declaration.writer is not None:
            yield declaration, [change]
        else:
            tagging_api.setdefault(id(declaration), (declaration, []))[1].append(change)
    for declaration, changes in tagging_api.values():
        for batch in _tagging_api_batches(changes):
            yield declaration, batch


def write_changes(declaration: ResourceType, clients: Clients, batch: list[Change]) -> list[Outcome]:
    """Make these changes (already re-read) the way ``declaration`` writes; never raises for AWS errors."""
    if declaration.writer is None:
        return _write_tagging_api(clients, batch)
    return [_write_own(declaration, clients, change) for change in batch]


def _update(tags: dict[str, str], change: Change) -> None:
    if change.after is None:
        tags.pop(change.key, None)
    else:
        tags[change.key] = change.after


def _write_own(rtype: ResourceType, clients: Clients, change: Change) -> Outcome:
    writer = rtype.writer
    assert writer is not None
    client = clients(rtype.service)
    try:
        if change.after is None:
            getattr(client, writer.untag)(**writer.untag_request(change.arn, [change.key]))
        else:
            getattr(client, writer.tag)(**writer.tag_request(change.arn, {change.key: change.after}))
    except AWS_ERRORS as error:
        return Outcome(change, FAILED, describe_error(error))
    return Outcome(change, APPLIED)


def _tagging_api_batches(changes: list[Change]) -> Iterator[list[Change]]:
    """Up to 20 changes a call, each call writing one key and value (or removing one key)."""
    batch: list[Change] = []
    for change in changes:
        if batch and (
            len(batch) == TAGGING_API_BATCH
            or (batch[0].key, batch[0].after) != (change.key, change.after)
            or change.arn in {c.arn for c in batch}
        ):
            yield batch
            batch = []
        batch.append(change)
    if batch:
        yield batch


def _write_tagging_api(clients: Clients, batch: list[Change]) -> list[Outcome]:
    client = clients("resourcegroupstaggingapi")
    first = batch[0]
    arns = [c.arn for c in batch]
    try:
        if first.after is None:
            answer = client.untag_resources(ResourceARNList=arns, TagKeys=[first.key])
        else:
            answer = client.tag_resources(ResourceARNList=arns, Tags={first.key: first.after})
    except AWS_ERRORS as error:
        return [Outcome(c, FAILED, describe_error(error)) for c in batch]
    failed = answer.get("FailedResourcesMap") or {}
    return [
        Outcome(c, FAILED, _failure(failed[c.arn])) if c.arn in failed else Outcome(c, APPLIED) for c in batch
    ]


def _failure(info: dict[str, Any]) -> str:
    return f"{info.get('ErrorCode', 'error')}: {info.get('ErrorMessage', '')}".strip()

"""The Migration Hub outbox: task updates that could not be sent, replayed on the next run.

docs/contracts.md: a publish that still fails is kept and sent on the next run, never dropped. One
entry per task (stream + task name), always the newest scan: an older result never
overwrites a newer one, here or at the hub. Two backends behind one small interface: a JSON
file for the CLI and a DynamoDB table when deployed.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; concurrent CLI runs there may race
    fcntl = None  # type: ignore[assignment]

from maptag.aws import describe_error, error_code
from maptag.files import output_file
from maptag.migration_hub.publisher import HUB_WORKERS, OutboxError, TaskUpdate
from maptag.names import OUTBOX_TABLE_KEY

OUTBOX_SCHEMA = "maptag/hub-outbox@1"


def default_path() -> Path:
    return Path.home() / ".maptag" / "migration-hub-outbox.json"


class FileOutbox:
    """A JSON file (new ones 0600), rewritten atomically (maptag.files); missing means empty."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or default_path()

    def pending(self) -> list[TaskUpdate]:
        return list(self._load().values())

    def keep(self, updates: Iterable[TaskUpdate]) -> None:
        with self._locked():
            entries = self._load()
            changed = False
            for update in updates:
                held = entries.get(update.key)
                if held is None or held.updated_at <= update.updated_at:
                    entries[update.key] = update
                    changed = True
            if changed:
                self._save(entries)

    def sent(self, updates: Iterable[TaskUpdate]) -> None:
        with self._locked():
            entries = self._load()
            gone = [u.key for u in updates if u.key in entries and entries[u.key].updated_at <= u.updated_at]
            if gone:
                for key in gone:
                    del entries[key]
                self._save(entries)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """Two runs at once (cron and a hand-started scan) must not lose each other's entries."""
        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            handle = open(self.path.with_name(self.path.name + ".lock"), "a")  # noqa: SIM115
        except OSError as error:
            raise OutboxError(f"cannot write the outbox {self.path}: {error.strerror}") from None
        with handle:
            if fcntl is not None:
                fcntl.flock(handle, fcntl.LOCK_EX)
            yield

    def _load(self) -> dict[str, TaskUpdate]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        except OSError as error:
            raise OutboxError(f"cannot read the outbox {self.path}: {error.strerror}") from None
        try:
            data = json.loads(text)
            if data.get("schema") != OUTBOX_SCHEMA:
                raise ValueError(f"schema is not {OUTBOX_SCHEMA}")
            updates = [TaskUpdate.from_dict(item) for item in data["updates"]]
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            # Never overwrite what cannot be read: it may hold the only copy of a result.
            raise OutboxError(f"the outbox {self.path} is not readable ({error}); move it aside") from None
        return {update.key: update for update in updates}

    def _save(self, entries: dict[str, TaskUpdate]) -> None:
        data = {"schema": OUTBOX_SCHEMA, "updates": [entries[key].to_dict() for key in sorted(entries)]}
        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            # maptag.files: complete or not at all, written through a symlink, never over a device.
            with output_file(self.path, private=True) as out:
                json.dump(data, out, indent=1, ensure_ascii=False)
        except OSError as error:
            raise OutboxError(f"cannot write the outbox {self.path}: {error.strerror}") from None


class DynamoDBOutbox:
    """A DynamoDB table keyed by `task` (S); conditional writes keep the newest per task."""

    def __init__(self, table_name: str, client: Any) -> None:
        self.table_name = table_name
        self._dynamodb = client

    def pending(self) -> list[TaskUpdate]:
        return [TaskUpdate.from_dict(json.loads(item["update"]["S"])) for item in self._items()]

    def _items(self) -> Iterator[dict[str, Any]]:
        try:
            for page in self._dynamodb.get_paginator("scan").paginate(
                TableName=self.table_name, ConsistentRead=True
            ):
                yield from page.get("Items", [])
        except (ClientError, BotoCoreError) as error:
            raise OutboxError(
                f"cannot read the outbox table {self.table_name}: {describe_error(error)}"
            ) from None

    def keep(self, updates: Iterable[TaskUpdate]) -> None:
        self._each(updates, self._keep_one)

    def sent(self, updates: Iterable[TaskUpdate]) -> None:
        self._each(updates, self._forget_one)

    def _each(self, updates: Iterable[TaskUpdate], write: Callable[[TaskUpdate], None]) -> None:
        """One conditional write per update (BatchWriteItem takes no conditions), several at
        once: a hub outage at Organization scale keeps ~17,000 updates in one run."""
        with ThreadPoolExecutor(max_workers=HUB_WORKERS, thread_name_prefix="maptag-outbox") as pool:
            list(pool.map(write, updates))  # list(): the first OutboxError is raised here

    def _keep_one(self, update: TaskUpdate) -> None:
        self._conditional(
            self._dynamodb.put_item,
            TableName=self.table_name,
            Item={
                OUTBOX_TABLE_KEY: {"S": update.key},
                "updated_at": {"N": _epoch(update)},
                "update": {"S": json.dumps(update.to_dict(), ensure_ascii=False)},
            },
            ConditionExpression="attribute_not_exists(#key) OR updated_at <= :at",
            ExpressionAttributeNames={"#key": OUTBOX_TABLE_KEY},
            ExpressionAttributeValues={":at": {"N": _epoch(update)}},
        )

    def _forget_one(self, update: TaskUpdate) -> None:
        self._conditional(
            self._dynamodb.delete_item,
            TableName=self.table_name,
            Key={OUTBOX_TABLE_KEY: {"S": update.key}},
            ConditionExpression="updated_at <= :at",
            ExpressionAttributeValues={":at": {"N": _epoch(update)}},
        )

    def _conditional(self, operation: Any, **arguments: Any) -> None:
        try:
            operation(**arguments)
        except ClientError as error:
            # A newer update is kept (or nothing is): exactly what the condition protects.
            if error_code(error) != "ConditionalCheckFailedException":
                raise OutboxError(
                    f"cannot write the outbox table {self.table_name}: {describe_error(error)}"
                ) from None
        except BotoCoreError as error:
            raise OutboxError(
                f"cannot write the outbox table {self.table_name}: {describe_error(error)}"
            ) from None


def _epoch(update: TaskUpdate) -> str:
    return f"{update.updated_at.timestamp():.6f}"

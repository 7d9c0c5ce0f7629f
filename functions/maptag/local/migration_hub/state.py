"""The one state core of the local Migration Hub: in memory, optionally kept in a JSON file.

Everything the HTTP server and the in-process API do goes through one `HubState` under one
lock, so both see the same streams, tasks and home region, and a test can inspect it.
"""

from __future__ import annotations

import copy
import json
import os
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_ACCOUNT_ID = "123456789012"  # moto's default account: the demo estate lives there
STATE_SCHEMA = "maptag/local-migration-hub@1"
CALLS_KEPT = 10_000  # the request log a long `hub serve` keeps: enough for any test, bounded
FAULT_CODES = {
    "ThrottlingException": 400,
    "InternalServerError": 500,
    "ServiceUnavailableException": 500,  # the API reference gives 500 for this one
    "AccessDeniedException": 400,
}


class StateFileError(Exception):
    """The --state file cannot be read or is not a local Migration Hub state."""


@dataclass
class Fault:
    code: str
    remaining: int
    operation: str | None
    message: str
    retry_after_seconds: int | None = None


@dataclass(frozen=True)
class Call:
    """One request the hub answered: what a test asserts on (e.g. "DryRun sent nothing")."""

    service: str
    operation: str
    region: str
    params: dict[str, Any]
    outcome: str  # "ok" or the error code


def empty_data() -> dict[str, Any]:
    # regions: home region -> {"streams": {name: {"created": t, "tasks": {name: task}}}}
    return {"schema": STATE_SCHEMA, "controls": [], "regions": {}}


class HubState:
    """Streams, tasks, resource attributes, update history and home region controls."""

    def __init__(self, path: str | os.PathLike[str] | None = None, account_id: str = DEFAULT_ACCOUNT_ID):
        self.account_id = account_id
        self.path = Path(path) if path is not None else None
        self.lock = threading.RLock()
        self._faults: list[Fault] = []
        self.calls: list[Call] = []
        self.data = empty_data()
        if self.path is not None and self.path.exists():
            self.data = _load(self.path)

    # -- transactions -------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[dict[str, Any]]:
        """The data under the lock; written to the state file when the block succeeds."""
        with self.lock:
            before = copy.deepcopy(self.data) if self.path is not None else None
            yield self.data
            if self.path is not None and self.data != before:
                self.save()

    def save(self) -> None:
        if self.path is None:
            return
        with self.lock:
            text = json.dumps(self.data, indent=1, sort_keys=True)
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # Write then rename: a crash mid-write never leaves half a state file behind.
            handle, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.")
            try:
                with os.fdopen(handle, "w", encoding="utf-8") as out:
                    out.write(text)
                os.replace(temporary, self.path)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise

    def reset(self) -> None:
        with self.transaction() as data:
            data.clear()
            data.update(empty_data())
            self._faults.clear()
            self.calls.clear()

    # -- fault injection ----------------------------------------------------------------
    def inject_fault(
        self,
        code: str = "ThrottlingException",
        times: int = 1,
        operation: str | None = None,
        message: str | None = None,
        retry_after_seconds: int | None = None,
    ) -> None:
        """The next `times` calls (of `operation`, or any) fail with `code` before doing anything.

        `retry_after_seconds` adds ThrottlingException's RetryAfterSeconds member to the answer.
        """
        if code not in FAULT_CODES:
            raise ValueError(f"cannot inject {code!r}: one of {', '.join(sorted(FAULT_CODES))}")
        if times < 1:
            raise ValueError(f"times must be at least 1, not {times}")
        with self.lock:
            text = message or _FAULT_MESSAGES.get(code, code)
            self._faults.append(Fault(code, times, operation, text, retry_after_seconds))

    def clear_faults(self) -> None:
        with self.lock:
            self._faults.clear()

    def take_fault(self, operation: str) -> Fault | None:
        """The injected fault this call of `operation` must fail with, if any (used up by one)."""
        with self.lock:
            for fault in self._faults:
                if fault.operation in (None, operation):
                    fault.remaining -= 1
                    if fault.remaining == 0:
                        self._faults.remove(fault)
                    return fault
            return None

    def record(self, call: Call) -> None:
        with self.lock:
            self.calls.append(call)
            if len(self.calls) > CALLS_KEPT:
                del self.calls[: len(self.calls) - CALLS_KEPT]

    # -- read helpers for tests and `maptag hub tasks` ----------------------------------
    @property
    def home_region(self) -> str | None:
        with self.lock:
            controls = self.data["controls"]
            return str(controls[0]["HomeRegion"]) if controls else None

    def streams(self, region: str | None = None) -> dict[str, Any]:
        """A copy of the streams (with their tasks) of `region`, by default the home region."""
        with self.lock:
            where = region or self.home_region
            if where is None:
                return {}
            streams: dict[str, Any] = self.data["regions"].get(where, {}).get("streams", {})
            return copy.deepcopy(streams)

    def task(self, stream: str, name: str, region: str | None = None) -> dict[str, Any] | None:
        found: dict[str, Any] | None = self.streams(region).get(stream, {}).get("tasks", {}).get(name)
        return found


_FAULT_MESSAGES = {
    "ThrottlingException": "Rate exceeded",
    "InternalServerError": "An internal error occurred (injected by the local Migration Hub)",
    "ServiceUnavailableException": "The service is unavailable (injected by the local Migration Hub)",
    "AccessDeniedException": "You do not have sufficient access to perform this action (injected)",
}


def _load(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8") or "null")
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise StateFileError(f"cannot read {path}: {error}") from None
    if data is None:
        return empty_data()
    if not isinstance(data, dict) or data.get("schema") != STATE_SCHEMA:
        raise StateFileError(f"{path} is not a local Migration Hub state file (schema {STATE_SCHEMA})")
    return data

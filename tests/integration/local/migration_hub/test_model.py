"""The local Migration Hub against botocore's service model, table-driven (issue 4).

For every operation the hub serves and every constraint of every input member (required,
type, min/max length or size, min/max value, pattern, enum), recursively into structures and
lists, one request breaks exactly that constraint and must answer InvalidInputException
naming it. The table is generated from the model: a constraint AWS adds to botocore's model
is covered without new code. A fully valid request of each operation must be accepted.
Values are judged here with Python's `re.fullmatch`, independently of the hub's validator.
"""

from __future__ import annotations

import copy
import http.client
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

import botocore.session
import pytest
from botocore.model import ListShape, Shape, StructureShape
from hypothesis import given, settings
from hypothesis import strategies as st

from maptag.local.migration_hub import HubState, LocalMigrationHub, running_hub, served_operations

REGION = "us-east-1"
TIMESTAMP = 1_795_428_000  # 2026-11-23T10:00:00Z, as JSON 1.1 sends timestamps
# Valid strings are the first of these that satisfy a shape's length, pattern and enum.
CANDIDATES = [
    "",
    REGION,
    "123456789012",
    "hrc-abcdef012345",
    "arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0",
    "map-tagging",
]
# Characters that break patterns, tried alone and in place of one character of a valid value;
# the first string that breaks the pattern at a valid length is used.
PATTERN_BREAKERS = [":", "|", "/", "\n", "\x01", "!", " ", "-", "A", "a"]
WRONG_TYPE: dict[str, Any] = {
    "string": 12345,
    "integer": "12",
    "long": "12",
    "boolean": "true",
    "timestamp": "2026-11-23T10:00:00Z",
    "structure": ["not", "an", "object"],
    "list": {"not": "a list"},
}
REMOVE = object()
MODELS = {
    name: botocore.session.get_session().get_service_model(name) for name in ("mgh", "migrationhub-config")
}
TARGET_PREFIX = {name: model.metadata["targetPrefix"] for name, model in MODELS.items()}


def _length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def string_ok(shape: Shape, text: str) -> bool:
    meta = shape.metadata
    pattern = meta.get("pattern")
    return (
        meta.get("min", 0) <= _length(text) <= meta.get("max", 10**9)
        and (pattern is None or re.fullmatch(pattern, text) is not None)
        and (not getattr(shape, "enum", None) or text in shape.enum)  # type: ignore[attr-defined]
    )


def sample(shape: Shape) -> Any:
    """A valid value of `shape`, with every optional member filled in."""
    if isinstance(shape, StructureShape):
        return {name: sample(member) for name, member in shape.members.items()}
    if isinstance(shape, ListShape):
        return [sample(shape.member)] * max(1, shape.metadata.get("min", 1))
    kind, meta = shape.type_name, shape.metadata
    if kind == "string":
        enum = getattr(shape, "enum", None)
        if enum:
            return enum[0]
        for candidate in CANDIDATES:
            if string_ok(shape, candidate):
                return candidate
        raise AssertionError(f"no valid sample for {shape.name} {meta}: add a candidate to CANDIDATES")
    if kind in ("integer", "long"):
        return meta.get("min", 1)
    if kind == "boolean":
        return False  # DryRun=true would answer DryRunOperation
    if kind == "timestamp":
        return TIMESTAMP
    raise AssertionError(f"no sample for {shape.name} of type {kind}")


@dataclass(frozen=True)
class Case:
    service: str
    operation: str
    path: tuple[str | int, ...]
    constraint: str
    value: Any
    expect: str  # the phrase the error message must contain

    @property
    def id(self) -> str:
        where = ".".join(str(part) for part in self.path)
        return f"{self.operation}:{where}:{self.constraint}"


def _breaks(shape: Shape) -> Iterator[tuple[str, Any, str]]:
    """(constraint, bad value, expected phrase) for each constraint of a non-structure shape."""
    meta, kind = shape.metadata, shape.type_name
    if kind == "string":
        filler = (sample(shape) or "a")[0]
        if meta.get("min", 0) > 0:
            yield "min", filler * (meta["min"] - 1), f"have length greater than or equal to {meta['min']}"
        if "max" in meta:
            yield "max", filler * (meta["max"] + 1), f"have length less than or equal to {meta['max']}"
        if "pattern" in meta:
            low, high = meta.get("min", 0), meta.get("max", 10**9)
            valid = sample(shape)
            tries = [
                text
                for char in PATTERN_BREAKERS
                for text in (char, valid[:-1] + char, char + valid[1:], char * max(low, 1))
            ]
            broken = next(
                (
                    text
                    for text in tries
                    if low <= _length(text) <= high and re.fullmatch(meta["pattern"], text) is None
                ),
                None,
            )
            assert broken is not None, f"no value breaks {shape.name}'s pattern: add one to PATTERN_BREAKERS"
            yield "pattern", broken, "satisfy regular expression pattern"
        if getattr(shape, "enum", None):
            yield "enum", "NOT_A_MEMBER", "satisfy enum value set"
    elif kind in ("integer", "long"):
        if "min" in meta:
            yield "min", meta["min"] - 1, f"have value greater than or equal to {meta['min']}"
        if "max" in meta:
            yield "max", meta["max"] + 1, f"have value less than or equal to {meta['max']}"
    elif isinstance(shape, ListShape):
        if meta.get("min", 0) > 0:
            yield "min", [], f"have length greater than or equal to {meta['min']}"
        if "max" in meta:
            yield (
                "max",
                [sample(shape.member)] * (meta["max"] + 1),
                f"have length less than or equal to {meta['max']}",
            )


def _walk(shape: Shape, path: tuple[str | int, ...]) -> Iterator[tuple[tuple[str | int, ...], str, Any, str]]:
    if isinstance(shape, StructureShape):
        for name, member in shape.members.items():
            here = (*path, name)
            if name in shape.required_members:
                yield here, "required", REMOVE, "must not be null"
            if member.type_name in WRONG_TYPE:
                yield here, "type", WRONG_TYPE[member.type_name], f"be of type {member.type_name}"
            yield from _walk(member, here)
        return
    for constraint, value, phrase in _breaks(shape):
        yield path, constraint, value, phrase
    if isinstance(shape, ListShape):
        yield from _walk(shape.member, (*path, 0))


def constraint_cases() -> list[Case]:
    cases = []
    for service, name in served_operations():
        shape = MODELS[service].operation_model(name).input_shape
        if shape is None:
            continue
        for path, constraint, value, phrase in _walk(shape, ()):
            cases.append(Case(service, name, path, constraint, value, phrase))
    return cases


CASES = constraint_cases()


def with_value(request: dict[str, Any], path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    broken = copy.deepcopy(request)
    parent: Any = broken
    for key in path[:-1]:
        parent = parent[key]
    if value is REMOVE:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return broken


# -- the hub under test, seeded so that every valid request names things that exist ----------
@dataclass
class Seeded:
    state: HubState
    control_id: str

    def valid_request(self, service: str, operation: str) -> dict[str, Any]:
        shape = MODELS[service].operation_model(operation).input_shape
        request: dict[str, Any] = sample(shape) if shape is not None else {}
        if "ControlId" in request:
            request["ControlId"] = self.control_id  # the one control that exists
        return request


# Operations that bring into being what the other operations name, in the order they can run.
SEEDING_ORDER = (
    "CreateHomeRegionControl",
    "CreateProgressUpdateStream",
    "ImportMigrationTask",
    "Associate",
    "Notify",
)


def seed(state: HubState) -> Seeded:
    """A hub in which each operation's valid sample request names things that exist."""
    state.reset()
    hub = LocalMigrationHub(state)
    seeded = Seeded(state, control_id="")
    for prefix in SEEDING_ORDER:
        for service, name in served_operations():
            if name.startswith(prefix):
                answer = hub.invoke(service, name, REGION, seeded.valid_request(service, name))
                seeded.control_id = answer.get("HomeRegionControl", {}).get("ControlId", seeded.control_id)
    state.calls.clear()
    return seeded


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[HubState, str]]:
    state = HubState()
    with running_hub(state) as url:
        yield state, url


Send = Any


def send_in_process(state: HubState, _url: str, service: str, operation: str, body: Any) -> tuple[int, Any]:
    status, raw = LocalMigrationHub(state).handle(
        f"{TARGET_PREFIX[service]}.{operation}", REGION, json.dumps(body)
    )
    return status, json.loads(raw)


def send_http(_state: HubState, url: str, service: str, operation: str, body: Any) -> tuple[int, Any]:
    address = urlparse(url)
    connection = http.client.HTTPConnection(address.hostname or "", address.port, timeout=10)
    scope = f"Credential=AKIDEXAMPLE/20261123/{REGION}/mgh/aws4_request"
    try:
        connection.request(
            "POST",
            "/",
            body=json.dumps(body),
            headers={
                "X-Amz-Target": f"{TARGET_PREFIX[service]}.{operation}",
                "Content-Type": "application/x-amz-json-1.1",
                "Authorization": f"AWS4-HMAC-SHA256 {scope}, SignedHeaders=host;x-amz-date, Signature=0",
            },
        )
        response = connection.getresponse()
        return response.status, json.loads(response.read() or b"{}")
    finally:
        connection.close()


TRANSPORTS = {"in-process": send_in_process, "http": send_http}


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_each_model_constraint_is_rejected_with_invalid_input(
    served: tuple[HubState, str], transport: str, case: Case
) -> None:
    state, url = served
    seeded = seed(state)
    request = with_value(seeded.valid_request(case.service, case.operation), case.path, case.value)
    before = json.dumps(state.data, sort_keys=True)
    status, body = TRANSPORTS[transport](state, url, case.service, case.operation, request)
    assert (status, body["__type"]) == (400, "InvalidInputException"), body
    assert case.expect in body["message"], body["message"]
    assert json.dumps(state.data, sort_keys=True) == before  # a rejected request changes nothing


SERVED = served_operations()


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("fullness", ["required-only", "every-member"])
@pytest.mark.parametrize(("service", "operation"), SERVED, ids=[name for _, name in SERVED])
def test_a_valid_request_is_accepted(
    served: tuple[HubState, str], transport: str, fullness: str, service: str, operation: str
) -> None:
    state, url = served
    seeded = seed(state)
    request = seeded.valid_request(service, operation)
    shape = MODELS[service].operation_model(operation).input_shape
    if fullness == "required-only" and shape is not None:
        request = {name: value for name, value in request.items() if name in shape.required_members}
    status, body = TRANSPORTS[transport](state, url, service, operation, request)
    assert status == 200, body


def test_the_table_covers_every_kind_of_constraint_and_every_operation() -> None:
    # Guards the generator itself: a silent bug must not leave the table empty.
    assert {case.constraint for case in CASES} == {"required", "type", "min", "max", "pattern", "enum"}
    assert {case.operation for case in CASES} >= {name for _, name in SERVED if name != "GetHomeRegion"}
    nested = [case for case in CASES if len(case.path) > 2]
    assert any(case.path[:3] == ("ResourceAttributeList", 0, "Value") for case in nested)
    assert any(case.path[:2] == ("Task", "ProgressPercent") for case in CASES)


def test_constraints_botocore_skips_client_side_are_the_ones_the_hub_adds() -> None:
    # docs/toolchain.md: botocore's own validator accepts these; the service (and the hub) do not.
    from botocore.validate import ParamValidator

    shape = MODELS["mgh"].operation_model("NotifyMigrationTaskState").input_shape
    request = {
        "ProgressUpdateStream": "a" * 60,
        "MigrationTaskName": "a:b",
        "Task": {"Status": "BOGUS", "ProgressPercent": 150},
        "UpdateDateTime": TIMESTAMP,
        "NextUpdateSeconds": 60,
    }
    assert not ParamValidator().validate(request, shape).has_errors()
    status, raw = LocalMigrationHub(HubState()).handle(
        "AWSMigrationHub.NotifyMigrationTaskState", REGION, json.dumps(request)
    )
    message = json.loads(raw)["message"]
    assert status == 400
    assert message.startswith("4 validation errors detected: ")
    for phrase in (
        "length less than or equal to 50",
        "regular expression pattern: [^:|]+",
        "enum value set",
        "value less than or equal to 100",
    ):
        assert phrase in message


@pytest.mark.parametrize(
    ("text", "valid"),
    [
        ("line one\nline two", False),  # `.` never matches a line terminator
        ("carriage\rreturn", False),  # nor \r, as in Java (Python's `.` would accept it)
        ("next\u2028line", False),
        ("tab\tseparated", True),
        ("é" * 2500, True),
        ("😀" * 1250, True),  # 2,500 UTF-16 code units
        ("😀" * 1251, False),  # 2,502 code units: over the limit though only 1,251 characters
    ],
)
def test_status_detail_follows_the_services_java_pattern_and_length_rules(text: str, valid: bool) -> None:
    state = HubState()
    seeded = seed(state)
    request = seeded.valid_request("mgh", "NotifyMigrationTaskState")
    request["Task"]["StatusDetail"] = text
    status, body = send_in_process(state, "", "mgh", "NotifyMigrationTaskState", request)
    assert (status == 200) is valid, body


# -- the rules of docs/map-tagging-rules.md as an independent oracle, on arbitrary text -----------
LINE_TERMINATORS = "\n\r\x85\u2028\u2029"
JSON_TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=300)  # no lone surrogates: not JSON


@settings(max_examples=300, deadline=None)
@given(name=JSON_TEXT)
def test_task_names_are_accepted_exactly_as_the_facts_say(name: str) -> None:
    # "MigrationTaskName 1-256 chars, no `:` or `|`"
    expected = 1 <= _length(name) <= 256 and not set(name) & {":", "|"}
    request = {"ProgressUpdateStream": "s", "MigrationTaskName": name}
    _, body = send_in_process(HubState(), "", "mgh", "DescribeMigrationTask", request)
    assert (body.get("__type") != "InvalidInputException") is expected, body


@settings(max_examples=300, deadline=None)
@given(name=st.text(st.characters(exclude_categories=["Cs"]), max_size=60))
def test_stream_names_are_accepted_exactly_as_the_facts_say(name: str) -> None:
    # "ProgressUpdateStream (1-50 chars, no `/ : |` or control chars)": the pattern excludes \000-\037
    expected = 1 <= _length(name) <= 50 and not any(char in "/:|" or ord(char) < 0x20 for char in name)
    _, body = send_in_process(
        HubState(), "", "mgh", "DeleteProgressUpdateStream", {"ProgressUpdateStreamName": name}
    )
    assert (body.get("__type") != "InvalidInputException") is expected, body


@settings(max_examples=300, deadline=None)
@given(detail=st.text(st.characters(exclude_categories=["Cs"]), max_size=40).map(lambda text: text * 70))
def test_status_details_are_accepted_up_to_2500_code_units_without_line_terminators(detail: str) -> None:
    expected = _length(detail) <= 2500 and not set(detail) & set(LINE_TERMINATORS)
    request = {
        "ProgressUpdateStream": "s",
        "MigrationTaskName": "t",
        "Task": {"Status": "IN_PROGRESS", "StatusDetail": detail},
        "UpdateDateTime": TIMESTAMP,
        "NextUpdateSeconds": 60,
    }
    _, body = send_in_process(HubState(), "", "mgh", "NotifyMigrationTaskState", request)
    assert (body.get("__type") != "InvalidInputException") is expected, body

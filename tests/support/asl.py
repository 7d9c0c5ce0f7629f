"""Runs a synthesized Step Functions definition in process: the order and the data flow.

Only what maptag's state machine uses is supported (Task → Lambda, a Distributed Map with an
S3 JSON ItemReader and an S3 ResultWriter, Pass, Retry, Catch, JSONPath parameters); anything
else raises, so a change to the workflow that this runner cannot follow fails the state machine test
instead of being skipped. Lambda functions are found by their logical id in the template and
called through the `Handler` the template names: the order comes from the definition.
"""

from __future__ import annotations

import copy
import importlib
import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import boto3

from tests.support.deployed import BUCKET, LambdaContext

Handler = Callable[[dict[str, Any], Any], Any]


class TaskError(Exception):
    def __init__(self, error: str, cause: str) -> None:
        super().__init__(f"{error}: {cause}")
        self.error = error
        self.cause = cause


def definition_of(template: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The ASL, with each CloudFormation reference as `ref:<LogicalId>`, and each function's handler."""
    resources = template["Resources"]
    (machine,) = [r for r in resources.values() if r["Type"] == "AWS::StepFunctions::StateMachine"]
    parts = machine["Properties"]["DefinitionString"]["Fn::Join"][1]
    text = "".join(p if isinstance(p, str) else _reference(p) for p in parts)
    handlers = {
        logical_id: r["Properties"]["Handler"]
        for logical_id, r in resources.items()
        if r["Type"] == "AWS::Lambda::Function"
    }
    return json.loads(text), handlers


def _reference(part: Mapping[str, Any]) -> str:
    if "Ref" in part:
        return f"ref:{part['Ref']}"
    if "Fn::GetAtt" in part:
        return f"ref:{part['Fn::GetAtt'][0]}"
    raise ValueError(f"unsupported reference in the definition: {part}")


def handler_of(path: str) -> Handler:
    module, _, name = path.rpartition(".")
    function: Handler = getattr(importlib.import_module(module), name)
    return function


@dataclass
class Execution:
    """One execution: `names` maps `ref:<LogicalId>` of buckets to their names in moto."""

    definition: dict[str, Any]
    handlers: dict[str, str]
    names: dict[str, str]
    context: Any
    name: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    start: datetime = field(default_factory=lambda: datetime.now(UTC))
    # Lambda runtime faults to stand in for (a unit whose function times out), by item
    runtime_fault: Callable[[str, dict[str, Any]], str | None] = lambda _state, _input: None
    visited: list[str] = field(default_factory=list)

    def run(self, payload: dict[str, Any]) -> Any:
        ctx = {
            "Execution": {
                "Name": self.name,
                "StartTime": self.start.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
            }
        }
        return self._machine(self.definition, payload, ctx)

    def _machine(self, machine: Mapping[str, Any], data: Any, ctx: dict[str, Any]) -> Any:
        name = machine["StartAt"]
        while True:
            state = machine["States"][name]
            self.visited.append(name)
            data, following = self._state(name, state, data, ctx)
            if following is None:
                return data
            name = following

    def _state(
        self, name: str, state: Mapping[str, Any], data: Any, ctx: dict[str, Any]
    ) -> tuple[Any, str | None]:
        kind = state["Type"]
        following = None if state.get("End") else state["Next"]
        if kind == "Pass":
            result = resolve(state["Parameters"], data, ctx) if "Parameters" in state else data
            return place(data, result, state.get("ResultPath", "$")), following
        if kind == "Task":
            try:
                result = self._task(name, state, data, ctx)
            except TaskError as error:
                for catch in state.get("Catch", []):
                    if _matches(catch["ErrorEquals"], error.error):
                        caught = {"Error": error.error, "Cause": error.cause}
                        return place(data, caught, catch.get("ResultPath", "$")), catch["Next"]
                raise
            return place(data, result, state.get("ResultPath", "$")), following
        if kind == "Map":
            result = self._distributed_map(state, data, ctx)
            return place(data, result, state.get("ResultPath", "$")), following
        raise NotImplementedError(f"state {name}: type {kind}")

    def _task(self, name: str, state: Mapping[str, Any], data: Any, ctx: dict[str, Any]) -> Any:
        resource = state["Resource"]
        if not resource.startswith("ref:"):
            raise NotImplementedError(f"state {name}: resource {resource}")
        function = handler_of(self.handlers[resource.removeprefix("ref:")])
        payload = resolve(state["Parameters"], data, ctx) if "Parameters" in state else copy.deepcopy(data)
        retries = {id(r): 0 for r in state.get("Retry", [])}
        while True:
            try:
                fault = self.runtime_fault(name, payload)
                if fault is not None:
                    raise TaskError(fault, json.dumps({"errorType": fault, "errorMessage": "Task timed out"}))
                return json.loads(json.dumps(function(copy.deepcopy(payload), self.context), default=str))
            except Exception as exc:
                error = exc if isinstance(exc, TaskError) else _lambda_error(exc)
                rule = next(
                    (r for r in state.get("Retry", []) if _matches(r["ErrorEquals"], error.error)), None
                )
                if rule is None or retries[id(rule)] >= rule.get("MaxAttempts", 3):
                    raise error from exc
                retries[id(rule)] += 1

    def _distributed_map(self, state: Mapping[str, Any], data: Any, ctx: dict[str, Any]) -> Any:
        processor = state["ItemProcessor"]
        if processor["ProcessorConfig"]["Mode"] != "DISTRIBUTED":
            raise NotImplementedError("only a Distributed Map is supported")
        reader = state["ItemReader"]
        if (
            not reader["Resource"].endswith(":states:::s3:getObject")
            or reader["ReaderConfig"]["InputType"] != "JSON"
        ):
            raise NotImplementedError(f"item reader {reader}")
        where = resolve(reader["Parameters"], data, ctx)
        s3 = boto3.client("s3")
        items = json.loads(
            s3.get_object(Bucket=self._bucket(where["Bucket"]), Key=where["Key"])["Body"].read()
        )
        records = []
        for index, value in enumerate(items):
            item_ctx = {**ctx, "Map": {"Item": {"Index": index, "Value": value}}}
            item = resolve(state["ItemSelector"], data, item_ctx) if "ItemSelector" in state else value
            output = self._machine(processor, item, item_ctx)
            records.append({"Input": json.dumps(item), "Output": json.dumps(output), "Status": "SUCCEEDED"})
        writer = state["ResultWriter"]
        if not writer["Resource"].endswith(":states:::s3:putObject"):
            raise NotImplementedError(f"result writer {writer}")
        bucket = self._bucket(writer["Parameters"]["Bucket"])
        # The ResultWriter's layout: <prefix>/<map run id>/manifest.json and SUCCEEDED_0.json
        run_prefix = f"{writer['Parameters']['Prefix']}/{uuid.uuid4()}"
        s3.put_object(Bucket=bucket, Key=f"{run_prefix}/SUCCEEDED_0.json", Body=json.dumps(records).encode())
        manifest = {
            "DestinationBucket": bucket,
            "MapRunArn": f"arn:aws:states:us-east-1:123456789012:mapRun:maptag/{state['Label']}:{self.name}",
            "ResultFiles": {
                "FAILED": [],
                "PENDING": [],
                "SUCCEEDED": [{"Key": f"{run_prefix}/SUCCEEDED_0.json"}],
            },
        }
        s3.put_object(Bucket=bucket, Key=f"{run_prefix}/manifest.json", Body=json.dumps(manifest).encode())
        return {
            "MapRunArn": manifest["MapRunArn"],
            "ResultWriterDetails": {"Bucket": bucket, "Key": f"{run_prefix}/manifest.json"},
        }

    def _bucket(self, reference: str) -> str:
        return self.names[reference] if reference.startswith("ref:") else reference


def _lambda_error(exc: Exception) -> TaskError:
    cause = json.dumps({"errorType": type(exc).__name__, "errorMessage": str(exc)})
    return TaskError(type(exc).__name__, cause)


def _matches(patterns: list[str], error: str) -> bool:
    # States.TaskFailed matches any task error but a timeout; States.ALL matches everything.
    return (
        error in patterns
        or "States.ALL" in patterns
        or ("States.TaskFailed" in patterns and error != "States.Timeout")
    )


def resolve(template: Any, data: Any, ctx: dict[str, Any]) -> Any:
    """Parameters / ItemSelector: keys ending in `.$` take a JSONPath ($ or $$) value."""
    if isinstance(template, dict):
        resolved = {}
        for key, value in template.items():
            if key.endswith(".$"):
                resolved[key[:-2]] = path(value, data, ctx)
            else:
                resolved[key] = resolve(value, data, ctx)
        return resolved
    if isinstance(template, list):
        return [resolve(v, data, ctx) for v in template]
    return template


def path(expression: str, data: Any, ctx: dict[str, Any]) -> Any:
    if expression.startswith("$$."):
        root, rest = ctx, expression[3:]
    elif expression == "$":
        return data
    elif expression.startswith("$."):
        root, rest = data, expression[2:]
    else:
        raise NotImplementedError(f"path {expression}")
    value = root
    for part in rest.split("."):
        if not isinstance(value, dict) or part not in value:
            raise KeyError(f"{expression}: no {part!r}")
        value = value[part]
    return value


def place(data: Any, result: Any, result_path: str | None) -> Any:
    if result_path is None:
        return data
    if result_path == "$":
        return result
    if not result_path.startswith("$.") or "." in result_path[2:]:
        raise NotImplementedError(f"ResultPath {result_path}")
    return {**data, result_path[2:]: result}


def execute(template: dict[str, Any], name: str, start: datetime, **faults: Any) -> Execution:
    """The scanner stack's workflow run once, started as its EventBridge schedule starts it."""
    definition, handlers = definition_of(template)
    (bucket_id,) = [
        k for k, r in template["Resources"].items() if r["Type"] == "AWS::S3::Bucket" and "ReportsBucket" in k
    ]
    execution = Execution(
        definition, handlers, {f"ref:{bucket_id}": BUCKET}, LambdaContext(), name=name, start=start, **faults
    )
    execution.run({"trigger": "schedule"})  # what the EventBridge schedule sends
    return execution

"""The operations of the local Migration Hub over one `HubState` (see the package docstring)."""

from __future__ import annotations

import base64
import binascii
import json
import secrets
import string
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import botocore.session
from botocore.model import OperationModel, ServiceModel

from maptag.local.migration_hub.state import FAULT_CODES, Call, HubState
from maptag.local.migration_hub.validation import describe, violations

MGH, CONFIG = "mgh", "migrationhub-config"
# The home region API reference: write actions (create, notify, associate, disassociate,
# import, put) must be called in the home region, else InvalidInputException; read actions
# (list, describe, stop, delete) are permitted outside it.
WRITE_ACTIONS = ("Create", "Notify", "Associate", "Disassociate", "Import", "Put")
HOME_REGION_NOT_SET = "The home region is not set. Set the home region to continue."
DEFAULT_PAGE = 100
# AWS's JSON 1.1 status codes for this API (API reference, "Errors" of each operation).
STATUS = {
    **FAULT_CODES,
    "InvalidInputException": 400,
    "ResourceNotFoundException": 400,
    "HomeRegionNotSetException": 400,
    "DryRunOperation": 400,
    "UnauthorizedOperation": 400,
    "PolicyErrorException": 400,
    "UnknownOperationException": 400,
    "SerializationException": 400,
    "MissingAuthenticationTokenException": 400,
    "IncompleteSignatureException": 400,
    "InvalidSignatureException": 400,
}
VM_TYPES = {"VM_MANAGED_OBJECT_REFERENCE", "VM_NAME", "VM_PATH"}


class HubError(Exception):
    """An error answer of the service: its JSON 1.1 `__type`, message and HTTP status."""

    def __init__(self, code: str, message: str, extra: dict[str, Any] | None = None):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = STATUS.get(code, 400)
        self.extra = extra or {}

    def body(self) -> dict[str, Any]:
        return {"__type": self.code, "message": self.message, **self.extra}


def _models() -> dict[str, ServiceModel]:
    session = botocore.session.get_session()
    return {name: session.get_service_model(name) for name in (MGH, CONFIG)}


MODELS = _models()
TARGET_PREFIXES = {model.metadata["targetPrefix"]: name for name, model in MODELS.items()}

Handler = Callable[["Request"], dict[str, Any]]
_HANDLERS: dict[tuple[str, str], Handler] = {}


def operation(service: str, name: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        MODELS[service].operation_model(name)  # a typo fails at import, not at the first call
        _HANDLERS[(service, name)] = handler
        return handler

    return register


def served_operations() -> list[tuple[str, str]]:
    """(service, operation) pairs the hub answers: the table the model-driven tests walk."""
    return sorted(_HANDLERS)


class LocalMigrationHub:
    """The `mgh` and `migrationhub-config` APIs, in process, over one `HubState`."""

    def __init__(self, state: HubState | None = None):
        self.state = state if state is not None else HubState()

    # -- entry points ---------------------------------------------------------------------
    def handle(self, target: str, region: str, body: bytes | str) -> tuple[int, bytes]:
        """One JSON 1.1 request (X-Amz-Target, signing region, body) -> (HTTP status, body)."""
        try:
            service, name = self.resolve(target)
            params = parse_body(body)
            result = self.invoke(service, name, region, params)
        except HubError as error:
            return error.status, json.dumps(error.body()).encode()
        return 200, json.dumps(result).encode()

    def set_home_region(self, region: str) -> str:
        """Create the home region control for `region` (as the CLI would); returns its ControlId."""
        answer = self.invoke(
            CONFIG, "CreateHomeRegionControl", region, {"HomeRegion": region, "Target": {"Type": "ACCOUNT"}}
        )
        return str(answer["HomeRegionControl"]["ControlId"])

    @staticmethod
    def resolve(target: str) -> tuple[str, str]:
        prefix, _, name = target.partition(".")
        service = TARGET_PREFIXES.get(prefix)
        if service is None or not name:
            raise HubError("UnknownOperationException", f"Unknown target {target!r}")
        if name not in MODELS[service].operation_names:
            raise HubError("UnknownOperationException", f"Unknown operation {name!r}")
        if (service, name) not in _HANDLERS:
            raise HubError("UnknownOperationException", f"{name} is not served by the local Migration Hub")
        return service, name

    def invoke(self, service: str, name: str, region: str, params: dict[str, Any]) -> dict[str, Any]:
        """Call one operation with already-parsed parameters; raises HubError as the service answers."""
        handler = _HANDLERS.get((service, name))
        if handler is None:
            raise HubError("UnknownOperationException", f"{name} is not served by the local Migration Hub")
        try:
            result = self._run(service, name, handler, region, params)
        except HubError as error:
            self.state.record(Call(service, name, region, params, error.code))
            raise
        self.state.record(Call(service, name, region, params, "ok"))
        return result

    def _run(
        self, service: str, name: str, handler: Handler, region: str, params: dict[str, Any]
    ) -> dict[str, Any]:
        model = MODELS[service].operation_model(name)
        fault = self.state.take_fault(name)
        if fault is not None:
            extra = (
                {} if fault.retry_after_seconds is None else {"RetryAfterSeconds": fault.retry_after_seconds}
            )
            raise HubError(fault.code, fault.message, extra)
        found = violations(model.input_shape, params) if model.input_shape is not None else []
        if found:
            raise HubError("InvalidInputException", describe(found))
        if service == MGH:
            self._check_home_region(model, region)
        if params.get("DryRun") is True:
            raise HubError("DryRunOperation", "Request would have succeeded, but DryRun flag is set.")
        with self.state.transaction() as data:
            return handler(Request(self, region, params, data))

    def _check_home_region(self, model: OperationModel, region: str) -> None:
        home = self.state.home_region
        if home is None:
            if any(error.name == "HomeRegionNotSetException" for error in model.error_shapes):
                raise HubError("HomeRegionNotSetException", HOME_REGION_NOT_SET)
            return
        if region != home and model.name.startswith(WRITE_ACTIONS):
            raise HubError(
                "InvalidInputException",
                f"The request was made in {region}, which is not the Migration Hub home region ({home}). "
                f"Call Migration Hub in {home}.",
            )


@dataclass
class Request:
    """One call being answered: the hub, the signing region, the parameters and the locked data."""

    hub: LocalMigrationHub
    region: str
    params: dict[str, Any]
    data: dict[str, Any]

    def streams(self) -> dict[str, Any]:
        """The home region's streams, whichever region the call came from (data lives there)."""
        regions: dict[str, Any] = self.data["regions"]
        home = self.hub.state.home_region or self.region
        return regions.setdefault(home, {"streams": {}})["streams"]  # type: ignore[no-any-return]

    def stream(self, name: str) -> dict[str, Any]:
        found = self.streams().get(name)
        if found is None:
            raise HubError("ResourceNotFoundException", f"Progress update stream {name!r} was not found.")
        return found  # type: ignore[no-any-return]

    def task(self) -> dict[str, Any]:
        stream_name, task_name = self.params["ProgressUpdateStream"], self.params["MigrationTaskName"]
        found = self.stream(stream_name)["tasks"].get(task_name)
        if found is None:
            raise HubError(
                "ResourceNotFoundException",
                f"Migration task {task_name!r} was not found in progress update stream {stream_name!r}.",
            )
        return found  # type: ignore[no-any-return]


def parse_body(body: bytes | str) -> dict[str, Any]:
    text = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else body
    if not text.strip():
        return {}
    try:
        params = json.loads(text)
    except json.JSONDecodeError as error:
        raise HubError("SerializationException", f"Request body is not valid JSON: {error}") from None
    if not isinstance(params, dict):
        raise HubError("SerializationException", "Request body must be a JSON object")
    return params


def paginate(items: list[Any], params: dict[str, Any], key: str) -> dict[str, Any]:
    """One page of `items` under `key`, with NextToken when more remain."""
    token = params.get("NextToken") or ""
    start = 0
    if token:
        try:
            start = int(base64.b64decode(token, validate=True).decode("ascii").removeprefix("offset-"))
        except (binascii.Error, ValueError, UnicodeDecodeError):
            raise HubError("InvalidInputException", f"Invalid NextToken {token!r}") from None
        if start < 0 or start > len(items):
            raise HubError("InvalidInputException", f"NextToken {token!r} is out of range")
    size = params.get("MaxResults") or DEFAULT_PAGE
    page: dict[str, Any] = {key: items[start : start + size]}
    if start + size < len(items):
        page["NextToken"] = base64.b64encode(f"offset-{start + size}".encode()).decode("ascii")
    return page


def now() -> float:
    return round(time.time(), 3)


# -- mgh --------------------------------------------------------------------------------------
@operation(MGH, "CreateProgressUpdateStream")
def create_progress_update_stream(call: Request) -> dict[str, Any]:
    call.streams().setdefault(call.params["ProgressUpdateStreamName"], {"created": now(), "tasks": {}})
    return {}


@operation(MGH, "DeleteProgressUpdateStream")
def delete_progress_update_stream(call: Request) -> dict[str, Any]:
    name = call.params["ProgressUpdateStreamName"]
    call.stream(name)
    del call.streams()[name]
    return {}


@operation(MGH, "ListProgressUpdateStreams")
def list_progress_update_streams(call: Request) -> dict[str, Any]:
    summaries = [{"ProgressUpdateStreamName": name} for name in sorted(call.streams())]
    return paginate(summaries, call.params, "ProgressUpdateStreamSummaryList")


@operation(MGH, "ImportMigrationTask")
def import_migration_task(call: Request) -> dict[str, Any]:
    tasks = call.stream(call.params["ProgressUpdateStream"])["tasks"]
    tasks.setdefault(
        call.params["MigrationTaskName"],
        {
            "Task": {"Status": "NOT_STARTED"},
            "UpdateDateTime": now(),
            "NextUpdateSeconds": None,
            "ResourceAttributeList": [],
            "DiscoveredResourceList": [],
            "CreatedArtifactList": [],
            "SourceResourceList": [],
            "Updates": [],
        },
    )
    return {}


@operation(MGH, "NotifyMigrationTaskState")
def notify_migration_task_state(call: Request) -> dict[str, Any]:
    task, params = call.task(), call.params
    state = {
        key: params["Task"][key]
        for key in ("Status", "StatusDetail", "ProgressPercent")
        if key in params["Task"]
    }
    task["Task"] = state
    task["UpdateDateTime"] = params["UpdateDateTime"]
    task["NextUpdateSeconds"] = params["NextUpdateSeconds"]
    task["Updates"].append(
        {
            "UpdateDateTime": params["UpdateDateTime"],
            "UpdateType": "MIGRATION_TASK_STATE_UPDATED",
            "MigrationTaskState": dict(state),
        }
    )
    return {}


@operation(MGH, "PutResourceAttributes")
def put_resource_attributes(call: Request) -> dict[str, Any]:
    task = call.task()
    attributes = [
        {"Type": item["Type"], "Value": item["Value"]} for item in call.params["ResourceAttributeList"]
    ]
    # API reference: "VM" values without a VM_MANAGER_ID are discarded.
    if not any(item["Type"] == "VM_MANAGER_ID" for item in attributes):
        attributes = [item for item in attributes if item["Type"] not in VM_TYPES]
    task["ResourceAttributeList"] = attributes  # a later call replaces the earlier list
    return {}


def _migration_task(stream: str, name: str, task: dict[str, Any]) -> dict[str, Any]:
    return {
        "ProgressUpdateStream": stream,
        "MigrationTaskName": name,
        "Task": dict(task["Task"]),
        "UpdateDateTime": task["UpdateDateTime"],
        "ResourceAttributeList": [dict(item) for item in task["ResourceAttributeList"]],
    }


@operation(MGH, "DescribeMigrationTask")
def describe_migration_task(call: Request) -> dict[str, Any]:
    task = call.task()
    return {
        "MigrationTask": _migration_task(
            call.params["ProgressUpdateStream"], call.params["MigrationTaskName"], task
        )
    }


@operation(MGH, "ListMigrationTasks")
def list_migration_tasks(call: Request) -> dict[str, Any]:
    resource = call.params.get("ResourceName")
    summaries = []
    for stream_name, stream in sorted(call.streams().items()):
        for name, task in sorted(stream["tasks"].items()):
            if resource is not None and resource not in _resource_names(task):
                continue
            summary = {"ProgressUpdateStream": stream_name, "MigrationTaskName": name, **task["Task"]}
            summary["UpdateDateTime"] = task["UpdateDateTime"]
            summaries.append(summary)
    return paginate(summaries, call.params, "MigrationTaskSummaryList")


def _resource_names(task: dict[str, Any]) -> set[str]:
    return {item["ConfigurationId"] for item in task.get("DiscoveredResourceList", [])}


@operation(MGH, "ListMigrationTaskUpdates")
def list_migration_task_updates(call: Request) -> dict[str, Any]:
    updates = [
        dict(update, MigrationTaskState=dict(update["MigrationTaskState"]))
        for update in call.task()["Updates"]
    ]
    return paginate(list(reversed(updates)), call.params, "MigrationTaskUpdateList")


# Associations of a task with discovered resources, created artifacts and source resources:
# operation suffix -> (request member holding the item, its key, disassociate key, list key).
ASSOCIATIONS = {
    "DiscoveredResource": (
        "DiscoveredResource",
        "ConfigurationId",
        "ConfigurationId",
        "DiscoveredResourceList",
    ),
    "CreatedArtifact": ("CreatedArtifact", "Name", "CreatedArtifactName", "CreatedArtifactList"),
    "SourceResource": ("SourceResource", "Name", "SourceResourceName", "SourceResourceList"),
}


def _associated(call: Request, kind: str) -> list[dict[str, Any]]:
    return call.task().setdefault(ASSOCIATIONS[kind][3], [])  # type: ignore[no-any-return]


def _associate(kind: str) -> Handler:
    member, key, _, _ = ASSOCIATIONS[kind]

    def associate(call: Request) -> dict[str, Any]:
        item = dict(call.params[member])
        items = _associated(call, kind)
        # Associating the same item again replaces it (its description may have changed).
        items[:] = [existing for existing in items if existing[key] != item[key]] + [item]
        return {}

    return associate


def _disassociate(kind: str) -> Handler:
    _, key, request_key, _ = ASSOCIATIONS[kind]

    def disassociate(call: Request) -> dict[str, Any]:
        items = _associated(call, kind)
        name = call.params[request_key]
        if not any(item[key] == name for item in items):
            raise HubError("ResourceNotFoundException", f"{kind} {name!r} is not associated with this task.")
        items[:] = [item for item in items if item[key] != name]
        return {}

    return disassociate


def _list_associated(kind: str) -> Handler:
    def list_associated(call: Request) -> dict[str, Any]:
        items = [dict(item) for item in _associated(call, kind)]
        return paginate(items, call.params, ASSOCIATIONS[kind][3])

    return list_associated


for _kind in ASSOCIATIONS:
    operation(MGH, f"Associate{_kind}")(_associate(_kind))
    operation(MGH, f"Disassociate{_kind}")(_disassociate(_kind))
    operation(MGH, f"List{_kind}s")(_list_associated(_kind))


def _applications(call: Request) -> dict[str, Any]:
    regions: dict[str, Any] = call.data["regions"]
    region = regions.setdefault(call.region, {"streams": {}})
    return region.setdefault("applications", {})  # type: ignore[no-any-return]


@operation(MGH, "NotifyApplicationState")
def notify_application_state(call: Request) -> dict[str, Any]:
    _applications(call)[call.params["ApplicationId"]] = {
        "ApplicationStatus": call.params["Status"],
        "LastUpdatedTime": call.params.get("UpdateDateTime", now()),
    }
    return {}


@operation(MGH, "DescribeApplicationState")
def describe_application_state(call: Request) -> dict[str, Any]:
    found = _applications(call).get(call.params["ApplicationId"])
    if found is None:
        raise HubError(
            "ResourceNotFoundException",
            f"Application {call.params['ApplicationId']!r} has no migration status.",
        )
    return dict(found)


@operation(MGH, "ListApplicationStates")
def list_application_states(call: Request) -> dict[str, Any]:
    wanted = call.params.get("ApplicationIds")
    states = [
        {"ApplicationId": application_id, **state}
        for application_id, state in sorted(_applications(call).items())
        if wanted is None or application_id in wanted
    ]
    return paginate(states, call.params, "ApplicationStateList")


# -- migrationhub-config --------------------------------------------------------------------
def _control_id() -> str:
    alphabet = string.ascii_lowercase + string.digits
    return "hrc-" + "".join(secrets.choice(alphabet) for _ in range(12))


def _copy_control(control: dict[str, Any]) -> dict[str, Any]:
    return dict(control, Target=dict(control["Target"]))


@operation(CONFIG, "CreateHomeRegionControl")
def create_home_region_control(call: Request) -> dict[str, Any]:
    account, params = call.hub.state.account_id, call.params
    target = params["Target"]
    if target.get("Id", account) != account:
        raise HubError(
            "InvalidInputException",
            f"Target account {target['Id']} is not the calling account {account}: "
            "a home region control can only be created for the calling account.",
        )
    controls: list[dict[str, Any]] = call.data["controls"]
    if controls:
        existing = controls[0]
        if existing["HomeRegion"] != params["HomeRegion"]:
            raise HubError(
                "InvalidInputException",
                f"The home region is already set to {existing['HomeRegion']}; "
                f"delete home region control {existing['ControlId']} before choosing another.",
            )
        return {"HomeRegionControl": _copy_control(existing)}
    control = {
        "ControlId": _control_id(),
        "HomeRegion": params["HomeRegion"],
        "Target": {"Type": target["Type"], "Id": account},
        "RequestedTime": now(),
    }
    controls.append(control)
    return {"HomeRegionControl": _copy_control(control)}


@operation(CONFIG, "GetHomeRegion")
def get_home_region(call: Request) -> dict[str, Any]:
    controls = call.data["controls"]
    return {"HomeRegion": controls[0]["HomeRegion"]} if controls else {}


def _control_matches(control: dict[str, Any], params: dict[str, Any]) -> bool:
    target = params.get("Target")
    return (
        params.get("ControlId") in (None, control["ControlId"])
        and params.get("HomeRegion") in (None, control["HomeRegion"])
        and (
            target is None
            or (
                target["Type"] == control["Target"]["Type"]
                and target.get("Id") in (None, control["Target"]["Id"])
            )
        )
    )


@operation(CONFIG, "DescribeHomeRegionControls")
def describe_home_region_controls(call: Request) -> dict[str, Any]:
    found = [
        _copy_control(control) for control in call.data["controls"] if _control_matches(control, call.params)
    ]
    return paginate(found, call.params, "HomeRegionControls")


@operation(CONFIG, "DeleteHomeRegionControl")
def delete_home_region_control(call: Request) -> dict[str, Any]:
    controls: list[dict[str, Any]] = call.data["controls"]
    for control in controls:
        if control["ControlId"] == call.params["ControlId"]:
            controls.remove(control)
            return {}
    raise HubError(
        "InvalidInputException", f"Home region control {call.params['ControlId']!r} does not exist."
    )

"""The local Migration Hub's behaviour as a boto3 client sees it over HTTP (issue 4).

Rules come from docs/map-tagging-rules.md ("AWS Migration Hub") and the API reference; the choices
where AWS does not document the behaviour are in maptag/local/migration_hub/__init__.py.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from botocore.client import BaseClient
from botocore.config import Config
from botocore.exceptions import ClientError

from maptag.local.migration_hub import HubState, LocalMigrationHub, running_hub

HOME = "us-west-2"
STREAM = "MAP-Tagging"
TASK = "map-tagging-123456789012-us-east-1"
NO_RETRIES = Config(retries={"mode": "standard", "total_max_attempts": 1})


@dataclass
class Hub:
    url: str
    state: HubState

    def mgh(self, region: str = HOME, config: Config | None = None) -> BaseClient:
        return boto3.client("mgh", region_name=region, config=config or NO_RETRIES)

    def config(self, region: str = HOME) -> BaseClient:
        return boto3.client("migrationhub-config", region_name=region, config=NO_RETRIES)

    def set_home(self, region: str = HOME) -> str:
        control = self.config(region).create_home_region_control(
            HomeRegion=region, Target={"Type": "ACCOUNT"}
        )
        return str(control["HomeRegionControl"]["ControlId"])


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch) -> Iterator[Hub]:
    state = HubState()
    with running_hub(state) as url:
        monkeypatch.setenv("AWS_ENDPOINT_URL_MIGRATION_HUB", url)
        monkeypatch.setenv("AWS_ENDPOINT_URL_MIGRATIONHUB_CONFIG", url)
        yield Hub(url, state)


def error_code(excinfo: pytest.ExceptionInfo[ClientError]) -> str:
    return str(excinfo.value.response["Error"]["Code"])


def notify(
    client: BaseClient, when: dt.datetime, status: str = "IN_PROGRESS", percent: int = 50, **extra: Any
) -> None:
    client.notify_migration_task_state(
        ProgressUpdateStream=STREAM,
        MigrationTaskName=TASK,
        Task={"Status": status, "ProgressPercent": percent, "StatusDetail": f"{percent}% tagged"},
        UpdateDateTime=when,
        NextUpdateSeconds=90_000,
        **extra,
    )


T0 = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def task(hub: Hub) -> Hub:
    """A hub with a home region, the stream and one imported task."""
    hub.set_home()
    mgh = hub.mgh()
    mgh.create_progress_update_stream(ProgressUpdateStreamName=STREAM)
    mgh.import_migration_task(ProgressUpdateStream=STREAM, MigrationTaskName=TASK)
    return hub


# -- home region ---------------------------------------------------------------------------
def test_no_home_region_write_calls_fail_with_home_region_not_set(hub: Hub) -> None:
    # Given a fresh hub, When a tool creates its stream, Then the service asks for a home region
    assert hub.config().get_home_region().get("HomeRegion") is None
    with pytest.raises(ClientError) as excinfo:
        hub.mgh().create_progress_update_stream(ProgressUpdateStreamName=STREAM)
    assert error_code(excinfo) == "HomeRegionNotSetException"
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert hub.state.streams(HOME) == {}


def test_home_region_is_read_from_any_region_and_writes_elsewhere_are_invalid_input(hub: Hub) -> None:
    control_id = hub.set_home(HOME)
    # GetHomeRegion answers from every region: that is how a tool finds the home region.
    assert hub.config("eu-central-1").get_home_region()["HomeRegion"] == HOME
    with pytest.raises(ClientError) as excinfo:
        hub.mgh("us-east-1").create_progress_update_stream(ProgressUpdateStreamName=STREAM)
    assert error_code(excinfo) == "InvalidInputException"
    assert HOME in excinfo.value.response["Error"]["Message"]
    hub.mgh(HOME).create_progress_update_stream(ProgressUpdateStreamName=STREAM)
    listed = hub.mgh(HOME).list_progress_update_streams()["ProgressUpdateStreamSummaryList"]
    assert listed == [{"ProgressUpdateStreamName": STREAM}]
    # Read actions are permitted outside the home region and see the home region's data.
    assert hub.mgh("us-east-1").list_progress_update_streams()["ProgressUpdateStreamSummaryList"] == listed
    controls = hub.config().describe_home_region_controls()["HomeRegionControls"]
    assert [(c["ControlId"], c["HomeRegion"], c["Target"]) for c in controls] == [
        (control_id, HOME, {"Type": "ACCOUNT", "Id": hub.state.account_id})
    ]


def test_second_home_region_control_same_region_is_idempotent_other_region_rejected(hub: Hub) -> None:
    first = hub.set_home(HOME)
    assert hub.set_home(HOME) == first
    with pytest.raises(ClientError) as excinfo:
        hub.set_home("eu-west-1")
    assert error_code(excinfo) == "InvalidInputException"
    assert hub.config().get_home_region()["HomeRegion"] == HOME


def test_control_for_another_account_is_rejected(hub: Hub) -> None:
    with pytest.raises(ClientError) as excinfo:
        hub.config().create_home_region_control(
            HomeRegion=HOME, Target={"Type": "ACCOUNT", "Id": "999999999999"}
        )
    assert error_code(excinfo) == "InvalidInputException"
    assert hub.state.home_region is None


def test_delete_home_region_control_unsets_it_and_hides_the_old_regions_streams(task: Hub) -> None:
    (control,) = task.config().describe_home_region_controls()["HomeRegionControls"]
    task.config().delete_home_region_control(ControlId=control["ControlId"])
    assert task.config().get_home_region().get("HomeRegion") is None
    with pytest.raises(ClientError) as excinfo:
        task.mgh().list_progress_update_streams()
    assert error_code(excinfo) == "HomeRegionNotSetException"
    task.set_home("eu-west-1")
    assert task.mgh("eu-west-1").list_progress_update_streams()["ProgressUpdateStreamSummaryList"] == []
    with pytest.raises(ClientError) as excinfo:
        task.config().delete_home_region_control(ControlId=control["ControlId"])
    assert error_code(excinfo) == "InvalidInputException"


# -- streams and tasks ---------------------------------------------------------------------
def test_whole_flow_stream_task_state_attributes_and_history(task: Hub) -> None:
    mgh = task.mgh()
    described = mgh.describe_migration_task(ProgressUpdateStream=STREAM, MigrationTaskName=TASK)[
        "MigrationTask"
    ]
    assert described["Task"] == {"Status": "NOT_STARTED"}
    notify(mgh, T0, "IN_PROGRESS", 42)
    notify(mgh, T0 + dt.timedelta(days=1), "COMPLETED", 100)
    mgh.put_resource_attributes(
        ProgressUpdateStream=STREAM,
        MigrationTaskName=TASK,
        ResourceAttributeList=[
            {"Type": "IPV4_ADDRESS", "Value": "10.0.0.12"},
            {"Type": "MAC_ADDRESS", "Value": "0a:1b:2c:3d:4e:5f"},
            {"Type": "FQDN", "Value": "ip-10-0-0-12.ec2.internal"},
        ],
    )
    described = mgh.describe_migration_task(ProgressUpdateStream=STREAM, MigrationTaskName=TASK)[
        "MigrationTask"
    ]
    assert described["Task"] == {"Status": "COMPLETED", "ProgressPercent": 100, "StatusDetail": "100% tagged"}
    assert described["UpdateDateTime"] == T0 + dt.timedelta(days=1)
    assert [a["Type"] for a in described["ResourceAttributeList"]] == ["IPV4_ADDRESS", "MAC_ADDRESS", "FQDN"]
    (summary,) = mgh.list_migration_tasks()["MigrationTaskSummaryList"]
    assert summary["MigrationTaskName"] == TASK
    assert (summary["Status"], summary["ProgressPercent"]) == ("COMPLETED", 100)
    updates = mgh.list_migration_task_updates(ProgressUpdateStream=STREAM, MigrationTaskName=TASK)
    history = [
        (u["MigrationTaskState"]["Status"], u["UpdateDateTime"]) for u in updates["MigrationTaskUpdateList"]
    ]
    assert history == [("COMPLETED", T0 + dt.timedelta(days=1)), ("IN_PROGRESS", T0)]
    assert {u["UpdateType"] for u in updates["MigrationTaskUpdateList"]} == {"MIGRATION_TASK_STATE_UPDATED"}


def test_put_resource_attributes_replaces_and_drops_vm_values_without_manager_id(task: Hub) -> None:
    mgh = task.mgh()
    attributes = [{"Type": "VM_NAME", "Value": "web-01"}, {"Type": "IPV4_ADDRESS", "Value": "10.0.0.1"}]
    mgh.put_resource_attributes(
        ProgressUpdateStream=STREAM, MigrationTaskName=TASK, ResourceAttributeList=attributes
    )
    stored = task.state.task(STREAM, TASK)
    assert stored is not None
    assert stored["ResourceAttributeList"] == [{"Type": "IPV4_ADDRESS", "Value": "10.0.0.1"}]
    with_manager = [{"Type": "VM_MANAGER_ID", "Value": "vc-1"}, {"Type": "VM_NAME", "Value": "web-01"}]
    mgh.put_resource_attributes(
        ProgressUpdateStream=STREAM, MigrationTaskName=TASK, ResourceAttributeList=with_manager
    )
    stored = task.state.task(STREAM, TASK)
    assert stored is not None
    assert stored["ResourceAttributeList"] == with_manager


def test_older_update_still_replaces_the_state_last_call_wins(task: Hub) -> None:
    mgh = task.mgh()
    notify(mgh, T0 + dt.timedelta(days=1), "COMPLETED", 100)
    notify(mgh, T0, "IN_PROGRESS", 10)
    described = mgh.describe_migration_task(ProgressUpdateStream=STREAM, MigrationTaskName=TASK)[
        "MigrationTask"
    ]
    assert (described["Task"]["Status"], described["UpdateDateTime"]) == ("IN_PROGRESS", T0)


def test_create_stream_and_import_task_are_idempotent(task: Hub) -> None:
    mgh = task.mgh()
    notify(mgh, T0, "IN_PROGRESS", 42)
    mgh.create_progress_update_stream(ProgressUpdateStreamName=STREAM)
    mgh.import_migration_task(ProgressUpdateStream=STREAM, MigrationTaskName=TASK)
    described = mgh.describe_migration_task(ProgressUpdateStream=STREAM, MigrationTaskName=TASK)[
        "MigrationTask"
    ]
    assert described["Task"]["ProgressPercent"] == 42


def test_delete_stream_removes_its_tasks(task: Hub) -> None:
    mgh = task.mgh()
    mgh.delete_progress_update_stream(ProgressUpdateStreamName=STREAM)
    assert mgh.list_migration_tasks()["MigrationTaskSummaryList"] == []
    with pytest.raises(ClientError) as excinfo:
        mgh.delete_progress_update_stream(ProgressUpdateStreamName=STREAM)
    assert error_code(excinfo) == "ResourceNotFoundException"
    mgh.create_progress_update_stream(ProgressUpdateStreamName=STREAM)
    with pytest.raises(ClientError) as excinfo:
        mgh.describe_migration_task(ProgressUpdateStream=STREAM, MigrationTaskName=TASK)
    assert error_code(excinfo) == "ResourceNotFoundException"


@pytest.mark.parametrize(
    ("call", "params"),
    [
        ("import_migration_task", {"ProgressUpdateStream": "no-such-stream", "MigrationTaskName": TASK}),
        ("describe_migration_task", {"ProgressUpdateStream": STREAM, "MigrationTaskName": "no-such-task"}),
        (
            "list_migration_task_updates",
            {"ProgressUpdateStream": STREAM, "MigrationTaskName": "no-such-task"},
        ),
        (
            "put_resource_attributes",
            {
                "ProgressUpdateStream": STREAM,
                "MigrationTaskName": "no-such-task",
                "ResourceAttributeList": [{"Type": "IPV4_ADDRESS", "Value": "10.0.0.1"}],
            },
        ),
        (
            "notify_migration_task_state",
            {
                "ProgressUpdateStream": "no-such-stream",
                "MigrationTaskName": TASK,
                "Task": {"Status": "COMPLETED"},
                "UpdateDateTime": T0,
                "NextUpdateSeconds": 60,
            },
        ),
    ],
)
def test_unknown_stream_or_task_is_resource_not_found(task: Hub, call: str, params: dict[str, Any]) -> None:
    with pytest.raises(ClientError) as excinfo:
        getattr(task.mgh(), call)(**params)
    assert error_code(excinfo) == "ResourceNotFoundException"


# -- associations and application state ------------------------------------------------------
ON_TASK = {"ProgressUpdateStream": STREAM, "MigrationTaskName": TASK}
ARN = "arn:aws:ec2:us-west-2:123456789012:instance/i-0123456789abcdef0"


def test_discovered_resource_association_drives_the_resource_name_filter(task: Hub) -> None:
    mgh = task.mgh()
    mgh.associate_discovered_resource(**ON_TASK, DiscoveredResource={"ConfigurationId": "d-server-01abc"})
    listed = mgh.list_discovered_resources(**ON_TASK)["DiscoveredResourceList"]
    assert listed == [{"ConfigurationId": "d-server-01abc"}]
    by_resource = mgh.list_migration_tasks(ResourceName="d-server-01abc")["MigrationTaskSummaryList"]
    assert [t["MigrationTaskName"] for t in by_resource] == [TASK]
    assert mgh.list_migration_tasks(ResourceName="d-server-other")["MigrationTaskSummaryList"] == []
    mgh.disassociate_discovered_resource(**ON_TASK, ConfigurationId="d-server-01abc")
    assert mgh.list_migration_tasks(ResourceName="d-server-01abc")["MigrationTaskSummaryList"] == []


@pytest.mark.parametrize(
    ("kind", "item", "key", "name"),
    [
        ("discovered_resource", "DiscoveredResource", "ConfigurationId", "d-server-01abc"),
        ("created_artifact", "CreatedArtifact", "Name", ARN),
        ("source_resource", "SourceResource", "Name", "web-01"),
    ],
)
def test_associating_again_replaces_and_disassociating_unknown_is_not_found(
    task: Hub, kind: str, item: str, key: str, name: str
) -> None:
    mgh = task.mgh()
    associate = getattr(mgh, f"associate_{kind}")
    associate(**ON_TASK, **{item: {key: name, "Description": "first"}})
    associate(**ON_TASK, **{item: {key: name, "Description": "second"}})
    listed = getattr(mgh, f"list_{kind}s")(**ON_TASK)[f"{item}List"]
    assert listed == [{key: name, "Description": "second"}]
    disassociate_key = {"discovered_resource": "ConfigurationId"}.get(kind, f"{item}Name")
    getattr(mgh, f"disassociate_{kind}")(**ON_TASK, **{disassociate_key: name})
    with pytest.raises(ClientError) as excinfo:
        getattr(mgh, f"disassociate_{kind}")(**ON_TASK, **{disassociate_key: name})
    assert error_code(excinfo) == "ResourceNotFoundException"


def test_application_state_notify_describe_list(task: Hub) -> None:
    mgh = task.mgh()
    mgh.notify_application_state(ApplicationId="d-application-1", Status="IN_PROGRESS", UpdateDateTime=T0)
    mgh.notify_application_state(ApplicationId="d-application-2", Status="COMPLETED", UpdateDateTime=T0)
    described = mgh.describe_application_state(ApplicationId="d-application-1")
    assert (described["ApplicationStatus"], described["LastUpdatedTime"]) == ("IN_PROGRESS", T0)
    listed = mgh.list_application_states(ApplicationIds=["d-application-2"])["ApplicationStateList"]
    assert [(a["ApplicationId"], a["ApplicationStatus"]) for a in listed] == [
        ("d-application-2", "COMPLETED")
    ]
    with pytest.raises(ClientError) as excinfo:
        mgh.describe_application_state(ApplicationId="d-application-3")
    assert error_code(excinfo) == "ResourceNotFoundException"


# -- DryRun --------------------------------------------------------------------------------
def test_dry_run_answers_dry_run_operation_and_changes_nothing(task: Hub) -> None:
    mgh = task.mgh()
    before = json.dumps(task.state.data, sort_keys=True)
    calls: list[tuple[str, dict[str, Any]]] = [
        ("create_progress_update_stream", {"ProgressUpdateStreamName": "other-stream"}),
        ("import_migration_task", {"ProgressUpdateStream": STREAM, "MigrationTaskName": "other-task"}),
        ("delete_progress_update_stream", {"ProgressUpdateStreamName": STREAM}),
        (
            "put_resource_attributes",
            {
                "ProgressUpdateStream": STREAM,
                "MigrationTaskName": TASK,
                "ResourceAttributeList": [{"Type": "IPV4_ADDRESS", "Value": "10.0.0.1"}],
            },
        ),
    ]
    for name, params in calls:
        with pytest.raises(ClientError) as excinfo:
            getattr(mgh, name)(DryRun=True, **params)
        assert error_code(excinfo) == "DryRunOperation", name
    with pytest.raises(ClientError) as excinfo:
        notify(mgh, T0, DryRun=True)
    assert error_code(excinfo) == "DryRunOperation"
    with pytest.raises(ClientError) as excinfo:
        task.config().create_home_region_control(
            HomeRegion="eu-west-1", Target={"Type": "ACCOUNT"}, DryRun=True
        )
    assert error_code(excinfo) == "DryRunOperation"
    assert json.dumps(task.state.data, sort_keys=True) == before


def test_dry_run_of_an_invalid_request_is_invalid_input(task: Hub) -> None:
    with pytest.raises(ClientError) as excinfo:
        task.mgh().create_progress_update_stream(ProgressUpdateStreamName="a/b", DryRun=True)
    assert error_code(excinfo) == "InvalidInputException"


# -- fault injection -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("code", "status"),
    [("ThrottlingException", 400), ("InternalServerError", 500), ("ServiceUnavailableException", 500)],
)
def test_injected_faults_fail_the_next_calls_then_recover(task: Hub, code: str, status: int) -> None:
    task.state.inject_fault(code, times=2, operation="NotifyMigrationTaskState")
    mgh = task.mgh()
    assert mgh.list_migration_tasks()["MigrationTaskSummaryList"]  # other operations unaffected
    for _ in range(2):
        with pytest.raises(ClientError) as excinfo:
            notify(mgh, T0)
        assert error_code(excinfo) == code
        assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == status
    notify(mgh, T0, "COMPLETED", 100)
    stored = task.state.task(STREAM, TASK)
    assert stored is not None
    assert stored["Task"]["Status"] == "COMPLETED"


def test_botocore_retries_recover_from_injected_throttling(task: Hub) -> None:
    task.state.inject_fault("ThrottlingException", times=2)
    retrying = task.mgh(config=Config(retries={"mode": "standard", "max_attempts": 3}))
    response = retrying.list_progress_update_streams()
    assert response["ResponseMetadata"]["RetryAttempts"] == 2
    outcomes = [call.outcome for call in task.state.calls if call.operation == "ListProgressUpdateStreams"]
    assert outcomes == ["ThrottlingException", "ThrottlingException", "ok"]


def test_injected_throttling_can_carry_retry_after_seconds(task: Hub) -> None:
    task.state.inject_fault("ThrottlingException", times=1, retry_after_seconds=7)
    with pytest.raises(ClientError) as excinfo:
        task.mgh().list_progress_update_streams()
    assert excinfo.value.response["RetryAfterSeconds"] == 7


def test_inject_fault_rejects_an_unknown_code() -> None:
    with pytest.raises(ValueError, match="cannot inject 'Boom'"):
        HubState().inject_fault("Boom")


# -- pagination ----------------------------------------------------------------------------
def test_list_migration_tasks_pages_with_next_token(task: Hub) -> None:
    mgh = task.mgh()
    names = [f"task-{index:03d}" for index in range(7)]
    for name in names:
        mgh.import_migration_task(ProgressUpdateStream=STREAM, MigrationTaskName=name)
    first = mgh.list_migration_tasks(MaxResults=3)
    assert len(first["MigrationTaskSummaryList"]) == 3
    paginator = mgh.get_paginator("list_migration_tasks")
    listed = [
        s["MigrationTaskName"]
        for page in paginator.paginate(PaginationConfig={"PageSize": 3})
        for s in page["MigrationTaskSummaryList"]
    ]
    assert listed == sorted([*names, TASK])
    with pytest.raises(ClientError) as excinfo:
        mgh.list_migration_tasks(NextToken="bm90LWEtdG9rZW4=")
    assert error_code(excinfo) == "InvalidInputException"


def test_concurrent_clients_share_one_consistent_state(task: Hub) -> None:
    from concurrent.futures import ThreadPoolExecutor

    def import_many(worker: int) -> None:
        mgh = task.mgh()
        for index in range(15):
            mgh.import_migration_task(ProgressUpdateStream=STREAM, MigrationTaskName=f"w{worker}-{index:02d}")
            notify_args = {"ProgressUpdateStream": STREAM, "MigrationTaskName": f"w{worker}-{index:02d}"}
            mgh.notify_migration_task_state(
                **notify_args, Task={"Status": "COMPLETED"}, UpdateDateTime=T0, NextUpdateSeconds=60
            )

    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(import_many, range(6)))
    tasks = task.state.streams()[STREAM]["tasks"]
    assert len(tasks) == 1 + 6 * 15
    assert sum(1 for t in tasks.values() if t["Task"]["Status"] == "COMPLETED") == 6 * 15


# -- transport -----------------------------------------------------------------------------
def test_in_process_and_http_share_one_state(task: Hub) -> None:
    local = LocalMigrationHub(task.state)
    status, body = local.handle("AWSMigrationHub.ListMigrationTasks", HOME, b"{}")
    assert status == 200
    assert [s["MigrationTaskName"] for s in json.loads(body)["MigrationTaskSummaryList"]] == [TASK]
    status, body = local.handle(
        "AWSMigrationHub.ImportMigrationTask",
        "eu-west-1",
        json.dumps({"ProgressUpdateStream": STREAM, "MigrationTaskName": "x"}),
    )
    assert (status, json.loads(body)["__type"]) == (400, "InvalidInputException")


def test_attach_answers_a_boto3_sessions_calls_in_process_without_a_socket(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from maptag.local.migration_hub import attach

    # Given endpoints where nothing listens: only the attached hub can answer
    monkeypatch.setenv("AWS_ENDPOINT_URL_MIGRATION_HUB", "http://127.0.0.1:9")
    monkeypatch.setenv("AWS_ENDPOINT_URL_MIGRATIONHUB_CONFIG", "http://127.0.0.1:9")
    state = HubState()
    session = boto3.Session(region_name=HOME)
    attach(session, LocalMigrationHub(state))
    session.client("migrationhub-config", config=NO_RETRIES).create_home_region_control(
        HomeRegion=HOME, Target={"Type": "ACCOUNT"}
    )
    mgh = session.client("mgh", config=NO_RETRIES)
    mgh.create_progress_update_stream(ProgressUpdateStreamName=STREAM)
    mgh.import_migration_task(ProgressUpdateStream=STREAM, MigrationTaskName=TASK)
    notify(mgh, T0, "COMPLETED", 100)
    assert state.task(STREAM, TASK) is not None
    with pytest.raises(ClientError) as excinfo:
        session.client("mgh", region_name="eu-west-1", config=NO_RETRIES).create_progress_update_stream(
            ProgressUpdateStreamName="elsewhere"
        )
    assert error_code(excinfo) == "InvalidInputException"
    assert [call.region for call in state.calls][-1] == "eu-west-1"  # read from the SigV4 scope


def test_every_operation_botocore_models_is_served() -> None:
    import botocore.session

    from maptag.local.migration_hub import served_operations

    session = botocore.session.get_session()
    modelled = {
        (service, name)
        for service in ("mgh", "migrationhub-config")
        for name in session.get_service_model(service).operation_names
    }
    assert set(served_operations()) == modelled


def test_unsigned_request_and_unknown_target_are_rejected(hub: Hub) -> None:
    import urllib.error
    import urllib.request

    def post(headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
        request = urllib.request.Request(hub.url, data=b"{}", headers=headers, method="POST")  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    status, body = post({"X-Amz-Target": "AWSMigrationHub.ListMigrationTasks"})
    assert (status, body["__type"]) == (400, "MissingAuthenticationTokenException")
    scope = "Credential=AKID/20261123/us-west-2/mgh/aws4_request"
    signed = f"AWS4-HMAC-SHA256 {scope}, SignedHeaders=host, Signature=x"
    status, body = post({"X-Amz-Target": "AWSMigrationHub.NoSuchThing", "Authorization": signed})
    assert (status, body["__type"]) == (400, "UnknownOperationException")
    wrong_scope = signed.replace("/mgh/", "/ec2/")
    status, body = post({"X-Amz-Target": "AWSMigrationHub.ListMigrationTasks", "Authorization": wrong_scope})
    assert (status, body["__type"]) == (400, "InvalidSignatureException")
    status, body = post({"X-Amz-Target": "AWSMigrationHub.ListMigrationTasks", "Authorization": "Bearer x"})
    assert (status, body["__type"]) == (400, "IncompleteSignatureException")


@pytest.mark.parametrize(
    ("body", "message"), [(b"{not json", "not valid JSON"), (b"[1, 2]", "a JSON object")]
)
def test_a_body_that_is_not_a_json_object_is_a_serialization_error(body: bytes, message: str) -> None:
    status, raw = LocalMigrationHub(HubState()).handle("AWSMigrationHub.ListMigrationTasks", HOME, body)
    answer = json.loads(raw)
    assert (status, answer["__type"]) == (400, "SerializationException")
    assert message in answer["message"]

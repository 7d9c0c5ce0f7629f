"""A deployed maptag on an embedded AWS: moto's server for AWS, the local Migration Hub.

Creates what the scanner stack creates (reports bucket, history and outbox tables, digest
topic with a queue subscribed to read it, Security Hub), an Organization with member
accounts, and the handlers' environment, exactly as the stack sets it.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from handlers import plan
from maptag.deploy_config import DeployConfig
from maptag.local.embedded import EMBEDDED_TYPES
from maptag.local.migration_hub import HubState, running_hub
from maptag.names import OUTBOX_TABLE_KEY
from tests.support.moto_seed import launch
from tests.support.sink_fixtures import create_history_table

REGION = "us-east-1"
SCANNER = "123456789012"  # moto's default account: where the stack runs
ROLE = "maptag-member-readonly"
BUCKET = "maptag-reports"
TABLE = "maptag-history"
OUTBOX = "maptag-outbox"
COMPLIANT = {"map-migrated": "mig12345"}
STARTED = "2026-11-23T06:00:00.000Z"


@dataclass
class LambdaContext:
    """Powertools' testing recipe: the attributes its decorators read."""

    function_name: str = "maptag-test"
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 1024
    invoked_function_arn: str = f"arn:aws:lambda:{REGION}:{SCANNER}:function:maptag-test"
    aws_request_id: str = "00000000-0000-0000-0000-000000000000"


@dataclass
class World:
    config: DeployConfig
    members: list[str]
    topic_arn: str
    queue_url: str
    images: dict[str, str] = field(default_factory=dict)

    @property
    def accounts(self) -> list[str]:
        return sorted([SCANNER, *self.members])

    def member_session(self, account: str) -> boto3.Session:
        if account == SCANNER:
            return boto3.Session(region_name=REGION)
        credentials = boto3.client("sts", region_name=REGION).assume_role(
            RoleArn=f"arn:aws:iam::{account}:role/{ROLE}", RoleSessionName="seed"
        )["Credentials"]
        return boto3.Session(
            aws_access_key_id=credentials["AccessKeyId"],
            aws_secret_access_key=credentials["SecretAccessKey"],
            aws_session_token=credentials["SessionToken"],
            region_name=REGION,
        )

    def launch(self, account: str, tags: dict[str, str] | None) -> str:
        session = self.member_session(account)
        image = self.images.get(account)
        instance = launch(session, REGION, tags, image)
        if image is None:
            self.images[account] = session.client("ec2").describe_instances(InstanceIds=[instance])[
                "Reservations"
            ][0]["Instances"][0]["ImageId"]
        return instance

    def digests(self) -> list[dict[str, Any]]:
        sqs = boto3.client("sqs", region_name=REGION)
        messages = sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10).get("Messages", [])
        return [json.loads(m["Body"]) for m in messages]

    def hub_tasks(self) -> dict[str, dict[str, Any]]:
        mgh = boto3.client("mgh", region_name=REGION)
        summaries = mgh.list_migration_tasks().get("MigrationTaskSummaryList", [])
        return {t["MigrationTaskName"]: t for t in summaries}


@contextmanager
def deployed_world(
    monkeypatch: pytest.MonkeyPatch, members: int = 2, *, home_region: bool = True, **context: Any
) -> Iterator[World]:
    """``home_region=False``: the scanner account never set a Migration Hub home region."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    # moto's backends are process-wide: start every world from nothing
    urllib.request.urlopen(urllib.request.Request(f"http://{host}:{port}/moto-api/reset", method="POST"))
    try:
        monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://{host}:{port}")
        with running_hub(HubState()) as hub_url:
            monkeypatch.setenv("AWS_ENDPOINT_URL_MIGRATION_HUB", hub_url)
            monkeypatch.setenv("AWS_ENDPOINT_URL_MIGRATIONHUB_CONFIG", hub_url)
            yield _create(monkeypatch, members, context, home_region)
    finally:
        server.stop()


def _create(
    monkeypatch: pytest.MonkeyPatch, members: int, context: dict[str, Any], home_region: bool
) -> World:
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket=BUCKET)
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    create_history_table(dynamodb, TABLE)
    dynamodb.create_table(
        TableName=OUTBOX,
        KeySchema=[{"AttributeName": OUTBOX_TABLE_KEY, "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": OUTBOX_TABLE_KEY, "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    sns = boto3.client("sns", region_name=REGION)
    topic_arn = sns.create_topic(Name="maptag-digest")["TopicArn"]
    sqs = boto3.client("sqs", region_name=REGION)
    queue_url = sqs.create_queue(QueueName="digest-reader")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn)
    boto3.client("securityhub", region_name=REGION).enable_security_hub()
    if home_region:
        boto3.client("migrationhub-config", region_name=REGION).create_home_region_control(
            HomeRegion=REGION, Target={"Type": "ACCOUNT", "Id": SCANNER}
        )
    organizations = boto3.client("organizations", region_name=REGION)
    organizations.create_organization(FeatureSet="ALL")
    member_ids = []
    for n in range(members):
        status = organizations.create_account(AccountName=f"member-{n}", Email=f"member{n}@example.com")
        member_ids.append(str(status["CreateAccountStatus"]["AccountId"]))
    values = {
        "maptag:mpe_ids": "12345",
        "maptag:regions": REGION,
        "maptag:organization": True,
        "maptag:role_name": ROLE,
        "maptag:server_tasks": True,
        # what moto can list (maptag.local.embedded); on AWS the deployment scans every type
        "maptag:types": ",".join(EMBEDDED_TYPES),
        **{f"maptag:{k}": v for k, v in context.items()},
    }
    config = DeployConfig.from_context(values)
    # What the stack puts in every function's environment (infra/constructs/scan_workflow.py).
    monkeypatch.setenv("MAPTAG_CONFIG", config.to_json())
    monkeypatch.setenv("REPORTS_BUCKET", BUCKET)
    monkeypatch.setenv("HISTORY_TABLE", TABLE)
    monkeypatch.setenv("TOPIC_ARN", topic_arn)
    monkeypatch.setenv("OUTBOX_TABLE", OUTBOX)
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "1")
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "maptag")
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "maptag")
    return World(config=config, members=member_ids, topic_arn=topic_arn, queue_url=queue_url)


def report_json(run_id: str) -> dict[str, Any]:
    s3 = boto3.client("s3", region_name=REGION)
    keys = [
        o["Key"]
        for o in s3.list_objects_v2(Bucket=BUCKET, Prefix="reports/").get("Contents", [])
        if run_id in o["Key"] and o["Key"].endswith("report.json")
    ]
    assert len(keys) == 1, keys
    return dict(json.loads(s3.get_object(Bucket=BUCKET, Key=keys[0])["Body"].read()))


def run_plan(execution: str = "exec-1") -> dict[str, Any]:
    return plan.handler({"execution_name": execution, "started_at": STARTED}, LambdaContext())


def item(state: dict[str, Any], account: str) -> dict[str, Any]:
    """The Distributed Map's ItemSelector output for one unit."""
    return {
        "run_id": state["run_id"],
        "caller_account": state["caller_account"],
        "account_id": account,
        "region": REGION,
    }

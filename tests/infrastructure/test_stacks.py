"""The synthesized stacks: each construct's resources, key properties and IAM statements."""

from __future__ import annotations

import importlib
import json
import re
import subprocess
from typing import Any

import pytest
from aws_cdk import App, Environment
from aws_cdk.assertions import Match, Template

from handlers.observability import HandlerEnvironment
from infra import constants
from infra.app import build, config_of
from infra.constructs.member_role import RESOURCE_SCOPED, read_only_actions
from infra.constructs.scan_workflow import EXPRESS_CHILD_LIMIT, UNIT_LIMITS
from infra.stacks import ScannerStack
from maptag import names
from maptag.policy import PolicyError
from maptag.resources.declarations import TYPE_NAMES, required_actions
from tests.support.iam import (
    NO_RESOURCE_TYPE,
    actions_of,
    as_list,
    flat,
    resources_for,
    role_id,
    role_statements,
    statements,
)
from tests.support.synth import ROOT, Synthesized, deployment_context

# One worker builds the stacks once (make test runs -n 2 --dist loadgroup).
pytestmark = pytest.mark.xdist_group("cdk")


def definition(template: Template) -> dict[str, Any]:
    """The state machine's ASL with CloudFormation references turned into placeholders."""
    (machine,) = template.find_resources("AWS::StepFunctions::StateMachine").values()
    parts = machine["Properties"]["DefinitionString"]["Fn::Join"][1]
    return json.loads("".join(p if isinstance(p, str) else "REF" for p in parts))


def one(template: Template, kind: str, name_part: str = "") -> tuple[str, dict[str, Any]]:
    found = {k: v for k, v in template.find_resources(kind).items() if name_part in k}
    assert len(found) == 1, sorted(found)
    return next(iter(found.items()))


# ---- scan workflow ---------------------------------------------------------------------


def test_workflow_plans_maps_over_units_by_s3_reference_then_publishes(org_app: Synthesized) -> None:
    asl = definition(org_app.scanner)
    assert asl["StartAt"] == constants.STATE_PLAN
    assert asl["States"][constants.STATE_PLAN]["Next"] == constants.STATE_SCAN_UNITS
    assert asl["States"][constants.STATE_SCAN_UNITS]["Next"] == constants.STATE_PUBLISH
    assert asl["States"][constants.STATE_PUBLISH]["End"] is True

    units = asl["States"][constants.STATE_SCAN_UNITS]
    assert units["ItemProcessor"]["ProcessorConfig"]["Mode"] == "DISTRIBUTED"
    assert units["MaxConcurrency"] == 12
    # the unit list and the Map's results are S3 objects, never the state payload
    assert units["ItemReader"]["Parameters"]["Key.$"] == "$.units_key"
    assert units["ItemReader"]["ReaderConfig"]["InputType"] == "JSON"
    assert units["ResultWriter"]["Parameters"]["Prefix"] == names.MAP_RESULTS_PREFIX
    assert units["ToleratedFailurePercentage"] == 100
    assert units["ResultPath"] == "$.map_result"


def test_a_failing_unit_is_retried_with_backoff_then_caught_as_failed(org_app: Synthesized) -> None:
    processor = definition(org_app.scanner)["States"][constants.STATE_SCAN_UNITS]["ItemProcessor"]
    scan = processor["States"][constants.STATE_SCAN_UNIT]
    retry = next(r for r in scan["Retry"] if "States.TaskFailed" in r["ErrorEquals"])
    assert retry["MaxAttempts"] >= 1
    assert retry["BackoffRate"] > 1
    assert retry["IntervalSeconds"] > 0
    (catch,) = scan["Catch"]
    assert catch["ErrorEquals"] == ["States.ALL"]
    assert catch["Next"] == constants.STATE_UNIT_FAILED
    failed = processor["States"][constants.STATE_UNIT_FAILED]
    assert failed["Type"] == "Pass"
    assert failed["End"] is True
    assert failed["Parameters"]["status"] == "failed"
    assert failed["Parameters"]["error.$"] == "$.error.Cause"


def scan_unit_of(template: Template) -> dict[str, Any]:
    return one(template, "AWS::Lambda::Function", "ScanUnit")[1]["Properties"]


def unit_retry_seconds(template: Template) -> float:
    """The scan state's worst case: every attempt runs to the function's timeout, longest backoff."""
    processor = definition(template)["States"][constants.STATE_SCAN_UNITS]["ItemProcessor"]
    retriers = processor["States"][constants.STATE_SCAN_UNIT]["Retry"]
    timeout = scan_unit_of(template)["Timeout"]
    attempts = 1 + sum(r["MaxAttempts"] for r in retriers)
    waits = sum(
        r["IntervalSeconds"] * r["BackoffRate"] ** n for r in retriers for n in range(r["MaxAttempts"])
    )
    return attempts * timeout + waits


def test_units_run_as_express_children_whose_retries_fit_in_five_minutes(org_app: Synthesized) -> None:
    # Given the default deployment (maptag:child_workflow=express)
    units = definition(org_app.scanner)["States"][constants.STATE_SCAN_UNITS]
    assert units["ItemProcessor"]["ProcessorConfig"]["ExecutionType"] == "EXPRESS"
    # Then a unit that times out on every attempt is still caught inside the child's 5 minutes
    scan = scan_unit_of(org_app.scanner)
    assert scan["Timeout"] == UNIT_LIMITS["express"].timeout.to_seconds() == 90
    assert unit_retry_seconds(org_app.scanner) == UNIT_LIMITS["express"].worst_case_seconds() == 285
    assert unit_retry_seconds(org_app.scanner) < EXPRESS_CHILD_LIMIT.to_seconds()
    # and it is retried at all (a Lambda service error or throttle is not the end of a unit)
    (retry,) = units["ItemProcessor"]["States"][constants.STATE_SCAN_UNIT]["Retry"]
    assert retry["MaxAttempts"] == 2


def test_standard_children_keep_fifteen_minute_units(accounts_app: Synthesized) -> None:
    # Given maptag:child_workflow=standard (units too large for an Express child's 5 minutes)
    units = definition(accounts_app.scanner)["States"][constants.STATE_SCAN_UNITS]
    assert units["ItemProcessor"]["ProcessorConfig"]["ExecutionType"] == "STANDARD"
    assert scan_unit_of(accounts_app.scanner)["Timeout"] == 900
    (retry,) = units["ItemProcessor"]["States"][constants.STATE_SCAN_UNIT]["Retry"]
    assert retry["IntervalSeconds"] == 30
    assert unit_retry_seconds(accounts_app.scanner) > EXPRESS_CHILD_LIMIT.to_seconds()


@pytest.mark.parametrize("which", ["org_app", "accounts_app"])
def test_scan_function_is_512_mb_arm64_with_the_arm64_powertools_layer(
    which: str, request: pytest.FixtureRequest
) -> None:
    app: Synthesized = request.getfixturevalue(which)
    scan = scan_unit_of(app.scanner)
    assert scan["Architectures"] == ["arm64"]
    assert scan["MemorySize"] == 1024
    (layer,) = scan["Layers"]
    assert f":layer:AWSLambdaPowertoolsPythonV3-python313-arm64:{constants.POWERTOOLS_LAYER_VERSION}" in (
        json.dumps(layer)
    )
    # publish keeps the memory it needs to rebuild the report of the whole estate
    _, publish = one(app.scanner, "AWS::Lambda::Function", "Publish")
    assert publish["Properties"]["MemorySize"] == 2048


def test_state_machine_logs_all_events_and_traces(org_app: Synthesized) -> None:
    _, machine = one(org_app.scanner, "AWS::StepFunctions::StateMachine")
    props = machine["Properties"]
    assert props["LoggingConfiguration"]["Level"] == "ALL"
    assert props["TracingConfiguration"] == {"Enabled": True}
    log_groups = org_app.scanner.find_resources("AWS::Logs::LogGroup")
    assert all(group["Properties"]["RetentionInDays"] == 90 for group in log_groups.values())
    assert len(log_groups) == 4  # three functions and the state machine
    # the state machine's group is a vended-logs one: Step Functions adds no entry for it to the
    # account's 5,120-character CloudWatch Logs resource policy (Step Functions best practices)
    (destination,) = props["LoggingConfiguration"]["Destinations"]
    group_id = destination["CloudWatchLogsLogGroup"]["LogGroupArn"]["Fn::GetAtt"][0]
    name = log_groups[group_id]["Properties"]["LogGroupName"]
    assert name == "/aws/vendedlogs/states/Maptag-scan"


def test_functions_are_thin_traced_python_with_the_powertools_layer(org_app: Synthesized) -> None:
    functions = org_app.scanner.find_resources("AWS::Lambda::Function")
    assert len(functions) == 3
    roles = set()
    for function in functions.values():
        props = function["Properties"]
        assert props["Runtime"] == constants.RUNTIME.name
        assert props["TracingConfig"] == {"Mode": "Active"}
        (layer,) = props["Layers"]
        text = json.dumps(layer)
        # the layer's compiled parts (pydantic-core) are built for the function's architecture
        (architecture,) = props["Architectures"]
        assert f"python313-{architecture}:{constants.POWERTOOLS_LAYER_VERSION}" in text
        assert "AWS::Region" in text
        assert constants.POWERTOOLS_LAYER_ACCOUNT in text
        assert "LogGroup" in json.dumps(props["LoggingConfig"])
        roles.add(json.dumps(props["Role"]))
        # the handler named in the template is a callable in functions/
        module, _, name = props["Handler"].rpartition(".")
        assert callable(getattr(importlib.import_module(module), name))
        config = json.loads(props["Environment"]["Variables"]["MAPTAG_CONFIG"])
        assert config["policy"]["organization"] is True
    assert len(roles) == 3, "each function has its own role"
    invoke_configs = org_app.scanner.find_resources("AWS::Lambda::EventInvokeConfig")
    assert len(invoke_configs) == 3
    assert all(c["Properties"]["MaximumRetryAttempts"] == 0 for c in invoke_configs.values())


@pytest.mark.parametrize("which", ["org_app", "accounts_app"])
def test_every_function_gets_only_shared_environment_names_and_all_the_handlers_need(
    which: str, request: pytest.FixtureRequest
) -> None:
    # the handlers' side of the same names: tests/unit/test_names.py
    app: Synthesized = request.getfixturevalue(which)
    model = HandlerEnvironment.model_fields.values()
    required = {field.alias for field in model if field.is_required()}
    functions = app.scanner.find_resources("AWS::Lambda::Function")
    assert functions
    for function in functions.values():
        given = set(function["Properties"]["Environment"]["Variables"])
        assert given <= names.LAMBDA_ENVIRONMENT, given - names.LAMBDA_ENVIRONMENT
        assert required <= given, required - given


def test_the_code_asset_leaves_out_the_local_package_and_caches(org_app: Synthesized) -> None:
    (asset,) = [p for p in org_app.outdir.glob("asset.*") if p.is_dir()]
    files = {str(p.relative_to(asset)) for p in asset.rglob("*")}
    assert "handlers/publish.py" in files
    assert "maptag/scan.py" in files
    assert not any(f.startswith("maptag/local") for f in files)
    assert not any("__pycache__" in f or f.endswith(".pyc") for f in files)
    # pure Python, so one asset runs on arm64 and x86_64 alike (the layer brings the compiled parts)
    assert not any(f.endswith((".so", ".pyd", ".dylib")) or ".dist-info" in f for f in files)


def test_scanner_role_assumes_only_the_member_role(org_app: Synthesized, accounts_app: Synthesized) -> None:
    for app, expected in (
        (org_app, ["arn:${Partition}:iam::*:role/maptag-member-readonly"]),
        (
            accounts_app,
            [
                f"arn:${{Partition}}:iam::{a}:role/maptag-member-readonly"
                for a in ("222222222222", "333333333333")
            ],
        ),
    ):
        role = role_id(app.scanner, "ScanUnitRole")
        _, props = one(app.scanner, "AWS::IAM::Role", "ScanUnitRole")
        assert flat(props["Properties"]["RoleName"]) == f"{constants.SCANNER_ROLE_PREFIX}${{Region}}"
        found = role_statements(app.scanner, role)
        assert [flat(r) for r in resources_for(found, "sts:AssumeRole")] == expected


def test_only_the_organization_deployment_may_list_accounts(
    org_app: Synthesized, accounts_app: Synthesized
) -> None:
    org_plan = role_statements(org_app.scanner, role_id(org_app.scanner, "PlanRole"))
    accounts_plan = role_statements(accounts_app.scanner, role_id(accounts_app.scanner, "PlanRole"))
    assert "organizations:ListAccounts" in actions_of(org_plan)
    assert "organizations:ListAccounts" not in actions_of(accounts_plan)


def test_publish_may_deliver_findings_to_named_resources_only(
    org_app: Synthesized, accounts_app: Synthesized
) -> None:
    found = role_statements(org_app.scanner, role_id(org_app.scanner, "PublishRole"))
    (product,) = resources_for(found, "securityhub:BatchImportFindings")
    assert flat(product) == "arn:${Partition}:securityhub:${Region}:${AccountId}:product/${AccountId}/default"
    (hub,) = resources_for(found, "securityhub:GetFindings")
    assert flat(hub) == "arn:${Partition}:securityhub:${Region}:${AccountId}:hub/default"
    (workflow,) = resources_for(found, "securityhub:BatchUpdateFindings")
    assert flat(workflow) == "arn:${Partition}:securityhub:${Region}:${AccountId}:hub/default"
    assert not any(a.startswith("securityhub:") and a not in {
        "securityhub:BatchImportFindings", "securityhub:GetFindings", "securityhub:BatchUpdateFindings"
    } for a in actions_of(found))  # fmt: skip
    (bus,) = resources_for(found, "events:PutEvents")
    assert flat(bus) == "arn:${Partition}:events:${Region}:${AccountId}:event-bus/default"
    (topic,) = resources_for(found, "sns:Publish")
    assert topic == {"Ref": one(org_app.scanner, "AWS::SNS::Topic")[0]}
    assert {"mgh:ImportMigrationTask", "mgh:NotifyMigrationTaskState"} <= actions_of(found)
    without_hub = role_statements(accounts_app.scanner, role_id(accounts_app.scanner, "PublishRole"))
    assert not any(a.startswith("mgh:") for a in actions_of(without_hub))


# ---- reports, history, findings, schedule, monitoring -----------------------------------


def test_reports_bucket_is_encrypted_tls_only_private_versioned_and_logged(org_app: Synthesized) -> None:
    template = org_app.scanner
    bucket_id, bucket = one(template, "AWS::S3::Bucket", "ReportsBucket")
    props = bucket["Properties"]
    (rule,) = props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    assert "KMSMasterKeyID" in rule["ServerSideEncryptionByDefault"]
    assert props["VersioningConfiguration"] == {"Status": "Enabled"}
    assert props["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    logs_id, _ = one(template, "AWS::S3::Bucket", "AccessLogs")
    assert props["LoggingConfiguration"]["DestinationBucketName"] == {"Ref": logs_id}
    template.has_resource_properties(
        "AWS::S3::BucketPolicy",
        {
            "Bucket": {"Ref": bucket_id},
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {"Effect": "Deny", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
                        )
                    ]
                )
            },
        },
    )


def test_migration_hub_outbox_table_exists_only_with_the_sink(
    org_app: Synthesized, accounts_app: Synthesized
) -> None:
    outbox_id, outbox = one(org_app.scanner, "AWS::DynamoDB::Table", "Outbox")
    assert outbox["Properties"]["KeySchema"] == [{"AttributeName": names.OUTBOX_TABLE_KEY, "KeyType": "HASH"}]
    assert outbox["Properties"]["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    _, publish = one(org_app.scanner, "AWS::Lambda::Function", "Publish")
    assert publish["Properties"]["Environment"]["Variables"]["OUTBOX_TABLE"] == {"Ref": outbox_id}
    accounts_app.scanner.resource_count_is("AWS::DynamoDB::Table", 1)


def test_history_table_has_pitr_ttl_and_kms(org_app: Synthesized) -> None:
    _, table = one(org_app.scanner, "AWS::DynamoDB::Table", "History")
    props = table["Properties"]
    assert props["TimeToLiveSpecification"] == {
        "AttributeName": names.TABLE_TTL_ATTRIBUTE,
        "Enabled": True,
    }
    assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert props["SSESpecification"]["SSEEnabled"] is True
    assert props["SSESpecification"]["SSEType"] == "KMS"
    assert "KMSMasterKeyId" in props["SSESpecification"]
    assert {k["AttributeName"] for k in props["KeySchema"]} == {
        names.TABLE_PARTITION_KEY,
        names.TABLE_SORT_KEY,
    }


def test_digest_topic_is_encrypted_tls_only_with_the_email_subscription(
    org_app: Synthesized, accounts_app: Synthesized
) -> None:
    topic_id, topic = one(org_app.scanner, "AWS::SNS::Topic")
    assert "KmsMasterKeyId" in topic["Properties"]
    org_app.scanner.has_resource_properties(
        "AWS::SNS::Subscription",
        {"Protocol": "email", "Endpoint": "finops@example.com", "TopicArn": {"Ref": topic_id}},
    )
    org_app.scanner.has_resource_properties(
        "AWS::SNS::TopicPolicy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {"Effect": "Deny", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
                        )
                    ]
                )
            }
        },
    )
    accounts_app.scanner.resource_count_is("AWS::SNS::Subscription", 0)


def test_the_alarms_may_publish_to_the_encrypted_digest_topic(org_app: Synthesized) -> None:
    # CDK's topic policy for enforce_ssl holds only the TLS deny: without an allow for
    # cloudwatch.amazonaws.com, SNS refuses every alarm notification
    template = org_app.scanner
    topic_id, _ = one(template, "AWS::SNS::Topic")
    _, policy = one(template, "AWS::SNS::TopicPolicy")
    assert policy["Properties"]["Topics"] == [{"Ref": topic_id}]
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    (allow,) = [s for s in statements if s["Effect"] == "Allow"]
    assert allow["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert allow["Action"] == "sns:Publish"
    assert allow["Resource"] == {"Ref": topic_id}
    alarm_ids = sorted(template.find_resources("AWS::CloudWatch::Alarm"))
    assert len(alarm_ids) == 3
    sources = allow["Condition"]["ArnEquals"]["aws:SourceArn"]
    assert sorted(source["Fn::GetAtt"][0] for source in sources) == alarm_ids
    assert all(source["Fn::GetAtt"][1] == "Arn" for source in sources)
    assert allow["Condition"]["StringEquals"] == {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}
    # the TLS-only deny stays
    (deny,) = [s for s in statements if s["Effect"] == "Deny"]
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    # and the key lets CloudWatch encrypt for the topic
    _, key = one(template, "AWS::KMS::Key")
    assert any(
        s["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
        and "kms:GenerateDataKey*" in as_list(s["Action"])
        for s in key["Properties"]["KeyPolicy"]["Statement"]
    )


def test_schedule_starts_the_state_machine_in_its_time_zone(
    org_app: Synthesized, accounts_app: Synthesized
) -> None:
    machine_id, _ = one(org_app.scanner, "AWS::StepFunctions::StateMachine")
    _, schedule = one(org_app.scanner, "AWS::Scheduler::Schedule")
    props = schedule["Properties"]
    assert props["ScheduleExpression"] == "cron(0 7 * * ? *)"
    assert props["ScheduleExpressionTimezone"] == "Europe/Paris"
    assert props["Target"]["Arn"] == {"Ref": machine_id}
    _, hourly = one(accounts_app.scanner, "AWS::Scheduler::Schedule")
    assert hourly["Properties"]["ScheduleExpression"] == "rate(6 hours)"
    # the scheduler's role may start this state machine and nothing else
    role_ref = props["Target"]["RoleArn"]["Fn::GetAtt"][0]
    found = role_statements(org_app.scanner, role_ref)
    assert actions_of(found) == {"states:StartExecution"}
    assert resources_for(found, "states:StartExecution") == [{"Ref": machine_id}]


def test_alarms_watch_failed_runs_failed_units_and_missed_runs(
    org_app: Synthesized, accounts_app: Synthesized
) -> None:
    topic_id, _ = one(org_app.scanner, "AWS::SNS::Topic")
    alarms = org_app.scanner.find_resources("AWS::CloudWatch::Alarm")
    assert len(alarms) == 3
    by_name = {
        next(n for n in ("FailedRuns", "FailedUnits", "MissedRun") if n in k): v["Properties"]
        for k, v in alarms.items()
    }
    assert all(a["AlarmActions"] == [{"Ref": topic_id}] for a in by_name.values())
    assert by_name["FailedUnits"]["MetricName"] == names.FAILED_UNITS_METRIC
    assert by_name["FailedUnits"]["Namespace"] == names.METRICS_NAMESPACE
    missed = by_name["MissedRun"]
    assert missed["MetricName"] == "ExecutionsStarted"
    assert missed["ComparisonOperator"] == "LessThanThreshold"
    assert missed["EvaluationPeriods"] == 25  # daily cron: a day and an hour of slack
    # quiet from deploy to the first run: no start in the window is "missing" data, which takes
    # the alarm to INSUFFICIENT_DATA, a new alarm's own first state (no change, no action); after
    # a first run (OK), the first window without one is a change to INSUFFICIENT_DATA: notified
    assert missed["TreatMissingData"] == "missing"
    assert missed["InsufficientDataActions"] == [{"Ref": topic_id}]
    hourly = [
        a["Properties"]
        for k, a in accounts_app.scanner.find_resources("AWS::CloudWatch::Alarm").items()
        if "MissedRun" in k
    ]
    assert hourly[0]["EvaluationPeriods"] == 7  # rate(6 hours) + 1
    queries = by_name["FailedRuns"]["Metrics"]
    metric_ids = {q["MetricStat"]["Metric"]["MetricName"]: q["Id"] for q in queries if "MetricStat" in q}
    assert set(metric_ids) == {"ExecutionsFailed", "ExecutionsTimedOut", "ExecutionsAborted"}
    # each metric exists only in hours with such a run: each is FILLed with 0 before the sum
    (expression,) = [q["Expression"] for q in queries if "Expression" in q]
    terms = sorted(term.strip() for term in expression.split("+"))
    assert terms == sorted(f"FILL({metric_id}, 0)" for metric_id in metric_ids.values())


# ---- member role --------------------------------------------------------------------------


def test_member_role_trusts_the_scanner_account_s_scanner_roles_by_principal_arn(
    org_app: Synthesized, accounts_app: Synthesized
) -> None:
    template = org_app.member
    params = template.to_json()["Parameters"]
    assert params["ScannerAccountId"]["Default"] == "111111111111"
    assert "BootstrapVersion" not in params, "a StackSet runs in accounts that were never bootstrapped"
    _, role = one(template, "AWS::IAM::Role")
    props = role["Properties"]
    assert props["RoleName"] == "maptag-member-readonly"
    (trust,) = props["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Action"] == "sts:AssumeRole"
    # the account, not a role ARN (which IAM stores as the role's unique id: a redeployed
    # scanner stack would break every member role) ...
    assert flat(trust["Principal"]["AWS"]) == "arn:${Partition}:iam::${ScannerAccountId}:root"
    # ... narrowed to the scanner roles of that account, whatever their region
    scanner_roles = f"arn:${{Partition}}:iam::${{ScannerAccountId}}:role/{constants.SCANNER_ROLE_PREFIX}*"
    assert {k: flat(v) for k, v in trust["Condition"]["ArnLike"].items()} == {
        "aws:PrincipalArn": scanner_roles
    }
    # and, when maptag:organization_id is set, to principals of that Organization
    assert trust["Condition"]["StringEquals"] == {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}
    (plain,) = one(accounts_app.member, "AWS::IAM::Role")[1]["Properties"]["AssumeRolePolicyDocument"][
        "Statement"
    ]
    assert set(plain["Condition"]) == {"ArnLike"}


def test_two_scanner_stacks_in_two_regions_of_one_account_share_no_global_name() -> None:
    # Given the scanner stack in two regions of one account
    app = App(context=deployment_context())
    config = config_of(app)
    stacks = [
        ScannerStack(
            app, f"Maptag-{region}", config=config, env=Environment(account="111111111111", region=region)
        )
        for region in ("us-east-1", "eu-west-1")
    ]
    # Then the IAM roles (IAM names are global) have no name in common
    names = [
        role["Properties"]["RoleName"]
        for stack in stacks
        for role in Template.from_stack(stack).find_resources("AWS::IAM::Role").values()
        if "RoleName" in role["Properties"]
    ]
    assert sorted(names) == ["maptag-scanner-eu-west-1", "maptag-scanner-us-east-1"]
    # and both match what every member role trusts
    assert all(name.startswith(constants.SCANNER_ROLE_PREFIX) for name in names)


@pytest.mark.parametrize("region", ["cn-north-1", "us-gov-west-1"])
def test_a_region_outside_the_commercial_partition_is_refused_at_synth(
    region: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The pinned Powertools layer's account publishes it in the aws partition only
    monkeypatch.setenv("CDK_DEFAULT_REGION", region)
    app = App(context=deployment_context())
    with pytest.raises(PolicyError, match=rf"^region {region} is in the aws-(cn|us-gov) partition: maptag"):
        build(app, config_of(app))
    assert app.node.children == []


def test_member_role_has_exactly_the_actions_the_declarations_need(org_app: Synthesized) -> None:
    # each resource type declares its IAM actions; the role grants those and nothing else
    needed = set(required_actions(TYPE_NAMES, need_created=True))
    assert actions_of(list(statements(org_app.member))) == needed
    # every resource-scoped action is one the declarations still need
    assert set(RESOURCE_SCOPED) <= set(read_only_actions())


# ---- across every template: read-only, least privilege, linted, nag-clean ----------------

_TAG_WRITE = re.compile(
    r"^[a-z0-9-]+:(Tag|Untag|CreateTags|CreateOrUpdateTags|DeleteTags|AddTags|RemoveTags|ChangeTags|UpdateTags|Put\w*Tagging|\*)",
    re.I,
)


@pytest.mark.parametrize("which", ["org_app", "accounts_app"])
def test_nothing_deployed_can_write_tags(which: str, request: pytest.FixtureRequest) -> None:
    app: Synthesized = request.getfixturevalue(which)
    for template in (app.scanner, app.member):
        for statement in statements(template):
            if statement["Effect"] != "Allow":
                continue
            for action in as_list(statement["Action"]):
                assert not _TAG_WRITE.match(action), action
                assert action != "*"


@pytest.mark.parametrize("which", ["org_app", "accounts_app"])
def test_no_wildcard_resource_where_one_can_be_named(which: str, request: pytest.FixtureRequest) -> None:
    app: Synthesized = request.getfixturevalue(which)
    for template in (app.scanner, app.member):
        for statement in statements(template):
            if "*" in as_list(statement.get("Resource", [])):
                assert set(as_list(statement["Action"])) <= NO_RESOURCE_TYPE, statement["Action"]


@pytest.mark.parametrize("which", ["org_app", "accounts_app"])
def test_cdk_nag_has_no_unacknowledged_finding(which: str, request: pytest.FixtureRequest) -> None:
    app: Synthesized = request.getfixturevalue(which)
    report = json.loads((app.outdir / "validation-report.json").read_text())
    (nag,) = [r for r in report["pluginReports"] if r["pluginName"] == "AwsSolutions"]
    assert nag["conclusion"] == "success"
    assert nag["violations"] == []
    acknowledged = {v["ruleName"] for v in nag["suppressedViolations"]}
    # the acknowledged findings are the known, reasoned ones, never a blanket action wildcard
    assert not any(
        "Action::*" in rule or re.search(r"Action::[a-z0-9-]+:\*\]", rule) for rule in acknowledged
    )


@pytest.mark.parametrize("which", ["org_app", "accounts_app"])
def test_cfn_lint_is_clean_on_every_template(which: str, request: pytest.FixtureRequest) -> None:
    app: Synthesized = request.getfixturevalue(which)
    files = [str(p) for p in app.template_files()]
    assert len(files) == 2
    lint = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "cfn-lint"), *files],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert lint.returncode == 0, lint.stdout + lint.stderr


def test_outputs_name_what_a_user_needs_after_deploy(org_app: Synthesized) -> None:
    outputs = org_app.scanner.to_json()["Outputs"]
    assert {"StateMachineArn", "ReportsBucket", "HistoryTable", "DigestTopicArn", "ScannerRoleArn"} <= set(
        outputs
    )

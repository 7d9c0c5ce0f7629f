"""The costs construct (infra/constructs/costs.py): least privilege for each cost source."""

from __future__ import annotations

import json
import subprocess
from typing import Any

import pytest

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
from tests.support.synth import ROOT, Synthesized, synthesize

pytestmark = pytest.mark.xdist_group("cdk")


@pytest.fixture(scope="session")
def athena_app(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    return synthesize(
        tmp_path_factory.mktemp("cdk-athena"),
        {
            "maptag:costs": "athena",
            "maptag:cur_database": "billing",
            "maptag:cur_table": "cur2",
            "maptag:cur_bucket": "acme-billing-exports",
            "maptag:credit_rate": "25",
        },
    )


@pytest.fixture(scope="session")
def cost_explorer_app(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    return synthesize(tmp_path_factory.mktemp("cdk-ce"), {"maptag:costs": "cost-explorer"})


def publish_role(app: Synthesized) -> list[dict[str, Any]]:
    return role_statements(app.scanner, role_id(app.scanner, "PublishRole"))


def nag_and_lint_clean(app: Synthesized) -> None:
    report = json.loads((app.outdir / "validation-report.json").read_text())
    (nag,) = [r for r in report["pluginReports"] if r["pluginName"] == "AwsSolutions"]
    assert nag["conclusion"] == "success"
    assert nag["violations"] == []
    files = [str(p) for p in app.template_files()]
    lint = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "cfn-lint"), *files],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert lint.returncode == 0, lint.stdout + lint.stderr


def test_athena_reads_the_named_cur_table_into_its_own_encrypted_workgroup(athena_app: Synthesized) -> None:
    (workgroup,) = athena_app.scanner.find_resources("AWS::Athena::WorkGroup").values()
    settings = workgroup["Properties"]["WorkGroupConfiguration"]
    assert settings["EnforceWorkGroupConfiguration"] is True
    result = settings["ResultConfiguration"]
    assert result["EncryptionConfiguration"]["EncryptionOption"] == "SSE_KMS"
    assert flat(result["OutputLocation"]).endswith("/runs/athena-costs/")  # aged out with the runs

    found = publish_role(athena_app)
    (query,) = resources_for(found, "athena:StartQueryExecution")
    assert flat(query).startswith("arn:${Partition}:athena:${Region}:${AccountId}:workgroup/")
    assert [flat(r) for r in resources_for(found, "glue:GetTable")] == [
        "arn:${Partition}:glue:${Region}:${AccountId}:catalog",
        "arn:${Partition}:glue:${Region}:${AccountId}:database/billing",
        "arn:${Partition}:glue:${Region}:${AccountId}:table/billing/cur2",
    ]
    assert "arn:${Partition}:s3:::acme-billing-exports/*" in [
        flat(r) for r in resources_for(found, "s3:GetObject")
    ]
    assert not any(a.startswith("ce:") for a in actions_of(found))
    (function,) = [
        f
        for f in athena_app.scanner.find_resources("AWS::Lambda::Function").values()
        if "ATHENA_WORKGROUP" in f["Properties"]["Environment"]["Variables"]
    ]
    assert function["Properties"]["Handler"] == "handlers.publish.handler"
    nag_and_lint_clean(athena_app)


def test_cost_explorer_is_the_one_action_and_nothing_of_athena(cost_explorer_app: Synthesized) -> None:
    found = publish_role(cost_explorer_app)

    assert resources_for(found, "ce:GetCostAndUsageWithResources") == ["*"]
    assert not any(a.startswith(("athena:", "glue:")) for a in actions_of(found))
    assert cost_explorer_app.scanner.find_resources("AWS::Athena::WorkGroup") == {}
    for statement in statements(cost_explorer_app.scanner):
        if "*" in as_list(statement.get("Resource", [])):
            assert set(as_list(statement["Action"])) <= {*NO_RESOURCE_TYPE, "ce:GetCostAndUsageWithResources"}
    nag_and_lint_clean(cost_explorer_app)

"""`npx cdk synth` as a user runs it: offline, no AWS credentials, through the pinned CLI."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from infra import constants

ROOT = Path(__file__).resolve().parents[2]


def cdk(*args: str, outdir: Path) -> subprocess.CompletedProcess[str]:
    # No AWS keys, profile or region: the CLI must not try to reach AWS (docs/toolchain.md).
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        CDK_DISABLE_VERSION_CHECK="1",
        JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="20",
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED="true",
    )
    return subprocess.run(
        ["npx", "--no-install", "cdk", "synth", "-q", "-o", str(outdir), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.slow
def test_npx_cdk_synth_works_offline_with_cdk_json_defaults_and_the_laptops_engagement_file(
    tmp_path: Path,
) -> None:
    # Given the TOML file `maptag scan --config` reads, with no agreement start
    engagement = tmp_path / "maptag.toml"
    engagement.write_text('mpe-id = "MPE9876543"\nregions = ["eu-west-1"]\norg = true\nformat = "html"\n')
    out = tmp_path / "cdk.out"
    done = cdk(
        "-c", f"maptag:config={engagement}", "-c", "maptag:scanner_account=111111111111", outdir=out
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    # Then synth says, once and in one line, what is missing, and goes on
    warnings = [line for line in done.stderr.splitlines() if line.startswith("maptag: warning: ")]
    assert warnings == [
        "maptag: warning: maptag:agreement_start: not set, so every resource counts as migrated whatever "
        "its age: set your MAP agreement's start (YYYY-MM-DD) with -c maptag:agreement_start=... or "
        "agreement-start in the maptag:config file"
    ]
    scanner = json.loads((out / f"{constants.SCANNER_STACK}.template.json").read_text())
    member = json.loads((out / f"{constants.MEMBER_STACK}.template.json").read_text())
    assert any(r["Type"] == "AWS::StepFunctions::StateMachine" for r in scanner["Resources"].values())
    assert member["Parameters"]["ScannerAccountId"]["Default"] == "111111111111"


@pytest.mark.slow
def test_a_bad_context_value_stops_synth_with_one_line_naming_it(tmp_path: Path) -> None:
    done = cdk("-c", "maptag:mpe_ids=98765", "-c", "maptag:regions=us-east-1,mars-1", outdir=tmp_path)
    assert done.returncode != 0
    assert (
        "maptag: error: maptag:regions: 'mars-1' is not an AWS region name such as us-east-1" in done.stderr
    )
    assert "Traceback" not in done.stderr
    assert not (tmp_path / f"{constants.SCANNER_STACK}.template.json").exists()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("args", "line"),
    [
        ((), "maptag: error: maptag:mpe_ids: not set: give your MPE id(s) with -c maptag:mpe_ids=... "
             "or in the engagement file named by -c maptag:config=maptag.toml"),
        (("-c", "maptag:mpe_ids=12345", "-c", "maptag:regions=us-east-1"),
         "maptag: error: maptag:mpe_ids: '12345' is the documentation's sample MPE id, not your engagement: "
         "set yours with -c maptag:mpe_ids=... or mpe-id in the maptag:config file"),
    ],
)  # fmt: skip
def test_cdk_json_alone_or_the_sample_mpe_id_is_no_deployable_engagement(
    tmp_path: Path, args: tuple[str, ...], line: str
) -> None:
    done = cdk(*args, outdir=tmp_path)
    assert done.returncode != 0
    assert line in done.stderr.splitlines()
    assert "Traceback" not in done.stderr
    assert not (tmp_path / f"{constants.SCANNER_STACK}.template.json").exists()

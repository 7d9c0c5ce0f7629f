"""Names shared by the stacks, the constructs and the tests: each is defined here once.

The names the deployed code uses too (S3 prefixes, metric names, table keys, environment
variables) are maptag/names.py's, which infra imports as `names`."""

from __future__ import annotations

from pathlib import Path

from aws_cdk import aws_lambda as lambda_

SCANNER_STACK = "Maptag"
MEMBER_STACK = "MaptagMemberRole"

# The scan_unit function's role is named `maptag-scanner-<region>`: member roles trust the
# scanner account's roles of that name (any region), so it is fixed rather than generated, and
# IAM names are global, so the region keeps two scanner stacks of one account apart.
SCANNER_ROLE_PREFIX = "maptag-scanner-"

# The public Powertools for AWS Lambda (Python) v3 layer, by ARN in the stack's own region.
# This account publishes it in the commercial regions only; aws-cn and aws-us-gov have other
# publishers (https://docs.aws.amazon.com/powertools/python/latest/#lambda-layer): synth
# refuses a region of another partition.
POWERTOOLS_PARTITION = "aws"
# The layer is published for python3.13 at this version; the runtime must match it. Its name
# names the architecture (its pydantic-core is compiled): a function's layer must match it.
POWERTOOLS_LAYER_ACCOUNT = "017000801446"
POWERTOOLS_LAYER_NAMES = {
    lambda_.Architecture.X86_64.name: "AWSLambdaPowertoolsPythonV3-python313-x86_64",
    lambda_.Architecture.ARM_64.name: "AWSLambdaPowertoolsPythonV3-python313-arm64",
}
POWERTOOLS_LAYER_VERSION = 36
RUNTIME = lambda_.Runtime.PYTHON_3_13
# Graviton: 20 % cheaper per GB-second; functions/ is pure Python, the layer brings the rest.
ARCHITECTURE = lambda_.Architecture.ARM_64
POWERTOOLS_LAYER_NAME = POWERTOOLS_LAYER_NAMES[ARCHITECTURE.name]

# The Lambda asset is functions/ minus what never runs in a Lambda (docs/contracts.md: local/ holds
# the demo estate and the local Migration Hub).
FUNCTIONS_DIR = str(Path(__file__).resolve().parent.parent / "functions")  # wherever synth runs from
ASSET_EXCLUDES = (
    "maptag/local",
    "maptag/local/**",
    "**/__pycache__",
    "**/*.pyc",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    "*.egg-info",
)

# Step Functions' log group name prefix (its best practices: docs/deploy.md).
STATE_MACHINE_LOG_PREFIX = "/aws/vendedlogs/states/"

# Workflow state names: the e2e test reads the order from the synthesized definition.
STATE_PLAN = "Plan"
STATE_SCAN_UNITS = "ScanUnits"
STATE_SCAN_UNIT = "ScanUnit"
STATE_UNIT_FAILED = "UnitFailed"
STATE_PUBLISH = "Publish"
STATE_REMEDIATE = "Remediate"

# The remediation function's role (per region, like the scanner's): the one principal the
# member accounts' maptag-member-tagger role trusts (docs/fix.md, "In the deployment").
REMEDIATOR_ROLE_PREFIX = "maptag-remediator-"

"""The names the deployment (infra/) and the code it runs both use, each defined once here.

infra/ creates the bucket prefixes, the table keys, the alarm's metric and every Lambda
function's environment with these names; the handlers and sinks read and write with them.
tests/unit/test_names.py fails when a handler reads an environment variable not listed here,
and tests/infrastructure/test_stacks.py when a function is given one. Imports nothing of maptag.
"""

from __future__ import annotations

# What the handlers publish under: Powertools' service, the CloudWatch namespace (the
# FailedUnits alarm watches it) and the EventBridge source of maptag's events.
SERVICE = "maptag"
METRICS_NAMESPACE = "maptag"
EVENT_SOURCE = "maptag"
FAILED_UNITS_METRIC = "FailedUnits"

# S3 layout of the reports bucket (docs/deploy.md): a run's working files, the Distributed
# Map's results (its ResultWriter prefix, no trailing slash), the reports and the newest one.
RUNS_PREFIX = "runs/"
MAP_RESULTS_PREFIX = "map-results"
REPORTS_PREFIX = "reports/"
LATEST_PREFIX = "latest/"
# runs/<run id>/published/<sink>.json: a sink delivered this run (maptag.run_store)
PUBLISHED_PREFIX = "published/"

# DynamoDB: one table, generic keys, so coverage history and the Migration Hub outbox can
# share it; `expires_at` (epoch seconds) is the TTL attribute.
TABLE_PARTITION_KEY = "pk"
TABLE_SORT_KEY = "sk"
TABLE_TTL_ATTRIBUTE = "expires_at"
# The Migration Hub outbox table's partition key (a string): "<stream>/<task>".
OUTBOX_TABLE_KEY = "task"

# Every Lambda function's environment (handlers/observability.py reads them).
ENV_CONFIG = "MAPTAG_CONFIG"
ENV_REPORTS_BUCKET = "REPORTS_BUCKET"
ENV_HISTORY_TABLE = "HISTORY_TABLE"
ENV_TOPIC_ARN = "TOPIC_ARN"
ENV_OUTBOX_TABLE = "OUTBOX_TABLE"
ENV_ATHENA_WORKGROUP = "ATHENA_WORKGROUP"
ENV_SERVICE_NAME = "POWERTOOLS_SERVICE_NAME"
ENV_METRICS_NAMESPACE = "POWERTOOLS_METRICS_NAMESPACE"
ENV_STS_REGIONAL_ENDPOINTS = "AWS_STS_REGIONAL_ENDPOINTS"
LAMBDA_ENVIRONMENT = frozenset(
    {
        ENV_CONFIG,
        ENV_REPORTS_BUCKET,
        ENV_HISTORY_TABLE,
        ENV_TOPIC_ARN,
        ENV_OUTBOX_TABLE,
        ENV_ATHENA_WORKGROUP,
        ENV_SERVICE_NAME,
        ENV_METRICS_NAMESPACE,
        ENV_STS_REGIONAL_ENDPOINTS,
    }
)

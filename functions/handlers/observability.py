"""The one place Powertools objects and the boto3 session are made; every handler imports these.

Service name and namespace come from POWERTOOLS_SERVICE_NAME / POWERTOOLS_METRICS_NAMESPACE
(set by the stack); the defaults keep a test run or a local invocation working the same way.
"""

from __future__ import annotations

import functools
import os
from typing import Any

import boto3
from aws_lambda_powertools import Logger, Metrics, Tracer
from pydantic import BaseModel

from maptag.deploy_config import DeployConfig
from maptag.workflow import Resources

SERVICE = "maptag"
NAMESPACE = "maptag"
FAILED_UNITS = "FailedUnits"

logger = Logger(service=os.environ.get("POWERTOOLS_SERVICE_NAME", SERVICE))
tracer = Tracer(service=os.environ.get("POWERTOOLS_SERVICE_NAME", SERVICE))
metrics = Metrics(
    namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE", NAMESPACE),
    service=os.environ.get("POWERTOOLS_SERVICE_NAME", SERVICE),
)


class HandlerEnvironment(BaseModel):
    """What the stack puts in every function's environment (validated on each invocation)."""

    MAPTAG_CONFIG: str
    REPORTS_BUCKET: str
    HISTORY_TABLE: str | None = None
    TOPIC_ARN: str | None = None
    OUTBOX_TABLE: str | None = None
    ATHENA_WORKGROUP: str | None = None


def deployment(environ: Any = None) -> tuple[DeployConfig, Resources]:
    env = HandlerEnvironment.model_validate(dict(environ if environ is not None else os.environ))
    resources = Resources(
        bucket=env.REPORTS_BUCKET,
        table=env.HISTORY_TABLE,
        topic_arn=env.TOPIC_ARN,
        outbox_table=env.OUTBOX_TABLE,
        athena_workgroup=env.ATHENA_WORKGROUP,
    )
    return DeployConfig.from_json(env.MAPTAG_CONFIG), resources


@functools.cache
def session() -> boto3.Session:
    """One session per execution environment: warm invocations reuse its parsed service models.

    A new session per invocation re-read botocore's models for every unit (0.35 s of CPU
    instead of 0.065 s, bench/scale.py); assumed-role sessions share this one's loader.
    """
    return boto3.Session()

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
from pydantic import BaseModel, Field

from maptag.app.workflow import Deployment, Resources
from maptag.deploy_config import DeployConfig
from maptag.names import (
    ENV_ATHENA_WORKGROUP,
    ENV_CONFIG,
    ENV_HISTORY_TABLE,
    ENV_METRICS_NAMESPACE,
    ENV_OUTBOX_TABLE,
    ENV_REPORTS_BUCKET,
    ENV_SERVICE_NAME,
    ENV_TOPIC_ARN,
    METRICS_NAMESPACE,
    SERVICE,
)

logger = Logger(service=os.environ.get(ENV_SERVICE_NAME, SERVICE))
tracer = Tracer(service=os.environ.get(ENV_SERVICE_NAME, SERVICE))
metrics = Metrics(
    namespace=os.environ.get(ENV_METRICS_NAMESPACE, METRICS_NAMESPACE),
    service=os.environ.get(ENV_SERVICE_NAME, SERVICE),
)


class HandlerEnvironment(BaseModel):
    """What the stack puts in every function's environment (validated on each invocation)."""

    config: str = Field(alias=ENV_CONFIG)
    reports_bucket: str = Field(alias=ENV_REPORTS_BUCKET)
    history_table: str | None = Field(None, alias=ENV_HISTORY_TABLE)
    topic_arn: str | None = Field(None, alias=ENV_TOPIC_ARN)
    outbox_table: str | None = Field(None, alias=ENV_OUTBOX_TABLE)
    athena_workgroup: str | None = Field(None, alias=ENV_ATHENA_WORKGROUP)


def deployment(environ: Any = None) -> tuple[DeployConfig, Resources]:
    env = HandlerEnvironment.model_validate(dict(environ if environ is not None else os.environ))
    resources = Resources(
        bucket=env.reports_bucket,
        table=env.history_table,
        topic_arn=env.topic_arn,
        outbox_table=env.outbox_table,
        athena_workgroup=env.athena_workgroup,
    )
    return DeployConfig.from_json(env.config), resources


def deployed() -> Deployment:
    """The deployment this invocation runs in: its configuration, the session, the resources."""
    config, resources = deployment()
    return Deployment(config, session(), resources)


@functools.cache
def session() -> boto3.Session:
    """One session per execution environment: warm invocations reuse its parsed service models.

    A new session per invocation re-read botocore's models for every unit (0.35 s of CPU
    instead of 0.065 s, bench/scale.py); assumed-role sessions share this one's loader.
    """
    return boto3.Session()

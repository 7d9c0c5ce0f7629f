"""The deployment's configuration: the scan Policy plus how and where the deployed workflow runs.

One model for `cdk synth` (CDK context: cdk.json defaults, `-c maptag:KEY=VALUE` overrides)
and the Lambda handlers (the same values, serialised into their environment). The policy part
is validated by maptag.policy.Policy, exactly as for the CLI; a bad value raises PolicyError
with one line that names the context key.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from maptag.policy import ACCOUNT_ID, Policy, PolicyError, _one_line, known_names
from maptag.rules import quote
from maptag.sinks.migration_hub import validate_stream
from maptag.sinks.security_hub import DEFAULT_REFRESH_DAYS, MAX_REFRESH_DAYS

# Context keys are `maptag:<setting>`; the CDK's own keys (feature flags, cli-telemetry) pass by.
CONTEXT_PREFIX = "maptag:"

SINKS = ("security-hub", "sns", "events", "metrics", "migration-hub")
# Migration Hub on by default: an account without a home region is skipped (docs/reliability.md).
DEFAULT_SINKS = ("security-hub", "sns", "events", "metrics", "migration-hub")
DEFAULT_SCHEDULE = "cron(0 6 * * ? *)"
DEFAULT_ROLE_NAME = "maptag-member-readonly"
# The Distributed Map's child workflows: Express (at most 5 minutes each, billed per request
# and duration) or Standard (no time limit, billed per state transition).
CHILD_WORKFLOWS = ("express", "standard")

# EventBridge Scheduler's expressions: rate(N unit) or a six-field cron(...).
_RATE = re.compile(r"rate\(([1-9][0-9]*) (minute|minutes|hour|hours|day|days)\)")
_CRON = re.compile(r"cron\((\S+ ){5}\S+\)")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
# The ProgressUpdateStream rule of docs/contracts.md: 1-50 chars, no / : | or control characters.
# CloudWatch Logs accepts only these retention periods.
LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192,
                      2557, 2922, 3288, 3653)  # fmt: skip
# The Lambda environment holds at most 4 KB in all; the configuration must leave room.
ENVIRONMENT_BUDGET = 3500


class DeployConfig(BaseModel):
    """Everything `app.py` needs to build the stacks, validated once."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    policy: Policy
    schedule: str = DEFAULT_SCHEDULE
    schedule_time_zone: str = "UTC"
    sinks: tuple[str, ...] = DEFAULT_SINKS
    notification_email: str | None = None
    server_tasks: bool = False
    # Per account × region CloudWatch metrics (4 custom metrics each): turn off on large estates.
    unit_metrics: bool = True
    # Days between re-imports of an unchanged Security Hub finding (0: every run).
    securityhub_refresh_days: int = DEFAULT_REFRESH_DAYS
    hub_stream: str = "MAP-Tagging"
    child_workflow: str = "express"
    scanner_account: str | None = None
    log_retention_days: int = 90
    history_ttl_days: int = Field(default=400, ge=1, le=3650)
    report_retention_days: int = Field(default=400, ge=1, le=3650)
    # A run that did not start within this many hours raises the "missed run" alarm.
    missed_run_hours: int | None = Field(default=None, ge=1, le=168)

    @field_validator("schedule")
    @classmethod
    def _schedule(cls, value: str) -> str:
        if not (_RATE.fullmatch(value) or _CRON.fullmatch(value)):
            raise ValueError(
                f"{quote(value)} is not a schedule expression such as 'rate(1 day)' or 'cron(0 6 * * ? *)'"
            )
        return value

    @field_validator("schedule_time_zone")
    @classmethod
    def _time_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{quote(value)} is not an IANA time zone such as Europe/Paris") from None
        return value

    @field_validator("sinks", mode="before")
    @classmethod
    def _sinks(cls, raw: Any) -> tuple[str, ...]:
        return known_names(raw, SINKS, "sink")

    @field_validator("notification_email", mode="before")
    @classmethod
    def _email(cls, raw: Any) -> Any:
        if raw in (None, ""):
            return None
        if not (isinstance(raw, str) and _EMAIL.fullmatch(raw)):
            raise ValueError(f"{quote(str(raw))} is not an e-mail address")
        return raw

    @field_validator("securityhub_refresh_days", mode="before")
    @classmethod
    def _refresh_days(cls, raw: Any) -> int:
        if isinstance(raw, bool) or not isinstance(raw, int) or not 0 <= raw <= MAX_REFRESH_DAYS:
            shown = quote(raw) if isinstance(raw, str) else str(raw).lower()
            raise ValueError(
                f"{shown} is not a number of days from 0 to {MAX_REFRESH_DAYS} "
                "(Security Hub deletes findings not updated for 90 days)"
            )
        return raw

    @field_validator("hub_stream")
    @classmethod
    def _stream(cls, value: str) -> str:
        return validate_stream(value)  # the publisher's own check: StreamNameError is a ValueError

    @field_validator("child_workflow")
    @classmethod
    def _child_workflow(cls, value: str) -> str:
        if value not in CHILD_WORKFLOWS:
            raise ValueError(
                f"{quote(value)} is not a child workflow type (one of {', '.join(CHILD_WORKFLOWS)})"
            )
        return value

    @field_validator("scanner_account", mode="before")
    @classmethod
    def _scanner_account(cls, raw: Any) -> Any:
        if raw in (None, ""):
            return None
        if not (isinstance(raw, str) and ACCOUNT_ID.fullmatch(raw)):
            raise ValueError(f"{quote(str(raw))} is not a 12-digit AWS account id")
        return raw

    @field_validator("log_retention_days")
    @classmethod
    def _retention(cls, value: int) -> int:
        if value not in LOG_RETENTION_DAYS:
            raise ValueError(f"{value} is not a CloudWatch Logs retention (one of {LOG_RETENTION_DAYS})")
        return value

    @model_validator(mode="after")
    def _fits_lambda_environment(self) -> DeployConfig:
        if len(self.to_json()) > ENVIRONMENT_BUDGET:
            raise ValueError(
                f"{len(self.policy.accounts)} accounts do not fit in the Lambda environment; "
                "scan the whole Organization instead (maptag:organization=true)"
            )
        return self

    @property
    def role_name(self) -> str:
        return self.policy.role_name or DEFAULT_ROLE_NAME

    @property
    def expected_run_hours(self) -> int:
        """Hours without a started run before the missed-run alarm fires."""
        if self.missed_run_hours is not None:
            return self.missed_run_hours
        rate = _RATE.fullmatch(self.schedule)
        if rate is not None:
            n, unit = int(rate.group(1)), rate.group(2)
            hours = n * 24 if unit.startswith("day") else n if unit.startswith("hour") else -(-n // 60)
            return min(hours + 1, 168)
        return 25  # a cron schedule: daily is the common case

    @property
    def schedule_interval_seconds(self) -> int:
        """The time between runs, for Migration Hub's NextUpdateSeconds (docs/contracts.md)."""
        return (self.expected_run_hours - 1 or 1) * 3600

    def to_json(self) -> str:
        return self.model_dump_json(exclude_none=True)

    @classmethod
    def from_json(cls, text: str) -> DeployConfig:
        """The configuration a handler finds in its environment (written by app.py)."""
        return cls.model_validate_json(text)

    @classmethod
    def from_context(cls, context: Mapping[str, Any]) -> DeployConfig:
        """Validate CDK context (`maptag:KEY` entries) or raise PolicyError naming the key."""
        values: dict[str, Any] = {}
        for key, value in context.items():
            if key.startswith(CONTEXT_PREFIX):
                values[key.removeprefix(CONTEXT_PREFIX).replace("-", "_")] = _parse(value)
        policy_keys = set(Policy.model_fields)
        own_keys = set(cls.model_fields) - {"policy"}
        unknown = sorted(set(values) - policy_keys - own_keys)
        if unknown:
            raise PolicyError(f"{CONTEXT_PREFIX}{unknown[0]}: unknown setting")
        for key in _integer_keys(cls) & set(values):
            # `-c maptag:max_concurrency=16` arrives as the string "16"
            if isinstance(values[key], str) and values[key].strip().lstrip("-").isdigit():
                values[key] = int(values[key])
        policy_values = {k: v for k, v in values.items() if k in policy_keys}
        policy_values.setdefault("role_name", DEFAULT_ROLE_NAME)
        try:
            policy = Policy.build(**policy_values)
        except PolicyError as error:
            # Policy's only whole-model check is accounts vs organization: name the switch.
            text = (
                str(error).replace("policy: ", "organization: ", 1)
                if str(error).startswith("policy: ")
                else str(error)
            )
            raise PolicyError(f"{CONTEXT_PREFIX}{text}") from None
        try:
            return cls.model_validate(
                {"policy": policy, **{k: v for k, v in values.items() if k in own_keys}}
            )
        except ValidationError as error:
            message = _one_line(error)
            if message.startswith("policy: "):
                # whole-model checks (the environment budget) are about the accounts list
                message = "accounts: " + message.removeprefix("policy: ")
            raise PolicyError(f"{CONTEXT_PREFIX}{message}") from None


def _integer_keys(model: type[BaseModel]) -> set[str]:
    fields = {**Policy.model_fields, **model.model_fields}
    return {name for name, info in fields.items() if info.annotation in (int, int | None)}


def _parse(value: Any) -> Any:
    """`-c KEY=VALUE` always gives a string: read 'true'/'false'/'null' as JSON would."""
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in ("true", "false"):
            return lowered == "true"
        if lowered in ("null", "none"):
            return None
    return value

"""The deployment's configuration: the scan Policy plus how and where the deployed workflow runs.

One model for `cdk synth` (CDK context: cdk.json defaults, `-c maptag:KEY=VALUE` overrides)
and the Lambda handlers (the same values, serialised into their environment). The policy part
is validated by maptag.policy.Policy, exactly as for the CLI; a bad value raises PolicyError
with one line that names the context key.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from maptag.app import checks
from maptag.policy import ACCOUNT_ID, Policy, PolicyError, _one_line
from maptag.rules import quote
from maptag.sinks import registry
from maptag.sinks.security_hub import DEFAULT_REFRESH_DAYS

if TYPE_CHECKING:
    from maptag.app.settings import Sourced

COST_SOURCES = ("cost-explorer", "athena")
_GLUE_NAME = re.compile(r"[a-z0-9_]{1,255}")
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
# Context keys are `maptag:<setting>`; the CDK's own keys (feature flags, cli-telemetry) pass by.
CONTEXT_PREFIX = "maptag:"
# `-c maptag:config=maptag.toml`: the engagement file `maptag scan --config` reads.
CONFIG_KEY = "config"
# What the deployment takes from that file (its other keys describe a laptop run: the report's
# format and file, --publish, --fail-under, the laptop's thread count, the local outbox).
FILE_SETTINGS = {
    "mpe_ids": "mpe_ids",
    "regions": "regions",
    "accounts": "accounts",
    "organization": "organization",
    "role_name": "role_name",
    "agreement_start": "agreement_start",
    "types": "types",
    "exclusions": "exclusions",
    "accept_legacy": "accept_legacy",
    "prefixes": "prefixes",
    "server_tasks": "server_tasks",
    "stream": "hub_stream",
    "securityhub_refresh_days": "securityhub_refresh_days",
}
# The docs' example MPE ids (docs/map-tagging-rules.md): never a real engagement.
SAMPLE_MPE_IDS = ("12345", "ABCDE12345")
# The Distributed Map runs one unit per child at a time, up to this many at once: enough for
# 1,000 accounts × 17 regions in under 15 minutes (docs/deploy.md), a small share of the
# account's default 1,000 concurrent Lambda executions. Fewer units, fewer children.
MAP_CONCURRENCY_CEILING = 64
# Validation context of a handler reading the configuration app.py validated at synth.
DEPLOYED = "deployed"

INVENTORY = ("weekly", "always", "off")
# The sinks a deployment can use, and its defaults, as each sink declares (sinks/registry.py);
# Migration Hub on by default: an account without a home region is skipped (docs/reliability.md).
SINKS = registry.DEPLOYED_NAMES
DEFAULT_SINKS = registry.DEFAULT_NAMES
DEFAULT_SCHEDULE = "cron(0 6 * * ? *)"
DEFAULT_ROLE_NAME = "maptag-member-readonly"
# The Distributed Map's child workflows: Express (at most 5 minutes each, billed per request
# and duration) or Standard (no time limit, billed per state transition).
CHILD_WORKFLOWS = ("express", "standard")
# Remediation after each scan (docs/fix.md, "In the deployment"): off (nothing deployed can
# write a tag), plan (the plan only, in the reports bucket), apply (the tagger role writes).
REMEDIATION_MODES = ("off", "plan", "apply")
TAGGER_ROLE_NAME = "maptag-member-tagger"

# EventBridge Scheduler's expressions: rate(N unit) or a six-field cron(...).
_RATE = re.compile(r"rate\(([1-9][0-9]*) (minute|minutes|hour|hours|day|days)\)")
_CRON = re.compile(r"cron\((\S+ ){5}\S+\)")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_ORGANIZATION_ID = re.compile(r"o-[a-z0-9]{10,32}")
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
    # Per account × region CloudWatch metrics (4 custom metrics each, $0.30 a metric-month):
    # off by default; each unit's coverage is a log line and a history row either way.
    unit_metrics: bool = False
    # Days between re-imports of an unchanged Security Hub finding (0: every run).
    securityhub_refresh_days: int = DEFAULT_REFRESH_DAYS
    hub_stream: str = "MAP-Tagging"
    child_workflow: str = "express"
    remediation: str = "off"
    remediation_max_changes: int = Field(default=100, ge=1, le=10000)
    scanner_account: str | None = None
    # Member roles also require the scanner to be in this Organization (aws:PrincipalOrgID).
    organization_id: str | None = None
    log_retention_days: int = 90
    history_ttl_days: int = Field(default=400, ge=1, le=3650)
    report_retention_days: int = Field(default=400, ge=1, le=3650)
    # A run that did not start within this many hours raises the "missed run" alarm.
    missed_run_hours: int | None = Field(default=None, ge=1, le=168)
    # Spend per resource (docs/costs.md): off, cost-explorer, or athena over the customer's
    # CUR 2.0 table (cur_database.cur_table, its data in cur_bucket); credit_rate in percent.
    costs: str | None = None
    cur_database: str | None = None
    cur_table: str | None = None
    cur_bucket: str | None = None
    credit_rate: float | None = None
    # What the Tagging API sees that the scan does not cover (docs/resource-types.md): on the
    # first run of each ISO week (weekly), every run (always), or never (off).
    inventory: str = "weekly"

    @field_validator("inventory")
    @classmethod
    def _inventory(cls, value: str) -> str:
        if value not in INVENTORY:
            raise ValueError(f"{quote(value)} is not one of {', '.join(INVENTORY)}")
        return value

    def inventory_due(self, started_at: datetime) -> bool:
        """Whether this run counts the unscanned types: weekly means the week's first run."""
        if self.inventory != "weekly":
            return self.inventory == "always"
        previous = started_at - timedelta(seconds=self.schedule_interval_seconds)
        return previous.isocalendar()[:2] != started_at.isocalendar()[:2]

    @field_validator("costs", mode="before")
    @classmethod
    def _costs(cls, raw: Any) -> Any:
        if raw in (None, "", "off"):
            return None
        if raw not in COST_SOURCES:
            raise ValueError(
                f"{quote(str(raw))} is not a cost source (one of {', '.join(COST_SOURCES)}, or off)"
            )
        return raw

    @field_validator("cur_database", "cur_table", mode="before")
    @classmethod
    def _glue_name(cls, raw: Any) -> Any:
        if raw in (None, ""):
            return None
        if not (isinstance(raw, str) and _GLUE_NAME.fullmatch(raw)):
            raise ValueError(f"{quote(str(raw))} is not a Glue database or table name (a-z, 0-9, _)")
        return raw

    @field_validator("cur_bucket", mode="before")
    @classmethod
    def _bucket(cls, raw: Any) -> Any:
        if raw in (None, ""):
            return None
        if not (isinstance(raw, str) and _BUCKET.fullmatch(raw)):
            raise ValueError(f"{quote(str(raw))} is not an S3 bucket name")
        return raw

    @field_validator("credit_rate", mode="before")
    @classmethod
    def _credit_rate(cls, raw: Any) -> Any:
        if raw in (None, ""):
            return None
        return checks.credit_rate(raw)

    @model_validator(mode="after")
    def _cost_settings(self) -> DeployConfig:
        if self.costs == "athena":
            missing = [
                name for name in ("cur_database", "cur_table", "cur_bucket") if getattr(self, name) is None
            ]
            if missing:
                raise ValueError(f"{missing[0]}: needed with costs=athena (the CUR 2.0 table and its bucket)")
        if self.credit_rate is not None and self.costs is None:
            raise ValueError(f"credit_rate: {self.credit_rate:g} needs costs (credits are a share of spend)")
        return self

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
    def _time_zone(cls, value: str, info: ValidationInfo) -> str:
        if info.context and info.context.get(DEPLOYED):
            return value  # checked at synth; a Lambda without a tz database must still run
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{quote(value)} is not an IANA time zone such as Europe/Paris") from None
        return value

    @field_validator("sinks", mode="before")
    @classmethod
    def _sinks(cls, raw: Any) -> tuple[str, ...]:
        return checks.sinks(raw, SINKS)

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
        return checks.refresh_days(raw)

    @field_validator("hub_stream")
    @classmethod
    def _stream(cls, value: str) -> str:
        return checks.stream(value)

    @field_validator("child_workflow")
    @classmethod
    def _child_workflow(cls, value: str) -> str:
        if value not in CHILD_WORKFLOWS:
            raise ValueError(
                f"{quote(value)} is not a child workflow type (one of {', '.join(CHILD_WORKFLOWS)})"
            )
        return value

    @field_validator("remediation")
    @classmethod
    def _remediation(cls, value: str) -> str:
        if value not in REMEDIATION_MODES:
            raise ValueError(
                f"{quote(value)} is not a remediation mode (one of {', '.join(REMEDIATION_MODES)})"
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

    @field_validator("organization_id", mode="before")
    @classmethod
    def _organization_id(cls, raw: Any) -> Any:
        if raw in (None, ""):
            return None
        if not (isinstance(raw, str) and _ORGANIZATION_ID.fullmatch(raw)):
            raise ValueError(f"{quote(str(raw))} is not an Organization id such as o-a1b2c3d4e5")
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

    @property
    def placeholder(self) -> str | None:
        """Why this is no customer's engagement (the docs' sample MPE id), or None.

        `cdk synth` / `cdk deploy` refuse it (app.py); the tests' embedded estates use it.
        """
        sample = next((mpe for mpe in self.policy.mpe_ids_bare if mpe in SAMPLE_MPE_IDS), None)
        if sample is None:
            return None
        return (
            f"{CONTEXT_PREFIX}mpe_ids: {quote(sample)} is the documentation's sample MPE id, not your "
            f"engagement: set yours with -c {CONTEXT_PREFIX}mpe_ids=... or mpe-id in the "
            f"{CONTEXT_PREFIX}{CONFIG_KEY} file"
        )

    @property
    def warnings(self) -> list[str]:
        """What synth says but lets pass: an engagement with no agreement start, unusual ids."""
        found = list(self.policy.warnings)
        if self.policy.agreement_start is None:
            found.append(
                f"{CONTEXT_PREFIX}agreement_start: not set, so every resource counts as migrated "
                "whatever its age: set your MAP agreement's start (YYYY-MM-DD) with "
                f"-c {CONTEXT_PREFIX}agreement_start=... or agreement-start in the "
                f"{CONTEXT_PREFIX}{CONFIG_KEY} file"
            )
        return found

    def to_json(self) -> str:
        return self.model_dump_json(exclude_none=True)

    @classmethod
    def from_json(cls, text: str) -> DeployConfig:
        """The configuration a handler finds in its environment (written and checked by app.py)."""
        return cls.model_validate_json(text, context={DEPLOYED: True})

    @classmethod
    def from_context(cls, context: Mapping[str, Any]) -> DeployConfig:
        """Validate CDK context (`maptag:KEY` entries, and the `maptag:config` file they name)
        or raise PolicyError naming the key (and the file)."""
        from maptag.app.settings import overlay

        given: dict[str, Any] = {}
        for key, value in context.items():
            if key.startswith(CONTEXT_PREFIX) and key != CONTEXT_PREFIX + CONFIG_KEY:
                given[key.removeprefix(CONTEXT_PREFIX).replace("-", "_")] = _parse(value)
        own_keys = set(cls.model_fields) - {"policy"}
        # a deployment setting of the same name (inventory: weekly/always/off) is not the policy's
        policy_keys = set(Policy.model_fields) - own_keys
        unknown = sorted(set(given) - policy_keys - own_keys)
        if unknown:
            raise PolicyError(f"{CONTEXT_PREFIX}{unknown[0]}: unknown setting")
        for key in _integer_keys(cls) & set(given):
            # `-c maptag:max_concurrency=16` arrives as the string "16"
            if isinstance(given[key], str) and given[key].strip().lstrip("-").isdigit():
                given[key] = int(given[key])
        # Context given explicitly wins over the file, as flags do over `maptag scan --config`.
        file = _engagement_file(context.get(CONTEXT_PREFIX + CONFIG_KEY))
        chosen = overlay(file, given, {key: f"{CONTEXT_PREFIX}{key}" for key in given})
        values = chosen.values

        def label(name: str) -> str:
            return chosen.label(name, f"{CONTEXT_PREFIX}{name}")

        for name, what in (("mpe_ids", "your MPE id(s)"), ("regions", "the regions to scan")):
            if not values.get(name):
                raise PolicyError(
                    f"{CONTEXT_PREFIX}{name}: not set: give {what} with -c {CONTEXT_PREFIX}{name}=... "
                    f"or in the engagement file named by -c {CONTEXT_PREFIX}{CONFIG_KEY}=maptag.toml"
                )
        policy_values = {k: v for k, v in values.items() if k in policy_keys}
        policy_values.setdefault("role_name", DEFAULT_ROLE_NAME)
        # With no account list the deployment scans the whole Organization.
        policy_values.setdefault("organization", not policy_values.get("accounts"))
        try:
            policy = Policy.build(**policy_values)
        except PolicyError as error:
            raise PolicyError(_relabel(str(error), label)) from None
        if "max_concurrency" not in values:
            policy = policy.model_copy(update={"max_concurrency": map_concurrency(policy)})
        try:
            return cls.model_validate(
                {"policy": policy, **{k: v for k, v in values.items() if k in own_keys}}
            )
        except ValidationError as error:
            message = _one_line(error)
            if message.startswith("policy: "):
                # whole-model checks name their setting, or (the environment budget) are
                # about the accounts list
                rest = message.removeprefix("policy: ")
                message = rest if rest.split(":", 1)[0] in cls.model_fields else "accounts: " + rest
            raise PolicyError(_relabel(message, label)) from None


def map_concurrency(policy: Policy) -> int:
    """The Distributed Map's MaxConcurrency: the number of units, up to the ceiling."""
    if policy.organization:
        return MAP_CONCURRENCY_CEILING
    units = max(1, len(policy.accounts)) * len(policy.regions)
    return min(MAP_CONCURRENCY_CEILING, units)


def _relabel(message: str, label: Callable[[str], str]) -> str:
    """A "field: text" validation line with the field named where it was set."""
    name, _, text = message.partition(": ")
    if name == "policy":  # Policy's one whole-model check: accounts vs organization
        return f"{label('organization')}: {text}"
    return f"{label(name)}: {text}"


def _engagement_file(path: Any) -> Sourced:
    """The deployment's settings in `maptag scan`'s TOML file, each with where it came from."""
    # Imported here: the handlers, which also import this module, never read the file.
    from maptag.app.errors import UsageError
    from maptag.app.settings import Sourced, load_config

    if path in (None, ""):
        return Sourced()

    try:
        loaded = load_config(Path(str(path)))
    except UsageError as error:
        raise PolicyError(str(error).replace("--config", f"{CONTEXT_PREFIX}{CONFIG_KEY}", 1)) from None
    return Sourced(
        values={FILE_SETTINGS[k]: v for k, v in loaded.values.items() if k in FILE_SETTINGS},
        origin={FILE_SETTINGS[k]: loaded.origin[k] for k in loaded.values if k in FILE_SETTINGS},
    )


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

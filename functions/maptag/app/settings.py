"""The settings of `maptag scan` and `maptag fix`: one pydantic model for flags and the TOML file.

Each field declares its flag and its config-file key (`Spelling`); each value keeps where it
came from (`Sourced.origin`: "--mpe-id", "'mpe-id' in 'maptag.toml'"), so the one-line error
names the bad value and its origin. The deployment (deploy_config.py) reads the same file
through `load_config` and shares the checks in app/checks.py. Adding a setting: one field
here with its Spelling; a flag in the command's parser if it has one (docs/architecture.md).
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, TypeAdapter, ValidationError, field_validator
from pydantic import model_validator as _model_validator

from maptag.app import checks
from maptag.app.errors import UsageError
from maptag.rules import quote
from maptag.sinks.migration_hub import NAME as MIGRATION_HUB

FORMATS = ("table", "json", "csv", "html")

# How a setting's value is spelled: "items" is a list of strings (one string is one item),
# "list" a list of strings or one comma-separated string.
Kind = Literal["items", "list", "bool", "int", "number", "text", "date"]

_KIND_WORDS: dict[str, str] = {
    "items": "a string or a list of strings",
    "list": "a list of strings or a comma-separated string",
    "bool": "true or false",
    "int": "an integer",
    "number": "a number",
    "text": "a string",
    "date": "a date (YYYY-MM-DD)",
}


@dataclass(frozen=True)
class Spelling:
    """How the user spells a setting: its flag (None: config file only), its TOML key
    (the same with `_` for `-` is accepted too) and older names of the key."""

    flag: str | None
    key: str
    aliases: tuple[str, ...] = ()


def shown(value: Any) -> str:
    """A TOML value as the user wrote it: strings quoted, everything else bare."""
    if isinstance(value, str):
        return quote(value, 80)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date | datetime):
        return value.isoformat()
    return quote(repr(value), 80)[1:-1]


def of_kind(kind: Kind, value: Any) -> Any:
    """A value checked against its kind (TOML has types; flags arrive typed by argparse)."""
    wrong = ValueError(f"{shown(value)} is not {_KIND_WORDS[kind]}")
    if kind in ("items", "list"):
        if isinstance(value, str):
            items = [value] if kind == "items" else [part.strip() for part in value.split(",")]
        elif isinstance(value, list | tuple) and all(isinstance(item, str) for item in value):
            items = list(value)
        else:
            raise wrong
        items = [item for item in items if item.strip()] if kind == "list" else items
        if not items:
            raise ValueError(f"{shown(value)} is empty")
        return items
    if kind == "bool":
        if not isinstance(value, bool):
            raise wrong
        return value
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise wrong
        return value
    if kind == "number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise wrong
        return float(value)
    if kind == "date":
        # TOML's own date type, or a string the policy parses.
        if isinstance(value, date) and not isinstance(value, datetime):
            return value.isoformat()
        if not isinstance(value, str):
            raise wrong
        return value
    if not isinstance(value, str):
        raise wrong
    return value


def _kind(kind: Kind) -> BeforeValidator:
    return BeforeValidator(lambda value: of_kind(kind, value))


Items = Annotated[list[str], _kind("items")]
Listed = Annotated[list[str], _kind("list")]
Flag = Annotated[bool, _kind("bool")]
Whole = Annotated[int, _kind("int")]
Number = Annotated[float, _kind("number")]
Text = Annotated[str, _kind("text")]
Day = Annotated[str, _kind("date")]


class ScopeSettings(BaseModel):
    """What to scan and how to judge it (`maptag scan`, `maptag fix`): the Policy's fields,
    checked here for their kind only (maptag.policy.Policy checks their values)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    mpe_ids: Annotated[Items | None, Spelling("--mpe-id", "mpe-id", ("mpe-ids",))] = None
    regions: Annotated[Listed | None, Spelling("--regions", "regions")] = None
    accounts: Annotated[Listed | None, Spelling("--accounts", "accounts")] = None
    organization: Annotated[Flag | None, Spelling("--org", "org", ("organization",))] = None
    role_name: Annotated[Text | None, Spelling("--role-name", "role-name")] = None
    agreement_start: Annotated[Day | None, Spelling("--agreement-start", "agreement-start")] = None
    types: Annotated[Listed | None, Spelling("--types", "types")] = None
    exclusions: Annotated[Items | None, Spelling("--exclude", "exclude", ("exclusions",))] = None
    accept_legacy: Annotated[Flag | None, Spelling("--accept-legacy", "accept-legacy")] = None
    inventory: Annotated[Flag | None, Spelling("--inventory", "inventory")] = None
    max_concurrency: Annotated[Whole | None, Spelling("--max-concurrency", "max-concurrency")] = None
    prefixes: Annotated[Listed | None, Spelling(None, "prefixes")] = None


class ScanSettings(ScopeSettings):
    """`maptag scan`'s settings: the scope plus what to do with the results."""

    format: Annotated[Text | None, Spelling("--format", "format")] = None
    output: Annotated[Text | None, Spelling("--output", "output")] = None
    publish: Annotated[Listed | None, Spelling("--publish", "publish")] = None
    dry_run: Annotated[Flag | None, Spelling("--dry-run", "dry-run")] = None
    fail_under: Annotated[Number | None, Spelling("--fail-under", "fail-under")] = None
    # since when and how much (docs/costs.md)
    costs: Annotated[Text | None, Spelling("--costs", "costs")] = None
    credit_rate: Annotated[Number | None, Spelling("--credit-rate", "credit-rate")] = None
    # Migration Hub (with --publish migration-hub)
    stream: Annotated[Text | None, Spelling("--stream", "stream")] = None
    server_tasks: Annotated[Flag | None, Spelling("--server-tasks", "server-tasks")] = None
    next_update_seconds: Annotated[Whole | None, Spelling("--next-update-seconds", "next-update-seconds")] = (
        None
    )
    outbox: Annotated[Text | None, Spelling("--outbox", "outbox")] = None
    # Security Hub (with --publish security-hub); config file only
    securityhub_refresh_days: Annotated[Whole | None, Spelling(None, "securityhub-refresh-days")] = None

    @field_validator("format")
    @classmethod
    def _format(cls, value: str | None) -> str | None:
        if value is not None and value not in FORMATS:
            raise ValueError(f"unknown format {quote(value)} (known: {', '.join(FORMATS)})")
        return value

    @field_validator("fail_under")
    @classmethod
    def _fail_under(cls, value: float | None) -> float | None:
        if value is not None and not (math.isfinite(value) and 0 <= value <= 100):
            raise ValueError(f"{value:g} is not a percentage from 0 to 100")
        return value

    @field_validator("publish")
    @classmethod
    def _publish(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        return list(checks.laptop_sinks(value))

    @field_validator("securityhub_refresh_days")
    @classmethod
    def _refresh_days(cls, value: int | None) -> int | None:
        return None if value is None else checks.refresh_days(value)

    @field_validator("output")
    @classmethod
    def _output(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError(f"{quote(value)} is not a file name")
        return value

    @_model_validator(mode="after")
    def _with_what_needs_them(self) -> ScanSettings:
        """Checks of one setting that apply only with another (named "field: message")."""
        if MIGRATION_HUB in (self.publish or ()):
            try:
                checks.stream(self.stream if self.stream is not None else checks.DEFAULT_STREAM)
            except ValueError as error:
                raise ValueError(f"stream: {error}") from None
            seconds = self.next_update_seconds
            if seconds is not None and seconds < 0:
                raise ValueError(f"next_update_seconds: {seconds!r} is not a number of seconds (0 or more)")
        if self.costs is not None:
            try:
                checks.cost_source(self.costs)
            except ValueError as error:
                raise ValueError(f"costs: {error}") from None
        if self.credit_rate is not None:
            try:
                rate = checks.credit_rate(self.credit_rate)
            except ValueError as error:
                raise ValueError(f"credit_rate: {error}") from None
            if self.costs is None:
                raise ValueError(f"credit_rate: {rate:g} needs --costs (credits are a share of spend)")
        return self


@cache
def spellings(model: type[BaseModel] = ScanSettings) -> dict[str, Spelling]:
    """Each setting's Spelling by field name, in the model's order."""
    found = {}
    for name, info in model.model_fields.items():
        spelling = next((m for m in info.metadata if isinstance(m, Spelling)), None)
        if spelling is not None:
            found[name] = spelling
    return found


@cache
def _by_config_key() -> dict[str, str]:
    return {
        spelling_: name
        for name, spelling in spellings().items()
        for key in (spelling.key, *spelling.aliases)
        for spelling_ in (key, key.replace("-", "_"))
    }


@cache
def _adapter(name: str) -> TypeAdapter[Any]:
    annotation = ScanSettings.model_fields[name].annotation
    assert annotation is not None  # every field is annotated
    return TypeAdapter(annotation)


@dataclass
class Sourced:
    """Setting values by field name, and where each came from, to name it in an error."""

    values: dict[str, Any] = field(default_factory=dict)
    origin: dict[str, str] = field(default_factory=dict)

    def get(self, name: str, default: Any = None) -> Any:
        value = self.values.get(name)
        return default if value is None else value

    def label(self, name: str, default: str | None = None) -> str:
        """Where the setting came from; one never given is named by ``default``, else by its
        flag (or its config key)."""
        if name in self.origin:
            return self.origin[name]
        spelling = spellings().get(name)
        if default is not None or spelling is None:
            return default or name
        return spelling.flag or f"'{spelling.key}'"

    def only(self, names: Mapping[str, Any] | set[str]) -> Sourced:
        """These settings alone (`maptag fix` keeps the scope of a file shared with `scan`)."""
        return Sourced(
            values={k: v for k, v in self.values.items() if k in names},
            origin={k: v for k, v in self.origin.items() if k in names},
        )

    def as_argv(self) -> list[str]:
        """The command line that gives these settings (what the demo shows it runs)."""
        argv: list[str] = []
        for name, spelling in spellings().items():
            value = self.values.get(name)
            if value is None or spelling.flag is None:
                continue
            if isinstance(value, bool):
                argv.append(spelling.flag if value else "--no-" + spelling.flag.removeprefix("--"))
            elif isinstance(value, list | tuple):
                if name in ("exclusions",):  # repeated, never comma-joined (a rule may hold one)
                    argv += [part for item in value for part in (spelling.flag, item)]
                else:
                    argv += [spelling.flag, ",".join(value)]
            else:
                argv += [spelling.flag, f"{value:g}" if isinstance(value, float) else str(value)]
        return argv


def checked(model: type[ScopeSettings], chosen: Sourced) -> Sourced:
    """The settings through the model (every check), or a UsageError naming the first bad one
    where it came from."""
    try:
        settings = model.model_validate(chosen.values)
    except ValidationError as error:
        name, message = _problem(error)
        raise UsageError(f"{chosen.label(name)}: {message}") from None
    values = {name: getattr(settings, name) for name in settings.model_fields_set}
    return Sourced(values=values, origin=dict(chosen.origin))


def _problem(error: ValidationError) -> tuple[str, str]:
    """The first problem's setting and message."""
    first = error.errors()[0]
    if first["loc"]:
        return str(first["loc"][0]), _message(error)
    name, _, rest = _message(error).partition(": ")  # a whole-model check names its field
    return name, rest


def _message(error: ValidationError) -> str:
    return error.errors()[0]["msg"].removeprefix("Value error, ")


_TOML_POSITION = re.compile(r"\(at line (\d+), column \d+\)")


def load_config(path: Path) -> Sourced:
    """The settings in a TOML file, each checked for its kind (one-line UsageError if not)."""
    shown_path = quote(str(path), 200)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"--config: file {shown_path} not found") from None
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) else "not UTF-8 text"
        raise UsageError(f"--config: cannot read {shown_path}: {reason}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise UsageError(f"--config {shown_path}: invalid TOML: {_toml_problem(error, text)}") from None
    loaded = Sourced()
    for key, value in data.items():
        name = _by_config_key().get(key)
        if name is None:
            known = ", ".join(s.key for s in spellings().values())
            raise UsageError(f"--config {shown_path}: unknown setting {quote(key)} (known: {known})")
        where = f"{spellings()[name].key!r} in {shown_path}"
        if name in loaded.values:
            raise UsageError(f"{where}: given twice (as {quote(key)} and another spelling)")
        try:
            loaded.values[name] = _adapter(name).validate_python(value)
        except ValidationError as error:
            raise UsageError(f"{where}: {_message(error)}") from None
        loaded.origin[name] = where
    return loaded


def _toml_problem(error: tomllib.TOMLDecodeError, text: str) -> str:
    """tomllib's message plus the offending line, so the message shows the bad value."""
    message = str(error)
    lines = text.splitlines()
    position = _TOML_POSITION.search(message)
    if position is not None:
        number = int(position.group(1))
        line = lines[number - 1].strip() if 0 < number <= len(lines) else ""
    else:  # "at end of document": the last line is where it went wrong
        line = next((line.strip() for line in reversed(lines) if line.strip()), "")
    return f"{message}: {quote(line, 120)}" if line else message


def overlay(base: Sourced, given: Mapping[str, Any], origin: Mapping[str, str]) -> Sourced:
    """``given`` over ``base``, each with its origin: a value given wins, and an account list
    given replaces the base's organization switch and back. Flags over the --config file, and
    the deployment's CDK context over its file (deploy_config.py)."""
    values, origins = dict(base.values), dict(base.origin)
    if "accounts" in given and "organization" not in given:
        values.pop("organization", None)
    if given.get("organization") is True:
        values.pop("accounts", None)
    values.update(given)
    origins.update(origin)
    return Sourced(values=values, origin=origins)


def resolve(
    flags: Mapping[str, Any], config: Path | None, model: type[ScopeSettings] = ScanSettings
) -> Sourced:
    """The config file's settings with the flags given on the command line on top, checked.

    ``flags``: the command line's values by field name (None: not given), e.g. vars(args).
    """
    base = load_config(config) if config is not None else Sourced()
    given = {
        name: flags[name]
        for name, spelling in spellings().items()
        if spelling.flag is not None and flags.get(name) is not None
    }
    if {"accounts", "organization"} <= set(given) and given["organization"]:
        raise UsageError(f"--org: not allowed with --accounts {','.join(given['accounts'])}: give one")
    merged = overlay(base, given, {name: spellings()[name].flag or name for name in given})
    if model is not ScanSettings:
        merged = merged.only(set(model.model_fields))
    return checked(model, merged)

"""The validated policy: what to scan and how to judge it.

One model for the CLI (flags and TOML), the CDK context and the Lambda handlers. Validation
happens here, once, at the edge; a bad value raises PolicyError with one line that names it.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Mapping, Sequence
from datetime import date
from functools import cached_property
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from maptag.resources.declarations import TYPE_NAMES
from maptag.rules import (
    DEFAULT_PREFIX,
    MPE_ID,
    MPE_ID_LOOSE,
    PREFIXES,
    bare_mpe_id,
    is_full_value,
    quote,
    split_value,
)

# What an AWS region name and an account id look like, for every input that names one.
REGION_NAME = re.compile(r"[a-z]{2}(-[a-z]+)+-[0-9]{1,2}")
ACCOUNT_ID = re.compile(r"[0-9]{12}")
_ROLE_NAME = re.compile(r"[\w+=,.@-]{1,64}")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class PolicyError(ValueError):
    """A configuration value is wrong; the message is one line and names the value."""


class ExclusionRule(BaseModel):
    """`tag:KEY`, `tag:KEY=VALUE` or `arn:GLOB` (shell-style, e.g. `arn:aws:s3:::cdk-*`)."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["tag", "arn"]
    key: str | None = None
    value: str | None = None
    pattern: str | None = None

    @classmethod
    def parse(cls, text: str) -> ExclusionRule:
        if text.startswith("tag:") and len(text) > 4:
            key, sep, value = text[4:].partition("=")
            if key:
                return cls(kind="tag", key=key, value=value if sep else None)
        if text.startswith("arn:") and len(text) > 4:
            return cls(kind="arn", pattern=text)
        raise ValueError(f"exclusion rule {quote(text)} is neither tag:KEY[=VALUE] nor an ARN glob (arn:...)")

    def matches(self, arn: str, tags: Mapping[str, str] | None) -> bool:
        if self.kind == "arn":
            return fnmatch.fnmatchcase(arn, self.pattern or "")
        if tags is None or self.key is None or self.key not in tags:
            return False
        return self.value is None or tags[self.key] == self.value

    def __str__(self) -> str:
        if self.kind == "arn":
            return str(self.pattern)
        return f"tag:{self.key}" + ("" if self.value is None else f"={self.value}")


class Policy(BaseModel):
    """What to scan (accounts × regions × types) and what counts as a correct tag."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    mpe_ids: tuple[str, ...] = Field(min_length=1)
    prefixes: tuple[str, ...] = PREFIXES
    accept_legacy: bool = False
    # also count what the Tagging API sees that the scan does not cover (--inventory)
    inventory: bool = False
    agreement_start: date | None = None
    regions: tuple[str, ...] = Field(min_length=1)
    accounts: tuple[str, ...] = ()
    organization: bool = False
    role_name: str | None = None
    types: tuple[str, ...] = TYPE_NAMES
    exclusions: tuple[ExclusionRule, ...] = ()
    max_concurrency: int = Field(default=8, ge=1, le=64)

    @classmethod
    def build(cls, **values: Any) -> Policy:
        """Validate raw values (flags, TOML, CDK context) into a Policy or raise PolicyError."""
        try:
            return cls.model_validate(values)
        except ValidationError as error:
            raise PolicyError(_one_line(error)) from None

    @field_validator("mpe_ids", mode="before")
    @classmethod
    def _mpe_ids(cls, raw: Any) -> tuple[str, ...]:
        ids = as_tuple(raw)
        for text in ids:
            problem = _mpe_id_problem(text)
            if problem is not None:
                raise ValueError(problem)
        return tuple(dict.fromkeys(ids))

    @field_validator("prefixes", mode="before")
    @classmethod
    def _prefixes(cls, raw: Any) -> tuple[str, ...]:
        return known_names(raw, PREFIXES, "prefix")

    @field_validator("agreement_start", mode="before")
    @classmethod
    def _agreement_start(cls, raw: Any) -> Any:
        if isinstance(raw, str):
            if not _DATE.fullmatch(raw):
                raise ValueError(f"{quote(raw)} is not a date YYYY-MM-DD")
            try:
                return date.fromisoformat(raw)
            except ValueError as error:
                raise ValueError(f"{quote(raw)} is not a valid date ({error})") from None
        return raw

    @field_validator("regions", mode="before")
    @classmethod
    def _regions(cls, raw: Any) -> tuple[str, ...]:
        return _checked(raw, REGION_NAME, "is not an AWS region name such as us-east-1")

    @field_validator("accounts", mode="before")
    @classmethod
    def _accounts(cls, raw: Any) -> tuple[str, ...]:
        return _checked(raw, ACCOUNT_ID, "is not a 12-digit AWS account id")

    @field_validator("role_name", mode="before")
    @classmethod
    def _role_name(cls, raw: Any) -> Any:
        if raw is not None and not (isinstance(raw, str) and _ROLE_NAME.fullmatch(raw)):
            raise ValueError(f"{quote(str(raw))} is not an IAM role name")
        return raw

    @field_validator("types", mode="before")
    @classmethod
    def _types(cls, raw: Any) -> tuple[str, ...]:
        return known_names(raw, TYPE_NAMES, "resource type")

    @field_validator("max_concurrency", mode="before")
    @classmethod
    def _max_concurrency(cls, raw: Any) -> Any:
        if isinstance(raw, bool) or not isinstance(raw, int) or not 1 <= raw <= 64:
            raise ValueError(f"{quote(str(raw))} is not a number of units from 1 to 64")
        return raw

    @field_validator("exclusions", mode="before")
    @classmethod
    def _exclusions(cls, raw: Any) -> tuple[Any, ...]:
        return tuple(ExclusionRule.parse(r) if isinstance(r, str) else r for r in as_tuple(raw))

    @model_validator(mode="after")
    def _accounts_or_org(self) -> Policy:
        if self.organization and self.accounts:
            raise ValueError("give either accounts or organization, not both")
        return self

    # Derived views used by the judge; computed once per policy.
    @cached_property
    def accepted_values(self) -> frozenset[str]:
        """Every tag value that is correct for this engagement."""
        values: set[str] = set()
        for text in self.mpe_ids:
            if is_full_value(text):
                values.add(text)
            else:
                values.update(prefix + text for prefix in self.prefixes)
        return frozenset(values)

    @cached_property
    def accepted_lower(self) -> dict[str, str]:
        return {value.lower(): value for value in sorted(self.accepted_values)}

    @cached_property
    def mpe_ids_bare(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(bare_mpe_id(text) for text in self.mpe_ids))

    @property
    def example_value(self) -> str:
        """The value a fix suggests: the first full value given, else the default prefix."""
        first = self.mpe_ids[0]
        return first if is_full_value(first) else DEFAULT_PREFIX + first

    @property
    def warnings(self) -> list[str]:
        return [_unusual(mpe) for mpe in self.mpe_ids_bare if not MPE_ID.fullmatch(mpe)]

    def to_report(self) -> dict[str, object]:
        """The ``policy`` object of ``maptag/scan-report@1``."""
        return {
            "mpe_ids": list(self.mpe_ids),
            "agreement_start": self.agreement_start.isoformat() if self.agreement_start else None,
            "regions": list(self.regions),
            "accounts": list(self.accounts),
            "organization": self.organization,
            "types": list(self.types),
            "accept_legacy": self.accept_legacy,
            "exclusions": [str(rule) for rule in self.exclusions],
        }


def _unusual(mpe: str) -> str:
    if len(mpe) == 5:
        return (
            f"MPE id {quote(mpe)} has 5 characters but is not 5 digits: a 5-character MPE id is all "
            "digits (only 10-character ids mix upper-case letters and digits)"
        )
    return (
        f"MPE id {quote(mpe)} has an unusual length ({len(mpe)}); MPE ids are usually "
        "5 digits or 10 upper-case letters and digits"
    )


def _mpe_id_problem(text: Any) -> str | None:
    """Why ``text`` is neither a bare MPE id nor a full tag value, or None when it is one.

    docs/contracts.md: a full value (mig12345) or a bare id (12345, ABCDE12345). Facts, "The tag":
    ids are 5 digits or 10 upper-case letters and digits; other lengths up to 44 are only
    unusual (Policy.warnings), but lower case, other characters and a stray prefix are wrong.
    """
    if not isinstance(text, str):
        return f"{quote(repr(text))} is not text"
    parts = split_value(text)
    if parts is not None and MPE_ID_LOOSE.fullmatch(parts[1]):
        return None
    lowered = split_value(text.lower())
    if MPE_ID_LOOSE.fullmatch(text) and (MPE_ID.fullmatch(text) or lowered is None):
        return None
    if text != text.strip():
        return f"{quote(text)} has surrounding whitespace"
    if lowered is not None and MPE_ID_LOOSE.fullmatch(lowered[1].upper()):
        expected = lowered[0] + lowered[1].upper()
        return (
            f"{quote(text)} is not a valid tag value: prefixes are lower-case and ids upper-case ({expected})"
        )
    if MPE_ID.fullmatch(text.upper()):
        return f"MPE id {quote(text)} must be upper-case ({text.upper()})"
    return (
        f"{quote(text)} is neither an MPE id (5 digits or 10 upper-case letters and digits) "
        f"nor a tag value such as {DEFAULT_PREFIX}12345"
    )


def as_tuple(raw: Any) -> tuple[Any, ...]:
    """A list setting as given: None, a comma-separated string (CLI, CDK context) or a list."""
    if raw is None:
        return ()
    if isinstance(raw, str):
        return tuple(part.strip() for part in raw.split(",") if part.strip())
    return tuple(raw)


def known_names(raw: Any, known: Sequence[str], noun: str) -> tuple[str, ...]:
    """A list of names each in ``known``; the first unknown one is named with the known ones."""
    names = as_tuple(raw)
    for name in names:
        if name not in known:
            raise ValueError(f"unknown {noun} {quote(str(name))} (known: {', '.join(known)})")
    return tuple(dict.fromkeys(names))


def _checked(raw: Any, pattern: re.Pattern[str], problem: str) -> tuple[str, ...]:
    values = as_tuple(raw)
    for value in values:
        if not isinstance(value, str) or not pattern.fullmatch(value):
            raise ValueError(f"{quote(str(value))} {problem}")
    return tuple(dict.fromkeys(values))


def _one_line(error: ValidationError) -> str:
    first = error.errors()[0]
    field = ".".join(str(part) for part in first["loc"] if not isinstance(part, int))
    message = first["msg"].removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        message = "unknown setting"
    elif first["type"] in ("too_short", "missing") and field in ("mpe_ids", "regions"):
        message = "at least one is required"
    elif first["type"] not in ("value_error",) and "input" in first:
        message = f"{quote(str(first['input']))}: {message}"
    return f"{field or 'policy'}: {message}"

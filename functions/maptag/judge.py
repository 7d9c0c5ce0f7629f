"""The verdict on one resource's tags: a pure function of the tags and the policy.

Each rule cites ../shared/docs/map-tagging-facts.md ("The tag"); design.md fixes the verdicts.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from maptag.model import Judgement, Verdict
from maptag.policy import Policy
from maptag.rules import (
    DEFAULT_PREFIX,
    LEGACY_KEYS,
    LEGACY_SERVER_ID,
    LEGACY_SERVER_PREFIX,
    MAP_KEY,
    MPE_ID,
    PREFIXES,
    is_near_miss_key,
    key_differences,
    quote,
    split_value,
)

_UNKNOWN_PREFIX = re.compile(r"([A-Za-z_\-]{1,16}?)[-_ ]?([0-9]{5}|[A-Z0-9]{10})")
_INNER_WHITESPACE = re.compile(r"\s+")


def judge(tags: Mapping[str, str] | None, policy: Policy, tag_error: str | None = None) -> Judgement:
    """The verdict on a resource's tags (never EXCLUDED: scoping is scope.py's job)."""
    if tags is None:
        # design.md: a resource whose tags could not be read is never reported as missing.
        return Judgement(Verdict.UNREADABLE, f"tags could not be read: {tag_error or 'unknown error'}")
    if MAP_KEY in tags:
        return _judge_value(tags[MAP_KEY], policy)
    near = sorted(k for k in tags if is_near_miss_key(k))
    if near:
        key = near[0]
        more = f" (and {len(near) - 1} more near-miss key(s))" if len(near) > 1 else ""
        return Judgement(
            Verdict.NEAR_MISS_KEY,
            f"key {quote(key)} differs from '{MAP_KEY}' by {' and '.join(key_differences(key))}{more}",
            key=key,
            value=tags[key],
            fix=f"rename key {quote(key)} to '{MAP_KEY}'"
            + _value_hint(tags[key], policy, " and set its value to "),
        )
    legacy = sorted(k for k in tags if k.strip().lower() in LEGACY_KEYS)
    if legacy:
        # Facts: older guides named these keys; recognise them as legacy, not garbage.
        return Judgement(
            Verdict.MISSING,
            f"only the legacy key {quote(legacy[0])} is present; MAP 2.0 needs '{MAP_KEY}'",
            key=legacy[0],
            fix=f"add tag {MAP_KEY}={policy.example_value}",
        )
    return Judgement(
        Verdict.MISSING,
        f"no '{MAP_KEY}' tag" if tags else f"no tags at all, so no '{MAP_KEY}' tag",
        fix=f"add tag {MAP_KEY}={policy.example_value}",
    )


def _value_hint(value: str, policy: Policy, lead: str) -> str:
    return "" if value in policy.accepted_values else f"{lead}{quote(policy.example_value)}"


def _judge_value(value: str, policy: Policy) -> Judgement:
    def invalid(reason: str, fix: str | None = None) -> Judgement:
        return Judgement(
            Verdict.INVALID_VALUE,
            reason,
            key=MAP_KEY,
            value=value,
            fix=fix or f"set value to {quote(policy.example_value)}",
        )

    if value in policy.accepted_values:
        return Judgement(Verdict.COMPLIANT, f"tagged {MAP_KEY}={value}", key=MAP_KEY, value=value)
    if value == "":
        return invalid("value is empty")

    # Facts: values are case-sensitive; surrounding or inner whitespace earns nothing.
    defects = []
    if value != value.strip():
        defects.append("surrounding whitespace")
    if _INNER_WHITESPACE.search(value.strip()):
        defects.append("inner whitespace")
    compact = _INNER_WHITESPACE.sub("", value)
    canonical = policy.accepted_lower.get(compact.lower())
    if canonical is not None and compact != canonical:
        defects.append("the wrong case")
    if defects:
        return invalid(
            f"value {quote(value)} has {' and '.join(defects)}",
            f"set value to {quote(canonical)}" if canonical else None,
        )

    # Facts: legacy Application Discovery server ids are recognised, not treated as garbage.
    if value.startswith(LEGACY_SERVER_PREFIX):
        shape = "" if LEGACY_SERVER_ID.fullmatch(value) else " (of an unusual shape)"
        if policy.accept_legacy:
            return Judgement(
                Verdict.COMPLIANT,
                f"legacy Application Discovery server id{shape}, accepted by policy",
                key=MAP_KEY,
                value=value,
            )
        return invalid(f"value {quote(value)} is a legacy server id{shape}; MAP 2.0 needs prefix+MPE id")

    parts = split_value(value)
    if parts is not None:
        prefix, mpe = parts
        if MPE_ID.fullmatch(mpe):
            if mpe in policy.mpe_ids_bare:
                return invalid(f"prefix '{prefix}' is not accepted for this engagement's MPE id {mpe}")
            return invalid(
                f"value {quote(value)} names MPE id {mpe}, "
                f"not this engagement's ({', '.join(policy.mpe_ids_bare)})"
            )
        if mpe[:1] in "-_ " and MPE_ID.fullmatch(mpe[1:]):
            return invalid(f"value {quote(value)} has a separator between prefix and MPE id")
        return invalid(
            f"MPE id {quote(mpe)} in {quote(value)} is neither 5 digits nor 10 upper-case letters and digits"
        )
    if MPE_ID.fullmatch(value):
        return invalid(f"value {quote(value)} lacks a prefix such as '{DEFAULT_PREFIX}'")
    unknown = _UNKNOWN_PREFIX.fullmatch(value)
    if unknown:
        return invalid(f"unknown prefix {quote(unknown.group(1))} (known: {', '.join(sorted(PREFIXES))})")
    return invalid(f"value {quote(value)} is not a MAP value (expected e.g. {policy.example_value})")

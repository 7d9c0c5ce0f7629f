"""The verdict on one resource's tags: a pure function of the tags and the policy.

Each rule cites docs/map-tagging-rules.md ("The tag"); docs/contracts.md fixes the verdicts.
Every verdict carries a one-line reason and, unless compliant, the fix.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import replace

from maptag.aws import error_kind
from maptag.model import Judgement, Verdict
from maptag.policy import Policy
from maptag.rules import (
    DBA_PREFIXES,
    DEFAULT_PREFIX,
    EC2_INSTANCE_ARN,
    LEGACY_DBA_KEY,
    LEGACY_KEYS,
    LEGACY_PROJECT_KEY,
    LEGACY_SERVER_ID,
    LEGACY_SERVER_ID_LOOSE,
    LEGACY_SERVER_PREFIX,
    MAP_KEY,
    MPE_ID,
    PREFIXES,
    SPACE,
    is_full_value,
    is_near_miss_key,
    key_differences,
    quote,
    split_value,
)

_UNKNOWN_PREFIX = re.compile(r"([A-Za-z_\-]{1,16}?)[-_ ]?([0-9]{5}|[A-Z0-9]{10})")
_SPACES = re.compile(f"{SPACE}+")
_EDGES = re.compile(f"^{SPACE}+|{SPACE}+$")
# What people put between two values when they try to give several in one tag.
_LIST_SEPARATORS = re.compile(rf"(?:{SPACE}|[,;|/+&])+")
KNOWN = "known: " + ", ".join(sorted(PREFIXES))
# The advice for unreadable tags follows the cause (maptag.aws.error_kind reads the error's code).
FIX_UNREADABLE = {
    "denied": "allow the scanning role to read this resource's tags, then scan again",
    "throttled": (
        "the API throttled or timed out past maptag's retries: scan again later, or at a quieter "
        "time, or lower --max-concurrency / raise AWS_MAX_ATTEMPTS for this account's API rate"
    ),
    "other": "resolve the error in the reason, then scan again",
}


def judge(
    tags: Mapping[str, str] | None, policy: Policy, tag_error: str | None = None, *, dba: bool = True
) -> Judgement:
    """The verdict on a resource's tags (never EXCLUDED: scoping is scope.py's job).

    ``dba`` says whether the resource's type is a database & analytics destination (its
    declaration): only there do `comm`, `comm_ec2_` and `mig_ec2_` values earn credits.
    """
    if tags is None:
        # docs/contracts.md: a resource whose tags could not be read is never reported as missing.
        return Judgement(
            Verdict.UNREADABLE,
            f"tags could not be read: {_one_line(tag_error)}",
            fix=FIX_UNREADABLE[error_kind(tag_error or "")],
        )
    near = sorted(k for k in tags if is_near_miss_key(k))
    if MAP_KEY in tags:
        judgement = _legacy_form(tags, policy, dba) or _judge_value(tags[MAP_KEY], policy, dba)
        if judgement.verdict is Verdict.COMPLIANT and near:
            # Harmless beside the right key, but a reader takes it for a second, wrong tag.
            strays = ", ".join(quote(k) for k in near)
            return replace(judgement, reason=f"{judgement.reason}; the stray key {strays} can be removed")
        return judgement
    if near:
        return _near_miss(near, tags, policy)
    add = f"add tag {MAP_KEY}={policy.example_value}"
    legacy_form = _legacy_form(tags, policy, dba)
    if legacy_form is not None:
        return legacy_form
    legacy = sorted(k for k in tags if k.strip().lower() in LEGACY_KEYS)
    if legacy:
        # Facts: older guides named these keys; recognise them as legacy, not garbage.
        reason = f"only the legacy key {quote(legacy[0])} is present; MAP 2.0 needs '{MAP_KEY}'"
        return Judgement(Verdict.MISSING, reason, key=legacy[0], value=tags[legacy[0]], fix=add)
    reason = f"no '{MAP_KEY}' tag" if tags else f"no tags at all, so no '{MAP_KEY}' tag"
    return Judgement(Verdict.MISSING, reason, fix=add)


def _near_miss(near: list[str], tags: Mapping[str, str], policy: Policy) -> Judgement:
    # Facts: a near-miss key earns nothing, and its fix is a rename, not a new tag.
    key = near[0]
    differences = key_differences(key)
    how = "only by " + differences[0] if len(differences) == 1 else "by " + _and(differences)
    more = f" (and {len(near) - 1} more near-miss key(s))" if len(near) > 1 else ""
    value = tags[key]
    fix = f"rename key {quote(key)} to '{MAP_KEY}'"
    if value not in policy.accepted_values:
        fix += f" and set its value to {quote(policy.example_value)}"
    return Judgement(
        Verdict.NEAR_MISS_KEY,
        f"key {quote(key)} differs from '{MAP_KEY}' {how}{more}",
        key=key,
        value=value,
        fix=fix,
    )


def _legacy_form(tags: Mapping[str, str], policy: Policy, dba: bool) -> Judgement | None:
    """The v0 guide's database & analytics forms (docs/map-tagging-rules.md, "Legacy"), or None.

    `map-dba` = an Application Discovery server id; `map-dba` = the source EC2 instance's ARN
    with `aws-migration-project-id` = the MPE id; `map-migrated` = the source EC2 instance's ARN
    with `aws-migration-project-id`. Compliant only with --accept-legacy, on a DB&A destination.
    """
    project = tags.get(LEGACY_PROJECT_KEY, "")
    if EC2_INSTANCE_ARN.fullmatch(tags.get(MAP_KEY, "")):
        key, form = MAP_KEY, f"'{MAP_KEY}' = the source EC2 instance's ARN with '{LEGACY_PROJECT_KEY}'"
        ours = project in policy.mpe_ids_bare
    elif LEGACY_DBA_KEY in tags and MAP_KEY not in tags:
        key, value = LEGACY_DBA_KEY, tags[LEGACY_DBA_KEY]
        if LEGACY_SERVER_ID_LOOSE.fullmatch(value):
            form, ours = f"'{LEGACY_DBA_KEY}' = an Application Discovery server id", True
        elif EC2_INSTANCE_ARN.fullmatch(value):
            form = f"'{LEGACY_DBA_KEY}' = the source EC2 instance's ARN with '{LEGACY_PROJECT_KEY}'"
            ours = project in policy.mpe_ids_bare
        else:
            return None
    else:
        return None
    value = tags[key]
    add = f"add tag {MAP_KEY}={policy.example_value}"
    verdict = Verdict.MISSING if key == LEGACY_DBA_KEY else Verdict.INVALID_VALUE
    if not policy.accept_legacy:
        reason = (
            f"the legacy DB&A form {form} (older MAP terms); MAP 2.0 needs '{MAP_KEY}' "
            "(or scan with --accept-legacy)"
        )
        return Judgement(verdict, reason, key=key, value=value, fix=add)
    if not dba:
        reason = f"the legacy DB&A form {form} belongs on database & analytics destinations only"
        return Judgement(verdict, reason, key=key, value=value, fix=add)
    if not ours:
        reason = (
            f"the legacy DB&A form {form}, but {LEGACY_PROJECT_KEY}={quote(project)} is not this "
            "engagement's MPE id"
        )
        return Judgement(verdict, reason, key=key, value=value, fix=add)
    return Judgement(Verdict.COMPLIANT, f"legacy DB&A form {form}, accepted by policy", key=key, value=value)


def _judge_value(value: str, policy: Policy, dba: bool = True) -> Judgement:
    def invalid(reason: str, fix_value: str | None = None) -> Judgement:
        fix = f"set the value to {quote(fix_value or policy.example_value)}"
        return Judgement(Verdict.INVALID_VALUE, reason, key=MAP_KEY, value=value, fix=fix)

    if value in policy.accepted_values:
        parts = split_value(value)
        if parts is not None and parts[0] in DBA_PREFIXES and not dba:
            # MAP 2.0 tagging guide, "Database and analytic tags": an EC2 (or other non-DB&A)
            # destination takes `mig` even when the workload is a database.
            fixed = DEFAULT_PREFIX + parts[1]
            return invalid(
                f"prefix '{parts[0]}' marks a database & analytics destination (RDS, DynamoDB, Redshift, …); "
                f"this resource type is not one, so it takes {quote(fixed)} (MAP 2.0 tagging guide, "
                "Database and analytic tags)",
                fixed,
            )
        return Judgement(Verdict.COMPLIANT, f"tagged {MAP_KEY}={value}", key=MAP_KEY, value=value)
    if value == "":
        return invalid("the value is empty")

    several = _several_values(value)
    if several:
        accepted = next((v for v in several if v in policy.accepted_values), None)
        shown = ", ".join(quote(v) for v in several[:4])
        return invalid(
            f"value {quote(value)} holds {len(several)} values ({shown}); a tag holds exactly one", accepted
        )

    # Facts: values are case-sensitive; surrounding or inner whitespace earns nothing.
    defects = []
    core = _EDGES.sub("", value)
    if core != value:
        defects.append("surrounding whitespace")
    if _SPACES.search(core):
        defects.append("inner whitespace")
    compact = _SPACES.sub("", value)
    canonical = policy.accepted_lower.get(compact.lower())
    if canonical is not None and compact != canonical:
        defects.append("the wrong case")
    if defects:
        return invalid(f"value {quote(value)} has {_and(defects)}", canonical)
    if not value.isprintable():
        return invalid(f"value {quote(value)} contains control or invisible characters")
    if not value.isascii():
        return invalid(f"value {quote(value)} contains non-ASCII characters (look-alike letters?)")

    if value.lower().startswith(LEGACY_SERVER_PREFIX):
        return _legacy(value, policy, invalid)

    parts = split_value(value)
    if parts is None:
        return _no_known_prefix(value, policy, invalid)
    prefix, mpe = parts
    if MPE_ID.fullmatch(mpe):
        if mpe in policy.mpe_ids_bare:
            return invalid(f"prefix '{prefix}' is not accepted for this engagement's MPE id {mpe}")
        engagement = ", ".join(policy.mpe_ids_bare)
        return invalid(f"value {quote(value)} names MPE id {mpe}, not this engagement's ({engagement})")
    if mpe[:1] in "-_" and MPE_ID.fullmatch(mpe[1:]):
        fixed = prefix + mpe[1:]
        hint = fixed if fixed in policy.accepted_values else None
        return invalid(f"value {quote(value)} has a separator between prefix and MPE id", hint)
    if MPE_ID.fullmatch(mpe.upper()):
        fixed = prefix + mpe.upper()
        ours = fixed in policy.accepted_values
        also = "" if ours else ", and it is not this engagement's"
        return invalid(
            f"MPE id {quote(mpe)} in {quote(value)} must be upper-case{also}", fixed if ours else None
        )
    unknown = _UNKNOWN_PREFIX.fullmatch(value)
    if unknown and unknown.group(1).rstrip("_-") not in PREFIXES:
        # `migr12345` starts with `mig`, but its prefix is `migr`.
        return invalid(f"value {quote(value)} has the unknown prefix {quote(unknown.group(1))} ({KNOWN})")
    return invalid(
        f"MPE id {quote(mpe)} in {quote(value)} is neither 5 digits nor 10 upper-case letters and digits"
    )


def _no_known_prefix(value: str, policy: Policy, invalid: Callable[..., Judgement]) -> Judgement:
    for prefix in PREFIXES:
        rest = value[len(prefix) :]
        if value[: len(prefix)].lower() == prefix and MPE_ID.fullmatch(rest.upper()):
            fixed = prefix + rest.upper()
            ours = fixed in policy.accepted_values
            also = "" if ours else ", and its MPE id is not this engagement's"
            reason = f"value {quote(value)} has its prefix in the wrong case (prefixes are lower-case){also}"
            return invalid(reason, fixed if ours else None)
    if MPE_ID.fullmatch(value):
        hint = DEFAULT_PREFIX + value if DEFAULT_PREFIX + value in policy.accepted_values else None
        return invalid(f"value {quote(value)} lacks a prefix such as '{DEFAULT_PREFIX}'", hint)
    unknown = _UNKNOWN_PREFIX.fullmatch(value)
    if unknown:
        return invalid(f"value {quote(value)} has the unknown prefix {quote(unknown.group(1))} ({KNOWN})")
    return invalid(f"value {quote(value)} is not a MAP value (expected e.g. {policy.example_value})")


def _legacy(value: str, policy: Policy, invalid: Callable[..., Judgement]) -> Judgement:
    # Facts: legacy Application Discovery server ids (older MAP terms) are recognised, not
    # treated as garbage; their exact shape is uncertain, so an unusual length is flagged.
    if not LEGACY_SERVER_ID_LOOSE.fullmatch(value):
        return invalid(
            f"value {quote(value)} is a malformed legacy server id ('{LEGACY_SERVER_PREFIX}' "
            "followed by lower-case letters and digits)"
        )
    shape = "" if LEGACY_SERVER_ID.fullmatch(value) else " (of an unusual length)"
    if policy.accept_legacy:
        return Judgement(
            Verdict.COMPLIANT,
            f"legacy Application Discovery server id {quote(value)}{shape}, accepted by policy",
            key=MAP_KEY,
            value=value,
        )
    return invalid(
        f"value {quote(value)} is a legacy server id{shape} from older MAP terms; MAP 2.0 needs a prefix "
        "and MPE id (or scan with --accept-legacy)"
    )


def _several_values(value: str) -> list[str]:
    """The MAP values in a tag that holds more than one (`mig12345,mig67890`), else []."""
    parts = [part for part in _LIST_SEPARATORS.split(value) if part]
    if len(parts) < 2:
        return []
    values = [part for part in parts if is_full_value(part) or LEGACY_SERVER_ID_LOOSE.fullmatch(part)]
    return values if len(values) >= 2 else []


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _one_line(text: str | None, limit: int = 300) -> str:
    """An error for a reason: its first line, escaped if need be, at most ``limit`` characters."""
    lines = (text or "").strip().splitlines()
    first = lines[0].strip() if lines and lines[0].strip() else "unknown error"
    if not first.isprintable():
        first = first.encode("unicode_escape").decode("ascii")
    return first if len(first) <= limit else first[: limit - 1] + "…"

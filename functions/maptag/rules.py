"""The MAP 2.0 tag rules, as ../shared/docs/map-tagging-facts.md states them ("The tag").

Pure data and string functions: no AWS, no policy. judge.py applies them to one resource.
"""

from __future__ import annotations

import re

# Facts, "The tag": the key is `map-migrated`, exactly.
MAP_KEY = "map-migrated"

# Facts, "The tag": prefixes in the current guide. Longest first, so `comm_ec2_` is tried
# before `comm` and `mig_ec2_` before `mig`.
PREFIXES: tuple[str, ...] = ("comm_ec2_", "mig_ec2_", "oracle", "comm", "mig", "sap")
DEFAULT_PREFIX = "mig"

# Facts, "The tag": an MPE id is 5 digits or 10 upper-case alphanumerics. One public tagger
# accepts up to 44 characters (uncertain): other lengths are "unusual", a warning, not an error.
MPE_ID = re.compile(r"[0-9]{5}|[A-Z0-9]{10}")
MPE_ID_LOOSE = re.compile(r"[A-Za-z0-9]{1,44}")

# Facts, "The tag": legacy values were Application Discovery Service server ids,
# `d-server-` + 14 lower-case alphanumerics (shape uncertain: other lengths are flagged).
LEGACY_SERVER_ID = re.compile(r"d-server-[a-z0-9]{14}")
LEGACY_SERVER_PREFIX = "d-server-"
# Facts, "The tag": older guides also named these keys.
LEGACY_KEYS: frozenset[str] = frozenset({"map-dba", "aws-migration-project-id"})

# Facts, "Which resources are migrated": markers Application Migration Service puts on the
# instances it launches and on its own replication and conversion servers.
MGN_MANAGED_KEY = "AWSApplicationMigrationServiceManaged"
MGN_MANAGED_VALUE = "mgn.amazonaws.com"
MGN_SOURCE_SERVER_KEYS: tuple[str, ...] = (
    "AWSApplicationMigrationServiceSourceServerID",
    "mgn.amazonaws.com-source-server",
)
MGN_TOOLING_NAMES: tuple[str, ...] = (
    "AWS Application Migration Service Replication Server",
    "AWS Application Migration Service Conversion Server",
)
MIGRATION_HUB_SOURCE_KEY = "aws:migrationhub:source-id"

_SEPARATORS = re.compile(r"[\s_.\-]+")
_WHITESPACE = re.compile(r"\s")


def quote(text: str, limit: int = 64) -> str:
    """A value quoted for a one-line reason: control characters escaped, long text cut."""
    shown = text if len(text) <= limit else text[: limit - 1] + "…"
    if shown.isprintable():
        return f"'{shown}'"
    return "'" + shown.encode("unicode_escape").decode("ascii") + "'"


def is_near_miss_key(key: str) -> bool:
    """True for keys that are `map-migrated` but for case, whitespace or separators."""
    return key != MAP_KEY and _SEPARATORS.sub("", key).lower() == "mapmigrated"


def key_differences(key: str) -> list[str]:
    """How a near-miss key differs from `map-migrated`, in words, in a stable order."""
    differences: list[str] = []
    core = key.strip()
    if core != key:
        differences.append("surrounding whitespace")
    if _WHITESPACE.search(core):
        differences.append("inner whitespace")
    compact = _WHITESPACE.sub("", core)
    if compact != compact.lower():
        differences.append("case")
    lower = compact.lower()
    if lower.startswith("map") and lower.endswith("migrated"):
        separator = lower[3 : len(lower) - len("migrated")]
        if separator == "":
            differences.append("no separator")
        elif separator != "-":
            differences.append(f"'{separator}' instead of '-'")
    elif lower != MAP_KEY:
        differences.append("spelling")
    return differences


def split_value(value: str) -> tuple[str, str] | None:
    """Split a tag value into (known prefix, rest), or None if no known prefix starts it."""
    for prefix in PREFIXES:
        if value.startswith(prefix):
            return prefix, value[len(prefix) :]
    return None


def is_full_value(text: str) -> bool:
    """A complete tag value: a known prefix followed by an MPE id (usual or unusual length)."""
    parts = split_value(text)
    return parts is not None and MPE_ID_LOOSE.fullmatch(parts[1]) is not None


def bare_mpe_id(text: str) -> str:
    """The MPE id in a full value (mig12345 -> 12345); a bare id unchanged."""
    parts = split_value(text)
    return parts[1] if parts is not None and is_full_value(text) else text

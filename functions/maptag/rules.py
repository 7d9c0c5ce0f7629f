"""The MAP 2.0 tag rules, as docs/map-tagging-rules.md states them ("The tag").

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
# MAP 2.0 tagging guide, "Database and analytic tags": these prefixes mark a database or
# analytics workload moving to an AWS database & analytics service, and belong only on such a
# destination; an EC2 destination (and every other non-DB&A type) takes `mig`
# (docs/map-tagging-rules.md).
DBA_PREFIXES: frozenset[str] = frozenset({"comm", "comm_ec2_", "mig_ec2_"})

# Facts, "The tag": an MPE id is 5 digits or 10 upper-case alphanumerics. One public tagger
# accepts up to 44 characters (uncertain): other lengths are "unusual", a warning, not an error.
MPE_ID = re.compile(r"[0-9]{5}|[A-Z0-9]{10}")
MPE_ID_LOOSE = re.compile(r"[A-Z0-9]{1,44}")

# Facts, "The tag": legacy values were Application Discovery Service server ids,
# `d-server-` + 14 lower-case alphanumerics (shape uncertain: other lengths are flagged).
LEGACY_SERVER_ID = re.compile(r"d-server-[a-z0-9]{14}")
LEGACY_SERVER_ID_LOOSE = re.compile(r"d-server-[a-z0-9]{1,64}")
LEGACY_SERVER_PREFIX = "d-server-"
# Facts, "The tag": older guides also named these keys.
LEGACY_DBA_KEY = "map-dba"
LEGACY_PROJECT_KEY = "aws-migration-project-id"
LEGACY_KEYS: frozenset[str] = frozenset({LEGACY_DBA_KEY, LEGACY_PROJECT_KEY})
# The v0 guide's DB&A forms name the source EC2 instance by its ARN.
EC2_INSTANCE_ARN = re.compile(r"arn:aws[a-z-]*:ec2:[a-z0-9-]+:[0-9]{12}:instance/i-[0-9a-f]{8,17}")

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

# Whitespace, including the invisible kinds that copy-paste brings along (zero-width space,
# word joiner, byte-order mark).
SPACE = r"[\s\u200b-\u200d\u2060\ufeff]"
_SPACE_ONLY = re.compile(f"{SPACE}*")
_SEPARATOR = rf"(?:{SPACE}|[_.\-])"


def _word(word: str) -> str:
    """A word in either case, possibly with whitespace between its letters (ASCII letters only,
    so a look-alike such as the dotless ı is not taken for an i)."""
    return f"{SPACE}*".join(f"[{c}{c.upper()}]" for c in word)


# Facts, "The tag": `map-migrated` but for case, whitespace, `_` `.` or no separator. Stray
# separators at either end count too: the fix is still a rename.
_NEAR_MISS = re.compile(
    rf"(?P<lead>{_SEPARATOR}*)(?P<map>{_word('map')})(?P<sep>{_SEPARATOR}*)"
    rf"(?P<migrated>{_word('migrated')})(?P<trail>{_SEPARATOR}*)"
)


def quote(text: str, limit: int = 64) -> str:
    """A value quoted for a one-line reason: unprintable characters escaped, then cut to ``limit``."""
    shown = "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)
    if len(shown) > limit:
        shown = shown[: limit - 1] + "…"
    return f"'{shown}'"


def is_near_miss_key(key: str) -> bool:
    """True for keys that are `map-migrated` but for case, whitespace or separators."""
    return key != MAP_KEY and _NEAR_MISS.fullmatch(key) is not None


def key_differences(key: str) -> list[str]:
    """How a near-miss key differs from `map-migrated`: noun phrases in a stable order."""
    match = _NEAR_MISS.fullmatch(key)
    if match is None or key == MAP_KEY:
        return []
    differences: list[str] = []
    words = match["map"] + match["migrated"]
    if words != words.lower():
        differences.append("case")
    lead, trail = match["lead"], match["trail"]
    if (lead or trail) and _SPACE_ONLY.fullmatch(lead + trail):
        differences.append("surrounding whitespace")
    else:
        if lead:
            differences.append(f"a leading {quote(lead)}")
        if trail:
            differences.append(f"a trailing {quote(trail)}")
    if re.search(SPACE, words):
        differences.append("whitespace inside a word")
    separator = match["sep"]
    if separator == "":
        differences.append("a missing separator")
    elif separator == "-":
        pass
    elif _SPACE_ONLY.fullmatch(separator):
        differences.append("whitespace instead of '-'")
    elif _SPACE_ONLY.fullmatch(separator.replace("-", "", 1)):
        differences.append("whitespace around '-'")
    else:
        differences.append(f"{quote(separator)} instead of '-'")
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

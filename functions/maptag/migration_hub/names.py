"""Migration Hub names and texts: the stream, task names and status details, each cut to what the
service accepts (limits of botocore's mgh model)."""

from __future__ import annotations

import hashlib
import re
import unicodedata

from maptag.rules import quote

DEFAULT_STREAM = "MAP-Tagging"
# Where the SDKs find a Migration Hub endpoint other than AWS's (the local Migration Hub):
# the service-specific endpoint variables of the AWS SDKs, for mgh and migrationhub-config.
ENDPOINT_VARIABLES = ("AWS_ENDPOINT_URL_MIGRATION_HUB", "AWS_ENDPOINT_URL_MIGRATIONHUB_CONFIG")
TASK_PREFIX = "map-tagging"
# Limits of botocore's mgh model (docs/map-tagging-rules.md, "AWS Migration Hub"); the service
# is a JVM service, so lengths are counted in UTF-16 code units.
STREAM_MAX = 50
TASK_NAME_MAX = 256
DETAIL_MAX = 2_500
ATTRIBUTES_MAX = 100
ATTRIBUTE_VALUE_MAX = 256


class StreamNameError(ValueError):
    """A progress update stream name the service would reject; the message names it."""


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def validate_stream(name: str) -> str:
    """The stream name, unchanged, or StreamNameError: a stream is the user's choice, not sanitised."""
    rule = "a stream name is 1-50 characters without / : | or control characters"
    if not name:
        raise StreamNameError(f"empty stream name ({rule})")
    if utf16_length(name) > STREAM_MAX:
        raise StreamNameError(f"stream name {quote(name)} is longer than {STREAM_MAX} characters ({rule})")
    for char in name:
        if char in "/:|" or _is_control(char):
            raise StreamNameError(f"stream name {quote(name)} contains {quote(char)} ({rule})")
    return name


def _is_control(char: str) -> bool:
    # Cc: C0/C1 controls; Cs: lone surrogates; Zl/Zp: line and paragraph separators, which
    # the service's `.` does not match either.
    return unicodedata.category(char) in ("Cc", "Cs", "Zl", "Zp")


_NAME_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def task_name(*parts: str) -> str:
    """`map-tagging-<part>-<part>`, always valid for MigrationTaskName (1-256, no `:` `|`).

    Parts are AWS ids in practice; anything else (a hostile region string, an alias) is
    reduced to `[A-Za-z0-9._-]` and given a short hash of the original so two different
    inputs never share a task.
    """
    raw = "-".join((TASK_PREFIX, *parts))
    safe = "-".join((TASK_PREFIX, *(_NAME_SAFE.sub("_", part).strip("_") or "_" for part in parts)))
    if safe == raw and len(raw) <= TASK_NAME_MAX:
        return raw
    digest = hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()[:10]
    return f"{safe[: TASK_NAME_MAX - len(digest) - 1]}-{digest}"


def unit_task_name(account_id: str, region: str) -> str:
    return task_name(account_id, region)


def server_task_name(account_id: str, instance_id: str) -> str:
    return task_name(account_id, instance_id)


def clean_text(text: str, limit: int = DETAIL_MAX) -> str:
    """One line the service accepts: control characters and line breaks become spaces, cut to `limit`."""
    flat = "".join(" " if _is_control(char) else char for char in text)
    flat = re.sub(r" {2,}", " ", flat).strip()
    if utf16_length(flat) <= limit:
        return flat
    cut = flat
    while utf16_length(cut) > limit - 1:
        cut = cut[: len(cut) - max(1, (utf16_length(cut) - limit + 1) // 2)]
    return cut + "…"

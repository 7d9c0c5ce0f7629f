"""Request validation from botocore's own service model, as the service checks it.

botocore's client-side validation checks types, required members and minimums only
(docs/toolchain.md, "botocore as the source of truth"); the service also rejects maximum
lengths, patterns and enum values. This module checks all of them, recursively, and words
each failure the way AWS's request validation does ("1 validation error detected: Value 'x'
at 'task.status' failed to satisfy constraint: Member must satisfy enum value set: [...]").
"""

from __future__ import annotations

import functools
import re
from typing import Any

from botocore.model import ListShape, MapShape, Shape, StructureShape

# The service is a JVM service: `.` in its patterns does not match any line terminator.
_JAVA_DOT = "[^\n\r\x85\u2028\u2029]"
INT32 = (-(2**31), 2**31 - 1)
INT64 = (-(2**63), 2**63 - 1)
_PREVIEW = 80  # characters of a bad value quoted in a message: enough to recognise it


@functools.cache
def compile_pattern(pattern: str) -> re.Pattern[str]:
    """A model pattern as the service applies it: whole value, Java semantics for `.`, ASCII `\\d`."""
    translated: list[str] = []
    in_class = escaped = False
    for char in pattern:
        if escaped:
            translated.append(char)
            escaped = False
        elif char == "\\":
            translated.append(char)
            escaped = True
        elif char == "[" and not in_class:
            in_class = True
            translated.append(char)
        elif char == "]" and in_class:
            in_class = False
            translated.append(char)
        elif char == "." and not in_class:
            translated.append(_JAVA_DOT)
        else:
            translated.append(char)
    return re.compile("".join(translated), re.ASCII | re.DOTALL)


def matches(pattern: str, value: str) -> bool:
    return compile_pattern(pattern).fullmatch(value) is not None


def length(value: str) -> int:
    """String length as a JVM counts it (UTF-16 code units): the stricter of the two readings."""
    return len(value.encode("utf-16-le")) // 2


def _camel(name: str) -> str:
    return name[:1].lower() + name[1:]


def _quote(value: Any) -> str:
    if value is None:
        return "null"
    text = str(value).lower() if isinstance(value, bool) else str(value)
    if len(text) > _PREVIEW:
        text = text[:_PREVIEW] + "…"
    return f"'{text}'"


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


_JSON_TYPES: dict[str, Any] = {
    "structure": dict,
    "map": dict,
    "list": list,
    "string": str,
    "blob": str,  # base64 text on the wire
    "boolean": bool,
    "integer": _is_int,
    "long": _is_int,
    "float": _is_number,
    "double": _is_number,
    "timestamp": _is_number,  # JSON 1.1 sends epoch seconds
}


def _type_ok(shape: Shape, value: Any) -> bool:
    check = _JSON_TYPES.get(shape.type_name)
    if check is None:
        return True
    if isinstance(check, type):
        if check is bool:
            return isinstance(value, bool)
        return isinstance(value, check)
    return bool(check(value))


def violations(shape: Shape, value: Any, path: str = "") -> list[str]:
    """Every constraint `value` breaks, as AWS words it; empty when the value is valid."""
    where = path or shape.name

    def fail(constraint: str) -> list[str]:
        return [f"Value {_quote(value)} at '{where}' failed to satisfy constraint: Member must {constraint}"]

    if not _type_ok(shape, value):
        return fail(f"be of type {shape.type_name}")
    meta = shape.metadata
    found: list[str] = []
    if isinstance(shape, StructureShape):
        for name in shape.required_members:
            if value.get(name) is None:
                member_path = f"{path}.{_camel(name)}" if path else _camel(name)
                found.append(
                    f"Value null at '{member_path}' failed to satisfy constraint: Member must not be null"
                )
        for name, member in shape.members.items():
            if value.get(name) is not None:
                member_path = f"{path}.{_camel(name)}" if path else _camel(name)
                found.extend(violations(member, value[name], member_path))
        return found
    if isinstance(shape, ListShape):
        found.extend(_size(meta, len(value), fail))
        for index, item in enumerate(value, start=1):
            found.extend(violations(shape.member, item, f"{where}.{index}.member"))
        return found
    if isinstance(shape, MapShape):
        found.extend(_size(meta, len(value), fail))
        for key, item in value.items():
            found.extend(violations(shape.key, key, f"{where}.key"))
            found.extend(violations(shape.value, item, f"{where}.{key}.value"))
        return found
    if shape.type_name == "string":
        found.extend(_size(meta, length(value), fail))
        pattern = meta.get("pattern")
        if pattern is not None and not matches(pattern, value):
            found.extend(fail(f"satisfy regular expression pattern: {pattern}"))
        enum = getattr(shape, "enum", None)  # StringShape's; plain Shape has none
        if enum and value not in enum:
            found.extend(fail(f"satisfy enum value set: [{', '.join(enum)}]"))
        return found
    if shape.type_name in ("integer", "long"):
        low, high = INT32 if shape.type_name == "integer" else INT64
        if not low <= value <= high:
            return fail(f"be of type {shape.type_name}")
        if "min" in meta and value < meta["min"]:
            found.extend(fail(f"have value greater than or equal to {meta['min']}"))
        if "max" in meta and value > meta["max"]:
            found.extend(fail(f"have value less than or equal to {meta['max']}"))
    return found


def _size(meta: dict[str, Any], size: int, fail: Any) -> list[str]:
    found: list[str] = []
    if "min" in meta and size < meta["min"]:
        found.extend(fail(f"have length greater than or equal to {meta['min']}"))
    if "max" in meta and size > meta["max"]:
        found.extend(fail(f"have length less than or equal to {meta['max']}"))
    return found


def describe(found: list[str]) -> str:
    """The message of an InvalidInputException for `found` validation errors."""
    count = len(found)
    noun = "error" if count == 1 else "errors"
    return f"{count} validation {noun} detected: " + "; ".join(found)

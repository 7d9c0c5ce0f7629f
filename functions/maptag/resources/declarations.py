"""The registry of resource types: every declaration of ``types/``, parents before dependents.

Nothing else lists the types: the CLI's --types, the policy, the member role's IAM, Security
Hub and `maptag types` all read TYPES (docs/architecture.md).
"""

from __future__ import annotations

from collections.abc import Iterable

from maptag.resources.schema import TAGGING_API_ACTION, ResourceType
from maptag.resources.types import declared

__all__ = ["BY_NAME", "TAGGING_API_ACTION", "TYPES", "TYPE_NAMES", "ResourceType", "required_actions"]


def _parents_first(types: Iterable[ResourceType]) -> tuple[ResourceType, ...]:
    """The types in declaration order, each after its parent (dependents inherit its scope)."""
    by_name = {t.name: t for t in types}
    ordered: dict[str, ResourceType] = {}

    def place(rtype: ResourceType, seen: tuple[str, ...]) -> None:
        if rtype.name in ordered:
            return
        if rtype.name in seen:
            raise ValueError(f"parent cycle: {' -> '.join((*seen, rtype.name))}")
        parent = by_name.get(rtype.parent.type) if rtype.parent is not None else None
        if parent is not None:
            place(parent, (*seen, rtype.name))
        ordered[rtype.name] = rtype

    for rtype in by_name.values():
        place(rtype, ())
    return tuple(ordered.values())


_DECLARED = tuple(declared())
if len({t.name for t in _DECLARED}) != len(_DECLARED):
    raise ValueError("two declarations share a type name")
TYPES: tuple[ResourceType, ...] = _parents_first(_DECLARED)
TYPE_NAMES: tuple[str, ...] = tuple(t.name for t in TYPES)
BY_NAME: dict[str, ResourceType] = {t.name: t for t in TYPES}


def required_actions(type_names: Iterable[str], need_created: bool) -> tuple[str, ...]:
    """The read-only IAM actions a scan of these types needs in each scanned account."""
    actions: set[str] = set()
    for name in type_names:
        actions.update(BY_NAME[name].all_actions(need_created))
    return tuple(sorted(actions))

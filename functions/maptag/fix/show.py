"""What `maptag fix` and `maptag demo --fix` print: the plan, and with --apply each change's outcome.

`table`: one line a change (CHANGE, or its outcome when applied) and one a decision; `json`: the
`maptag/fix@1` document (docs/fix.md). Every value from AWS is quoted or escaped before it is shown.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from maptag.rules import quote

if TYPE_CHECKING:
    from maptag.fix.plan import FixPlan

SCHEMA = "maptag/fix@1"
FORMATS = ("table", "json")


def write_plan(
    out: IO[str], fmt: str, mode: str, plan: FixPlan, outcomes: Iterable[Any] | None, journal: Path | None
) -> None:
    results = list(outcomes) if outcomes is not None else None
    if fmt == "json":
        document: dict[str, Any] = {
            "schema": SCHEMA,
            "mode": mode,
            "applied": results is not None,
            **plan.to_json(),
        }
        if results is not None:
            document["results"] = [
                {**o.change.to_json(), "result": o.result, "detail": o.detail} for o in results
            ]
            document["journal"] = str(journal)
        json.dump(document, out, indent=2, ensure_ascii=False)
        out.write("\n")
        return
    header = "undo" if mode == "undo" else "fix plan"
    out.write(f"{header}: {len(plan.changes)} change(s), {len(plan.decisions)} need(s) a decision\n")
    by_change = {id(o.change): o for o in results or ()}
    for change in plan.changes:
        result = by_change.get(id(change))
        status = result.result.upper() if result is not None else "CHANGE"
        before = "(absent)" if change.before is None else quote(change.before)
        after = "(removed)" if change.after is None else quote(change.after)
        line = f"{status:8} {change.arn}  {change.key}: {before} -> {after}"
        why = result.detail if result is not None and result.detail else change.why
        out.write(f"{line}  [{change.verdict or mode}] {_printable(why)}\n")
    for decision in plan.decisions:
        out.write(f"DECIDE   {decision.arn}  [{decision.verdict}] {_printable(decision.reason)}\n")
    out.flush()  # before the closing lines on stderr


def _printable(text: str) -> str:
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)

"""Fix what a scan found: FixRequest → the plan, capped, and with apply made → FixResult.

`maptag fix` (commands/fix.py) and the deployed remediation (workflow.remediate_run, the
remediate Lambda) both run their plan through `run`: the same cap (more changes than the cap:
nothing written), the same re-read-then-write and journal (maptag.fix.apply), the same count
of what was applied. Where the plan comes from (a scan, a report, a journal to undo; the run's
shards in S3) and where the journal goes stay with the caller (docs/fix.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from maptag.app.exit_codes import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE

if TYPE_CHECKING:
    from maptag.fix.apply import Journal, Outcome
    from maptag.fix.plan import FixPlan
    from maptag.policy import Policy


@dataclass(frozen=True)
class FixRequest:
    plan: FixPlan
    policy: Policy | None  # None: an undo (no engagement; each change carries its own value)
    max_changes: int
    apply: bool = False
    # made only when applying: the journal, and the clients of each unit (ScanUnit → Clients)
    journal: Callable[[], Journal] | None = None
    clients: Callable[[], Callable[[Any], Any]] | None = None


@dataclass(frozen=True)
class FixResult:
    plan: FixPlan
    refused: bool  # more changes than max_changes: nothing written
    outcomes: tuple[Outcome, ...] = ()  # one per change, when applied
    journal: Journal | None = None

    @property
    def applied(self) -> int:
        from maptag.fix.apply import APPLIED

        return sum(outcome.result == APPLIED for outcome in self.outcomes)

    @property
    def not_applied(self) -> list[Outcome]:
        from maptag.fix.apply import APPLIED

        return [outcome for outcome in self.outcomes if outcome.result != APPLIED]

    @property
    def code(self) -> int:
        """docs/contracts.md: 0 plan shown or every change applied; 1 some not applied; 2 refused."""
        if self.refused:
            return EXIT_USAGE
        return EXIT_FINDINGS if self.not_applied else EXIT_OK


def run(request: FixRequest) -> FixResult:
    """The plan within the cap; with apply, each change made, journalled, its outcome kept."""
    changes = request.plan.changes
    if len(changes) > request.max_changes:
        return FixResult(plan=request.plan, refused=True)
    if not request.apply or request.journal is None or request.clients is None:
        return FixResult(plan=request.plan, refused=False)
    from maptag.fix.apply import apply_changes

    journal = request.journal()
    outcomes = tuple(apply_changes(changes, request.clients(), journal, request.policy))
    return FixResult(plan=request.plan, refused=False, outcomes=outcomes, journal=journal)

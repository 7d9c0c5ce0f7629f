"""Coverage arithmetic (docs/contracts.md, "Verdicts"): pure functions over verdict counts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields

from maptag.model import Verdict

COUNTED = (
    Verdict.COMPLIANT,
    Verdict.MISSING,
    Verdict.NEAR_MISS_KEY,
    Verdict.INVALID_VALUE,
    Verdict.UNREADABLE,
)


@dataclass(frozen=True, slots=True)
class Totals:
    compliant: int = 0
    missing: int = 0
    near_miss_key: int = 0
    invalid_value: int = 0
    unreadable: int = 0
    excluded: int = 0

    @classmethod
    def of(cls, counts: Mapping[Verdict, int]) -> Totals:
        return cls(**{verdict.value: counts.get(verdict, 0) for verdict in Verdict})

    @classmethod
    def tally(cls, verdicts: Iterable[Verdict]) -> Totals:
        return cls.of(Counter(verdicts))

    @classmethod
    def sum(cls, parts: Iterable[Totals]) -> Totals:
        total = Counter[str]()
        for part in parts:
            total.update({f.name: getattr(part, f.name) for f in fields(part)})
        return cls(**total)

    @property
    def in_scope(self) -> int:
        return sum(getattr(self, verdict.value) for verdict in COUNTED)

    @property
    def non_compliant(self) -> int:
        return self.in_scope - self.compliant

    @property
    def coverage_percent(self) -> float | None:
        """100 × compliant / in scope; None (not 100) when nothing is in scope."""
        if self.in_scope == 0:
            return None
        return 100 * self.compliant / self.in_scope

    @property
    def coverage_shown(self) -> float | None:
        """The coverage as reports show it: two decimals, rounded down (see floor_percent)."""
        return floor_percent(self.compliant, self.in_scope)

    @property
    def coverage_text(self) -> str:
        """The shown coverage for people: ``87.50 %``, or ``n/a`` when nothing is in scope."""
        shown = self.coverage_shown
        return "n/a" if shown is None else f"{shown:.2f} %"

    def to_report(self) -> dict[str, object]:
        return {
            "in_scope": self.in_scope,
            **{verdict.value: getattr(self, verdict.value) for verdict in Verdict},
            "coverage_percent": self.coverage_shown,
        }


def floor_percent(part: int, whole: int) -> float | None:
    """100 × part / whole to two decimals, rounded down in integer arithmetic, so 99.996 %
    shows as 99.99 and never as a false 100; None when ``whole`` is 0."""
    if whole == 0:
        return None
    return (10_000 * part // whole) / 100


def by_type(counts: Mapping[tuple[str, Verdict], int]) -> dict[str, Totals]:
    """Per-type totals from counts keyed by (type, verdict)."""
    grouped: dict[str, Counter[Verdict]] = {}
    for (type_name, verdict), n in counts.items():
        grouped.setdefault(type_name, Counter())[verdict] += n
    return {name: Totals.of(grouped[name]) for name in sorted(grouped)}

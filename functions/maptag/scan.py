"""The scan: plan units, then per unit collect → scope → judge, streaming findings out.

Used by the CLI (all units in one process, concurrently) and by the scan_unit Lambda (one
unit per invocation). A unit that cannot be evaluated is reported failed with its reason and
never stops or hides the others.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import UTC, datetime

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from maptag.aws import Clients, assume_role, caller_account, describe_error
from maptag.coverage import Totals, by_type
from maptag.judge import judge
from maptag.model import Finding, Judgement, Resource, ScanUnit, Verdict
from maptag.policy import Policy, PolicyError
from maptag.resources.collector import BucketDirectory, CollectionError, UnitContext, collect
from maptag.resources.declarations import BY_NAME, TYPES
from maptag.scope import ParentScopes, scope

FindingSink = Callable[[Finding], None]
# (unit, resources evaluated so far in the unit)
Progress = Callable[[ScanUnit, int], None]

# Types other types name as their parent: their scope decisions are remembered per unit.
PARENT_TYPES = frozenset(t.parent.type for t in TYPES if t.parent is not None)


class ScanError(Exception):
    """The scan could not start (no credentials, Organizations not readable)."""


@dataclass(frozen=True)
class UnitResult:
    unit: ScanUnit
    status: str  # "ok" | "failed"
    error: str | None
    counts: Mapping[tuple[str, Verdict], int] = field(default_factory=dict)
    started_at: datetime | None = None
    finished_at: datetime | None = None

    @property
    def failed(self) -> bool:
        return self.status == "failed"

    @property
    def by_type(self) -> dict[str, Totals]:
        return by_type(self.counts)

    @property
    def totals(self) -> Totals:
        return Totals.sum(self.by_type.values())

    def to_report(self) -> dict[str, object]:
        return {
            "account_id": self.unit.account_id,
            "region": self.unit.region,
            "status": self.status,
            "error": self.error,
            "totals": self.totals.to_report(),
            "types": {name: totals.to_report() for name, totals in self.by_type.items()},
        }


def evaluate(resource: Resource, policy: Policy, parents: ParentScopes) -> tuple[Finding, bool]:
    """The finding for one resource, and whether its scope decision carries to dependents."""
    exclusion = scope(resource, policy, parents)
    if exclusion is not None:
        judgement = Judgement(Verdict.EXCLUDED, exclusion.reason)
        return Finding.of(resource, judgement), exclusion.carries_over
    judgement = judge(resource.tags, policy, resource.tag_error)
    if resource.created is None and judgement.verdict is not Verdict.COMPLIANT:
        judgement = Judgement(
            judgement.verdict,
            f"{judgement.reason} (creation time unknown: in scope whatever the agreement date)",
            judgement.key,
            judgement.value,
            judgement.fix,
        )
    return Finding.of(resource, judgement), True


def scan_unit(
    unit: ScanUnit,
    clients: Clients,
    policy: Policy,
    emit: FindingSink,
    *,
    buckets: BucketDirectory | None = None,
    progress: Progress | None = None,
) -> UnitResult:
    """Scan one account × region, emitting every finding; never raises for AWS errors."""
    started = datetime.now(UTC)
    ctx = UnitContext(
        clients=clients,
        account_id=unit.account_id,
        region=unit.region,
        need_created=policy.agreement_start is not None,
        buckets=buckets or BucketDirectory(clients, (unit.region,)),
    )
    parents: dict[str, str | None] = {}
    counts: Counter[tuple[str, Verdict]] = Counter()
    errors: list[str] = []
    done = 0
    for rtype in (BY_NAME[name] for name in _ordered(policy.types)):
        try:
            for resource in collect(rtype, ctx):
                finding, carries_over = evaluate(resource, policy, parents)
                if rtype.name in PARENT_TYPES and carries_over:
                    parents[resource.arn] = (
                        None if finding.verdict is not Verdict.EXCLUDED else finding.reason
                    )
                counts[(rtype.name, finding.verdict)] += 1
                emit(finding)
                done += 1
                if progress is not None and done % 50 == 0:
                    progress(unit, done)
        except CollectionError as error:
            errors.append(str(error))
    if progress is not None:
        progress(unit, done)
    return UnitResult(
        unit=unit,
        status="failed" if errors else "ok",
        error=_summarise(errors),
        counts=dict(counts),
        started_at=started,
        finished_at=datetime.now(UTC),
    )


def _ordered(names: Sequence[str]) -> list[str]:
    wanted = set(names)
    return [t.name for t in TYPES if t.name in wanted]


def _summarise(errors: list[str]) -> str | None:
    if not errors:
        return None
    shown = "; ".join(errors[:3])
    return shown if len(errors) <= 3 else f"{shown} (and {len(errors) - 3} more types)"


@dataclass
class Plan:
    """The units to scan and how to reach each account."""

    units: list[ScanUnit]
    caller_account: str


def plan(policy: Policy, session: boto3.Session) -> Plan:
    """Accounts (given, the Organization's active ones, or the caller's) × regions."""
    home = policy.regions[0]
    try:
        me = caller_account(session, home)
    except (ClientError, BotoCoreError) as error:
        raise ScanError(f"cannot identify the AWS caller: {describe_error(error)}") from None
    if policy.organization:
        accounts = list(organization_accounts(session, home))
    else:
        accounts = list(policy.accounts) or [me]
    if policy.role_name is None and any(account != me for account in accounts):
        other = next(account for account in accounts if account != me)
        raise PolicyError(f"role_name: needed to scan account {other} (the caller is {me})")
    units = [ScanUnit(account, region) for account in accounts for region in policy.regions]
    return Plan(units=units, caller_account=me)


def organization_accounts(session: boto3.Session, region: str) -> Iterator[str]:
    organizations = session.client("organizations", region_name=region)
    try:
        for page in organizations.get_paginator("list_accounts").paginate():
            for account in page["Accounts"]:
                if account.get("Status", "ACTIVE") == "ACTIVE":
                    yield str(account["Id"])
    except (ClientError, BotoCoreError) as error:
        raise ScanError(f"cannot list the Organization's accounts: {describe_error(error)}") from None


class AccountAccess:
    """Credentials per account, assumed once and shared by that account's units."""

    def __init__(self, session: boto3.Session, policy: Policy, caller: str) -> None:
        self._session = session
        self._policy = policy
        self._caller = caller
        self._lock = threading.Lock()
        self._sessions: dict[str, boto3.Session] = {}
        self._buckets: dict[str, BucketDirectory] = {}

    def clients(self, unit: ScanUnit) -> Clients:
        return Clients(self._account_session(unit), unit.region)

    def buckets(self, unit: ScanUnit, clients: Clients) -> BucketDirectory:
        with self._lock:
            if unit.account_id not in self._buckets:
                self._buckets[unit.account_id] = BucketDirectory(clients, self._policy.regions)
            return self._buckets[unit.account_id]

    def _account_session(self, unit: ScanUnit) -> boto3.Session:
        if unit.account_id == self._caller or self._policy.role_name is None:
            return self._session
        with self._lock:
            if unit.account_id not in self._sessions:
                self._sessions[unit.account_id] = assume_role(
                    self._session, unit.account_id, self._policy.role_name, unit.region
                )
            return self._sessions[unit.account_id]


def run_scan(
    policy: Policy,
    session: boto3.Session,
    units: Sequence[ScanUnit],
    caller: str,
    sink_for: Callable[[ScanUnit], FindingSink],
    progress: Progress | None = None,
) -> Iterator[UnitResult]:
    """Scan every unit, at most ``policy.max_concurrency`` at a time; results as they end."""
    access = AccountAccess(session, policy, caller)

    def one(unit: ScanUnit) -> UnitResult:
        try:
            clients = access.clients(unit)
            return scan_unit(
                unit,
                clients,
                policy,
                sink_for(unit),
                buckets=access.buckets(unit, clients),
                progress=progress,
            )
        except (ClientError, BotoCoreError) as error:
            return UnitResult(unit=unit, status="failed", error=describe_error(error))

    with ThreadPoolExecutor(max_workers=policy.max_concurrency, thread_name_prefix="maptag-unit") as pool:
        futures: dict[Future[UnitResult], ScanUnit] = {pool.submit(one, unit): unit for unit in units}
        for future in as_completed(futures):
            try:
                yield future.result()
            except Exception as error:
                yield UnitResult(unit=futures[future], status="failed", error=describe_error(error))

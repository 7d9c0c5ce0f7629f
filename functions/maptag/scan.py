"""The scan: plan units, then per unit collect → scope → judge, streaming findings out.

Used by the CLI (all units in one process, concurrently) and by the scan_unit Lambda (one
unit per invocation). A unit that cannot be evaluated is reported failed with its reason and
never stops or hides the others.
"""

from __future__ import annotations

import gc
import threading
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import UTC, datetime

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from maptag.aws import Clients, assume_role, caller_account, describe_error, is_bad_credentials, make_client
from maptag.coverage import Totals, by_type
from maptag.judge import judge
from maptag.model import Finding, Judgement, Resource, ScanUnit, Verdict
from maptag.policy import Policy, PolicyError
from maptag.resources.collector import CollectionError, UnitContext, collect
from maptag.resources.declarations import TYPES, ResourceType
from maptag.scope import ParentScopes, in_scope_through_parent, scope

FindingSink = Callable[[Finding], None]
# (unit, resources evaluated so far in the unit)
Progress = Callable[[ScanUnit, int], None]

_NO_PARENTS: ParentScopes = {}

# IAM actions besides each scanned account's required_actions(): the caller identifies
# itself, lists the Organization (--org) and assumes the member role (other accounts).
CALLER_ACTIONS = ("sts:GetCallerIdentity",)
ORGANIZATION_ACTIONS = ("organizations:ListAccounts",)
ASSUME_ACTIONS = ("sts:AssumeRole",)


class ScanError(Exception):
    """The scan could not start (no credentials, Organizations not readable).

    ``configuration`` is true when the user's setup is at fault (missing or invalid
    credentials): the CLI exits 2 for those, 3 for the others (docs/contracts.md, "Exit codes").
    """

    def __init__(self, message: str, *, configuration: bool = False) -> None:
        super().__init__(message)
        self.configuration = configuration


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
    if (
        policy.agreement_start is not None
        and resource.created is None
        and judgement.verdict is not Verdict.COMPLIANT
        and not in_scope_through_parent(resource, parents)
    ):
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
    progress: Progress | None = None,
) -> UnitResult:
    """Scan one account × region, emitting every finding; never raises for AWS errors.

    Types run parents first. The scope decisions of a parent type are kept (ARNs only) until
    its last dependent type is done, so dependents inherit them (docs/contracts.md, "Dependents").
    """
    with _FEWER_COLLECTIONS:
        return _scan_unit(unit, clients, policy, emit, progress)


class _FewerCollections:
    """Python's cyclic garbage collector runs less often while any unit scans.

    A scan allocates millions of short-lived, acyclic objects (parsed pages) beside
    botocore's large service models; at the default thresholds (700, 10, 10) the collector
    walks that heap again and again: ~20 % of a 10,000-resource scan's CPU (README
    "Performance"). Cycles are still collected, after 50,000 allocations instead of 700; the
    process's own thresholds come back when the last concurrent unit ends.
    """

    THRESHOLDS = (50_000, 20, 20)

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._scanning = 0
        self._saved = gc.get_threshold()

    def __enter__(self) -> None:
        with self._lock:
            if self._scanning == 0:
                self._saved = gc.get_threshold()
                gc.set_threshold(
                    *(max(own, ours) for own, ours in zip(self._saved, self.THRESHOLDS, strict=True))
                )
            self._scanning += 1

    def __exit__(self, *_: object) -> None:
        with self._lock:
            self._scanning -= 1
            if self._scanning == 0:
                gc.set_threshold(*self._saved)


_FEWER_COLLECTIONS = _FewerCollections()


def _scan_unit(
    unit: ScanUnit, clients: Clients, policy: Policy, emit: FindingSink, progress: Progress | None
) -> UnitResult:
    started = datetime.now(UTC)
    ctx = UnitContext(
        clients=clients,
        account_id=unit.account_id,
        region=unit.region,
        need_created=policy.agreement_start is not None,
    )
    types = _ordered(policy.types)
    last_use = {
        rtype.parent.type: index
        for index, rtype in enumerate(types)
        if rtype.parent is not None and rtype.parent.type in policy.types
    }
    decisions: dict[str, dict[str, str | None]] = {name: {} for name in last_use}
    counts: Counter[tuple[str, Verdict]] = Counter()
    errors: list[str] = []
    done = 0
    for index, rtype in enumerate(types):
        parents = decisions.get(rtype.parent.type, _NO_PARENTS) if rtype.parent else _NO_PARENTS
        remember = decisions.get(rtype.name)
        try:
            for resource in collect(rtype, ctx):
                finding, carries_over = evaluate(resource, policy, parents)
                if remember is not None and carries_over:
                    excluded = finding.verdict is Verdict.EXCLUDED
                    remember[resource.arn] = finding.reason if excluded else None
                counts[(rtype.name, finding.verdict)] += 1
                emit(finding)
                done += 1
                if progress is not None and done % 50 == 0:
                    progress(unit, done)
        except CollectionError as error:
            errors.append(str(error))
        for name in [name for name, last in last_use.items() if last == index]:
            del decisions[name]
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


def _ordered(names: Sequence[str]) -> list[ResourceType]:
    wanted = set(names)
    return [t for t in TYPES if t.name in wanted]


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
        raise ScanError(
            f"cannot identify the AWS caller: {describe_error(error)}",
            configuration=is_bad_credentials(error),
        ) from None
    if policy.organization:
        accounts = list(organization_accounts(session, home))
        if not accounts:
            # An Organization always holds its management account: nothing to scan means
            # nothing was readable, never "all compliant".
            raise ScanError("the Organization lists no active account: is this its management account?")
    else:
        accounts = list(policy.accounts) or [me]
    if policy.role_name is None and any(account != me for account in accounts):
        other = next(account for account in accounts if account != me)
        raise PolicyError(f"role_name: needed to scan account {other} (the caller is {me})")
    units = [ScanUnit(account, region) for account in accounts for region in policy.regions]
    return Plan(units=units, caller_account=me)


# Organizations ListAccounts returns at most 20 accounts a page.
_ACCOUNTS_PAGE = 20


def organization_accounts(session: boto3.Session, region: str) -> Iterator[str]:
    """The Organization's ACTIVE accounts (suspended and closing ones cannot be scanned)."""
    organizations = make_client(session, "organizations", region)
    try:
        pages = organizations.get_paginator("list_accounts").paginate(
            PaginationConfig={"PageSize": _ACCOUNTS_PAGE}
        )
        for page in pages:
            for account in page["Accounts"]:
                if account.get("Status", "ACTIVE") == "ACTIVE":
                    yield str(account["Id"])
    except (ClientError, BotoCoreError) as error:
        raise ScanError(f"cannot list the Organization's accounts: {describe_error(error)}") from None


class AccountAccess:
    """Credentials per account: the caller's own, or the role assumed once per account."""

    def __init__(self, session: boto3.Session, policy: Policy, caller: str) -> None:
        self._session = session
        self._policy = policy
        self._caller = caller
        self._lock = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}
        # an account's assumed session, or why the role could not be assumed
        self._sessions: dict[str, boto3.Session | str] = {}

    def clients(self, unit: ScanUnit) -> Clients:
        return Clients(self._account_session(unit), unit.region)

    def _account_session(self, unit: ScanUnit) -> boto3.Session:
        account = unit.account_id
        if account == self._caller:
            return self._session
        role = self._policy.role_name
        if role is None:
            raise UnitUnreachable(f"no role name to reach account {account} (the caller is {self._caller})")
        with self._lock:
            lock = self._locks.setdefault(account, threading.Lock())
        # One account's units wait for its role; other accounts go on meanwhile.
        with lock:
            if account not in self._sessions:
                try:
                    self._sessions[account] = assume_role(self._session, account, role, unit.region)
                except (ClientError, BotoCoreError) as error:
                    # Not asked again for the account's other units: they fail the same way.
                    self._sessions[account] = f"cannot assume role {role}: {describe_error(error)}"
            session = self._sessions[account]
        if isinstance(session, str):
            raise UnitUnreachable(session)
        return session


class UnitUnreachable(Exception):
    """The unit's account cannot be reached (no role, role not assumable)."""


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
        except UnitUnreachable as error:
            return UnitResult(unit=unit, status="failed", error=str(error))
        return scan_unit(unit, clients, policy, sink_for(unit), progress=progress)

    with ThreadPoolExecutor(max_workers=policy.max_concurrency, thread_name_prefix="maptag-unit") as pool:
        futures: dict[Future[UnitResult], ScanUnit] = {pool.submit(one, unit): unit for unit in units}
        for future in as_completed(futures):
            try:
                yield future.result()
            except Exception as error:
                yield UnitResult(unit=futures[future], status="failed", error=describe_error(error))

"""The scan: plan units, then per unit collect → scope → judge, streaming findings out.

Used by the CLI (all units in one process, concurrently) and by the scan_unit Lambda (one
unit per invocation). A unit that cannot be evaluated is reported failed with its reason and
never stops or hides the others.
"""

from __future__ import annotations

import gc
import pickle
import tempfile
import threading
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import UTC, datetime

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from maptag.aws import (
    Clients,
    assume_role,
    caller_account,
    describe_error,
    is_bad_credentials,
    make_client,
    partition_of,
)
from maptag.coverage import Totals, by_type
from maptag.judge import judge
from maptag.model import Finding, Judgement, Resource, ScanUnit, Verdict
from maptag.policy import Policy, PolicyError
from maptag.resources.collector import AWS_ERRORS, CollectionError, UnitContext, collect
from maptag.resources.declarations import BY_NAME, TYPES, ResourceType
from maptag.resources.inventory import unscanned
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
    # types not listed in this unit because their service is not offered in its region: why
    skipped_types: Mapping[str, str] = field(default_factory=dict)
    # --inventory: tagged resources per type the scan does not cover (None: not asked)
    unscanned: Mapping[str, int] | None = None

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
            **self.optional_report(),
        }

    def optional_report(self) -> dict[str, object]:
        """The unit's optional report fields (docs/contracts.md), present only when they say something."""
        extra: dict[str, object] = {}
        if self.skipped_types:
            extra["skipped_types"] = [
                {"type": name, "reason": why} for name, why in self.skipped_types.items()
            ]
        if self.unscanned is not None:
            extra["unscanned"] = dict(self.unscanned)
        return extra


def evaluate(resource: Resource, policy: Policy, parents: ParentScopes) -> tuple[Finding, bool]:
    """The finding for one resource, and whether its scope decision carries to dependents."""
    exclusion = scope(resource, policy, parents)
    if exclusion is not None:
        judgement = Judgement(Verdict.EXCLUDED, exclusion.reason)
        return Finding.of(resource, judgement), exclusion.carries_over
    rtype = BY_NAME.get(resource.type)
    judgement = judge(resource.tags, policy, resource.tag_error, dba=rtype.dba if rtype else True)
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
    walks that heap again and again: ~20 % of a 10,000-resource scan's CPU
    (docs/performance.md). Cycles are still collected, after 50,000 allocations instead of 700; the
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


# Families of types (a root and its dependents) list concurrently within a unit, at most this
# many at a time, and at most PER_SERVICE of them against one service (its API rate is shared).
# 8: an empty unit of every type waits ~70 calls / 8 (2.0 s at 80 ms a call with 4, 1.45 s
# with 8: python -m bench.empty_unit, docs/performance.md).
UNIT_THREADS = 8
PER_SERVICE = 2
# The service's own answer that it is not offered where it was asked.
NOT_OFFERED = frozenset({"UnsupportedOperation", "InvalidAction", "UnknownOperationException"})
# Where a partition's global services (CloudFront, Route 53) are listed and attributed.
GLOBAL_REGIONS = {"aws": "us-east-1", "aws-cn": "cn-northwest-1", "aws-us-gov": "us-gov-west-1"}


def global_region(policy: Policy, partition: str) -> str | None:
    """The unit region that lists the partition's global types: its home, or the first scanned."""
    regions = [r for r in policy.regions if partition_of(r) == partition]
    home = GLOBAL_REGIONS.get(partition)
    return home if home in regions else (regions[0] if regions else None)


def not_offered(rtype: ResourceType, unit: ScanUnit, session: boto3.Session) -> str | None:
    """Why the type's service is not offered in the unit's region (botocore's endpoint data)."""
    if rtype.is_global:
        return None
    try:
        regions = session.get_available_regions(rtype.service, partition_of(unit.region))
    except Exception:
        return None
    # An empty list means botocore's data does not know the service's regions: ask it.
    if regions and unit.region not in regions:
        return f"{rtype.service} is not offered in {unit.region} (botocore endpoint data)"
    return None


def _families(types: Sequence[ResourceType]) -> list[list[ResourceType]]:
    """The types grouped by root ancestor, each group parents first (types is parents first)."""
    root: dict[str, str] = {}
    groups: dict[str, list[ResourceType]] = {}
    for rtype in types:
        parent = rtype.parent.type if rtype.parent is not None else None
        root[rtype.name] = root.get(parent, rtype.name) if parent is not None else rtype.name
        groups.setdefault(root[rtype.name], []).append(rtype)
    return list(groups.values())


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
    lists_globals = global_region(policy, ctx.partition) == unit.region
    skipped: dict[str, str] = {}
    types: list[ResourceType] = []
    for rtype in _ordered(policy.types):
        if rtype.is_global and not lists_globals:
            continue  # listed once per account, in the unit of its global region
        reason = not_offered(rtype, unit, clients.session)
        if reason is None:
            types.append(rtype)
        else:
            skipped[rtype.name] = reason
    families = _families(types)
    run = _UnitRun(unit, ctx, policy, emit, progress, skipped, len(families))
    threads = min(UNIT_THREADS, max(1, len(families)))
    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="maptag-type") as pool:
        counted = pool.submit(run.inventory) if policy.inventory else None
        for future in [pool.submit(run.family, index, family) for index, family in enumerate(families)]:
            future.result()
        if counted is not None:
            counted.result()
    if progress is not None:
        progress(unit, run.done)
    return UnitResult(
        unit=unit,
        status="failed" if run.errors else "ok",
        error=_summarise(run.errors),
        counts=dict(run.counts),
        started_at=started,
        finished_at=datetime.now(UTC),
        skipped_types=dict(sorted(run.skipped.items())),
        unscanned=run.unscanned,
    )


class _Held:
    """A family's findings held (on disk past 4 MB) until the families before it are emitted."""

    def __init__(self) -> None:
        self._file = tempfile.SpooledTemporaryFile(max_size=4 << 20)  # noqa: SIM115 (closed in replay)

    def __call__(self, finding: Finding) -> None:
        pickle.dump(finding, self._file, protocol=pickle.HIGHEST_PROTOCOL)

    def replay(self, emit: FindingSink) -> None:
        self._file.seek(0)
        with self._file:
            while True:
                try:
                    # our own findings, written above by this process: not untrusted data
                    finding = pickle.load(self._file)  # noqa: S301
                except EOFError:
                    return
                emit(finding)


class _UnitRun:
    """One unit's shared state while its families of types list concurrently.

    Findings reach the sink in the types' own order, whatever order the families end in (a
    report lists the same estate the same way every time): the first family emits as it goes,
    each later one is held until those before it are out.
    """

    def __init__(
        self,
        unit: ScanUnit,
        ctx: UnitContext,
        policy: Policy,
        emit: FindingSink,
        progress: Progress | None,
        skipped: dict[str, str],
        families: int,
    ) -> None:
        self.unit, self.ctx, self.policy = unit, ctx, policy
        self._emit, self._progress = emit, progress
        self.skipped = skipped
        self.counts: Counter[tuple[str, Verdict]] = Counter()
        self.errors: list[str] = []
        self.done = 0
        self._lock = threading.Lock()
        self._services: dict[str, threading.Semaphore] = {}
        self._held: list[_Held | None] = [None] + [_Held() for _ in range(families - 1)]
        self._finished = [False] * families
        self._next = 0  # the first family whose findings are not all out yet
        self.unscanned: dict[str, int] | None = None

    def _release(self, index: int) -> None:
        with self._lock:
            self._finished[index] = True
            while self._next < len(self._finished) and self._finished[self._next]:
                held = self._held[self._next]
                if held is not None:
                    held.replay(self._emit)
                self._held[self._next] = None
                self._next += 1

    def _service(self, name: str) -> threading.Semaphore:
        with self._lock:
            return self._services.setdefault(name, threading.Semaphore(PER_SERVICE))

    def family(self, index: int, types: list[ResourceType]) -> None:
        try:
            self._family(types, self._held[index])
        finally:
            self._release(index)

    def _family(self, types: list[ResourceType], held: _Held | None) -> None:
        """A root type and its dependents, parents first; scope decisions kept within the family.

        A dependent whose parent type could not be listed is not judged: its parent's scope is
        unknown, and judging it as if known would give wrong verdicts both ways (withheld, said).
        """
        decisions: dict[str, dict[str, str | None]] = {
            rtype.parent.type: {} for rtype in types if rtype.parent is not None
        }
        failed: set[str] = set()
        for rtype in types:
            parent = rtype.parent.type if rtype.parent is not None else None
            if parent in failed:
                failed.add(rtype.name)
                self._error(f"{rtype.name}: not judged: its parent type {parent} could not be listed")
                continue
            if parent in self.skipped:
                self.skipped[rtype.name] = self.skipped[parent]
                continue
            parents = decisions.get(parent, _NO_PARENTS) if parent is not None else _NO_PARENTS
            remember = decisions.get(rtype.name)
            listed = 0
            try:
                with self._service(rtype.service):
                    for resource in collect(rtype, self.ctx):
                        finding, carries_over = evaluate(resource, self.policy, parents)
                        if remember is not None and carries_over:
                            excluded = finding.verdict is Verdict.EXCLUDED
                            remember[resource.arn] = finding.reason if excluded else None
                        listed += 1
                        self._record(rtype.name, finding, held)
            except CollectionError as error:
                if listed == 0 and error.code in NOT_OFFERED:
                    with self._lock:
                        self.skipped[rtype.name] = (
                            f"{rtype.service} answered {error.code} in {self.unit.region}"
                        )
                    continue
                failed.add(rtype.name)
                self._error(str(error))
            except Exception as error:
                failed.add(rtype.name)
                self._error(f"{rtype.name}: {describe_error(error)}")
            later = types[types.index(rtype) + 1 :]
            if parent is not None and all(t.parent is None or t.parent.type != parent for t in later):
                decisions.pop(parent, None)  # its last dependent is done: free the ARNs

    def inventory(self) -> None:
        """--inventory: the unit's tagged resources of the types this scan does not cover."""
        try:
            self.unscanned = unscanned(self.ctx.clients, self.policy.types)
        except AWS_ERRORS as error:
            self._error(f"inventory: {describe_error(error)}")

    def _record(self, type_name: str, finding: Finding, held: _Held | None) -> None:
        if held is not None:
            held(finding)  # the family's own file: no lock needed
        with self._lock:
            self.counts[(type_name, finding.verdict)] += 1
            if held is None:
                self._emit(finding)
            self.done += 1
            if self._progress is not None and self.done % 50 == 0:
                self._progress(self.unit, self.done)

    def _error(self, message: str) -> None:
        with self._lock:
            self.errors.append(message)
            # Families end in any order: errors are named in the types' own order.
            self.errors.sort(key=lambda m: _TYPE_ORDER.get(m.split(": ", 1)[0], len(_TYPE_ORDER)))


_TYPE_ORDER = {t.name: i for i, t in enumerate(TYPES)}


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

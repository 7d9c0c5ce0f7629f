"""Least privilege under moto's IAM enforcement, for one service's types at a time.

A scanner holding exactly ``required_actions(types, True)`` (and the caller's own actions) sees
every seeded resource with its tags; without any one of them the scan says so, loudly: the unit
fails naming the denied call, or the tags it could not read are ``unreadable``. A type whose
tags the Tagging API reads in batches may lose either tag read alone (the other one reads them).
"""

from __future__ import annotations

from collections.abc import Sequence

import boto3
from freezegun import freeze_time
from moto import mock_aws

from maptag.model import Verdict
from maptag.resources.declarations import BY_NAME, TAGGING_API_ACTION, required_actions
from maptag.resources.schema import TaggingApi
from maptag.scan import CALLER_ACTIONS
from tests.support.moto_seed import COMPLIANT, SEEDERS, ScanOutcome, enforced_scan, policy, scanner_session

REGION = "us-east-1"


def _scan(session: boto3.Session, types: Sequence[str], actions: Sequence[str]) -> ScanOutcome:
    scanner = scanner_session(session, [*CALLER_ACTIONS, *actions], REGION)
    return enforced_scan(scanner, policy(regions=[REGION], types=list(types), agreement_start="2025-01-01"))


def _tag_reads(type_name: str) -> set[str]:
    """The actions that read this type's tags as alternatives (the Tagging API and its fallback)."""
    rtype = BY_NAME[type_name]
    if not isinstance(rtype.tags, TaggingApi):
        return set()
    own = rtype.tags.fallback.operation.replace("_", "").lower()
    return {TAGGING_API_ACTION, *(a for a in rtype.actions if a.split(":", 1)[1].lower() == own)}


def assert_least_privilege(types: Sequence[str]) -> None:
    """Seed one tagged resource of each type, then scan with exactly the required actions and
    with each one left out."""
    actions = required_actions(types, need_created=True)
    with mock_aws():
        session = boto3.Session(region_name=REGION)
        with freeze_time("2025-06-01"):
            seeded = {SEEDERS[t](session, REGION, f"perm-{n}", COMPLIANT) for n, t in enumerate(types)}
        full = _scan(session, types, actions)
        (unit,) = full.units
        assert (unit.status, unit.error) == ("ok", None)
        assert {f.resource.arn: f.verdict for f in full.findings} == dict.fromkeys(seeded, Verdict.COMPLIANT)
        alternatives = set().union(*(_tag_reads(t) for t in types))
        for missing in actions:
            outcome = _scan(session, types, [a for a in actions if a != missing])
            (unit,) = outcome.units
            if missing in alternatives:
                # the other tag read reads every tag: the same verdicts
                assert (unit.status, unit.error) == ("ok", None), missing
                assert {f.resource.arn: f.verdict for f in outcome.findings} == {
                    f.resource.arn: f.verdict for f in full.findings
                }, missing
                continue
            denied_call = missing.split(":", 1)[1]
            if unit.status == "failed":
                assert unit.error is not None
                assert denied_call in unit.error, (missing, unit.error)
            else:
                unreadable = [f for f in outcome.findings if f.verdict is Verdict.UNREADABLE]
                assert unreadable, f"nothing showed that {missing} was denied"
                assert all(denied_call in f.reason for f in unreadable), missing

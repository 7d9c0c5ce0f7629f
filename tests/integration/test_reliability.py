"""The reliability suite's short version (bench/reliability.py, docs/reliability.md).

The demo estate is scanned by `maptag scan` in a child process behind the fault-injecting
proxy on loopback; each scenario is judged against a clean scan, resource for resource.
The full suite (every garbage-body operation, 60 % and 80 % throttling, the signals) is
`python -m bench.reliability`; this runs the scenarios that fit in about a minute.
"""

from __future__ import annotations

import pytest

from bench.reliability import run_suite
from maptag.local.estate import minimum_resources

pytestmark = pytest.mark.slow

# One garbage-body scenario per protocol and kind of read (an XML list call, a JSON list call,
# the Tagging API); the full suite sends garbage to every list and tag read.
SHORT = (
    "throttled-30",
    "5xx-reset-timeout-10",
    "garbage-html-DescribeInstances",
    "garbage-empty-ListTables",
    "garbage-html-GetResources",
    "one-account-denied",
    "hub-outage-recovery",
    "killed-by-SIGTERM",
    "killed-by-SIGINT",
)


def test_the_short_reliability_suite_holds() -> None:
    suite = run_suite(SHORT, resources=minimum_resources())

    # the clean scan found the seeded estate (checked against its manifest), and exits 1: findings
    assert suite.clean.exit_code == 1
    assert suite.clean_check == "ok"
    # every scenario ran and held its claim; the problems name the resources or units that did not
    assert [o.name for o in suite.outcomes] == list(SHORT)
    failures = {o.name: o.problems[:5] for o in suite.outcomes if not o.passed}
    assert failures == {}
    # the faults were really injected
    figures = {o.name: o.figures for o in suite.outcomes}
    assert "throttle" in figures["throttled-30"]["injected"]
    for kind in ("5xx", "reset", "timeout"):
        assert kind in figures["5xx-reset-timeout-10"]["injected"]
    assert "deny" in figures["one-account-denied"]["injected"]
    assert figures["one-account-denied"]["exit"] == 3
    assert figures["killed-by-SIGINT"]["exit"] == 130
    assert figures["killed-by-SIGTERM"]["exit"] == 143

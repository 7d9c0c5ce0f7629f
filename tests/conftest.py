"""Shared test setup: no real AWS is ever reachable from a test."""

from __future__ import annotations

import os

import freezegun
import pytest

# The helpers' own asserts (tests/support) report the values they compared, as a test's do.
pytest.register_assert_rewrite("tests.support")

# Tests move the clock with freezegun only (docs/architecture.md); time-machine is the demo's.
# freezegun reads every loaded module's attributes when it starts; Powertools' parser builds
# pydantic models lazily on that read, which fails under a frozen clock once a handler test has
# imported it in the same worker.
freezegun.configure(extend_ignore_list=["aws_lambda_powertools"])


# pytest-xdist's workers run with COLUMNS=80 and LINES=24 set; maptag honours COLUMNS even in a
# pipe, so the suite starts without them: a test that wants a terminal width sets it itself.
for _name in ("COLUMNS", "LINES"):
    os.environ.pop(_name, None)
# moto builds its EC2 backends (and, unless told not to, 1,301 public AMIs with snapshots owned by
# its default account) whenever a backend is made or reset, module-scoped fixtures included:
# never with them in this suite (docs/toolchain.md).
os.environ["MOTO_EC2_LOAD_DEFAULT_AMIS"] = "false"


@pytest.fixture(autouse=True)
def _fake_aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fake credentials and a region, and no endpoint or profile leaking in from the shell."""
    for name in list(os.environ):
        if name.startswith(("AWS_ENDPOINT_URL", "AWS_PROFILE")):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")

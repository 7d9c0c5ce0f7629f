"""Transfer Family servers: least privilege (moto); the generic test covers the rest."""

from __future__ import annotations

from tests.support.privileges import assert_least_privilege


def test_least_privilege() -> None:
    assert_least_privilege(["transfer:server"])
